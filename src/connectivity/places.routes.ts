import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, problems, text, timestamp } from '../http/router.ts';
import { uploadedFile, uploadedFileBody } from '../http/upload.ts';
import { communeCode } from '../geography/commune-code.ts';
import { apartmentStatuses, optInStatuses } from './apartments.lifecycle.ts';
import { deploymentStatuses } from './deployments.lifecycle.ts';
import {
  addApartments,
  createBuilding,
  createResidence,
  getBuilding,
  listApartments,
  listBuildings,
  listResidences,
  parseApartmentsCsv,
} from './places.service.ts';
import { landlordRollout, rolloutCsv } from './rollout.service.ts';

const tag = 'Shared connectivity';

const residenceSchema = z
  .object({ id: z.uuid(), organisationId: z.uuid(), name: z.string(), shortName: z.string(), communeCode: z.string(), createdAt: timestamp })
  .openapi('Residence');

const buildingSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    residenceId: z.uuid(),
    residenceName: z.string(),
    name: z.string(),
    address: z.string(),
    communeCode: z.string(),
    floors: z.number().int(),
    deploymentStatus: z.enum(deploymentStatuses),
    createdAt: timestamp,
  })
  .openapi('Building');

export const apartmentSchema = z
  .object({
    id: z.uuid(),
    buildingId: z.uuid(),
    unit: z.string(),
    floor: z.number().int(),
    status: z.enum(apartmentStatuses),
    optIn: z.enum(optInStatuses),
    optInOn: z.string().nullable(),
    updatedAt: timestamp,
  })
  .openapi('Apartment');

const apartmentItem = z.object({ unit: text(40), floor: z.number().int().min(0).max(60) }).strict();

const rolloutBuilding = z.object({
  buildingId: z.uuid(),
  residence: z.string(),
  building: z.string(),
  address: z.string(),
  communeCode: z.string(),
  status: z.enum(deploymentStatuses),
  suspendedReason: z.string().nullable(),
  apartments: z.number().int(),
  provisioned: z.number().int(),
  optedIn: z.number().int(),
  optedOut: z.number().int(),
  optedInPercent: z.number(),
  openIncidents: z.number().int(),
  overdueIncidents: z.number().int(),
  monthlyCostCents: z.number().int().nullable(),
  monthlyChargesTotalCents: z.number().int().nullable(),
  costRecovery: z.string().nullable(),
});

const rolloutSchema = z
  .object({
    landlord: z.object({ id: z.uuid(), name: z.string() }),
    buildings: z.array(rolloutBuilding),
    totals: z.object({
      buildings: z.number().int(),
      byStatus: z.record(z.string(), z.number().int()),
      apartments: z.number().int(),
      provisioned: z.number().int(),
      optedIn: z.number().int(),
      optedInPercent: z.number(),
      openIncidents: z.number().int(),
      overdueIncidents: z.number().int(),
      monthlyChargesTotalCents: z.number().int(),
    }),
    generatedAt: timestamp,
  })
  .openapi('Rollout');

const presentApartment = ({
  organisationId: _organisationId,
  suspendedFrom: _suspendedFrom,
  version: _version,
  createdAt: _createdAt,
  ...apartment
}: Awaited<ReturnType<typeof listApartments>>[number]) => asJson(apartment);

