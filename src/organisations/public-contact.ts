import { eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { getOrganisation, requireAdmin } from './organisations.service.ts';
import { organisations, sites } from './organisations.schema.ts';
import type { PublicContact } from './organisations.types.ts';

const publishes = (contact: PublicContact) => Boolean(contact.publicPhone || contact.publicEmail);

export async function setOrganisationPublicContact(db: DbOrTx, actor: Actor, id: string, contact: Partial<PublicContact>) {
  requireAdmin(actor, 'publish an organisation’s contact');
  await getOrganisation(db, actor, id);
  const [organisation] = await db.update(organisations).set(contact).where(eq(organisations.id, id)).returning();
  return organisation!;
}

/**
 * Whom to contact about a device, as its public card shows it: the organisation that holds it,
 * through the contact the site where the device is publishes, otherwise its own. The site's name
 * stays off the card, as before (where a device is kept is nobody's business).
 */
export async function holderPublicContact(db: DbOrTx, device: { siteId: string; organisationId: string }) {
  const [row] = await db
    .select({
      // The id first: drizzle reads a left-joined object as absent when its first column is null.
      site: { id: sites.id, publicPhone: sites.publicPhone, publicEmail: sites.publicEmail },
      organisation: { name: organisations.name, publicPhone: organisations.publicPhone, publicEmail: organisations.publicEmail },
    })
    .from(organisations)
    .leftJoin(sites, eq(sites.id, device.siteId))
    .where(eq(organisations.id, device.organisationId));
  if (!row) return null;
  if (row.site && publishes(row.site)) return { name: row.organisation.name, phone: row.site.publicPhone, email: row.site.publicEmail };
  if (publishes(row.organisation)) return { name: row.organisation.name, phone: row.organisation.publicPhone, email: row.organisation.publicEmail };
  return null;
}
