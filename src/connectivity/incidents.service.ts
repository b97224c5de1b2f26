import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { DomainError, notFound, ValidationError } from '../errors.ts';
import { incidentStatusLabels } from '../pages/fr.ts';
import { compareAndSet } from '../db/compare-and-set.ts';
import { findTransition, nextStatuses, notAllowedInFrench, transitionNotAllowed } from '../status-machine.ts';
import { buildingFor, visibleBuildings } from './access.ts';
import { deployments, networkDevices } from './deployments.schema.ts';
import { type IncidentCategory, incidentTransitions, type IncidentStatus, unresolvedStatuses, workingDaysToFix } from './incidents.rules.ts';
import { incidentEvents, incidents } from './incidents.schema.ts';
import { apartments, buildings } from './places.schema.ts';
import { dueDate, parisDate } from './working-days.ts';

export type IncidentInput = {
  buildingId: string;
  apartmentId?: string;
  networkDeviceId?: string;
  category: IncidentCategory;
  description: string;
};

/**
 * Opens an incident on a building, one of its apartments or one of its access points, by the
 * landlord's manager, the building's installer or the coordinator. Its due date follows the
 * category's time to fix, in working days (incidents.rules.ts).
 */
export async function openIncident(db: DbOrTx, actor: Actor, input: IncidentInput, now = new Date()) {
  return db.transaction(async (tx) => {
    const { building } = await buildingFor(tx, actor, input.buildingId, 'field_work').catch((error: unknown) => {
      if (error instanceof DomainError && error.status === 404)
        throw new ValidationError([{ path: 'buildingId', message: 'No building of yours has this id.' }]);
      throw error;
    });
    const problems = [];
    if (input.apartmentId) {
      const [apartment] = await tx
        .select({ id: apartments.id })
        .from(apartments)
        .where(and(eq(apartments.id, input.apartmentId), eq(apartments.buildingId, building.id)));
      if (!apartment) problems.push({ path: 'apartmentId', message: 'This building has no apartment with this id.' });
    }
    if (input.networkDeviceId) {
      const [device] = await tx
        .select({ id: networkDevices.id })
        .from(networkDevices)
        .where(and(eq(networkDevices.id, input.networkDeviceId), eq(networkDevices.buildingId, building.id)));
      if (!device) problems.push({ path: 'networkDeviceId', message: 'This building has no equipment with this id.' });
    }
    if (problems.length > 0) throw new ValidationError(problems);
    const [incident] = await tx
      .insert(incidents)
      .values({
        ...input,
        organisationId: building.organisationId,
        dueOn: dueDate(now, workingDaysToFix[input.category]),
        openedByUserId: actor.userId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await tx.insert(incidentEvents).values({ incidentId: incident!.id, toStatus: 'open', actorUserId: actor.userId, occurredAt: now });
    return incident!;
  });
}

export const overdueCondition = (today: string) => and(inArray(incidents.status, [...unresolvedStatuses]), lt(incidents.dueOn, today));

export type IncidentFilter = { buildingId?: string; status?: IncidentStatus; unresolved?: boolean; overdue?: boolean; limit: number };

/** Incidents of the buildings the actor sees; `unresolved` lists those still open or in progress, `overdue` those of them past their due date. */
export async function listIncidents(db: DbOrTx, actor: Actor, filter: IncidentFilter, now = new Date()) {
  const today = parisDate(now);
  const rows = await db
    .select({ incident: incidents, buildingName: buildings.name })
    .from(incidents)
    .innerJoin(buildings, eq(buildings.id, incidents.buildingId))
    .leftJoin(deployments, eq(deployments.buildingId, buildings.id))
    .where(
      and(
        visibleBuildings(actor),
        filter.buildingId ? eq(incidents.buildingId, filter.buildingId) : undefined,
        filter.status ? eq(incidents.status, filter.status) : undefined,
        filter.unresolved ? inArray(incidents.status, [...unresolvedStatuses]) : undefined,
        filter.overdue ? overdueCondition(today) : undefined,
      ),
    )
    .orderBy(filter.overdue ? asc(incidents.dueOn) : desc(incidents.createdAt))
    .limit(filter.limit);
  return rows.map(({ incident, buildingName }) => ({
    ...incident,
    buildingName,
    overdue: unresolvedStatuses.includes(incident.status) && incident.dueOn < today,
  }));
}

export async function getIncident(db: DbOrTx, actor: Actor, id: string) {
  const [incident] = await db.select().from(incidents).where(eq(incidents.id, id));
  if (!incident) throw notFound('This incident');
  await buildingFor(db, actor, incident.buildingId, 'read').catch(() => {
    throw notFound('This incident');
  });
  const events = await db.select().from(incidentEvents).where(eq(incidentEvents.incidentId, id)).orderBy(asc(incidentEvents.id));
  return { ...incident, events };
}

/** Moves an incident along (in progress, resolved with what was done, closed, or reopened), with a compare-and-set on its version. */
export async function changeIncidentStatus(db: DbOrTx, actor: Actor, id: string, change: { to: IncidentStatus; note?: string }) {
  return db.transaction(async (tx) => {
    const current = await getIncident(tx, actor, id);
    await buildingFor(tx, actor, current.buildingId, 'field_work');
    if (!findTransition(incidentTransitions, current, change.to)) {
      const next = nextStatuses(incidentTransitions, current);
      throw transitionNotAllowed(
        { currentStatus: current.status, allowedNextStatuses: next },
        {
          en: `An incident that is ${current.status} cannot become ${change.to}; it can become ${next.join(', ') || 'nothing: it is closed'}.`,
          fr: notAllowedInFrench(incidentStatusLabels, current.status, next),
        },
      );
    }
    if (change.to === 'resolved' && !change.note) throw new ValidationError([{ path: 'note', message: 'Say what was done to fix it.' }]);
    const changes = {
      status: change.to,
      resolution: change.to === 'resolved' ? change.note : change.to === 'open' ? null : undefined,
      resolvedAt: change.to === 'resolved' ? new Date() : change.to === 'open' ? null : undefined,
    };
    const updated = await compareAndSet(
      tx,
      incidents,
      current,
      changes,
      () => new DomainError(409, 'concurrent_change', 'Someone else changed this incident at the same moment; reload it and try again.'),
    );
    await tx.insert(incidentEvents).values({ incidentId: id, fromStatus: current.status, toStatus: change.to, actorUserId: actor.userId, note: change.note });
    return updated;
  });
}
