import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';

/**
 * Requests sent with an Idempotency-Key (a scan station replaying what it queued while offline):
 * the first one's answer, replayed to any retry, so an action is applied once however often it is
 * sent. `status` is null while the first request is being processed. Kept a day. An answer that
 * held a secret (a passphrase, a token: a `Cache-Control: no-store` answer) is never kept:
 * `answerWithheld` says so, and a replay is refused instead of shown it.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id),
    key: text().notNull(),
    // Method, path and body, under an HMAC keyed from APP_SECRET: the same key for another request
    // is refused, not replayed, and a body holding a password cannot be guessed back from the hash.
    requestHash: text().notNull(),
    status: integer(),
    contentType: text(),
    responseBody: text(),
    answerWithheld: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.key] }), index().on(table.createdAt)],
);
