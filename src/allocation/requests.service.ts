import { and, asc, eq, gte, inArray, sql } from 'drizzle-orm';
import { seesWholeNetwork, type Actor } from '../auth/actor.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { devices } from '../devices/devices.schema.ts';
import { assetCodeFromInput } from '../devices/devices.service.ts';
import { transitionDevice, type OnBehalfOfRequest } from '../devices/transitions.service.ts';
import { DomainError, isUniqueViolation, notFound, notFoundAsField } from '../errors.ts';
import { communeIsIn, territoriesOf } from '../geography/communes.ts';
import { sites } from '../organisations/organisations.schema.ts';
import { requestStatusLabels } from '../pages/fr.ts';
import { compareAndSet } from '../db/compare-and-set.ts';
import { findTransition, nextStatuses, notAllowedInFrench, transitionNotAllowed } from '../status-machine.ts';
import { equipmentRequests, households, type programmes, requestEvents, type Need } from './allocation.schema.ts';
import { getHousehold } from './households.service.ts';
import { getProgramme } from './programmes.service.ts';
import { requireAllocationRight } from './rights.ts';
import { holdingStatuses, requestTransitions, type RequestStatus } from './requests.lifecycle.ts';
import { alreadyTrained } from './attendance.ts';

type Request = typeof equipmentRequests.$inferSelect;

/** Requests are the mediator's organisation's, and the coordinator's to oversee. */
const visibleRequests = (actor: Actor) =>
  seesWholeNetwork(actor) ? undefined : actor.role === 'mediator' ? eq(equipmentRequests.organisationId, actor.organisationId) : sql`false`;

/**
 * Moves a request along its table, compare-and-set on its version, with one appended event: the
 * same discipline as a device transition.
 */
export async function moveRequest(
  tx: Tx,
  request: Request,
  to: RequestStatus,
  change: { actorUserId?: string | null; reason?: string; payload?: Record<string, unknown>; set?: Partial<Request> },
) {
  if (!findTransition(requestTransitions, request, to)) {
    const next = nextStatuses(requestTransitions, request);
    throw transitionNotAllowed(
      { currentStatus: request.status, allowedNextStatuses: next },
      {
        en: `A request that is ${request.status} cannot become ${to}; it can become ${next.join(', ') || 'nothing more: it is over'}.`,
        fr: notAllowedInFrench(requestStatusLabels, request.status, next),
      },
    );
  }
  const updated = await compareAndSet(
    tx,
    equipmentRequests,
    request,
    { ...change.set, status: to, statusReason: change.reason ?? null },
    () => new DomainError(409, 'request_changed', 'Someone changed this request at the same moment. Look at it again.'),
  );
  await tx.insert(requestEvents).values({
    requestId: request.id,
    fromStatus: request.status,
    toStatus: to,
    actorUserId: change.actorUserId ?? null,
    reason: change.reason,
    payload: change.payload ?? {},
  });
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

/**
 * The best ready device for a request: in the family's département first, then anywhere; within
 * each, best grade then longest on the shelf. Each step walks the partial index of ready devices
 * (kind, grade, updated_at) and stops at the first row it can lock: a device another reservation
 * is taking is skipped, not waited for, and no step sorts the whole stock.
 */
async function matchingDevice(tx: Tx, request: Request, programme: typeof programmes.$inferSelect, communeCode: string) {
  const ramGb = Math.max(request.need.minRamGb ?? 0, programme.minimumSpecs.ramGb ?? 0);
  const storageGb = Math.max(request.need.minStorageGb ?? 0, programme.minimumSpecs.storageGb ?? 0);
  const departement = territoriesOf(communeCode).find((territory) => territory.type === 'departement')?.code ?? communeCode.slice(0, 2);
  for (const nearby of [true, false]) {
    const [device] = await tx.execute<{ id: string; asset_code: string }>(sql`
      select d.id, d.asset_code from ${devices} d
      where d.status = 'ready' and d.kind = ${request.need.kind}
        and coalesce((d.specs ->> 'ramGb')::numeric, 0) >= ${ramGb}
        and coalesce((d.specs ->> 'storageGb')::numeric, 0) >= ${storageGb}
        ${nearby ? sql`and d.site_id in (select id from ${sites} where commune_code like ${`${departement}%`})` : sql``}
      order by d.grade asc nulls last, d.updated_at asc
      limit 1
      for update of d skip locked`);
    if (device) return device;
  }
  return undefined;
}

/**
 * Reserves a device for an eligible request: the one scanned or named, or the best match in stock.
 * The request takes the device first (a unique index allows one holding request per device), then
 * the device moves to `reserved` with its compare-and-set: of many reservations at once, a device
 * goes to one request only. A matched device another reservation is taking is skipped, not waited for.
 */
export async function reserveForRequest(db: DbOrTx, actor: Actor, requestId: string, input: { deviceCode?: string } = {}) {
  requireAllocationRight(actor, 'reserve_devices');
  return db.transaction(async (tx) => {
    const request = await requestForActor(tx, actor, requestId, { lock: true });
    if (request.status !== 'eligible') {
      throw new DomainError(409, 'request_not_eligible', `Only an eligible request gets a device; this one is ${request.status}.`, {
        currentStatus: request.status,
      });
    }
    const programme = await getProgramme(tx, request.programmeId);
    const [household] = await tx.select().from(households).where(eq(households.id, request.householdId));
    const [device] = input.deviceCode
      ? await tx
          .select({ id: devices.id, asset_code: devices.assetCode })
          .from(devices)
          .where(eq(devices.assetCode, assetCodeFromInput(input.deviceCode)))
      : [await matchingDevice(tx, request, programme, household!.communeCode)];
    if (!device) {
      throw input.deviceCode
        ? notFound(`Device ${input.deviceCode}`)
        : new DomainError(409, 'no_matching_device', `No ready ${request.need.kind} in stock meets this need yet.`);
    }
    const updated = await moveRequest(tx, request, 'reserved', {
      actorUserId: actor.userId,
      set: { reservedDeviceId: device.id, reservedUntil: new Date(Date.now() + programme.reservationDays * 86_400_000) },
    }).catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw new DomainError(409, 'device_taken', 'Another request holds this device already.');
      }
      throw error;
    });
    const change = await transitionDevice(
      tx,
      actor,
      { code: device.asset_code, to: 'reserved', payload: { requestId: request.id } },
      new Date(),
      onBehalfOf(request, device.id),
    );
    // No training to book when the programme requires none, or when the family already attended it.
    const trained =
      !programme.trainingModuleId || (programme.trainingValidForLaterRequests && (await alreadyTrained(tx, request.householdId, programme.trainingModuleId)));
    const current = trained
      ? await moveRequest(tx, updated, 'training_completed', {
          reason: programme.trainingModuleId ? 'The family already attended the training.' : 'The programme requires no training.',
        })
      : updated;
    return { request: current, device: change.device };
  });
}

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
