import { sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.ts';
import { countOnce, type CountOutcome } from '../jobs/count-once.ts';
import { activityFacts, allFacts, indicatorFacts, type FactFilter } from './indicator-facts.ts';

export type RollupRow = {
  month: string;
  communeCode: string;
  organisationId: string;
  deviceKind: string;
  programmeId: string;
  indicator: string;
  detail: string;
  count: number;
};

/** The columns that identify a rollup row (what a fact is counted by), by their names in a `RollupRow`. */
export const rollupKeyColumns: Record<Exclude<keyof RollupRow, 'count'>, string> = {
  month: 'month',
  communeCode: 'commune_code',
  organisationId: 'organisation_id',
  deviceKind: 'device_kind',
  programmeId: 'programme_id',
  indicator: 'indicator',
  detail: 'detail',
};
export const rollupKey = sql.raw(Object.values(rollupKeyColumns).join(', '));

/**
 * Adds the facts of the claimed events to the rollups. Rows go in key order, so two transactions
 * adding to the same rows never wait on each other in a cycle.
 */
const addFactsToRollups = (facts: SQL) => sql`
  insert into indicator_rollups (${rollupKey}, count)
  select ${rollupKey}, count(*)::int from (${facts}) facts
  group by ${rollupKey} order by ${rollupKey}
  on conflict (${rollupKey})
  do update set count = indicator_rollups.count + excluded.count`;

/**
 * Counts one device event in the indicators (the `device-events` job): its ledger row and its
 * figures in one statement, so a job delivered twice counts once. Every device event gets a
 * ledger row, even one that counts for nothing (a move), so it is not looked for again.
 */
export async function countDeviceEventInIndicators(db: DbOrTx, eventId: number): Promise<CountOutcome> {
  return countOnce(
    db,
    sql`event as (select id from device_events where id = ${eventId}),
    claimed as (
      insert into indicator_counted_events (source, event_id) select 'device', id from event
      on conflict do nothing returning event_id),
    added as (${addFactsToRollups(indicatorFacts({ device: sql`e.id = ${eventId} and exists (select 1 from claimed)` }))})`,
  );
}

/** At most this many events per source and run; the next run takes the rest. */
const eventsPerRun = 10_000;

/**
 * Counts, set-wise, the training, Wi-Fi and incident events not counted yet (they have no job of their own:
 * a scheduled task passes every minute) and, when asked (the hourly reconciliation: the look
 * goes through every device event), device events whose job was lost that long ago.
 * Claiming and adding happen in one transaction, so an overlapping run counts nothing twice.
 */
export async function countUncountedEvents(db: Db, options: { deviceEventsOlderThanMinutes?: number } = {}): Promise<{ device: number; activity: number }> {
  const uncounted = (source: string, alias: string) =>
    sql`not exists (select 1 from indicator_counted_events c where c.source = ${source} and c.event_id = ${sql.raw(alias)}.id)`;
  const activity = await db.transaction(async (tx) => {
    const claimed = await tx.execute<{ source: string; event_id: number }>(sql`
      insert into indicator_counted_events (source, event_id)
      select source, event_id from (
        select distinct source, event_id from (${indicatorFacts({
          request: uncounted('request', 'r'),
          deployment: uncounted('deployment', 'de'),
          incident: uncounted('incident', 'ie'),
        })}) facts
        order by source, event_id limit ${eventsPerRun}
      ) events
      on conflict do nothing returning source, event_id`);
    await addClaimed(tx, claimed, activityFacts);
    return claimed.length;
  });
  const olderThan = options.deviceEventsOlderThanMinutes;
  if (olderThan === undefined) return { device: 0, activity };
  const device = await db.transaction(async (tx) => {
    const claimed = await tx.execute<{ source: string; event_id: number }>(sql`
      insert into indicator_counted_events (source, event_id)
      select 'device', e.id from device_events e
      where e.occurred_at < now() - make_interval(mins => ${olderThan}) and ${uncounted('device', 'e')}
      order by e.id limit ${eventsPerRun}
      on conflict do nothing returning source, event_id`);
    await addClaimed(tx, claimed, { device: sql`true` });
    return claimed.length;
  });
  return { device, activity };
}

/** Adds the facts of the events just claimed in this transaction (passed as one JSON parameter). */
async function addClaimed(tx: DbOrTx, claimed: readonly { source: string; event_id: number }[], sources: FactFilter) {
  if (claimed.length === 0) return;
  const ids = (source: string) => JSON.stringify(claimed.filter((row) => row.source === source).map((row) => Number(row.event_id)));
  const inClaimed = (source: string, alias: string) => sql`${sql.raw(alias)}.id in (select jsonb_array_elements_text(${ids(source)}::jsonb)::bigint)`;
  await tx.execute(
    addFactsToRollups(
      indicatorFacts({
        device: sources.device && inClaimed('device', 'e'),
        request: sources.request && inClaimed('request', 'r'),
        deployment: sources.deployment && inClaimed('deployment', 'de'),
        incident: sources.incident && inClaimed('incident', 'ie'),
      }),
    ),
  );
}

/** The rollups as the events say they should be, computed from all of them (slow: a full scan). */
export async function rollupsFromEvents(db: DbOrTx): Promise<RollupRow[]> {
  return [
    ...(await db.execute<RollupRow>(sql`
      select month::text, commune_code as "communeCode", organisation_id as "organisationId", device_kind as "deviceKind",
             programme_id as "programmeId", indicator, detail, count(*)::int as count
      from (${allFacts()}) facts group by ${rollupKey} order by ${rollupKey}`)),
  ];
}

/** The rollups as the workers keep them. */
export async function liveRollups(db: DbOrTx): Promise<RollupRow[]> {
  return [
    ...(await db.execute<RollupRow>(sql`
      select month::text, commune_code as "communeCode", organisation_id as "organisationId", device_kind as "deviceKind",
             programme_id as "programmeId", indicator, detail, count
      from indicator_rollups where count <> 0 order by ${rollupKey}`)),
  ];
}

/**
 * Rebuilds the rollups from the events alone: emptied and counted again in one transaction, the
 * workers' counting waiting meanwhile (the ledger is locked), so no event is counted twice or lost.
 */
export async function rebuildIndicatorRollups(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table indicator_counted_events, indicator_rollups in exclusive mode`);
    await tx.execute(sql`delete from indicator_rollups`);
    await tx.execute(sql`delete from indicator_counted_events`);
    await tx.execute(sql`
      insert into indicator_counted_events (source, event_id)
      select 'device', id from device_events
      union all select distinct source, event_id from (${indicatorFacts(activityFacts)}) facts`);
    await tx.execute(addFactsToRollups(allFacts()));
    const [row] = await tx.execute<{ count: number }>(sql`select count(*)::int as count from indicator_rollups`);
    return Number(row!.count);
  });
}
