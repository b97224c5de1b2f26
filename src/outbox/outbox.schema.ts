import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The ledger of follow-up work. A row is written in the same transaction as the change that
 * causes it, so a committed change never loses its follow-up, and it stays outstanding until the
 * job is done, not merely handed to Redis: a job Redis forgot (a restart without persistence, a
 * failover, an eviction) is sent again from here. The relay moves rows to BullMQ with a job id
 * derived from the row (jobIdForOutboxRow), so one row never becomes two jobs.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    queue: text().notNull(),
    jobName: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** When the queue last held the job: set at the first relay, renewed by each check that finds it there. */
    relayedAt: timestamp({ withTimezone: true, precision: 3 }),
    /** The job finished its work; the row is kept a week for inspection, then pruned. */
    doneAt: timestamp({ withTimezone: true, precision: 3 }),
    /** The job gave up (its last attempt failed): it waits in the queue's failed set for a person. */
    failedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [
    index('outbox_pending').on(table.id).where(sql`${table.relayedAt} is null`),
    index('outbox_outstanding').on(table.relayedAt).where(sql`${table.relayedAt} is not null and ${table.doneAt} is null and ${table.failedAt} is null`),
  ],
);
