import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { countDeviceEventInStock } from './stock.service.ts';

/** An event still uncounted this long after it happened lost its job: it is counted here. */
const lostAfterMinutes = 10;
/** At most this many lost events per run; the next run takes the rest. */
const lostEventsPerRun = 10_000;

export type StockDrift = { siteId: string; kind: string; status: string; counted: number; fromEvents: number };
export type StockReconciliation = { lostEventsCounted: number; drifts: StockDrift[] };

/**
 * Checks the site stock counters against the device events they come from, and repairs them.
 *
 * 1. Events uncounted long after they happened (a job lost despite the outbox, a row removed by
 *    hand) are counted now, through the same idempotent function as the worker.
 * 2. In one snapshot, the counters must equal the sum of what each counted event moved: one more
 *    where the device went, one less where it was. Counting an event is one transaction with its
 *    ledger row, so in a snapshot the two agree exactly; any difference is a drift. It is logged
 *    and repaired by adding the difference, which commutes with events counted meanwhile.
 *
 * So the counters can always be rebuilt from the events: emptied, this check fills them again.
 */
export async function reconcileStockCounters(db: Db, logger: Logger): Promise<StockReconciliation> {
  const lost = await db.execute<{ id: number }>(sql`
    select e.id from device_events e
    where e.occurred_at < now() - make_interval(mins => ${lostAfterMinutes})
      and not exists (select 1 from stock_counted_events c where c.event_id = e.id)
    order by e.id
    limit ${lostEventsPerRun}`);
  for (const { id } of lost) await countDeviceEventInStock(db, Number(id));
  if (lost.length > 0) logger.warn({ events: lost.length }, 'stock: counted device events whose job was lost');

  const drifts = await db.transaction(
    async (tx) =>
      tx.execute<StockDrift>(sql`
        with moved as (
          select e.site_id, d.kind, e.to_status as status, 1 as n
          from device_events e join stock_counted_events c on c.event_id = e.id join devices d on d.id = e.device_id
          union all
          select coalesce(e.from_site_id, e.site_id), d.kind, e.from_status, -1
          from device_events e join stock_counted_events c on c.event_id = e.id join devices d on d.id = e.device_id
          where e.from_status is not null
        ), from_events as (
          select site_id, kind, status, sum(n)::int as count from moved group by site_id, kind, status
        )
        select coalesce(f.site_id, s.site_id) as "siteId", coalesce(f.kind, s.kind)::text as kind,
               coalesce(f.status, s.status)::text as status,
               coalesce(s.count, 0) as counted, coalesce(f.count, 0) as "fromEvents"
        from from_events f full join site_stock_counters s
          on s.site_id = f.site_id and s.kind = f.kind and s.status = f.status
        where coalesce(s.count, 0) <> coalesce(f.count, 0)
        order by 1, 2, 3`),
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  if (drifts.length > 0) {
    logger.error({ drifts: drifts.slice(0, 50), total: drifts.length }, 'stock counters drifted from the device events; repaired');
    for (const drift of drifts) {
      await db.execute(sql`
        insert into site_stock_counters (site_id, kind, status, count)
        values (${drift.siteId}, ${drift.kind}, ${drift.status}, ${drift.fromEvents - drift.counted})
        on conflict (site_id, kind, status) do update set count = site_stock_counters.count + excluded.count`);
    }
  }
  return { lostEventsCounted: lost.length, drifts: [...drifts] };
}
