import { Readable } from 'node:stream';
import { createRoute } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, bearerSecurity, createRouter, idParam, problems } from '../http/router.ts';
import type { FileStore } from './file-store.ts';
import { getFile } from './files.service.ts';

export function fileRoutes(database: Database, fileStore: FileStore) {
  return createRouter().openapi(
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
    async (c) => {
      const file = await getFile(database.db, actorOf(c), c.req.valid('param').id);
      const body = Readable.toWeb(fileStore.read(file.storageKey)) as ReadableStream<Uint8Array>;
      return c.body(body, 200, {
        'content-type': file.contentType,
        'content-length': String(file.size),
        'content-disposition': `attachment; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`,
        'x-checksum-sha256': file.sha256,
      });
    },
  );
}
