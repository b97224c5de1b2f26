import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import postgres from 'postgres';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { generateAssetCode } from '../../src/devices/asset-code.ts';
import {
  backendPids,
  cpuProfileArgs,
  createBenchDatabase,
  measureCpu,
  median,
  progress,
  requestJson,
  round,
  seedWorkshop,
  startApi,
  type ApiProcess,
  type BenchResult,
  type Benchmark,
  type WorkshopSeed,
} from './support.ts';

/**
 * intake_bulk: a 10,000-device lot registered in one JSON request (POST /api/donations/{id}/devices:
 * HTTP, auth, zod, registerDeviceBatch, the answer), in devices per second, against the same rows
 * written straight through the `postgres` driver in one transaction of multi-row INSERTs: the asset
 * codes, the devices, their `created` events and their outbox jobs, as registerDevices writes them.
 *
 * Each path runs `runs` times, each time on a fresh donation with serial numbers never used before,
 * alternating which goes first; the figures are the medians.
 */

const devicesPerLot = Number(process.env.BENCH_INTAKE_DEVICES ?? 10_000);
const runs = Number(process.env.BENCH_INTAKE_RUNS ?? 3);
const warmupDevices = 1_000;
const targets = { ratio: 0.3 };
// Postgres reads at most 65,535 parameters in one statement, the driver sends at most 65,533.
const maxParameters = 65_533;

type IntakeItem = {
  kind: 'laptop' | 'desktop' | 'tablet' | 'screen';
  brand: string;
  model: string;
  serialNumber: string;
  storageMedia: { type: 'hdd' | 'ssd' | 'nvme' | 'emmc'; model?: string; serialNumber?: string; capacityGb?: number }[];
  notes?: string;
};

// What a company's IT department hands over: mostly laptops, some towers, a few tablets and screens.
const catalogue: {
  kind: IntakeItem['kind'];
  brand: string;
  model: string;
  storage: { type: 'hdd' | 'ssd' | 'nvme' | 'emmc'; model: string; capacityGb: number }[];
}[] = [
  { kind: 'laptop', brand: 'Lenovo', model: 'ThinkPad T480', storage: [{ type: 'nvme', model: 'Samsung PM981 MZVLB256HAHQ', capacityGb: 256 }] },
  { kind: 'laptop', brand: 'Lenovo', model: 'ThinkPad X270', storage: [{ type: 'ssd', model: 'Toshiba THNSF5256GPUK', capacityGb: 256 }] },
  { kind: 'laptop', brand: 'Dell', model: 'Latitude 5490', storage: [{ type: 'ssd', model: 'SK hynix SC311 SATA', capacityGb: 256 }] },
  { kind: 'laptop', brand: 'HP', model: 'EliteBook 840 G5', storage: [{ type: 'nvme', model: 'Samsung PM961', capacityGb: 512 }] },
  { kind: 'laptop', brand: 'HP', model: 'ProBook 450 G5', storage: [{ type: 'hdd', model: 'HGST HTS721010A9E630', capacityGb: 1000 }] },
  {
    kind: 'desktop',
    brand: 'Dell',
    model: 'OptiPlex 7060 SFF',
    storage: [
      { type: 'ssd', model: 'Micron 1100 MTFDDAK256TBN', capacityGb: 256 },
      { type: 'hdd', model: 'Seagate ST1000DM010', capacityGb: 1000 },
    ],
  },
  { kind: 'desktop', brand: 'HP', model: 'ProDesk 600 G4 SFF', storage: [{ type: 'hdd', model: 'Toshiba DT01ACA050', capacityGb: 500 }] },
  { kind: 'tablet', brand: 'Apple', model: 'iPad (6e génération) A1893', storage: [{ type: 'emmc', model: 'Apple NAND', capacityGb: 32 }] },
  { kind: 'screen', brand: 'Dell', model: 'P2419H', storage: [] },
];
const notes = ['Chargeur manquant', 'Rayure sur le capot', 'Touche Échap absente', 'Batterie à tester'];

