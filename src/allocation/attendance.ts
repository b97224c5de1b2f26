import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { enrolments, trainingSessions } from './allocation.schema.ts';

export type Attendee = { householdId: string; moduleId: string };

const attendeeKey = (attendee: Attendee) => `${attendee.householdId} ${attendee.moduleId}`;

/**
 * Whether each household already attended its module (for programmes where that counts again), for
 * one reservation or a whole matching round in one query: ask the answer of each.
 */
export async function whoAlreadyTrained(db: DbOrTx, attendees: readonly Attendee[]): Promise<(attendee: Attendee) => boolean> {
  if (attendees.length === 0) return () => false;
  const wanted = JSON.stringify(attendees.map((attendee) => ({ household_id: attendee.householdId, module_id: attendee.moduleId })));
  const present = await db
    .selectDistinct({ householdId: enrolments.householdId, moduleId: trainingSessions.moduleId })
    .from(enrolments)
    .innerJoin(trainingSessions, eq(trainingSessions.id, enrolments.sessionId))
    .where(
      and(
        eq(enrolments.status, 'present'),
        sql`(${enrolments.householdId}, ${trainingSessions.moduleId}) in (select household_id, module_id from jsonb_to_recordset(${wanted}::jsonb) as wanted(household_id uuid, module_id uuid))`,
      ),
    );
  const trained = new Set(present.map(attendeeKey));
  return (attendee) => trained.has(attendeeKey(attendee));
}
