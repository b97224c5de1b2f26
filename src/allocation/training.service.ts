import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { DomainError, notFound, notFoundAsField, ValidationError } from '../errors.ts';
import { getSite } from '../organisations/sites.service.ts';
import { enrolments, programmes, trainingModules, trainingSessions } from './allocation.schema.ts';
import { moveRequest, requestForActor } from './requests.service.ts';
import { requireAllocationRight } from './rights.ts';

export async function createTrainingModule(db: DbOrTx, actor: Actor, input: { title: string; durationMinutes: number; topics: string[] }) {
  requireAllocationRight(actor, 'define_training_modules');
  const [module] = await db
    .insert(trainingModules)
    .values({ ...input, organisationId: actor.organisationId })
    .returning();
  return module!;
}

/** A session of a module at one of the organisation's places, with a number of seats. */
export async function createTrainingSession(
  db: DbOrTx,
  actor: Actor,
  input: { moduleId: string; siteId: string; startsAt: Date; capacity: number; trainerName: string },
) {
  requireAllocationRight(actor, 'run_training_sessions');
  const [module] = await db.select().from(trainingModules).where(eq(trainingModules.id, input.moduleId));
  if (!module) throw new ValidationError([{ path: 'moduleId', message: 'No training module has this id.' }]);
  const site = await getSite(db, actor, input.siteId).catch(notFoundAsField('siteId', 'No site of yours has this id.'));
  const [session] = await db
    .insert(trainingSessions)
    .values({ ...input, organisationId: site.organisationId })
    .returning();
  return { ...session!, placesLeft: session!.capacity };
}

/** Sessions to come (of one module, if asked), with the places left: the network's offer to families. */
export async function listTrainingSessions(db: DbOrTx, filter: { moduleId?: string }) {
  // A join, not a correlated subquery: drizzle writes the columns of a one-table select without
  // their table, so a subquery's "id" would have been the enrolment's own and counted nothing.
  const taken = db
    .select({ sessionId: enrolments.sessionId, enrolled: count().as('enrolled') })
    .from(enrolments)
    .groupBy(enrolments.sessionId)
    .as('taken');
  const rows = await db
    .select({ session: trainingSessions, enrolled: sql<number>`coalesce(${taken.enrolled}, 0)::int` })
    .from(trainingSessions)
    .leftJoin(taken, eq(taken.sessionId, trainingSessions.id))
    .where(and(filter.moduleId ? eq(trainingSessions.moduleId, filter.moduleId) : undefined, sql`${trainingSessions.startsAt} > now()`))
    .orderBy(asc(trainingSessions.startsAt));
  return rows.map((row) => ({ ...row.session, placesLeft: Math.max(0, row.session.capacity - row.enrolled) }));
}

/**
 * Books a request's household on a session of the programme's module. The session row is locked
 * while the seats are counted, so two bookings for the last seat cannot both succeed. A household
 * that already attended the module, when the programme lets that count, needs no new session.
 */
export async function enrolRequest(db: DbOrTx, actor: Actor, requestId: string, sessionId: string) {
  return db.transaction(async (tx) => {
    const request = await requestForActor(tx, actor, requestId, { lock: true });
    if (request.status !== 'reserved') {
      throw new DomainError(409, 'request_not_reserved', `A family is booked on a training once a device is reserved; this request is ${request.status}.`, {
        currentStatus: request.status,
      });
    }
    const [programme] = await tx.select().from(programmes).where(eq(programmes.id, request.programmeId));
    const [session] = await tx.select().from(trainingSessions).where(eq(trainingSessions.id, sessionId)).for('update');
    if (!session) throw new ValidationError([{ path: 'sessionId', message: 'No training session has this id.' }]);
    if (programme!.trainingModuleId && session.moduleId !== programme!.trainingModuleId) {
      throw new DomainError(409, 'wrong_module', 'This session is not of the training the programme requires.');
    }
    const taken = await tx.$count(enrolments, eq(enrolments.sessionId, session.id));
    if (taken >= session.capacity) throw new DomainError(409, 'session_full', `This session is full (${session.capacity} places); choose another.`);
    const [enrolment] = await tx
      .insert(enrolments)
      .values({ sessionId: session.id, requestId: request.id, householdId: request.householdId, recordedByUserId: actor.userId })
      .onConflictDoNothing()
      .returning();
    if (!enrolment) throw new DomainError(409, 'already_enrolled', 'This family is already booked on this session.');
    const updated = await moveRequest(tx, request, 'training_scheduled', { actorUserId: actor.userId, payload: { sessionId: session.id } });
    return { enrolment, request: updated };
  });
}

/**
 * The trainer's attendance sheet (émargement): present completes the training for the request;
 * absent sends the request back to `reserved`, to book another session.
 */
export async function recordAttendance(db: DbOrTx, actor: Actor, sessionId: string, input: { requestId: string; present: boolean }) {
  requireAllocationRight(actor, 'record_attendance');
  return db.transaction(async (tx) => {
    const request = await requestForActor(tx, actor, input.requestId, { lock: true });
    const [enrolment] = await tx
      .select()
      .from(enrolments)
      .where(and(eq(enrolments.sessionId, sessionId), eq(enrolments.requestId, request.id)));
    if (!enrolment) throw notFound('This family’s booking on this session');
    await tx
      .update(enrolments)
      .set({ status: input.present ? 'present' : 'absent', recordedByUserId: actor.userId })
      .where(eq(enrolments.id, enrolment.id));
    if (request.status !== 'training_scheduled') return request;
    return moveRequest(tx, request, input.present ? 'training_completed' : 'reserved', {
      actorUserId: actor.userId,
      reason: input.present ? undefined : 'Absent from the training session',
      payload: { sessionId },
    });
  });
}
