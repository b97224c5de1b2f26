import { and, eq, sql } from 'drizzle-orm';
import { seesWholeNetwork, type Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { DomainError, notFound, ValidationError } from '../errors.ts';
import { lookUpCommune } from '../geography/communes.ts';
import { households } from './allocation.schema.ts';
import { requireAllocationRight } from './rights.ts';

/** Only the mediation structure that follows a family, and the coordinator, ever see it. */
export function visibleHouseholds(actor: Actor) {
  if (seesWholeNetwork(actor)) return undefined;
  if (actor.role !== 'mediator') return sql`false`;
  return eq(households.organisationId, actor.organisationId);
}

export type NewHousehold = {
  reference: string;
  communeCode: string;
  size: number;
  contactPhone?: string;
  contactEmail?: string;
  attestations: string[];
  consent: true;
};

/** Records a family with the minimum: what was attested is kept with who attested it and when. */
export async function createHousehold(db: DbOrTx, actor: Actor, input: NewHousehold) {
  requireAllocationRight(actor, 'record_families');
  const commune = lookUpCommune(input.communeCode);
  if (!commune.ok) throw new ValidationError([{ path: 'communeCode', message: commune.message, french: commune.french }]);
  const now = new Date();
  const [household] = await db
    .insert(households)
    .values({
      organisationId: actor.organisationId,
      reference: input.reference,
      communeCode: commune.commune.code,
      size: input.size,
      contactPhone: input.contactPhone,
      contactEmail: input.contactEmail,
      attestations: [...new Set(input.attestations)].map((criterion) => ({ criterion, byUserId: actor.userId, at: now.toISOString() })),
      consentRecordedAt: now,
      consentRecordedByUserId: actor.userId,
    })
    .onConflictDoNothing()
    .returning();
  if (!household) throw new DomainError(409, 'reference_taken', `Your organisation already has a family with the reference ${input.reference}.`);
  return household;
}

export async function listHouseholds(db: DbOrTx, actor: Actor) {
  return db.select().from(households).where(visibleHouseholds(actor)).orderBy(households.reference);
}

export async function getHousehold(db: DbOrTx, actor: Actor, id: string) {
  const [household] = await db
    .select()
    .from(households)
    .where(and(eq(households.id, id), visibleHouseholds(actor)));
  if (!household) throw notFound('This household');
  return household;
}
