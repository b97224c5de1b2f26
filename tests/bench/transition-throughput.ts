import { loadavg } from 'node:os';
import postgres from 'postgres';
import { getTableColumns, type Table } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { authenticate } from '../../src/auth/auth.service.ts';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { formatAssetCode } from '../../src/devices/asset-code.ts';
import { deviceEvents, devices } from '../../src/devices/devices.schema.ts';
import { outbox } from '../../src/outbox/outbox.schema.ts';
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
 *
 * The three paths (the raw driver, one API, two APIs) run in rounds, each path once per round and
 * each in turn first: on a shared machine whose speed drifts by 10 % from one second to the next,
 * one long phase per path measured the drift as much as the path. A path's throughput is all its
 * transitions over all its time, its percentiles are over all its latencies.
 */

const concurrency = 32;
const transitionsPerPath = Number(process.env.BENCH_TRANSITIONS ?? 8_000);
const warmupsPerPhase = 320;
const rounds = 3;
// autocannon builds a connection's first request before sending it: a few spare devices.
const spareDevices = 2 * concurrency;
const targets = { ratio: 0.6, p99Ms: 50, rssMb: 200 };

const transitionBody = JSON.stringify({ to: 'recycled', payload: { deeeChannel: 'ecosystem' } });

// Every column of a table, in the schema's order and drizzle's snake_case, as drizzle lists them
// in a select, an insert or a returning: a column added to the schema does not make the raw side drift.
const columnsOf = (table: Table) =>
  Object.keys(getTableColumns(table))
    .map((key) => `"${key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}"`)
    .join(', ');
const deviceColumns = columnsOf(devices);
const eventColumns = columnsOf(deviceEvents);

// The statements transitionDevice sends for collected → recycled by a workshop operator, as
// drizzle writes them. Each run compares them with what the code sends now (apiStatements) and
// says so when they drift apart: then this list is the one to update.
const statements = {
  readDevice: `select ${deviceColumns} from "devices" where ("devices"."asset_code" = $1 and "devices"."organisation_id" = $2)`,
  compareAndSet: `update "devices" set "status" = $1, "version" = "devices"."version" + 1, "site_id" = $2, "organisation_id" = $3, "custody_since" = $4, "updated_at" = now() where ("devices"."id" = $5 and "devices"."version" = $6) returning ${deviceColumns}`,
  appendEventWithJob: `with "appended" as (insert into "device_events" (${eventColumns}) values (default, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning ${eventColumns}), "job" as (insert into "outbox" (${columnsOf(outbox)}) values (default, $12, (select 'device.' || "appended"."type"::text from "appended"), (select jsonb_build_object('eventId', "appended"."id") from "appended"), default, default, default, default) returning "id") select ${eventColumns} from "appended"`,
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
    await tx.unsafe(
      statements.appendEventWithJob,
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
        'device-events',
      ],
      prepared,
    );
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

/** One pass of a path: its transitions (2xx for HTTP), its failures, how long it ran, each transition's latency. */
type Pass = { ok: number; failed: number; seconds: number; latencies: number[] };

/** `concurrency` loops, each taking the next fresh device, until none is left. */
async function rawPass(sql: postgres.Sql, actor: Actor, codes: string[]): Promise<Pass> {
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
  return { ok: latencies.length, failed, seconds, latencies };
}

/**
 * autocannon, one fresh device per request (`codes` holds `amount` of them and the spares);
 * only 2xx answers count as transitions. With several APIs (processes on their own ports, over the
 * same database), the connections and devices are shared out among them.
 */
async function httpPass(apis: ApiProcess[], token: string, codes: string[], amount: number): Promise<Pass> {
  const share = Math.ceil(amount / apis.length);
  const codesEach = Math.ceil(codes.length / apis.length);
  const codesPerApi = apis.map((_, index) => codes.slice(index * codesEach, (index + 1) * codesEach));
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
  const seconds = (Math.max(...results.map((result) => result.lastResponseAt)) - started) / 1000;
  const failed = results.reduce((sum, result) => sum + result.non2xx + result.errors + result.timeouts, 0);
  if (failed > 0) progress(`http: ${failed} requests failed, status codes ${JSON.stringify(results.map((result) => result.statusCodeStats))}`);
  const latencies = results.flatMap((result) => result.latencies2xx);
  return { ok: latencies.length, failed, seconds, latencies };
}

