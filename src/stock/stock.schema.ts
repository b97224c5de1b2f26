import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { deviceKind, deviceStatus, deviceEvents } from '../devices/devices.schema.ts';
import { donations } from '../donations/donations.schema.ts';
import { sites } from '../organisations/organisations.schema.ts';

/**
 * Devices per site, kind, status and donation, kept by the device-events worker (a read model,
 * rebuilt from events): a site's stock sums its donations, a donation's progress its sites, each
 * reading a few rows however many devices there are.
 */
export const siteStockCounters = pgTable(
  'site_stock_counters',
  {
    siteId: uuid()
      .notNull()
      .references(() => sites.id),
    kind: deviceKind().notNull(),
    status: deviceStatus().notNull(),
    donationId: uuid()
      .notNull()
      .references(() => donations.id),
    count: integer().notNull(),
  },
  (table) => [primaryKey({ columns: [table.siteId, table.kind, table.status, table.donationId] }), index().on(table.donationId)],
);

/** The events already counted: a job delivered twice finds its event here and changes nothing. */
export const stockCountedEvents = pgTable('stock_counted_events', {
  eventId: bigint({ mode: 'number' })
    .primaryKey()
    .references(() => deviceEvents.id),
  countedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/**
 * How far a rollup's reconciliation has verified the events: every event up to `eventId` was
 * counted. The next check starts after it, so it reads the new events only, not the whole history.
 */
export const rollupWatermarks = pgTable('rollup_watermarks', {
  name: text().primaryKey(),
  eventId: bigint({ mode: 'number' }).notNull(),
  updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
