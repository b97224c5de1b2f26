import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { programmes } from '../allocation/allocation.schema.ts';
import { users } from '../auth/auth.schema.ts';
import { organisations } from '../organisations/organisations.schema.ts';

/**
 * What a funder puts into the network's digital-inclusion fund for a year, under a convention
 * (renewed every year, decided by the steering committee of funders). Amounts in euro cents.
 */
export const fundContributions = pgTable(
  'fund_contributions',
  {
    id: uuid().primaryKey().defaultRandom(),
    funderOrganisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    year: integer().notNull(),
    amountCents: bigint({ mode: 'number' }).notNull(),
    conventionReference: text().notNull(),
    signedOn: date({ mode: 'string' }).notNull(),
    recordedByUserId: uuid()
      .notNull()
      .references(() => users.id),
    recordedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex().on(table.funderOrganisationId, table.year, table.conventionReference),
    index().on(table.year),
    check('fund_contributions_amount', sql`${table.amountCents} > 0`),
  ],
);

/** The share of a year's fund the steering committee gives each programme it finances, in percent. */
export const fundAllocations = pgTable(
  'fund_allocations',
  {
    year: integer().notNull(),
    programmeId: uuid()
      .notNull()
      .references(() => programmes.id),
    sharePercent: integer().notNull(),
    decidedByUserId: uuid()
      .notNull()
      .references(() => users.id),
    decidedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.year, table.programmeId] }), check('fund_allocations_share', sql`${table.sharePercent} between 1 and 100`)],
);
