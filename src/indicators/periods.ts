import { inBoth } from '../field-messages.ts';

/**
 * The periods figures are asked for. Rollups are kept by month, so a period is a run of whole
 * months: a year (2026), a quarter (2026-Q2), a month (2026-03), or dates from the first day of a
 * month to the last day of one.
 */
export type Period = { label: string; from: string; to: string; months: number };

const pad = (value: number) => String(value).padStart(2, '0');
/** First day of the month, `offset` months after the given year and month (1-12). */
const monthStart = (year: number, month: number, offset = 0) => {
  const index = year * 12 + (month - 1) + offset;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}-01`;
};
const lastDayOf = (monthStartDay: string) => {
  const [year, month] = monthStartDay.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${monthStartDay.slice(0, 8)}${pad(last)}`;
};
const span = (fromMonth: string, months: number, label: string): Period => {
  const [year, month] = fromMonth.split('-').map(Number) as [number, number];
  return { label, from: fromMonth, to: lastDayOf(monthStart(year, month, months - 1)), months };
};

export const periodPattern = /^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/;

export type PeriodQuery = { period?: string; from?: string; to?: string };
export type PeriodProblem = { path: string; message: string };

/** The period a query names, or what is wrong with it (each problem with the field it concerns). */
export function parsePeriod(query: PeriodQuery): { ok: true; period: Period } | { ok: false; problems: PeriodProblem[] } {
  if (query.period !== undefined) {
    if (query.from !== undefined || query.to !== undefined) {
      return {
        ok: false,
        problems: [
          {
            path: 'period',
            message: inBoth(
              'Give either a period or from and to dates, not both.',
              'Indiquez soit une période, soit des dates de début et de fin, pas les deux.',
            ),
          },
        ],
      };
    }
    const match = periodPattern.exec(query.period);
    if (!match)
      return {
        ok: false,
        problems: [
          {
            path: 'period',
            message: inBoth(
              'A year (2026), a quarter (2026-Q2) or a month (2026-03).',
              'Indiquez une année (2026), un trimestre (2026-Q2) ou un mois (2026-03).',
            ),
          },
        ],
      };
    const year = Number(match[1]);
    if (match[2]) return { ok: true, period: span(monthStart(year, (Number(match[2]) - 1) * 3 + 1), 3, query.period) };
    if (match[3]) return { ok: true, period: span(monthStart(year, Number(match[3])), 1, query.period) };
    return { ok: true, period: span(monthStart(year, 1), 12, query.period) };
  }
  if (query.from === undefined || query.to === undefined) {
    return {
      ok: false,
      problems: [
        {
          path: 'period',
          message: inBoth(
            'Say which period: a year (2026), a quarter (2026-Q2), a month (2026-03), or from and to dates.',
            'Indiquez une année (2026), un trimestre (2026-Q2), un mois (2026-03), ou des dates de début et de fin.',
          ),
        },
      ],
    };
  }
  const problems: PeriodProblem[] = [];
  if (!query.from.endsWith('-01'))
    problems.push({
      path: 'from',
      message: inBoth(
        'Figures are kept by month: start on the first day of a month (2026-01-01).',
        'Les chiffres sont tenus par mois : commencez un premier du mois (2026-01-01).',
      ),
    });
  if (lastDayOf(`${query.to.slice(0, 8)}01`) !== query.to) {
    problems.push({
      path: 'to',
      message: inBoth(
        'Figures are kept by month: end on the last day of a month (2026-06-30).',
        'Les chiffres sont tenus par mois : finissez le dernier jour d’un mois (2026-06-30).',
      ),
    });
  }
  if (problems.length === 0 && query.to < query.from)
    problems.push({ path: 'to', message: inBoth('The end comes before the start.', 'La fin vient avant le début.') });
  if (problems.length > 0) return { ok: false, problems };
  const [fromYear, fromMonth] = query.from.split('-').map(Number) as [number, number];
  const [toYear, toMonth] = query.to.split('-').map(Number) as [number, number];
  const months = (toYear - fromYear) * 12 + (toMonth - fromMonth) + 1;
  if (months > 120) return { ok: false, problems: [{ path: 'to', message: inBoth('A period of at most ten years.', 'Une période de dix ans au plus.') }] };
  return { ok: true, period: span(query.from, months, `${query.from}/${query.to}`) };
}

/** The period of the same length just before: the previous year, quarter, month or run of months. */
export function previousPeriod(period: Period): Period {
  const [year, month] = period.from.split('-').map(Number) as [number, number];
  const from = monthStart(year, month, -period.months);
  const match = periodPattern.exec(period.label);
  let label: string;
  if (match?.[2]) label = `${from.slice(0, 4)}-Q${(Number(from.slice(5, 7)) - 1) / 3 + 1}`;
  else if (match?.[3]) label = from.slice(0, 7);
  else if (match) label = from.slice(0, 4);
  else label = `${from}/${lastDayOf(monthStart(year, month, -1))}`;
  return span(from, period.months, label);
}

/** The months of a period, as YYYY-MM, first to last. */
export function monthsOf(period: Period): string[] {
  const [year, month] = period.from.split('-').map(Number) as [number, number];
  return Array.from({ length: period.months }, (_, offset) => monthStart(year, month, offset).slice(0, 7));
}
