import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { statement } from '../db/statement.ts';
import { deviceEvents, devices, type DeviceKind } from '../devices/devices.schema.ts';
import { presentDevice, visibleDevices } from '../devices/devices.service.ts';
import { sites } from '../organisations/organisations.schema.ts';
import { ownedBy } from '../organisations/organisations.service.ts';
import { getSite } from '../organisations/sites.service.ts';
import { siteStockCounters, stockCountedEvents } from './stock.schema.ts';

export type CountOutcome = 'counted' | 'already_counted' | 'unknown_event';

// What a device event changes in the counters; built once (see statement.ts), read for every event.
const eventToCount = statement('event_to_count_in_stock', (db) =>
  db
    .select({
      kind: devices.kind,
      donationId: devices.donationId,
      fromStatus: deviceEvents.fromStatus,
      toStatus: deviceEvents.toStatus,
      fromSiteId: deviceEvents.fromSiteId,
      siteId: deviceEvents.siteId,
    })
    .from(deviceEvents)
    .innerJoin(devices, eq(devices.id, deviceEvents.deviceId))
    .where(eq(deviceEvents.id, sql.placeholder('eventId'))),
);

/**
 * Applies one device event to the stock counters: one less where the device was, one more where
 * it is (its donation's row at each site). The event id is recorded in the same transaction, so a job delivered twice counts once.
 */
export async function countDeviceEventInStock(db: Db, eventId: number): Promise<CountOutcome> {
  return db.transaction(async (tx) => {
    const [event] = await eventToCount(tx, { eventId });
    if (!event) return 'unknown_event';
    const claimed = await tx.insert(stockCountedEvents).values({ eventId }).onConflictDoNothing().returning();
    if (claimed.length === 0) return 'already_counted';
    const { kind, donationId } = event;
    const deltas = [{ siteId: event.siteId, kind, donationId, status: event.toStatus, count: 1 }];
    if (event.fromStatus) {
      deltas.push({ siteId: event.fromSiteId ?? event.siteId, kind, donationId, status: event.fromStatus, count: -1 });
    }
    // Rows in a fixed order: two jobs touching the same two counters never wait on each other in a cycle.
    deltas.sort((a, b) => `${a.siteId}/${a.status}`.localeCompare(`${b.siteId}/${b.status}`));
    await tx
      .insert(siteStockCounters)
      .values(deltas)
      .onConflictDoUpdate({
        target: [siteStockCounters.siteId, siteStockCounters.kind, siteStockCounters.status, siteStockCounters.donationId],
        set: { count: sql`${siteStockCounters.count} + excluded.count` },
      });
    return 'counted';
  });
}

/** The devices a group of counter rows counts (a site's donations, a donation's sites). */
export const counted = sql<number>`sum(${siteStockCounters.count})::int`;

/** Devices at one site by status and kind, as counted from the events so far. */
export async function getSiteStock(db: DbOrTx, actor: Actor, siteId: string) {
  const site = await getSite(db, actor, siteId);
  const rows = await db
    .select({ kind: siteStockCounters.kind, status: siteStockCounters.status, count: counted })
    .from(siteStockCounters)
    .where(eq(siteStockCounters.siteId, site.id))
    .groupBy(siteStockCounters.status, siteStockCounters.kind)
    .having(sql`${counted} <> 0`)
    .orderBy(siteStockCounters.status, siteStockCounters.kind);
  const byStatus: Record<string, number> = {};
  for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + row.count;
  return { siteId: site.id, siteName: site.name, counts: rows, byStatus };
}

export type StockFilter = {
  kind?: DeviceKind;
  grade?: 'A' | 'B' | 'C';
  minRamGb?: number;
  minStorageGb?: number;
  siteId?: string;
  /** A commune code (INSEE) or a département code (47, 2A, 971). */
  territory?: string;
  limit: number;
};

/**
 * Ready devices, what mediators and the coordinator draw from: filtered by kind, grade, minimum
 * specs, site or territory (the site's commune or département), with counts per site and kind.
 */
export async function listStock(db: DbOrTx, actor: Actor, filter: StockFilter) {
  const atSites = and(
    filter.siteId ? eq(sites.id, filter.siteId) : undefined,
    filter.territory
      ? filter.territory.length === 5
        ? eq(sites.communeCode, filter.territory.toUpperCase())
        : sql`${sites.communeCode} like ${`${filter.territory.toUpperCase()}%`}`
      : undefined,
  );
  const conditions = and(
    eq(devices.status, 'ready'),
    // Mediators reserve from the whole network's stock for their families; others see their own.
    actor.role === 'mediator' ? undefined : visibleDevices(actor),
    filter.kind ? eq(devices.kind, filter.kind) : undefined,
    filter.grade ? eq(devices.grade, filter.grade) : undefined,
    filter.minRamGb ? sql`(${devices.specs} ->> 'ramGb')::numeric >= ${filter.minRamGb}` : undefined,
    filter.minStorageGb ? sql`(${devices.specs} ->> 'storageGb')::numeric >= ${filter.minStorageGb}` : undefined,
    atSites,
  );
  const items = await db
    .select({ device: devices, siteName: sites.name, communeCode: sites.communeCode })
    .from(devices)
    .innerJoin(sites, eq(sites.id, devices.siteId))
    .where(conditions)
    .orderBy(devices.grade, desc(devices.updatedAt))
    .limit(filter.limit);
  return {
    items: items.map((row) => ({ ...presentDevice(row.device), siteName: row.siteName, communeCode: row.communeCode })),
    counts: await readyCounts(db, actor, filter, { devices: conditions, sites: atSites }),
  };
}

/**
 * Ready devices per site and kind. For a filter the stock counters hold (kind, site, territory)
 * they are read from them, the workers' rollup of the device events (a few seconds behind): a
 * few rows however large the network, where counting 100,000 ready devices one by one took
 * 87 ms at 1,000,000 devices. A grade or a minimum spec is counted on the devices themselves,
 * and so is a donor's view (its donated devices wherever they are, not a site's stock).
 */
async function readyCounts(db: DbOrTx, actor: Actor, filter: StockFilter, conditions: { devices: SQL | undefined; sites: SQL | undefined }) {
  if (filter.grade || filter.minRamGb || filter.minStorageGb || actor.role === 'donor_viewer') {
    return db
      .select({ siteId: devices.siteId, siteName: sites.name, kind: devices.kind, count: sql<number>`count(*)::int` })
      .from(devices)
      .innerJoin(sites, eq(sites.id, devices.siteId))
      .where(conditions.devices)
      .groupBy(devices.siteId, sites.name, devices.kind)
      .orderBy(sites.name, devices.kind);
  }
  return db
    .select({ siteId: siteStockCounters.siteId, siteName: sites.name, kind: siteStockCounters.kind, count: counted })
    .from(siteStockCounters)
    .innerJoin(sites, eq(sites.id, siteStockCounters.siteId))
    .where(
      and(
        eq(siteStockCounters.status, 'ready'),
        // A device is held by the organisation of the site it is at (custody follows the site).
        actor.role === 'mediator' ? undefined : ownedBy(actor, sites.organisationId),
        filter.kind ? eq(siteStockCounters.kind, filter.kind) : undefined,
        conditions.sites,
      ),
    )
    .groupBy(siteStockCounters.siteId, sites.name, siteStockCounters.kind)
    .having(sql`${counted} > 0`)
    .orderBy(sites.name, siteStockCounters.kind);
}
