import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countUncountedEvents, liveRollups, rollupsFromEvents } from '../src/indicators/rollups.service.ts';
import { seedDemoData } from '../src/seed/demo.ts';
import { eventually, startHarness, type Harness } from './helpers/harness.ts';
import { issueToken } from './helpers/world.ts';

let harness: Harness;
let token: string;

beforeAll(async () => {
  harness = await startHarness();
  const accounts = await seedDemoData(harness.database.db, harness.fileStore);
  const admin = accounts!.find((account) => account.role === 'admin')!;
  token = await issueToken(harness.app, admin.email, admin.password);
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
