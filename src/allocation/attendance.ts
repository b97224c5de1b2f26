import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.ts';
import { enrolments, trainingSessions } from './allocation.schema.ts';

/** Whether the household already attended this module (for programmes where that counts again). */
export async function alreadyTrained(db: DbOrTx, householdId: string, moduleId: string) {
  const [row] = await db
    .select({ id: enrolments.id })
    .from(enrolments)
    .innerJoin(trainingSessions, eq(trainingSessions.id, enrolments.sessionId))
    .where(and(eq(enrolments.householdId, householdId), eq(enrolments.status, 'present'), eq(trainingSessions.moduleId, moduleId)))
    .limit(1);
  return Boolean(row);
}
