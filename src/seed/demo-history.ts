import { sql } from 'drizzle-orm';
import { createHousehold } from '../allocation/households.service.ts';
import { handOver } from '../allocation/handover.service.ts';
import { reserveForRequest } from '../allocation/reservations.service.ts';
import { submitRequest } from '../allocation/requests.service.ts';
import { createTrainingSession, enrolRequest, recordAttendance } from '../allocation/training.service.ts';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { transitionDevice } from '../devices/transitions.service.ts';
import { createDonation } from '../donations/donations.service.ts';
import { registerDevice } from '../donations/intake.service.ts';
import { completeWorkOrder, openWorkOrder, updateWorkOrder } from '../refurbishment/refurbishment.service.ts';
import { recordWipes } from '../wiping/wiping.service.ts';

export type DemoCast = {
  operator: Actor;
  mediator: Actor;
  benchSiteId: string;
  placeId: string;
  donorOrganisationId: string;
  programmeId: string;
  trainingModuleId: string;
  /** The donor's reuse convention, which every lot but one carries. */
  reuseConvention: { reuseCommitmentReference: string; reuseCommitmentDate: string };
};

const day = 86_400_000;
const families = ['47001', '47323', '47157'];
const checklist = {
  power: 'ok',
  screen: 'ok',
  keyboard: 'ok',
  battery: 'ok',
  storage: 'ok',
  ports: 'ok',
  wifi: 'ok',
  webcam: 'ok',
  batteryHealthPercent: 80,
} as const;

/** Gives a device's events, oldest first, the days they happened on (after `start`), never later than an hour ago. */
async function dateEvents(db: DbOrTx, deviceId: string, start: Date, offsetsInDays: number[]) {
  const events = await db.execute<{ id: number }>(sql`select id from device_events where device_id = ${deviceId} order by id`);
  if (events.length !== offsetsInDays.length) throw new Error(`demo: ${events.length} events to date, ${offsetsInDays.length} days given`);
  for (const [index, event] of events.entries()) {
    await db.execute(sql`
      update device_events set occurred_at = least(${new Date(start.getTime() + offsetsInDays[index]! * day).toISOString()}::timestamptz, now() - interval '1 hour')
      where id = ${event.id}`);
  }
}

/**
 * A year of the workshop's activity before today, so the steering figures and the town hall's
 * reuse attestation show something on a fresh install: each month a town hall's lot of laptops and a desktop collected and wiped, most
 * laptops refurbished and handed over to trained families, the rest dismantled or recycled.
 * Everything goes through the domain functions, as it would have happened; then each event is
 * given the day it would have happened on, before the workers count it.
 */
