import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { countDeviceEventInStock } from './stock.service.ts';

/**
 * An event still uncounted this long after it happened lost its job: it is counted here. It is
 * also how old an event must be before the watermark passes it: a transaction that took an event
 * id and commits later than this would otherwise be skipped (device transactions last milliseconds).
 */
const settledAfterMinutes = 10;
const watermarkName = 'site-stock';
/** At most this many lost events are counted per run; the next run takes the rest. */
const lostEventsPerRun = 10_000;

export type StockDrift = { siteId: string; kind: string; status: string; donationId: string; counted: number; fromEvents: number };
export type StockReconciliation = { lostEventsCounted: number; drifts: StockDrift[] };

/**
 * Checks the stock counters (per site, kind, status and donation) against the device events they come from, and repairs them.
 *
 * In one snapshot: what the events say is the fold of every event, and a device's row is exactly
 * that fold (each event and its device's new status and site are written in one transaction), so
 * the counters must equal the devices per site, kind, status and donation, less what the events not counted
 * yet would move. Counting an event is one transaction with its ledger row, so in a snapshot the
 * two agree exactly; any difference is a drift. It is logged and repaired by adding the difference,
 * which commutes with events counted meanwhile. Emptied, the counters are rebuilt the same way.
 *
 * The events not counted yet are looked for after a watermark only: every event up to it was
 * counted, so a check reads the new events, not the whole history (at 1,000,000 devices and
 * 10,000,000 events: one pass over the devices, under a second, instead of two over the events).
 * Those uncounted long after they happened lost their job (despite the outbox: a row removed by
 * hand) and are counted now, through the same idempotent function as the worker.
 */
export async function reconcileStockCounters(db: Db, logger: Logger): Promise<StockReconciliation> {
  const { drifts, lost, settledThrough } = await db.transaction(
    async (tx) => {
      const [mark] = await tx.execute<{ eventId: number }>(sql`select event_id as "eventId" from rollup_watermarks where name = ${watermarkName}`);
      const uncounted = sql`e.id > ${Number(mark?.eventId ?? 0)} and not exists (select 1 from stock_counted_events c where c.event_id = e.id)`;
      const settled = sql`e.occurred_at < now() - make_interval(mins => ${settledAfterMinutes})`;
      const drifts = await tx.execute<StockDrift>(sql`
        with pending as (
          select e.site_id, d.kind, e.to_status as status, d.donation_id, 1 as n
          from device_events e join devices d on d.id = e.device_id where ${uncounted}
          union all
          select coalesce(e.from_site_id, e.site_id), d.kind, e.from_status, d.donation_id, -1
          from device_events e join devices d on d.id = e.device_id where ${uncounted} and e.from_status is not null
        ), from_events as (
          select site_id, kind, status, donation_id, sum(n)::int as count from (
            select site_id, kind, status, donation_id, 1 as n from devices
            union all
            select site_id, kind, status, donation_id, -n from pending
          ) moves
          group by site_id, kind, status, donation_id
        )
        select coalesce(f.site_id, s.site_id) as "siteId", coalesce(f.kind, s.kind)::text as kind,
               coalesce(f.status, s.status)::text as status, coalesce(f.donation_id, s.donation_id) as "donationId",
               coalesce(s.count, 0) as counted, coalesce(f.count, 0) as "fromEvents"
        from from_events f full join site_stock_counters s
          on s.site_id = f.site_id and s.kind = f.kind and s.status = f.status and s.donation_id = f.donation_id
        where coalesce(s.count, 0) <> coalesce(f.count, 0)
        order by 1, 2, 3, 4`);
      const lost = await tx.execute<{ id: number }>(
        sql`select e.id from device_events e where ${uncounted} and ${settled} order by e.id limit ${lostEventsPerRun}`,
      );
      // The watermark passes the settled events, up to the first event still waiting for its job
      // (and, when more were lost than one run counts, up to the first of those left).
      const [through] = await tx.execute<{ id: string | null }>(sql`
        select max(e.id) as id from device_events e
        where e.id > ${Number(mark?.eventId ?? 0)} and ${settled}
          and e.id < coalesce((select min(e.id) from device_events e where ${uncounted} and not ${settled}), 'infinity'::numeric)
          ${lost.length === lostEventsPerRun ? sql`and e.id <= ${Number(lost.at(-1)!.id)}` : sql``}`);
      return { drifts: [...drifts], lost: lost.map((row) => Number(row.id)), settledThrough: through?.id ? Number(through.id) : undefined };
    },
    { isolationLevel: 'repeatable read' },
  );

  for (const id of lost) await countDeviceEventInStock(db, id);
  if (lost.length > 0) logger.warn({ events: lost.length }, 'stock: counted device events whose job was lost');
  if (drifts.length > 0) {
    logger.error({ drifts: drifts.slice(0, 50), total: drifts.length }, 'stock counters drifted from the device events; repaired');
    for (const drift of drifts) {
      await db.execute(sql`
        insert into site_stock_counters (site_id, kind, status, donation_id, count)
        values (${drift.siteId}, ${drift.kind}, ${drift.status}, ${drift.donationId}, ${drift.fromEvents - drift.counted})
        on conflict (site_id, kind, status, donation_id) do update set count = site_stock_counters.count + excluded.count`);
    }
  }
  if (settledThrough !== undefined) {
    await db.execute(sql`
      insert into rollup_watermarks (name, event_id) values (${watermarkName}, ${settledThrough})
      on conflict (name) do update set event_id = greatest(rollup_watermarks.event_id, excluded.event_id), updated_at = now()`);
  }
  return { lostEventsCounted: lost.length, drifts };
}
