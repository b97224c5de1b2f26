import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.ts';
import type { FileStore } from '../files/file-store.ts';
import { fileListing, removeFile } from '../files/files.service.ts';
import { renderCertificatePdf } from './certificate-pdf.ts';
import { certificateStatement, certifiedWipe, type CertificateStatement } from './certificate-statement.ts';
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

/**
 * Signs and renders the certificate of the wipe that made a device `wiped`; one per event, ever.
 * The certificate is written with its file, in one statement after the PDF is stored: a
 * certificate is never listed without its PDF.
 */
export async function issueCertificate(
  db: Db,
  fileStore: FileStore,
  settings: { publicUrl: string; appSecret: string },
  eventId: number,
  // The workers draw on a thread of their own (workers/render-pool.ts).
  render = renderCertificatePdf,
): Promise<IssueOutcome> {
  const wipe = await certifiedWipe(db, eventId);
  if (!wipe) return 'unknown_event';
  if (wipe.certificate?.fileId) return 'already_issued';
  // One signed without its file (by a version that wrote the file after the certificate) keeps its id and signature.
  const signed = wipe.certificate;
  const id = signed?.id ?? randomUUID();
  const statement = (signed?.statement as CertificateStatement | undefined) ?? (await certificateStatement(db, id, wipe));
  const signature = signed?.signature ?? signStatement(certificateSigningKey(settings.appSecret), statement);
  const stored = await fileStore.write(`certificates/${id}.pdf`, (out) => render(statement, signature, `${settings.publicUrl}/verify/${id}`, out));
  const file = fileListing(db, stored, {
    organisationId: wipe.organisationId,
    kind: 'wipe_certificate',
    filename: `certificat-effacement-${statement.device.code}.pdf`,
    contentType: 'application/pdf',
    createdByUserId: wipe.actorUserId,
  });
  const fileId = sql`(select id from ${file})`;
  if (signed) {
    await db.with(file).update(wipeCertificates).set({ fileId }).where(eq(wipeCertificates.id, id));
    return 'issued';
  }
  const issued = await db
    .with(file)
    .insert(wipeCertificates)
    .values({ id, deviceId: wipe.device.id, eventId, statement, signature, fileId })
    .onConflictDoNothing()
    .returning({ fileId: wipeCertificates.fileId });
  if (issued.length > 0) return 'issued';
  // A run delivered twice at once: the other one issued it first; this one's PDF goes.
  await removeFile(db, fileStore, stored.key);
  return 'already_issued';
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
  const wipe = await certifiedWipe(db, certificate.eventId);
  const current = wipe && (await certificateStatement(db, certificate.id, wipe, signedRecords));
  const unchanged = current !== undefined && signatureHolds(certificateSigningKey(appSecret), current, signature);
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
