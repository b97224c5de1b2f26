import { randomBytes } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { eq, inArray, isNull, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { deviceEvents, devices } from '../src/devices/devices.schema.ts';
import { files } from '../src/files/files.schema.ts';
import { outbox } from '../src/outbox/outbox.schema.ts';
import { startOutboxRelay } from '../src/outbox/relay.ts';
import { siteStockCounters, stockCountedEvents } from '../src/stock/stock.schema.ts';
import { reconcileStockCounters } from '../src/stock/stock-reconciliation.ts';
import { wipeCertificates } from '../src/wiping/wiping.schema.ts';
import { schedules } from '../src/jobs/queues.ts';
import { eventually, type Harness } from './helpers/harness.ts';
import { crlf, finishedJob, frenchHeader, uploadInventory } from './helpers/intake.ts';
import { startPrivateRedis, type PrivateRedis } from './helpers/private-redis.ts';
import { startRedisProxy } from './helpers/redis-proxy.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

let redis: PrivateRedis;
let harness: Harness;
let world: World;

beforeAll(async () => {
  redis = await startPrivateRedis();
  ({ harness, world } = await startWorld());
});
afterAll(async () => {
  await harness?.close();
  await redis?.stop();
});

async function qualify(account: Account) {
  const response = await world.call('POST', `/api/users/${account.id}/qualifications`, {
    token: world.admin.token,
    body: { kind: 'data_wiping', issuer: 'Centre de formation ADN', issuedOn: day(-30), expiresOn: day(365) },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}

/** What the site's stock screen shows, keyed "kind/status", against what its devices say. */
async function stockAndDevicesAt(token: string, siteId: string) {
  const response = await world.call('GET', `/api/sites/${siteId}/stock`, { token });
  expect(response.status).toBe(200);
  const shown = Object.fromEntries(
    (response.body.counts as { kind: string; status: string; count: number }[]).map((row) => [`${row.kind}/${row.status}`, row.count]),
  );
  const rows = await harness.database.db
    .select({ kind: devices.kind, status: devices.status, count: sql<number>`count(*)::int` })
    .from(devices)
    .where(eq(devices.siteId, siteId))
    .groupBy(devices.kind, devices.status);
  return { shown, actual: Object.fromEntries(rows.map((row) => [`${row.kind}/${row.status}`, row.count])) };
}

describe('when Redis forgets the jobs it held', () => {
  it('still renders every label batch, imports the inventory, issues every certificate and counts every stock event, each once', async () => {
    const { db } = harness.database;
    const shop = await world.workshop();
    const token = shop.operator.token;
    await qualify(shop.operator);

    const batches = [];
    for (let index = 0; index < 10; index++) {
      const response = await world.call('POST', '/api/label-batches', { token, body: { format: 'a4-3x7', count: 21 } });
      expect(response.status, JSON.stringify(response.body)).toBe(202);
      batches.push(response.body as { id: string; jobId: string });
    }
    const donation = await world.donation(token, shop.site.id);
    const serial = () => randomBytes(4).toString('hex');
    const upload = await uploadInventory(
      world.app,
      token,
      donation.id,
      crlf(frenchHeader, `portable;Dell;Latitude 5490;${serial()};ssd;`, `fixe;HP;EliteDesk 800;${serial()};hdd;`, `écran;Iiyama;ProLite;${serial()};aucun;`),
    );
    expect(upload.status, JSON.stringify(upload.body)).toBe(202);
    const wiped: { id: string }[] = [];
    for (let index = 0; index < 3; index++) {
      const device = await world.device(token, shop.site.id, { storageMedia: [{ type: 'ssd', serialNumber: serial() }] });
      const response = await world.call('POST', `/api/devices/${device.code}/wipes`, {
        token,
        body: {
          records: [
            {
              mediumIndex: 0,
              level: 'purge',
              technique: 'crypto_erase',
              toolName: 'hdparm',
              toolVersion: '9.65',
              verification: 'full',
              result: 'passed',
              startedAt: new Date(Date.now() - 600_000).toISOString(),
              endedAt: new Date().toISOString(),
            },
          ],
        },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      wiped.push(device);
    }

    // Only the relay runs: every job is handed to Redis, and waits there.
    const relay = startOutboxRelay({ database: harness.database, redis: redis.options, prefix: harness.prefix, logger: harness.logger, pollMs: 50 });
    await eventually('every outbox row handed to Redis', async () => (await db.$count(outbox, isNull(outbox.relayedAt))) === 0);
    await relay.stop();
    const waiting = await db.select().from(outbox);
    expect(new Set(waiting.map((row) => row.queue))).toEqual(new Set(['label-batches', 'intake-imports', 'wipe-certificates', 'device-events']));
    expect(waiting.every((row) => row.doneAt === null)).toBe(true);

    await redis.flushAll();
    const workers = harness.startWorkers(redis.options, { relayRecheckAfterMs: 300 });
    onTestFinished(() => workers.close());

    for (const batch of batches) expect(await finishedJob(world, token, batch.jobId)).toMatchObject({ state: 'succeeded' });
    expect(await finishedJob(world, token, upload.body.id)).toMatchObject({ state: 'succeeded', processed: 3, errors: [] });
    await eventually(
      'the three certificates issued',
      async () =>
        (await db.$count(
          wipeCertificates,
          inArray(
            wipeCertificates.deviceId,
            wiped.map((device) => device.id),
          ),
        )) === 3,
    );
    await eventually('every job done', async () => (await db.$count(outbox, isNull(outbox.doneAt))) === 0);

    // Each file once: one label sheet per batch, one certificate per wiped device.
    const sheets = await db
      .select({ jobId: files.jobId, count: sql<number>`count(*)::int` })
      .from(files)
      .where(
        inArray(
          files.jobId,
          batches.map((batch) => batch.jobId),
        ),
      )
      .groupBy(files.jobId);
    expect(sheets.map((row) => row.count)).toEqual(batches.map(() => 1));
    expect(
      await db.$count(
        wipeCertificates,
        inArray(
          wipeCertificates.deviceId,
          wiped.map((device) => device.id),
        ),
      ),
    ).toBe(3);
    expect(await db.$count(devices, eq(devices.donationId, donation.id))).toBe(3);

    await eventually('every stock event counted', async () => (await db.$count(stockCountedEvents)) === (await db.$count(deviceEvents)));
    const { shown, actual } = await stockAndDevicesAt(token, shop.site.id);
    expect(shown).toEqual(actual);
    expect(Object.values(actual).reduce((sum, count) => sum + count, 0)).toBe(6);
  });
});

describe('the scheduled tasks', () => {
  const registered = async (queue: Queue) => (await queue.getJobSchedulers(0, -1)).map((scheduler) => scheduler.key).sort();
  const expected = Object.keys(schedules).sort();

  it('are registered again by the running workers after Redis restarted without its data', async () => {
    const workers = harness.startWorkers(redis.options, { schedule: true, scheduleCheckMs: 200 });
    const queue = new Queue('scheduled-tasks', { connection: redis.options as ConnectionOptions, prefix: harness.prefix });
    try {
      await eventually('the scheduled tasks registered', async () => JSON.stringify(await registered(queue)) === JSON.stringify(expected));
      // A key beside them shows that the restart lost everything (the workers may register the
      // tasks again before this test's own connection is back to look).
      const marker = `${harness.prefix}:before-restart`;
      const client = new Redis(redis.options);
      onTestFinished(() => void client.quit());
      await client.set(marker, '1');
      await redis.restart();
      expect(await client.exists(marker)).toBe(0);
      await eventually('the scheduled tasks back', async () => JSON.stringify(await registered(queue)) === JSON.stringify(expected), 10_000);
    } finally {
      await workers.close();
      await queue.close();
    }
  });

  it('are registered once Redis answers, when the workers started while it was away', async () => {
    await redis.flushAll();
    const proxy = await startRedisProxy(redis.options);
    await proxy.stop();
    const workers = harness.startWorkers({ host: '127.0.0.1', port: proxy.port }, { schedule: true, scheduleCheckMs: 200 });
    const queue = new Queue('scheduled-tasks', { connection: redis.options as ConnectionOptions, prefix: harness.prefix });
    try {
      await pause(600);
      expect(await registered(queue)).toEqual([]);
      await proxy.start();
      await eventually('the scheduled tasks registered', async () => JSON.stringify(await registered(queue)) === JSON.stringify(expected), 10_000);
    } finally {
      await workers.close();
      await queue.close();
      await proxy.stop();
    }
  });
});

describe('the stock counters', () => {
  it('are checked against the device events: a drift is repaired and logged, an event whose job was lost is counted', async () => {
    const { db } = harness.database;
    const shop = await world.workshop();
    const workers = harness.startWorkers(redis.options);
    const counted = [];
    for (let index = 0; index < 4; index++) counted.push(await world.device(shop.operator.token, shop.site.id));
    await eventually('the four devices counted', async () => (await stockAndDevicesAt(shop.operator.token, shop.site.id)).shown['laptop/collected'] === 4);
    await workers.close();

    // A device whose job was lost for good: its outbox row gone, its event never counted, long ago.
    const lost = await world.device(shop.operator.token, shop.site.id, { kind: 'desktop' });
    await db.delete(outbox).where(sql`${outbox.payload} ->> 'eventId' in (select id::text from device_events where device_id = ${lost.id})`);
    await db.execute(sql`update device_events set occurred_at = now() - interval '1 hour' where device_id = ${lost.id}`);
    // A counter changed behind the workers' back.
    await db
      .update(siteStockCounters)
      .set({ count: 7 })
      .where(sql`${siteStockCounters.siteId} = ${shop.site.id} and ${siteStockCounters.status} = 'collected' and ${siteStockCounters.kind} = 'laptop'`);

    const warnings: string[] = [];
    const logger = harness.logger.child({});
    logger.warn = ((_: unknown, message: string) => void warnings.push(message)) as typeof logger.warn;
    logger.error = ((_: unknown, message: string) => void warnings.push(message)) as typeof logger.error;
    const outcome = await reconcileStockCounters(db, logger);

    expect(outcome.lostEventsCounted).toBe(1);
    const [{ donationId }] = (await db.execute(sql`select donation_id as "donationId" from devices where id = ${counted[0]!.id}`)) as unknown as [
      { donationId: string },
    ];
    expect(outcome.drifts).toEqual([{ siteId: shop.site.id, kind: 'laptop', status: 'collected', donationId, counted: 7, fromEvents: 4 }]);
    expect(warnings).toEqual(['stock: counted device events whose job was lost', 'stock counters drifted from the device events; repaired']);
    const { shown, actual } = await stockAndDevicesAt(shop.operator.token, shop.site.id);
    expect(shown).toEqual({ 'laptop/collected': 4, 'desktop/collected': 1 });
    expect(shown).toEqual(actual);

    // Emptied, the counters are rebuilt from the events alone; checked again, nothing drifts.
    const before = await db.select().from(siteStockCounters).orderBy(siteStockCounters.siteId, siteStockCounters.kind, siteStockCounters.status);
    await db.delete(siteStockCounters);
    await reconcileStockCounters(db, logger);
    expect(await db.select().from(siteStockCounters).orderBy(siteStockCounters.siteId, siteStockCounters.kind, siteStockCounters.status)).toEqual(
      before.filter((row) => row.count !== 0),
    );
    expect((await reconcileStockCounters(db, logger)).drifts).toEqual([]);
    expect(await db.$count(stockCountedEvents)).toBeGreaterThan(0);
  });
});
