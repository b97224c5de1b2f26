import { sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { lookUpTerritory, territoriesOf } from '../geography/communes.ts';
import { figuresOf, type IndicatorFigures, type IndicatorQuery, rollupScope } from './indicators.service.ts';
import { monthsOf, previousPeriod, type Period } from './periods.ts';
import type { IndicatorTerritory } from './territory.ts';

/** Rows grouped by a key, in the order keys first appear (Node 20 has no Map.groupBy). */
export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}

type MonthRow = { month: string; deviceKind: string; indicator: string; detail: string; count: number };

/** The figures of one month that charts and open data show: counts, and the avoided emissions. */
export type MonthFigures = {
  month: string;
  collected: number;
  wiped: number;
  refurbished: number;
  reserved: number;
  handedOver: number;
  dismantled: number;
  recycled: number;
  familiesTrained: number;
  wifiBuildingsLive: number;
  kgCo2eAvoided: number;
};

export function monthFigures(month: string, figures: IndicatorFigures): MonthFigures {
  return {
    month,
    collected: figures.devicesCollected,
    wiped: figures.devicesWiped.total,
    refurbished: figures.devicesRefurbished.total,
    reserved: figures.devicesReserved,
    handedOver: figures.devicesHandedOver.total,
    dismantled: figures.devicesDismantled,
    recycled: figures.devicesRecycled.total,
    familiesTrained: figures.familiesTrained,
    wifiBuildingsLive: figures.wifiBuildingsLive,
    kgCo2eAvoided: figures.avoidedEmissions.kgCo2e,
  };
}

export type MonthlySeries = { period: Period; previousPeriod: Period; months: MonthFigures[]; previousMonths: MonthFigures[] };

/**
 * The figures month by month, for the period and the previous one, every month present (a month
 * where nothing happened reads zeros). Same scope and visibility as `getIndicators`, so the months
 * add up to its figures.
 */
export async function monthlySeries(db: DbOrTx, actor: Actor, query: IndicatorQuery): Promise<MonthlySeries> {
  const previous = previousPeriod(query.period);
  const { where } = await rollupScope(db, actor, query, { from: previous.from, to: query.period.to });
  const rows = await db.execute<MonthRow>(sql`
    select to_char(month, 'YYYY-MM') as month, device_kind as "deviceKind", indicator, detail, sum(count)::int as count
    from indicator_rollups
    where ${where}
    group by 1, 2, 3, 4`);
  const byMonth = groupBy(
    rows.map((row) => ({ ...row, count: Number(row.count) })),
    (row) => row.month,
  );
  const series = (period: Period) => monthsOf(period).map((month) => monthFigures(month, figuresOf(byMonth.get(month) ?? [])));
  return { period: query.period, previousPeriod: previous, months: series(query.period), previousMonths: series(previous) };
}

export type TerritoryFigures = { territory: IndicatorTerritory; figures: IndicatorFigures; previous: IndicatorFigures };

/**
 * The figures of each territory inside the query's: its communes for a commune, an EPCI or a
 * département; its départements for a région or the whole network. Only territories where
 * something was counted in either period are listed.
 */
export async function territoryBreakdown(db: DbOrTx, actor: Actor, query: IndicatorQuery): Promise<TerritoryFigures[]> {
  const previous = previousPeriod(query.period);
  const { where } = await rollupScope(db, actor, query, { from: previous.from, to: query.period.to });
  const rows = await db.execute<MonthRow & { current: boolean; communeCode: string }>(sql`
    select month >= ${query.period.from}::date as current, commune_code as "communeCode", device_kind as "deviceKind", indicator, detail,
      sum(count)::int as count
    from indicator_rollups
    where ${where}
    group by 1, 2, 3, 4, 5`);
  const level = !query.territory || query.territory.type === 'region' ? 'departement' : 'commune';
  const groups = groupBy(
    rows.map((row) => ({ ...row, count: Number(row.count) })),
    (row) => territoriesOf(row.communeCode).find((territory) => territory.type === level)?.code ?? row.communeCode,
  );
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, group]) => {
      const lookup = lookUpTerritory({ type: level, code });
      return {
        territory: { type: level, code, name: lookup.ok ? lookup.name : code },
        figures: figuresOf(group.filter((row) => row.current)),
        previous: figuresOf(group.filter((row) => !row.current)),
      };
    });
}
