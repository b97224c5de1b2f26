import { createHash } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { seesWholeNetwork, type Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { DomainError, forbidden, ValidationError } from '../errors.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { getOrganisation } from '../organisations/organisations.service.ts';
import { canonicalJson, reuseAttestationSigningKey, signatureHolds, signStatement } from '../wiping/signing.ts';
import { attestationDate, reuseStatement, type PublicDonor, type ReuseStatement } from './attestation-statement.ts';
import { mayReadReuseAttestations } from './rights.ts';
import { retiredDeviceStocks, reuseAttestations } from './reuse.schema.ts';

/** The public donor an actor asks about: theirs (or any, for the coordinator), in a role that reads attestations. */
export async function publicDonorFor(db: DbOrTx, actor: Actor, organisationId: string): Promise<PublicDonor> {
  const organisation = await getOrganisation(db, actor, organisationId);
  if (!mayReadReuseAttestations(actor.role)) throw forbidden('Only the donor’s own accounts and the network coordinator read its reuse attestations.');
  if (organisation.kind !== 'donor' || !organisation.publicBody || organisation.siren === null) {
    throw new DomainError(
      409,
      'not_a_public_donor',
      `${organisation.name} is not a public donor (a donor organisation that is a public body, with its SIREN): it files no reuse attestation.`,
    );
  }
  return { id: organisation.id, name: organisation.name, siren: organisation.siren };
}

/** The public donors an actor may open the attestations of: its own organisation, or all of them for the coordinator. */
export async function publicDonorsFor(db: DbOrTx, actor: Actor) {
  if (!mayReadReuseAttestations(actor.role)) return [];
  return db
    .select({ id: organisations.id, name: organisations.name })
    .from(organisations)
    .where(
      and(
        eq(organisations.kind, 'donor'),
        eq(organisations.publicBody, true),
        seesWholeNetwork(actor) ? undefined : eq(organisations.id, actor.organisationId),
      ),
    )
    .orderBy(organisations.name);
}

/** A year can be attested, and its stock declared, once it has begun. */
async function requireYearBegun(db: DbOrTx, year: number) {
  const [row] = await db.execute<{ year: number }>(sql`select extract(year from now() at time zone 'Europe/Paris')::int as year`);
  if (year > row!.year) {
    throw new ValidationError([{ path: 'year', message: 'This year has not begun yet.', french: 'Cette année n’a pas encore commencé.' }]);
  }
}

/** The statement of a donor's year as it reads now, unsigned: what the donor's page shows. */
export async function currentReuseStatement(db: DbOrTx, actor: Actor, organisationId: string, year: number) {
  const donor = await publicDonorFor(db, actor, organisationId);
  await requireYearBegun(db, year);
  const { asOf, yearComplete } = await attestationDate(db, year);
  return reuseStatement(db, donor, year, asOf, yearComplete);
}

const digestOf = (statement: ReuseStatement) => createHash('sha256').update(canonicalJson(statement)).digest('hex');

export type ReuseAttestation = typeof reuseAttestations.$inferSelect & { statement: ReuseStatement };

/**
 * The signed attestation of a donor's year: signed on first ask, and the same one again while the
 * records say the same; once they change, the next ask signs the new statement, and the earlier
 * attestation stays verifiable (and reads as no longer valid).
 */
export async function issueReuseAttestation(db: DbOrTx, appSecret: string, actor: Actor, organisationId: string, year: number): Promise<ReuseAttestation> {
  const statement = await currentReuseStatement(db, actor, organisationId, year);
  const digest = digestOf(statement);
  const signature = signStatement(reuseAttestationSigningKey(appSecret), statement);
  // Two asks at once: the first insert wins, both answer the same attestation.
  await db.insert(reuseAttestations).values({ organisationId, year, statement, digest, signature }).onConflictDoNothing();
  const [attestation] = await db
    .select()
    .from(reuseAttestations)
    .where(and(eq(reuseAttestations.organisationId, organisationId), eq(reuseAttestations.year, year), eq(reuseAttestations.digest, digest)));
  return attestation as ReuseAttestation;
}

export type ReuseVerification = { status: 'valid' | 'altered' | 'bad_signature'; attestation: ReuseAttestation } | { status: 'unknown' };

/**
 * Checks an attestation as an auditor would: the signature must hold over the stored statement,
 * and the statement rebuilt from the records as they read now, at the attestation's date, must be
 * the one signed.
 */
export async function verifyReuseAttestation(db: DbOrTx, appSecret: string, id: string): Promise<ReuseVerification> {
  const [row] = await db.select().from(reuseAttestations).where(eq(reuseAttestations.id, id));
  if (!row) return { status: 'unknown' };
  const attestation = row as ReuseAttestation;
  const key = reuseAttestationSigningKey(appSecret);
  if (!signatureHolds(key, attestation.statement, attestation.signature)) return { status: 'bad_signature', attestation };
  const [organisation] = await db.select().from(organisations).where(eq(organisations.id, attestation.organisationId));
  const signed = attestation.statement;
  const current =
    organisation?.siren && organisation.publicBody
      ? await reuseStatement(
          db,
          { id: organisation.id, name: organisation.name, siren: organisation.siren },
          signed.year,
          new Date(signed.asOf),
          signed.yearComplete,
        )
      : null;
  const unchanged = current !== null && canonicalJson(current) === canonicalJson(signed);
  return { status: unchanged ? 'valid' : 'altered', attestation };
}

/** The latest attestation of a donor's year, if one was ever signed. */
export async function latestReuseAttestation(db: DbOrTx, actor: Actor, organisationId: string, year: number) {
  await publicDonorFor(db, actor, organisationId);
  const [row] = await db
    .select({ id: reuseAttestations.id, issuedAt: reuseAttestations.issuedAt })
    .from(reuseAttestations)
    .where(and(eq(reuseAttestations.organisationId, organisationId), eq(reuseAttestations.year, year)))
    .orderBy(desc(reuseAttestations.issuedAt))
    .limit(1);
  return row ?? null;
}

/**
 * An attestation as an auditor checks it without Boucle: the exact bytes signed (the statement's
 * canonical JSON, as UTF-8), the Ed25519 signature over them, and where the public key is.
 */
export function reuseAttestationForAuditors(attestation: ReuseAttestation, status: 'valid' | 'altered' | 'bad_signature', publicUrl: string) {
  return {
    attestationId: attestation.id,
    status,
    issuedAt: attestation.issuedAt.toISOString(),
    verifyUrl: `${publicUrl}/verify/reuse/${attestation.id}`,
    algorithm: 'Ed25519' as const,
    signedStatement: canonicalJson(attestation.statement),
    signature: attestation.signature,
    signatureEncoding: 'base64url' as const,
    publicKeyUrl: `${publicUrl}/api/keys/reuse-attestations`,
    statement: attestation.statement,
  };
}

/** The donor declares its retired IT equipment in stock on 1 January of a year (the décret's B); declared again, it replaces. */
export async function setRetiredStock(db: DbOrTx, actor: Actor, organisationId: string, year: number, input: { devices: number }) {
  await publicDonorFor(db, actor, organisationId);
  await requireYearBegun(db, year);
  const [stock] = await db
    .insert(retiredDeviceStocks)
    .values({ organisationId, year, devices: input.devices, updatedByUserId: actor.userId })
    .onConflictDoUpdate({
      target: [retiredDeviceStocks.organisationId, retiredDeviceStocks.year],
      set: { devices: input.devices, updatedByUserId: actor.userId, updatedAt: sql`now()` },
    })
    .returning();
  return { organisationId: stock!.organisationId, year: stock!.year, devices: stock!.devices, updatedAt: stock!.updatedAt };
}
