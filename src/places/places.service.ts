import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { requireAdmin } from '../organisations/organisations.service.ts';
import { getSite } from '../organisations/sites.service.ts';
import type { SitePlaceInput } from './places.input.ts';
import { sitePlaces } from './places.schema.ts';

/** Publishes a site as a place, or changes what it publishes (coordinator only); its `date_maj` becomes now. */
export async function publishSitePlace(db: DbOrTx, actor: Actor, siteId: string, input: SitePlaceInput) {
  requireAdmin(actor, 'publish places');
  await getSite(db, actor, siteId);
  const values = { ...input, siteId, updatedAt: sql`now()` };
  const [place] = await db.insert(sitePlaces).values(values).onConflictDoUpdate({ target: sitePlaces.siteId, set: values }).returning();
  return place!;
}

/** Withdraws a site from `/lieux` and the export (coordinator only); the site itself stays. */
export async function withdrawSitePlace(db: DbOrTx, actor: Actor, siteId: string) {
  requireAdmin(actor, 'withdraw places');
  await getSite(db, actor, siteId);
  await db.delete(sitePlaces).where(eq(sitePlaces.siteId, siteId));
}

/** What a site publishes as a place, for whoever sees the site; a site not published answers "not found". */
export async function getSitePlace(db: DbOrTx, actor: Actor, siteId: string) {
  await getSite(db, actor, siteId);
  const [place] = await db.select().from(sitePlaces).where(eq(sitePlaces.siteId, siteId));
  if (!place)
    throw new DomainError(404, 'not_found', 'This site is not published as a place: publish it with PUT /api/sites/{id}/place.', undefined, {
      detail: 'Ce lieu n’est pas publié sur la carte des lieux.',
    });
  return place;
}
