import { sql } from 'drizzle-orm';
import { boolean, check, index, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organisationKinds, siteKinds } from './organisations.types.ts';
import { communeCodePattern, sirenPattern } from '../geography/code-shapes.ts';

/** An INSEE commune code's shape, the same pattern as the inputs check. */
export const communeCodeFormat = (column: unknown) => sql`${column} ~ ${sql.raw(`'${communeCodePattern.source}'`)}`;

export const organisationKind = pgEnum('organisation_kind', organisationKinds);
export const siteKind = pgEnum('site_kind', siteKinds);

export const organisations = pgTable(
  'organisations',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    // Printed on QR labels, where a few millimetres hold it.
    shortName: text().notNull(),
    kind: organisationKind().notNull(),
    // A contact the organisation chose to publish on its devices' public cards; none by default.
    publicPhone: text(),
    publicEmail: text(),
    // The INSEE's SIREN (9 digits, Luhn-checked by the inputs), and whether the organisation is a
    // public body (a town hall, an EPCI, a département): such a donor files its reuse (loi REEN).
    siren: text(),
    publicBody: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    check('organisations_siren_format', sql`${table.siren} ~ ${sql.raw(`'${sirenPattern.source}'`)}`),
    check('organisations_public_body_has_siren', sql`not ${table.publicBody} or ${table.siren} is not null`),
  ],
);

export const sites = pgTable(
  'sites',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    name: text().notNull(),
    kind: siteKind().notNull(),
    address: text().notNull(),
    postalCode: text(),
    communeCode: text().notNull(),
    // The site's own published contact (a workshop's bench phone), shown before its organisation's.
    publicPhone: text(),
    publicEmail: text(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [index().on(table.organisationId), check('sites_commune_code_format', communeCodeFormat(table.communeCode))],
);
