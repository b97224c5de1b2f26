import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { deviceKinds } from '../devices/devices.schema.ts';
import { deviceStatuses } from '../devices/lifecycle.ts';
import { actorOf, bearerSecurity, createRouter, idParam, ok, problems } from '../http/router.ts';
import { getSiteStock } from './stock.service.ts';

const stockSchema = z
  .object({
    siteId: z.uuid(),
    siteName: z.string(),
    counts: z.array(z.object({ kind: z.enum(deviceKinds), status: z.enum(deviceStatuses), count: z.number().int() })),
    byStatus: z.record(z.string(), z.number().int()),
  })
  .openapi('SiteStock');

export function stockRoutes(database: Database) {
  return createRouter().openapi(
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
