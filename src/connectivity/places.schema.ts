import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { communeCodeFormat, organisations } from '../organisations/organisations.schema.ts';
import { apartmentStatuses, optInStatuses } from './apartments.lifecycle.ts';

/** A landlord's housing estate (résidence): the name tenants know it by, printed in SSIDs and letters. */
export const residences = pgTable(
  'residences',
  {
    id: uuid().primaryKey().defaultRandom(),
    // The landlord (bailleur social) owning it.
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    name: text().notNull(),
    // Short form used in SSIDs ({residence}), where 32 bytes hold it with the unit.
    shortName: text().notNull(),
    communeCode: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex().on(table.organisationId, table.name), check('residences_commune_code_format', communeCodeFormat(table.communeCode))],
);

export const buildings = pgTable(
  'buildings',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    residenceId: uuid()
      .notNull()
      .references(() => residences.id),
    name: text().notNull(),
    address: text().notNull(),
    communeCode: text().notNull(),
    // Levels with apartments, the ground floor included: a building of 4 floors has landings 0 to 3.
    floors: integer().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex().on(table.residenceId, table.name),
    index().on(table.organisationId),
    check('buildings_commune_code_format', communeCodeFormat(table.communeCode)),
    check('buildings_floors_range', sql`${table.floors} between 1 and 60`),
  ],
);

export const apartmentStatus = pgEnum('apartment_status', apartmentStatuses);
export const optInStatus = pgEnum('opt_in_status', optInStatuses);

/** A dwelling (logement). No tenant identity is kept: the unit reference is what letters are addressed to. */
export const apartments = pgTable(
  'apartments',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    buildingId: uuid()
      .notNull()
      .references(() => buildings.id),
    unit: text().notNull(),
    floor: integer().notNull(),
    status: apartmentStatus().notNull().default('planned'),
    // The status before a suspension, to resume to.
    suspendedFrom: apartmentStatus(),
    optIn: optInStatus().notNull().default('unknown'),
    optInOn: date({ mode: 'string' }),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex().on(table.buildingId, table.unit), index().on(table.buildingId, table.floor)],
);
