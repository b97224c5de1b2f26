import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.ts';
import { statement } from '../db/statement.ts';
import { deviceEvents } from '../devices/devices.schema.ts';
import type { FileStore } from '../files/file-store.ts';
import { recordFile } from '../files/files.service.ts';
import { renderCertificatePdf } from './certificate-pdf.ts';
import { certificateStatement, type CertificateStatement } from './certificate-statement.ts';
import { canonicalJson, certificateSigningKey, signatureHolds, signStatement } from './signing.ts';
import { wipeCertificates } from './wiping.schema.ts';

/** A device's wipe certificates, oldest first: what its passport links to. */
export async function certificatesOfDevice(db: DbOrTx, deviceId: string) {
  return db
    .select({ id: wipeCertificates.id, issuedAt: wipeCertificates.issuedAt })
    .from(wipeCertificates)
    .where(eq(wipeCertificates.deviceId, deviceId))
    .orderBy(asc(wipeCertificates.issuedAt));
}

export type IssueOutcome = 'issued' | 'already_issued' | 'unknown_event';

// The worker's reads for every certificate, built once (see statement.ts).
const eventToCertify = statement('event_to_certify', (db) =>
  db
    .select({ deviceId: deviceEvents.deviceId, organisationId: deviceEvents.organisationId, actorUserId: deviceEvents.actorUserId })
    .from(deviceEvents)
    .where(eq(deviceEvents.id, sql.placeholder('eventId'))),
);
const certificateOfEvent = statement('certificate_of_event', (db) =>
  db
    .select()
    .from(wipeCertificates)
    .where(eq(wipeCertificates.eventId, sql.placeholder('eventId'))),
);

/** Signs and renders the certificate of the wipe that made a device `wiped`; one per event, ever. */
export async function issueCertificate(
  db: Db,
  fileStore: FileStore,
  settings: { publicUrl: string; appSecret: string },
  eventId: number,
): Promise<IssueOutcome> {
  const [event] = await eventToCertify(db, { eventId });
  if (!event) return 'unknown_event';
  let [certificate] = await certificateOfEvent(db, { eventId });
  if (certificate?.fileId) return 'already_issued';
  if (!certificate) {
    const id = randomUUID();
    const statement = await certificateStatement(db, id, eventId);
    if (!statement) return 'unknown_event';
    const signature = signStatement(certificateSigningKey(settings.appSecret), statement);
    // A run delivered twice at once: the first insert wins, the other renders the same certificate.
    [certificate] = await db.insert(wipeCertificates).values({ id, deviceId: event.deviceId, eventId, statement, signature }).onConflictDoNothing().returning();
    certificate ??= (await certificateOfEvent(db, { eventId }))[0];
  }
  const statement = certificate!.statement as CertificateStatement;
  const stored = await fileStore.write(`certificates/${certificate!.id}.pdf`, (out) =>
    renderCertificatePdf(statement, certificate!.signature, `${settings.publicUrl}/verify/${certificate!.id}`, out),
  );
  const file = await recordFile(db, stored, {
    organisationId: event.organisationId,
    kind: 'wipe_certificate',
    filename: `certificat-effacement-${statement.device.code}.pdf`,
    contentType: 'application/pdf',
    createdByUserId: event.actorUserId,
  });
  await db.update(wipeCertificates).set({ fileId: file.id }).where(eq(wipeCertificates.id, certificate!.id));
  return 'issued';
}

export type Verification =
  | { status: 'valid' | 'altered' | 'bad_signature'; statement: CertificateStatement; signature: string; issuedAt: Date }
  | { status: 'unknown' };

/**
 * Checks a certificate as a donor or an auditor would: the signature must hold over the stored
 * statement, and the records must still say what was signed.
 */
export async function verifyCertificate(db: DbOrTx, appSecret: string, id: string): Promise<Verification> {
  const [certificate] = await db.select().from(wipeCertificates).where(eq(wipeCertificates.id, id));
  if (!certificate) return { status: 'unknown' };
  const statement = certificate.statement as CertificateStatement;
  const { signature, issuedAt } = certificate;
  if (!signatureHolds(certificateSigningKey(appSecret), statement, signature)) return { status: 'bad_signature', statement, signature, issuedAt };
  const signedRecords = statement.media.map((medium) => medium.sanitization?.recordId ?? null);
  const current = await certificateStatement(db, certificate.id, certificate.eventId, signedRecords);
  const unchanged = current !== null && signatureHolds(certificateSigningKey(appSecret), current, signature);
  return { status: unchanged ? 'valid' : 'altered', statement, signature, issuedAt };
}

/**
 * A certificate as an auditor checks it without Boucle: the exact bytes that were signed (the
 * statement's canonical JSON, as UTF-8), the Ed25519 signature over them, and where the public key
 * is published; `crypto.verify(null, bytes, publicKey, signature)` must answer true. `status` is
 * Boucle's own check, which also compares the statement with the records as they read now.
 */
export function verificationForAuditors(verification: Exclude<Verification, { status: 'unknown' }>, publicUrl: string) {
  return {
    certificateId: verification.statement.certificateId,
    status: verification.status,
    issuedAt: verification.issuedAt.toISOString(),
    algorithm: 'Ed25519' as const,
    signedStatement: canonicalJson(verification.statement),
    signature: verification.signature,
    signatureEncoding: 'base64url' as const,
    publicKeyUrl: `${publicUrl}/api/keys/certificates`,
    statement: verification.statement,
  };
}
