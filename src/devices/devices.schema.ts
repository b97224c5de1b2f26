import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import { deviceStatuses } from './lifecycle.ts';

export const deviceKinds = ['laptop', 'desktop', 'tablet', 'smartphone', 'screen', 'peripheral', 'access_point', 'other'] as const;
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

export const devices = pgTable(
  'devices',
  {
    id: uuid().primaryKey().defaultRandom(),
    assetCode: text().notNull(),
    kind: deviceKind().notNull(),
    brand: text().notNull(),
    model: text().notNull(),
    serialNumber: text(),
    storageMedia: jsonb().$type<StorageMedium[]>().notNull().default([]),
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
    index().on(table.siteId, table.status),
    check('devices_asset_code_format', sql`${table.assetCode} ~ '^[0-9A-HJKMNP-TV-Z]{8}$'`),
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