/** The processes whose CPU a path's figures count, by group (the API, Postgres, the load generator...). */
type Meters<Group extends string> = Record<Group, () => Promise<number[]> | number[]>;

type PathFigures<Group extends string> = {
  perSecond: number;
  p99Ms: number;
  p50Ms: number;
  ok: number;
  failed: number;
  /** CPU ms per transition of each group: unlike throughput, it barely moves when something else runs on the machine. */
  cpuMs: Record<Group, number>;
};

/** A path's passes added up: its throughput over the time they ran, its percentiles over all their latencies. */
function pathTally<Group extends string>(meters: Meters<Group>) {
  const entries = Object.entries(meters) as [Group, Meters<Group>[Group]][];
  const passes: Pass[] = [];
  const cpuTotals = Object.fromEntries(entries.map(([group]) => [group, 0])) as Record<Group, number>;
  return {
    async run(pass: () => Promise<Pass>): Promise<void> {
      const stops = await Promise.all(entries.map(async ([group, pids]) => [group, await measureCpu(pids)] as const));
      passes.push(await pass());
      for (const [group, stop] of stops) cpuTotals[group] += await stop();
    },
    figures(): PathFigures<Group> {
      const ok = passes.reduce((sum, pass) => sum + pass.ok, 0);
      const latencies = passes.flatMap((pass) => pass.latencies);
      const cpuMs = Object.fromEntries(entries.map(([group]) => [group, round(cpuTotals[group] / Math.max(ok, 1), 3)])) as Record<Group, number>;
      return {
        perSecond: ok / passes.reduce((sum, pass) => sum + pass.seconds, 0),
        p99Ms: round(percentile(latencies, 99)),
        p50Ms: round(percentile(latencies, 50)),
        ok,
        failed: passes.reduce((sum, pass) => sum + pass.failed, 0),
        cpuMs,
      };
    },
  };
}

const describe = (figures: PathFigures<string>) =>
  `${round(figures.perSecond)} transitions/s, p99 ${figures.p99Ms} ms, CPU ms/transition ${JSON.stringify(figures.cpuMs)}`;

export type TransitionThroughputOptions = {
  transitions?: number;
  /** Extra variables for the API process (e.g. DATABASE_POOL_MAX) and node flags (e.g. --cpu-prof). */
  apiEnv?: Record<string, string>;
  apiNodeArgs?: string[];
};

