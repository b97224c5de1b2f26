import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { Db, DbOrTx, Tx } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { createJob } from '../jobs/jobs.service.ts';
import { enqueueInOutbox } from '../outbox/outbox.service.ts';
import { buildingFor } from './access.ts';
import { generatePassphrase, ssidFor } from './credentials.ts';
import { provisionableStatuses } from './deployments.lifecycle.ts';
import { deployments, networkDevices, wifiNetworks } from './deployments.schema.ts';
import { recordDeploymentStep } from './deployments.service.ts';
import { planLandings, type LandingPlan } from './landing-plan.ts';
import { apartments, buildings, residences } from './places.schema.ts';
import { passphraseContext, type SecretBox } from './secret-box.ts';

async function landingPlan(tx: DbOrTx, buildingId: string): Promise<LandingPlan> {
  const points = await tx
    .select({ id: networkDevices.id, assetCode: networkDevices.assetCode, floor: networkDevices.floor, ssidsPerRadio: networkDevices.ssidsPerRadio })
    .from(networkDevices)
    .where(and(eq(networkDevices.buildingId, buildingId), eq(networkDevices.kind, 'access_point')))
    .orderBy(asc(networkDevices.createdAt));
  const dwellings = await tx
    .select({ id: apartments.id, unit: apartments.unit, floor: apartments.floor, accessPointId: wifiNetworks.accessPointId })
    .from(apartments)
    .leftJoin(wifiNetworks, eq(wifiNetworks.apartmentId, apartments.id))
    .where(eq(apartments.buildingId, buildingId))
    .orderBy(asc(apartments.floor), asc(apartments.unit));
  return planLandings(
    points.map((point) => ({ ...point, floor: point.floor! })),
    dwellings,
  );
}

function refuseOverCapacity(plan: LandingPlan) {
  if (plan.refusals.length === 0) return;
  throw new DomainError(409, 'landing_over_capacity', plan.refusals.map((refusal) => refusal.message).join(' '), { landings: plan.refusals });
}

/**
 * Starts provisioning a building: checked at once (the deployment's step, every landing's
 * capacity), then run by a worker that the person follows as a job. The job and its queue entry
 * commit together (outbox).
 */
export async function startProvisioning(db: DbOrTx, actor: Actor, buildingId: string) {
  return db.transaction(async (tx) => {
    const { deployment } = await buildingFor(tx, actor, buildingId, 'field_work');
    if (!provisionableStatuses.includes(deployment!.status)) {
      throw new DomainError(
        409,
        'not_ready_to_provision',
        `Provisioning comes once the access points are installed; this building’s deployment is ${deployment!.status}.`,
        {
          currentStatus: deployment!.status,
        },
      );
    }
    const plan = await landingPlan(tx, buildingId);
    refuseOverCapacity(plan);
    const job = await createJob(tx, actor, deployment!.organisationId, 'wifi_provisioning', {
      total: plan.assignments.size,
      summary: { buildingId, warnings: plan.warnings.map((warning) => warning.message) },
    });
    await enqueueInOutbox(tx, 'wifi-provisioning', [{ name: 'wifi.provision', payload: { jobId: job.id } }]);
    return { job, warnings: plan.warnings };
  });
}

/**
 * Gives every apartment without a network its SSID (from the landlord's pattern, unique in the
 * residence) and a fresh passphrase, sealed before it is written, in one transaction: all the
 * building's apartments or none. Run twice, the second run finds nothing left to do.
 */
export async function provisionBuilding(db: Db, box: SecretBox, buildingId: string, actorUserId: string | null) {
  return db.transaction(async (tx: Tx) => {
    // One provisioning of a building at a time.
    const [deployment] = await tx.select().from(deployments).where(eq(deployments.buildingId, buildingId)).for('update');
    if (!deployment || !provisionableStatuses.includes(deployment.status)) {
      throw new DomainError(409, 'not_ready_to_provision', `This building’s deployment is ${deployment?.status ?? 'missing'}; it cannot be provisioned now.`);
    }
    const plan = await landingPlan(tx, buildingId);
    refuseOverCapacity(plan);
    const [place] = await tx
      .select({ building: buildings, residence: residences })
      .from(buildings)
      .innerJoin(residences, eq(residences.id, buildings.residenceId))
      .where(eq(buildings.id, buildingId));
    // Neighbouring buildings of the residence may be provisioned at the same time: serialise on the residence.
    await tx.select({ id: residences.id }).from(residences).where(eq(residences.id, place!.residence.id)).for('update');
    const taken = new Set(
      (await tx.select({ ssid: wifiNetworks.ssid }).from(wifiNetworks).where(eq(wifiNetworks.residenceId, place!.residence.id))).map((row) => row.ssid),
    );
    const withNetwork = new Set(
      (await tx.select({ id: wifiNetworks.apartmentId }).from(wifiNetworks).where(eq(wifiNetworks.buildingId, buildingId))).map((row) => row.id),
    );
    const dwellings = await tx.select().from(apartments).where(eq(apartments.buildingId, buildingId)).orderBy(asc(apartments.floor), asc(apartments.unit));
    const networks = dwellings
      .filter((candidate) => !withNetwork.has(candidate.id))
      .map((apartment) => {
        const ssid = ssidFor(
          deployment.ssidPattern,
          { residence: place!.residence.shortName, building: place!.building.name, unit: apartment.unit, floor: String(apartment.floor) },
          taken,
        );
        taken.add(ssid);
        return {
          organisationId: deployment.organisationId,
          apartmentId: apartment.id,
          buildingId,
          residenceId: place!.residence.id,
          accessPointId: plan.assignments.get(apartment.id)!,
          ssid,
          passphraseCiphertext: box.seal(generatePassphrase(deployment.passphraseLength), passphraseContext(apartment.id, 1)),
        };
      });
    // The building's networks in one statement (a tower is a few hundred apartments).
    if (networks.length > 0) await tx.insert(wifiNetworks).values(networks);
    const added = networks.map((network) => network.apartmentId);
    if (added.length > 0) {
      await tx
        .update(apartments)
        .set({ status: 'provisioned', updatedAt: new Date() })
        .where(and(inArray(apartments.id, added), eq(apartments.status, 'planned')));
    }
    if (deployment.status === 'access_points_installed') {
      await recordDeploymentStep(tx, deployment, 'provisioned', actorUserId, `${added.length} apartments provisioned`);
    }
    return { provisioned: added.length, warnings: plan.warnings };
  });
}
