import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { deviceKind, devices } from '../devices/devices.schema.ts';
import type { Territory } from '../geography/communes.ts';
import { files } from '../files/files.schema.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import { holdingStatuses, requestStatuses } from './requests.lifecycle.ts';

export type MinimumSpecs = { ramGb?: number; storageGb?: number };

/** A mandatory training (e.g. the school's digital platforms): what families attend before a handover. */
export const trainingModules = pgTable('training_modules', {
  id: uuid().primaryKey().defaultRandom(),
  organisationId: uuid()
    .notNull()
    .references(() => organisations.id),
  title: text().notNull(),
  durationMinutes: integer().notNull(),
  topics: text().array().notNull(),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

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
  trainingModuleId: uuid().references(() => trainingModules.id),
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
  (table) => [uniqueIndex().on(table.organisationId, table.reference), check('households_size', sql`${table.size} between 1 and 30`)],
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
      .where(sql`${table.status} in ${sql.raw(`(${holdingStatuses.map((status) => `'${status}'`).join(', ')})`)}`),
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
  (table) => [
    index().on(table.requestId, table.id),
    // The attendance events of one session, which the indicators read to count a session held once.
    index('request_events_session_id_index').on(sql`(${table.payload} ->> 'sessionId')`, table.id),
  ],
);

export const trainingSessions = pgTable(
  'training_sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    moduleId: uuid()
      .notNull()
      .references(() => trainingModules.id),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    siteId: uuid()
      .notNull()
      .references(() => sites.id),
    startsAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    capacity: integer().notNull(),
    trainerName: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [index().on(table.moduleId, table.startsAt), check('training_sessions_capacity', sql`${table.capacity} between 1 and 500`)],
);

export const attendance = pgEnum('attendance', ['enrolled', 'present', 'absent']);

/** A household booked on a session for a request; the trainer marks it present or absent. */
export const enrolments = pgTable(
  'enrolments',
  {
    id: uuid().primaryKey().defaultRandom(),
    sessionId: uuid()
      .notNull()
      .references(() => trainingSessions.id),
    requestId: uuid()
      .notNull()
      .references(() => equipmentRequests.id),
    householdId: uuid()
      .notNull()
      .references(() => households.id),
    status: attendance().notNull().default('enrolled'),
    recordedByUserId: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex().on(table.sessionId, table.householdId), index().on(table.requestId)],
);

/** The handover at the table: the device scanned, who received it, their acceptance of the terms. */
export const handovers = pgTable('handovers', {
  id: uuid().primaryKey().defaultRandom(),
  requestId: uuid()
    .notNull()
    .unique()
    .references(() => equipmentRequests.id),
  deviceId: uuid()
    .notNull()
    .references(() => devices.id),
  receivedByName: text().notNull(),
  termsAcceptedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  handedOverByUserId: uuid()
    .notNull()
    .references(() => users.id),
  receiptFileId: uuid().references(() => files.id),
  // What the family paid, at most the legal solidarity price of the device's kind (fund/solidarity-prices.ts).
  solidarityPriceCents: integer().notNull().default(0),
  handedOverAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
