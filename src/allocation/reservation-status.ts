import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { inIdList } from '../db/id-list.ts';
import type { devices } from '../devices/devices.schema.ts';
import type { Words } from '../status-machine.ts';
import { equipmentRequests, handovers } from './allocation.schema.ts';
import { holdingStatuses } from './requests.lifecycle.ts';

type Device = typeof devices.$inferSelect;

const reserveFromTheRequest: Words = {
  en: 'A device is reserved for an equipment request: reserve it from the request.',
  fr: 'Un équipement se réserve pour une demande d’équipement : réservez-le depuis la demande de la famille.',
};

const requestIdOf = (payload: Record<string, unknown>) =>
  typeof payload.requestId === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(payload.requestId)
    ? payload.requestId
    : undefined;

/**
 * The `reserved_for_request` guard: the request the step names holds this device (it took it, through
 * POST /api/requests/{id}/reservation or the matching round, in the same transaction). Set-wise:
 * one query answers for every device of a batch.
 */
export async function reservationGuard(db: DbOrTx, checks: readonly { device: Device; payload: Record<string, unknown> }[]): Promise<(Words | null)[]> {
  const requestIds = checks.flatMap(({ payload }) => requestIdOf(payload) ?? []);
  // By id alone, then the status here: the ids are looked up through the primary key whatever the statistics say.
  const named =
    requestIds.length === 0
      ? []
      : await db
          .select({ id: equipmentRequests.id, deviceId: equipmentRequests.reservedDeviceId, status: equipmentRequests.status })
          .from(equipmentRequests)
          .where(inIdList(equipmentRequests.id, requestIds));
  const holds = (status: string) => (holdingStatuses as readonly string[]).includes(status);
  const deviceHeldBy = new Map(named.filter((request) => holds(request.status)).map((request) => [request.id, request.deviceId]));
  return checks.map(({ device, payload }) => {
    const requestId = requestIdOf(payload);
    return requestId && deviceHeldBy.get(requestId) === device.id ? null : reserveFromTheRequest;
  });
}

/** The `reservation_released` guard: no request holds the device any more (it was released or expired). */
export async function releaseGuard(db: DbOrTx, device: Device): Promise<Words | null> {
  const [holder] = await db
    .select({ id: equipmentRequests.id })
    .from(equipmentRequests)
    .where(and(eq(equipmentRequests.reservedDeviceId, device.id), inArray(equipmentRequests.status, [...holdingStatuses])));
  if (!holder) return null;
  return {
    en: `This device is held for request ${holder.id}: release it from the request.`,
    fr: `Cet équipement est retenu pour la demande ${holder.id} : libérez-le depuis la demande.`,
  };
}

/** The `training_completed_and_handed_over` guard: the handover of this device to a trained family is being recorded. */
export async function handoverGuard(db: DbOrTx, device: Device): Promise<Words | null> {
  const [handover] = await db
    .select({ id: handovers.id })
    .from(handovers)
    .innerJoin(equipmentRequests, eq(equipmentRequests.id, handovers.requestId))
    .where(and(eq(handovers.deviceId, device.id), eq(equipmentRequests.reservedDeviceId, device.id), eq(equipmentRequests.status, 'training_completed')));
  if (handover) return null;
  return {
    en: 'A device is handed over from its request (POST /api/requests/{id}/handover), once the family completed the training.',
    fr: 'Un équipement se remet depuis sa demande, une fois que la famille a suivi la formation.',
  };
}
