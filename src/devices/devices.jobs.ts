import type { Tx } from '../db/client.ts';
import { enqueueInOutbox } from '../outbox/outbox.service.ts';
import { deviceEvents } from './devices.schema.ts';

export type NewDeviceEvent = typeof deviceEvents.$inferInsert;

// Two rows of parameters per event: well under Postgres's 65,535 per statement.
const eventsPerStatement = 2_000;

/**
 * Appends events to devices' histories and, in the same transaction, one `device-events` job per
 * event for the rest of the system (stock counters today; certificates and notifications later).
 */
export async function appendDeviceEvents(tx: Tx, events: NewDeviceEvent[]) {
  const appended = [];
  for (let start = 0; start < events.length; start += eventsPerStatement) {
    const rows = await tx.insert(deviceEvents).values(events.slice(start, start + eventsPerStatement)).returning();
    await enqueueInOutbox(
      tx,
      'device-events',
      rows.map((row) => ({ name: `device.${row.type}`, payload: { eventId: row.id } })),
    );
    appended.push(...rows);
  }
  return appended;
}

export async function appendDeviceEvent(tx: Tx, event: NewDeviceEvent) {
  const [row] = await appendDeviceEvents(tx, [event]);
  return row!;
}
