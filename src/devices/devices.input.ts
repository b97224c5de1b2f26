import { z } from '@hono/zod-openapi';
import { text } from '../http/router.ts';
import { deviceKinds, storageTypes } from './devices.schema.ts';

export const storageMedium = z.object({
  type: z.enum(storageTypes),
  model: text(200).optional(),
  serialNumber: text(200).optional(),
  capacityGb: z.number().positive().max(1_000_000).optional(),
});

/** A device as intake receives it, from the scan station, a JSON list or a CSV line. */
export const intakeItem = z.object({
  kind: z.enum(deviceKinds),
  brand: text(100),
  model: text(200),
  serialNumber: text(200).optional(),
  storageMedia: z.array(storageMedium).max(16).default([]),
  storageUnknown: z.boolean().optional().openapi({ description: 'Nobody knows yet what storage it has: the bench must check.' }),
  notes: text(2000).optional(),
  labelCode: z.string().max(40).optional().openapi({ description: 'A pre-printed label scanned for this device.' }),
});
