import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { organisationKindsForRole, roles, type Role } from '../src/auth/roles.ts';
import { deviceEvents, devices } from '../src/devices/devices.schema.ts';
import { guards } from '../src/devices/guards.ts';
import { benchRoles, deviceStatuses, terminalStatuses, transitions, type DeviceStatus, type Transition } from '../src/devices/lifecycle.ts';
import type { OrganisationKind } from '../src/organisations/organisations.types.ts';
import { donations } from '../src/donations/donations.schema.ts';
import { outbox } from '../src/outbox/outbox.schema.ts';
import { wipeRecords } from '../src/wiping/wiping.schema.ts';
import { workOrders } from '../src/refurbishment/refurbishment.schema.ts';
import { equipmentRequests, households, programmes } from '../src/allocation/allocation.schema.ts';
import type { Harness } from './helpers/harness.ts';
import { startWorld, type Account, type World } from './helpers/world.ts';

/**
 * Every case below is generated from the lifecycle table (src/devices/lifecycle.ts): each row,
 * each of its `from` statuses, each guard, each role, and every pair the table does not allow.
 */

let harness: Harness;
let world: World;

/** Someone who acts on devices: their account, the site their devices are registered at, a second site of theirs. */
type Cast = { account: Account; creatorToken: string; site: { id: string; organisationId: string }; otherSite: { id: string } };
const casts = new Map<string, Cast>();
/** Every role in every kind of organisation it may belong to (src/auth/roles.ts). */
const roleSeats = roles.flatMap((role) => organisationKindsForRole[role].map((kind) => ({ role, kind })));
/** The cast of a role, in the first kind of organisation it belongs to unless told. */
function castOf(role: Role, kind: OrganisationKind = organisationKindsForRole[role][0]!): Cast {
  const cast = casts.get(`${role}@${kind}`);
  if (!cast) throw new Error(`no cast for ${role} in a ${kind} organisation`);
  return cast;
}

/** What a request needs so that a guard holds or fails: device fields at registration, transition body fields. */
type Setup = {
  device?: Record<string, unknown>;
  body?: { siteId?: string; note?: string; payload?: Record<string, unknown> };
};
type GuardCase = {
  /** Absent while the module that records what the guard checks does not exist: the guard cannot hold yet. */
  hold?: (cast: Cast) => Setup;
  fail: (cast: Cast) => Setup;
  /** What the refusal tells the operator, when it names something they can check at the bench. */
  failureMentions?: string;
};

const nothing = (): Setup => ({});

const wipedSsd = { type: 'ssd', model: 'Crucial MX500', serialNumber: 'MX500-0042', capacityGb: 500 };
/** Marks a device setup whose media get a passed purge record right after it is created. */
const passedWipe = '__passedWipe';
/** Marks a device setup that gets a work order in this state (a completed one passed its checklist, graded). */
const workOrder = '__workOrder';
/** Marks a device setup that an equipment request holds. */
const heldByRequest = '__heldByRequest';

/** How to make each guard hold or fail. A guard added to the table must be added here (a test below checks it). */
const guardCases: Record<string, GuardCase> = {
  no_storage_to_wipe: {
    hold: () => ({ device: { storageMedia: [] } }),
    fail: () => ({ device: { storageMedia: [{ type: 'ssd', model: 'Samsung 860', serialNumber: 'S3Z9NB0K123', capacityGb: 250 }] } }),
    failureMentions: 'S3Z9NB0K123',
  },
  wipe_records_passed: {
    hold: () => ({ device: { storageMedia: [wipedSsd], [passedWipe]: true } }),
    fail: () => ({ device: { storageMedia: [wipedSsd] } }),
    failureMentions: 'purge',
  },
  work_order_open: {
    hold: () => ({ device: { [workOrder]: 'open' } }),
    fail: nothing,
    failureMentions: 'work order',
  },
  refurbishment_complete: {
    hold: () => ({ device: { storageMedia: [wipedSsd], [passedWipe]: true, [workOrder]: 'completed' } }),
    fail: () => ({ device: { [workOrder]: 'open' } }),
    failureMentions: 'work order',
  },
  // Holds only when a request has taken the device, which the allocation tests go through.
  reserved_for_request: { fail: () => ({ body: { payload: { requestId: '00000000-0000-4000-8000-000000000000' } } }) },
  reservation_released: {
    hold: nothing,
    fail: () => ({ device: { [heldByRequest]: true } }),
    failureMentions: 'held for request',
  },
  // Awaiting the training and handover part of the allocation module.
  training_completed_and_handed_over: { fail: nothing },
  return_site_given: {
    hold: (cast) => ({ body: { siteId: cast.otherSite.id } }),
    fail: nothing,
  },
  fault_described: {
    hold: () => ({ body: { note: "L'écran scintille quand on ouvre le capot." } }),
    fail: nothing,
  },
  recycling_channel_given: {
    hold: () => ({ body: { payload: { deeeChannel: 'ecosystem' } } }),
    fail: () => ({ body: { payload: {} } }),
  },
};

