import { eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { deviceEvents } from '../../src/devices/devices.schema.ts';
import type { Db } from '../../src/db/client.ts';
import { expectStatus } from './wifi.ts';
import type { Account, World } from './world.ts';

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** What a bench's checklist records of a device in working order. */
export const fullChecklist = {
  power: 'ok',
  screen: 'ok',
  keyboard: 'ok',
  battery: 'ok',
  storage: 'ok',
  ports: 'ok',
  wifi: 'ok',
  webcam: 'ok',
  batteryHealthPercent: 91,
};

/** Noon of a day (UTC), for the dates a test gives its events. */
export const noon = (date: string) => `${date}T11:00:00.000Z`;

/** Gives a device's events, oldest first, the days they would have happened on: the history figures are read from. */
export async function dateEvents(db: Db, deviceId: string, dates: string[]) {
  const events = await db.select({ id: deviceEvents.id }).from(deviceEvents).where(eq(deviceEvents.deviceId, deviceId)).orderBy(deviceEvents.id);
  expect(events.length, 'one date per event').toBe(dates.length);
  for (const [index, event] of events.entries()) {
    await db.execute(sql`update device_events set occurred_at = ${noon(dates[index]!)} where id = ${event.id}`);
  }
}

/** Gives an account a qualification the coordinator recorded, valid for a year. */
export async function qualify(world: World, account: Account, kind: 'data_wiping' | 'refurbishment') {
  expectStatus(
    await world.call('POST', `/api/users/${account.id}/qualifications`, {
      token: world.admin.token,
      body: { kind, issuer: 'Centre de formation ADN', issuedOn: day(-200), expiresOn: day(365) },
    }),
    201,
  );
}

/** A training module the coordinator defines, by its title (two hours). */
export async function trainingModule(world: World, title: string, topics: string[] = ['Se connecter']) {
  return expectStatus(await world.call('POST', '/api/training-modules', { token: world.admin.token, body: { title, durationMinutes: 120, topics } }), 201) as {
    id: string;
  };
}

/** A programme for collégiens' families, with its training, in Lot-et-Garonne unless told. */
export async function collegiensProgramme(
  world: World,
  trainingModuleId: string,
  options: { name?: string; deviceKinds?: string[]; territories?: { type: string; code: string }[] } = {},
) {
  return expectStatus(
    await world.call('POST', '/api/programmes', {
      token: world.admin.token,
      body: {
        name: options.name ?? 'Collégiens',
        eligibilityCriteria: ['child_in_college'],
        deviceKinds: options.deviceKinds ?? ['laptop'],
        trainingModuleId,
        reservationDays: 21,
        territories: options.territories ?? [{ type: 'departement', code: '47' }],
      },
    }),
    201,
  ) as { id: string; name: string };
}

/**
 * A device's way from a bench to a family, through the API: refurbished at the bench (by a
 * qualified operator) and put in stock, then reserved for a family's request, the family trained
 * at a mediation place, and the device handed over.
 */
export function allocationJourney(world: World, bench: { operator: Account; siteId: string }, mediator: Account) {
  /** A device of the bench refurbished and put in stock, in its `donationId` when given (else the bench's own lot). */
  async function refurbished(kind = 'laptop', donationId?: string) {
    const token = bench.operator.token;
    const device = await world.device(token, bench.siteId, { kind, storageMedia: [], ...(donationId ? { donationId } : {}) });
    const opened = expectStatus(await world.call('POST', `/api/devices/${device.code}/work-orders`, { token, body: {} }), 201);
    expectStatus(
      await world.call('PATCH', `/api/work-orders/${opened.id}`, {
        token,
        body: { checklist: fullChecklist, specs: { cpu: 'Intel Core i5-8350U', ramGb: 8, storageGb: 256 }, cosmetic: 'A', minutesSpent: 60 },
      }),
    );
    const completed = expectStatus(await world.call('POST', `/api/work-orders/${opened.id}/complete`, { token, body: {} }));
    return { device, grade: completed.device.grade as string };
  }

  type Family = { programmeId: string; moduleId: string; placeId: string; communeCode?: string; kind?: string; donationId?: string };

  /** The device reserved for the family, which is booked on a session of the training, and the trainer's sheet for it. */
  async function booked(family: Family) {
    const { device, grade } = await refurbished(family.kind, family.donationId);
    const household = expectStatus(
      await world.call('POST', '/api/households', {
        token: mediator.token,
        body: {
          reference: `F-${Math.random().toString(36).slice(2, 8)}`,
          communeCode: family.communeCode ?? '47001',
          size: 3,
          attestations: ['child_in_college'],
          consent: true,
        },
      }),
      201,
    );
    const request = expectStatus(
      await world.call('POST', '/api/requests', {
        token: mediator.token,
        body: { householdId: household.id, programmeId: family.programmeId, need: { kind: family.kind ?? 'laptop' } },
      }),
      201,
    );
    expectStatus(await world.call('POST', `/api/requests/${request.id}/reservation`, { token: mediator.token, body: { deviceCode: device.code } }), 201);
    const session = expectStatus(
      await world.call('POST', '/api/training-sessions', {
        token: mediator.token,
        body: {
          moduleId: family.moduleId,
          siteId: family.placeId,
          startsAt: new Date(Date.now() + 86_400_000).toISOString(),
          capacity: 8,
          trainerName: 'Inès',
        },
      }),
      201,
    );
    expectStatus(await world.call('POST', `/api/requests/${request.id}/enrolment`, { token: mediator.token, body: { sessionId: session.id } }), 201);
    const attended = async (present: boolean) =>
      expectStatus(
        await world.call('POST', `/api/training-sessions/${session.id}/attendance`, { token: mediator.token, body: { requestId: request.id, present } }),
      );
    return { device, grade, requestId: request.id as string, attended };
  }

  /** Up to the table: the device reserved for the family, which has just been trained. */
  async function readyForHandover(family: Family) {
    const { attended, ...ready } = await booked(family);
    await attended(true);
    return ready;
  }

  /** A family booked on a session it did not attend: its request goes back to book another. */
  async function absentFromTraining(family: Family) {
    const { attended, ...booking } = await booked(family);
    await attended(false);
    return booking;
  }

  /** The whole way, the family paying `solidarityPriceCents` (nothing by default). */
  async function handedOver(family: Family & { solidarityPriceCents?: number }) {
    const ready = await readyForHandover(family);
    expectStatus(
      await world.call('POST', `/api/requests/${ready.requestId}/handover`, {
        token: mediator.token,
        body: { deviceCode: ready.device.code, receivedBy: 'Mme Durand', termsAccepted: true, solidarityPriceCents: family.solidarityPriceCents },
      }),
      201,
    );
    return ready;
  }

  return { refurbished, readyForHandover, absentFromTraining, handedOver };
}
