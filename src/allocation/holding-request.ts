import { and, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { equipmentRequests, households } from './allocation.schema.ts';
import { holdingStatuses } from './requests.lifecycle.ts';
import { requestForActor } from './requests.service.ts';

/**
 * The request holding a reserved device, with its family's reference, when the actor follows that
 * request (visibleRequests, through requestForActor): the scan station opens the handover from it.
 * Undefined when no request holds the device or when it is another organisation's request.
 */
export async function requestHoldingDevice(db: DbOrTx, actor: Actor, deviceId: string) {
  const [holding] = await db
    .select({ id: equipmentRequests.id, reference: households.reference })
    .from(equipmentRequests)
    .innerJoin(households, eq(households.id, equipmentRequests.householdId))
    .where(and(eq(equipmentRequests.reservedDeviceId, deviceId), inArray(equipmentRequests.status, [...holdingStatuses])));
  if (!holding) return undefined;
  const followed = await requestForActor(db, actor, holding.id).then(
    () => true,
    (error: unknown) => {
      if (error instanceof DomainError && error.status === 404) return false;
      throw error;
    },
  );
  return followed ? holding : undefined;
}
