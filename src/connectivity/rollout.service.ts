import { asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import { seesWholeNetwork } from '../auth/actor.ts';
import { csvDocument } from '../csv.ts';
import type { DbOrTx } from '../db/client.ts';
import { notFound } from '../errors.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { deployments, wifiNetworks } from './deployments.schema.ts';
import { unresolvedStatuses } from './incidents.rules.ts';
import { incidents } from './incidents.schema.ts';
import { apartments, buildings, residences } from './places.schema.ts';
import { costRecoveryLabels, deploymentStatusLabels } from '../pages/fr.ts';
import { parisDate } from './working-days.ts';

const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10);

/**
 * A landlord's rollout, building by building: where each deployment is, how many apartments are
 * provisioned and opted in, the incidents waiting, and what the service costs each month. For the
 * landlord's managers and the coordinator.
 */
export async function landlordRollout(db: DbOrTx, actor: Actor, landlordId: string, now = new Date()) {
  const mayRead = seesWholeNetwork(actor) || (actor.role === 'landlord_manager' && actor.organisationId === landlordId);
  const [landlord] = mayRead ? await db.select().from(organisations).where(eq(organisations.id, landlordId)) : [];
  if (landlord?.kind !== 'landlord') throw notFound('This landlord');
  const today = parisDate(now);
  const unresolved = sql.raw(`(${unresolvedStatuses.map((status) => `'${status}'`).join(', ')})`);
  const rows = await db
    .select({
      buildingId: buildings.id,
      residence: residences.name,
      building: buildings.name,
      address: buildings.address,
      communeCode: buildings.communeCode,
      status: deployments.status,
      suspendedReason: deployments.suspendedReason,
      monthlyCostCents: deployments.monthlyCostCents,
      costRecovery: deployments.costRecovery,
      apartments: sql<number>`(select count(*)::int from ${apartments} a where a.building_id = ${buildings.id})`,
      provisioned: sql<number>`(select count(*)::int from ${wifiNetworks} w where w.building_id = ${buildings.id})`,
      optedIn: sql<number>`(select count(*)::int from ${apartments} a where a.building_id = ${buildings.id} and a.opt_in = 'in')`,
      optedOut: sql<number>`(select count(*)::int from ${apartments} a where a.building_id = ${buildings.id} and a.opt_in = 'out')`,
      openIncidents: sql<number>`(select count(*)::int from ${incidents} i where i.building_id = ${buildings.id} and i.status in ${unresolved})`,
      overdueIncidents: sql<number>`(select count(*)::int from ${incidents} i where i.building_id = ${buildings.id} and i.status in ${unresolved} and i.due_on < ${today})`,
    })
    .from(buildings)
    .innerJoin(residences, eq(residences.id, buildings.residenceId))
    .innerJoin(deployments, eq(deployments.buildingId, buildings.id))
    .where(eq(buildings.organisationId, landlordId))
    .orderBy(asc(residences.name), asc(buildings.name));
  const items = rows.map((row) => ({
    ...row,
    optedInPercent: percent(row.optedIn, row.apartments),
    // The service is included for every apartment, used or not: the cost does not depend on opt-in.
    monthlyChargesTotalCents: row.monthlyCostCents === null ? null : row.monthlyCostCents * row.apartments,
  }));
  const sum = (pick: (item: (typeof items)[number]) => number | null) => items.reduce((total, item) => total + (pick(item) ?? 0), 0);
  const byStatus = Object.fromEntries(
    [...new Set(items.map((item) => item.status))].map((status) => [status, items.filter((item) => item.status === status).length]),
  );
  return {
    landlord: { id: landlord.id, name: landlord.name },
    buildings: items,
    totals: {
      buildings: items.length,
      byStatus,
      apartments: sum((item) => item.apartments),
      provisioned: sum((item) => item.provisioned),
      optedIn: sum((item) => item.optedIn),
      optedInPercent: percent(
        sum((item) => item.optedIn),
        sum((item) => item.apartments),
      ),
      openIncidents: sum((item) => item.openIncidents),
      overdueIncidents: sum((item) => item.overdueIncidents),
      monthlyChargesTotalCents: sum((item) => item.monthlyChargesTotalCents),
    },
    generatedAt: now,
  };
}

export type Rollout = Awaited<ReturnType<typeof landlordRollout>>;

const euros = (cents: number | null) => (cents === null ? '' : (cents / 100).toFixed(2).replace('.', ','));

/** The rollout as a spreadsheet opens it in France. */
export function rolloutCsv(rollout: Rollout): string {
  const header = [
    'résidence',
    'bâtiment',
    'adresse',
    'commune',
    'statut',
    'logements',
    'provisionnés',
    'adhérents',
    'adhésion (%)',
    'refus',
    'incidents ouverts',
    'incidents en retard',
    'coût mensuel par logement (€)',
    'total mensuel (€)',
    'récupération du coût',
  ];
  const rows = rollout.buildings.map((item) => [
    item.residence,
    item.building,
    item.address,
    item.communeCode,
    deploymentStatusLabels[item.status],
    item.apartments,
    item.provisioned,
    item.optedIn,
    String(item.optedInPercent).replace('.', ','),
    item.optedOut,
    item.openIncidents,
    item.overdueIncidents,
    euros(item.monthlyCostCents),
    euros(item.monthlyChargesTotalCents),
    item.costRecovery ? costRecoveryLabels[item.costRecovery] : '',
  ]);
  return csvDocument(header, rows);
}
