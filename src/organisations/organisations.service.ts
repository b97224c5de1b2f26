import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { seesWholeNetwork, type Actor } from '../auth/actor.ts';
import type { DbOrTx, Tx } from '../db/client.ts';
import { forbidden, notFound } from '../errors.ts';
import { organisations } from './organisations.schema.ts';
import type { OrganisationKind, PublicContact } from './organisations.types.ts';

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

/**
 * The network's coordinator organisation, created on first need. The lock makes it one however
 * many processes ask at once (the first admin's bootstrap, the service account of the workers).
 */
export async function networkCoordinator(tx: Tx) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('boucle:coordinator'))`);
  const [existing] = await tx.select().from(organisations).where(eq(organisations.kind, 'coordinator')).orderBy(asc(organisations.createdAt)).limit(1);
  if (existing) return existing;
  const [created] = await tx.insert(organisations).values({ name: 'Coordination du réseau', shortName: 'Coordination', kind: 'coordinator' }).returning();
  return created!;
}
