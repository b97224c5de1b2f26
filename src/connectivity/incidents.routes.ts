import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, problems, text, timestamp } from '../http/router.ts';
import { incidentCategories, incidentStatuses } from './incidents.rules.ts';
import { changeIncidentStatus, getIncident, listIncidents, openIncident } from './incidents.service.ts';
import { incidentInput } from './incidents.input.ts';

const tag = 'Shared connectivity';

const incidentSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    buildingId: z.uuid(),
    apartmentId: z.uuid().nullable(),
    networkDeviceId: z.uuid().nullable(),
    category: z.enum(incidentCategories),
    status: z.enum(incidentStatuses),
    description: z.string(),
    resolution: z.string().nullable(),
    dueOn: z.string(),
    openedByUserId: z.uuid(),
    version: z.number().int(),
    createdAt: timestamp,
    updatedAt: timestamp,
    resolvedAt: timestamp.nullable(),
  })
  .openapi('Incident');

const incidentEvent = z.object({
  fromStatus: z.enum(incidentStatuses).nullable(),
  toStatus: z.enum(incidentStatuses),
  actorUserId: z.uuid(),
  note: z.string().nullable(),
  occurredAt: timestamp,
});

export function incidentRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/incidents',
        operationId: 'openIncident',
        tags: [tag],
        summary: 'Opens an incident on a building, one of its apartments or access points; its due date follows the category (working days).',
        security: bearerSecurity,
        request: {
          body: json(incidentInput),
        },
        responses: { 201: ok('The incident.', incidentSchema), ...problems(401, 403, 422) },
      }),
      async (c) => c.json(asJson(await openIncident(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/incidents',
        operationId: 'listIncidents',
        tags: [tag],
        summary: 'Incidents of the buildings you see; overdue=true lists those past their due date and not yet resolved, oldest due first.',
        security: bearerSecurity,
        request: {
          query: z.object({
            buildingId: z.uuid().optional(),
            status: z.enum(incidentStatuses).optional(),
            overdue: z
              .enum(['true', 'false'])
              .transform((value) => value === 'true')
              .optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
        },
        responses: {
          200: ok('Incidents.', z.object({ items: z.array(incidentSchema.extend({ buildingName: z.string(), overdue: z.boolean() })) })),
          ...problems(401, 422),
        },
      }),
      async (c) => c.json({ items: asJson(await listIncidents(db, actorOf(c), c.req.valid('query'))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/incidents/{id}',
        operationId: 'getIncident',
        tags: [tag],
        summary: 'An incident and its history.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The incident.', incidentSchema.extend({ events: z.array(incidentEvent) })), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getIncident(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/incidents/{id}/status',
        operationId: 'changeIncidentStatus',
        tags: [tag],
        summary: 'Moves an incident: in_progress, resolved (say what was done in note), closed, or open again.',
        security: bearerSecurity,
        request: { params: idParam, body: json(z.object({ to: z.enum(incidentStatuses), note: text(2_000).optional() }).strict()) },
        responses: { 200: ok('The incident.', incidentSchema), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await changeIncidentStatus(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    );
}
