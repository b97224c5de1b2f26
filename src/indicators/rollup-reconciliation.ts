import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { countedFacts } from './indicator-facts.ts';
import { countUncountedEvents, rollupKey, rollupKeyColumns, type RollupRow } from './rollups.service.ts';

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

  const columns = Object.entries(rollupKeyColumns);
  const either = sql.raw(columns.map(([name, column]) => `coalesce(f.${column}, r.${column})::text as "${name}"`).join(', '));
  const sameKey = sql.raw(columns.map(([, column]) => `r.${column} = f.${column}`).join(' and '));
  const drifts = await db.transaction(
    async (tx) =>
      tx.execute<RollupDrift>(sql`
        with from_events as (select ${rollupKey}, count(*)::int as count from (${countedFacts()}) facts group by ${rollupKey})
        select ${either}, coalesce(r.count, 0) as counted, coalesce(f.count, 0) as "fromEvents"
        from from_events f full join indicator_rollups r on ${sameKey}
        where coalesce(r.count, 0) <> coalesce(f.count, 0)
        order by ${sql.raw(columns.map((_, index) => index + 1).join(', '))}`),
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  if (drifts.length > 0) {
    logger.error({ drifts: drifts.slice(0, 50), total: drifts.length }, 'indicator rollups drifted from the events; repaired');
    for (const drift of drifts) {
      const key = sql.join(
        columns.map(([name]) => sql`${drift[name as keyof typeof rollupKeyColumns]}`),
        sql`, `,
      );
      await db.execute(sql`
        insert into indicator_rollups (${rollupKey}, count) values (${key}, ${drift.fromEvents - drift.counted})
        on conflict (${rollupKey}) do update set count = indicator_rollups.count + excluded.count`);
    }
  }
  return { lostEventsCounted: lost.device, drifts: [...drifts] };
}
