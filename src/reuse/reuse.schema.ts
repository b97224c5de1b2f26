import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { organisations } from '../organisations/organisations.schema.ts';

/**
 * What a public donor declares it held on 1 January of a year: its retired IT equipment in stock,
 * the B of the décret 2023-266's rate (reused during the year ÷ retired stock on 1 January).
 */
export const retiredDeviceStocks = pgTable(
  'retired_device_stocks',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    year: integer().notNull(),
    devices: integer().notNull(),
    updatedByUserId: uuid().references(() => users.id),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex().on(table.organisationId, table.year), check('retired_device_stocks_devices', sql`${table.devices} >= 0`)],
);

/**
 * A signed reuse attestation: a public donor's devices of one year and what became of them, as
 * the records read when it was signed. One row per distinct statement (its digest), so asking
 * again while nothing changed gives the same attestation, and an attestation whose records
 * changed since stays verifiable, and reads as no longer valid.
 */
export const reuseAttestations = pgTable(
  'reuse_attestations',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    year: integer().notNull(),
    statement: jsonb().notNull(),
    // SHA-256 of the statement's canonical JSON.
    digest: text().notNull(),
    signature: text().notNull(),
    issuedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex().on(table.organisationId, table.year, table.digest), index().on(table.organisationId, table.year, table.issuedAt)],
);
