import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import type { QueueName } from '../jobs/queues.ts';
import { outbox } from '../outbox/outbox.schema.ts';
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
    const rows = await tx
      .insert(deviceEvents)
      .values(events.slice(start, start + eventsPerStatement))
      .returning();
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

/**
 * The `created` events of a lot registered at once, with their jobs, in one statement: the rows
 * travel as one JSON parameter, because building thousands of rows through the query builder
 * cost more than Postgres's own work (see the intake_bulk benchmark).
 */
export async function appendCreatedEvents(
  tx: Tx,
  created: { deviceId: string; siteId: string }[],
  by: { userId: string; organisationId: string },
  payload: Record<string, unknown>,
) {
  if (created.length === 0) return;
  const queue = 'device-events' satisfies QueueName;
  await tx.execute(sql`
    with events as (
      insert into ${deviceEvents} (device_id, type, to_status, site_id, actor_user_id, organisation_id, payload)
      select r.device_id, 'created', 'collected', r.site_id, ${by.userId}, ${by.organisationId}, ${JSON.stringify(payload)}::jsonb
      from jsonb_to_recordset(${JSON.stringify(created.map((row) => ({ device_id: row.deviceId, site_id: row.siteId })))}::jsonb)
        as r(device_id uuid, site_id uuid)
      returning id
    )
    insert into ${outbox} (queue, job_name, payload)
    select ${queue}, 'device.created', jsonb_build_object('eventId', events.id) from events`);
}
