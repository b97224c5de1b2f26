import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Jobs waiting to reach the queue. Written in the same transaction as the change that causes
 * them, so a committed change never loses its follow-up; the relay moves them to BullMQ with
 * a job id derived from the row (jobIdForOutboxRow), so one row never becomes two jobs.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    queue: text().notNull(),
    jobName: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    relayedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [index('outbox_pending').on(table.id).where(sql`${table.relayedAt} is null`)],
);
