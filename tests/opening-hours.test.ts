import { describe, expect, it } from 'vitest';
import { dayHoursInFrench, openingNowInFrench, usualWeekInFrench } from '../src/pages/fr-places.ts';
import { hoursOfDays, isOpenAt, openingAt, openingHoursError, usualWeek } from '../src/places/opening-hours.ts';

/*
 * "Ouvert maintenant" is read from a place's hours (OpenStreetMap's opening_hours syntax) at an
 * instant, in Europe/Paris whatever the server's zone: the instants below are written in UTC,
 * the comments say what a Paris door's sign reads then.
 */

const workshop = 'Mo-Fr 09:00-12:00,14:00-17:30; PH off';

describe('whether a place is open at an instant (isOpenAt)', () => {
  it.each([
    ['a weekday morning', '2026-12-22T08:30:00Z', true], // Tuesday 09:30 in Paris (UTC+1)
    ['the lunch break', '2026-12-22T11:30:00Z', false], // 12:30
    ['the minute the lunch break ends', '2026-12-22T13:00:00Z', true], // 14:00
    ['the minute it closes for lunch', '2026-12-22T11:00:00Z', false], // 12:00: the interval ends there
    ['the evening', '2026-12-22T17:00:00Z', false], // 18:00
    ['a Saturday', '2026-12-26T10:00:00Z', false],
    ['Christmas Eve, a working day', '2026-12-24T10:00:00Z', true],
    ['Christmas Day, a public holiday with PH off', '2026-12-25T10:00:00Z', false], // Friday 11:00
    ['14 July, a public holiday with PH off', '2026-07-14T08:00:00Z', false], // Tuesday 10:00 (UTC+2)
    ['the day after 14 July', '2026-07-15T08:00:00Z', true],
    ['midnight', '2026-12-22T23:00:00Z', false], // Wednesday 00:00
  ] as const)('%s', (_what, instant, open) => {
    expect(isOpenAt(workshop, new Date(instant))).toBe(open);
  });

  it('opens on a public holiday when the hours do not close on them', () => {
    expect(isOpenAt('Mo-Fr 09:00-12:00', new Date('2026-07-14T08:00:00Z'))).toBe(true);
  });

  it('reads midnight in Paris, not in UTC: an evening until midnight is over at 00:00 in Paris, while UTC is still the evening before', () => {
    const evenings = 'Mo-Fr 18:00-24:00';
    expect(isOpenAt(evenings, new Date('2026-12-22T22:59:00Z'))).toBe(true); // Tuesday 23:59
    expect(isOpenAt(evenings, new Date('2026-12-22T23:00:00Z'))).toBe(false); // Wednesday 00:00
  });

  it('keeps a night that runs past midnight open into the next day', () => {
    const nights = 'Fr 22:00-02:00';
    expect(isOpenAt(nights, new Date('2026-12-18T23:30:00Z'))).toBe(true); // Saturday 00:30
    expect(isOpenAt(nights, new Date('2026-12-19T01:30:00Z'))).toBe(false); // Saturday 02:30
  });

  it('follows the change to summer time: on 29 March 2026 Paris is UTC+2 from 03:00', () => {
    const mornings = 'Mo-Su 08:00-09:00';
    expect(isOpenAt(mornings, new Date('2026-03-29T06:30:00Z'))).toBe(true); // 08:30 in summer time
    expect(isOpenAt(mornings, new Date('2026-03-29T07:30:00Z'))).toBe(false); // 09:30, though 08:30 in winter time
    expect(isOpenAt(mornings, new Date('2026-03-28T07:30:00Z'))).toBe(true); // the day before, 08:30 in winter time
  });

  it('follows the change back to winter time: on 25 October 2026 Paris is UTC+1 from 03:00', () => {
    const mornings = 'Mo-Su 08:00-09:00';
    expect(isOpenAt(mornings, new Date('2026-10-25T07:30:00Z'))).toBe(true); // 08:30 in winter time
    expect(isOpenAt(mornings, new Date('2026-10-24T07:30:00Z'))).toBe(false); // 09:30 in summer time
  });

  it('never says "open" for unknown or unreadable hours', () => {
    expect(isOpenAt(null, new Date('2026-12-22T08:30:00Z'))).toBe(false);
    expect(isOpenAt('Mo-Fr 09:00-', new Date('2026-12-22T08:30:00Z'))).toBe(false);
    expect(openingHoursError('Mo-Fr 09:00-')).toBeDefined();
    expect(openingAt('Mo-Fr 09:00-', new Date()).state).toBe('unknown');
  });
});

describe('hours as a place’s page reads them, in French', () => {
  it('says until when it is open, and when it opens again after a public holiday', () => {
    expect(openingNowInFrench(openingAt(workshop, new Date('2026-12-24T10:00:00Z')), '2026-12-24')).toBe('Ouvert en ce moment, jusqu’à 12 h');
    expect(openingNowInFrench(openingAt(workshop, new Date('2026-12-24T17:00:00Z')), '2026-12-24')).toBe('Fermé en ce moment, ouvre lundi 28 décembre à 9 h');
    expect(openingNowInFrench(openingAt(workshop, new Date('2026-12-22T11:30:00Z')), '2026-12-22')).toBe('Fermé en ce moment, ouvre aujourd’hui à 14 h');
    expect(openingNowInFrench(openingAt(null, new Date()), '2026-12-22')).toBe('Horaires non renseignés');
  });

  it('lists the next days with the public holiday closed', () => {
    const days = hoursOfDays(workshop, new Date('2026-12-24T10:00:00Z'), 2)!;
    expect(days.map((day) => [day.date, day.publicHoliday, dayHoursInFrench(day)])).toEqual([
      ['2026-12-24', false, '9 h – 12 h et 14 h – 17 h 30'],
      ['2026-12-25', true, 'fermé (jour férié)'],
    ]);
  });

  it('gives the usual week from a week without public holidays, days with the same hours together', () => {
    // Asked during Christmas week: the usual week is not read off Christmas Day.
    expect(usualWeekInFrench(usualWeek(workshop, new Date('2026-12-23T10:00:00Z'))!)).toEqual([
      'Du lundi au vendredi : 9 h – 12 h et 14 h – 17 h 30',
      'Samedi et dimanche : fermé',
      'Fermé les jours fériés',
    ]);
    expect(usualWeekInFrench(usualWeek('Mo-Fr 09:00-12:00,13:30-18:00; We 09:00-12:00', new Date('2026-12-23T10:00:00Z'))!)).toEqual([
      'Lundi et mardi : 9 h – 12 h et 13 h 30 – 18 h',
      'Mercredi : 9 h – 12 h',
      'Jeudi et vendredi : 9 h – 12 h et 13 h 30 – 18 h',
      'Samedi et dimanche : fermé',
    ]);
    expect(usualWeekInFrench(usualWeek('24/7', new Date())!)).toEqual(['Du lundi au dimanche : ouvert toute la journée']);
  });
});
