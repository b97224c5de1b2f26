import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';

/**
 * A donation (lot de collecte): what one donor gave at one time, received by the organisation
 * that owns the collection site. The donor is a `donor` organisation (a company, a public body)
 * or an individual known by a name and, at most, one contact for the wipe certificates.
 */
export const donations = pgTable(
  'donations',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    donorOrganisationId: uuid().references(() => organisations.id),
    donorName: text(),
    donorContact: text(),
    collectionSiteId: uuid()
      .notNull()
      .references(() => sites.id),
    campaign: text(),
    expectedCount: integer(),
    // The receiver's commitment to reuse what it is given (a convention), made before the
    // collection: without it, a public donor's devices do not count as reused (décret 2023-266).
    reuseCommitmentReference: text(),
    reuseCommitmentDate: date({ mode: 'string' }),
    createdByUserId: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index().on(table.organisationId, table.createdAt),
    index().on(table.donorOrganisationId),
    check('donations_one_donor', sql`(${table.donorOrganisationId} is null) <> (${table.donorName} is null)`),
    check('donations_expected_count', sql`${table.expectedCount} is null or ${table.expectedCount} >= 0`),
    check('donations_reuse_commitment_whole', sql`(${table.reuseCommitmentReference} is null) = (${table.reuseCommitmentDate} is null)`),
  ],
);
