import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countUncountedEvents, liveRollups, rollupsFromEvents } from '../src/indicators/rollups.service.ts';
import { seedDemoData } from '../src/seed/demo.ts';
import { eventually, startHarness, type Harness } from './helpers/harness.ts';
import { issueToken } from './helpers/world.ts';

let harness: Harness;
let token: string;
let funderToken: string;

beforeAll(async () => {
  harness = await startHarness();
  const accounts = await seedDemoData(harness.database.db, harness.fileStore);
  const admin = accounts!.find((account) => account.role === 'admin')!;
  token = await issueToken(harness.app, admin.email, admin.password);
  const funder = accounts!.find((account) => account.role === 'funder_viewer')!;
  funderToken = await issueToken(harness.app, funder.email, funder.password);
  const workers = harness.startWorkers();
  const { db } = harness.database;
  await eventually(
    'every device event of the demo counted',
    async () => {
      const [row] = await db.execute<{ uncounted: number }>(sql`
        select count(*)::int as uncounted from device_events e
        where not exists (select 1 from indicator_counted_events c where c.source = 'device' and c.event_id = e.id)`);
      return row!.uncounted === 0;
    },
    60_000,
  );
  await workers.close();
  await countUncountedEvents(db);
}, 120_000);
afterAll(() => harness?.close());

describe('the demo data', () => {
  it('holds two years of the fund: two funders’ conventions, the collégiens’ share and the year’s families', async () => {
    const thisYear = new Date().getFullYear();
    const read = async (year: number, bearer = token) => {
      const response = await harness.app.request(`/api/fund/report?year=${year}`, { headers: { authorization: `Bearer ${bearer}` } });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, any>;
    };
    const years = [await read(thisYear - 1), await read(thisYear)];
    for (const report of years) {
      expect(report.fundCents).toBe(5_500_000);
      expect(report.contributions).toHaveLength(2);
      expect(report.programmes).toEqual([expect.objectContaining({ sharePercent: 80, fundedCents: 4_400_000 })]);
    }
    // The 36 handovers of the last twelve months fall in one year or the other; one family in two paid 50 €.
    expect(years.reduce((sum, report) => sum + report.programmes[0].familiesEquipped, 0)).toBe(36);
    expect(years.reduce((sum, report) => sum + report.programmes[0].solidarityPricesCents, 0)).toBe(20 * 5_000);
    const caf = await read(thisYear, funderToken);
    expect(caf).toMatchObject({ funderCents: 4_000_000, funderSharePercent: 72.7 });
    expect(caf.contributions).toHaveLength(1);
  });

  it('holds a year of activity the steering figures show, month by month', async () => {
    const now = new Date();
    // The twelve months before this one, and this one, where the demo's own devices are.
    const yearAgo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 12, 1));
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    const response = await harness.app.request(`/api/indicators?from=${yearAgo.toISOString().slice(0, 10)}&to=${to}&territory=47`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const { figures } = (await response.json()) as { figures: Record<string, any> };
    // Twelve months of 2 to 4 families equipped (2 + months ago mod 3), a desktop dismantled each
    // month and a laptop recycled every other; this month, the demo's desktop dismantled and keyboard recycled.
    expect(figures.devicesHandedOver.total).toBe(36);
    expect(figures.familiesTrained).toBe(36);
    expect(figures.devicesDismantled).toBe(13);
    expect(figures.devicesRecycled.byChannel).toEqual({ ecosystem: 6, municipal_collection_point: 1 });
    expect(figures.reuseRate).toBe(Math.round((36 / 56) * 1000) / 1000);
    expect(figures.daysFromCollectionToHandover.median).toBeGreaterThanOrEqual(16);
    expect(figures.avoidedEmissions.kgCo2e).toBe(36 * 170);
    expect(await rollupsFromEvents(harness.database.db)).toEqual(await liveRollups(harness.database.db));
  });
});
