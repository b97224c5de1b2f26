import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addWorkingDays, dueDate, easterSunday, frenchPublicHolidays, isOverdue, isWorkingDay, parisDate } from '../src/connectivity/working-days.ts';

describe('Easter and public holidays', () => {
  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
  ])('puts Easter %i on %s', (year, easter) => {
    expect(easterSunday(year)).toBe(easter);
  });

  it('lists the 11 national holidays of 2026, Whit Monday included', () => {
    expect([...frenchPublicHolidays(2026)].sort()).toEqual([
      '2026-01-01',
      '2026-04-06', // Easter Monday
      '2026-05-01',
      '2026-05-08',
      '2026-05-14', // Ascension
      '2026-05-25', // Whit Monday
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ]);
  });

  it('follows the national list, not Alsace-Moselle: Good Friday and 26 December are worked', () => {
    expect(isWorkingDay('2026-04-03')).toBe(true);
    expect(isWorkingDay('2025-12-26')).toBe(true);
  });

  it('cannot be changed by a caller editing the returned set', () => {
    frenchPublicHolidays(2026).add('2026-06-01');
    expect(isWorkingDay('2026-06-01')).toBe(true);
    expect(frenchPublicHolidays(2026).has('2026-06-01')).toBe(false);
  });
});

describe('the date in Paris', () => {
  it.each([
    // Before the spring switch (01:00Z on 29 March 2026) Paris is UTC+1.
    ['2026-03-28T22:59:59Z', '2026-03-28'],
    ['2026-03-28T23:30:00Z', '2026-03-29'],
    // After it, UTC+2.
    ['2026-03-29T21:59:59Z', '2026-03-29'],
    ['2026-03-29T22:00:00Z', '2026-03-30'],
    // Before the autumn switch (01:00Z on 25 October 2026) Paris is UTC+2, after it UTC+1.
    ['2026-10-24T21:59:59Z', '2026-10-24'],
    ['2026-10-24T22:30:00Z', '2026-10-25'],
    ['2026-10-25T22:30:00Z', '2026-10-25'],
    ['2026-10-25T23:00:00Z', '2026-10-26'],
    ['2026-12-31T23:00:00Z', '2027-01-01'],
  ])('at %s is %s', (instant, date) => {
    expect(parisDate(new Date(instant))).toBe(date);
  });

  it('refuses an invalid Date', () => {
    expect(() => parisDate(new Date('not a date'))).toThrow(RangeError);
  });
});

describe('adding working days', () => {
  it.each([
    // Across a weekend.
    ['Friday, 1 day: Monday', '2026-01-09', 1, '2026-01-12'],
    ['Thursday, 2 days: Monday', '2026-01-08', 2, '2026-01-12'],
    ['Wednesday, 2 days: Friday', '2026-01-07', 2, '2026-01-09'],
    // Easter Monday 2026 is 6 April; Good Friday is worked.
    ['Thursday before Easter, 1 day: Good Friday', '2026-04-02', 1, '2026-04-03'],
    ['Good Friday, 1 day: Tuesday after Easter Monday', '2026-04-03', 1, '2026-04-07'],
    // 1 May and 8 May 2026 are both Fridays.
    ['Thursday 30 April, 1 day: Monday 4 May', '2026-04-30', 1, '2026-05-04'],
    ['Thursday 7 May, 1 day: Monday 11 May', '2026-05-07', 1, '2026-05-11'],
    ['Thursday 30 April, 5 days: Monday 11 May', '2026-04-30', 5, '2026-05-11'],
    ['Wednesday before Ascension, 1 day: Friday', '2026-05-13', 1, '2026-05-15'],
    ['Friday before Whit Monday, 1 day: Tuesday', '2026-05-22', 1, '2026-05-26'],
    // Reported on a non-working day: counting starts with the next working day.
    ['Saturday, 1 day: Monday', '2026-01-10', 1, '2026-01-12'],
    ['Saturday, 2 days: Tuesday', '2026-01-10', 2, '2026-01-13'],
    ['Sunday, 1 day: Monday', '2026-01-11', 1, '2026-01-12'],
    ['Saturday before Easter, 1 day: Tuesday', '2026-04-04', 1, '2026-04-07'],
    ['Easter Monday, 1 day: Tuesday', '2026-04-06', 1, '2026-04-07'],
    // Christmas to New Year.
    ['Christmas Eve 2026, 1 day: Monday 28', '2026-12-24', 1, '2026-12-28'],
    ['23 December 2026, 5 days: 31 December', '2026-12-23', 5, '2026-12-31'],
    ['23 December 2026, 6 days: Monday 4 January', '2026-12-23', 6, '2027-01-04'],
    ['Christmas Eve 2025, 1 day: 26 December', '2025-12-24', 1, '2025-12-26'],
    ['31 December 2025, 1 day: 2 January', '2025-12-31', 1, '2026-01-02'],
  ])('%s', (_, from, days, expected) => {
    expect(addWorkingDays(from, days)).toBe(expected);
  });

  it('with 0 days, keeps a working day and moves a weekend or holiday to the next working day', () => {
    expect(addWorkingDays('2026-01-07', 0)).toBe('2026-01-07');
    expect(addWorkingDays('2026-01-10', 0)).toBe('2026-01-12');
    expect(addWorkingDays('2026-05-01', 0)).toBe('2026-05-04');
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s days', (days) => {
    expect(() => addWorkingDays('2026-01-07', days)).toThrow(RangeError);
  });

  it.each(['2026-02-30', '2026-1-5', '07/01/2026', ''])('refuses the date "%s"', (date) => {
    expect(() => addWorkingDays(date, 1)).toThrow(RangeError);
    expect(() => isWorkingDay(date)).toThrow(RangeError);
  });

  it('always lands on a working day, after the start, with exactly that many working days on the way', () => {
    const start = fc
      .integer({ min: Date.UTC(1990, 0, 1) / 86_400_000, max: Date.UTC(2100, 11, 31) / 86_400_000 })
      .map((dayNumber) => new Date(dayNumber * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 60 }), (from, days) => {
        const result = addWorkingDays(from, days);
        expect(isWorkingDay(result)).toBe(true);
        expect(result > from).toBe(true);
        let counted = 0;
        for (let date = nextDate(from); date <= result; date = nextDate(date)) {
          const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
          if (weekday !== 0 && weekday !== 6 && !frenchPublicHolidays(Number(date.slice(0, 4))).has(date)) counted += 1;
        }
        expect(counted).toBe(days);
      }),
    );
  });
});

describe('due dates of incidents', () => {
  it('counts from the Paris date of the report, not the UTC one', () => {
    // 23:30 on Friday in Paris.
    expect(dueDate(new Date('2026-01-09T22:30:00Z'), 1)).toBe('2026-01-12');
    // 00:30 on Saturday in Paris, still Friday in UTC.
    expect(dueDate(new Date('2026-01-09T23:30:00Z'), 2)).toBe('2026-01-13');
  });

  it('are overdue from midnight in Paris after the due date, not during it', () => {
    expect(isOverdue('2026-01-12', new Date('2026-01-12T08:00:00Z'))).toBe(false);
    expect(isOverdue('2026-01-12', new Date('2026-01-12T22:59:59Z'))).toBe(false);
    expect(isOverdue('2026-01-12', new Date('2026-01-12T23:00:00Z'))).toBe(true);
    expect(isOverdue('2026-01-12', new Date('2026-01-11T12:00:00Z'))).toBe(false);
  });
});

function nextDate(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}
