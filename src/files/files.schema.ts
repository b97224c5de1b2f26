import { bigint, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { backgroundJobs } from '../jobs/jobs.schema.ts';
import { organisations } from '../organisations/organisations.schema.ts';

/** Every file Boucle keeps (uploads, label sheets, certificates, exports), owned by one organisation. */
export const files = pgTable(
  'files',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    kind: text().notNull(),
    filename: text().notNull(),
    contentType: text().notNull(),
    size: bigint({ mode: 'number' }).notNull(),
    sha256: text().notNull(),
    storageKey: text().notNull(),
    // The job that produced the file, when a worker did.
    jobId: uuid().references(() => backgroundJobs.id),
    createdByUserId: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex().on(table.storageKey), index().on(table.jobId)],
);
