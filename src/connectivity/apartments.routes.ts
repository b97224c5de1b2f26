import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import type { FileStore } from '../files/file-store.ts';
import { sendFile } from '../files/files.routes.ts';
import { actorOf, asJson, bearerSecurity, calendarDate, createRouter, idParam, json, ok, problems, timestamp } from '../http/router.ts';
import { jobSchema } from '../jobs/jobs.routes.ts';
import { getJob } from '../jobs/jobs.service.ts';
import { apartmentStatuses, optInStatuses } from './apartments.lifecycle.ts';
import {
  accessPointConfiguration,
  apartmentLetter,
  changeApartmentStatus,
  getApartment,
  moveOut,
  renameSsid,
  revealPassphrase,
  setOptIn,
} from './apartments.service.ts';
import { apartmentSchema } from './places.routes.ts';
import { passphraseBox } from './secret-box.ts';
import { sealedFileStore } from '../files/sealed-file-store.ts';

const tag = 'Shared connectivity';

const apartmentDetail = apartmentSchema
  .extend({
    buildingName: z.string(),
    network: z
      .object({ ssid: z.string(), passphraseVersion: z.number().int(), letterReady: z.boolean(), accessPointCode: z.string(), rotatedAt: timestamp })
      .nullable(),
  })
  .openapi('ApartmentDetail');

const renewal = z.object({ apartment: apartmentSchema, passphraseVersion: z.number().int(), job: jobSchema }).openapi('CredentialsRenewal');

const accessPointParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
  accessPointId: z.uuid().openapi({ param: { name: 'accessPointId', in: 'path' } }),
});

const present = <T extends { organisationId: string; suspendedFrom: unknown; version: number; createdAt: Date }>({
  organisationId: _o,
  suspendedFrom: _s,
  version: _v,
  createdAt: _c,
  ...apartment
}: T) => asJson(apartment);

export function apartmentRoutes(database: Database, fileStore: FileStore, appSecret: string) {
  const { db } = database;
  const box = passphraseBox(appSecret);
  // Letters and configurations are sealed at rest; opened only here, for someone entitled, each download recorded.
  const sealedFiles = sealedFileStore(fileStore, appSecret);
  const renewed = async (actor: Parameters<typeof getJob>[1], result: Awaited<ReturnType<typeof moveOut>>) => ({
    apartment: present(result.apartment),
    passphraseVersion: result.passphraseVersion,
    job: asJson(await getJob(db, actor, result.job.id)),
  });
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/apartments/{id}',
        operationId: 'getApartment',
        tags: [tag],
        summary: 'An apartment: its status, opt-in and network (SSID, passphrase version; never the passphrase).',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The apartment.', apartmentDetail), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(present(await getApartment(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/apartments/{id}/passphrase/reveal',
        operationId: 'revealPassphrase',
        tags: [tag],
        summary: 'Shows one apartment’s passphrase to the landlord’s manager or the building’s installer; every reveal is recorded.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: {
          200: ok('The network.', z.object({ ssid: z.string(), passphrase: z.string(), passphraseVersion: z.number().int() })),
          ...problems(401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        c.header('cache-control', 'no-store');
        return c.json(await revealPassphrase(db, box, actorOf(c), c.req.valid('param').id), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/apartments/{id}/ssid',
        operationId: 'renameSsid',
        tags: [tag],
        summary: 'Renames the apartment’s SSID (at most 32 bytes); a new passphrase and a new letter come with it, since devices must join again anyway.',
        security: bearerSecurity,
        request: { params: idParam, body: json(z.object({ ssid: z.string().max(64) }).strict()) },
        responses: { 200: ok('The new version and its job.', renewal), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(await renewed(actorOf(c), await renameSsid(db, box, actorOf(c), c.req.valid('param').id, c.req.valid('json').ssid)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/apartments/{id}/move-out',
        operationId: 'recordMoveOut',
        tags: [tag],
        summary:
          'A tenant moved out: a new passphrase replaces the old one, a new letter and the access point’s configuration are written; opt-in starts over.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The new version and its job.', renewal), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(await renewed(actorOf(c), await moveOut(db, box, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/apartments/{id}/opt-in',
        operationId: 'setOptIn',
        tags: [tag],
        summary: 'Whether the household uses the shared Wi-Fi (unknown, in, out), with the date it said so (today by default).',
        security: bearerSecurity,
        request: { params: idParam, body: json(z.object({ optIn: z.enum(optInStatuses), on: calendarDate().optional() }).strict()) },
        responses: { 200: ok('The apartment.', apartmentSchema), ...problems(401, 403, 404, 422) },
      }),
      async (c) => c.json(present(await setOptIn(db, actorOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/apartments/{id}/status',
        operationId: 'changeApartmentStatus',
        tags: [tag],
        summary: 'Records the letter delivered, the service in use or not, a suspension or a resumption.',
        security: bearerSecurity,
        request: { params: idParam, body: json(z.object({ to: z.enum(apartmentStatuses) }).strict()) },
        responses: { 200: ok('The apartment.', apartmentSchema), ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => c.json(present(await changeApartmentStatus(db, actorOf(c), c.req.valid('param').id, c.req.valid('json').to)), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/apartments/{id}/letter',
        operationId: 'downloadTenantLetter',
        tags: [tag],
        summary: 'The tenant letter (PDF: SSID, passphrase, Wi-Fi QR code); the download is recorded.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: { description: 'The letter (application/pdf).' }, ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => {
        c.header('cache-control', 'no-store');
        return sendFile(c, sealedFiles, await apartmentLetter(db, actorOf(c), c.req.valid('param').id));
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/buildings/{id}/access-points/{accessPointId}/config',
        operationId: 'downloadAccessPointConfig',
        tags: [tag],
        summary: 'An access point’s OpenWrt wireless configuration (one wifi-iface per SSID and radio); the download is recorded.',
        security: bearerSecurity,
        request: { params: accessPointParams },
        responses: { 200: { description: 'The UCI configuration (text/plain).' }, ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => {
        const { id, accessPointId } = c.req.valid('param');
        c.header('cache-control', 'no-store');
        return sendFile(c, sealedFiles, await accessPointConfiguration(db, actorOf(c), id, accessPointId));
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/buildings/{id}/access-points.csv',
        operationId: 'downloadControllerCsv',
        tags: [tag],
        summary: 'Every SSID of the building per access point, as a CSV for other controllers; the download is recorded.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: { description: 'The CSV (text/csv).' }, ...problems(401, 403, 404, 409, 422) },
      }),
      async (c) => {
        c.header('cache-control', 'no-store');
        return sendFile(c, sealedFiles, await accessPointConfiguration(db, actorOf(c), c.req.valid('param').id, undefined));
      },
    );
}