/** `count` devices with serial numbers (theirs and their disks') no other lot of this run has. */
function makeLot(count: number): IntakeItem[] {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  return Array.from({ length: count }, (_, index) => {
    const entry = catalogue[index % catalogue.length]!;
    const serialNumber = `${entry.brand.slice(0, 2).toUpperCase()}${tag}${String(index).padStart(6, '0')}`;
    return {
      kind: entry.kind,
      brand: entry.brand,
      model: entry.model,
      serialNumber,
      storageMedia: entry.storage.map((medium, disk) => ({ ...medium, serialNumber: `S${disk}${tag}${String(index).padStart(7, '0')}` })),
      ...(index % 7 === 3 ? { notes: notes[index % notes.length] } : {}),
    };
  });
}

type Context = { seed: WorkshopSeed; api: ApiProcess; token: string };

async function createDonation(context: Context, label: string): Promise<string> {
  const donation = await requestJson<{ id: string }>(`${context.api.url}/api/donations`, {
    token: context.token,
    body: { collectionSiteId: context.seed.siteId, donor: { name: `Entreprise (bench ${label})` }, expectedCount: devicesPerLot },
    expect: 201,
  });
  return donation.id;
}

type PhaseResult = { ms: number; perSecond: number; cpuMsPer1k: Record<string, number>; created: number; errors: number };

/** Runs one phase and adds what it cost each group of processes, in CPU ms per 1,000 devices. */
async function withCpu(groups: Record<string, () => Promise<number[]> | number[]>, count: number, phase: () => Promise<{ created: number; errors: number }>) {
  const meters = await Promise.all(Object.entries(groups).map(async ([group, pids]) => [group, await measureCpu(pids)] as const));
  const started = performance.now();
  const outcome = await phase();
  const ms = performance.now() - started;
  const cpuMsPer1k: Record<string, number> = {};
  for (const [group, stop] of meters) cpuMsPer1k[group] = round(((await stop()) * 1000) / count, 1);
  return { ...outcome, ms, perSecond: (outcome.created * 1000) / ms, cpuMsPer1k } satisfies PhaseResult;
}

/** The whole lot in one request, as an inventory tool or a script would send it. */
async function httpIntake(context: Context, donationId: string, body: string): Promise<{ created: number; errors: number }> {
  const response = await fetch(`${context.api.url}/api/donations/${donationId}/devices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${context.token}`, 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  if (response.status !== 201) {
    progress(`http: answered ${response.status}: ${text.slice(0, 500)}`);
    return { created: 0, errors: 1 };
  }
  const answer = JSON.parse(text) as { createdCount: number; refusedCount: number; refused: { message: string }[] };
  if (answer.refusedCount > 0) progress(`http: ${answer.refusedCount} devices refused, first: ${answer.refused[0]?.message}`);
  return { created: answer.createdCount, errors: answer.refusedCount };
}

/** Rows per statement so that `columns` parameters per row stay under Postgres's limit. */
const rowsFor = (columns: number) => Math.floor(maxParameters / columns);

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}

/**
 * What registerDeviceBatch writes, minus HTTP, validation and the ORM: the donation and the site
 * read, then asset codes, devices, events and outbox jobs in multi-row INSERTs, one transaction.
 * Values go as text, as drizzle sends them (jsonb as JSON, text[] as an array literal).
 */