export async function seedYearOfActivity(db: DbOrTx, cast: DemoCast, now = new Date()) {
  const { operator, mediator } = cast;
  for (let monthsAgo = 12; monthsAgo >= 1; monthsAgo--) {
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 2, 9));
    const donation = await createDonation(db, operator, {
      collectionSiteId: cast.benchSiteId,
      donorOrganisationId: cast.donorOrganisationId,
      campaign: `Collecte de ${start.toLocaleDateString('fr-FR', { month: 'long', year: 'numeric', timeZone: 'Europe/Paris' })}`,
      // One lot came in before anyone thought of the convention: on the reuse attestation, its devices do not count.
      ...(monthsAgo === 5 ? {} : cast.reuseConvention),
    });
    const handovers = 2 + (monthsAgo % 3);
    const laptops = [];
    for (let index = 0; index < handovers + 1; index++) {
      laptops.push(
        await registerDevice(db, operator, {
          donationId: donation.id,
          kind: 'laptop',
          brand: index % 2 === 0 ? 'Lenovo' : 'Dell',
          model: index % 2 === 0 ? 'ThinkPad T470' : 'Latitude 7480',
          serialNumber: `DEMO${start.toISOString().slice(0, 7).replace('-', '')}L${index}`,
          storageMedia: [{ type: 'ssd', capacityGb: 256 }],
        }),
      );
    }
    const desktop = await registerDevice(db, operator, {
      donationId: donation.id,
      kind: 'desktop',
      brand: 'HP',
      model: 'ProDesk 600 G3',
      serialNumber: `DEMO${start.toISOString().slice(0, 7).replace('-', '')}D`,
      storageMedia: [{ type: 'hdd', capacityGb: 500 }],
    });
    for (const device of [...laptops, desktop]) {
      const wiped = { startedAt: new Date(), endedAt: new Date() };
      await recordWipes(db, operator, device.code, [
        {
          mediumIndex: 0,
          level: 'purge',
          technique: 'ata_secure_erase',
          toolName: 'hdparm',
          toolVersion: '9.65',
          verification: 'full',
          result: 'passed',
          ...wiped,
        },
      ]);
    }
    // The desktop's motherboard is dead: dismantled; one laptop in two months beyond repair: recycled.
    await transitionDevice(db, operator, { code: desktop.code, to: 'dismantled', note: 'Carte mère HS' });
    await dateEvents(db, desktop.id, start, [0, 3, 9]);
    const spare = laptops.pop()!;
    if (monthsAgo % 2 === 0) {
      await transitionDevice(db, operator, { code: spare.code, to: 'recycled', payload: { deeeChannel: 'ecosystem' } });
      await dateEvents(db, spare.id, start, [0, 3, 12]);
    } else {
      await dateEvents(db, spare.id, start, [0, 3]);
    }
    const session = await createTrainingSession(db, mediator, {
      moduleId: cast.trainingModuleId,
      siteId: cast.placeId,
      startsAt: new Date(start.getTime() + 14 * day),
      capacity: 12,
      trainerName: 'Sophie, conseillère numérique',
    });
    for (const [index, laptop] of laptops.entries()) {
      const order = await openWorkOrder(db, operator, laptop.code, {});
      await updateWorkOrder(db, operator, order.id, {
        checklist: { ...checklist, batteryHealthPercent: 70 + index * 5 },
        specs: { cpu: 'Intel Core i5-7300U', ramGb: 8, storageGb: 256 },
        cosmetic: index === 0 ? 'A' : 'B',
        operatingSystem: { name: 'Linux Mint', version: '22', licence: 'GPL' },
        minutesSpent: 60,
      });
      await completeWorkOrder(db, operator, order.id, {});
      const family = await createHousehold(db, mediator, {
        reference: `CSV-${start.toISOString().slice(0, 7)}-${index + 1}`,
        communeCode: families[index % families.length]!,
        size: 3 + (index % 3),
        attestations: ['child_in_college', 'income_below_threshold', 'no_computer_at_home'],
        consent: true,
      });
      const request = await submitRequest(db, mediator, { householdId: family.id, programmeId: cast.programmeId, need: { kind: 'laptop', minRamGb: 4 } });
      await reserveForRequest(db, mediator, request.id, { deviceCode: laptop.code });
      await enrolRequest(db, mediator, request.id, session.id);
      await recordAttendance(db, mediator, session.id, { requestId: request.id, present: true });
      // One family in two pays a solidarity price (under the legal cap of 180 € for a laptop).
      await handOver(db, mediator, request.id, {
        deviceCode: laptop.code,
        receivedBy: 'Le représentant de la famille',
        termsAccepted: true,
        solidarityPriceCents: index % 2 === 0 ? 5_000 : 0,
      });
      // collected, wiped, refurbishing, ready, reserved, allocated: handed over 16 to 40 days after collection
      await dateEvents(db, laptop.id, start, [0, 3, 4, 6 + index, 8 + index, 16 + index * 8]);
      await db.execute(sql`
        update handovers set handed_over_at = (select occurred_at from device_events where device_id = ${laptop.id} and to_status = 'allocated')
        where request_id = ${request.id}`);
      await db.execute(sql`
        update request_events set occurred_at = ${start.toISOString()}::timestamptz + make_interval(days => 14)
        where request_id = ${request.id} and to_status = 'training_completed'`);
    }
  }
}
