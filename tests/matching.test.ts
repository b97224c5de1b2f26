import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { equipmentRequests, requestEvents } from '../src/allocation/allocation.schema.ts';
import { matchEligibleRequests } from '../src/allocation/matching.ts';
import { serviceAccountEmail } from '../src/auth/system-actor.ts';
import { users } from '../src/auth/auth.schema.ts';
import { deviceEvents, devices } from '../src/devices/devices.schema.ts';
import { departementOfCommune } from '../src/geography/code-shapes.ts';
import { readData } from '../src/geography/communes.ts';
import { outbox } from '../src/outbox/outbox.schema.ts';
import type { Harness } from './helpers/harness.ts';
import { allocationJourney, collegiensProgramme, qualify, trainingModule } from './helpers/journey.ts';
import { expectStatus } from './helpers/wifi.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

/**
 * The matching round (src/allocation/matching.ts) against real Postgres: it pairs as the greedy
 * does, request after request oldest first (same département, then grade, then longest on the
 * shelf), writes what a reservation writes, never gives a device twice alongside reservations
 * made at the same moment, and a second run changes nothing.
 */

let harness: Harness;
let world: World;
let bench: Awaited<ReturnType<World['workshop']>>;
let landes: { id: string };
let mediator: Account;
let programmeId: string;

const day = 86_400_000;
const holding = ['reserved', 'training_scheduled', 'training_completed'] as const;

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  bench = await world.workshop(); // its site is in Agen (47)
  landes = await world.site(bench.organisation.id, { name: 'Atelier de Mont-de-Marsan', communeCode: '40192' });
  mediator = await world.account((await world.organisation('mediation')).id, 'mediator');
  const programme = await world.call('POST', '/api/programmes', {
    token: world.admin.token,
    body: {
      name: 'Ordinateurs pour les familles',
      eligibilityCriteria: ['child_in_college'],
      deviceKinds: ['laptop', 'desktop', 'tablet'],
      minimumSpecs: { ramGb: 4 },
      reservationDays: 21,
      territories: [
        { type: 'departement', code: '47' },
        { type: 'departement', code: '40' },
      ],
    },
  });
  programmeId = expectStatus(programme, 201).id;
});
afterAll(() => harness.close());

// Each test starts from an empty stage: nothing waiting, nothing in stock, so the round sees only its own.
beforeEach(async () => {
  const { db } = harness.database;
  await db.update(equipmentRequests).set({ status: 'cancelled' }).where(eq(equipmentRequests.status, 'eligible'));
  await db.update(devices).set({ status: 'dismantled' }).where(eq(devices.status, 'ready'));
});

type Stock = { site: 'agen' | 'landes'; grade: 'A' | 'B' | 'C' | null; ramGb: number; daysOnShelf: number };

/** A device in stock, put there directly (the workshop path is tested elsewhere), with its grade, RAM and time on the shelf. */
async function inStock(kind: string, stock: Stock, now: number) {
  const siteId = stock.site === 'agen' ? bench.site.id : landes.id;
  const device = await world.device(bench.operator.token, siteId, { kind, storageMedia: [] });
  await harness.database.db
    .update(devices)
    .set({ status: 'ready', grade: stock.grade, specs: { ramGb: stock.ramGb, storageGb: 256 }, updatedAt: new Date(now - stock.daysOnShelf * day) })
    .where(eq(devices.id, device.id));
  return { ...device, ...stock };
}

/** An eligible request of a family of `communeCode`, filed `minutesAgo` minutes ago. */
async function waiting(kind: string, communeCode: string, minRamGb: number, minutesAgo: number, now: number) {
  const family = expectStatus(
    await world.call('POST', '/api/households', {
      token: mediator.token,
      body: { reference: `F-${Math.random().toString(36).slice(2, 10)}`, communeCode, size: 3, attestations: ['child_in_college'], consent: true },
    }),
    201,
  );
  const request = expectStatus(
    await world.call('POST', '/api/requests', { token: mediator.token, body: { householdId: family.id, programmeId, need: { kind, minRamGb } } }),
    201,
  );
  expect(request.status).toBe('eligible');
  await harness.database.db
    .update(equipmentRequests)
    .set({ createdAt: new Date(now - minutesAgo * 60_000) })
    .where(eq(equipmentRequests.id, request.id));
  return { id: request.id as string, departement: departementOfCommune(communeCode), minRamGb, createdAt: now - minutesAgo * 60_000 };
}

type Waiting = Awaited<ReturnType<typeof waiting>>;
type Stocked = Awaited<ReturnType<typeof inStock>>;

/**
 * The greedy written out plainly, one request at a time: oldest first (then by id), the best free
 * device meeting the need (the programme asks 4 GB at least), nearby before anywhere, then grade
 * (none last), then longest on the shelf, then id.
 */
