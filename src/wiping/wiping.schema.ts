import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgEnum, pgTable, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { deviceEvents, devices, storageTypes } from '../devices/devices.schema.ts';
import { files } from '../files/files.schema.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { sanitizationLevels, verificationMethods, wipeTechniques } from './policy.ts';

export const sanitizationLevel = pgEnum('sanitization_level', sanitizationLevels);
export const wipeTechnique = pgEnum('wipe_technique', wipeTechniques);
export const verificationMethod = pgEnum('verification_method', verificationMethods);
export const wipeResult = pgEnum('wipe_result', ['passed', 'failed']);
export const storageType = pgEnum('storage_type', storageTypes);

/**
 * One sanitization of one storage medium of a device (NIST SP 800-88 Rev. 1, appendix G fields).
 * Append-only: a failed or insufficient wipe stays on record next to the one that counted.
 */
export const wipeRecords = pgTable(
  'wipe_records',
  {
    id: uuid().primaryKey().defaultRandom(),
    deviceId: uuid()
      .notNull()
      .references(() => devices.id),
    // Position of the medium in the device's storage list.
    mediumIndex: integer().notNull(),
    mediumType: storageType().notNull(),
    mediumModel: text(),
    mediumSerial: text(),
    capacityGb: real(),
    level: sanitizationLevel().notNull(),
    technique: wipeTechnique().notNull(),
    passes: integer(),
    pattern: text(),
    toolName: text().notNull(),
    toolVersion: text(),
    verification: verificationMethod().notNull(),
    result: wipeResult().notNull(),
    failureReason: text(),
    startedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    endedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    operatorUserId: uuid()
      .notNull()
      .references(() => users.id),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    // Where the fields came from: typed by the operator, or read from a tool's log they confirmed.
    source: text().notNull().default('manual'),
    logFileId: uuid().references(() => files.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index().on(table.deviceId, table.mediumIndex),
    check('wipe_records_times', sql`${table.endedAt} >= ${table.startedAt}`),
    check('wipe_records_medium_index', sql`${table.mediumIndex} >= 0`),
  ],
);

/** A signed certificate of sanitization for a device, as of the wipe that made it `wiped`. */
export const wipeCertificates = pgTable('wipe_certificates', {
  id: uuid().primaryKey().defaultRandom(),
  deviceId: uuid()
    .notNull()
    .references(() => devices.id),
  // The device event (→ wiped) it certifies: one certificate per cause, whatever the retries.
  eventId: bigint({ mode: 'number' })
    .notNull()
    .unique()
    .references(() => deviceEvents.id),
  // The signed statement, canonical JSON, and its Ed25519 signature (base64url).
  statement: jsonb().$type<Record<string, unknown>>().notNull(),
  signature: text().notNull(),
  fileId: uuid().references(() => files.id),
  issuedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
