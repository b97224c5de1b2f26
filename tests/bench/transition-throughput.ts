import { loadavg } from 'node:os';
import postgres from 'postgres';
import { getTableColumns } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { authenticate } from '../../src/auth/auth.service.ts';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { formatAssetCode } from '../../src/devices/asset-code.ts';
import { devices } from '../../src/devices/devices.schema.ts';
import { transitionDevice } from '../../src/devices/transitions.service.ts';
import {
  backendPids,
  cpuProfileArgs,
  createBenchDatabase,
  measureCpu,
  percentile,
  progress,
  requestJson,
  round,
  runAutocannon,
  seedWorkshop,
  startApi,
  type ApiProcess,
  type BenchResult,
  type Benchmark,
  type WorkshopSeed,
} from './support.ts';

/**
 * transition_throughput: status changes per second through the HTTP API (auth, validation,
 * drizzle, the transition rules) against the same transaction sent straight through the
 * `postgres` driver, both at 32 concurrent clients, in the same run on the same database.
 * The ratio says what the API layer costs on top of Postgres.
 *
 * Every transition is collected → recycled on its own fresh device, so no two requests wait on
 * the same row lock and none is refused: the figure is the happy path, and any non-2xx is a bug.
 */

const concurrency = 32;
const transitionsPerPhase = Number(process.env.BENCH_TRANSITIONS ?? 8_000);
const warmupsPerPhase = 320;
// autocannon builds a connection's first request before sending it: a few spare devices.
const spareDevices = 2 * concurrency;
const targets = { ratio: 0.6, p99Ms: 50, rssMb: 200 };

const transitionBody = JSON.stringify({ to: 'recycled', payload: { deeeChannel: 'ecosystem' } });

// Every column of devices, in the schema's order and drizzle's snake_case, as drizzle lists them
// in a select or a returning: a column added to the schema does not make the raw side drift.
const deviceColumns = Object.keys(getTableColumns(devices))
  .map((key) => `"${key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}"`)
  .join(', ');

// The statements transitionDevice sends for collected → recycled by a workshop operator, as
// drizzle writes them. Each run compares them with what the code sends now (apiStatements) and
// says so when they drift apart: then this list is the one to update.
const statements = {
  readDevice: `select ${deviceColumns} from "devices" where ("devices"."asset_code" = $1 and "devices"."organisation_id" = $2)`,
  compareAndSet: `update "devices" set "status" = $1, "version" = "devices"."version" + 1, "site_id" = $2, "organisation_id" = $3, "custody_since" = $4, "updated_at" = now() where ("devices"."id" = $5 and "devices"."version" = $6) returning ${deviceColumns}`,
  appendEvent:
    'insert into "device_events" ("id", "device_id", "type", "from_status", "to_status", "from_site_id", "site_id", "actor_user_id", "organisation_id", "note", "payload", "occurred_at") values (default, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning "id", "device_id", "type", "from_status", "to_status", "from_site_id", "site_id", "actor_user_id", "organisation_id", "note", "payload", "occurred_at"',
  enqueue:
    'insert into "outbox" ("id", "queue", "job_name", "payload", "created_at", "relayed_at", "done_at", "failed_at") values (default, $1, $2, $3, default, default, default, default)',
};

/** Whose transitions the raw phase records, as the API would from the token. */
type Actor = Pick<WorkshopSeed, 'organisationId' | 'operatorId'>;

type DeviceRecord = { id: string; status: string; version: number; site_id: string; organisation_id: string; custody_since: Date };

