import { and, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { notFound, ValidationError } from '../errors.ts';
import { lookUpCommune } from '../geography/communes.ts';
import { getOrganisation, ownedBy, requireAdmin } from './organisations.service.ts';
import { sites } from './organisations.schema.ts';
import type { PublicContact, SiteKind } from './organisations.types.ts';

export type SiteInput = {
  name: string;
  kind: SiteKind;
  address: string;
  postalCode?: string;
  communeCode: string;
} & Partial<PublicContact>;

export function checkCommune(communeCode: string): void {
  const lookup = lookUpCommune(communeCode);
  if (!lookup.ok) throw new ValidationError([{ path: 'communeCode', message: lookup.message, french: lookup.french }]);
}

export async function createSite(db: DbOrTx, actor: Actor, input: SiteInput & { organisationId: string }) {
  requireAdmin(actor, 'create sites');
  await getOrganisation(db, actor, input.organisationId);
  checkCommune(input.communeCode);
  const [site] = await db.insert(sites).values(input).returning();
  return site!;
}

export async function updateSite(db: DbOrTx, actor: Actor, id: string, changes: Partial<SiteInput>) {
  await getSite(db, actor, id);
  requireAdmin(actor, 'change sites');
  if (changes.communeCode !== undefined) checkCommune(changes.communeCode);
  const [site] = await db.update(sites).set(changes).where(eq(sites.id, id)).returning();
  return site!;
}

export async function listSites(db: DbOrTx, actor: Actor, filter: { organisationId?: string } = {}) {
  return db
    .select()
    .from(sites)
    .where(and(ownedBy(actor, sites.organisationId), filter.organisationId ? eq(sites.organisationId, filter.organisationId) : undefined))
    .orderBy(sites.name);
}

/** A site the actor may see; another organisation's site answers "not found", as if it did not exist. */
export async function getSite(db: DbOrTx, actor: Actor, id: string) {
  const [site] = await db
    .select()
    .from(sites)
    .where(and(eq(sites.id, id), ownedBy(actor, sites.organisationId)));
  if (!site) throw notFound('This site');
  return site;
}