async function rawIntake(sql: postgres.Sql, seed: WorkshopSeed, donationId: string, items: IntakeItem[]): Promise<{ created: number; errors: number }> {
  return sql.begin(async (tx) => {
    const [donation] = await tx`select * from donations where id = ${donationId} and organisation_id = ${seed.organisationId}`;
    const [site] = await tx`select * from sites where id = ${donation!.collection_site_id} and organisation_id = ${seed.organisationId}`;

    const codes: string[] = [];
    while (codes.length < items.length) {
      const wanted = [...new Set(Array.from({ length: items.length - codes.length }, () => generateAssetCode()))];
      for (const batch of chunks(wanted, rowsFor(3))) {
        const rows = batch.map((code) => ({ code, organisation_id: seed.organisationId, preprinted: false }));
        const issued = await tx`insert into asset_codes ${tx(rows)} on conflict do nothing returning code`;
        codes.push(...issued.map((row) => row.code as string));
      }
    }

    const deviceRows = items.map((item, index) => ({
      asset_code: codes[index]!,
      donation_id: donationId,
      kind: item.kind,
      brand: item.brand,
      model: item.model,
      serial_number: item.serialNumber,
      storage_media: JSON.stringify(item.storageMedia),
      notes: item.notes ?? null,
      bench_checks: '{}',
      status: 'collected',
      site_id: site!.id as string,
      organisation_id: site!.organisation_id as string,
    }));
    const created: { id: string; site_id: string }[] = [];
    for (const batch of chunks(deviceRows, rowsFor(12))) {
      const rows = await tx`insert into devices ${tx(batch)} on conflict do nothing returning id, site_id`;
      created.push(...(rows as unknown as { id: string; site_id: string }[]));
    }

    const payload = JSON.stringify({ donationId });
    const eventRows = created.map((device) => ({
      device_id: device.id,
      type: 'created',
      to_status: 'collected',
      site_id: device.site_id,
      actor_user_id: seed.operatorId,
      organisation_id: seed.organisationId,
      payload,
    }));
    const eventIds: number[] = [];
    for (const batch of chunks(eventRows, rowsFor(7))) {
      const rows = await tx`insert into device_events ${tx(batch)} returning id`;
      eventIds.push(...rows.map((row) => Number(row.id)));
    }
    const jobs = eventIds.map((eventId) => ({ queue: 'device-events', job_name: 'device.created', payload: JSON.stringify({ eventId }) }));
    for (const batch of chunks(jobs, rowsFor(3))) await tx`insert into outbox ${tx(batch)}`;
    return { created: created.length, errors: items.length - created.length };
  });
}

export type IntakeBulkOptions = {
  /** Extra node flags for the API (e.g. --cpu-prof) and, for experiments, what it runs instead of package.json's api script. */
  apiNodeArgs?: string[];
  apiEntry?: string[];
};

