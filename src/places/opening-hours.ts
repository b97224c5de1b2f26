import { createRequire } from 'node:module';
import type OpeningHoursClass from 'opening_hours';

/**
 * Hours in OpenStreetMap's `opening_hours` syntax, the schema's `horaires` ("Mo-Fr 09:00-12:00,14:00-17:30; PH off"),
 * read by the `opening_hours` library, which knows France's public holidays (`PH`).
 */
// The library and its holiday tables weigh 9 MB of heap: loaded when hours are first read, not by every process at start.
let OpeningHours: typeof OpeningHoursClass | undefined;
const library = () => (OpeningHours ??= createRequire(import.meta.url)('opening_hours') as typeof OpeningHoursClass);

const france = { lat: 46.6, lon: 2.4, address: { country_code: 'fr', state: '' } };

function readHours(hours: string): { ok: true; schedule: OpeningHoursClass } | { ok: false; reason: string } {
  try {
    return { ok: true, schedule: new (library())(hours, france as never) };
  } catch (error) {
    return { ok: false, reason: String(error) };
  }
}

/** Why hours cannot be read (the library's words, pointing at the place in the text), or undefined when they can. */
export function openingHoursError(hours: string): string | undefined {
  const read = readHours(hours);
  return read.ok ? undefined : read.reason;
}

const parisClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/**
 * The library reads a date's local fields, so the instant is given as the wall clock in Paris
 * (what a door's sign says), whatever the server's own time zone.
 */
function parisWallClock(instant: Date): Date {
  const part = Object.fromEntries(parisClock.formatToParts(instant).map((entry) => [entry.type, Number(entry.value)]));
  return new Date(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!);
}

/** Whether a place with these hours is open at an instant, in Europe/Paris; unknown hours are never "open now". */
export function isOpenAt(hours: string | null, instant: Date): boolean {
  const read = hours ? readHours(hours) : undefined;
  return read?.ok === true && read.schedule.getState(parisWallClock(instant));
}

/**
 * Hours as the library writes them back: OpenStreetMap's canonical syntax, which the library also
 * reads from looser writing ("Lu-Ve 9h-17h" → "Mo-Fr 09:00-17:00"); undefined when they cannot be read.
 */
export function canonicalOpeningHours(hours: string): string | undefined {
  const read = readHours(hours);
  return read.ok ? read.schedule.prettifyValue() : undefined;
}

/** A moment as a door's sign reads it in Paris: the calendar day, its weekday (0 for Sunday) and the time. */
export type WallClock = { date: string; weekday: number; time: string };

const pad = (value: number) => String(value).padStart(2, '0');
const dayOf = (local: Date) => `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`;
const wallClockOf = (local: Date): WallClock => ({ date: dayOf(local), weekday: local.getDay(), time: `${pad(local.getHours())}:${pad(local.getMinutes())}` });

/**
 * Whether a place is open at an instant and when that changes (within a fortnight), in Paris:
 * what "ouvert maintenant, jusqu’à 12 h" says. Unknown hours, or a state the hours leave unknown, say so.
 */
export type OpeningNow = { state: 'unknown' } | { state: 'open' | 'closed'; nextChange: WallClock | null };

export function openingAt(hours: string | null, instant: Date): OpeningNow {
  const read = hours ? readHours(hours) : undefined;
  if (!read?.ok) return { state: 'unknown' };
  const local = parisWallClock(instant);
  if (read.schedule.getUnknown(local)) return { state: 'unknown' };
  const horizon = new Date(local.getFullYear(), local.getMonth(), local.getDate() + 14);
  const next = read.schedule.getNextChange(local, horizon);
  return { state: read.schedule.getState(local) ? 'open' : 'closed', nextChange: next ? wallClockOf(next) : null };
}

/** One day of a place's hours: its opening intervals ("09:00" to "12:00", "24:00" for midnight at its end) and whether it is a public holiday. */
export type HoursOfDay = { date: string; weekday: number; publicHoliday: boolean; intervals: { from: string; to: string }[] };

/** The hours of the `days` days from the instant's day in Paris, as a week's sign reads them; undefined for unknown or unreadable hours. */
export function hoursOfDays(hours: string | null, instant: Date, days = 7): HoursOfDay[] | undefined {
  const read = hours ? readHours(hours) : undefined;
  if (!read?.ok) return undefined;
  const today = parisWallClock(instant);
  return Array.from({ length: days }, (_, offset) => {
    const start = new Date(today.getFullYear(), today.getMonth(), today.getDate() + offset);
    const end = new Date(today.getFullYear(), today.getMonth(), today.getDate() + offset + 1);
    const intervals = read.schedule
      .getOpenIntervals(start, end)
      .filter(([, , unknown]) => !unknown)
      .map(([from, to]) => ({ from: wallClockOf(from).time, to: dayOf(to) === dayOf(start) ? wallClockOf(to).time : '24:00' }));
    return { date: dayOf(start), weekday: start.getDay(), publicHoliday: read.schedule.getPublicHolidayContext(start).isHoliday, intervals };
  });
}

/** The day in Paris at an instant (YYYY-MM-DD): "today" on a place's page. */
export const parisDayOf = (instant: Date) => dayOf(parisWallClock(instant));

/**
 * A usual week of the hours, Monday to Sunday: the first week from the instant's with no public
 * holiday (within two months), so that a sign's usual hours are not read off Christmas week.
 * `closedOnPublicHolidays` says whether the hours close on them (`PH off`).
 */
export function usualWeek(hours: string | null, instant: Date): { days: HoursOfDay[]; closedOnPublicHolidays: boolean } | undefined {
  const today = parisWallClock(instant);
  const monday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - ((today.getDay() + 6) % 7));
  let days: HoursOfDay[] | undefined;
  for (let week = 0; week < 9; week++) {
    // Noon UTC of that Monday is that Monday in Paris too, whatever the server's zone.
    const candidate = hoursOfDays(hours, new Date(Date.UTC(monday.getFullYear(), monday.getMonth(), monday.getDate() + 7 * week, 12)));
    if (!candidate) return undefined;
    days ??= candidate;
    if (!candidate.some((day) => day.publicHoliday)) {
      days = candidate;
      break;
    }
  }
  return { days: days!, closedOnPublicHolidays: /\bPH\s+(off|closed)\b/i.test(hours ?? '') };
}
