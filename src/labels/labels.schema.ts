import { integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { assetCodes } from '../devices/devices.schema.ts';
import { donations } from '../donations/donations.schema.ts';
import { backgroundJobs } from '../jobs/jobs.schema.ts';
import { organisations } from '../organisations/organisations.schema.ts';

export const labelBatchSources = ['unclaimed', 'devices', 'donation', 'equipment'] as const;
export const labelBatchSource = pgEnum('label_batch_source', labelBatchSources);

/** A run of labels to print: fresh codes for later intake, or the codes of existing devices. */
export const labelBatches = pgTable('label_batches', {
  id: uuid().primaryKey().defaultRandom(),
  organisationId: uuid()
    .notNull()
    .references(() => organisations.id),
  formatId: text().notNull(),
  source: labelBatchSource().notNull(),
  donationId: uuid().references(() => donations.id),
  labelCount: integer().notNull(),
  jobId: uuid()
    .notNull()
    .references(() => backgroundJobs.id),
  createdByUserId: uuid().references(() => users.id),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/** The codes of a batch, in print order. */
export const labelBatchItems = pgTable(
  'label_batch_items',
  {
    batchId: uuid()
      .notNull()
      .references(() => labelBatches.id),
    position: integer().notNull(),
    code: text()
      .notNull()
      .references(() => assetCodes.code),
  },
  (table) => [primaryKey({ columns: [table.batchId, table.position] })],
);
