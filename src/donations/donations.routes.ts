import { PassThrough, Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { intakeItem } from '../devices/devices.input.ts';
import { deviceStatuses } from '../devices/lifecycle.ts';
import type { FileStore } from '../files/file-store.ts';
import { uploadedFile, uploadedFileBody } from '../http/upload.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, json, ok, problems, timestamp } from '../http/router.ts';
import { jobSchema } from '../jobs/jobs.routes.ts';
import { donationInput } from './donations.input.ts';
import { donationReport, donationReportCsv, renderDonationReportPdf } from './donation-report.ts';
import { createDonation, getDonation, listDonations } from './donations.service.ts';
import { startIntakeImport } from './intake-import.ts';
import { registerDeviceBatch } from './intake.service.ts';

const donationSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    collectionSiteId: z.uuid(),
    collectionSiteName: z.string(),
    donorOrganisationId: z.uuid().nullable(),
    donorName: z.string(),
    donorContact: z.string().nullable(),
    campaign: z.string().nullable(),
    expectedCount: z.number().int().nullable(),
    reuseCommitmentReference: z.string().nullable().openapi({ description: 'The convention by which the receiver committed to reuse the devices.' }),
    reuseCommitmentDate: z.string().nullable().openapi({ format: 'date', description: 'Its date: no later than the collection.' }),
    receivedCount: z.number().int(),
    countsByStatus: z.partialRecord(z.enum(deviceStatuses), z.number().int()),
    createdAt: timestamp,
  })
  .openapi('Donation');

const batchResult = z.object({
  createdCount: z.number().int(),
  refusedCount: z.number().int(),
  created: z.array(z.object({ index: z.number().int(), code: z.string(), id: z.uuid() })),
  refused: z.array(z.object({ index: z.number().int(), code: z.string(), message: z.string(), existingDevice: z.string().optional() })),
});

const tag = 'Donations';

export function donationRoutes(database: Database, fileStore: FileStore, publicUrl: string) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/donations',
        operationId: 'createDonation',
        tags: [tag],
        summary: 'Records a donation (a lot) arriving at one of your collection sites.',
        security: bearerSecurity,
        request: { body: json(donationInput) },
        responses: { 201: ok('Recorded.', donationSchema), ...problems(401, 403, 422) },
      }),
      async (c) => c.json(asJson(await createDonation(db, actorOf(c), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/donations',
        operationId: 'listDonations',
        tags: [tag],
        summary: 'Donations your organisation received (a donor: the ones it gave), newest first, with expected and received counts.',
        security: bearerSecurity,
        request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
        responses: { 200: ok('Donations.', z.object({ items: z.array(donationSchema) })), ...problems(401, 422) },
      }),
      async (c) => c.json({ items: asJson(await listDonations(db, actorOf(c), c.req.valid('query'))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/donations/{id}',
        operationId: 'getDonation',
        tags: [tag],
        summary: "A donation: expected vs received, its devices' statuses (the devices: GET /api/devices?donationId=).",
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('The donation.', donationSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(asJson(await getDonation(db, actorOf(c), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/donations/{id}/report.csv',
        operationId: 'donationReportCsv',
        tags: [tag],
        summary:
          'Traceability report of a donation as CSV (for its donor and its receiver): every device, its wipe and certificate, its outcome; never the household.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: { description: 'The report (text/csv, semicolons, UTF-8 with BOM).' }, ...problems(401, 404, 422) },
      }),
      async (c) => {
        const report = await donationReport(db, actorOf(c), c.req.valid('param').id);
        return c.body(donationReportCsv(report), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="tracabilite-don-${report.donation.id.slice(0, 8)}.csv"`,
        });
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/donations/{id}/report.pdf',
        operationId: 'donationReportPdf',
        tags: [tag],
        summary: 'The same traceability report as a PDF: the donation, the donor, the dates, the counts by outcome, every device.',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: { description: 'The report (application/pdf).' }, ...problems(401, 404, 422) },
      }),
      async (c) => {
        const report = await donationReport(db, actorOf(c), c.req.valid('param').id);
        const pdf = new PassThrough();
        void renderDonationReportPdf(report, publicUrl, pdf).catch((error: unknown) => pdf.destroy(error as Error));
        return c.body(Readable.toWeb(pdf) as ReadableStream<Uint8Array>, 200, {
          'content-type': 'application/pdf',
          'content-disposition': `attachment; filename="tracabilite-don-${report.donation.id.slice(0, 8)}.pdf"`,
        });
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/donations/{id}/devices',
        operationId: 'registerDonationDevices',
        tags: [tag],
        summary:
          'Registers many devices of a donation at once (JSON). Each is answered by its position; a serial number already live is refused, the others go in.',
        security: bearerSecurity,
        request: {
          params: idParam,
          body: json(z.object({ devices: z.array(intakeItem).min(1).max(10_000), siteId: z.uuid().optional() })),
        },
        responses: { 201: ok('What was registered and what was refused.', batchResult), ...problems(401, 403, 404, 422) },
      }),
      async (c) => {
        const body = c.req.valid('json');
        return c.json(await registerDeviceBatch(db, actorOf(c), c.req.valid('param').id, body.devices, body.siteId), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/donations/{id}/imports',
        operationId: 'importDonationCsv',
        tags: [tag],
        summary:
          'Imports an inventory CSV (as text/csv, or the field "file" of a form): checked at once, then imported by a worker; follow GET /api/jobs/{jobId}.',
        security: bearerSecurity,
        request: { params: idParam, body: uploadedFileBody('text/csv') },
        responses: { 202: ok('The import job.', jobSchema), ...problems(400, 401, 403, 404, 415, 422) },
      }),
      async (c) => {
        const file = await uploadedFile(c.req.raw, 'inventaire.csv');
        const job = await startIntakeImport(db, fileStore, actorOf(c), { donationId: c.req.valid('param').id, ...file });
        return c.json(asJson(job), 202);
      },
    );
}
