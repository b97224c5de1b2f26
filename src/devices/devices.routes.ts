import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, isStorableJson, json, ok, problems, text, timestamp, unstorable } from '../http/router.ts';
import { registerDevice } from '../donations/intake.service.ts';
import { intakeItem, storageMedium } from './devices.input.ts';
import { benchChecks, deviceKinds } from './devices.schema.ts';
import { getDeviceWithHistory, listDevices } from './devices.service.ts';
import { deviceStatuses } from './lifecycle.ts';
import { moveDevice, transitionDevice } from './transitions.service.ts';
import { weeeChannels } from './weee-channels.ts';

const codeParam = z.object({
  code: z
    .string()
    .max(40)
    .openapi({ param: { name: 'code', in: 'path' }, description: 'Asset code, with or without the dash, any case.', example: 'B7K2-9QWM' }),
});

// Free-form details a transition records (e.g. the WEEE channel); bounded so an event stays small.
const payload = z
  .record(z.string().max(100), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 16_384, 'The payload is larger than 16 KB.')
  .refine(isStorableJson, unstorable);

const expectedVersion = z
  .number()
  .int()
  .positive()
  .optional()
  .openapi({ description: 'The device version you saw; when given, a device changed since then is refused (409 device_changed).' });

export const deviceSchema = z
  .object({
    id: z.uuid(),
    code: z.string().openapi({ example: 'B7K2-9QWM' }),
    kind: z.enum(deviceKinds),
    brand: z.string(),
    model: z.string(),
    serialNumber: z.string().nullable(),
    storageMedia: z.array(storageMedium),
    notes: z.string().nullable(),
    benchChecks: z.array(z.enum(benchChecks)),
    grade: z.enum(['A', 'B', 'C']).nullable(),
    specs: z.object({ cpu: z.string().optional(), ramGb: z.number().optional(), storageGb: z.number().optional() }),
    donationId: z.uuid(),
    status: z.enum(deviceStatuses),
    version: z.number().int(),
    siteId: z.uuid().nullable().openapi({ description: 'Null for a donor once the device is held outside the organisation it was given to.' }),
    organisationId: z.uuid().nullable().openapi({ description: 'Null for a donor once the device is held outside the organisation it was given to.' }),
    custodySince: timestamp,
    createdAt: timestamp,
    updatedAt: timestamp,
    nextStatuses: z.array(z.enum(deviceStatuses)),
  })
  .openapi('Device');

const eventSchema = z
  .object({
    id: z.number().int(),
    deviceId: z.uuid(),
    type: z.enum(['created', 'transition', 'move']),
    fromStatus: z.enum(deviceStatuses).nullable(),
    toStatus: z.enum(deviceStatuses),
    fromSiteId: z.uuid().nullable(),
    siteId: z.uuid().nullable().openapi({ description: 'Null for a donor when the place is not one of the organisation the device was given to.' }),
    actorUserId: z.uuid().nullable().openapi({ description: 'Null for a donor.' }),
    organisationId: z.uuid().nullable().openapi({ description: 'The organisation that acted; null for a donor.' }),
    note: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
    occurredAt: timestamp,
  })
  .openapi('DeviceEvent');

const changeSchema = z.object({ device: deviceSchema, event: eventSchema });
const tag = 'Devices';

export function deviceRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/devices',
        operationId: 'createDevice',
        tags: [tag],
        summary: 'Registers one collected device of a donation (the scan-station path); a pre-printed label scanned as labelCode gives it its code.',
        security: bearerSecurity,
        request: { body: json(intakeItem.extend({ donationId: z.uuid(), siteId: z.uuid().optional() })) },
        responses: { 201: ok('Registered.', deviceSchema), ...problems(401, 403, 409, 422) },
      }),
      async (c) => c.json(asJson(await registerDevice(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/devices',
        operationId: 'listDevices',
        tags: [tag],
        summary: 'Devices your organisation holds, newest first, one page at a time (follow nextCursor).',
        security: bearerSecurity,
        request: {
          query: z.object({
            status: z.enum(deviceStatuses).optional(),
            kind: z.enum(deviceKinds).optional(),
            siteId: z.uuid().optional(),
            donationId: z.uuid().optional(),
            q: text(100).optional().openapi({ description: 'Text in brand, model or serial number.' }),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().max(200).optional(),
          }),
        },
        responses: {
          200: ok('A page of devices.', z.object({ items: z.array(deviceSchema), nextCursor: z.string().nullable() })),
          ...problems(401, 422),
        },
      }),
      async (c) => c.json(asJson(await listDevices(db, actorOf(c), c.req.valid('query'))), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/devices/{code}',
        operationId: 'getDevice',
        tags: [tag],
        summary: 'A device and its whole history, oldest first.',
        security: bearerSecurity,
        request: { params: codeParam },
        responses: {
          200: ok('The device.', deviceSchema.extend({ history: z.array(eventSchema) })),
          ...problems(400, 401, 404),
        },
      }),
      async (c) => c.json(asJson(await getDeviceWithHistory(db, actorOf(c), c.req.valid('param').code)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/devices/{code}/transitions',
        operationId: 'transitionDevice',
        tags: [tag],
        summary: 'Changes the status of a device, as the lifecycle allows; a refusal (409) says why and what is possible.',
        security: bearerSecurity,
        request: {
          params: codeParam,
          body: json(
            z.object({
              to: z.enum(deviceStatuses),
              version: expectedVersion,
              siteId: z.uuid().optional(),
              note: text(2000).optional(),
              payload: payload.optional().openapi({
                description: `What the change records. → recycled: deeeChannel, one of ${weeeChannels.join(', ')}; deeeChannelName, required for other.`,
              }),
            }),
          ),
        },
        responses: { 200: ok('Done.', changeSchema), ...problems(400, 401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await transitionDevice(db, actorOf(c), { code: c.req.valid('param').code, ...c.req.valid('json') })), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/devices/{code}/moves',
        operationId: 'moveDevice',
        tags: [tag],
        summary: "Records that a device changed site (its status stays); another organisation's site hands it over.",
        security: bearerSecurity,
        request: { params: codeParam, body: json(z.object({ siteId: z.uuid(), version: expectedVersion, note: text(2000).optional() })) },
        responses: { 200: ok('Moved.', changeSchema), ...problems(400, 401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(asJson(await moveDevice(db, actorOf(c), { code: c.req.valid('param').code, ...c.req.valid('json') })), 200),
    );
}
