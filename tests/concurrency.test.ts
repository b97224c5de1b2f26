import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { deviceEvents, devices } from '../src/devices/devices.schema.ts';
import { outbox } from '../src/outbox/outbox.schema.ts';
import { eventually, type Harness } from './helpers/harness.ts';
import { startWorld, type World } from './helpers/world.ts';

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  bench = await world.workshop();
});
afterAll(() => harness.close());

const recycle = (code: string) =>
  world.call('POST', `/api/devices/${code}/transitions`, {
    token: bench.operator.token,
    body: { to: 'recycled', payload: { deeeChannel: 'ecosystem' } },
  });

const move = (code: string, siteId: string) => world.call('POST', `/api/devices/${code}/moves`, { token: bench.operator.token, body: { siteId } });

async function eventsOf(deviceId: string) {
  return harness.database.db.select().from(deviceEvents).where(eq(deviceEvents.deviceId, deviceId));
}

async function outboxRowsFor(eventIds: number[]) {
  return harness.database.db
    .select()
    .from(outbox)
    .where(inArray(sql<number>`(${outbox.payload} ->> 'eventId')::bigint`, eventIds));
}

describe('many scans of one device at the same moment', () => {
  it('recycles it once: one success, 49 refusals, one event, one version bump', async () => {
    const device = await world.device(bench.operator.token, bench.site.id);

    const responses = await Promise.all(Array.from({ length: 50 }, () => recycle(device.code)));

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    for (const refused of responses.filter((response) => response.status === 409)) {
      // Either it saw the device already recycled, or it lost the compare-and-set: both say "changed, look again".
      expect(['transition_not_allowed', 'device_changed']).toContain(refused.body.code);
      expect(refused.body.device).toBe(device.code);
    }

    const [row] = await harness.database.db.select().from(devices).where(eq(devices.id, device.id));
    expect(row).toMatchObject({ status: 'recycled', version: device.version + 1 });
    const events = await eventsOf(device.id);
    expect(events.filter((event) => event.type === 'transition')).toEqual([expect.objectContaining({ fromStatus: 'collected', toStatus: 'recycled' })]);
    expect(events).toHaveLength(2); // created + the one transition
    expect(await outboxRowsFor(events.map((event) => event.id))).toHaveLength(2);
  });
});

describe('two operators moving one device to two different sites at the same moment', () => {
  it('lets exactly one of them win; the other is told the device changed, and only one move is recorded', async () => {
    const first = await world.site(bench.organisation.id, { name: 'Réserve nord', kind: 'storage' });
    const second = await world.site(bench.organisation.id, { name: 'Réserve sud', kind: 'storage' });
    const device = await world.device(bench.operator.token, bench.site.id);

    // Hold the device's row so that both requests are provably in flight together, whatever the
    // scheduling: both wait on this lock, then race for the device when it is released.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const blocker = harness.database.sql.begin(async (tx) => {
      await tx`select id from devices where id = ${device.id} for update`;
      holding();
      await released;
    });
    await held;
    const inFlight = Promise.all([move(device.code, first.id), move(device.code, second.id)]);
    await eventually('both moves waiting for the device', async () => {
      const [row] = await harness.database.sql<{ waiting: number }[]>`
        select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query ilike '%"devices"%'`;
      return row!.waiting >= 2;
    });
    release();
    await blocker;
    const responses = await inFlight;

    const winners = responses.filter((response) => response.status === 200);
    const losers = responses.filter((response) => response.status !== 200);
    expect(winners, `both moves succeeded: ${JSON.stringify(responses.map((response) => response.body.event?.siteId ?? response.body.code))}`).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]!.status).toBe(409);
    expect(losers[0]!.body.code).toBe('device_changed');

    const winningSite = winners[0]!.body.device.siteId;
    expect([first.id, second.id]).toContain(winningSite);
    const [row] = await harness.database.db.select().from(devices).where(eq(devices.id, device.id));
    expect(row).toMatchObject({ siteId: winningSite, version: device.version + 1 });
    const moves = (await eventsOf(device.id)).filter((event) => event.type === 'move');
    expect(moves).toEqual([expect.objectContaining({ fromSiteId: bench.site.id, siteId: winningSite })]);
  });
});

describe('many devices changed at the same moment', () => {
  it('changes all 50 of them: no deadlock, no lost update', async () => {
    const created = await Promise.all(Array.from({ length: 50 }, () => world.device(bench.operator.token, bench.site.id)));

    const responses = await Promise.all(
      created.map((device, index) =>
        index % 2
          ? recycle(device.code)
          : world.call('POST', `/api/devices/${device.code}/transitions`, { token: bench.operator.token, body: { to: 'dismantled' } }),
      ),
    );

    expect(responses.map((response) => response.status)).toEqual(created.map(() => 200));
    const ids = created.map((device) => device.id);
    const rows = await harness.database.db.select().from(devices).where(inArray(devices.id, ids));
    expect(rows).toHaveLength(50);
    for (const [index, device] of created.entries()) {
      const row = rows.find((candidate) => candidate.id === device.id)!;
      expect(row).toMatchObject({ status: index % 2 ? 'recycled' : 'dismantled', version: device.version + 1 });
    }
    const transitionsRecorded = await harness.database.db
      .select()
      .from(deviceEvents)
      .where(and(inArray(deviceEvents.deviceId, ids), eq(deviceEvents.type, 'transition')));
    expect(transitionsRecorded).toHaveLength(50);
    expect(new Set(transitionsRecorded.map((event) => event.deviceId)).size).toBe(50);
    expect(await outboxRowsFor(transitionsRecorded.map((event) => event.id))).toHaveLength(50);
  });
});
