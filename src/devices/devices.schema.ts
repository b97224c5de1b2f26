import { sql, type AnyColumn } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { donations } from '../donations/donations.schema.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import { deviceKinds } from './devices.types.ts';
import { deviceStatuses, terminalStatuses } from './lifecycle.ts';

export { deviceKinds, type DeviceKind } from './devices.types.ts';
export const storageTypes = ['hdd', 'ssd', 'nvme', 'emmc', 'other'] as const;

export type StorageMedium = {
  type: (typeof storageTypes)[number];
  model?: string;
  serialNumber?: string;
  capacityGb?: number;
};

export const deviceKind = pgEnum('device_kind', deviceKinds);
export const deviceStatus = pgEnum('device_status', deviceStatuses);
export const deviceEventType = pgEnum('device_event_type', ['created', 'transition', 'move']);

/** Checks the bench must make because intake could not: no serial to deduplicate on, storage not declared. */
export const benchChecks = ['serial_number_missing', 'storage_unknown'] as const;
export type BenchCheck = (typeof benchChecks)[number];

const assetCodeFormat = (column: unknown) => sql`${column} ~ '^[0-9A-HJKMNP-TV-Z]{8}$'`;

/**
 * Every asset code ever issued, whether printed in advance on a label sheet or given to a device
 * at intake: one registry, so a code is never issued twice. A pre-printed code is claimed by the
 * device that gets it (devices.asset_code is unique), hence once, ever.
 */
export const assetCodes = pgTable(
  'asset_codes',
  {
    code: text().primaryKey(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    preprinted: boolean().notNull().default(false),
    issuedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [check('asset_codes_format', assetCodeFormat(table.code))],
);

/** What a search by text looks in: a device's brand, model and serial number, as one text (see the trigram index). */
export const deviceSearchText = (table: { brand: AnyColumn; model: AnyColumn; serialNumber: AnyColumn }) =>
  sql`(${table.brand} || ' ' || ${table.model} || ' ' || coalesce(${table.serialNumber}, ''))`;

export const devices = pgTable(
  'devices',
  {
    id: uuid().primaryKey().defaultRandom(),
    assetCode: text()
      .notNull()
      .references(() => assetCodes.code),
    donationId: uuid()
      .notNull()
      .references(() => donations.id),
    kind: deviceKind().notNull(),
    brand: text().notNull(),
    model: text().notNull(),
    serialNumber: text(),
    storageMedia: jsonb().$type<StorageMedium[]>().notNull().default([]),
    notes: text(),
    // Set when refurbishment completes: what the stock is filtered on.
    grade: text().$type<'A' | 'B' | 'C'>(),
    specs: jsonb().$type<{ cpu?: string; ramGb?: number; storageGb?: number }>().notNull().default({}),
    benchChecks: text().array().$type<BenchCheck[]>().notNull().default(sql`'{}'`),
    status: deviceStatus().notNull(),
    // Bumped by every change: the compare-and-set that makes two parallel scans unable to both win.
    version: integer().notNull().default(1),
    siteId: uuid()
      .notNull()
      .references(() => sites.id),
    // The organisation holding the device now (owner of its site); it alone sees and acts on it.
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    // When the device last changed hands between organisations: a wipe must be newer than this.
    custodySince: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex().on(table.assetCode),
    index().on(table.organisationId, table.createdAt, table.id),
    // A search by part of a brand, model or serial number reads one trigram index, not every device.
    index('devices_search_trigram_index').using('gin', sql`(${deviceSearchText(table)}) gin_trgm_ops`),
    index().on(table.donationId, table.createdAt, table.id),
    index().on(table.siteId, table.status),
    // The stock that matching walks, best first: only ready devices, so it stays small and hot.
    index('devices_ready_by_grade').on(table.kind, table.grade, table.updatedAt).where(sql`${table.status} = 'ready'`),
    // The stock list's first page in its order (best grade, then the latest ready), for a holder's
    // stock and for the whole network's (mediators): read from the top, not sorted from every device.
    index('devices_ready_by_holder').on(table.organisationId, table.grade, table.updatedAt.desc().nullsFirst()).where(sql`${table.status} = 'ready'`),
    index('devices_ready_in_network').on(table.grade, table.updatedAt.desc().nullsFirst()).where(sql`${table.status} = 'ready'`),
    // One live device per brand and serial number: importing the same inventory twice adds nothing.
    // A dismantled or recycled device frees its serial (the same machine may be donated again).
    uniqueIndex('devices_live_serial')
      .on(sql`lower(${table.brand})`, sql`upper(${table.serialNumber})`)
      .where(sql`${table.serialNumber} is not null and ${table.status} not in ${sql.raw(`(${terminalStatuses.map((status) => `'${status}'`).join(', ')})`)}`),
    check('devices_asset_code_format', assetCodeFormat(table.assetCode)),
  ],
);

/** Append-only: what happened to a device, by whom, where. Never updated, never deleted. */
export const deviceEvents = pgTable(
  'device_events',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deviceId: uuid()
      .notNull()
      .references(() => devices.id),
    type: deviceEventType().notNull(),
    fromStatus: deviceStatus(),
    toStatus: deviceStatus().notNull(),
    fromSiteId: uuid().references(() => sites.id),
    siteId: uuid()
      .notNull()
      .references(() => sites.id),
    actorUserId: uuid().references(() => users.id),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    note: text(),
    payload: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [index().on(table.deviceId, table.id)],
);
