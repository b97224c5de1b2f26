import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, type ConnectionOptions } from 'bullmq';
import { eq, inArray, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { deviceEvents, devices } from '../src/devices/devices.schema.ts';
import { outbox } from '../src/outbox/outbox.schema.ts';
import { jobIdForOutboxRow, outboxRowCloser } from '../src/outbox/outbox.service.ts';
import { siteStockCounters, stockCountedEvents } from '../src/stock/stock.schema.ts';
import { countDeviceEventInStock } from '../src/stock/stock.service.ts';
import { eventually, startHarness, testRedis, type Harness } from './helpers/harness.ts';
import { startRedisProxy, type RedisProxy } from './helpers/redis-proxy.ts';
import { createWorld, type World } from './helpers/world.ts';

/** Counts as the API shows them, keyed "kind/status", so expectations read like the stock screen. */
type Stock = { byKind: Record<string, number>; byStatus: Record<string, number> };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A test world with its own database, queue prefix and a reader of its device-events queue. */
function setUp(hooks: { beforeClose?: () => Promise<void>; afterClose?: () => Promise<void> } = {}) {
  const context = {} as { harness: Harness; world: World; queue: Queue };
  const helpers = {
    context,
    async stockAt(siteId: string): Promise<Stock> {
      const response = await context.world.call('GET', `/api/sites/${siteId}/stock`, { token: context.world.admin.token });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const byKind: Record<string, number> = {};
      for (const row of response.body.counts as { kind: string; status: string; count: number }[]) {
        byKind[`${row.kind}/${row.status}`] = row.count;
      }
      return { byKind, byStatus: response.body.byStatus };
    },
    /** What the stock should show: the devices actually at the site, counted from the devices table. */
    async devicesAt(siteId: string): Promise<Record<string, number>> {
      const rows = await context.harness.database.db
        .select({ kind: devices.kind, status: devices.status, count: sql<number>`count(*)::int` })
        .from(devices)
        .where(eq(devices.siteId, siteId))
        .groupBy(devices.kind, devices.status);
      return Object.fromEntries(rows.map((row) => [`${row.kind}/${row.status}`, row.count]));
    },
    async countersAt(siteId: string) {
      return context.harness.database.db
        .select()
        .from(siteStockCounters)
        .where(eq(siteStockCounters.siteId, siteId))
        .orderBy(siteStockCounters.kind, siteStockCounters.status);
    },
    async isCounted(eventIds: number[]) {
      const counted = await context.harness.database.db.$count(stockCountedEvents, inArray(stockCountedEvents.eventId, eventIds));
      return counted === eventIds.length;
    },
    async outboxRowsFor(eventIds: number[]) {
      return context.harness.database.db
        .select()
        .from(outbox)
        .where(inArray(sql<number>`(${outbox.payload} ->> 'eventId')::bigint`, eventIds))
        .orderBy(outbox.id);
    },
    async eventsOf(deviceId: string) {
      return context.harness.database.db.select().from(deviceEvents).where(eq(deviceEvents.deviceId, deviceId)).orderBy(deviceEvents.id);
    },
    transition(token: string, code: string, body: Record<string, unknown>) {
      return context.world.call('POST', `/api/devices/${code}/transitions`, { token, body });
    },
  };
  beforeAll(async () => {
    context.harness = await startHarness();
    context.world = await createWorld(context.harness);
    // Reads the jobs straight from Redis, never through the proxy.
    context.queue = new Queue('device-events', { connection: testRedis as ConnectionOptions, prefix: context.harness.prefix });
  });
  afterAll(async () => {
    await hooks.beforeClose?.();
    await context.queue?.close();
    await context.harness?.close();
    await hooks.afterClose?.();
  });
  return helpers;
}

const recycling = { to: 'recycled', payload: { deeeChannel: 'ecosystem' } };

describe('stock counters kept by the workers', () => {
  const { context, stockAt, devicesAt, countersAt, isCounted, outboxRowsFor, eventsOf, transition } = setUp();
  beforeAll(() => {
    context.harness.startWorkers();
  });

  it('show at each site how many devices of each kind are in each status, following changes and moves', async () => {
    const { world } = context;
    const shop = await world.workshop();
    const reserve = await world.site(shop.organisation.id, { name: 'Réserve', kind: 'storage' });
    const partner = await world.workshop();
    const token = shop.operator.token;
    const laptops = [];
    for (let index = 0; index < 4; index++) laptops.push(await world.device(token, shop.site.id));
    const desktops = [await world.device(token, shop.site.id, { kind: 'desktop' }), await world.device(token, shop.site.id, { kind: 'desktop' })];
    await world.device(token, shop.site.id, { kind: 'tablet' });
    const stored = [await world.device(token, reserve.id), await world.device(token, reserve.id)];

    const showsEventually = async (step: string, expected: Record<string, Stock>) => {
      await eventually(`the stock ${step}`, async () => {
        for (const [siteId, stock] of Object.entries(expected)) {
          if (!isDeepStrictEqual(await stockAt(siteId), stock)) return false;
        }
        return true;
      });
      for (const [siteId, stock] of Object.entries(expected)) {
        expect(await stockAt(siteId), step).toEqual(stock);
        expect(await devicesAt(siteId), `${step}: the counters match the devices`).toEqual(stock.byKind);
      }
    };

    await showsEventually('after registration', {
      [shop.site.id]: {
        byKind: { 'laptop/collected': 4, 'desktop/collected': 2, 'tablet/collected': 1 },
        byStatus: { collected: 7 },
      },
      [reserve.id]: { byKind: { 'laptop/collected': 2 }, byStatus: { collected: 2 } },
      [partner.site.id]: { byKind: {}, byStatus: {} },
    });

    expect((await transition(token, laptops[0]!.code, recycling)).status).toBe(200);
    expect((await transition(token, desktops[0]!.code, { to: 'dismantled' })).status).toBe(200);
    expect((await world.call('POST', `/api/devices/${laptops[1]!.code}/moves`, { token, body: { siteId: reserve.id } })).status).toBe(200);
    expect((await world.call('POST', `/api/devices/${laptops[2]!.code}/moves`, { token, body: { siteId: partner.site.id } })).status).toBe(200);
    expect((await transition(token, stored[0]!.code, recycling)).status).toBe(200);

    await showsEventually('after recycling, dismantling and moves', {
      [shop.site.id]: {
        byKind: {
          'laptop/collected': 1,
          'laptop/recycled': 1,
          'desktop/collected': 1,
          'desktop/dismantled': 1,
          'tablet/collected': 1,
        },
        byStatus: { collected: 3, recycled: 1, dismantled: 1 },
      },
      [reserve.id]: { byKind: { 'laptop/collected': 2, 'laptop/recycled': 1 }, byStatus: { collected: 2, recycled: 1 } },
      [partner.site.id]: { byKind: { 'laptop/collected': 1 }, byStatus: { collected: 1 } },
    });
  });

  it('counts an event once when its job runs a second time', async () => {
    const { world, harness } = context;
    const shop = await world.workshop();
    const device = await world.device(shop.operator.token, shop.site.id);
    const [created] = await eventsOf(device.id);
    await eventually('the registration counted', () => isCounted([created!.id]));
    const counters = await countersAt(shop.site.id);
    const ledger = await harness.database.db.$count(stockCountedEvents);

    expect(await countDeviceEventInStock(harness.database.db, created!.id)).toBe('already_counted');

    expect(await countersAt(shop.site.id)).toEqual(counters);
    expect(counters).toEqual([expect.objectContaining({ kind: 'laptop', status: 'collected', count: 1 })]);
    expect(await harness.database.db.$count(stockCountedEvents)).toBe(ledger);
  });

  it('counts an event once when the relay sends its outbox row again', async () => {
    const { world, harness, queue } = context;
    const { db } = harness.database;
    const shop = await world.workshop();
    const device = await world.device(shop.operator.token, shop.site.id);
    const response = await transition(shop.operator.token, device.code, recycling);
    expect(response.status).toBe(200);
    const [created] = await eventsOf(device.id);
    const [row] = await outboxRowsFor([response.body.event.id]);
    const jobId = jobIdForOutboxRow(row!);
    await eventually('the registration and the recycling counted', () => isCounted([created!.id, response.body.event.id]));
    await eventually('the job completed', async () => (await queue.getJob(jobId))?.returnvalue?.stock === 'counted');
    const first = (await queue.getJob(jobId))!;
    const counters = await countersAt(shop.site.id);
    expect(counters.map(({ status, count }) => ({ status, count }))).toEqual(
      expect.arrayContaining([
        { status: 'collected', count: 0 },
        { status: 'recycled', count: 1 },
      ]),
    );

    const relayAgain = async () => {
      const [before] = await db.select().from(outbox).where(eq(outbox.id, row!.id));
      // As if the relay died between BullMQ's answer and its commit: the row is sent again.
      await db.update(outbox).set({ relayedAt: null }).where(eq(outbox.id, row!.id));
      await eventually('the row relayed again', async () => {
        const [after] = await db.select().from(outbox).where(eq(outbox.id, row!.id));
        return after!.relayedAt !== null && after!.relayedAt.getTime() >= before!.relayedAt!.getTime();
      });
    };

    // While BullMQ keeps the completed job, the same job id is not run again.
    await relayAgain();
    const same = (await queue.getJob(jobId))!;
    expect(await same.getState()).toBe('completed');
    expect(same.returnvalue).toEqual({ stock: 'counted', indicators: 'counted' });
    expect(same.finishedOn).toBe(first.finishedOn);
    expect(await countersAt(shop.site.id)).toEqual(counters);

    // Once BullMQ has forgotten it (completed jobs are kept a day), the job runs again and the ledger stops it.
    await first.remove();
    await relayAgain();
    await eventually('the job run a second time', async () => (await queue.getJob(jobId))?.finishedOn !== undefined);
    const rerun = (await queue.getJob(jobId))!;
    expect(await rerun.getState()).toBe('completed');
    expect(rerun.returnvalue).toEqual({ stock: 'already_counted', indicators: 'already_counted' });
    expect(await countersAt(shop.site.id)).toEqual(counters);
    expect(await db.$count(stockCountedEvents, eq(stockCountedEvents.eventId, response.body.event.id))).toBe(1);
  });

  it('keeps a job whose event does not exist in the failed set, for inspection, without retrying it', async () => {
    const { harness, queue } = context;
    const { db } = harness.database;
    // Whatever earlier tests left in the queue is counted first, so that the snapshot below holds still.
    await eventually('every event so far counted', async () => (await db.$count(stockCountedEvents)) === (await db.$count(deviceEvents)));
    const ledger = await db.$count(stockCountedEvents);
    const counters = await db.select().from(siteStockCounters).orderBy(siteStockCounters.siteId, siteStockCounters.kind, siteStockCounters.status);

    const [row] = await db
      .insert(outbox)
      .values({ queue: 'device-events', jobName: 'device.transition', payload: { eventId: 999_999_999 } })
      .returning();
    const jobId = jobIdForOutboxRow(row!);

    await eventually('the job failed', async () => (await (await queue.getJob(jobId))?.getState()) === 'failed');
    const job = (await queue.getJob(jobId))!;
    // Failed at once (not delayed for a retry) after a single attempt.
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain('999999999');
    expect(job.data).toEqual({ eventId: 999_999_999 });
    expect((await queue.getFailed(0, -1)).map((failed) => failed.id)).toContain(jobId);
    expect((await queue.getDelayed(0, -1)).map((delayed) => delayed.id)).not.toContain(jobId);
    const [relayed] = await db.select().from(outbox).where(eq(outbox.id, row!.id));
    expect(relayed!.relayedAt).not.toBeNull();
    expect(await db.$count(stockCountedEvents)).toBe(ledger);
    expect(await db.select().from(siteStockCounters).orderBy(siteStockCounters.siteId, siteStockCounters.kind, siteStockCounters.status)).toEqual(counters);
  });
});

describe('when Redis is down', () => {
  let proxy: RedisProxy | undefined;
  // The harness closes the workers while Redis is reachable again; then the proxy goes.
  const { context, stockAt, isCounted, outboxRowsFor } = setUp({
    beforeClose: async () => proxy?.start(),
    afterClose: async () => proxy?.stop(),
  });
  beforeAll(async () => {
    proxy = await startRedisProxy(testRedis);
    context.harness.startWorkers({ host: '127.0.0.1', port: proxy.port });
  });

  it('keeps accepting changes, and counts each of them exactly once when Redis is back', async () => {
    const { world, queue } = context;
    const shop = await world.workshop();
    const created = [];
    for (let index = 0; index < 20; index++) created.push(await world.device(shop.operator.token, shop.site.id));
    await eventually('the 20 devices counted', async () => (await stockAt(shop.site.id)).byStatus.collected === 20);

    await proxy!.stop();
    const responses = [];
    for (const device of created) {
      responses.push(await world.call('POST', `/api/devices/${device.code}/transitions`, { token: shop.operator.token, body: recycling }));
    }
    expect(responses.map((response) => response.status)).toEqual(created.map(() => 200));
    const eventIds = responses.map((response) => response.body.event.id as number);
    const rows = await outboxRowsFor(eventIds);
    expect(rows).toHaveLength(20);

    // Give the relay time to try (and fail): the rows wait in Postgres, nothing is counted.
    await pause(500);
    expect((await outboxRowsFor(eventIds)).map((row) => row.relayedAt)).toEqual(rows.map(() => null));
    expect(await stockAt(shop.site.id)).toEqual({ byKind: { 'laptop/collected': 20 }, byStatus: { collected: 20 } });

    await proxy!.start();
    await eventually('the 20 rows relayed', async () => (await outboxRowsFor(eventIds)).every((row) => row.relayedAt !== null));
    await eventually('the 20 recyclings counted', () => isCounted(eventIds));
    await eventually('the stock to show them recycled', async () => (await stockAt(shop.site.id)).byStatus.recycled === 20);
    expect(await stockAt(shop.site.id)).toEqual({ byKind: { 'laptop/recycled': 20 }, byStatus: { recycled: 20 } });

    // Exactly once: one job per outbox row, with the row's id, which counted its event.
    await eventually('the 20 jobs completed', async () => {
      const jobs = await Promise.all(rows.map((row) => queue.getJob(jobIdForOutboxRow(row))));
      return jobs.every((job) => job?.finishedOn !== undefined);
    });
    const completed = (await queue.getJobs(['completed'], 0, -1)).filter((job) => eventIds.includes(job.data.eventId));
    expect(completed.map((job) => job.id).sort()).toEqual(rows.map((row) => jobIdForOutboxRow(row)).sort());
    for (const row of rows) {
      const job = completed.find((candidate) => candidate.id === jobIdForOutboxRow(row))!;
      expect(job.data).toEqual(row.payload);
      expect(job.returnvalue).toEqual({ stock: 'counted', indicators: 'counted' });
    }
    const elsewhere = await queue.getJobs(['failed', 'delayed', 'wait', 'active', 'prioritized', 'waiting-children'], 0, -1);
    expect(elsewhere.filter((job) => eventIds.includes(job.data.eventId))).toEqual([]);
  });
});

describe('stopping the workers', () => {
  const { context, isCounted, outboxRowsFor, eventsOf } = setUp();

  it('finishes when they are idle, and they take no more work after', async () => {
    const { world, harness } = context;
    const workers = harness.startWorkers();
    const shop = await world.workshop();
    const device = await world.device(shop.operator.token, shop.site.id);
    const [created] = await eventsOf(device.id);
    await eventually('the registration counted', () => isCounted([created!.id]));

    await expect(workers.close()).resolves.toBeUndefined();

    const later = await world.device(shop.operator.token, shop.site.id);
    const [laterCreated] = await eventsOf(later.id);
    await pause(300);
    expect((await outboxRowsFor([laterCreated!.id])).map((row) => row.relayedAt)).toEqual([null]);
    expect(await isCounted([laterCreated!.id])).toBe(false);
  });
});

describe('closing the outbox rows of finished jobs', () => {
  const { context } = setUp();

  it('closes each row whose job finished, several at once in one go, and no row of the same id from a database created again', async () => {
    const { db } = context.harness.database;
    const rows = await db
      .insert(outbox)
      .values(Array.from({ length: 30 }, (_, n) => ({ queue: 'notifications', jobName: 'test.close', payload: { n } })))
      .returning();
    let statements = 0;
    const counted = drizzle(context.harness.database.sql, { casing: 'snake_case', logger: { logQuery: () => statements++ } });
    const closeDone = outboxRowCloser(counted);
    const closing = rows.slice(0, 25).map((row) => closeDone(jobIdForOutboxRow(row)));
    // The job id of row 26 as a database created again would give it: another row, left open.
    const elsewhere = { id: rows[25]!.id, createdAt: new Date(rows[25]!.createdAt.getTime() - 60_000) };
    await Promise.all([...closing, closeDone(jobIdForOutboxRow(elsewhere)), closeDone('repeat:scheduled-task')]);
    // The first went at once; the 25 others, asked for while it ran, went together after it.
    expect(statements).toBe(2);
    const closed = await db
      .select({ id: outbox.id, doneAt: outbox.doneAt })
      .from(outbox)
      .where(
        inArray(
          outbox.id,
          rows.map((row) => row.id),
        ),
      )
      .orderBy(outbox.id);
    expect(closed.filter((row) => row.doneAt !== null).map((row) => row.id)).toEqual(rows.slice(0, 25).map((row) => row.id));
    // Closed once: a second close of a closed row keeps its time.
    const firstTime = closed[0]!.doneAt?.getTime();
    await closeDone(jobIdForOutboxRow(rows[0]!));
    const [again] = await db.select({ doneAt: outbox.doneAt }).from(outbox).where(eq(outbox.id, rows[0]!.id));
    expect(again!.doneAt?.getTime()).toBe(firstTime);
  });
});

describe('outbox job ids', () => {
  it('are the same for one row however often it is relayed, and differ for the same row id in a database created again', () => {
    const row = { id: 3, createdAt: new Date('2026-11-30T04:00:00.000Z') };
    expect(jobIdForOutboxRow(row)).toBe(jobIdForOutboxRow({ ...row }));
    expect(jobIdForOutboxRow(row)).not.toBe(jobIdForOutboxRow({ id: 3, createdAt: new Date('2026-11-30T05:00:00.000Z') }));
  });
});
