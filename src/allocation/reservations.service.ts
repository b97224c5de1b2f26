import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { devices } from '../devices/devices.schema.ts';
import { assetCodeFromInput, presentDevice } from '../devices/devices.service.ts';
import { transitionDevices } from '../devices/transitions.service.ts';
import { DomainError, isUniqueViolation, notFound } from '../errors.ts';
import { type equipmentRequests, households, type programmes } from './allocation.schema.ts';
import { whoAlreadyTrained } from './attendance.ts';
import { getProgramme } from './programmes.service.ts';
import { moveRequests, onBehalfOf, requestForActor } from './requests.service.ts';
import { requireAllocationRight } from './rights.ts';
import { readyStockFor, stockNeed, type StockNeed } from './stock-ranking.ts';

type Request = typeof equipmentRequests.$inferSelect;
/** What a reservation reads of the request's programme. */
type Programme = Pick<typeof programmes.$inferSelect, 'reservationDays' | 'trainingModuleId' | 'trainingValidForLaterRequests'>;

/** A request and the device it is to hold, under the request's programme. */
export type Pairing = { request: Request; deviceId: string; programme: Programme };

const day = 86_400_000;

export function refuseUnlessEligible(request: Request) {
  if (request.status !== 'eligible') {
    throw new DomainError(409, 'request_not_eligible', `Only an eligible request gets a device; this one is ${request.status}.`, {
      currentStatus: request.status,
    });
  }
}

/** Why the family has no training to book before the handover, or null when it must attend one. */
function noTrainingToBook(programme: Programme, alreadyTrained: boolean): string | null {
  if (!programme.trainingModuleId) return 'The programme requires no training.';
  if (programme.trainingValidForLaterRequests && alreadyTrained) return 'The family already attended the training.';
  return null;
}

/**
 * Gives each request its device, for one reservation or a batch of the matching round, with the
 * same steps and the same writes: the request takes the device (a unique index allows one holding
 * request per device) and, when its family has no training to book, goes on to
 * `training_completed` in the same write; then the device moves to `reserved` through the
 * lifecycle, whose guard checks the request holds it. A few statements for the whole batch. The
 * caller has locked the devices, then the requests (see reserveForRequest), and found the
 * requests eligible.
 */
export async function reserveDevices(tx: Tx, actor: Actor, pairings: readonly Pairing[], now = new Date()) {
  const attendee = ({ request, programme }: Pairing) =>
    programme.trainingModuleId && programme.trainingValidForLaterRequests ? [{ householdId: request.householdId, moduleId: programme.trainingModuleId }] : [];
  const trained = await whoAlreadyTrained(tx, pairings.flatMap(attendee));
  const requests = await moveRequests(
    tx,
    pairings.map((pairing) => {
      const { request, deviceId, programme } = pairing;
      const reserve = {
        to: 'reserved' as const,
        change: { actorUserId: actor.userId, set: { reservedDeviceId: deviceId, reservedUntil: new Date(now.getTime() + programme.reservationDays * day) } },
      };
      const reason = noTrainingToBook(programme, attendee(pairing).some(trained));
      return { request, steps: reason ? [reserve, { to: 'training_completed' as const, change: { reason } }] : [reserve] };
    }),
  ).catch((error: unknown) => {
    if (isUniqueViolation(error)) throw new DomainError(409, 'device_taken', 'Another request holds this device already.');
    throw error;
  });
  const moved = await transitionDevices(
    tx,
    actor,
    pairings.map(({ request, deviceId }) => ({
      deviceId,
      to: 'reserved' as const,
      payload: { requestId: request.id },
      permission: onBehalfOf(request, deviceId),
    })),
    now,
  );
  return requests.map((request, index) => ({ request, device: moved[index]!.device }));
}

/**
 * The device a person named, locked. A device another request holds is refused here, before the
 * request is written: waiting on that request's row (through the unique index) while holding the
 * device could deadlock with its release, which holds the request and waits for the device.
 */
async function lockNamedDevice(tx: Tx, deviceCode: string) {
  const [device] = await tx
    .select({ id: devices.id, status: devices.status })
    .from(devices)
    .where(eq(devices.assetCode, assetCodeFromInput(deviceCode)))
    .for('update');
  if (!device) throw notFound(`Device ${deviceCode}`);
  if (device.status === 'reserved') throw new DomainError(409, 'device_taken', 'Another request holds this device already.');
  return device.id;
}

/** The best ready device for a need: in the family's département first, then anywhere (stock-ranking.ts), locked. */
async function lockBestMatch(tx: Tx, need: StockNeed) {
  for (const where of ['nearby', 'anywhere'] as const) {
    const [device] = await tx.execute<{ id: string }>(sql`${readyStockFor(need, where, 1)}`);
    if (device) return device.id;
  }
  return undefined;
}

/**
 * Reserves a device for an eligible request: the one scanned or named, or the best match in stock.
 * Locks are taken device first, then request, as the matching round takes them: a reservation and
 * a round that want the same device queue on the device, and the round, which never waits (it
 * skips what is locked), never holds up a reservation that holds something it needs. Of many
 * reservations of one device at once, one wins (the device's lock, then its compare-and-set).
 */
export async function reserveForRequest(db: DbOrTx, actor: Actor, requestId: string, input: { deviceCode?: string } = {}) {
  requireAllocationRight(actor, 'reserve_devices');
  return db.transaction(async (tx) => {
    const seen = await requestForActor(tx, actor, requestId);
    refuseUnlessEligible(seen);
    const programme = await getProgramme(tx, seen.programmeId);
    const [household] = await tx.select({ communeCode: households.communeCode }).from(households).where(eq(households.id, seen.householdId));
    const deviceId = input.deviceCode
      ? await lockNamedDevice(tx, input.deviceCode)
      : await lockBestMatch(tx, stockNeed(seen.need, programme.minimumSpecs, household!.communeCode));
    if (!deviceId) throw new DomainError(409, 'no_matching_device', `No ready ${seen.need.kind} in stock meets this need yet.`);
    const request = await requestForActor(tx, actor, requestId, { lock: true });
    refuseUnlessEligible(request);
    const [reservation] = await reserveDevices(tx, actor, [{ request, deviceId, programme }]);
    return { request: reservation!.request, device: presentDevice(reservation!.device) };
  });
}
