import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.ts';
import { devices } from '../devices/devices.schema.ts';
import { organisations, sites } from '../organisations/organisations.schema.ts';
import type { Checklist, Grade } from './rules.ts';

export const workOrderStatus = pgEnum('work_order_status', ['open', 'completed', 'abandoned']);

export type PartFitted = { kind: string; description: string; reused: boolean; costCents: number };
export type OperatingSystem = { name: string; version?: string; licence?: string };
export type Specs = { cpu?: string; ramGb?: number; storageGb?: number };

/** A refurbishment (fiche de reconditionnement): the diagnostic, the parts, the system, the grade. */
export const workOrders = pgTable(
  'work_orders',
  {
    id: uuid().primaryKey().defaultRandom(),
    deviceId: uuid()
      .notNull()
      .references(() => devices.id),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    siteId: uuid()
      .notNull()
      .references(() => sites.id),
    status: workOrderStatus().notNull().default('open'),
    // For a mediator refurbishing on identified need: what the family needs the device for.
    need: text(),
    checklist: jsonb().$type<Checklist>().notNull().default({}),
    partsFitted: jsonb().$type<PartFitted[]>().notNull().default([]),
    operatingSystem: jsonb().$type<OperatingSystem>(),
    specs: jsonb().$type<Specs>().notNull().default({}),
    cosmetic: text().$type<Grade>(),
    suggestedGrade: text().$type<Grade>(),
    grade: text().$type<Grade>(),
    gradeOverrideReason: text(),
    minutesSpent: integer().notNull().default(0),
    openedByUserId: uuid()
      .notNull()
      .references(() => users.id),
    completedByUserId: uuid().references(() => users.id),
    openedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    closedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [
    index().on(table.deviceId),
    // One open work order per device at a time.
    uniqueIndex('work_orders_one_open').on(table.deviceId).where(sql`${table.status} = 'open'`),
    check('work_orders_grade', sql`${table.grade} is null or ${table.grade} in ('A', 'B', 'C')`),
    check('work_orders_minutes', sql`${table.minutesSpent} >= 0`),
  ],
);

/** Parts harvested from a dismantled device, kept as stock for later repairs. */
export const spareParts = pgTable('spare_parts', {
  id: uuid().primaryKey().defaultRandom(),
  organisationId: uuid()
    .notNull()
    .references(() => organisations.id),
  siteId: uuid()
    .notNull()
    .references(() => sites.id),
  kind: text().notNull(),
  description: text().notNull(),
  fromDeviceId: uuid().references(() => devices.id),
  usedInWorkOrderId: uuid().references(() => workOrders.id),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
