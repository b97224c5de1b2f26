import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { DomainError, ValidationError } from '../errors.ts';
import { getOrganisation } from '../organisations/organisations.service.ts';
import { buildingFor } from './access.ts';
import { ssidPatternProblem } from './credentials.ts';
import { type CostRecovery, type DeploymentGuard, type DeploymentStatus, deploymentTransitions, findDeploymentTransition, type FilteringPolicy, type SecurityMode } from './deployments.lifecycle.ts';
import { deploymentEvents, deployments, networkDevices, wifiNetworks } from './deployments.schema.ts';
import { apartments } from './places.schema.ts';
import { invalidateLetters, startOutputsJob } from './outputs.service.ts';

export type Deployment = typeof deployments.$inferSelect;

export async function getDeployment(db: DbOrTx, actor: Actor, buildingId: string) {
  const { deployment } = await buildingFor(db, actor, buildingId, 'read');
  const events = await db.select().from(deploymentEvents).where(eq(deploymentEvents.deploymentId, deployment!.id)).orderBy(asc(deploymentEvents.id));
  const nextSteps = deploymentTransitions
    .filter((transition) => transition.from.includes(deployment!.status) && transition.roles.includes(actor.role))
    .map((transition) => ({ to: transition.to, action: transition.action }));
  return { ...deployment!, events, nextSteps };
}

export type DeploymentSettings = Partial<{
  ispOrganisationId: string | null;
  securityMode: SecurityMode;
  filtering: FilteringPolicy;
  monthlyCostCents: number | null;
  costStartsOn: string | null;
  costRecovery: CostRecovery | null;
  ssidPattern: string;
  passphraseLength: number;
  supportContact: string | null;
}>;

/** Settings tenants' letters and access points carry: changing one once provisioned renews them. */
const printedSettings = ['securityMode', 'filtering', 'supportContact'] as const;

/**
 * The landlord's choices for a building: its installer, security, filtering and cost. The cost
 * and the way it is recovered are the landlord's to state; none is assumed.
 */
export async function updateDeploymentSettings(db: DbOrTx, actor: Actor, buildingId: string, settings: DeploymentSettings) {
  const patternProblem = settings.ssidPattern === undefined ? undefined : ssidPatternProblem(settings.ssidPattern);
  if (patternProblem) throw new ValidationError([{ path: 'ssidPattern', message: patternProblem }]);
  if (settings.ispOrganisationId) {
    const isp = await getOrganisation(db, { ...actor, role: 'admin' }, settings.ispOrganisationId).catch(() => undefined);
    if (!isp || isp.kind !== 'isp') throw new ValidationError([{ path: 'ispOrganisationId', message: 'No internet provider or installer organisation has this id.' }]);
  }
  return db.transaction(async (tx) => {
    const { deployment } = await buildingFor(tx, actor, buildingId, 'manage');
    const [updated] = await tx
      .update(deployments)
      .set({ ...settings, version: sql`${deployments.version} + 1`, updatedAt: new Date() })
      .where(eq(deployments.id, deployment!.id))
      .returning();
    const renewsOutputs = printedSettings.some((key) => settings[key] !== undefined && settings[key] !== deployment![key]);
    if (renewsOutputs && (await invalidateLetters(tx, buildingId)) > 0) await startOutputsJob(tx, actor, updated!);
    return updated!;
  });
}

