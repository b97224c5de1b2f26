import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, problems, timestamp } from '../http/router.ts';
import { jobSchema } from '../jobs/jobs.routes.ts';
import { labelFormats, labelsPerPage } from './formats.ts';
import { labelBatchSources } from './labels.schema.ts';
import { createLabelBatch, getLabelBatch } from './labels.service.ts';

const batchSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    formatId: z.string(),
    source: z.enum(labelBatchSources),
    donationId: z.uuid().nullable(),
    labelCount: z.number().int(),
    jobId: z.uuid(),
    createdAt: timestamp,
    job: jobSchema,
  })
  .openapi('LabelBatch');

const format = z.string().min(1).max(60).openapi({ example: 'a4-3x7' });
const batchRequest = z.union([
  z.object({ format, count: z.number().int().min(1).max(5_000), organisationId: z.uuid().optional() }).strict(),
  z.object({ format, deviceCodes: z.array(z.string().max(40)).min(1).max(5_000) }).strict(),
  z.object({ format, donationId: z.uuid() }).strict(),
  z.object({ format, buildingId: z.uuid() }).strict(),
]);

export function labelRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/label-formats',
        operationId: 'listLabelFormats',
        tags: ['Labels'],
        summary: 'The label formats a batch can be printed on (sheets and thermal rolls).',
        security: bearerSecurity,
        responses: {
          200: ok(
            'Formats.',
            z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), output: z.enum(['pdf', 'thermal']), labelsPerPage: z.number().int() })) }),
          ),
          ...problems(401),
        },
      }),
      (c) => {
        actorOf(c);
        const items = [...labelFormats().values()].map((entry) => ({
          id: entry.id,
          name: entry.name,
          output: entry.output,
          labelsPerPage: labelsPerPage(entry),
        }));
        return c.json({ items }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/label-batches',
        operationId: 'createLabelBatch',
        tags: ['Labels'],
        summary:
          'Orders labels: { format, count } for pre-printed codes claimed at intake, { format, deviceCodes } or { format, donationId } for existing devices, { format, buildingId } for a building’s Wi-Fi box and access points. A worker renders them; follow the job.',
        security: bearerSecurity,
        request: { body: json(batchRequest) },
        responses: { 202: ok('The batch and its job.', batchSchema), ...problems(401, 403, 404, 422) },
      }),
      async (c) => {
        const batch = await createLabelBatch(db, actorOf(c), c.req.valid('json'));
        return c.json(asJson(await getLabelBatch(db, actorOf(c), batch.id)), 202);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/label-batches/{id}',
        operationId: 'getLabelBatch',
        tags: ['Labels'],
        summary: 'A label batch, its rendering progress and, when done, its files to download.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The batch.', batchSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getLabelBatch(db, actorOf(c), c.req.valid('param').id)), 200),
    );
}
