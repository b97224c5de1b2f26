import { PassThrough, Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { actorOf, bearerSecurity, createRouter, ok, problems } from '../http/router.ts';
import { indicatorQuery, indicatorQuerySchema, indicatorsTag as tag } from './indicators.routes.ts';
import { openDataCsv, openDataRows, openDataTableSchema } from './open-data.ts';
import { renderSteeringReportPdf, steeringReport } from './steering-report.ts';

const openDataQuery = z.object({
  year: z
    .string()
    .regex(/^2[01]\d{2}$/, 'A year from 2000 to 2199, e.g. 2026.')
    .openapi({ description: 'The calendar year.', example: '2026' }),
});

/** What the network publishes and files: the steering committee's report, and the open data with its schema. */
export function indicatorExportRoutes(database: Database) {
  const { db } = database;
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/indicators/report.pdf',
        operationId: 'steeringReportPdf',
        tags: [tag],
        summary:
          "The steering committee's report as a PDF (French): the indicators beside the previous period, month by month, the environmental impact and its method, each territory inside the scope.",
        security: bearerSecurity,
        request: { query: indicatorQuerySchema },
        responses: { 200: { description: 'The report (application/pdf).' }, ...problems(401, 403, 422) },
      }),
      async (c) => {
        const report = await steeringReport(db, actorOf(c), indicatorQuery(c.req.valid('query')));
        const pdf = new PassThrough();
        void renderSteeringReportPdf(report, pdf).catch((error: unknown) => pdf.destroy(error as Error));
        return c.body(Readable.toWeb(pdf) as ReadableStream<Uint8Array>, 200, {
          'content-type': 'application/pdf',
          'content-disposition': `attachment; filename="rapport-pilotage-${report.indicators.period.label.replace('/', '_')}.pdf"`,
        });
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/indicators/open-data.csv',
        operationId: 'openDataCsv',
        tags: [tag],
        summary:
          "The year's figures per month and commune, summed over the network, as open data (comma-separated, UTF-8, described by /indicators/open-data/schema.json); the coordinator downloads it to publish it.",
        security: bearerSecurity,
        request: { query: openDataQuery },
        responses: { 200: { description: 'The rows (text/csv).' }, ...problems(401, 403, 422) },
      }),
      async (c) => {
        const { year } = c.req.valid('query');
        const rows = await openDataRows(db, actorOf(c), Number(year));
        return c.body(openDataCsv(rows), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="boucle-indicateurs-mensuels-${year}.csv"`,
        });
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/indicators/open-data/schema.json',
        operationId: 'openDataSchema',
        tags: [tag],
        summary: 'The Frictionless Table Schema of the open data CSV: each column with its French title, description, type and constraints.',
        responses: { 200: ok('The Table Schema.', z.record(z.string(), z.unknown())) },
      }),
      (c) => c.json(openDataTableSchema(), 200),
    );
}
