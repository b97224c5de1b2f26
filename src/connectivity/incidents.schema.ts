import { bigint, date, index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { networkDevices } from './deployments.schema.ts';
import { incidentCategories, incidentStatuses } from './incidents.rules.ts';
import { apartments, buildings } from './places.schema.ts';

export const incidentCategory = pgEnum('incident_category', incidentCategories);
export const incidentStatus = pgEnum('incident_status', incidentStatuses);

/** A fault reported on a building, one of its apartments or one of its access points. */
export const incidents = pgTable(
  'incidents',
  {
    id: uuid().primaryKey().defaultRandom(),
    // The landlord whose building it is.
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    buildingId: uuid()
      .notNull()
      .references(() => buildings.id),
    apartmentId: uuid().references(() => apartments.id),
    networkDeviceId: uuid().references(() => networkDevices.id),
    category: incidentCategory().notNull(),
    status: incidentStatus().notNull().default('open'),
    description: text().notNull(),
    resolution: text(),
    // The last working day (Europe/Paris) by which it must be fixed.
    dueOn: date({ mode: 'string' }).notNull(),
    openedByUserId: uuid()
      .notNull()
      .references(() => users.id),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    resolvedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [index().on(table.buildingId, table.status), index().on(table.organisationId, table.status, table.dueOn)],
);

/** Append-only: every status change of an incident, by whom, when. */
export const incidentEvents = pgTable(
  'incident_events',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    incidentId: uuid()
      .notNull()
      .references(() => incidents.id),
    fromStatus: incidentStatus(),
    toStatus: incidentStatus().notNull(),
    actorUserId: uuid()
      .notNull()
      .references(() => users.id),
    note: text(),
    occurredAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [index().on(table.incidentId, table.id)],
);