export async function measureTransitionThroughput(options: TransitionThroughputOptions = {}): Promise<BenchResult> {
  const transitions = options.transitions ?? transitionsPerPath;
  const perPass = Math.ceil(transitions / rounds);
  // Other work on the machine moves every figure here: the load before we start says how much.
  const loadBefore = loadavg()[0]!;
  const database = await createBenchDatabase();
  let connection: Database | undefined;
  let raw: postgres.Sql | undefined;
  let api: ApiProcess | undefined;
  let secondApi: ApiProcess | undefined;
  try {
    connection = connectDatabase(database.url, { max: 2 });
    const warmupDevices = 3 * warmupsPerPhase + 2 * spareDevices;
    const deviceCount = warmupDevices + rounds * (3 * perPass + 2 * spareDevices) + 1;
    progress(`seeding ${database.name} with ${deviceCount} collected devices`);
    const seeded = await seedWorkshop(connection, deviceCount);
    const codes = [...seeded.codes];
    // Each pass gets its own devices: nobody transitions the same device twice.
    const take = (count: number) => codes.splice(0, count);
    const [probeCode] = take(1);

    api = await startApi({ databaseUrl: database.url, env: options.apiEnv, nodeArgs: options.apiNodeArgs });
    secondApi = await startApi({ databaseUrl: database.url, env: options.apiEnv });
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
    const warmups = [
      await httpPass([api], token, take(warmupsPerPhase + spareDevices), warmupsPerPhase),
      await httpPass([api, secondApi], token, take(warmupsPerPhase + spareDevices), warmupsPerPhase),
      await rawPass(raw, seeded, take(warmupsPerPhase)),
    ];
    if (warmups.some((pass) => pass.failed > 0)) throw new Error('transitions failed during the warm-up; see above');

    const backends = () => backendPids(connection!.sql, database.name);
    const apiPid = api.pid;
    const direct = pathTally({ postgres: backends, client: () => [process.pid] });
    const viaApi = pathTally({ api: () => [apiPid], postgres: backends, load_generator: () => [process.pid] });
    // Scaling out: a second API process on its own port, the same database, half the connections each.
    const viaTwoApis = pathTally({ apis: () => [apiPid, secondApi!.pid], postgres: backends, load_generator: () => [process.pid] });
    const paths = [
      () => direct.run(() => rawPass(raw!, seeded, take(perPass))),
      () => viaApi.run(() => httpPass([api!], token, take(perPass + spareDevices), perPass)),
      () => viaTwoApis.run(() => httpPass([api!, secondApi!], token, take(perPass + spareDevices), perPass)),
    ];
    for (let round = 0; round < rounds; round++) {
      progress(`round ${round + 1} of ${rounds}: ${perPass} transitions through the raw driver, one API and two APIs, at ${concurrency} at once`);
      // Each path takes each place in the order once: a machine that speeds up or slows down during the run weighs on all alike.
      for (const [index] of paths.entries()) {
        // A checkpoint before each pass, so none pays for the previous one's dirty pages.
        await connection.sql`checkpoint`;
        await paths[(index + round) % paths.length]!();
      }
    }
    const [rawFigures, apiFigures, twoApisFigures] = [direct.figures(), viaApi.figures(), viaTwoApis.figures()];
    const rssMb = api.peakRssMb();
    progress(`raw driver: ${describe(rawFigures)}`);
    progress(`HTTP API: ${describe(apiFigures)}, peak RSS ${round(rssMb)} MB`);
    progress(`two HTTP APIs: ${describe(twoApisFigures)}`);

    const [counts] = await connection.sql<{ recycled: number; events: number }[]>`
      select (select count(*) from devices where status = 'recycled')::int as recycled,
             (select count(*) from device_events)::int as events`;
    const expected = [...warmups, rawFigures, apiFigures, twoApisFigures].reduce((sum, figures) => sum + figures.ok, 1);
    if (counts!.recycled !== expected || counts!.events !== expected) {
      throw new Error(`expected ${expected} recycled devices and events, found ${JSON.stringify(counts)}`);
    }

    const ratio = apiFigures.perSecond / rawFigures.perSecond;
    const met = ratio >= targets.ratio && apiFigures.p99Ms < targets.p99Ms && rssMb < targets.rssMb;
    if (!met) progress(`transition_throughput misses a target: ${JSON.stringify(targets)}`);
    return {
      name: 'transition_throughput',
      value: round(apiFigures.perSecond),
      unit: 'transitions/s',
      limit: round(rawFigures.perSecond),
      ratio: round(ratio, 3),
      p99_ms: apiFigures.p99Ms,
      rss_mb: round(rssMb),
      raw_p99_ms: rawFigures.p99Ms,
      errors: rawFigures.failed + apiFigures.failed + twoApisFigures.failed,
      two_apis_per_second: round(twoApisFigures.perSecond),
      two_apis_ratio: round(twoApisFigures.perSecond / rawFigures.perSecond, 3),
      two_apis_p99_ms: twoApisFigures.p99Ms,
      concurrency,
      transitions,
      rounds,
      p50_ms: apiFigures.p50Ms,
      raw_p50_ms: rawFigures.p50Ms,
      cpu_ms_per_transition: apiFigures.cpuMs,
      raw_cpu_ms_per_transition: rawFigures.cpuMs,
      two_apis_cpu_ms_per_transition: twoApisFigures.cpuMs,
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
