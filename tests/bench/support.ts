import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { insertUser } from '../../src/auth/users.service.ts';
import type { Database } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { generateAssetCode } from '../../src/devices/asset-code.ts';
import type { StorageMedium } from '../../src/devices/devices.schema.ts';
import { donations } from '../../src/donations/donations.schema.ts';
import { organisations, sites } from '../../src/organisations/organisations.schema.ts';
import { redisOptionsFromUrl } from '../../src/redis.ts';

/**
 * What every benchmark shares: a throwaway migrated database, the API run as its own process
 * (so its memory and CPU are its own), autocannon, and one JSON line per figure on stdout.
 * Progress goes to stderr, so stdout stays machine-readable.
 */

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const serverUrl = (process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');

export type BenchResult = {
  name: string;
  value: number;
  unit: string;
  /** The figure `value` is compared with (a bound measured in the same run), when there is one. */
  limit?: number;
  ratio?: number;
  [extra: string]: unknown;
};

/** A benchmark: a name (to run it alone) and the figures it measures, one JSON line each. */
export type Benchmark = { name: string; run: () => Promise<BenchResult[]> };

export function printResult(result: BenchResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The middle of unsorted samples (the mean of the two middle ones for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// Resources to release even when the run is interrupted (Ctrl-C), newest first.
const pending = new Set<() => Promise<void>>();

/** Registers a release; returns it, made idempotent, for the normal path (try/finally). */
export function registerCleanup(release: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => {
    pending.delete(once);
    done ??= release();
    return done;
  };
  pending.add(once);
  return once;
}

/** Releases whatever is still held (a child process, a database); for signal handlers. */
export async function releaseAll(): Promise<void> {
  for (const release of [...pending].reverse()) {
    await release().catch((error: unknown) => progress(`cleanup failed: ${String(error)}`));
  }
}

export type BenchDatabase = { name: string; url: string; drop: () => Promise<void> };

async function withAdmin<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(`${serverUrl}/postgres`, { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A fresh database named boucle_bench_<random>, migrated like production; dropped WITH (FORCE). */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `boucle_bench_${randomBytes(4).toString('hex')}`;
  await withAdmin((sql) => sql`create database ${sql(name)}`);
  const drop = registerCleanup(() => withAdmin(async (sql) => void (await sql`drop database if exists ${sql(name)} with (force)`)));
  const url = `${serverUrl}/${name}`;
  try {
    await runMigrations(url);
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, url, drop };
}

export type WorkshopSeed = {
  organisationId: string;
  siteId: string;
  /** The donation the seeded devices came in with. */
  donationId: string;
  operatorId: string;
  operatorEmail: string;
  operatorPassword: string;
  /** Asset codes (stored form) of the fresh `collected` devices at the workshop's site. */
  codes: string[];
};

export type SeedOptions = {
  /** The storage media of the device at this index (none by default, as intake leaves them undeclared). */
  storageMedia?: (index: number) => StorageMedium[];
};

/**
 * The usual cast, written straight to the database: a coordinator with its admin, a workshop with
 * a site and a workshop operator, and `deviceCount` collected laptops at that site, received in
 * one donation. The devices and their asset codes go in by multi-row INSERT (tens of thousands in
 * a second or two), without their 'created' events, which no benchmark reads.
 */
export async function seedWorkshop(database: Database, deviceCount: number, options: SeedOptions = {}): Promise<WorkshopSeed> {
  const { db, sql } = database;
  const [coordinator] = await db.insert(organisations).values({ name: 'Coordination (bench)', shortName: 'Coord', kind: 'coordinator' }).returning();
  await insertUser(db, {
    organisationId: coordinator!.id,
    email: `admin.${randomBytes(4).toString('hex')}@bench.boucle.example`,
    displayName: 'Admin',
    role: 'admin',
    password: `pw-${randomBytes(12).toString('hex')}`,
  });
  const [workshop] = await db.insert(organisations).values({ name: 'Atelier (bench)', shortName: 'Atelier', kind: 'workshop' }).returning();
  const [site] = await db
    .insert(sites)
    .values({ organisationId: workshop!.id, name: 'Établi', kind: 'workshop', address: '1 rue du Banc', communeCode: '47001' })
    .returning();
  const operatorPassword = `pw-${randomBytes(12).toString('hex')}`;
  const operator = await insertUser(db, {
    organisationId: workshop!.id,
    email: `operator.${randomBytes(4).toString('hex')}@bench.boucle.example`,
    displayName: 'Opératrice',
    role: 'workshop_operator',
    password: operatorPassword,
  });

  // Every device belongs to a donation, and its code to the asset-code registry (foreign keys).
  const [donation] = await db
    .insert(donations)
    .values({ organisationId: workshop!.id, collectionSiteId: site!.id, donorName: 'Donateur (bench)', createdByUserId: operator.id })
    .returning();

  const codes = new Set<string>();
  while (codes.size < deviceCount) codes.add(generateAssetCode());
  const codeRows = [...codes].map((code) => ({ code, organisation_id: workshop!.id }));
  for (let start = 0; start < codeRows.length; start += 20_000) {
    await sql`insert into asset_codes ${sql(codeRows.slice(start, start + 20_000))}`;
  }
  const rows = [...codes].map((assetCode, index) => ({
    asset_code: assetCode,
    donation_id: donation!.id,
    kind: 'laptop',
    brand: 'Lenovo',
    model: 'ThinkPad T480',
    serial_number: `SN${String(index).padStart(8, '0')}`,
    status: 'collected',
    site_id: site!.id,
    organisation_id: workshop!.id,
    // As JSON text: drizzle (connectDatabase) turns the driver's json serialiser off, so text is what it sends.
    ...(options.storageMedia ? { storage_media: JSON.stringify(options.storageMedia(index)) } : {}),
  }));
  // 5,000 rows of 9 (or 10) values stay under the 65,534 parameters one statement may carry.
  for (let start = 0; start < rows.length; start += 5_000) {
    await sql`insert into devices ${sql(rows.slice(start, start + 5_000))}`;
  }
  await sql`analyze devices`;
  await sql`analyze asset_codes`;
  return {
    organisationId: workshop!.id,
    siteId: site!.id,
    donationId: donation!.id,
    operatorId: operator.id,
    operatorEmail: operator.email,
    operatorPassword,
    codes: [...codes],
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Peak resident set size of a live process (VmHWM), in MB; undefined once it is gone. */
export function readPeakRssMb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const clockTicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

/** CPU time (user + system) a process has used so far, in ms; 0 once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
  } catch {
    return 0;
  }
}

/**
 * CPU used by a set of processes between start and stop, in ms: where a phase spends its cycles
 * (API, Postgres backends, the load generator), a figure other load on the machine barely moves.
 * `pids` is asked again at stop, so processes started during the phase count too.
 */
export async function measureCpu(pids: () => Promise<number[]> | number[]) {
  const before = new Map((await pids()).map((pid) => [pid, processCpuMs(pid)]));
  return async () => {
    let total = 0;
    for (const pid of await pids()) total += processCpuMs(pid) - (before.get(pid) ?? 0);
    return total;
  };
}

/** The Postgres server processes serving one database (its connections' backends). */
export async function backendPids(sql: postgres.Sql, databaseName: string): Promise<number[]> {
  const rows = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${databaseName} and pid <> pg_backend_pid()`;
  return rows.map((row) => row.pid);
}

/** A child process of the benchmark (the API, a worker): its memory, its recent output, its end. */
export type ServiceProcess = {
  pid: number;
  /** Highest VmHWM seen so far (sampled twice a second, and read again on each call). */
  peakRssMb: () => number;
  /** The last 4,000 characters it wrote (stdout and stderr together). */
  output: () => string;
  /** How it ended, once it has. */
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stop: () => Promise<void>;
};

export type ApiProcess = ServiceProcess & { url: string };

export type ApiOptions = {
  databaseUrl: string;
  /** More variables for the API (e.g. DATABASE_POOL_MAX); they win over the defaults below. */
  env?: Record<string, string>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: string[];
  /** What node runs (after nodeArgs); the production API, as package.json's api script says, by default. */
  entry?: string[];
};

/** A process's node arguments exactly as `npm run <script>` runs it (package.json), heap limit included. */
function productionArguments(script: 'api' | 'worker'): string[] {
  const command: string = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts[script];
  const [program, ...args] = command.trim().split(/\s+/);
  if (program !== 'node') throw new Error(`package.json's ${script} script should start with node: ${command}`);
  return args;
}

/**
 * Spawns node with `args` in the repository, with only the variables given (plus PATH, HOME,
 * TMPDIR, LANG and REDIS_URL), so a developer's environment does not change the figures. Its
 * output goes to stderr; its peak RSS is sampled until it is stopped (SIGTERM, SIGKILL after 10 s).
 */
function spawnService(args: string[], env: Record<string, string>): ServiceProcess {
  const inherited = Object.fromEntries(['PATH', 'HOME', 'TMPDIR', 'LANG', 'REDIS_URL'].flatMap((key) => (process.env[key] ? [[key, process.env[key]!]] : [])));
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
    process.stderr.write(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );

  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, readPeakRssMb(pid) ?? 0);
    return peak;
  };
  const sampler = setInterval(sample, 500);
  sampler.unref();

  const stop = registerCleanup(async () => {
    sample();
    clearInterval(sampler);
    if (exited) return;
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(killed);
  });
  return { pid, peakRssMb: sample, output: () => output, exited: () => exited, stop };
}

/** Polls `ready` every 100 ms until it answers true; stops the service and throws if it exits first or takes over 60 s. */
async function waitUntilReady(service: ServiceProcess, what: string, ready: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exited = service.exited();
    if (exited) {
      await service.stop();
      throw new Error(`${what} exited before it was ready (${JSON.stringify(exited)}):\n${service.output()}`);
    }
    if (await ready()) return;
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`${what} was not ready within 60 s:\n${service.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts the API as `npm run api` would, on a free port, and
 * resolves once /healthz answers. Only the variables it needs are passed, so a developer's
 * BOOTSTRAP_ADMIN_* or DATABASE_POOL_MAX does not change the figures. Its logs go to stderr.
 */
export async function startApi(options: ApiOptions): Promise<ApiProcess> {
  const port = await freePort();
  const service = spawnService([...(options.nodeArgs ?? []), ...(options.entry ?? productionArguments('api'))], {
    NODE_ENV: 'production',
    DATABASE_URL: options.databaseUrl,
    PORT: String(port),
    // At info every request is logged: that would measure pino, not the API.
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: `boucle-bench-${randomBytes(4).toString('hex')}`,
    APP_SECRET: randomBytes(32).toString('base64url'),
    ...options.env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(service, 'the API', () =>
    fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    ),
  );
  return { ...service, url };
}

export type WorkerOptions = {
  databaseUrl: string;
  /** Its DATA_DIR: the file store (rendered label sheets) is <dataDir>/files. */
  dataDir: string;
  /** What QR codes and links point to (PUBLIC_URL). */
  publicUrl: string;
  /** More variables for the worker; they win over the defaults. */
  env?: Record<string, string>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: string[];
};

export type WorkerProcess = ServiceProcess & { queuePrefix: string };

/**
 * Starts the workers (outbox relay and queue processors) as `npm run worker` would, on their own
 * queue prefix, and resolves once they say they started. It logs at info: a worker logs only its
 * start there (failures are warnings), so the line costs nothing while jobs run.
 */
export async function startWorker(options: WorkerOptions): Promise<WorkerProcess> {
  const queuePrefix = `boucle-bench-${randomBytes(4).toString('hex')}`;
  // Registered first, so that an interrupted run (newest first) stops the worker before this.
  const purge = registerCleanup(() => purgeQueues(queuePrefix));
  const service = spawnService([...(options.nodeArgs ?? []), ...productionArguments('worker')], {
    NODE_ENV: 'production',
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: options.dataDir,
    PUBLIC_URL: options.publicUrl,
    LOG_LEVEL: 'info',
    QUEUE_PREFIX: queuePrefix,
    APP_SECRET: randomBytes(32).toString('base64url'),
    ...options.env,
  });
  const stop = async () => {
    await service.stop();
    await purge();
  };
  await waitUntilReady({ ...service, stop }, 'the worker', () => service.output().includes('"msg":"workers started"'));
  return { ...service, stop, queuePrefix };
}

/** Deletes what BullMQ kept under a benchmark's queue prefix (completed jobs stay a day otherwise). */
async function purgeQueues(prefix: string): Promise<void> {
  const redis = new Redis({ ...redisOptionsFromUrl(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'), lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A JSON request to the API; throws with the answer when the status is not the expected one. */
export async function requestJson<T>(url: string, init: { method?: string; body?: unknown; token?: string; expect?: number } = {}): Promise<T> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(url, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await response.text();
  if (response.status !== (init.expect ?? 200)) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

// autocannon ships no types: this is the part of its API the benchmarks use.
export type AutocannonRequest = {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Called before each request; a falsy answer skips back to the first request. */
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest | undefined;
};

export type AutocannonOptions = {
  url: string;
  connections?: number;
  pipelining?: number;
  amount?: number;
  duration?: number;
  timeout?: number;
  headers?: Record<string, string>;
  method?: string;
  body?: string;
  requests?: AutocannonRequest[];
};

type Percentiles = { average: number; mean: number; stddev: number; min: number; max: number; p50: number; p90: number; p97_5: number; p99: number };

export type AutocannonResult = {
  duration: number;
  start: Date;
  finish: Date;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: Percentiles & { totalCount: number };
  requests: Percentiles & { total: number; sent: number };
};

type Autocannon = (
  options: AutocannonOptions,
  callback: (error: Error | null, result: AutocannonResult) => void,
) => { stop: () => void; on: (event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void) => void };
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/**
 * Runs autocannon; `lastResponseAt` (performance.now()) says when the last answer came. With an
 * `amount`, autocannon only notices it is done at its next one-second tick, so its duration (and
 * the time until it calls back) is rounded up to a whole second: a phase of 8.1 s would count as 9.
 * `latencies2xx` holds each 2xx answer's latency in ms, unrounded (autocannon's own are whole ms).
 */
export function runAutocannon(options: AutocannonOptions): Promise<AutocannonResult & { lastResponseAt: number; latencies2xx: number[] }> {
  return new Promise((resolve, reject) => {
    let finished = false;
    // Interrupted, it stops sending first, so the API can close its connections and exit at once.
    const release = registerCleanup(async () => {
      if (!finished) instance.stop();
    });
    let lastResponseAt = performance.now();
    const latencies2xx: number[] = [];
    const instance = autocannon(options, (error, result) => {
      finished = true;
      void release();
      if (error) reject(error);
      else resolve({ ...result, lastResponseAt, latencies2xx });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      lastResponseAt = performance.now();
      if (statusCode >= 200 && statusCode < 300) latencies2xx.push(responseTimeMs);
    });
  });
}

/** Node flags that write a CPU profile into the folder the environment variable names, if it does. */
export const cpuProfileArgs = (variable: 'BENCH_API_CPU_PROF' | 'BENCH_WORKER_CPU_PROF') =>
  process.env[variable] ? ['--cpu-prof', `--cpu-prof-dir=${process.env[variable]}`] : [];