export function placesRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/residences',
        operationId: 'createResidence',
        tags: [tag],
        summary: 'Records a residence of a landlord (the coordinator names the landlord; a landlord’s manager records its own).',
        security: bearerSecurity,
        request: { body: json(z.object({ name: text(200), shortName: text(20), communeCode, organisationId: z.uuid().optional() }).strict()) },
        responses: { 201: ok('The residence.', residenceSchema), ...problems(401, 403, 409, 422) },
      }),
      async (c) => c.json(asJson(await createResidence(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/residences',
        operationId: 'listResidences',
        tags: [tag],
        summary: 'The residences you see.',
        security: bearerSecurity,
        request: { query: z.object({ organisationId: z.uuid().optional() }) },
        responses: { 200: ok('Residences.', z.object({ items: z.array(residenceSchema) })), ...problems(401, 422) },
      }),
      async (c) => c.json({ items: asJson(await listResidences(db, actorOf(c), c.req.valid('query'))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/residences/{id}/buildings',
        operationId: 'createBuilding',
        tags: [tag],
        summary: 'Records a building of a residence (floors: levels with apartments, ground floor included); its deployment starts planned.',
        security: bearerSecurity,
        request: {
          params: idParam,
          body: json(z.object({ name: text(100), address: text(300), communeCode, floors: z.number().int().min(1).max(60) }).strict()),
        },
        responses: { 201: ok('The building.', buildingSchema), ...problems(401, 404, 409, 422) },
      }),
      async (c) => {
        const building = await createBuilding(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'));
        return c.json(asJson(await getBuilding(db, actorOf(c), building.id)), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/buildings',
        operationId: 'listBuildings',
        tags: [tag],
        summary: 'The buildings you see: a landlord’s own, an installer’s assigned ones.',
        security: bearerSecurity,
        request: { query: z.object({ residenceId: z.uuid().optional() }) },
        responses: { 200: ok('Buildings.', z.object({ items: z.array(buildingSchema) })), ...problems(401, 422) },
      }),
      async (c) => c.json({ items: asJson(await listBuildings(db, actorOf(c), c.req.valid('query'))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/buildings/{id}',
        operationId: 'getBuilding',
        tags: [tag],
        summary: 'A building and where its deployment is.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The building.', buildingSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getBuilding(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/buildings/{id}/apartments',
        operationId: 'addApartments',
        tags: [tag],
        summary: 'Adds apartments to a building, all or none; each wrong item is named.',
        security: bearerSecurity,
        request: { params: idParam, body: json(z.object({ apartments: z.array(apartmentItem).min(1).max(2_000) }).strict()) },
        responses: { 201: ok('The apartments added.', z.object({ items: z.array(apartmentSchema) })), ...problems(401, 403, 404, 422) },
      }),
      async (c) => {
        const added = await addApartments(db, actorOf(c), c.req.valid('param').id, c.req.valid('json').apartments);
        return c.json({ items: added.map(presentApartment) }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/buildings/{id}/apartments/import',
        operationId: 'importApartments',
        tags: [tag],
        summary:
          'Adds apartments from a CSV (columns “logement” and “étage”, RDC for the ground floor), as text/csv or the field "file" of a form; all or none.',
        security: bearerSecurity,
        request: { params: idParam, body: uploadedFileBody('text/csv') },
        responses: { 201: ok('The apartments added.', z.object({ items: z.array(apartmentSchema) })), ...problems(401, 403, 404, 415, 422) },
      }),
      async (c) => {
        const { content } = await uploadedFile(c.req.raw, 'logements.csv');
        const { items, lines } = parseApartmentsCsv(content);
        const added = await addApartments(db, actorOf(c), c.req.valid('param').id, items, (index) => `line ${lines[index]}`);
        return c.json({ items: added.map(presentApartment) }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/buildings/{id}/apartments',
        operationId: 'listApartments',
        tags: [tag],
        summary: 'A building’s apartments, landing by landing, with their status and opt-in.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('Apartments.', z.object({ items: z.array(apartmentSchema) })), ...problems(401, 404, 422) },
      }),
      async (c) => c.json({ items: (await listApartments(db, actorOf(c), c.req.valid('param').id)).map(presentApartment) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/landlords/{id}/rollout',
        operationId: 'getLandlordRollout',
        tags: [tag],
        summary: 'A landlord’s rollout building by building: status, apartments provisioned, opt-in, open and overdue incidents, monthly charges.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The rollout.', rolloutSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await landlordRollout(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/landlords/{id}/rollout.csv',
        operationId: 'exportLandlordRollout',
        tags: [tag],
        summary: 'The same rollout as a CSV for a spreadsheet (semicolons, UTF-8 with BOM).',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: { description: 'The rollout (text/csv).' }, ...problems(401, 404, 422) },
      }),
      async (c) => {
        const rollout = await landlordRollout(db, actorOf(c), c.req.valid('param').id);
        return c.body(rolloutCsv(rollout), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="deploiement-${rollout.generatedAt.toISOString().slice(0, 10)}.csv"`,
        });
      },
    );
}