/** What a guard finds wrong, in words for the person on site; undefined when it holds. */
async function guardProblem(tx: Tx, guard: DeploymentGuard, deployment: Deployment, reason: string | undefined): Promise<string | undefined> {
  switch (guard) {
    case 'isp_assigned':
      return deployment.ispOrganisationId ? undefined : 'No installer is assigned to this building yet: the landlord chooses one first.';
    case 'box_installed':
      return deployment.boxId ? undefined : 'Register the fibre box installed at the foot of the building first (scan its label).';
    case 'every_landing_has_an_access_point': {
      const uncovered = await tx.execute<{ floor: number }>(sql`
        select distinct a.floor from ${apartments} a
        where a.building_id = ${deployment.buildingId}
          and not exists (select 1 from ${networkDevices} n where n.building_id = a.building_id and n.kind = 'access_point' and n.floor = a.floor)
        order by a.floor`);
      const [{ value: apartmentCount } = { value: 0 }] = await tx.select({ value: count() }).from(apartments).where(eq(apartments.buildingId, deployment.buildingId));
      if (apartmentCount === 0) return 'The building has no apartment recorded yet.';
      return uncovered.length === 0 ? undefined : `No access point is installed on landing ${uncovered.map((row) => row.floor).join(', ')}, where apartments are.`;
    }
    case 'every_apartment_provisioned': {
      const missing = await tx
        .select({ unit: apartments.unit })
        .from(apartments)
        .leftJoin(wifiNetworks, eq(wifiNetworks.apartmentId, apartments.id))
        .where(and(eq(apartments.buildingId, deployment.buildingId), isNull(wifiNetworks.id)));
      return missing.length === 0 ? undefined : `Apartment ${missing.map((row) => row.unit).join(', ')} has no Wi-Fi network yet: provision the building again.`;
    }
    case 'reason_given':
      return reason ? undefined : 'Say why the service is suspended.';
  }
}

/**
 * Moves a building's deployment one step, in one transaction: the guards are checked, the status
 * changes with a compare-and-set on the version read (two people recording the same step at once:
 * one wins, the other is told), and the change is appended to the deployment's events.
 * From `suspended`, the only way is back to the status it was suspended from.
 */
export async function transitionDeployment(db: DbOrTx, actor: Actor, buildingId: string, request: { to: DeploymentStatus; note?: string }) {
  return db.transaction(async (tx) => {
    const { deployment } = await buildingFor(tx, actor, buildingId, 'field_work');
    const current = deployment!;
    const resuming = current.status === 'suspended' && request.to === current.suspendedFrom;
    const transition = resuming ? undefined : findDeploymentTransition(current.status, request.to);
    if (!resuming && (!transition || !transition.roles.includes(actor.role))) {
      const possible = deploymentTransitions.filter((candidate) => candidate.from.includes(current.status)).map((candidate) => candidate.to);
      const next = current.status === 'suspended' ? [current.suspendedFrom!] : possible;
      throw new DomainError(409, 'transition_not_allowed', `A deployment that is ${current.status} cannot go to ${request.to}; it can go to ${next.join(', ') || 'nothing by hand (provisioning sets the next step)'}.`, {
        currentStatus: current.status,
        allowed: next,
      });
    }
    for (const guard of transition?.guards ?? []) {
      const problem = await guardProblem(tx, guard, current, request.note);
      if (problem) throw new DomainError(409, 'guard_failed', problem, { guard });
    }
    const [updated] = await tx
      .update(deployments)
      .set({
        status: request.to,
        suspendedFrom: request.to === 'suspended' ? current.status : null,
        suspendedReason: request.to === 'suspended' ? request.note : null,
        version: sql`${deployments.version} + 1`,
        updatedAt: new Date(),
      })
      .where(and(eq(deployments.id, current.id), eq(deployments.version, current.version)))
      .returning();
    if (!updated) throw new DomainError(409, 'concurrent_change', 'Someone else changed this deployment at the same moment; reload it and try again.');
    await tx.insert(deploymentEvents).values({ deploymentId: current.id, fromStatus: current.status, toStatus: request.to, actorUserId: actor.userId, organisationId: actor.organisationId, note: request.note });
    return updated;
  });
}

/** Records a step taken by a worker (provisioning done), with the same event trail. */
export async function recordDeploymentStep(tx: Tx, deployment: Deployment, to: DeploymentStatus, actorUserId: string | null, note: string) {
  const [updated] = await tx
    .update(deployments)
    .set({ status: to, version: sql`${deployments.version} + 1`, updatedAt: new Date() })
    .where(and(eq(deployments.id, deployment.id), eq(deployments.status, deployment.status)))
    .returning();
  if (updated) await tx.insert(deploymentEvents).values({ deploymentId: deployment.id, fromStatus: deployment.status, toStatus: to, actorUserId, note });
  return updated;
}
