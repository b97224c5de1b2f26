import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { deviceSchema } from '../devices/devices.routes.ts';
import { deviceKinds } from '../devices/devices.schema.ts';
import { deviceStatuses } from '../devices/lifecycle.ts';
import { actorOf, asJson, bearerSecurity, createRouter, idParam, ok, problems } from '../http/router.ts';
import { getSiteStock, listStock } from './stock.service.ts';

const stockSchema = z
  .object({
    siteId: z.uuid(),
    siteName: z.string(),
    counts: z.array(z.object({ kind: z.enum(deviceKinds), status: z.enum(deviceStatuses), count: z.number().int() })),
    byStatus: z.record(z.string(), z.number().int()),
  })
  .openapi('SiteStock');

export function stockRoutes(database: Database) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/stock',
        operationId: 'listStock',
        tags: ['Stock'],
        summary:
          'Ready devices, filtered by kind, grade, minimum RAM and storage, site or territory, with counts per site and kind (by kind, site or territory alone: the stock counters the workers keep, a second or so behind; with a grade or a spec: counted on the devices).',
        security: bearerSecurity,
        request: {
          query: z.object({
            kind: z.enum(deviceKinds).optional(),
            grade: z.enum(['A', 'B', 'C']).optional(),
            minRamGb: z.coerce.number().positive().max(4096).optional(),
            minStorageGb: z.coerce.number().positive().max(1_000_000).optional(),
            siteId: z.uuid().optional(),
            territory: z
              .string()
              .regex(/^([0-9]{2,3}|2[ABab])([0-9]{2,3})?$/, 'A commune code (47001) or a département code (47, 2A, 971).')
              .optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
        },
        responses: {
          200: ok(
            'Ready devices and counts.',
            z.object({
              items: z.array(deviceSchema.extend({ siteName: z.string(), communeCode: z.string() })),
              counts: z.array(z.object({ siteId: z.uuid(), siteName: z.string(), kind: z.enum(deviceKinds), count: z.number().int() })),
            }),
          ),
          ...problems(401, 422),
        },
      }),
      async (c) => c.json(asJson(await listStock(database.db, actorOf(c), c.req.valid('query'))), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/sites/{id}/stock',
        operationId: 'getSiteStock',
        tags: ['Stock'],
        summary: 'Devices at a site by status and kind (updated by the workers within a second or so of each change).',
        security: bearerSecurity,
        request: { params: idParam },
        responses: { 200: ok('Counts.', stockSchema), ...problems(401, 404, 422) },
      }),
      async (c) => c.json(await getSiteStock(database.db, actorOf(c), c.req.valid('param').id), 200),
    );
}
