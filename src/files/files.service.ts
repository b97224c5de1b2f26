import { and, desc, eq, notInArray, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { placeholders, statement } from '../db/statement.ts';
import { notFound } from '../errors.ts';
import { ownedBy } from '../organisations/organisations.service.ts';
import type { FileStore, StoredFile } from './file-store.ts';
import { files } from './files.schema.ts';

export type FileRecord = {
  organisationId: string;
  kind: string;
  filename: string;
  contentType: string;
  jobId?: string;
  createdByUserId?: string | null;
};

/**
 * Stores an upload, then hands it to `record`, which lists it in its own transaction. If `record`
 * fails (a refusal, a rollback), the file is removed: no upload outlives its refused change
 * unlisted. Stored first because the listing is the promise: once committed, the file is there.
 */
export async function storeUpload<T>(fileStore: FileStore, key: string, content: Uint8Array | string, record: (stored: StoredFile) => Promise<T>): Promise<T> {
  const stored = await fileStore.write(key, async (out) => {
    out.end(content);
  });
  try {
    return await record(stored);
  } catch (error) {
    await fileStore.remove(key);
    throw error;
  }
}

type FileValues = Omit<typeof files.$inferInsert, 'id' | 'createdAt'>;

// A job that runs again replaces its file's row (the storage key is the same), not adds one.
const listing = (db: DbOrTx, values: FileValues | ReturnType<typeof placeholders<keyof FileValues>>) =>
  db
    .insert(files)
    .values(values)
    .onConflictDoUpdate({ target: files.storageKey, set: { size: sql`excluded.size`, sha256: sql`excluded.sha256`, createdAt: sql`now()` } })
    .returning();

const fileValues = (stored: StoredFile, record: FileRecord): FileValues => ({
  ...record,
  jobId: record.jobId ?? null,
  createdByUserId: record.createdByUserId ?? null,
  storageKey: stored.key,
  size: stored.size,
  sha256: stored.sha256,
});

// Built once (see statement.ts): the workers list a file for every certificate and every letter.
const upsertFile = statement('record_file', (db) =>
  listing(db, placeholders('organisationId', 'kind', 'filename', 'contentType', 'jobId', 'createdByUserId', 'storageKey', 'size', 'sha256')),
);

/** Lists a stored file; keyed by its storage key, so a job that runs again replaces its row, not adds one. */
export async function recordFile(db: DbOrTx, stored: StoredFile, record: FileRecord) {
  const [file] = await upsertFile(db, fileValues(stored, record));
  return file!;
}

/**
 * The same listing as a `with` query, for a caller that points to the file in the same statement
 * (`(select id from <it>)`): one round trip where recordFile and an update would take two.
 */
export const fileListing = (db: DbOrTx, stored: StoredFile, record: FileRecord) => db.$with('listed_file').as(listing(db, fileValues(stored, record)));

/** Removes a listed file, row and content: the output of a run that another run beat to it. */
export async function removeFile(db: DbOrTx, fileStore: FileStore, key: string) {
  await db.delete(files).where(eq(files.storageKey, key));
  await fileStore.remove(key);
}

/**
 * Files that carry Wi-Fi passphrases in clear (tenant letters, access point configurations): never
 * listed nor served here, only by their building's routes, which authorise and record each download.
 */
export const restrictedFileKind = { tenantLetter: 'wifi_letter', accessPointUci: 'access_point_config_uci', controllerCsv: 'access_point_config_csv' } as const;
export const restrictedFileKinds: string[] = Object.values(restrictedFileKind);
const servedHere = notInArray(files.kind, restrictedFileKinds);

/** A file the actor may download: files are authorised like the organisation's own data. */
export async function getFile(db: DbOrTx, actor: Actor, id: string) {
  const [file] = await db
    .select()
    .from(files)
    .where(and(eq(files.id, id), ownedBy(actor, files.organisationId), servedHere));
  if (!file) throw notFound('This file');
  return file;
}

export async function listFiles(db: DbOrTx, actor: Actor, filter: { kind?: string; limit: number }) {
  return db
    .select()
    .from(files)
    .where(and(ownedBy(actor, files.organisationId), servedHere, filter.kind ? eq(files.kind, filter.kind) : undefined))
    .orderBy(desc(files.createdAt))
    .limit(filter.limit);
}
