import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { sql, type SQL } from 'drizzle-orm';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { readData } from '../../src/geography/communes.ts';
import { indicatorFacts, type CountedIndicator } from '../../src/indicators/indicator-facts.ts';
import type { IndicatorFigures } from '../../src/indicators/indicators.service.ts';
import { seedScale } from '../../src/seed/scale.ts';
import { createBenchDatabase, percentile, progress, requestJson, round, startApi, type ApiProcess, type Benchmark, type BenchResult } from './support.ts';

/**
 * report_query: a year's indicators for one département, as the coordinator's steering page asks
 * for them (`GET /api/indicators?period=<year>&territory=47`, this year's figures beside the
 * previous year's), through the API on the national network of `npm run seed:scale` (1,000,000
 * devices with 10 events each, over the last eighteen months, ten workshops in ten départements),
 * in milliseconds per answer, one request at a time.
 *
 * The limit: the same figures counted straight from the events, as one SQL aggregate (the facts
 * of indicator-facts.ts for the events of that year in the département's communes, grouped by
 * indicator): what answering would cost without the monthly rollups. It counts only the year, not
 * the previous one the API answers too, which can only flatter the raw side. `ratio` is how many
 * times faster the API answers (raw p95 ÷ API p95); the targets: at least 10, and an API p95
 * under 200 ms.
 *
 * It cannot pass on wrong figures: each count the API answers (collected, wiped, refurbished,
 * reserved, handed over, dismantled, recycled, families trained, buildings live) must equal the
 * raw aggregate's; each one that does not is an error, and so is a year with nothing collected.
 */

const fullSize = 1_000_000;
const deviceCount = Number(process.env.BENCH_REPORT_DEVICES ?? fullSize);
const eventsPerDevice = 10;
const apiRuns = Number(process.env.BENCH_REPORT_RUNS ?? 200);
const apiWarmups = 20;
const rawRuns = 10;
const targets = { ratio: 10, p95Ms: 200 };

/** Lot-et-Garonne, where the first of the scale network's workshops is (Agen, 47001). */
const departement = '47';

type CommuneRecord = { code: string; type: string; departement?: string };

/** The département's current communes and municipal arrondissements (INSEE's COG): where its events may happen. */
function communesOf(code: string): string[] {
  return readData<CommuneRecord[]>('communes.json')
    .filter((record) => record.departement === code && (record.type === 'commune-actuelle' || record.type === 'arrondissement-municipal'))
    .map((record) => record.code);
}

/** How each counted indicator reads in the API's figures. */
const answered: Partial<Record<CountedIndicator, (figures: IndicatorFigures) => number>> = {
  collected: (figures) => figures.devicesCollected,
  wiped: (figures) => figures.devicesWiped.total,
  refurbished: (figures) => figures.devicesRefurbished.total,
  reserved: (figures) => figures.devicesReserved,
  handed_over: (figures) => figures.devicesHandedOver.total,
  dismantled: (figures) => figures.devicesDismantled,
  recycled: (figures) => figures.devicesRecycled.total,
  families_trained: (figures) => figures.familiesTrained,
  training_sessions_held: (figures) => figures.trainingSessionsHeld,
  wifi_buildings_live: (figures) => figures.wifiBuildingsLive,
  incidents_opened: (figures) => figures.incidentsOpened,
  incidents_resolved: (figures) => figures.incidentsResolved,
};

/**
 * The year's facts in the communes, counted by indicator from the events. The year runs from
 * January 1st to January 1st, Paris time, as the facts' months do.
 */
function rawAggregate(year: number, communes: string[]): SQL {
  const during = (column: string) =>
    sql`${sql.raw(column)} >= (${`${year}-01-01`}::timestamp at time zone 'Europe/Paris') and ${sql.raw(column)} < (${`${year + 1}-01-01`}::timestamp at time zone 'Europe/Paris')`;
  const facts = indicatorFacts({
    device: sql`${during('e.occurred_at')} and s.commune_code in ${communes}`,
    request: sql`${during('r.occurred_at')} and s.commune_code in ${communes}`,
    deployment: sql`${during('de.occurred_at')} and b.commune_code in ${communes}`,
    incident: sql`${during('ie.occurred_at')} and b.commune_code in ${communes}`,
  });
  return sql`select indicator, count(*)::int as count from (${facts}) facts group by indicator`;
}

const mean = (samples: readonly number[]) => samples.reduce((sum, sample) => sum + sample, 0) / samples.length;

async function timeApi(api: ApiProcess, path: string, token: string, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    await response.text();
    samples.push(performance.now() - started);
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  }
  return samples;
}

async function timeRaw(database: Database, query: SQL, runs: number) {
  const samples: number[] = [];
  let counts = new Map<string, number>();
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const rows = await database.db.execute<{ indicator: string; count: number }>(query);
    samples.push(performance.now() - started);
    counts = new Map(rows.map((row) => [row.indicator, Number(row.count)]));
  }
  return { samples, counts };
}

