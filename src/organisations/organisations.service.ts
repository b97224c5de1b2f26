import { and, eq, type SQL } from 'drizzle-orm';
import { seesWholeNetwork, type Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { forbidden, notFound } from '../errors.ts';
import { organisations } from './organisations.schema.ts';
import type { OrganisationKind } from './organisations.types.ts';
import type { PublicContact } from './public-contact.ts';

export function requireAdmin(actor: Actor, what: string): void {
  if (!seesWholeNetwork(actor)) throw forbidden(`Only the network coordinator can ${what}.`);
}

/** Rows owned by an organisation, narrowed to the actor's own unless they oversee the network. */
export function ownedBy(actor: Actor, organisationIdColumn: Parameters<typeof eq>[0]): SQL | undefined {
  return seesWholeNetwork(actor) ? undefined : eq(organisationIdColumn, actor.organisationId);
}

export async function createOrganisation(
  db: DbOrTx,
  actor: Actor,
  input: { name: string; shortName: string; kind: OrganisationKind } & Partial<PublicContact>,
) {
  requireAdmin(actor, 'create organisations');
  const [organisation] = await db.insert(organisations).values(input).returning();
  return organisation!;
}

export async function listOrganisations(db: DbOrTx, actor: Actor) {
  return db.select().from(organisations).where(ownedBy(actor, organisations.id)).orderBy(organisations.name);
}

export async function getOrganisation(db: DbOrTx, actor: Actor, id: string) {
  const [organisation] = await db
    .select()
    .from(organisations)
    .where(and(eq(organisations.id, id), ownedBy(actor, organisations.id)));
  if (!organisation) throw notFound('This organisation');
  return organisation;
}

/** Donor organisations: the network's shared directory, from which any bench records a lot. */
export async function listDonorOrganisations(db: DbOrTx) {
  return db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(eq(organisations.kind, 'donor')).orderBy(organisations.name);
}
