import { and, asc, eq, gte, inArray, sql } from 'drizzle-orm';
import { seesWholeNetwork, type Actor } from '../auth/actor.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { devices } from '../devices/devices.schema.ts';
import { transitionDevice, type OnBehalfOfRequest } from '../devices/transitions.service.ts';
import { DomainError, notFound, notFoundAsField } from '../errors.ts';
import { communeIsIn } from '../geography/communes.ts';
import { requestStatusLabels } from '../pages/fr.ts';
import { compareAndSetEach } from '../db/compare-and-set.ts';
import { findTransition, nextStatuses, notAllowedInFrench, transitionNotAllowed } from '../status-machine.ts';
import { equipmentRequests, type households, type programmes, requestEvents, type Need } from './allocation.schema.ts';
import { getHousehold } from './households.service.ts';
import { getProgramme } from './programmes.service.ts';
import { requireAllocationRight } from './rights.ts';
import { holdingStatuses, requestTransitions, type RequestStatus } from './requests.lifecycle.ts';

type Request = typeof equipmentRequests.$inferSelect;

/** Requests are the mediator's organisation's, and the coordinator's to oversee. */
const visibleRequests = (actor: Actor) =>
  seesWholeNetwork(actor) ? undefined : actor.role === 'mediator' ? eq(equipmentRequests.organisationId, actor.organisationId) : sql`false`;

export type RequestChange = { actorUserId?: string | null; reason?: string; payload?: Record<string, unknown>; set?: Partial<Request> };
/** One step along the request's table. */
export type RequestStep = { to: RequestStatus; change: RequestChange };
/** A request's steps written at once: one, or several in a row (reserved, then training_completed). */
export type RequestMove = { request: Request; steps: readonly RequestStep[] };

function refuseUnlessAllowed(from: RequestStatus, to: RequestStatus) {
  if (findTransition(requestTransitions, { status: from }, to)) return;
  const next = nextStatuses(requestTransitions, { status: from });
  throw transitionNotAllowed(
    { currentStatus: from, allowedNextStatuses: next },
    {
      en: `A request that is ${from} cannot become ${to}; it can become ${next.join(', ') || 'nothing more: it is over'}.`,
      fr: notAllowedInFrench(requestStatusLabels, from, next),
    },
  );
}

/**
 * Moves a request along its table, compare-and-set on its version, with one appended event: the
 * same discipline as a device transition.
 */
export async function moveRequest(tx: Tx, request: Request, to: RequestStatus, change: RequestChange) {
  const [moved] = await moveRequests(tx, [{ request, steps: [{ to, change }] }]);
  return moved!;
}

/**
 * moveRequest for many requests at once, each by one step or several in a row (the matching round
 * reserves, and goes on to training_completed where no training is to be booked): every step is
 * checked against the table from where the step before leaves the request, then each request is
 * written once, compare-and-set on the version it was read at (the version counts every step, as
 * if each had been written on its own), and every step appends its event, all in one statement
 * (the rows as one JSON parameter). The requests of one batch set the same columns. Returns them
 * as moved, in the order given.
 */
export async function moveRequests(tx: Tx, moves: readonly RequestMove[]) {
  if (moves.length === 0) return [];
  const events: Record<string, unknown>[] = [];
  const writes = moves.map(({ request, steps }) => {
    let status = request.status;
    let set: Partial<Request> = {};
    for (const { to, change } of steps) {
      refuseUnlessAllowed(status, to);
      events.push({
        request_id: request.id,
        from_status: status,
        to_status: to,
        actor_user_id: change.actorUserId ?? null,
        reason: change.reason ?? null,
        payload: change.payload ?? {},
      });
      set = { ...set, ...change.set, status: to, statusReason: change.reason ?? null };
      status = to;
    }
    return { row: request, set, steps: steps.length };
  });
  const updated = await compareAndSetEach(
    tx,
    equipmentRequests,
    writes,
    () => new DomainError(409, 'request_changed', 'Someone changed this request at the same moment. Look at it again.'),
  );
  await tx.execute(sql`
    insert into ${requestEvents} (request_id, from_status, to_status, actor_user_id, reason, payload)
    select e.request_id, e.from_status, e.to_status, e.actor_user_id, e.reason, e.payload
    from jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
      as e(request_id uuid, from_status request_status, to_status request_status, actor_user_id uuid, reason text, payload jsonb)`);
  return updated;
}

/** Why a household cannot have this under the programme, or null when it can. */
async function ineligibility(tx: Tx, household: typeof households.$inferSelect, programme: typeof programmes.$inferSelect, need: Need) {
  const attested = new Set(household.attestations.map((attestation) => attestation.criterion));
  const missing = programme.eligibilityCriteria.filter((criterion) => !attested.has(criterion));
  if (missing.length > 0) return `Not attested for this household: ${missing.join(', ')}.`;
  if (!communeIsIn(household.communeCode, programme.territories))
    return `The household's commune (${household.communeCode}) is outside the programme's territory.`;
  if (!programme.deviceKinds.includes(need.kind)) return `The programme grants ${programme.deviceKinds.join(', ')}, not ${need.kind}.`;
  if (programme.yearlyQuota !== null) {
    const startOfYear = new Date(Date.UTC(new Date().getUTCFullYear(), 0, 1));
    const granted = await tx.$count(
      equipmentRequests,
      and(
        eq(equipmentRequests.programmeId, programme.id),
        gte(equipmentRequests.createdAt, startOfYear),
        inArray(equipmentRequests.status, [...holdingStatuses, 'handed_over', 'closed']),
      ),
    );
    if (granted >= programme.yearlyQuota) return `The programme's quota for this year (${programme.yearlyQuota}) is reached.`;
  }
  return null;
}

