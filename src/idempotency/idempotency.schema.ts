import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';

/**
 * Requests sent with an Idempotency-Key (a scan station replaying what it queued while offline):
 * the first one's answer, replayed to any retry, so an action is applied once however often it is
 * sent. `status` is null while the first request is being processed. Kept a day.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id),
    key: text().notNull(),
    // Method, path and body, hashed: the same key for another request is refused, not replayed.
    requestHash: text().notNull(),
    status: integer(),
    contentType: text(),
    responseBody: text(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.key] }), index().on(table.createdAt)],
);
