import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { placeholders, statement } from '../db/statement.ts';
import type { QueueName } from '../jobs/queues.ts';
import { outbox } from '../outbox/outbox.schema.ts';
import { deviceEvents } from './devices.schema.ts';

export type NewDeviceEvent = typeof deviceEvents.$inferInsert;

/**
 * Appends an event to a device's history and, in the same statement, its `device-events` job for
 * the rest of the system (stock counters, indicators, certificates, notifications).
 */
export async function appendDeviceEvent(tx: Tx, event: NewDeviceEvent) {
  const [row] = await insertDeviceEventWithJob(tx, {
    ...event,
    fromStatus: event.fromStatus ?? null,
    fromSiteId: event.fromSiteId ?? null,
    actorUserId: event.actorUserId ?? null,
    note: event.note ?? null,
    payload: event.payload ?? {},
    occurredAt: event.occurredAt ?? new Date(),
  });
  return row!;
}

// Every column a placeholder: appendDeviceEvent gives each its value, the defaults included. The
// job's insert reads the event's id and type from the first one's returning.
const insertDeviceEventWithJob = statement('append_device_event', (db) => {
  const appended = db.$with('appended').as(
    db
      .insert(deviceEvents)
      .values(
        placeholders('deviceId', 'type', 'fromStatus', 'toStatus', 'fromSiteId', 'siteId', 'actorUserId', 'organisationId', 'note', 'payload', 'occurredAt'),
      )
      .returning(),
  );
  const job = db.$with('job').as(
    db
      .insert(outbox)
      .values({
        queue: 'device-events' satisfies QueueName,
        jobName: sql`(select 'device.' || ${appended.type}::text from ${appended})`,
        payload: sql`(select jsonb_build_object('eventId', ${appended.id}) from ${appended})`,
      })
      .returning({ id: outbox.id }),
  );
  return db.with(appended, job).select().from(appended);
});

/**
 * appendDeviceEvent for a batch (the matching round's reservations): the events and their jobs in
 * one statement, the rows travelling as one JSON parameter, as appendCreatedEvents does. Returns
 * the events' ids, in the order given.
 */
export async function appendDeviceEvents(tx: Tx, events: readonly NewDeviceEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  const queue = 'device-events' satisfies QueueName;
  const rows = events.map((event, n) => ({
    n,
    device_id: event.deviceId,
    type: event.type,
    from_status: event.fromStatus ?? null,
    to_status: event.toStatus,
    from_site_id: event.fromSiteId ?? null,
    site_id: event.siteId,
    actor_user_id: event.actorUserId ?? null,
    organisation_id: event.organisationId,
    note: event.note ?? null,
    payload: event.payload ?? {},
    occurred_at: event.occurredAt ?? null,
  }));
  const appended = await tx.execute<{ id: string | number }>(sql`
    with events as (
      insert into ${deviceEvents} (device_id, type, from_status, to_status, from_site_id, site_id, actor_user_id, organisation_id, note, payload, occurred_at)
      select e.device_id, e.type, e.from_status, e.to_status, e.from_site_id, e.site_id, e.actor_user_id, e.organisation_id, e.note, e.payload,
        coalesce(e.occurred_at, now())
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as e(n integer, device_id uuid, type device_event_type, from_status device_status,
        to_status device_status, from_site_id uuid, site_id uuid, actor_user_id uuid, organisation_id uuid, note text, payload jsonb, occurred_at timestamptz)
      order by e.n
      returning id, type
    ),
    jobs as (
      insert into ${outbox} (queue, job_name, payload)
      select ${queue}, 'device.' || events.type::text, jsonb_build_object('eventId', events.id) from events order by events.id
    )
    select id from events order by id`);
  return appended.map((row) => Number(row.id));
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
