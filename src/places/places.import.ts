import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { parisToday } from '../donations/donations.service.ts';
import { readCsvTable, streamCsvRows } from '../csv.ts';
import { ValidationError } from '../errors.ts';
import type { FileStore } from '../files/file-store.ts';
import { files } from '../files/files.schema.ts';
import { recordFile, storeUpload } from '../files/files.service.ts';
import { backgroundJobs, type JobLineError } from '../jobs/jobs.schema.ts';
import { createJob, finishJob, getJob, recordProgress, startJob } from '../jobs/jobs.service.ts';
import { requireAdmin } from '../organisations/organisations.service.ts';
import { enqueueInOutbox } from '../outbox/outbox.service.ts';
import { decodeUploadedText } from '../text.ts';
import { nationalStandard, requiredColumns } from './national-standard.ts';
import { cellsOf, columnsOf, type ExternalPlaceValues, type FieldProblem, readPlaceLine } from './place-lines.ts';
import { externalPlaces, sitePlaces } from './places.schema.ts';

/**
 * Other actors' places, from a file in the national schema (a neighbour network's, or the national
 * consolidated export of some 20,000 lines): checked at once for its header, then read by a worker
 * line by line, each valid line upserted by the schema's `id`. A place is replaced only by a line
 * with a newer `date_maj`: the same file sent again changes nothing, and an older one is counted
 * and ignored. A line carrying the id of one of the network's own places is refused: those are
 * Boucle's to publish, never to overwrite.
 */

/** Lines per transaction: a chunk's places, its refusals and the job's progress commit together. */
const linesPerChunk = 500;
/** A file that is not UTF-8 is read as Windows-1252 (what French spreadsheets still save) up to this size. */
const transcodedAtMost = 5 * 1024 * 1024;

/** What a summary counts, each line in exactly one of them. */
export const importCounts = ['created', 'updated', 'unchanged', 'olderIgnored', 'refused'] as const;
export type ImportCount = (typeof importCounts)[number];

const fileRefusal = (message: string, french: string) => new ValidationError([{ path: 'file', message, french }]);

/** The file as the worker reads it: UTF-8, the schema's encoding (an older spreadsheet's Windows-1252 is converted). */
function asUtf8(content: Uint8Array): Uint8Array {
  if (isUtf8(content)) return content;
  if (content.length > transcodedAtMost)
    throw fileRefusal(
      'The file is not UTF-8, the national schema’s encoding: save it again as "CSV UTF-8".',
      'Le fichier n’est pas en UTF-8, l’encodage du schéma national : enregistrez-le à nouveau en « CSV UTF-8 ».',
    );
  return new TextEncoder().encode(decodeUploadedText(content));
}

/** The header line, read without decoding the whole file: the national file is too large to hold as text. */
function headerOf(content: Uint8Array): string[] {
  const start = content.subarray(0, 256 * 1024);
  const end = start.findIndex((byte) => byte === 0x0a || byte === 0x0d);
  const text = new TextDecoder().decode(end === -1 ? start : start.subarray(0, end));
  const table = readCsvTable(text);
  return table.ok ? table.header : [];
}

/**
 * Accepts a file of places for import (coordinator only): refuses at once an empty file, or one
 * whose header lacks the schema's required columns; stores it and queues its import.
 */
export async function startPlaceImport(db: DbOrTx, fileStore: FileStore, actor: Actor, input: { filename: string; content: Uint8Array }) {
  requireAdmin(actor, 'import other actors’ places');
  const content = asUtf8(input.content);
  const text = new TextDecoder().decode(content.subarray(0, 4096)).replace(/^\uFEFF/, '');
  if (text.trim() === '') throw fileRefusal('The file is empty.', 'Le fichier est vide.');
  const { missing } = columnsOf(headerOf(content));
  if (missing.length > 0)
    throw fileRefusal(
      `The header line lacks the national schema's column(s) ${missing.join(', ')} (schema ${nationalStandard.name} ${nationalStandard.version}: ${requiredColumns.join(', ')} are required).`,
      `La ligne d’en-tête n’a pas la ou les colonnes ${missing.join(', ')} du schéma national des lieux de médiation numérique (obligatoires : ${requiredColumns.join(', ')}).`,
    );
  return storeUpload(fileStore, `imports/places-${randomUUID()}.csv`, content, (stored) =>
    db.transaction(async (tx) => {
      const job = await createJob(tx, actor, actor.organisationId, 'place_import', {
        summary: { filename: input.filename, ...Object.fromEntries(importCounts.map((count) => [count, 0])) },
      });
      await recordFile(tx, stored, {
        organisationId: actor.organisationId,
        kind: 'place_import_csv',
        filename: input.filename,
        contentType: 'text/csv',
        jobId: job.id,
        createdByUserId: actor.userId,
      });
      await enqueueInOutbox(tx, 'place-imports', [{ name: 'place-import.run', payload: { jobId: job.id } }]);
      return getJob(tx, actor, job.id);
    }),
  );
}

