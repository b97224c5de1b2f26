import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../db/client.ts';
import { deploymentStatuses } from '../connectivity/deployments.lifecycle.ts';
import { networkDeviceWithNetworks } from '../connectivity/deployments.routes.ts';
import { deviceSchema } from '../devices/devices.routes.ts';
import { deviceStatuses } from '../devices/lifecycle.ts';
import { actorOf, asJson, bearerSecurity, createRouter, json, ok, problems, timestamp } from '../http/router.ts';
import { scanCode } from './scan.service.ts';

const scanResult = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('device'),
      device: deviceSchema,
      site: z.object({ id: z.uuid(), name: z.string() }),
      lastEvents: z.array(
        z.object({ type: z.string(), fromStatus: z.enum(deviceStatuses).nullable(), toStatus: z.enum(deviceStatuses), occurredAt: timestamp }),
      ),
      actions: z.array(z.object({ to: z.enum(deviceStatuses), action: z.string(), guards: z.array(z.string()) })),
      canMove: z.boolean(),
    }),
    z.object({
      type: z.literal('label'),
      code: z.string(),
      claimed: z.literal(false),
      actions: z.array(z.object({ action: z.string() })),
    }),
    z.object({
      type: z.literal('network_device'),
      networkDevice: networkDeviceWithNetworks,
      building: z.object({ id: z.uuid(), name: z.string(), address: z.string() }),
      deploymentStatus: z.enum(deploymentStatuses),
    }),
  ])
  .openapi('ScanResult');

export function scanRoutes(database: Database) {
  return createRouter().openapi(
    createRoute({
      method: 'post',
      path: '/scan',
      operationId: 'scan',
      tags: ['Scan'],
      summary:
        'Resolves a scanned or typed code (any case, dashes, spaces, O for 0, I/L for 1): a device and what you may do with it, an unclaimed label, or a building’s Wi-Fi box or access point. A misread answers 400.',
      security: bearerSecurity,
      request: { body: json(z.object({ code: z.string().min(1).max(100) })) },
      responses: { 200: ok('What the code is.', scanResult), ...problems(400, 401, 404, 422) },
    }),
    async (c) => c.json(asJson(await scanCode(database.db, actorOf(c), c.req.valid('json').code)), 200),
  );
}
