import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, phoneNumber, problems, text, timestamp } from '../http/router.ts';
import { createOrganisation, getOrganisation, listOrganisations } from './organisations.service.ts';
import { organisationKinds, siteKinds } from './organisations.types.ts';
import { setOrganisationPublicContact } from './public-contact.ts';
import { createSite, getSite, listSites, updateSite } from './sites.service.ts';

const publishedContact = {
  publicPhone: z.string().nullable().openapi({ description: 'Published on the public card of the devices it holds; null: not published.' }),
  publicEmail: z.string().nullable().openapi({ description: 'Published on the public card of the devices it holds; null: not published.' }),
};

/** A contact to publish (null withdraws it): nothing is published unless set. */
const publicContactFields = {
  publicPhone: phoneNumber.nullable().optional(),
  publicEmail: z.email('An e-mail address, e.g. contact@atelier.fr.').max(254).nullable().optional(),
};

const organisationSchema = z
  .object({ id: z.uuid(), name: z.string(), shortName: z.string(), kind: z.enum(organisationKinds), ...publishedContact, createdAt: timestamp })
  .openapi('Organisation');

export const communeCodeField = z
  .string()
  .regex(/^([0-9]{2}|2[ABab])[0-9]{3}$/, 'An INSEE commune code has 5 characters, like 47001 or 2A004.')
  .transform((code) => code.toUpperCase());

const siteFields = z.object({
  name: text(200),
  kind: z.enum(siteKinds),
  address: text(500),
  postalCode: z.string().regex(/^[0-9]{5}$/, 'A postal code has 5 digits.').optional(),
  communeCode: communeCodeField,
  ...publicContactFields,
});

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
        request: { body: json(z.object({ name: text(200), shortName: text(24), kind: z.enum(organisationKinds), ...publicContactFields })) },
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
          body: json(z.object(publicContactFields).refine((changes) => Object.keys(changes).length > 0, 'Give at least one field to change.')),
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
        request: { body: json(siteFields.extend({ organisationId: z.uuid() })) },
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
          body: json(
            siteFields.partial().refine((changes) => Object.keys(changes).length > 0, 'Give at least one field to change.'),
          ),
        },
        responses: { 200: ok('The site.', siteSchema), ...problems(401, 403, 404, 422) },
      }),
      async (c) => c.json(asJson(await updateSite(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    );
}
