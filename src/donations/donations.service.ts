import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { seesWholeNetwork, type Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { devices } from '../devices/devices.schema.ts';
import { benchRoles } from '../devices/lifecycle.ts';
import { forbidden, notFound, notFoundAsField, ValidationError } from '../errors.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import { getSite } from '../organisations/sites.service.ts';
import { siteStockCounters } from '../stock/stock.schema.ts';
import type { DonationInput } from './donations.input.ts';
import { donations } from './donations.schema.ts';

/** Today in France, as a calendar day (YYYY-MM-DD): the day a donation recorded now is collected. */
export const parisToday = (now = new Date()) => new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris' }).format(now);

/**
 * Donations an actor may see: those their organisation received; for a donor, those it gave;
 * everything for the coordinator.
 */
export function visibleDonations(actor: Actor): SQL | undefined {
  if (seesWholeNetwork(actor)) return undefined;
  if (actor.role === 'donor_viewer') return eq(donations.donorOrganisationId, actor.organisationId);
  return eq(donations.organisationId, actor.organisationId);
}

export async function createDonation(db: DbOrTx, actor: Actor, input: DonationInput) {
  if (!benchRoles.includes(actor.role)) throw forbidden('Your role cannot record donations.');
  // A donation is recorded as it is collected: a commitment dated later was not made beforehand.
  if (input.reuseCommitmentDate !== undefined && input.reuseCommitmentDate > parisToday()) {
    throw new ValidationError([
      {
        path: 'reuseCommitmentDate',
        message: 'The reuse commitment must be dated no later than the collection (today).',
        french: 'L’engagement de réemploi doit dater au plus tard du jour de la collecte (aujourd’hui).',
      },
    ]);
  }
  const site = await getSite(db, actor, input.collectionSiteId).catch(notFoundAsField('collectionSiteId', 'No site of yours has this id.'));
  if (input.donorOrganisationId) {
    const [donor] = await db.select().from(organisations).where(eq(organisations.id, input.donorOrganisationId));
    if (donor?.kind !== 'donor') {
      throw new ValidationError([{ path: 'donorOrganisationId', message: 'No donor organisation has this id.' }]);
    }
  }
  const [donation] = await db
    .insert(donations)
    .values({
      organisationId: site.organisationId,
      collectionSiteId: site.id,
      donorOrganisationId: input.donorOrganisationId,
      donorName: input.donor?.name,
      donorContact: input.donor?.contact,
      campaign: input.campaign,
      expectedCount: input.expectedCount,
      reuseCommitmentReference: input.reuseCommitmentReference,
      reuseCommitmentDate: input.reuseCommitmentDate,
      createdByUserId: actor.userId,
    })
    .returning();
  return getDonation(db, actor, donation!.id);
}

/**
 * A donation's devices and their statuses: counted on its devices for one donation (what the bench
 * sees as it registers them), read from the stock counters for a list (the workers' rollup, a
 * second or so behind: fifty lots of a thousand devices would otherwise be counted one by one).
 */
const deviceCounts = {
  live: {
    received: sql<number>`(select count(*)::int from ${devices} where ${devices.donationId} = ${donations.id})`,
    byStatus: sql<Record<string, number>>`coalesce((
      select jsonb_object_agg(status, n) from (
        select ${devices.status} as status, count(*)::int as n from ${devices}
        where ${devices.donationId} = ${donations.id} group by ${devices.status}
      ) counts), '{}'::jsonb)`,
  },
  counted: {
    received: sql<number>`(select coalesce(sum(${siteStockCounters.count}), 0)::int from ${siteStockCounters} where ${siteStockCounters.donationId} = ${donations.id})`,
    byStatus: sql<Record<string, number>>`coalesce((
      select jsonb_object_agg(status, n) from (
        select ${siteStockCounters.status} as status, sum(${siteStockCounters.count})::int as n from ${siteStockCounters}
        where ${siteStockCounters.donationId} = ${donations.id} group by ${siteStockCounters.status}
        having sum(${siteStockCounters.count}) <> 0
      ) counts), '{}'::jsonb)`,
  },
};

function donationQuery(db: DbOrTx, actor: Actor, counts: keyof typeof deviceCounts) {
  return db
    .select({
      id: donations.id,
      organisationId: donations.organisationId,
      collectionSiteId: donations.collectionSiteId,
      collectionSiteName: sites.name,
      donorOrganisationId: donations.donorOrganisationId,
      donorName: sql<string>`coalesce(${organisations.name}, ${donations.donorName})`,
      campaign: donations.campaign,
      expectedCount: donations.expectedCount,
      reuseCommitmentReference: donations.reuseCommitmentReference,
      reuseCommitmentDate: donations.reuseCommitmentDate,
      receivedCount: deviceCounts[counts].received,
      countsByStatus: deviceCounts[counts].byStatus,
      createdAt: donations.createdAt,
      // An individual donor's contact is for the receiving organisation, not for everyone who sees the lot.
      donorContact: actor.role === 'donor_viewer' ? sql<string | null>`null` : donations.donorContact,
    })
    .from(donations)
    .innerJoin(sites, eq(sites.id, donations.collectionSiteId))
    .leftJoin(organisations, eq(organisations.id, donations.donorOrganisationId))
    .$dynamic();
}

export async function getDonation(db: DbOrTx, actor: Actor, id: string) {
  const [donation] = await donationQuery(db, actor, 'live').where(and(eq(donations.id, id), visibleDonations(actor)));
  if (!donation) throw notFound('This donation');
  return donation;
}

export async function listDonations(db: DbOrTx, actor: Actor, filter: { limit: number }) {
  return donationQuery(db, actor, 'counted').where(visibleDonations(actor)).orderBy(desc(donations.createdAt)).limit(filter.limit);
}

/** A donation the actor's organisation received, for adding devices to it. */
export async function donationForIntake(db: DbOrTx, actor: Actor, id: string) {
  if (!benchRoles.includes(actor.role)) throw forbidden('Your role cannot register devices.');
  const [donation] = await db
    .select()
    .from(donations)
    .where(and(eq(donations.id, id), seesWholeNetwork(actor) ? undefined : eq(donations.organisationId, actor.organisationId)));
  if (!donation) throw notFound('This donation');
  return donation;
}
