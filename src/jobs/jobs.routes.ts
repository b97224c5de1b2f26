import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, ok, problems, timestamp } from '../http/router.ts';
import { jobKinds, jobStates } from './jobs.schema.ts';
import { getJob } from './jobs.service.ts';

export const jobSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    kind: z.enum(jobKinds),
    state: z.enum(jobStates),
    processed: z.number().int(),
    total: z.number().int().nullable(),
    errors: z.array(
      z.object({
        line: z.number().int(),
        row: z.number().int(),
        message: z.string(),
        field: z.string().optional().openapi({ description: 'The column at fault, when the import names it (places: the national schema’s column).' }),
        french: z.string().optional().openapi({ description: 'The reason in French, when the import words it.' }),
      }),
    ),
    summary: z.record(z.string(), z.unknown()),
    failureReason: z.string().nullable(),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    files: z.array(
      z.object({
        id: z.uuid(),
        kind: z.string(),
        filename: z.string(),
        contentType: z.string(),
        size: z.number().int(),
        sha256: z.string(),
        downloadUrl: z.string(),
      }),
    ),
  })
  .openapi('Job');

export function jobRoutes(database: Database) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/jobs/{id}',
      operationId: 'getJob',
      tags: ['Jobs'],
      summary: 'A background job (CSV import, label rendering): state, progress, line errors, files produced.',
      security: bearerSecurity,
      request: { params: idParam },
      responses: { 200: ok('The job.', jobSchema), ...problems(401, 404, 422) },
    }),
    async (c) => c.json(asJson(await getJob(database.db, actorOf(c), c.req.valid('param').id)), 200),
  );
}