/** One transition as the API's transaction does it, minus the HTTP, auth and rule checks around it. */
async function rawTransition(sql: postgres.Sql, actor: Actor, code: string): Promise<void> {
  // Prepared once per connection, as the API's database client does (src/db/client.ts).
  const prepared = { prepare: true };
  await sql.begin(async (tx) => {
    const [device] = (await tx.unsafe(statements.readDevice, [code, actor.organisationId], prepared)) as unknown as DeviceRecord[];
    if (!device) throw new Error(`device ${code} not found`);
    const [updated] = await tx.unsafe(
      statements.compareAndSet,
      ['recycled', device.site_id, device.organisation_id, device.custody_since, device.id, device.version],
      prepared,
    );
    if (!updated) throw new Error(`device ${code} changed meanwhile`);
    const [event] = await tx.unsafe(
      statements.appendEvent,
      [
        device.id,
        'transition',
        device.status,
        'recycled',
        null,
        device.site_id,
        actor.operatorId,
        actor.organisationId,
        null,
        { deeeChannel: 'ecosystem' },
        new Date(),
      ],
      prepared,
    );
    await tx.unsafe(statements.enqueue, ['device-events', 'device.transition', { eventId: Number(event!.id) }], prepared);
  });
}

/**
 * The statements transitionDevice sends now (with their text, not their values), caught by running
 * one transition in this process through a logging drizzle client on the same connection.
 */
async function apiStatements(database: Database, token: string, code: string): Promise<string[]> {
  const sent: string[] = [];
  const db = drizzle(database.sql, { casing: 'snake_case', logger: { logQuery: (query) => sent.push(query) } });
  const actor = await authenticate(db, token);
  if (!actor) throw new Error('the bench token does not authenticate');
  sent.length = 0;
  await transitionDevice(db, actor, { code, to: 'recycled', payload: { deeeChannel: 'ecosystem' } });
  return sent;
}

type PhaseResult = { perSecond: number; p99Ms: number; p50Ms: number; ok: number; failed: number; seconds: number };

