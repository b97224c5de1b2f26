import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { countedFacts } from './indicator-facts.ts';
import { countUncountedEvents, type RollupRow } from './rollups.service.ts';

/** A device event still uncounted this long after it happened lost its job: it is counted here. */
const lostAfterMinutes = 10;

export type RollupDrift = Omit<RollupRow, 'count'> & { counted: number; fromEvents: number };
export type RollupReconciliation = { lostEventsCounted: number; drifts: RollupDrift[] };

/**
 * Checks the indicator rollups against the events they come from, and repairs them, as the stock
 * counters are (stock-reconciliation.ts):
 *
 * 1. Events not counted yet (a lost device job; training and Wi-Fi events the minute task has not
 *    reached) are counted now, through the same idempotent functions.
 * 2. In one snapshot, the rollups must equal the facts of the events in the ledger; counting an
 *    event is one transaction with its ledger row, so any difference is a drift. It is logged and
 *    repaired by adding the difference, which commutes with events counted meanwhile.
 */
export async function reconcileIndicatorRollups(db: Db, logger: Logger): Promise<RollupReconciliation> {
  const lost = await countUncountedEvents(db, { deviceEventsOlderThanMinutes: lostAfterMinutes });
  if (lost.device > 0) logger.warn({ events: lost.device }, 'indicators: counted device events whose job was lost');

  const drifts = await db.transaction(
    async (tx) =>
      tx.execute<RollupDrift>(sql`
        with from_events as (
          select month, commune_code, organisation_id, device_kind, indicator, detail, count(*)::int as count
          from (${countedFacts()}) facts
          group by month, commune_code, organisation_id, device_kind, indicator, detail
        )
        select coalesce(f.month, r.month)::text as month, coalesce(f.commune_code, r.commune_code) as "communeCode",
               coalesce(f.organisation_id, r.organisation_id) as "organisationId", coalesce(f.device_kind, r.device_kind) as "deviceKind",
               coalesce(f.indicator, r.indicator) as indicator, coalesce(f.detail, r.detail) as detail,
               coalesce(r.count, 0) as counted, coalesce(f.count, 0) as "fromEvents"
        from from_events f full join indicator_rollups r
          on r.month = f.month and r.commune_code = f.commune_code and r.organisation_id = f.organisation_id
         and r.device_kind = f.device_kind and r.indicator = f.indicator and r.detail = f.detail
        where coalesce(r.count, 0) <> coalesce(f.count, 0)
        order by 1, 2, 3, 4, 5, 6`),
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  if (drifts.length > 0) {
    logger.error({ drifts: drifts.slice(0, 50), total: drifts.length }, 'indicator rollups drifted from the events; repaired');
    for (const drift of drifts) {
      await db.execute(sql`
        insert into indicator_rollups (month, commune_code, organisation_id, device_kind, indicator, detail, count)
        values (${drift.month}, ${drift.communeCode}, ${drift.organisationId}, ${drift.deviceKind}, ${drift.indicator}, ${drift.detail},
                ${drift.fromEvents - drift.counted})
        on conflict (month, commune_code, organisation_id, device_kind, indicator, detail)
        do update set count = indicator_rollups.count + excluded.count`);
    }
  }
  return { lostEventsCounted: lost.device, drifts: [...drifts] };
}
