import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { deviceSchema } from '../devices/devices.routes.ts';
import { deviceKinds } from '../devices/devices.schema.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, optionalJson, problems, text, timestamp } from '../http/router.ts';
import { householdInput } from './households.input.ts';
import { needInput, requestInput } from './requests.input.ts';
import { createHousehold, getHousehold, listHouseholds } from './households.service.ts';
import { programmeInput } from './programmes.input.ts';
import { createProgramme, getProgramme, listProgrammes } from './programmes.service.ts';
import { requestStatuses } from './requests.lifecycle.ts';
import { reserveForRequest } from './reservations.service.ts';
import { finishRequest, getRequest, listRequests, releaseReservation, submitRequest } from './requests.service.ts';

const territory = z.object({ type: z.enum(['commune', 'epci', 'departement']), code: z.string().min(2).max(9) });

const programmeSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    name: z.string(),
    eligibilityCriteria: z.array(z.string()),
    deviceKinds: z.array(z.enum(deviceKinds)),
    minimumSpecs: z.object({ ramGb: z.number().optional(), storageGb: z.number().optional() }),
    trainingModuleId: z.uuid().nullable(),
    trainingValidForLaterRequests: z.boolean(),
    reservationDays: z.number().int(),
    territories: z.array(territory),
    yearlyQuota: z.number().int().nullable(),
    createdAt: timestamp,
  })
  .openapi('Programme');

const householdSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    reference: z.string(),
    communeCode: z.string(),
    size: z.number().int(),
    contactPhone: z.string().nullable(),
    contactEmail: z.string().nullable(),
    attestations: z.array(z.object({ criterion: z.string(), byUserId: z.string(), at: z.string() })),
    consentRecordedAt: timestamp,
    contactErasedAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .openapi('Household');

export const requestSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    householdId: z.uuid(),
    programmeId: z.uuid(),
    status: z.enum(requestStatuses),
    need: needInput,
    statusReason: z.string().nullable(),
    reservedDeviceId: z.uuid().nullable(),
    reservedUntil: timestamp.nullable(),
    version: z.number().int(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('EquipmentRequest');

const requestEventSchema = z.object({
  id: z.number().int(),
  fromStatus: z.enum(requestStatuses).nullable(),
  toStatus: z.enum(requestStatuses),
  actorUserId: z.uuid().nullable(),
  reason: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  occurredAt: timestamp,
});

const tag = 'Allocation';

export function allocationRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/programmes',
        operationId: 'createProgramme',
        tags: [tag],
        summary:
          'Sets up a programme: criteria to attest, devices and minimum specs granted, training, reservation length, territory, quota (coordinator only).',
        security: bearerSecurity,
        request: {
          body: json(programmeInput),
        },
        responses: { 201: ok('Created.', programmeSchema), ...problems(401, 403, 422) },
      }),
      async (c) => c.json(asJson(await createProgramme(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/programmes',
        operationId: 'listProgrammes',
        tags: [tag],
        summary: "The network's programmes.",
        security: bearerSecurity,
        responses: { 200: ok('Programmes.', z.object({ items: z.array(programmeSchema) })), ...problems(401) },
      }),
      async (c) => {
        actorOf(c);
        return c.json({ items: asJson(await listProgrammes(db)) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/programmes/{id}',
        operationId: 'getProgramme',
        tags: [tag],
        summary: 'One programme.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The programme.', programmeSchema), ...problems(401, 404, 422) },
      }),
      async (c) => {
        actorOf(c);
        return c.json(asJson(await getProgramme(db, c.req.valid('param').id)), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/households',
        operationId: 'createHousehold',
        tags: [tag],
        summary: 'Records a family (mediators): a reference you choose, commune, size, a contact for reminders, what you attest, and its consent.',
        security: bearerSecurity,
        request: {
          body: json(householdInput),
        },
        responses: { 201: ok('Recorded.', householdSchema), ...problems(401, 403, 409, 422) },
      }),
      async (c) => c.json(asJson(await createHousehold(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/households',
        operationId: 'listHouseholds',
        tags: [tag],
        summary: "Your organisation's families (mediators; the coordinator sees all).",
        security: bearerSecurity,
        responses: { 200: ok('Families.', z.object({ items: z.array(householdSchema) })), ...problems(401) },
      }),
      async (c) => c.json({ items: asJson(await listHouseholds(db, actorOf(c))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/households/{id}',
        operationId: 'getHousehold',
        tags: [tag],
        summary: 'One family.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The family.', householdSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getHousehold(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/requests',
        operationId: 'submitRequest',
        tags: [tag],
        summary:
          'Files an equipment request for a family under a programme; it is checked against the programme at once (eligible or ineligible, with the reason).',
        security: bearerSecurity,
        request: { body: json(requestInput) },
        responses: { 201: ok('Filed and checked.', requestSchema), ...problems(401, 403, 422) },
      }),
      async (c) => c.json(asJson(await submitRequest(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/requests',
        operationId: 'listRequests',
        tags: [tag],
        summary: "Your organisation's equipment requests, oldest first.",
        security: bearerSecurity,
        request: { query: z.object({ status: z.enum(requestStatuses).optional() }) },
        responses: { 200: ok('Requests.', z.object({ items: z.array(requestSchema) })), ...problems(401, 422) },
      }),
      async (c) => c.json({ items: asJson(await listRequests(db, actorOf(c), c.req.valid('query'))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/requests/{id}',
        operationId: 'getRequest',
        tags: [tag],
        summary: 'A request and its history.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The request.', requestSchema.extend({ history: z.array(requestEventSchema) })), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getRequest(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/requests/{id}/reservation',
        operationId: 'reserveDevice',
        tags: [tag],
        summary: 'Reserves a device for an eligible request: the one given by its code, or the best match in stock (same territory first, then grade).',
        security: bearerSecurity,
        request: { params: idParam, body: optionalJson(z.object({ deviceCode: z.string().max(40).optional() })) },
        responses: {
          201: ok('Reserved.', z.object({ request: requestSchema, device: deviceSchema })),
          ...problems(400, 401, 403, 404, 409, 422),
        },
      }),
      async (c) => c.json(asJson(await reserveForRequest(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/requests/{id}/release',
        operationId: 'releaseReservation',
        tags: [tag],
        summary: 'Gives the reserved device back to stock; the request is eligible again, with the reason.',
        security: bearerSecurity,
        request: { params: idParam, body: json(z.object({ reason: text(500) })) },
        responses: { 200: ok('Released.', requestSchema), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await releaseReservation(db, actorOf(c), c.req.valid('param').id, c.req.valid('json').reason)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/requests/{id}/cancel',
        operationId: 'cancelRequest',
        tags: [tag],
        summary: 'Cancels a request (the family no longer needs a device); a device it held goes back to stock.',
        security: bearerSecurity,
        request: { params: idParam, body: json(z.object({ reason: text(500) })) },
        responses: { 200: ok('Cancelled.', requestSchema), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await finishRequest(db, actorOf(c), c.req.valid('param').id, 'cancelled', c.req.valid('json').reason)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/requests/{id}/close',
        operationId: 'closeRequest',
        tags: [tag],
        summary: 'Closes a request once the device was handed over (or an ineligible one), ending the follow-up.',
        security: bearerSecurity,
        request: { params: idParam, body: optionalJson(z.object({ reason: text(500).optional() })) },
        responses: { 200: ok('Closed.', requestSchema), ...problems(401, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await finishRequest(db, actorOf(c), c.req.valid('param').id, 'closed', c.req.valid('json').reason)), 200),
    );
}
