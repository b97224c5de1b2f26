import { bigint, integer, pgTable, primaryKey, timestamp, uuid } from 'drizzle-orm/pg-core';
import { deviceKind, deviceStatus, deviceEvents } from '../devices/devices.schema.ts';
import { sites } from '../organisations/organisations.schema.ts';

/** Devices per site, kind and status, kept by the device-events worker (a read model, rebuilt from events). */
export const siteStockCounters = pgTable(
  'site_stock_counters',
  {
    siteId: uuid()
      .notNull()
      .references(() => sites.id),
    kind: deviceKind().notNull(),
    status: deviceStatus().notNull(),
    count: integer().notNull(),
  },
  (table) => [primaryKey({ columns: [table.siteId, table.kind, table.status] })],
);

/** The events already counted: a job delivered twice finds its event here and changes nothing. */
export const stockCountedEvents = pgTable('stock_counted_events', {
  eventId: bigint({ mode: 'number' })
    .primaryKey()
    .references(() => deviceEvents.id),
  countedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
