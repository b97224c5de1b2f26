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