/** `concurrency` loops, each taking the next fresh device, until none is left. */
async function rawPhase(sql: postgres.Sql, actor: Actor, codes: string[]): Promise<PhaseResult> {
  let next = 0;
  let failed = 0;
  let firstError: unknown;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let code = codes[next++]; code !== undefined; code = codes[next++]) {
        const begun = performance.now();
        try {
          await rawTransition(sql, actor, code);
          latencies.push(performance.now() - begun);
        } catch (error) {
          failed++;
          firstError ??= error;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (firstError) progress(`raw: ${failed} transactions failed, first: ${String(firstError)}`);
  return {
    perSecond: latencies.length / seconds,
    p99Ms: percentile(latencies, 99),
    p50Ms: percentile(latencies, 50),
    ok: latencies.length,
    failed,
    seconds,
  };
}

/**
 * autocannon, one fresh device per request; only 2xx answers count as transitions. With several
 * APIs (processes on their own ports, over the same database), the connections are shared out
 * among them, each with its own devices; the p99 is then the worst of theirs.
 */
async function httpPhase(apis: ApiProcess[], token: string, codes: string[], amount: number): Promise<PhaseResult> {
  const share = Math.ceil(amount / apis.length);
  const codesPerApi = apis.map((_, index) => codes.slice(index * Math.ceil(codes.length / apis.length), (index + 1) * Math.ceil(codes.length / apis.length)));
  const started = performance.now();
  const results = await Promise.all(
    apis.map((api, index) => {
      let next = 0;
      const own = codesPerApi[index]!;
      return runAutocannon({
        url: api.url,
        connections: concurrency / apis.length,
        amount: share,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            body: transitionBody,
            // Past the reserved devices a made-up code answers 404: counted, never a silent repeat.
            setupRequest: (request) => ({ ...request, path: `/api/devices/${formatAssetCode(own[next++] ?? 'ZZZZZZZZ')}/transitions` }),
          },
        ],
      });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const ok = results.reduce((sum, result) => sum + result['2xx'], 0);
  const failed = results.reduce((sum, result) => sum + result.non2xx + result.errors + result.timeouts, 0);
  if (failed > 0) progress(`http: ${failed} requests failed, status codes ${JSON.stringify(results.map((result) => result.statusCodeStats))}`);
  return {
    perSecond: ok / seconds,
    p99Ms: Math.max(...results.map((result) => result.latency.p99)),
    p50Ms: Math.max(...results.map((result) => result.latency.p50)),
    ok,
    failed,
    seconds,
  };
}

/**
 * Runs a phase and adds what it cost each group of processes, in CPU ms per transition: unlike
 * throughput, this barely moves when something else runs on the machine.
 */
async function withCpu<Group extends string>(
  groups: Record<Group, () => Promise<number[]> | number[]>,
  phase: () => Promise<PhaseResult>,
): Promise<PhaseResult & { cpuMs: Record<Group, number> }> {
  const entries = Object.entries(groups) as [Group, () => Promise<number[]> | number[]][];
  const meters = await Promise.all(entries.map(async ([group, pids]) => [group, await measureCpu(pids)] as const));
  const result = await phase();
  const cpuMs = {} as Record<Group, number>;
  for (const [group, stop] of meters) cpuMs[group] = round((await stop()) / Math.max(result.ok, 1), 3);
  return { ...result, cpuMs };
}

export type TransitionThroughputOptions = {
  transitions?: number;
  /** Extra variables for the API process (e.g. DATABASE_POOL_MAX) and node flags (e.g. --cpu-prof). */
  apiEnv?: Record<string, string>;
  apiNodeArgs?: string[];
};

export async function measureTransitionThroughput(options: TransitionThroughputOptions = {}): Promise<BenchResult> {
  const transitions = options.transitions ?? transitionsPerPhase;
  // Other work on the machine moves every figure here: the load before we start says how much.
  const loadBefore = loadavg()[0]!;
  const database = await createBenchDatabase();
  let connection: Database | undefined;
  let raw: postgres.Sql | undefined;
  let api: ApiProcess | undefined;
  let secondApi: ApiProcess | undefined;
  try {
    connection = connectDatabase(database.url, { max: 2 });
    const deviceCount = 2 * (warmupsPerPhase + spareDevices + transitions) + transitions + spareDevices + 1;
    progress(`seeding ${database.name} with ${deviceCount} collected devices`);
    const seeded = await seedWorkshop(connection, deviceCount);
    const codes = [...seeded.codes];
    // Each phase gets its own devices: nobody transitions the same device twice.
    const take = (count: number) => codes.splice(0, count);
    const httpWarmup = take(warmupsPerPhase + spareDevices);
    const rawWarmup = take(warmupsPerPhase);
    const rawCodes = take(transitions);
    const httpCodes = take(transitions + spareDevices);
    const twoApiCodes = take(transitions + spareDevices);
    const [probeCode] = take(1);

    api = await startApi({ databaseUrl: database.url, env: options.apiEnv, nodeArgs: options.apiNodeArgs });
    const { token } = await requestJson<{ token: string }>(`${api.url}/api/auth/tokens`, {
      body: { email: seeded.operatorEmail, password: seeded.operatorPassword, label: 'bench' },
      expect: 201,
    });
    raw = postgres(database.url, { max: concurrency, onnotice: () => {} });

    const sent = await apiStatements(connection, token, probeCode!);
    const sqlMatches = sent.length === Object.keys(statements).length && Object.values(statements).every((text, index) => sent[index] === text);
    if (!sqlMatches) {
      progress(`the raw transaction no longer matches what the API sends; update \`statements\`. The API now sends:\n${sent.join('\n')}`);
    }

    progress(`warming up: ${warmupsPerPhase} transitions through each path`);
    const warmHttp = await httpPhase([api], token, httpWarmup, warmupsPerPhase);
    const warmRaw = await rawPhase(raw, seeded, rawWarmup);
    if (warmHttp.failed + warmRaw.failed > 0) throw new Error('transitions failed during the warm-up; see above');

    const backends = () => backendPids(connection!.sql, database.name);
    const apiPid = api.pid;

    // Raw first: the API then runs on the slightly larger tables, which can only flatter the raw side.
    // A checkpoint before each phase, so neither pays for the other's dirty pages.
    await connection.sql`checkpoint`;
    progress(`raw driver: ${transitions} transitions at ${concurrency} concurrent transactions`);
    const direct = await withCpu({ postgres: backends, client: () => [process.pid] }, () => rawPhase(raw!, seeded, rawCodes));
    progress(`raw driver: ${round(direct.perSecond)} transitions/s, p99 ${round(direct.p99Ms)} ms, CPU ms/transition ${JSON.stringify(direct.cpuMs)}`);

    await connection.sql`checkpoint`;
    progress(`HTTP API: ${transitions} transitions at ${concurrency} connections`);
    const viaApi = await withCpu({ api: () => [apiPid], postgres: backends, load_generator: () => [process.pid] }, () =>
      httpPhase([api!], token, httpCodes, transitions),
    );
    const rssMb = api.peakRssMb();
    progress(
      `HTTP API: ${round(viaApi.perSecond)} transitions/s, p99 ${viaApi.p99Ms} ms, peak RSS ${round(rssMb)} MB, CPU ms/transition ${JSON.stringify(viaApi.cpuMs)}`,
    );

    // Scaling out: a second API process on its own port, the same database, half the connections each.
    secondApi = await startApi({ databaseUrl: database.url, env: options.apiEnv });
    await connection.sql`checkpoint`;
    progress(`two HTTP APIs: ${transitions} transitions at ${concurrency} connections shared between them`);
    const twoApis = await httpPhase([api, secondApi], token, twoApiCodes, transitions);
    progress(`two HTTP APIs: ${round(twoApis.perSecond)} transitions/s, p99 ${twoApis.p99Ms} ms`);

    const [counts] = await connection.sql<{ recycled: number; events: number }[]>`
      select (select count(*) from devices where status = 'recycled')::int as recycled,
             (select count(*) from device_events)::int as events`;
    const expected = warmHttp.ok + warmRaw.ok + direct.ok + viaApi.ok + twoApis.ok + 1;
    if (counts!.recycled !== expected || counts!.events !== expected) {
      throw new Error(`expected ${expected} recycled devices and events, found ${JSON.stringify(counts)}`);
    }

    const ratio = viaApi.perSecond / direct.perSecond;
    const met = ratio >= targets.ratio && viaApi.p99Ms < targets.p99Ms && rssMb < targets.rssMb;
    if (!met) progress(`transition_throughput misses a target: ${JSON.stringify(targets)}`);
    return {
      name: 'transition_throughput',
      value: round(viaApi.perSecond),
      unit: 'transitions/s',
      limit: round(direct.perSecond),
      ratio: round(ratio, 3),
      p99_ms: viaApi.p99Ms,
      rss_mb: round(rssMb),
      raw_p99_ms: round(direct.p99Ms),
      errors: viaApi.failed + direct.failed + twoApis.failed,
      two_apis_per_second: round(twoApis.perSecond),
      two_apis_ratio: round(twoApis.perSecond / direct.perSecond, 3),
      two_apis_p99_ms: twoApis.p99Ms,
      concurrency,
      transitions,
      p50_ms: viaApi.p50Ms,
      raw_p50_ms: round(direct.p50Ms),
      cpu_ms_per_transition: viaApi.cpuMs,
      raw_cpu_ms_per_transition: direct.cpuMs,
      load_avg_1m: round(loadBefore, 2),
      raw_sql_matches_api: sqlMatches,
      targets: { ratio_min: targets.ratio, p99_ms_max: targets.p99Ms, rss_mb_max: targets.rssMb },
      targets_met: met,
    };
  } finally {
    await api?.stop();
    await secondApi?.stop();
    await raw?.end({ timeout: 5 });
    await connection?.close();
    await database.drop();
  }
}

export const transitionThroughput: Benchmark = {
  name: 'transition_throughput',
  run: async () => [
    await measureTransitionThroughput({
      apiNodeArgs: cpuProfileArgs('BENCH_API_CPU_PROF'),
    }),
  ],
};
