import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { deviceKind, devices } from '../devices/devices.schema.ts';
import type { Territory } from '../geography/communes.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { requestStatuses } from './requests.lifecycle.ts';

export type MinimumSpecs = { ramGb?: number; storageGb?: number };

/** A scheme that equips families (e.g. the département's computers for families of collégiens). */
export const programmes = pgTable('programmes', {
  id: uuid().primaryKey().defaultRandom(),
  organisationId: uuid()
    .notNull()
    .references(() => organisations.id),
  name: text().notNull(),
  // What the mediator attests for the household, e.g. child_in_college, income_below_threshold.
  eligibilityCriteria: text().array().notNull(),
  deviceKinds: deviceKind().array().notNull(),
  minimumSpecs: jsonb().$type<MinimumSpecs>().notNull().default({}),
  trainingModule: text(),
  // A household that attended the module once need not attend again for a later request.
  trainingValidForLaterRequests: boolean().notNull().default(true),
  reservationDays: integer().notNull(),
  territories: jsonb().$type<Territory[]>().notNull(),
  yearlyQuota: integer(),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

export type Attestation = { criterion: string; byUserId: string; at: string };

/**
 * A family, kept to the minimum a mediator needs: a reference they choose, where it lives, its
 * size, a contact for reminders (erased after the retention period), what was attested and the
 * recorded consent. No documents, no birth dates, no social security numbers.
 */
export const households = pgTable(
  'households',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    reference: text().notNull(),
    communeCode: text().notNull(),
    size: integer().notNull(),
    contactPhone: text(),
    contactEmail: text(),
    attestations: jsonb().$type<Attestation[]>().notNull().default([]),
    consentRecordedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    consentRecordedByUserId: uuid()
      .notNull()
      .references(() => users.id),
    contactErasedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex().on(table.organisationId, table.reference),
    check('households_size', sql`${table.size} between 1 and 30`),
  ],
);

export const requestStatus = pgEnum('request_status', requestStatuses);

export type Need = { kind: (typeof deviceKind.enumValues)[number]; minRamGb?: number; minStorageGb?: number; notes?: string };

export const equipmentRequests = pgTable(
  'equipment_requests',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    householdId: uuid()
      .notNull()
      .references(() => households.id),
    programmeId: uuid()
      .notNull()
      .references(() => programmes.id),
    status: requestStatus().notNull().default('submitted'),
    need: jsonb().$type<Need>().notNull(),
    statusReason: text(),
    reservedDeviceId: uuid().references(() => devices.id),
    reservedUntil: timestamp({ withTimezone: true, precision: 3 }),
    version: integer().notNull().default(1),
    createdByUserId: uuid()
      .notNull()
      .references(() => users.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index().on(table.status, table.createdAt),
    index().on(table.organisationId, table.createdAt),
    // A device is held for one request at a time: the database says so too.
    uniqueIndex('equipment_requests_one_per_device')
      .on(table.reservedDeviceId)
      .where(sql`${table.status} in ('reserved', 'training_scheduled', 'training_completed')`),
  ],
);

/** Append-only history of a request, like the device events. */
export const requestEvents = pgTable(
  'request_events',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: uuid()
      .notNull()
      .references(() => equipmentRequests.id),
    fromStatus: requestStatus(),
    toStatus: requestStatus().notNull(),
    actorUserId: uuid().references(() => users.id),
    reason: text(),
    payload: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [index().on(table.requestId, table.id)],
);