const canHold = (guard: string) => Boolean(guardCases[guard]?.hold);
const guardCase = (guard: string): GuardCase => {
  const found = guardCases[guard];
  if (!found) throw new Error(`No guard case for "${guard}": add one to guardCases in tests/lifecycle.test.ts.`);
  return found;
};

function compose(setups: Setup[]): Required<Setup> {
  const device: Record<string, unknown> = {};
  const body: Required<Setup>['body'] = {};
  for (const setup of setups) {
    Object.assign(device, setup.device);
    const { payload, ...rest } = setup.body ?? {};
    Object.assign(body, rest);
    if (payload) body.payload = { ...body.payload, ...payload };
  }
  return { device, body };
}

/** Every guard that can hold, holding: only the rule under test stands in the way. */
const everythingHolds = (cast: Cast, guardNames: readonly string[] = Object.keys(guardCases)) =>
  compose(guardNames.filter(canHold).map((name) => guardCase(name).hold!(cast)));

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');
const label = (transition: Transition) => `"${transition.action}" (→ ${transition.to})`;

/** Which cast performs a row's transitions: a workshop operator when the row allows it, otherwise a mediator. */
const performerRole = (transition: Transition): Role =>
  transition.roles.includes('workshop_operator') ? 'workshop_operator' : transition.roles.includes('mediator') ? 'mediator' : 'admin';

/** A fresh device put into `status` directly in the database (as test setup: most statuses cannot be reached through the API yet). */
async function deviceIn(cast: Cast, status: DeviceStatus, overrides: Record<string, unknown> = {}) {
  const { [passedWipe]: wiped, [workOrder]: orderState, [heldByRequest]: held, ...fields } = overrides;
  const device = await world.device(cast.creatorToken, cast.site.id, fields);
  await harness.database.db.update(devices).set({ status }).where(eq(devices.id, device.id));
  if (wiped) {
    const media = (fields.storageMedia ?? []) as { type: 'ssd' }[];
    const now = new Date();
    await harness.database.db.insert(wipeRecords).values(
      media.map((medium, mediumIndex) => ({
        deviceId: device.id,
        mediumIndex,
        mediumType: medium.type,
        level: 'purge' as const,
        technique: 'crypto_erase' as const,
        toolName: 'hdparm',
        verification: 'full' as const,
        result: 'passed' as const,
        startedAt: now,
        endedAt: now,
        operatorUserId: world.admin.id,
        organisationId: world.admin.organisationId,
      })),
    );
  }
  if (cast.account.role === 'donor_viewer') {
    // A donor sees the devices it gave: make this one part of the donor's donation.
    await harness.database.db
      .update(donations)
      .set({ donorOrganisationId: cast.account.organisationId, donorName: null })
      .where(eq(donations.id, device.donationId));
  }
  if (held) {
    const { db } = harness.database;
    const [programme] = await db
      .insert(programmes)
      .values({
        organisationId: world.admin.organisationId,
        name: 'Programme de test',
        eligibilityCriteria: ['resident'],
        deviceKinds: ['laptop'],
        reservationDays: 14,
        territories: [{ type: 'departement', code: '47' }],
      })
      .returning();
    const [household] = await db
      .insert(households)
      .values({
        organisationId: world.admin.organisationId,
        reference: `F-${device.id.slice(0, 8)}`,
        communeCode: '47001',
        size: 3,
        consentRecordedAt: new Date(),
        consentRecordedByUserId: world.admin.id,
      })
      .returning();
    await db.insert(equipmentRequests).values({
      organisationId: world.admin.organisationId,
      householdId: household!.id,
      programmeId: programme!.id,
      status: 'reserved',
      need: { kind: 'laptop' },
      reservedDeviceId: device.id,
      createdByUserId: world.admin.id,
    });
  }
  if (orderState) {
    await harness.database.db.insert(workOrders).values({
      deviceId: device.id,
      organisationId: cast.site.organisationId,
      siteId: cast.site.id,
      status: orderState as 'open' | 'completed',
      checklist: { power: 'ok', screen: 'ok', keyboard: 'ok', battery: 'ok', storage: 'ok', ports: 'ok', wifi: 'ok', batteryHealthPercent: 90 },
      specs: { ramGb: 8, storageGb: 256 },
      grade: orderState === 'completed' ? 'A' : null,
      openedByUserId: world.admin.id,
    });
  }
  return { ...device, status };
}

