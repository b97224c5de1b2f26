import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, ok, problems, timestamp } from '../http/router.ts';
import type { FileStore } from './file-store.ts';
import type { files } from './files.schema.ts';
import { getFile, listFiles } from './files.service.ts';

const fileSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    kind: z.string(),
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    jobId: z.uuid().nullable(),
    createdByUserId: z.uuid().nullable(),
    createdAt: timestamp,
  })
  .openapi('File');

export function fileRoutes(database: Database, fileStore: FileStore) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/files',
        operationId: 'listFiles',
        tags: ['Files'],
        summary: "Your organisation's files (label sheets, uploads...), newest first, with size, checksum and creator.",
        security: bearerSecurity,
        request: {
          query: z.object({ kind: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
        },
        responses: { 200: ok('Files.', z.object({ items: z.array(fileSchema) })), ...problems(401, 422) },
      }),
      async (c) => {
        const items = await listFiles(database.db, actorOf(c), c.req.valid('query'));
        return c.json({ items: asJson(items.map(({ storageKey: _storageKey, ...file }) => file)) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/files/{id}',
        operationId: 'downloadFile',
        tags: ['Files'],
        summary: 'Downloads a file (label sheet, export...) of your organisation.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: { description: 'The file, streamed.' }, ...problems(401, 404, 422) },
      }),
      async (c) => sendFile(c, fileStore, await getFile(database.db, actorOf(c), c.req.valid('param').id)),
    );
}

/** A stored file as a download, streamed. */
export function sendFile(c: Context, fileStore: FileStore, file: typeof files.$inferSelect) {
  const body = Readable.toWeb(fileStore.read(file.storageKey)) as ReadableStream<Uint8Array>;
  return c.body(body, 200, {
    'content-type': file.contentType,
    'content-length': String(file.size),
    'content-disposition': `attachment; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`,
    'x-checksum-sha256': file.sha256,
  });
}
