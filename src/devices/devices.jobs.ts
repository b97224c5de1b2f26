import type { Tx } from '../db/client.ts';
import { enqueueInOutbox } from '../outbox/outbox.service.ts';
import { deviceEvents } from './devices.schema.ts';

export type NewDeviceEvent = typeof deviceEvents.$inferInsert;

/**
 * Appends one event to a device's history and, in the same transaction, the job that tells the
 * rest of the system (stock counters today; certificates and notifications later).
 */
export async function appendDeviceEvent(tx: Tx, event: NewDeviceEvent) {
  const [row] = await tx.insert(deviceEvents).values(event).returning();
  await enqueueInOutbox(tx, 'device-events', `device.${event.type}`, { eventId: row!.id });
  return row!;
}