export async function measureReportQuery(): Promise<BenchResult> {
  const loadBefore = loadavg()[0]!;
  const database = await createBenchDatabase();
  let connection: Database | undefined;
  let api: ApiProcess | undefined;
  try {
    progress(`seeding ${database.name}: the scale network, ${deviceCount} devices with ${eventsPerDevice} events each`);
    const seedStarted = performance.now();
    await seedScale(database.url, deviceCount, eventsPerDevice, (line) => progress(`  ${line}`));
    const seedMs = performance.now() - seedStarted;
    connection = connectDatabase(database.url, { max: 1 });
    const [sizes] = await connection.sql<{ events: number; rollups: number }[]>`
      select (select count(*) from device_events)::int as events, (select count(*) from indicator_rollups)::int as rollups`;

    // The year the eighteen months of history cover most: the one of six months ago.
    const year = new Date(Date.now() - 182 * 86_400_000).getUTCFullYear();
    const path = `/api/indicators?period=${year}&territory=${departement}`;
    const admin = { email: `admin.${randomBytes(4).toString('hex')}@bench.boucle.example`, password: `pw-${randomBytes(12).toString('hex')}` };
    // The API creates the coordinator's first admin at start, as on a fresh installation.
    api = await startApi({ databaseUrl: database.url, env: { BOOTSTRAP_ADMIN_EMAIL: admin.email, BOOTSTRAP_ADMIN_PASSWORD: admin.password } });
    const { token } = await requestJson<{ token: string }>(`${api.url}/api/auth/tokens`, { body: { ...admin, label: 'bench' }, expect: 201 });

    const loadAtTiming = loadavg()[0]!;
    progress(`API: GET ${path}, ${apiWarmups} to warm up, then ${apiRuns} one at a time`);
    await timeApi(api, path, token, apiWarmups);
    const apiSamples = await timeApi(api, path, token, apiRuns);
    const { figures } = await requestJson<{ figures: IndicatorFigures }>(`${api.url}${path}`, { token });
    const apiP95 = percentile(apiSamples, 95);
    progress(`API: p50 ${round(percentile(apiSamples, 50))} ms, p95 ${round(apiP95)} ms`);

    progress(`raw: one aggregate over the events of ${year} in département ${departement}, ${rawRuns} runs after one to warm up`);
    const query = rawAggregate(year, communesOf(departement));
    await timeRaw(connection, query, 1);
    const raw = await timeRaw(connection, query, rawRuns);
    const rawP95 = percentile(raw.samples, 95);
    progress(`raw: p50 ${round(percentile(raw.samples, 50))} ms, p95 ${round(rawP95)} ms`);

    const mismatches = Object.entries(answered).flatMap(([indicator, read]) => {
      const expected = raw.counts.get(indicator) ?? 0;
      const got = read(figures);
      return got === expected ? [] : [{ indicator, api: got, raw: expected }];
    });
    if (mismatches.length > 0) progress(`the API's figures differ from the events': ${JSON.stringify(mismatches)}`);
    const collected = raw.counts.get('collected') ?? 0;
    const errors = mismatches.length + (collected === 0 ? 1 : 0);

    const ratio = rawP95 / apiP95;
    const met = errors === 0 && ratio >= targets.ratio && apiP95 < targets.p95Ms;
    if (!met) progress(`report_query misses a target: ${JSON.stringify(targets)}`);
    return {
      name: 'report_query',
      value: round(apiP95),
      unit: 'ms',
      limit: round(rawP95),
      ratio: round(ratio, 1),
      p50_ms: round(percentile(apiSamples, 50)),
      mean_ms: round(mean(apiSamples)),
      raw_p50_ms: round(percentile(raw.samples, 50)),
      raw_mean_ms: round(mean(raw.samples)),
      errors,
      mismatches,
      period: String(year),
      territory: departement,
      figures: Object.fromEntries(Object.entries(answered).map(([indicator, read]) => [indicator, read(figures)])),
      runs: apiRuns,
      raw_runs: rawRuns,
      devices: deviceCount,
      events: sizes!.events,
      rollup_rows: sizes!.rollups,
      seed_s: round(seedMs / 1000),
      rss_mb: round(api.peakRssMb()),
      load_avg_1m: round(loadBefore, 2),
      load_avg_1m_at_timing: round(loadAtTiming, 2),
      targets: { ratio_min: targets.ratio, p95_ms_max: targets.p95Ms },
      targets_met: met,
      ...(deviceCount < fullSize ? { note: `measured on ${deviceCount} devices, not ${fullSize}: BENCH_REPORT_DEVICES=${fullSize} for the full size` } : {}),
    };
  } finally {
    await api?.stop();
    await connection?.close();
    await database.drop();
  }
}

export const reportQuery: Benchmark = { name: 'report_query', run: async () => [await measureReportQuery()] };
