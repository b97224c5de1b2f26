/**
 * Working-day arithmetic for incident due dates. Maintenance contracts count in "jours ouvrés":
 * Monday to Friday, French public holidays excluded, on the calendar of Paris (the contracts and
 * the people on call live there, whatever the server's time zone). Dates are plain YYYY-MM-DD
 * strings so they compare, store (a Postgres `date`) and print without a time zone.
 */

const day = 24 * 60 * 60 * 1000;

// One formatter for the module: building an Intl.DateTimeFormat costs far more than using one.
const parisCalendar = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in Paris at that instant, e.g. 2026-03-28T23:30Z is 2026-03-29 there. */
export function parisDate(instant: Date): string {
  if (Number.isNaN(instant.getTime())) throw new RangeError('parisDate needs a valid instant, got an invalid Date');
  // formatToParts rather than format(): the order and separators of a locale's format are ICU data, not a contract.
  const parts = parisCalendar.formatToParts(instant);
  const part = (type: 'year' | 'month' | 'day') => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

/** Midnight UTC of a YYYY-MM-DD date, as a day number; refuses anything that is not a real calendar date. */
function toDayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match) {
    const [year, month, dayOfMonth] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const utc = new Date(0);
    // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
    utc.setUTCFullYear(year, month - 1, dayOfMonth);
    if (utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === dayOfMonth) {
      return utc.getTime() / day;
    }
  }
  throw new RangeError(`Expected a calendar date as YYYY-MM-DD, got "${date}"`);
}

function fromDayNumber(dayNumber: number): string {
  const utc = new Date(dayNumber * day);
  const year = String(utc.getUTCFullYear()).padStart(4, '0');
  const month = String(utc.getUTCMonth() + 1).padStart(2, '0');
  const dayOfMonth = String(utc.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${dayOfMonth}`;
}

/** Easter Sunday of a Gregorian year, by the anonymous Gregorian (Meeus/Jones/Butcher) algorithm. */
export function easterSunday(year: number): string {
  if (!Number.isInteger(year) || year < 1583 || year > 9999) {
    throw new RangeError(`Easter is computed for Gregorian years 1583-9999, got ${year}`);
  }
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const dayOfMonth = ((h + l - 7 * m + 114) % 31) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}

const holidaysByYear = new Map<number, ReadonlySet<string>>();

function holidaysOf(year: number): ReadonlySet<string> {
  let holidays = holidaysByYear.get(year);
  if (!holidays) {
    const easter = toDayNumber(easterSunday(year));
    const fixed = (monthAndDay: string) => `${String(year).padStart(4, '0')}-${monthAndDay}`;
    // The national list (Code du travail, art. L3133-1). Alsace-Moselle adds Good Friday and
    // 26 December; we follow the national list because the network is in Provence and
    // Nouvelle-Aquitaine. The current list is applied to every year, past ones included.
    holidays = new Set([
      fixed('01-01'),
      fromDayNumber(easter + 1), // Easter Monday
      fixed('05-01'),
      fixed('05-08'),
      fromDayNumber(easter + 39), // Ascension Thursday
      // Whit Monday stays a public holiday even where employers make it the "journée de
      // solidarité": that day is worked by staff, not owed by the maintenance contract.
      fromDayNumber(easter + 50),
      fixed('07-14'),
      fixed('08-15'),
      fixed('11-01'),
      fixed('11-11'),
      fixed('12-25'),
    ]);
    holidaysByYear.set(year, holidays);
  }
  return holidays;
}

/** The 11 national public holidays (jours fériés) of metropolitan France in that year, as YYYY-MM-DD. */
export function frenchPublicHolidays(year: number): Set<string> {
  // A copy, so that a caller who edits the set cannot change the cached calendar.
  return new Set(holidaysOf(year));
}

function isWorkingDayNumber(dayNumber: number): boolean {
  // Day 0 (1970-01-01) was a Thursday: weekday 0 is Sunday, as in Date#getUTCDay.
  const weekday = (((dayNumber + 4) % 7) + 7) % 7;
  if (weekday === 0 || weekday === 6) return false;
  const date = fromDayNumber(dayNumber);
  return !holidaysOf(Number(date.slice(0, 4))).has(date);
}

/** Monday to Friday, and not a French public holiday. */
export function isWorkingDay(date: string): boolean {
  return isWorkingDayNumber(toDayNumber(date));
}

/**
 * The due date of something that must be done within `days` working days ("n jours ouvrés") of
 * `date`, the day it was reported: the `days`-th working day strictly after `date`. The day of
 * reporting never counts, whether it is a working day or not, so a report made on a weekend or a
 * holiday starts counting from the next working day:
 * - reported Friday, 1 working day: Monday (Tuesday if Monday is a holiday);
 * - reported Saturday or Sunday, 1: Monday; 2: Tuesday;
 * - reported Wednesday, 2: Friday.
 * The time of the report does not matter: a report at 23:50 counts as that day.
 *
 * `days = 0` means "the same working day": `date` itself if it is a working day, otherwise the
 * next working day.
 */
export function addWorkingDays(date: string, days: number): string {
  if (!Number.isInteger(days) || days < 0) {
    throw new RangeError(`A number of working days is a whole number of zero or more, got ${days}`);
  }
  let current = toDayNumber(date);
  if (days === 0) {
    while (!isWorkingDayNumber(current)) current += 1;
    return fromDayNumber(current);
  }
  let remaining = days;
  while (remaining > 0) {
    current += 1;
    if (isWorkingDayNumber(current)) remaining -= 1;
  }
  return fromDayNumber(current);
}

/** When an incident reported at that instant must be fixed by, counting in Paris working days. */
export function dueDate(reportedAt: Date, workingDays: number): string {
  return addWorkingDays(parisDate(reportedAt), workingDays);
}

/** Overdue from the first moment of the day after the due date, in Paris: the due date itself is still on time. */
export function isOverdue(dueOn: string, now: Date): boolean {
  return toDayNumber(parisDate(now)) > toDayNumber(dueOn);
}
