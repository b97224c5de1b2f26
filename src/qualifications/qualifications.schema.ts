import { date, index, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';

export const qualificationKinds = ['data_wiping', 'refurbishment'] as const;
export const qualificationKind = pgEnum('qualification_kind', qualificationKinds);

/** A training a person passed: who issued it, when, until when. Workshop operators and mediators alike. */
export const qualifications = pgTable(
  'qualifications',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    kind: qualificationKind().notNull(),
    issuer: text().notNull(),
    issuedOn: date({ mode: 'string' }).notNull(),
    expiresOn: date({ mode: 'string' }).notNull(),
    recordedByUserId: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [index().on(table.userId, table.kind)],
);
