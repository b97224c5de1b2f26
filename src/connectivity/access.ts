import { eq, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { forbidden, notFound } from '../errors.ts';
import { deployments } from './deployments.schema.ts';
import { buildings, residences } from './places.schema.ts';

/**
 * Who may do what on a building's shared Wi-Fi:
 * - the landlord's managers: everything on their own buildings;
 * - the installers of the ISP assigned to the building's deployment: the field work (statuses,
 *   equipment, incidents) and the passphrases they configure, on that building only;
 * - the network's coordinator: everything but the passphrases, which stay between the landlord,
 *   its installer and the tenants.
 * Anyone else does not see the building at all (404), so its existence does not leak.
 */
export type BuildingRight = 'read' | 'manage' | 'field_work' | 'passphrases';

const rightsByRelation = {
  landlord: ['read', 'manage', 'field_work', 'passphrases'],
  installer: ['read', 'field_work', 'passphrases'],
  coordinator: ['read', 'manage', 'field_work'],
} as const satisfies Record<string, readonly BuildingRight[]>;

/** How an actor stands to a building: its landlord, its installer, or the network's coordinator. */
export type BuildingRelation = keyof typeof rightsByRelation;

/** Whether this relation to a building carries this right (the table above). */
export const hasBuildingRight = (relation: BuildingRelation, right: BuildingRight) => (rightsByRelation[relation] as readonly BuildingRight[]).includes(right);

/** Whether the building's Wi-Fi passphrases may be shown (the tenants' letters, the access points' configurations). */
export const canRevealPassphrase = (relation: BuildingRelation) => hasBuildingRight(relation, 'passphrases');

const refusals: Record<BuildingRight, string> = {
  read: 'You cannot see this building.',
  manage: 'Only the landlord’s managers and the network coordinator can change this building’s deployment.',
  field_work: 'Only the landlord’s managers, the installer assigned to this building and the coordinator can record field work.',
  passphrases: 'Only the landlord’s managers and the installer assigned to this building can see Wi-Fi passphrases.',
};

function relationOf(actor: Actor, building: { organisationId: string }, ispOrganisationId: string | null): BuildingRelation | undefined {
  if (actor.role === 'admin') return 'coordinator';
  if (actor.role === 'landlord_manager' && actor.organisationId === building.organisationId) return 'landlord';
  if (actor.role === 'installer' && ispOrganisationId !== null && actor.organisationId === ispOrganisationId) return 'installer';
  return undefined;
}

/** Buildings the actor sees, as a condition on a query joining `buildings` and (left) `deployments`. */
export function visibleBuildings(actor: Actor): SQL | undefined {
  if (actor.role === 'admin') return undefined;
  if (actor.role === 'landlord_manager') return eq(buildings.organisationId, actor.organisationId);
  if (actor.role === 'installer') return eq(deployments.ispOrganisationId, actor.organisationId);
  return sql`false`;
}

/** A building the actor may act on with this right, with its residence and deployment; 404 when not visible, 403 when visible but not allowed. */
export async function buildingFor(db: DbOrTx, actor: Actor, buildingId: string, right: BuildingRight) {
  const [found] = await db
    .select({ building: buildings, residence: residences, deployment: deployments })
    .from(buildings)
    .innerJoin(residences, eq(residences.id, buildings.residenceId))
    .leftJoin(deployments, eq(deployments.buildingId, buildings.id))
    .where(eq(buildings.id, buildingId));
  const relation = found && relationOf(actor, found.building, found.deployment?.ispOrganisationId ?? null);
  if (!found || !relation) throw notFound('This building');
  if (!hasBuildingRight(relation, right)) throw forbidden(refusals[right]);
  return { ...found, relation };
}
