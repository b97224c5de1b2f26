import { createRoute, z } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import type { FileStore } from '../files/file-store.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, problems, timestamp } from '../http/router.ts';
import { uploadedFile, uploadedFileBody } from '../http/upload.ts';
import { jobSchema } from '../jobs/jobs.routes.ts';
import { requireAdmin } from '../organisations/organisations.service.ts';
import { nationalStandard } from './national-standard.ts';
import { nationalCsv, nationalExport, nationalJson, type NationalExport } from './places.export.ts';
import { listPlaceImports, startPlaceImport } from './places.import.ts';
import { sitePlaceInput } from './places.input.ts';
import { getSitePlace, publishSitePlace, withdrawSitePlace } from './places.service.ts';
import { placeActivities } from './places.types.ts';

const tag = 'Places';

const sitePlaceSchema = z
  .object({
    siteId: z.uuid(),
    pivot: z.string().openapi({ description: 'The SIRET or RNA number of the organisation behind the place (the schema’s `pivot`).' }),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    typologies: z.array(z.string()),
    services: z.array(z.string()),
    activities: z.array(z.string()).openapi({ description: `What the network does there, among ${placeActivities.join(', ')}.` }),
    openingHours: z.string().nullable().openapi({ description: 'OpenStreetMap opening_hours syntax.' }),
    phone: z.string().nullable(),
    emails: z.array(z.string()),
    website: z.string().nullable(),
    summary: z.string().nullable(),
    publics: z.array(z.string()),
    accessModes: z.array(z.string()),
    fees: z.array(z.string()),
    bookingUrl: z.string().nullable(),
    updatedAt: timestamp.openapi({ description: 'The last change of what is published: the export’s `date_maj`.' }),
    createdAt: timestamp,
  })
  .openapi('SitePlace');

const leftOutSchema = z.object({ id: z.string(), name: z.string(), field: z.string(), reason: z.string() });

const nationalExportSchema = z
  .object({
    schema: z.object({ name: z.string(), version: z.string(), url: z.string() }),
    licence: z.object({ id: z.string(), title: z.string(), url: z.string() }),
    source: z.string(),
    generatedAt: timestamp,
    count: z.number().int(),
    leftOut: z.array(leftOutSchema).openapi({ description: 'The network’s places ANCT’s model refuses, left out of `lieux`, with the field and the reason.' }),
    lieux: z.array(z.record(z.string(), z.union([z.string(), z.number()]))).openapi({ description: 'One object per place, the schema’s columns as keys.' }),
  })
  .openapi('NationalPlacesExport');

const importSchema = jobSchema.omit({ files: true }).openapi('PlaceImport');

/** How many places were left out of an export, in a header of both its forms, for whoever publishes it. */
const leftOutHeader = 'x-places-left-out';

/**
 * The network's places: a site published as a place (coordinator), the export of the network's
 * places in the national schema (public, for the national map and data.gouv.fr), and the import of
 * other actors' places from a file in that schema.
 */
export function placesMapRoutes(database: Database, fileStore: FileStore, logger: Logger) {
  const { db } = database;
  const exported = async (): Promise<NationalExport> => {
    const result = await nationalExport(db);
    if (result.leftOut.length > 0) logger.warn({ leftOut: result.leftOut }, 'places left out of the national export');
    return result;
  };
  return createRouter()
    .openapi(
      createRoute({
        method: 'put',
        path: '/sites/{id}/place',
        operationId: 'publishSitePlace',
        tags: [tag],
        summary:
          'Publishes a site as a place in the national schema, or changes what it publishes (coordinator only): pivot, coordinates, typologies, services, hours, contact, publics, access, fees, activities.',
        security: bearerSecurity,
        request: { params: idParam, body: json(sitePlaceInput) },
        responses: { 200: ok('What the site publishes.', sitePlaceSchema), ...problems(401, 403, 404, 422) },
      }),
      async (c) => c.json(asJson(await publishSitePlace(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/sites/{id}/place',
        operationId: 'getSitePlace',
        tags: [tag],
        summary: 'What a site publishes as a place; 404 when it is not published.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('What the site publishes.', sitePlaceSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getSitePlace(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/sites/{id}/place',
        operationId: 'withdrawSitePlace',
        tags: [tag],
        summary: 'Withdraws a site from /lieux and the national export (coordinator only); the site itself stays.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 204: { description: 'Withdrawn (or not published).' }, ...problems(401, 403, 404, 422) },
      }),
      async (c) => {
        await withdrawSitePlace(db, actorOf(c), c.req.valid('param').id);
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/places/export.csv',
        operationId: 'exportPlacesCsv',
        tags: [tag],
        summary: `The network's places in the national schema (${nationalStandard.name} ${nationalStandard.version}), public: the schema's columns in its order, commas, "|" between the values of a cell, UTF-8, licence ${nationalStandard.licence.id}. The header ${leftOutHeader} counts the places ANCT's model refuses, left out (listed by the JSON).`,
        responses: { 200: { description: 'The places (text/csv).' } },
      }),
      async (c) => {
        const result = await exported();
        return c.body(nationalCsv(result.places), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': 'inline; filename="lieux-mediation-numerique.csv"',
          [leftOutHeader]: String(result.leftOut.length),
        });
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/places/export.json',
        operationId: 'exportPlacesJson',
        tags: [tag],
        summary: `The same places as JSON under \`lieux\`, with the schema, the licence (${nationalStandard.licence.id}), the source and the places left out with their reason.`,
        responses: { 200: ok('The places.', nationalExportSchema) },
      }),
      async (c) => {
        const result = await exported();
        c.header(leftOutHeader, String(result.leftOut.length));
        return c.json(nationalJson(result, new Date()), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/places/imports',
        operationId: 'importPlaces',
        tags: [tag],
        summary:
          'Imports other actors’ places from a file in the national schema (coordinator only; text/csv, or the field "file" of a form; up to 32 MB): the header is checked at once, the lines by a worker; follow GET /api/jobs/{jobId} (summary: created, updated, unchanged, olderIgnored, refused; errors: line, field, reason in English and French).',
        security: bearerSecurity,
        request: { body: uploadedFileBody('text/csv') },
        responses: { 202: ok('The import job.', jobSchema), ...problems(400, 401, 403, 415, 422) },
      }),
      async (c) => {
        const actor = actorOf(c);
        // Before reading a file of 20 MB: whether this person may import at all.
        requireAdmin(actor, 'import other actors’ places');
        const file = await uploadedFile(c.req.raw, 'lieux.csv');
        return c.json(asJson(await startPlaceImport(db, fileStore, actor, file)), 202);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/places/imports',
        operationId: 'listPlaceImports',
        tags: [tag],
        summary: 'The last imports of other actors’ places, latest first (coordinator only).',
        security: bearerSecurity,
        responses: { 200: ok('Imports.', z.object({ items: z.array(importSchema) })), ...problems(401, 403) },
      }),
      async (c) => c.json({ items: asJson(await listPlaceImports(db, actorOf(c))) }, 200),
    );
}
