import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { deviceSchema } from '../devices/devices.routes.ts';
import { weeeChannelNameMax, weeeChannelProblems, weeeChannels } from '../devices/weee-channels.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, optionalJson, problems, text, timestamp } from '../http/router.ts';
import { abandonWorkOrder, completeWorkOrder, getWorkOrder, openWorkOrder, updateWorkOrder } from './refurbishment.service.ts';
import { checklistItems, checkOutcomes, grades } from './rules.ts';

const codeParam = z.object({
  code: z
    .string()
    .max(40)
    .openapi({ param: { name: 'code', in: 'path' }, example: 'B7K2-9QWM' }),
});

const checklist = z
  .object(
    Object.fromEntries(checklistItems.map((item) => [item, z.enum(checkOutcomes).optional()])) as Record<
      (typeof checklistItems)[number],
      z.ZodOptional<z.ZodEnum<{ ok: 'ok'; fault: 'fault'; absent: 'absent' }>>
    >,
  )
  .extend({ batteryHealthPercent: z.number().min(0).max(100).optional() })
  .strict();
const part = z.object({ kind: text(60), description: text(300), reused: z.boolean(), costCents: z.number().int().min(0).max(10_000_000) });
const specs = z
  .object({ cpu: text(120).optional(), ramGb: z.number().positive().max(4096).optional(), storageGb: z.number().positive().max(1_000_000).optional() })
  .strict();

const workOrderSchema = z
  .object({
    id: z.uuid(),
    deviceId: z.uuid(),
    organisationId: z.uuid(),
    siteId: z.uuid(),
    status: z.enum(['open', 'completed', 'abandoned']),
    need: z.string().nullable(),
    checklist: z.record(z.string(), z.union([z.string(), z.number()])),
    partsFitted: z.array(part),
    operatingSystem: z.object({ name: z.string(), version: z.string().optional(), licence: z.string().optional() }).nullable(),
    specs: z.record(z.string(), z.union([z.string(), z.number()])),
    cosmetic: z.enum(grades).nullable(),
    suggestedGrade: z.enum(grades).nullable(),
    grade: z.enum(grades).nullable(),
    gradeOverrideReason: z.string().nullable(),
    minutesSpent: z.number().int(),
    openedAt: timestamp,
    closedAt: timestamp.nullable(),
    suggestion: z.object({ grade: z.enum(grades), reasons: z.array(z.string()) }),
    checklistProblems: z.array(z.string()),
  })
  .openapi('WorkOrder');

const tag = 'Refurbishment';

export function refurbishmentRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/devices/{code}/work-orders',
        operationId: 'openWorkOrder',
        tags: [tag],
        summary: 'Opens a refurbishment work order (someone qualified, at one of your sites); the device goes to refurbishing.',
        security: bearerSecurity,
        request: { params: codeParam, body: optionalJson(z.object({ siteId: z.uuid().optional(), need: text(500).optional() })) },
        responses: { 201: ok('Opened.', workOrderSchema), ...problems(400, 401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await openWorkOrder(db, actorOf(c), c.req.valid('param').code, c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/work-orders/{id}',
        operationId: 'getWorkOrder',
        tags: [tag],
        summary: 'A work order, with the grade the rules suggest and what the checklist still lacks.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The work order.', workOrderSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getWorkOrder(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/work-orders/{id}',
        operationId: 'updateWorkOrder',
        tags: [tag],
        summary: 'Records the diagnostic checklist, parts fitted, operating system, specs, cosmetic state and time spent.',
        security: bearerSecurity,
        request: {
          params: idParam,
          body: json(
            z
              .object({
                checklist: checklist.optional(),
                partsFitted: z.array(part).max(50).optional(),
                operatingSystem: z.object({ name: text(100), version: text(50).optional(), licence: text(200).optional() }).optional(),
                specs: specs.optional(),
                cosmetic: z.enum(grades).optional(),
                minutesSpent: z.number().int().min(0).max(100_000).optional(),
              })
              .refine((changes) => Object.keys(changes).length > 0, 'Give at least one field to record.'),
          ),
        },
        responses: { 200: ok('Saved.', workOrderSchema), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await updateWorkOrder(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/work-orders/{id}/complete',
        operationId: 'completeWorkOrder',
        tags: [tag],
        summary:
          'Completes the work order and puts the device in stock: checklist passed, grade (the suggested one, or another with a reason), specs, and a wipe that still holds.',
        security: bearerSecurity,
        request: {
          params: idParam,
          body: optionalJson(z.object({ grade: z.enum(grades).optional(), gradeOverrideReason: text(500).optional(), siteId: z.uuid().optional() })),
        },
        responses: {
          200: ok('In stock.', z.object({ workOrder: workOrderSchema, device: deviceSchema })),
          ...problems(401, 403, 404, 409, 422),
        },
      }),
      async (c) => c.json(asJson(await completeWorkOrder(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/work-orders/{id}/abandon',
        operationId: 'abandonWorkOrder',
        tags: [tag],
        summary: 'A device beyond repair: dismantled (harvested parts go to spare-parts stock) or recycled (WEEE channel).',
        security: bearerSecurity,
        request: {
          params: idParam,
          body: json(
            z.discriminatedUnion('outcome', [
              z.object({ outcome: z.literal('dismantled'), parts: z.array(z.object({ kind: text(60), description: text(300) })).max(50) }),
              z
                .object({
                  outcome: z.literal('recycled'),
                  deeeChannel: z.enum(weeeChannels),
                  deeeChannelName: text(weeeChannelNameMax).optional().openapi({ description: 'Required when deeeChannel is other.' }),
                  note: text(1000).optional(),
                })
                .superRefine((body, context) => {
                  for (const problem of weeeChannelProblems(body, '')) context.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
                }),
            ]),
          ),
        },
        responses: { 200: ok('Done.', z.object({ device: deviceSchema })), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await abandonWorkOrder(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    );
}
