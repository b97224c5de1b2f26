import { and, asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { DomainError, ValidationError } from '../errors.ts';
import { getOrganisation } from '../organisations/organisations.service.ts';
import { deploymentStatusLabels } from '../pages/fr.ts';
import { compareAndSet } from '../db/compare-and-set.ts';
import { failedGuards, findTransition, guardsFailed, nextStatuses, notAllowedInFrench, transitionNotAllowed, transitionsFrom } from '../status-machine.ts';
import { buildingFor } from './access.ts';
import { ssidPatternProblem } from './credentials.ts';
import { deploymentGuards } from './deployments.guards.ts';
import { type CostRecovery, type DeploymentStatus, deploymentTransitions, type FilteringPolicy, type SecurityMode } from './deployments.lifecycle.ts';
import { deploymentEvents, deployments } from './deployments.schema.ts';
import { invalidateLetters, startOutputsJob } from './outputs.service.ts';

export type Deployment = typeof deployments.$inferSelect;

export async function getDeployment(db: DbOrTx, actor: Actor, buildingId: string) {
  const { deployment } = await buildingFor(db, actor, buildingId, 'read');
  const events = await db.select().from(deploymentEvents).where(eq(deploymentEvents.deploymentId, deployment!.id)).orderBy(asc(deploymentEvents.id));
  const nextSteps = transitionsFrom(deploymentTransitions, deployment!)
    .filter((transition) => transition.roles.includes(actor.role))
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
    if (isp?.kind !== 'isp') throw new ValidationError([{ path: 'ispOrganisationId', message: 'No internet provider or installer organisation has this id.' }]);
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

/**
 * Moves a building's deployment one step, in one transaction: every guard is checked, the status
 * changes with a compare-and-set on the version read (two people recording the same step at once:
 * one wins, the other is told), and the change is appended to the deployment's events.
 * From `suspended`, the only way is back to the status it was suspended from.
 */
export async function transitionDeployment(db: DbOrTx, actor: Actor, buildingId: string, request: { to: DeploymentStatus; note?: string }) {
  return db.transaction(async (tx) => {
    const { deployment } = await buildingFor(tx, actor, buildingId, 'field_work');
    const current = deployment!;
    const next = nextStatuses(deploymentTransitions, current);
    const standing = { currentStatus: current.status, allowedNextStatuses: next };
    const transition = findTransition(deploymentTransitions, current, request.to);
    if (!transition?.roles.includes(actor.role)) {
      throw transitionNotAllowed(standing, {
        en: `A deployment that is ${current.status} cannot go to ${request.to}; it can go to ${next.join(', ') || 'nothing by hand (provisioning sets the next step)'}.`,
        fr: `${notAllowedInFrench(deploymentStatusLabels, current.status, next)}${next.length === 0 ? ' La création des réseaux fait passer à l’étape suivante.' : ''}`,
      });
    }
    const failed = await failedGuards(deploymentGuards, transition.guards, { tx, deployment: current, note: request.note });
    if (failed.length > 0) throw guardsFailed(standing, failed);
    const changes = {
      status: request.to,
      suspendedFrom: request.to === 'suspended' ? current.status : null,
      suspendedReason: request.to === 'suspended' ? request.note : null,
    };
    const updated = await compareAndSet(
      tx,
      deployments,
      current,
      changes,
      () => new DomainError(409, 'concurrent_change', 'Someone else changed this deployment at the same moment; reload it and try again.'),
    );
    await tx.insert(deploymentEvents).values({
      deploymentId: current.id,
      fromStatus: current.status,
      toStatus: request.to,
      actorUserId: actor.userId,
      organisationId: actor.organisationId,
      note: request.note,
    });
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