async function snapshot(deviceId: string) {
  const { db } = harness.database;
  const [device] = await db
    .select({
      status: devices.status,
      version: devices.version,
      siteId: devices.siteId,
      organisationId: devices.organisationId,
      custodySince: devices.custodySince,
      updatedAt: devices.updatedAt,
    })
    .from(devices)
    .where(eq(devices.id, deviceId));
  return {
    device: device!,
    events: await db.$count(deviceEvents, eq(deviceEvents.deviceId, deviceId)),
    outboxRows: await db.$count(outbox),
  };
}

const transitionRequest = (account: Account, code: string, to: DeviceStatus, body: Setup['body'] = {}) =>
  world.call('POST', `/api/devices/${code}/transitions`, { token: account.token, body: { to, ...body } });

const allowedFrom = (status: DeviceStatus) =>
  [...new Set(transitions.filter((transition) => transition.from.includes(status)).map((transition) => transition.to))].sort();

beforeAll(async () => {
  ({ harness, world } = await startWorld());
  const coordinator = {
    site: await world.site(world.admin.organisationId, { name: 'Entrepôt de la coordination', kind: 'storage' }),
    otherSite: await world.site(world.admin.organisationId, { name: 'Réserve', kind: 'storage' }),
  };
  for (const { role, kind } of roleSeats) {
    const inCoordination = kind === 'coordinator';
    const organisationId = inCoordination ? world.admin.organisationId : (await world.organisation(kind)).id;
    const { site, otherSite } = inCoordination
      ? coordinator
      : { site: await world.site(organisationId), otherSite: await world.site(organisationId, { name: 'Réserve', kind: 'storage' }) };
    const account = role === 'admin' ? world.admin : await world.account(organisationId, role);
    // Only bench roles register devices; the coordinator registers them for the others.
    const creatorToken = benchRoles.includes(role) ? account.token : world.admin.token;
    casts.set(`${role}@${kind}`, { account, creatorToken, site, otherSite });
  }
});
afterAll(() => harness.close());

describe('the guard cases of this file', () => {
  it('cover every guard the lifecycle table or guards.ts names', () => {
    const named = new Set<string>([...transitions.flatMap((transition) => transition.guards), ...Object.keys(guards)]);
    const missing = [...named].filter((name) => !(name in guardCases));
    expect(missing, 'add these guards to guardCases in tests/lifecycle.test.ts').toEqual([]);
  });
});

describe('a transition refused by a guard', () => {
  const cases = transitions.flatMap((transition) => transition.from.flatMap((from) => transition.guards.map((guard) => ({ transition, from, guard }))));

  for (const { transition, from, guard } of cases) {
    it(`refuses ${label(transition)} from ${from} when ${guard} does not hold, says why, and changes nothing`, async () => {
      const cast = castOf(performerRole(transition));
      const setup = compose(transition.guards.map((name) => (name === guard ? guardCase(name).fail(cast) : (guardCase(name).hold?.(cast) ?? {}))));
      const device = await deviceIn(cast, from, setup.device);
      const before = await snapshot(device.id);

      const response = await transitionRequest(cast.account, device.code, transition.to, setup.body);

      expect(response.status, JSON.stringify(response.body)).toBe(409);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body.code).toBe('guard_failed');
      // The guard under test, and those that cannot hold yet: nothing else.
      const expectedFailures = transition.guards.filter((name) => name === guard || !canHold(name));
      expect(response.body.failedGuards.map((failure: { guard: string }) => failure.guard).sort()).toEqual([...expectedFailures].sort());
      for (const failure of response.body.failedGuards) expect(failure.reason).toEqual(expect.stringMatching(/\w/));
      const mentions = guardCase(guard).failureMentions;
      if (mentions) expect(response.body.detail).toContain(mentions);
      expect(response.body.detail).toEqual(expect.stringMatching(/\w/));
      expect(response.body.currentStatus).toBe(from);
      expect(response.body.allowedNextStatuses.sort()).toEqual(allowedFrom(from));
      expect(await snapshot(device.id)).toEqual(before);
    });
  }
});

describe('a transition whose guards all hold', () => {
  const cases = transitions
    .filter((transition) => transition.guards.every(canHold))
    .flatMap((transition) => transition.from.map((from) => ({ transition, from })));

  for (const { transition, from } of cases) {
    it(`does ${label(transition)} from ${from}: one status change, one event, one outbox job`, async () => {
      const cast = castOf(performerRole(transition));
      const setup = everythingHolds(cast, transition.guards);
      const device = await deviceIn(cast, from, setup.device);
      const before = await snapshot(device.id);

      const response = await transitionRequest(cast.account, device.code, transition.to, setup.body);

      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.device).toMatchObject({ status: transition.to, version: before.device.version + 1 });
      const after = await snapshot(device.id);
      expect(after.device).toMatchObject({ status: transition.to, version: before.device.version + 1 });
      expect(after.events).toBe(before.events + 1);
      expect(after.outboxRows).toBe(before.outboxRows + 1);

      const { db } = harness.database;
      const [event] = await db.select().from(deviceEvents).where(eq(deviceEvents.deviceId, device.id)).orderBy(desc(deviceEvents.id)).limit(1);
      expect(event).toMatchObject({
        type: 'transition',
        fromStatus: from,
        toStatus: transition.to,
        actorUserId: cast.account.id,
        siteId: setup.body.siteId ?? cast.site.id,
      });
      expect(response.body.event.id).toBe(event!.id);
      const [job] = await db.select().from(outbox).orderBy(desc(outbox.id)).limit(1);
      expect(job).toMatchObject({ queue: 'device-events', payload: { eventId: event!.id }, relayedAt: null });
    });
  }
});