/** The imports of places, latest first, as the coordinator follows them. */
export async function listPlaceImports(db: DbOrTx, actor: Actor, limit = 10) {
  requireAdmin(actor, 'follow the imports of places');
  return db.select().from(backgroundJobs).where(eq(backgroundJobs.kind, 'place_import')).orderBy(desc(backgroundJobs.createdAt)).limit(limit);
}

type ReadLine = { line: number; row: number } & ({ ok: true; place: ExternalPlaceValues } | { ok: false; problems: FieldProblem[] });

const lineErrors = (line: { line: number; row: number }, problems: FieldProblem[]): JobLineError[] =>
  problems.map((each) => ({ line: line.line, row: line.row, field: each.field, message: each.message, french: each.french }));

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * Upserts a chunk's valid places and sorts every line into one count. A place is replaced only by
 * a newer date_maj (the upsert's where): the same line again changes nothing, not even a timestamp.
 * Rows go in by id, so that two imports of one file lock them in the same order.
 */
async function importChunk(tx: DbOrTx, importedBy: string, chunk: ReadLine[]) {
  const counts: Record<ImportCount, number> = { created: 0, updated: 0, unchanged: 0, olderIgnored: 0, refused: 0 };
  const errors: JobLineError[] = [];
  const valid = chunk.filter((line) => line.ok);
  const ids = valid.map((line) => line.place.externalId.toLowerCase());
  const own = new Set(
    ids.length === 0
      ? []
      : (
          await tx
            .select({ id: sql<string>`${sitePlaces.siteId}::text` })
            .from(sitePlaces)
            .where(inArray(sql`${sitePlaces.siteId}::text`, ids))
        ).map((row) => row.id),
  );
  const kept: (ReadLine & { ok: true })[] = [];
  for (const line of chunk) {
    if (!line.ok) {
      counts.refused += 1;
      errors.push(...lineErrors(line, line.problems));
    } else if (own.has(line.place.externalId.toLowerCase())) {
      counts.refused += 1;
      errors.push(
        ...lineErrors(line, [
          {
            field: 'id',
            message: `${line.place.externalId} is the id of one of the network's own places: Boucle publishes it, an import does not replace it.`,
            french: `${line.place.externalId} est l’identifiant d’un lieu du réseau : Boucle le publie, un import ne le remplace pas.`,
          },
        ]),
      );
    } else kept.push(line);
  }
  if (kept.length > 0) {
    kept.sort((a, b) => (a.place.externalId < b.place.externalId ? -1 : a.place.externalId > b.place.externalId ? 1 : 0));
    const rows = kept.map((line) => ({ ...line.place, importedBy }));
    const replaced = Object.keys(rows[0]!).filter((key) => key !== 'externalId');
    const written = await tx
      .insert(externalPlaces)
      .values(rows)
      .onConflictDoUpdate({
        target: externalPlaces.externalId,
        set: { ...Object.fromEntries(replaced.map((key) => [key, sql.raw(`excluded.${snakeCase(key)}`)])), importedAt: sql`now()` },
        setWhere: sql`${externalPlaces.sourceUpdatedOn} < excluded.source_updated_on`,
      })
      .returning({ externalId: externalPlaces.externalId, inserted: sql<boolean>`(xmax = 0)` });
    for (const row of written) counts[row.inserted ? 'created' : 'updated'] += 1;
    const writtenIds = new Set(written.map((row) => row.externalId));
    const untouched = kept.filter((line) => !writtenIds.has(line.place.externalId));
    if (untouched.length > 0) {
      const stored = await tx
        .select({ externalId: externalPlaces.externalId, updatedOn: externalPlaces.sourceUpdatedOn })
        .from(externalPlaces)
        .where(
          inArray(
            externalPlaces.externalId,
            untouched.map((line) => line.place.externalId),
          ),
        );
      const storedOn = new Map(stored.map((row) => [row.externalId, row.updatedOn]));
      for (const line of untouched) {
        const older = (storedOn.get(line.place.externalId) ?? '') > line.place.sourceUpdatedOn;
        counts[older ? 'olderIgnored' : 'unchanged'] += 1;
      }
    }
  }
  errors.sort((a, b) => a.line - b.line);
  return { counts, errors };
}

export type PlaceImportOutcome = 'imported' | 'already_done' | 'unknown_job';

/**
 * Runs an import of places, chunk by chunk, reading the file as a stream (twice: once to count its
 * lines and check that it reads as CSV, then to import them). A chunk's places, its line errors and
 * the job's progress and counts commit together, and a chunk starts only where the committed
 * progress says: a job delivered twice, or retried after a crash, goes on where it stopped.
 */
export async function runPlaceImport(db: DbOrTx, fileStore: FileStore, jobId: string, today = parisToday()): Promise<PlaceImportOutcome> {
  const job = await startJob(db, jobId);
  if (!job) {
    const [exists] = await db.select({ id: backgroundJobs.id }).from(backgroundJobs).where(eq(backgroundJobs.id, jobId));
    return exists ? 'already_done' : 'unknown_job';
  }
  const [input] = await db.select().from(files).where(eq(files.jobId, jobId));
  if (!input) {
    await finishJob(db, jobId, { state: 'failed', reason: 'The uploaded file is missing.' });
    return 'imported';
  }
  let lines = 0;
  try {
    for await (const _row of streamCsvRows(fileStore.read(input.storageKey))) lines += 1;
  } catch (error) {
    await finishJob(db, jobId, { state: 'failed', reason: `The file cannot be read as CSV: ${(error as Error).message}` });
    return 'imported';
  }
  const total = Math.max(0, lines - 1);
  await recordProgress(db, jobId, { processed: job.processed, total });

  let columns: ReturnType<typeof columnsOf>['columns'] | undefined;
  // The first line of each id: the schema's ids are unique, a second line with one is refused.
  const firstLineOf = new Map<string, number>();
  let index = 0;
  let chunk: ReadLine[] = [];
  // Inside a transaction already (the demo seed), each chunk is a savepoint of it.
  const commit = async (start: number) =>
    (db as Db).transaction(async (tx) => {
      // The job row is the chunk's lock: a second runner waits here, then sees the chunk is done.
      const [current] = await tx.select().from(backgroundJobs).where(eq(backgroundJobs.id, jobId)).for('update');
      if (!current || current.processed !== start) return false;
      const { counts, errors } = await importChunk(tx, job.organisationId, chunk);
      const added = importCounts.map((count) => sql`${count}::text, coalesce((${backgroundJobs.summary} ->> ${count}::text)::int, 0) + ${counts[count]}::int`);
      await tx
        .update(backgroundJobs)
        .set({
          processed: start + chunk.length,
          errors: sql`${backgroundJobs.errors} || ${JSON.stringify(errors)}::jsonb`,
          summary: sql`${backgroundJobs.summary} || jsonb_build_object(${sql.join(added, sql`, `)})`,
        })
        .where(eq(backgroundJobs.id, jobId));
      return true;
    });
  for await (const row of streamCsvRows(fileStore.read(input.storageKey))) {
    if (!columns) {
      columns = columnsOf(row.record).columns;
      continue;
    }
    const read = readPlaceLine(cellsOf(columns, row.record), today);
    let line: ReadLine = { line: row.line, row: row.row, ...read };
    if (read.ok) {
      const first = firstLineOf.get(read.place.externalId);
      if (first === undefined) firstLineOf.set(read.place.externalId, row.line);
      else
        line = {
          line: row.line,
          row: row.row,
          ok: false,
          problems: [
            {
              field: 'id',
              message: `The id ${read.place.externalId} is already on line ${first}: ids are unique in the national schema.`,
              french: `L’identifiant ${read.place.externalId} figure déjà ligne ${first} : chaque identifiant est unique dans le schéma national.`,
            },
          ],
        };
    }
    index += 1;
    if (index <= job.processed) continue;
    chunk.push(line);
    if (chunk.length === linesPerChunk) {
      if (!(await commit(index - chunk.length))) return 'already_done';
      chunk = [];
    }
  }
  if (chunk.length > 0 && !(await commit(index - chunk.length))) return 'already_done';
  await finishJob(db, jobId, { state: 'succeeded', summary: { lines: total } });
  return 'imported';
}
