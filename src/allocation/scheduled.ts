import { and, eq, inArray, isNull, lt, notExists, sql } from 'drizzle-orm';
import { systemActor } from '../auth/system-actor.ts';
import type { Db } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { equipmentRequests, households } from './allocation.schema.ts';
import { holdingStatuses } from './requests.lifecycle.ts';
import { releaseReservation } from './requests.service.ts';

/**
 * Reservations past their programme's days: the device goes back to stock and the request back to
 * `eligible`, with the reason. One transaction per request, so one failure does not hold the rest.
 */
export async function expireReservations(db: Db, now = new Date()): Promise<number> {
  const due = await db
    .select({ id: equipmentRequests.id, until: equipmentRequests.reservedUntil })
    .from(equipmentRequests)
    .where(and(inArray(equipmentRequests.status, [...holdingStatuses]), lt(equipmentRequests.reservedUntil, now)));
  const actor = await systemActor(db);
  let expired = 0;
  for (const request of due) {
    const day = request.until!.toISOString().slice(0, 10);
    await releaseReservation(db, actor, request.id, `The reservation expired on ${day} before the handover.`).then(
      () => (expired += 1),
      (error: unknown) => {
        // Moved meanwhile (handed over, released): nothing left to expire.
        if (!(error instanceof DomainError)) throw error;
      },
    );
  }
  return expired;
}

/** Requests that are over: no reminder will be sent for them, the family's contact is no longer needed. */
const finishedStatuses = ['handed_over', 'closed', 'cancelled', 'expired', 'ineligible'] as const;

/**
 * GDPR minimisation: a family's phone and e-mail are erased `months` after its last request
 * ended; the household stays (commune, size, attestations) so the statistics still count it.
 */
export async function eraseExpiredContacts(db: Db, months: number, now = new Date()): Promise<number> {
  const threshold = new Date(now);
  threshold.setUTCMonth(threshold.getUTCMonth() - months);
  const erased = await db
    .update(households)
    .set({ contactPhone: null, contactEmail: null, contactErasedAt: now })
    .where(
      and(
        isNull(households.contactErasedAt),
        sql`exists (select 1 from ${equipmentRequests} r where r.household_id = ${households.id})`,
        notExists(
          db
            .select({ id: equipmentRequests.id })
            .from(equipmentRequests)
            .where(
              and(
                eq(equipmentRequests.householdId, households.id),
                sql`(${equipmentRequests.status} not in ${finishedStatuses} or ${equipmentRequests.updatedAt} >= ${threshold.toISOString()})`,
              ),
            ),
        ),
      ),
    )
    .returning({ id: households.id });
  return erased.length;
}
