import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, problems, timestamp } from '../http/router.ts';
import { createOrganisation, getOrganisation, listOrganisations } from './organisations.service.ts';
import { organisationKinds, siteKinds } from './organisations.types.ts';
import { setOrganisationPublicContact } from './public-contact.ts';
import { organisationInput, publicContactInput, siteInput } from './organisations.input.ts';
import { createSite, getSite, listSites, updateSite } from './sites.service.ts';

const publishedContact = {
  publicPhone: z.string().nullable().openapi({ description: 'Published on the public card of the devices it holds; null: not published.' }),
  publicEmail: z.string().nullable().openapi({ description: 'Published on the public card of the devices it holds; null: not published.' }),
};

const organisationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    shortName: z.string(),
    kind: z.enum(organisationKinds),
    siren: z.string().nullable(),
    publicBody: z.boolean().openapi({ description: 'A public body: as a donor with its SIREN, it gets a yearly reuse attestation (loi REEN).' }),
    ...publishedContact,
    createdAt: timestamp,
  })
  .openapi('Organisation');

const siteSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    name: z.string(),
    kind: z.enum(siteKinds),
    address: z.string(),
    postalCode: z.string().nullable(),
    communeCode: z.string(),
    ...publishedContact,
    createdAt: timestamp,
  })
  .openapi('Site');

export const organisationFilter = z.object({ organisationId: z.uuid().optional() });

export function organisationRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/organisations',
        operationId: 'createOrganisation',
        tags: ['Organisations'],
        summary: 'Adds a partner organisation to the network (coordinator only).',
        security: bearerSecurity,
        request: { body: json(organisationInput) },
        responses: { 201: ok('Created.', organisationSchema), ...problems(401, 403, 422) },
      }),
      async (c) => c.json(asJson(await createOrganisation(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/organisations',
        operationId: 'listOrganisations',
        tags: ['Organisations'],
        summary: 'All organisations for the coordinator; your own otherwise.',
        security: bearerSecurity,
        responses: { 200: ok('Organisations.', z.object({ items: z.array(organisationSchema) })), ...problems(401) },
      }),
      async (c) => c.json({ items: asJson(await listOrganisations(db, actorOf(c))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/organisations/{id}',
        operationId: 'getOrganisation',
        tags: ['Organisations'],
        summary: 'One organisation.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The organisation.', organisationSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getOrganisation(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/organisations/{id}',
        operationId: 'updateOrganisation',
        tags: ['Organisations'],
        summary: "Publishes or withdraws (null) the contact shown on the public card of an organisation's devices (coordinator only).",
        security: bearerSecurity,
        request: {
          params: idParam,
          body: json(publicContactInput.refine((changes) => Object.keys(changes).length > 0, 'Give at least one field to change.')),
        },
        responses: { 200: ok('The organisation.', organisationSchema), ...problems(401, 403, 404, 422) },
      }),
      async (c) => c.json(asJson(await setOrganisationPublicContact(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/sites',
        operationId: 'createSite',
        tags: ['Sites'],
        summary: 'Adds a site (collection point, workshop, storage, mediation place) to an organisation.',
        security: bearerSecurity,
        request: { body: json(siteInput.extend({ organisationId: z.uuid() })) },
        responses: { 201: ok('Created.', siteSchema), ...problems(401, 403, 404, 422) },
      }),
      async (c) => c.json(asJson(await createSite(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/sites',
        operationId: 'listSites',
        tags: ['Sites'],
        summary: "Your organisation's sites (every site for the coordinator).",
        security: bearerSecurity,
        request: { query: organisationFilter },
        responses: { 200: ok('Sites.', z.object({ items: z.array(siteSchema) })), ...problems(401, 422) },
      }),
      async (c) => c.json({ items: asJson(await listSites(db, actorOf(c), c.req.valid('query'))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/sites/{id}',
        operationId: 'getSite',
        tags: ['Sites'],
        summary: 'One site.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The site.', siteSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getSite(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/sites/{id}',
        operationId: 'updateSite',
        tags: ['Sites'],
        summary: "Changes a site's name, kind, address or published contact (coordinator only).",
        security: bearerSecurity,
        request: {
          params: idParam,
          body: json(siteInput.partial().refine((changes) => Object.keys(changes).length > 0, 'Give at least one field to change.')),
        },
        responses: { 200: ok('The site.', siteSchema), ...problems(401, 403, 404, 422) },
      }),
      async (c) => c.json(asJson(await updateSite(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    );
}
