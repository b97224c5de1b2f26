import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, calendarDate, createRouter, idParam, json, ok, problems, text, timestamp } from '../http/router.ts';
import { qualificationKinds } from './qualifications.schema.ts';
import { listQualifications, recordQualification } from './qualifications.service.ts';

const day = calendarDate('A date as YYYY-MM-DD.');

const qualificationSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    kind: z.enum(qualificationKinds),
    issuer: z.string(),
    issuedOn: z.string(),
    expiresOn: z.string(),
    recordedByUserId: z.uuid().nullable(),
    createdAt: timestamp,
  })
  .openapi('Qualification');

export function qualificationRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/users/{id}/qualifications',
        operationId: 'recordQualification',
        tags: ['Users'],
        summary: 'Records a training a person passed (data wiping, refurbishment), with issuer and validity (coordinator only).',
        security: bearerSecurity,
        request: {
          params: idParam,
          body: json(z.object({ kind: z.enum(qualificationKinds), issuer: text(200), issuedOn: day, expiresOn: day })),
        },
        responses: { 201: ok('Recorded.', qualificationSchema), ...problems(401, 403, 404, 422) },
      }),
      async (c) => c.json(asJson(await recordQualification(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/users/{id}/qualifications',
        operationId: 'listQualifications',
        tags: ['Users'],
        summary: "A person's qualifications, latest expiry first.",
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('Qualifications.', z.object({ items: z.array(qualificationSchema) })), ...problems(401, 404, 422) },
      }),
      async (c) => c.json({ items: asJson(await listQualifications(db, actorOf(c), c.req.valid('param').id)) }, 200),
    );
}