export async function measureIntakeBulk(options: IntakeBulkOptions = {}): Promise<BenchResult> {
  const loadBefore = loadavg()[0]!;
  const bench = await createBenchDatabase();
  let database: Database | undefined;
  let raw: postgres.Sql | undefined;
  let api: ApiProcess | undefined;
  try {
    database = connectDatabase(bench.url, { max: 2 });
    const seed = await seedWorkshop(database, 0);
    api = await startApi({ databaseUrl: bench.url, nodeArgs: options.apiNodeArgs, entry: options.apiEntry });
    const { token } = await requestJson<{ token: string }>(`${api.url}/api/auth/tokens`, {
      body: { email: seed.operatorEmail, password: seed.operatorPassword, label: 'bench' },
      expect: 201,
    });
    // Unnamed statements, as the API's client sends its bulk inserts (src/db/client.ts).
    raw = postgres(bench.url, { max: 1, prepare: false, onnotice: () => {} });
    const context: Context = { seed, api, token };
    const backends = () => backendPids(database!.sql, bench.name);
    const apiPid = api.pid;

    const runHttp = async (label: string, count: number) => {
      const donationId = await createDonation(context, label);
      const body = JSON.stringify({ devices: makeLot(count) });
      await database!.sql`checkpoint`;
      const result = await withCpu({ api: () => [apiPid], postgres: backends }, count, () => httpIntake(context, donationId, body));
      return { ...result, donationId, bodyBytes: Buffer.byteLength(body) };
    };
    const runRaw = async (label: string, count: number) => {
      const donationId = await createDonation(context, label);
      const items = makeLot(count);
      await database!.sql`checkpoint`;
      const result = await withCpu({ client: () => [process.pid], postgres: backends }, count, () => rawIntake(raw!, seed, donationId, items));
      return { ...result, donationId };
    };

    progress(`intake_bulk: warming up with ${warmupDevices} devices through each path`);
    const warmHttp = await runHttp('warm-up', warmupDevices);
    const warmRaw = await runRaw('warm-up', warmupDevices);
    if (warmHttp.errors + warmRaw.errors > 0) throw new Error('the warm-up intake failed; see above');

    const httpRuns: Awaited<ReturnType<typeof runHttp>>[] = [];
    const rawRuns: Awaited<ReturnType<typeof runRaw>>[] = [];
    for (let run = 0; run < runs; run++) {
      // Alternating which path goes first: the tables grow with each lot.
      for (const path of run % 2 === 0 ? (['raw', 'http'] as const) : (['http', 'raw'] as const)) {
        if (path === 'raw') {
          const result = await runRaw(`raw ${run + 1}`, devicesPerLot);
          rawRuns.push(result);
          progress(
            `raw driver, lot ${run + 1}: ${devicesPerLot} devices in ${Math.round(result.ms)} ms, ${round(result.perSecond)} devices/s, CPU ms/1k ${JSON.stringify(result.cpuMsPer1k)}`,
          );
        } else {
          const result = await runHttp(`http ${run + 1}`, devicesPerLot);
          httpRuns.push(result);
          progress(
            `HTTP API, lot ${run + 1}: ${devicesPerLot} devices in ${Math.round(result.ms)} ms, ${round(result.perSecond)} devices/s, ` +
              `CPU ms/1k ${JSON.stringify(result.cpuMsPer1k)}, API peak RSS ${round(api.peakRssMb())} MB`,
          );
        }
      }
    }

    // Every lot complete: its devices, their events, their outbox jobs.
    const expected = warmupDevices * 2 + devicesPerLot * runs * 2;
    const [counts] = await database.sql<{ devices: number; events: number; outbox: number; codes: number }[]>`
      select (select count(*) from devices)::int as devices, (select count(*) from device_events where type = 'created')::int as events,
             (select count(*) from outbox where queue = 'device-events')::int as outbox, (select count(*) from asset_codes)::int as codes`;
    const errors = [...httpRuns, ...rawRuns].reduce((sum, run) => sum + run.errors, 0);
    if (counts!.devices !== expected || counts!.events !== expected || counts!.outbox !== expected || counts!.codes !== expected) {
      throw new Error(`expected ${expected} devices, events, outbox rows and codes; found ${JSON.stringify(counts)}`);
    }
    for (const run of httpRuns) {
      const [lot] = await database.sql<{ n: number }[]>`select count(*)::int as n from devices where donation_id = ${run.donationId}`;
      if (lot!.n !== devicesPerLot) throw new Error(`donation ${run.donationId} has ${lot!.n} devices, not ${devicesPerLot}`);
    }

    const httpPerSecond = median(httpRuns.map((run) => run.perSecond));
    const rawPerSecond = median(rawRuns.map((run) => run.perSecond));
    const rssMb = api.peakRssMb();
    const ratio = httpPerSecond / rawPerSecond;
    const met = ratio >= targets.ratio && errors === 0;
    if (!met) progress(`intake_bulk misses a target: ${JSON.stringify(targets)}`);
    const medianCpu = (phases: { cpuMsPer1k: Record<string, number> }[]) =>
      Object.fromEntries(Object.keys(phases[0]!.cpuMsPer1k).map((group) => [group, median(phases.map((phase) => phase.cpuMsPer1k[group]!))]));
    const httpCpu = medianCpu(httpRuns);
    const rawCpu = medianCpu(rawRuns);
    const sum = (cpu: Record<string, number>) => Object.values(cpu).reduce((total, value) => total + value, 0);
    return {
      name: 'intake_bulk',
      value: round(httpPerSecond),
      unit: 'devices/s',
      limit: round(rawPerSecond),
      ratio: round(ratio, 3),
      rss_mb: round(rssMb),
      errors,
      devices: devicesPerLot,
      runs,
      request_ms: round(median(httpRuns.map((run) => run.ms))),
      raw_ms: round(median(rawRuns.map((run) => run.ms))),
      http_runs_ms: httpRuns.map((run) => Math.round(run.ms)),
      raw_runs_ms: rawRuns.map((run) => Math.round(run.ms)),
      body_mb: round(httpRuns[0]!.bodyBytes / 1024 / 1024, 2),
      // What each path cost in CPU (all processes involved): unlike the figures above, barely moved by other work on the machine.
      cpu_ms_per_1k_devices: httpCpu,
      raw_cpu_ms_per_1k_devices: rawCpu,
      cpu_ratio: round(sum(rawCpu) / sum(httpCpu), 3),
      load_avg_1m: round(loadBefore, 2),
      targets: { ratio_min: targets.ratio },
      targets_met: met,
    };
  } finally {
    await api?.stop();
    await raw?.end({ timeout: 5 });
    await database?.close();
    await bench.drop();
  }
}

export const intakeBulk: Benchmark = {
  name: 'intake_bulk',
  run: async () => [
    await measureIntakeBulk({
      apiNodeArgs: cpuProfileArgs('BENCH_API_CPU_PROF'),
    }),
  ],
};