function greedy(requests: Waiting[], stock: Stocked[]): Map<string, string | undefined> {
  const departementOf = { agen: '47', landes: '40' };
  const free = new Set(stock.map((device) => device.id));
  const rank = (device: Stocked) => [device.grade ?? 'Z', -device.daysOnShelf] as const;
  const pairs = new Map<string, string | undefined>();
  const ordered = [...requests].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  for (const request of ordered) {
    const fits = stock
      .filter((device) => free.has(device.id) && device.ramGb >= Math.max(request.minRamGb, 4))
      .sort((a, b) => {
        const near = Number(departementOf[b.site] === request.departement) - Number(departementOf[a.site] === request.departement);
        const [gradeA, ageA] = rank(a);
        const [gradeB, ageB] = rank(b);
        return near || gradeA.localeCompare(gradeB) || ageA - ageB || (a.id < b.id ? -1 : 1);
      });
    pairs.set(request.id, fits[0]?.id);
    if (fits[0]) free.delete(fits[0].id);
  }
  return pairs;
}

async function heldDevices(requestIds: string[]) {
  const rows = await harness.database.db
    .select({ id: equipmentRequests.id, deviceId: equipmentRequests.reservedDeviceId })
    .from(equipmentRequests)
    .where(inArray(equipmentRequests.id, requestIds));
  return new Map(rows.map((row) => [row.id, row.deviceId ?? undefined]));
}

/** The same stock and families, for a device kind of their own: [stock, requests] in a fixed order. */
async function handBuiltCase(kind: string, now: number) {
  const stock = [
    { site: 'agen', grade: 'B', ramGb: 8, daysOnShelf: 10 },
    { site: 'agen', grade: 'A', ramGb: 8, daysOnShelf: 5 },
    { site: 'agen', grade: 'A', ramGb: 8, daysOnShelf: 5 }, // as old as the one before: the id decides
    { site: 'landes', grade: 'A', ramGb: 8, daysOnShelf: 30 },
    { site: 'agen', grade: 'C', ramGb: 16, daysOnShelf: 40 },
    { site: 'landes', grade: 'B', ramGb: 16, daysOnShelf: 20 },
    { site: 'agen', grade: null, ramGb: 8, daysOnShelf: 50 },
    { site: 'agen', grade: 'A', ramGb: 2, daysOnShelf: 60 }, // below the programme's 4 GB
  ] satisfies Stock[];
  const devicesInStock = [];
  for (const entry of stock) devicesInStock.push(await inStock(kind, entry, now));
  const families = [
    ['47001', 4, 80],
    ['47001', 16, 70],
    ['40192', 4, 60],
    ['40192', 16, 50],
    ['47157', 4, 40],
    ['47001', 4, 40], // filed the same minute as the one before: the id decides
    ['40192', 4, 30],
    ['47001', 4, 20],
  ] as const;
  const requests = [];
  for (const [commune, ram, minutesAgo] of families) requests.push(await waiting(kind, commune, ram, minutesAgo, now));
  return { stock: devicesInStock, requests };
}

