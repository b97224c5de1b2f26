import { type SQL, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import type { DeviceKind } from '../devices/devices.schema.ts';
import { forbidden } from '../errors.ts';
import { programmesFinancedBy } from '../fund/fund.service.ts';
import { avoidedEmissions } from './impact.ts';
import { previousPeriod, type Period } from './periods.ts';
import { communeIsInTerritory, type IndicatorTerritory } from './territory.ts';

export type IndicatorQuery = {
  period: Period;
  territory?: IndicatorTerritory;
  organisationId?: string;
  kind?: DeviceKind;
  programmeId?: string;
};

type SummedRow = { current: boolean; deviceKind: string; indicator: string; detail: string; count: number };

/** The value at a rank of a histogram of whole days (nearest-rank percentile), or null when empty. */
function percentile(histogram: { days: number; count: number }[], fraction: number): number | null {
  const total = histogram.reduce((sum, bucket) => sum + bucket.count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(fraction * total));
  let seen = 0;
  for (const bucket of [...histogram].sort((a, b) => a.days - b.days)) {
    seen += bucket.count;
    if (seen >= rank) return bucket.days;
  }
  return null;
}

/** The figures of one period (or one month, one commune), from its rollup rows. */
export function figuresOf(rows: Omit<SummedRow, 'current'>[]) {
  const total = (indicator: string) => rows.filter((row) => row.indicator === indicator).reduce((sum, row) => sum + row.count, 0);
  const split = (indicator: string, unknown: string) => {
    const byDetail: Record<string, number> = {};
    for (const row of rows.filter((entry) => entry.indicator === indicator)) {
      const key = row.detail || unknown;
      byDetail[key] = (byDetail[key] ?? 0) + row.count;
    }
    return byDetail;
  };
  const handedOverByKind: Record<string, number> = {};
  for (const row of rows.filter((entry) => entry.indicator === 'handed_over')) {
    handedOverByKind[row.deviceKind] = (handedOverByKind[row.deviceKind] ?? 0) + row.count;
  }
  const handedOver = total('handed_over');
  const dismantled = total('dismantled');
  const recycled = total('recycled');
  const left = handedOver + dismantled + recycled;
  const days = rows.filter((row) => row.indicator === 'handover_days').map((row) => ({ days: Number(row.detail), count: row.count }));
  const trained = total('families_trained');
  const absent = total('training_absences');
  return {
    devicesCollected: total('collected'),
    devicesWiped: { total: total('wiped'), byLevel: split('wiped', 'not_recorded') },
    devicesRefurbished: { total: total('refurbished'), byGrade: split('refurbished', 'not_recorded') },
    devicesReserved: total('reserved'),
    devicesHandedOver: { total: handedOver, byKind: handedOverByKind },
    devicesDismantled: dismantled,
    devicesRecycled: { total: recycled, byChannel: split('recycled', 'not_recorded') },
    reuseRate: left === 0 ? null : Math.round((handedOver / left) * 1000) / 1000,
    daysFromCollectionToHandover: { median: percentile(days, 0.5), p90: percentile(days, 0.9) },
    familiesTrained: trained,
    trainingSessionsHeld: total('training_sessions_held'),
    attendanceRate: trained + absent === 0 ? null : Math.round((trained / (trained + absent)) * 1000) / 1000,
    wifiBuildingsLive: total('wifi_buildings_live'),
    incidentsOpened: total('incidents_opened'),
    incidentsResolved: total('incidents_resolved'),
    avoidedEmissions: avoidedEmissions(handedOverByKind),
  };
}
export type IndicatorFigures = ReturnType<typeof figuresOf>;

export type Indicators = {
  period: Period;
  previousPeriod: Period;
  territory: IndicatorTerritory | null;
  organisationId: string | null;
  deviceKind: DeviceKind | null;
  programmeId: string | null;
  figures: IndicatorFigures;
  previous: IndicatorFigures;
};

/**
 * Which figures an actor may read: the coordinator the whole network's (or one organisation's);
 * a funder what the programmes the fund financed did in the years it contributed; every other
 * organisation its own.
 */
async function readableScope(db: DbOrTx, actor: Actor, asked: string | undefined, years: { from: number; to: number }) {
  if (actor.organisationKind === 'coordinator') return { organisationId: asked, filter: asked ? sql`and organisation_id = ${asked}` : sql`` };
  if (actor.role === 'funder_viewer') {
    if (asked !== undefined) throw forbidden('A funder sees the figures of the programmes it financed, not of one organisation.');
    const programmes = await programmesFinancedBy(db, actor.organisationId, years);
    return { organisationId: undefined, filter: sql`and programme_id in (select jsonb_array_elements_text(${JSON.stringify(programmes)}::jsonb))` };
  }
  if (asked !== undefined && asked !== actor.organisationId) throw forbidden('You see the figures of your own organisation only.');
  return { organisationId: actor.organisationId, filter: sql`and organisation_id = ${actor.organisationId}` };
}

/**
 * The rollup rows a query may read, from `from` to `to`: what the actor may read (its
 * organisation, the one the coordinator asked for, a funder's programmes), the communes of the
 * territory, the device kind (and the figures about no device), the programme. Every reader of
 * the rollups filters with it, so each applies the same visibility.
 */
export async function rollupScope(db: DbOrTx, actor: Actor, query: Omit<IndicatorQuery, 'period'>, range: { from: string; to: string }) {
  const years = { from: Number(range.from.slice(0, 4)), to: Number(range.to.slice(0, 4)) };
  const { organisationId, filter: byOrganisation } = await readableScope(db, actor, query.organisationId, years);
  const inRange = sql`month between ${range.from}::date and ${range.to}::date`;
  let inTerritory = sql``;
  if (query.territory) {
    const { territory } = query;
    const communes = await db.execute<{ commune_code: string }>(sql`select distinct commune_code from indicator_rollups where ${inRange} ${byOrganisation}`);
    const inside = communes.map((row) => row.commune_code).filter((code) => communeIsInTerritory(code, territory));
    inTerritory = sql`and commune_code in (select jsonb_array_elements_text(${JSON.stringify(inside)}::jsonb))`;
  }
  const byKind = query.kind ? sql`and device_kind in (${query.kind}, '')` : sql``;
  const byProgramme = query.programmeId ? sql`and programme_id = ${query.programmeId}` : sql``;
  const where: SQL = sql`${inRange} ${byOrganisation} ${inTerritory} ${byKind} ${byProgramme}`;
  return { organisationId, where };
}

/**
 * The indicators of a period and territory, with the previous period's for comparison, read from
 * the monthly rollups (never from today's statuses). A device kind narrows the device figures;
 * training and Wi-Fi figures concern no device and stay. A programme keeps what served its
 * families' requests: devices reserved and handed over, families trained.
 */
export async function getIndicators(db: DbOrTx, actor: Actor, query: IndicatorQuery): Promise<Indicators> {
  const { period, territory } = query;
  const previous = previousPeriod(period);
  const { organisationId, where } = await rollupScope(db, actor, query, { from: previous.from, to: period.to });
  const rows = await db.execute<SummedRow>(sql`
    select month >= ${period.from}::date as current, device_kind as "deviceKind", indicator, detail, sum(count)::int as count
    from indicator_rollups
    where ${where}
    group by 1, 2, 3, 4`);
  const summed = rows.map((row) => ({ ...row, count: Number(row.count) }));
  return {
    period,
    previousPeriod: previous,
    territory: territory ?? null,
    organisationId: organisationId ?? null,
    deviceKind: query.kind ?? null,
    programmeId: query.programmeId ?? null,
    figures: figuresOf(summed.filter((row) => row.current)),
    previous: figuresOf(summed.filter((row) => !row.current)),
  };
}
