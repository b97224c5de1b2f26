import { createHash, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { ValidationError } from '../errors.ts';
import type { FileStore } from '../files/file-store.ts';
import { files } from '../files/files.schema.ts';
import { recordFile, storeUpload } from '../files/files.service.ts';
import { backgroundJobs, type JobLineError } from '../jobs/jobs.schema.ts';
import { createJob, finishJob, getJob, recordProgress, startJob } from '../jobs/jobs.service.ts';
import { enqueueInOutbox } from '../outbox/outbox.service.ts';
import { donations } from './donations.schema.ts';
import { donationForIntake } from './donations.service.ts';
import { decodeUploadedText } from '../text.ts';
import { parseIntakeCsv, type IntakeLine } from './intake-csv.ts';
import { registerDevices } from './intake.service.ts';

/** Lines per transaction: each chunk commits its devices and the job's progress together. */
const linesPerChunk = 250;

/**
 * What identifies an inventory: the lines as they read, not the bytes, so the same spreadsheet
 * saved again (another encoding, separator or line ending) is still the same inventory.
 */
const inventoryFingerprint = (lines: IntakeLine[]) => createHash('sha256').update(JSON.stringify(lines)).digest('hex');

/**
 * The import that already took this inventory into this donation, if any. A line without a serial
 * number cannot be recognised among the devices, so the file is: a failed import took nothing for
 * sure and does not count, nor does an import answered as a repeat of another.
 */
async function importOfSameInventory(tx: DbOrTx, donation: { id: string; organisationId: string }, fingerprint: string) {
  const [earlier] = await tx
    .select({ id: backgroundJobs.id, filename: sql<string>`${backgroundJobs.summary} ->> 'filename'`, createdAt: backgroundJobs.createdAt })
    .from(backgroundJobs)
    .where(
      and(
        eq(backgroundJobs.organisationId, donation.organisationId),
        eq(backgroundJobs.kind, 'intake_import'),
        sql`${backgroundJobs.summary} ->> 'donationId' = ${donation.id}`,
        sql`${backgroundJobs.summary} ->> 'inventorySha256' = ${fingerprint}`,
        sql`not (${backgroundJobs.summary} ? 'alreadyImportedBy')`,
        ne(backgroundJobs.state, 'failed'),
      ),
    )
    .orderBy(asc(backgroundJobs.createdAt))
    .limit(1);
  return earlier;
}

/**
 * Accepts an inventory file for a donation: checks that it reads as CSV with the needed columns
 * (so an operator learns at once that the file is wrong), stores it, and queues the import. The
 * same inventory sent again to the same donation gets a job that is done at once, adds nothing
 * and names the import that took it (`summary.alreadyImportedBy`).
 */
export async function startIntakeImport(db: DbOrTx, fileStore: FileStore, actor: Actor, input: { donationId: string; filename: string; content: Uint8Array }) {
  const donation = await donationForIntake(db, actor, input.donationId);
  const parsed = parseIntakeCsv(decodeUploadedText(input.content));
  if (!parsed.ok) throw new ValidationError([{ path: 'file', message: parsed.reason }]);
  const fingerprint = inventoryFingerprint(parsed.lines);
  return storeUpload(fileStore, `imports/${randomUUID()}.csv`, input.content, (stored) =>
    db.transaction(async (tx) => {
      // Uploads into one donation take turns: two sends of one file at once never both import it.
      // (no key update: devices being inserted into the donation do not block an upload, nor it them.)
      await tx.select({ id: donations.id }).from(donations).where(eq(donations.id, donation.id)).for('no key update');
      const earlier = await importOfSameInventory(tx, donation, fingerprint);
      const job = await createJob(tx, actor, donation.organisationId, 'intake_import', {
        total: parsed.lines.length,
        summary: { donationId: donation.id, filename: input.filename, inventorySha256: fingerprint },
      });
      await recordFile(tx, stored, {
        organisationId: donation.organisationId,
        kind: 'intake_csv',
        filename: input.filename,
        contentType: 'text/csv',
        jobId: job.id,
        createdByUserId: actor.userId,
      });
      if (earlier) {
        await recordProgress(tx, job.id, { processed: parsed.lines.length });
        await finishJob(tx, job.id, {
          state: 'succeeded',
          summary: {
            created: 0,
            refused: 0,
            lines: parsed.lines.length,
            alreadyImportedBy: { jobId: earlier.id, filename: earlier.filename, importedAt: earlier.createdAt.toISOString() },
          },
        });
      } else {
        await enqueueInOutbox(tx, 'intake-imports', [{ name: 'intake-import.run', payload: { jobId: job.id } }]);
      }
      return getJob(tx, actor, job.id);
    }),
  );
}

export type ImportOutcome = 'imported' | 'already_done' | 'unknown_job';

/**
 * Runs an import chunk by chunk. A chunk's devices, its line errors and the job's progress commit
 * together, and a chunk starts only where the committed progress says: a job delivered twice, or
 * retried after a crash, goes on where it stopped and never imports a line twice.
 */
export async function runIntakeImport(db: Db, fileStore: FileStore, jobId: string): Promise<ImportOutcome> {
  const job = await startJob(db, jobId);
  if (!job) {
    const [exists] = await db.select({ id: backgroundJobs.id }).from(backgroundJobs).where(eq(backgroundJobs.id, jobId));
    return exists ? 'already_done' : 'unknown_job';
  }
  const [input] = await db.select().from(files).where(eq(files.jobId, jobId));
  const donationId = String(job.summary.donationId);
  const [donation] = await db.select().from(donations).where(eq(donations.id, donationId));
  if (!input || !donation || !job.createdByUserId) {
    await finishJob(db, jobId, { state: 'failed', reason: 'The uploaded file or its donation is missing.' });
    return 'imported';
  }
  const parsed = parseIntakeCsv(decodeUploadedText(await buffer(fileStore.read(input.storageKey))));
  if (!parsed.ok) {
    await finishJob(db, jobId, { state: 'failed', reason: parsed.reason });
    return 'imported';
  }
  const by = { userId: job.createdByUserId, organisationId: job.organisationId };
  for (let start = job.processed; start < parsed.lines.length; start += linesPerChunk) {
    const chunk = parsed.lines.slice(start, start + linesPerChunk);
    const done = await db.transaction(async (tx) => {
      // The job row is the chunk's lock: a second runner waits here, then sees the chunk is done.
      const [current] = await tx.select().from(backgroundJobs).where(eq(backgroundJobs.id, jobId)).for('update');
      if (!current || current.processed !== start) return false;
      const readable = chunk.filter((line) => line.ok);
      const outcomes = await registerDevices(
        tx,
        by,
        donation,
        readable.map((line) => line.device),
      );
      const errors: JobLineError[] = chunk.flatMap((line) => (line.ok ? [] : [{ line: line.line, row: line.row, message: line.reason }]));
      outcomes.forEach((outcome, index) => {
        if (!outcome.ok) errors.push({ line: readable[index]!.line, row: readable[index]!.row, message: outcome.message });
      });
      errors.sort((a, b) => a.line - b.line);
      await tx
        .update(backgroundJobs)
        .set({
          processed: start + chunk.length,
          errors: sql`${backgroundJobs.errors} || ${JSON.stringify(errors)}::jsonb`,
          summary: sql`${backgroundJobs.summary} || jsonb_build_object(
            'created', coalesce((${backgroundJobs.summary} ->> 'created')::int, 0) + ${outcomes.filter((outcome) => outcome.ok).length}::int)`,
        })
        .where(eq(backgroundJobs.id, jobId));
      return true;
    });
    if (!done) return 'already_done';
  }
  const [final] = await db.select().from(backgroundJobs).where(eq(backgroundJobs.id, jobId));
  await finishJob(db, jobId, { state: 'succeeded', summary: { refused: final!.errors.length, lines: parsed.lines.length } });
  return 'imported';
}