describe('the matching round', () => {
  it('pairs as reservations one after another would: same département first, then grade, then the oldest request', async () => {
    const now = Date.now();
    const { stock, requests } = await handBuiltCase('laptop', now);
    expect(await matchEligibleRequests(harness.database.db)).toBe(7);
    const held = await heldDevices(requests.map((request) => request.id));
    const expected = greedy(requests, stock);
    expect(held).toEqual(expected);

    // Read by hand: the oldest family of Agen gets an A nearby; the one needing 16 GB the C of Agen
    // rather than the B of the Landes; the Landes families theirs; the family of the Landes filed
    // last, its département empty, the grade-less laptop of Agen; the last one nothing.
    const device = (index: number) => stock[index]!.id;
    const [first, second, third, fourth, , , seventh, eighth] = requests.map((request) => held.get(request.id));
    expect([device(1), device(2)]).toContain(first);
    expect([second, third, fourth, seventh, eighth]).toEqual([device(4), device(3), device(5), device(6), undefined]);
    expect(new Set([held.get(requests[4]!.id), held.get(requests[5]!.id)])).toEqual(new Set([device(1), device(2), device(0)].filter((id) => id !== first)));

    // The same case reserved one request at a time through the API, oldest first, follows the same rule.
    const one = await handBuiltCase('desktop', now);
    const byAge = [...one.requests].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    for (const request of byAge) {
      const answer = await world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: {} });
      expect([201, 409]).toContain(answer.status);
    }
    expect(await heldDevices(byAge.map((request) => request.id))).toEqual(greedy(one.requests, one.stock));
  });

  it('pairs the same in batches of any size: each batch takes the stock the ones before it left', async () => {
    const now = Date.now();
    for (const [kind, batchSize] of [
      ['tablet', 1],
      ['laptop', 3],
    ] as const) {
      const { stock, requests } = await handBuiltCase(kind, now);
      expect(await matchEligibleRequests(harness.database.db, 500, batchSize)).toBe(7);
      expect(await heldDevices(requests.map((request) => request.id))).toEqual(greedy(requests, stock));
    }
  });

  it('writes for each pairing what a reservation writes: the request events, the device event and its outbox job', async () => {
    const now = Date.now();
    const device = await inStock('laptop', { site: 'agen', grade: 'A', ramGb: 8, daysOnShelf: 3 }, now);
    const request = await waiting('laptop', '47001', 4, 5, now);
    const [before] = await harness.database.db.select().from(equipmentRequests).where(eq(equipmentRequests.id, request.id));
    const lastEvent = await harness.database.db.select({ id: requestEvents.id }).from(requestEvents).orderBy(sql`${requestEvents.id} desc`).limit(1);

    expect(await matchEligibleRequests(harness.database.db)).toBe(1);

    const [system] = await harness.database.db.select().from(users).where(eq(users.email, serviceAccountEmail));
    const [after] = await harness.database.db.select().from(equipmentRequests).where(eq(equipmentRequests.id, request.id));
    // Reserved, then straight on: this programme requires no training. Two moves, two versions.
    expect(after).toMatchObject({
      status: 'training_completed',
      statusReason: 'The programme requires no training.',
      reservedDeviceId: device.id,
      version: before!.version + 2,
    });
    expect(Math.abs(after!.reservedUntil!.getTime() - (Date.now() + 21 * day))).toBeLessThan(60_000);
    const history = await harness.database.db
      .select()
      .from(requestEvents)
      .where(and(eq(requestEvents.requestId, request.id), sql`${requestEvents.id} > ${lastEvent[0]?.id ?? 0}`))
      .orderBy(asc(requestEvents.id));
    expect(history).toMatchObject([
      { fromStatus: 'eligible', toStatus: 'reserved', actorUserId: system!.id, reason: null, payload: {} },
      { fromStatus: 'reserved', toStatus: 'training_completed', actorUserId: null, reason: 'The programme requires no training.', payload: {} },
    ]);
    const [row] = await harness.database.db.select().from(devices).where(eq(devices.id, device.id));
    expect(row).toMatchObject({ status: 'reserved', version: device.version + 1, siteId: bench.site.id });
    const events = await harness.database.db.select().from(deviceEvents).where(eq(deviceEvents.deviceId, device.id)).orderBy(asc(deviceEvents.id));
    expect(events.at(-1)).toMatchObject({
      type: 'transition',
      fromStatus: 'ready',
      toStatus: 'reserved',
      fromSiteId: null,
      siteId: bench.site.id,
      actorUserId: system!.id,
      organisationId: system!.organisationId,
      note: null,
      payload: { requestId: request.id },
    });
    const jobs = await harness.database.db
      .select()
      .from(outbox)
      .where(sql`${outbox.payload} ->> 'eventId' = ${String(events.at(-1)!.id)}`);
    expect(jobs).toMatchObject([{ queue: 'device-events', jobName: 'device.transition', payload: { eventId: events.at(-1)!.id } }]);
  });

  it('leaves a family to book its training, unless it already attended it', async () => {
    const moduleId = (await trainingModule(world, 'Les outils numériques du collège')).id;
    const trained = await collegiensProgramme(world, moduleId, { name: 'Collégiens formés' });
    const place = await world.site(mediator.organisationId, { name: 'Centre social', kind: 'mediation_place', communeCode: '47323' });
    await qualify(world, bench.operator, 'refurbishment');
    const journey = allocationJourney(world, { operator: bench.operator, siteId: bench.site.id }, mediator);
    const earlier = await journey.readyForHandover({ programmeId: trained.id, moduleId, placeId: place.id });
    const householdId = (await world.call('GET', `/api/requests/${earlier.requestId}`, { token: mediator.token })).body.householdId;
    const newcomer = expectStatus(
      await world.call('POST', '/api/households', {
        token: mediator.token,
        body: { reference: `F-${Math.random().toString(36).slice(2, 10)}`, communeCode: '47001', size: 2, attestations: ['child_in_college'], consent: true },
      }),
      201,
    );
    const file = async (id: string) =>
      expectStatus(
        await world.call('POST', '/api/requests', { token: mediator.token, body: { householdId: id, programmeId: trained.id, need: { kind: 'laptop' } } }),
        201,
      ).id as string;
    const again = await file(householdId);
    const first = await file(newcomer.id);
    for (let index = 0; index < 2; index++) await inStock('laptop', { site: 'agen', grade: 'A', ramGb: 8, daysOnShelf: 2 + index }, Date.now());

    expect(await matchEligibleRequests(harness.database.db)).toBe(2);
    const status = async (id: string) => (await world.call('GET', `/api/requests/${id}`, { token: mediator.token })).body;
    expect(await status(again)).toMatchObject({ status: 'training_completed', statusReason: 'The family already attended the training.' });
    expect(await status(first)).toMatchObject({ status: 'reserved', statusReason: null });
  });

  it('run twice, changes nothing the second time', async () => {
    const now = Date.now();
    await handBuiltCase('laptop', now);
    expect(await matchEligibleRequests(harness.database.db)).toBe(7);
    const snapshot = async () => {
      const { sql: raw } = harness.database;
      const [counts] =
        await raw`select (select count(*) from request_events)::int as request_events, (select count(*) from device_events)::int as device_events,
        (select count(*) from outbox)::int as jobs`;
      const requests = await raw`select id, status, version, reserved_device_id from equipment_requests order by id`;
      const stock = await raw`select id, status, version from devices order by id`;
      return { counts, requests, stock };
    };
    const before = await snapshot();
    expect(await matchEligibleRequests(harness.database.db)).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('never gives a device twice when reservations of the same devices and other rounds run at the same moment', { timeout: 60_000 }, async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      await harness.database.db.update(equipmentRequests).set({ status: 'cancelled' }).where(eq(equipmentRequests.status, 'eligible'));
      await harness.database.db.update(devices).set({ status: 'dismantled' }).where(eq(devices.status, 'ready'));
      const now = Date.now();
      const stock: Stocked[] = [];
      for (let index = 0; index < 6; index++) {
        stock.push(await inStock('laptop', { site: index % 2 ? 'agen' : 'landes', grade: 'B', ramGb: 8, daysOnShelf: index + 1 }, now));
      }
      const requests: Waiting[] = [];
      for (let index = 0; index < 16; index++) requests.push(await waiting('laptop', index % 2 ? '47001' : '40192', 4, 30 - index, now));

      // Two rounds, and for each device two families asking for it by its code, all at once.
      const manual = stock.flatMap((device, index) =>
        [requests[index]!, requests[15 - index]!].map((request) =>
          world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: { deviceCode: device.code } }),
        ),
      );
      const [roundA, roundB, ...answers] = await Promise.all([
        matchEligibleRequests(harness.database.db),
        matchEligibleRequests(harness.database.db),
        ...manual,
      ]);
      for (const answer of answers as Awaited<(typeof manual)[number]>[]) expect([201, 409], JSON.stringify(answer.body)).toContain(answer.status);
      const granted = (answers as Awaited<(typeof manual)[number]>[]).filter((answer) => answer.status === 201).length;

      const ids = stock.map((device) => device.id);
      const holders = await harness.database.db
        .select({ id: equipmentRequests.id, deviceId: equipmentRequests.reservedDeviceId })
        .from(equipmentRequests)
        .where(and(inArray(equipmentRequests.reservedDeviceId, ids), inArray(equipmentRequests.status, [...holding])));
      // Every device went to exactly one family, by a round or by a person: six in all, none twice.
      expect(holders.map((holder) => holder.deviceId).sort()).toEqual([...ids].sort());
      expect((roundA as number) + (roundB as number) + granted).toBe(6);
      const rows = await harness.database.db.select({ status: devices.status }).from(devices).where(inArray(devices.id, ids));
      expect(rows.every((row) => row.status === 'reserved')).toBe(true);
      const reservedEvents = await harness.database.db
        .select({ deviceId: deviceEvents.deviceId, id: deviceEvents.id })
        .from(deviceEvents)
        .where(and(inArray(deviceEvents.deviceId, ids), eq(deviceEvents.toStatus, 'reserved')));
      expect(reservedEvents.map((event) => event.deviceId).sort()).toEqual([...ids].sort());
      const jobs = await harness.database.db
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          inArray(
            sql<number>`(${outbox.payload} ->> 'eventId')::bigint`,
            reservedEvents.map((event) => event.id),
          ),
        );
      expect(jobs).toHaveLength(6);
    }
  });
});

describe('the département of a family', () => {
  it('is read from its commune code as the official geography says, for every current commune', () => {
    type CommuneRecord = { code: string; type: string; departement?: string };
    const current = readData<CommuneRecord[]>('communes.json').filter(
      (record) => record.type === 'commune-actuelle' || record.type === 'arrondissement-municipal',
    );
    const wrong = current.filter((record) => departementOfCommune(record.code) !== record.departement);
    expect(current.length).toBeGreaterThan(34_000);
    expect(wrong).toEqual([]);
  });
});
