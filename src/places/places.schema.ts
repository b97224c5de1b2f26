import { sql } from 'drizzle-orm';
import { check, date, doublePrecision, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import { placeSummaryMaxLength } from './places.types.ts';

/**
 * What the national schema of places carries beside a name and an address, the same columns for
 * the network's places and other actors'. Lists are arrays of the schema's values (checked by
 * the inputs against ANCT's model); hours are in OpenStreetMap's `opening_hours` syntax.
 */
const placeColumns = () => ({
  // The SIRET (14 digits) or RNA (W and 9 digits) of the organisation behind the place: the schema's `pivot`.
  pivot: text().notNull(),
  latitude: doublePrecision(),
  longitude: doublePrecision(),
  typologies: text().array().notNull().default(sql`'{}'`),
  services: text().array().notNull().default(sql`'{}'`),
  openingHours: text(),
  phone: text(),
  emails: text().array().notNull().default(sql`'{}'`),
  website: text(),
  summary: text(),
  publics: text().array().notNull().default(sql`'{}'`),
  accessModes: text().array().notNull().default(sql`'{}'`),
  fees: text().array().notNull().default(sql`'{}'`),
  bookingUrl: text(),
});

const placeChecks = (table: { latitude: unknown; longitude: unknown; summary: unknown }, name: string) => [
  check(`${name}_coordinates_together`, sql`(${table.latitude} is null) = (${table.longitude} is null)`),
  check(`${name}_coordinates_range`, sql`${table.latitude} between -90 and 90 and ${table.longitude} between -180 and 180`),
  check(`${name}_summary_length`, sql`char_length(${table.summary}) <= ${sql.raw(String(placeSummaryMaxLength))}`),
];

/** A site of the network published as a place: on `/lieux`, in the export to the national map. A site without a row is not public. */
export const sitePlaces = pgTable(
  'site_places',
  {
    siteId: uuid()
      .primaryKey()
      .references(() => sites.id),
    ...placeColumns(),
    // What the network does there (collects_donations, wipes_data, refurbishes, hands_over, trains_families).
    activities: text().array().notNull().default(sql`'{}'`),
    // The schema's `date_maj`: the last change of what is published.
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => placeChecks(table, 'site_places'),
);

/** A place of another actor, imported from a file in the national schema; shown, never edited, replaced by a newer `date_maj`. */
export const externalPlaces = pgTable(
  'external_places',
  {
    id: uuid().primaryKey().defaultRandom(),
    // The schema's `id`, unique across the files imported: a re-import updates the same place.
    externalId: text().notNull().unique(),
    name: text().notNull(),
    address: text().notNull(),
    postalCode: text().notNull(),
    commune: text().notNull(),
    communeCode: text(),
    ...placeColumns(),
    source: text(),
    sourceUpdatedOn: date({ mode: 'string' }).notNull(),
    importedBy: uuid()
      .notNull()
      .references(() => organisations.id),
    importedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [...placeChecks(table, 'external_places'), index().on(table.communeCode)],
);