describe('a pair of statuses the table does not allow', () => {
  const inTable = (from: DeviceStatus, to: DeviceStatus) => transitions.some((transition) => transition.to === to && transition.from.includes(from));
  const cases = deviceStatuses.flatMap((from) => deviceStatuses.filter((to) => !inTable(from, to)).map((to) => ({ from, to })));

  it('leaves pairs to refuse (the table is not everything-to-everything)', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const { from, to } of cases) {
    it(`refuses ${from} → ${to} as not allowed, listing what is, and changes nothing`, async () => {
      const cast = castOf('workshop_operator');
      const setup = everythingHolds(cast);
      const device = await deviceIn(cast, from, setup.device);
      const before = await snapshot(device.id);

      const response = await transitionRequest(cast.account, device.code, to, setup.body);

      expect(response.status, JSON.stringify(response.body)).toBe(409);
      expect(response.body.code).toBe('transition_not_allowed');
      expect(response.body.currentStatus).toBe(from);
      expect(response.body.allowedNextStatuses.sort()).toEqual(allowedFrom(from));
      expect(await snapshot(device.id)).toEqual(before);
    });
  }
});

describe('a device at the end of its life', () => {
  for (const status of terminalStatuses) {
    it(`refuses every status once ${status}, saying it is final, and changes nothing`, async () => {
      const cast = castOf('workshop_operator');
      const setup = everythingHolds(cast);
      const device = await deviceIn(cast, status, setup.device);
      const before = await snapshot(device.id);
      for (const to of deviceStatuses) {
        const response = await transitionRequest(cast.account, device.code, to, setup.body);
        expect(response.status, `${status} → ${to}`).toBe(409);
        expect(response.body).toMatchObject({ code: 'transition_not_allowed', currentStatus: status, allowedNextStatuses: [] });
        expect(response.body.detail).toContain('final');
      }
      expect(await snapshot(device.id)).toEqual(before);
      const shown = await world.call('GET', `/api/devices/${device.code}`, { token: cast.account.token });
      expect(shown.body.nextStatuses).toEqual([]);
    });
  }
});

describe('who may do a transition', () => {
  const denied = transitions.flatMap((transition) => roleSeats.filter(({ role }) => !transition.roles.includes(role)).map((seat) => ({ transition, ...seat })));
  const allowed = transitions.flatMap((transition) => roleSeats.filter(({ role }) => transition.roles.includes(role)).map((seat) => ({ transition, ...seat })));

  for (const { transition, role, kind } of denied) {
    it(`refuses ${label(transition)} to ${article(role)} ${role} of a ${kind} organisation holding the device, with 403, and changes nothing`, async () => {
      const cast = castOf(role, kind);
      const setup = everythingHolds(cast, transition.guards);
      const device = await deviceIn(cast, transition.from[0]!, setup.device);
      expect((await snapshot(device.id)).device.organisationId).toBe(cast.account.organisationId);
      const before = await snapshot(device.id);

      const response = await transitionRequest(cast.account, device.code, transition.to, setup.body);

      expect(response.status, JSON.stringify(response.body)).toBe(403);
      expect(response.body.code).toBe('forbidden');
      expect(await snapshot(device.id)).toEqual(before);
    });
  }

  for (const { transition, role, kind } of allowed) {
    it(`lets ${article(role)} ${role} of a ${kind} organisation past the role check for ${label(transition)} (the guards decide)`, async () => {
      const cast = castOf(role, kind);
      const setup = everythingHolds(cast, transition.guards);
      const device = await deviceIn(cast, transition.from[0]!, setup.device);

      const response = await transitionRequest(cast.account, device.code, transition.to, setup.body);

      if (transition.guards.every(canHold)) {
        expect(response.status, JSON.stringify(response.body)).toBe(200);
        expect(response.body.device.status).toBe(transition.to);
      } else {
        expect(response.status, JSON.stringify(response.body)).toBe(409);
        expect(response.body.code).toBe('guard_failed');
      }
    });
  }
});
