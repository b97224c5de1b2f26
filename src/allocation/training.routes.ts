import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { deviceSchema } from '../devices/devices.routes.ts';
import { actorOf, asJson, bearerSecurity, calendarDate, createRouter, idParam, json, ok, problems, text, timestamp } from '../http/router.ts';
import { requestSchema } from './allocation.routes.ts';
import { coopActivities, coopActivitiesCsv } from './coop-export.ts';
import { handOver } from './handover.service.ts';
import { createTrainingModule, createTrainingSession, enrolRequest, listTrainingSessions, recordAttendance } from './training.service.ts';

const moduleSchema = z
  .object({ id: z.uuid(), organisationId: z.uuid(), title: z.string(), durationMinutes: z.number().int(), topics: z.array(z.string()), createdAt: timestamp })
  .openapi('TrainingModule');

const sessionSchema = z
  .object({
    id: z.uuid(),
    moduleId: z.uuid(),
    organisationId: z.uuid(),
    siteId: z.uuid(),
    startsAt: timestamp,
    capacity: z.number().int(),
    trainerName: z.string(),
    placesLeft: z.number().int(),
    createdAt: timestamp,
  })
  .openapi('TrainingSession');

const enrolmentSchema = z.object({
  id: z.uuid(),
  sessionId: z.uuid(),
  requestId: z.uuid(),
  householdId: z.uuid(),
  status: z.enum(['enrolled', 'present', 'absent']),
});

const tag = 'Training and handover';

const coopExportQuery = z
  .object({
    from: calendarDate().openapi({ description: 'The first day (Paris time), included.', example: '2026-01-01' }),
    to: calendarDate().openapi({ description: 'The last day, included.', example: '2026-12-31' }),
  })
  .refine((range) => range.to >= range.from, { path: ['to'], message: 'The end comes before the start.' });

export function trainingRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/training-modules',
        operationId: 'createTrainingModule',
        tags: [tag],
        summary: 'Defines a mandatory training module (coordinator only).',
        security: bearerSecurity,
        request: {
          body: json(z.object({ title: text(200), durationMinutes: z.number().int().min(15).max(2400), topics: z.array(text(200)).max(30).default([]) })),
        },
        responses: { 201: ok('Created.', moduleSchema), ...problems(401, 403, 422) },
      }),
      async (c) => c.json(asJson(await createTrainingModule(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/training-sessions',
        operationId: 'createTrainingSession',
        tags: [tag],
        summary: 'Schedules a session of a module at one of your places, with its number of places (mediators and the coordinator).',
        security: bearerSecurity,
        request: {
          body: json(
            z.object({ moduleId: z.uuid(), siteId: z.uuid(), startsAt: z.coerce.date(), capacity: z.number().int().min(1).max(500), trainerName: text(200) }),
          ),
        },
        responses: { 201: ok('Scheduled.', sessionSchema), ...problems(401, 403, 422) },
      }),
      async (c) => c.json(asJson(await createTrainingSession(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/training-sessions',
        operationId: 'listTrainingSessions',
        tags: [tag],
        summary: 'Sessions to come, with the places left.',
        security: bearerSecurity,
        request: { query: z.object({ moduleId: z.uuid().optional() }) },
        responses: { 200: ok('Sessions.', z.object({ items: z.array(sessionSchema) })), ...problems(401, 422) },
      }),
      async (c) => {
        actorOf(c);
        return c.json({ items: asJson(await listTrainingSessions(db, c.req.valid('query'))) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/requests/{id}/enrolment',
        operationId: 'enrolRequest',
        tags: [tag],
        summary: "Books the request's family on a session of the programme's training; refused when the session is full.",
        security: bearerSecurity,
        request: { params: idParam, body: json(z.object({ sessionId: z.uuid() })) },
        responses: { 201: ok('Booked.', z.object({ enrolment: enrolmentSchema, request: requestSchema })), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await enrolRequest(db, actorOf(c), c.req.valid('param').id, c.req.valid('json').sessionId)), 201),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/training-sessions/{id}/attendance',
        operationId: 'recordAttendance',
        tags: [tag],
        summary: "The trainer's attendance sheet: present completes the training of the request, absent sends it back to booking.",
        security: bearerSecurity,
        request: { params: idParam, body: json(z.object({ requestId: z.uuid(), present: z.boolean() })) },
        responses: { 200: ok('Recorded.', requestSchema), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await recordAttendance(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/requests/{id}/handover',
        operationId: 'handOver',
        tags: [tag],
        summary:
          'Hands the reserved device over: refused (409) unless the training is completed and the scanned device is the reserved one; a worker prints the receipt.',
        security: bearerSecurity,
        request: {
          params: idParam,
          body: json(
            z.object({
              deviceCode: z.string().min(1).max(40),
              receivedBy: text(200),
              termsAccepted: z.literal(true, 'The person receiving the device must accept the terms.'),
              solidarityPriceCents: z
                .number()
                .int()
                .min(0)
                .optional()
                .openapi({ description: 'What the family pays, in euro cents (0 by default), at most the legal solidarity price of the device’s kind.' }),
            }),
          ),
        },
        responses: {
          201: ok(
            'Handed over.',
            z.object({
              handover: z.object({
                id: z.uuid(),
                requestId: z.uuid(),
                deviceId: z.uuid(),
                receivedByName: z.string(),
                solidarityPriceCents: z.number().int(),
                handedOverAt: timestamp,
              }),
              request: requestSchema,
              device: deviceSchema,
            }),
          ),
          ...problems(400, 401, 403, 404, 409, 422),
        },
      }),
      async (c) => c.json(asJson(await handOver(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/training-sessions/coop-export.csv',
        operationId: 'exportTrainingSessionsForCoop',
        tags: [tag],
        summary:
          "Your organisation's sessions that families attended, as the activity reports of the Coop de la médiation numérique (type, date, duration, place, device, themes, participants and their communes); no family's identity.",
        security: bearerSecurity,
        request: { query: coopExportQuery },
        responses: { 200: { description: 'The activities (text/csv).' }, ...problems(401, 403, 422) },
      }),
      async (c) => {
        const range = c.req.valid('query');
        return c.body(coopActivitiesCsv(await coopActivities(db, actorOf(c), range)), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="activites-coop-${range.from}-${range.to}.csv"`,
        });
      },
    );
}