/** A mediator files a request for a family; it is checked against the programme at once. */
export async function submitRequest(db: DbOrTx, actor: Actor, input: { householdId: string; programmeId: string; need: Need }) {
  requireAllocationRight(actor, 'file_requests');
  return db.transaction(async (tx) => {
    const household = await getHousehold(tx, actor, input.householdId).catch(notFoundAsField('householdId', 'No family of yours has this id.'));
    const programme = await getProgramme(tx, input.programmeId).catch(notFoundAsField('programmeId', 'No programme has this id.'));
    const [request] = await tx
      .insert(equipmentRequests)
      .values({ organisationId: actor.organisationId, householdId: household.id, programmeId: programme.id, need: input.need, createdByUserId: actor.userId })
      .returning();
    await tx.insert(requestEvents).values({ requestId: request!.id, toStatus: 'submitted', actorUserId: actor.userId });
    const reason = await ineligibility(tx, household, programme, input.need);
    return moveRequest(tx, request!, reason ? 'ineligible' : 'eligible', { actorUserId: actor.userId, reason: reason ?? undefined });
  });
}

/** A request the actor may act on, locked for the transaction when asked. */
export async function requestForActor(tx: DbOrTx, actor: Actor, id: string, options: { lock?: boolean } = {}) {
  const query = tx
    .select()
    .from(equipmentRequests)
    .where(and(eq(equipmentRequests.id, id), visibleRequests(actor)));
  const [request] = options.lock ? await query.for('update') : await query;
  if (!request) throw notFound('This request');
  return request;
}

export async function getRequest(db: DbOrTx, actor: Actor, id: string) {
  const [request] = await db
    .select()
    .from(equipmentRequests)
    .where(and(eq(equipmentRequests.id, id), visibleRequests(actor)));
  if (!request) throw notFound('This request');
  const history = await db.select().from(requestEvents).where(eq(requestEvents.requestId, id)).orderBy(asc(requestEvents.id));
  return { ...request, history };
}

export async function listRequests(db: DbOrTx, actor: Actor, filter: { status?: RequestStatus }) {
  return db
    .select()
    .from(equipmentRequests)
    .where(and(visibleRequests(actor), filter.status ? eq(equipmentRequests.status, filter.status) : undefined))
    .orderBy(asc(equipmentRequests.createdAt));
}

/**
 * The leave to take this request's steps (reserve, release, hand over) on the device it names,
 * wherever the device is in the network: given once the actor was found to act on the request.
 * The device's event still names the person acting, with their own role checked.
 */
export const onBehalfOf = (request: { id: string }, deviceId: string): OnBehalfOfRequest => ({ onBehalfOfRequest: { requestId: request.id, deviceId } });

/** Gives the device back to stock and the request back to `eligible`, with the reason (released, expired). */
export async function releaseReservation(db: DbOrTx, actor: Actor, requestId: string, reason: string) {
  return endReservation(db, actor, requestId, 'eligible', reason);
}

/**
 * Ends a request for good (the family no longer needs the device, or the handover is done and
 * filed): a device still held goes back to stock in the same transaction.
 */
export async function finishRequest(db: DbOrTx, actor: Actor, requestId: string, outcome: 'cancelled' | 'closed', reason?: string) {
  if (outcome === 'closed') {
    return db.transaction(async (tx) => {
      const request = await requestForActor(tx, actor, requestId, { lock: true });
      return moveRequest(tx, request, 'closed', { actorUserId: actor.userId, reason });
    });
  }
  return endReservation(db, actor, requestId, 'cancelled', reason ?? 'Cancelled');
}

/** Moves a request out of its reservation (to eligible or cancelled) and gives the device it held back to stock. */
async function endReservation(db: DbOrTx, actor: Actor, requestId: string, to: 'eligible' | 'cancelled', reason: string) {
  return db.transaction(async (tx) => {
    const request = await requestForActor(tx, actor, requestId, { lock: true });
    const holding = request.reservedDeviceId && (holdingStatuses as readonly RequestStatus[]).includes(request.status);
    if (!holding && to === 'eligible') {
      throw new DomainError(409, 'nothing_reserved', 'This request holds no device.', { currentStatus: request.status });
    }
    const updated = await moveRequest(tx, request, to, { actorUserId: actor.userId, reason, set: { reservedDeviceId: null, reservedUntil: null } });
    if (holding) {
      const [device] = await tx.select({ code: devices.assetCode }).from(devices).where(eq(devices.id, request.reservedDeviceId!));
      await transitionDevice(
        tx,
        actor,
        { code: device!.code, to: 'ready', note: reason, payload: { requestId } },
        new Date(),
        onBehalfOf(request, request.reservedDeviceId!),
      );
    }
    return updated;
  });
}
