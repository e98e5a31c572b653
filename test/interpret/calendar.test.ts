import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { loadFlows } from '../helpers/flows.ts';

// The example hall's 2026 calendar: 国庆节 10-01..10-07, make-up working days 09-20 (Sun) and 10-10 (Sat).
const { calendar } = await loadFlows();

describe('work calendar', () => {
  it.each([
    ['an ordinary Monday is a work day', '2026-03-02', true],
    ['a Saturday is not', '2026-03-07', false],
    ['a public holiday on a weekday is not (国庆节)', '2026-10-05', false],
    ['a make-up Saturday is (调休上班)', '2026-10-10', true],
    ['a make-up Sunday is', '2026-09-20', true],
    ['New Year 2026 is off', '2026-01-02', false],
  ])('%s', (_name, date, workday) => {
    expect(calendar.isWorkday(date)).toBe(workday);
  });

  it.each([
    ['0 days on a work day is the same day', '2026-03-02', 0, '2026-03-02'],
    ['1 day on a Friday is the Monday', '2026-03-06', 1, '2026-03-09'],
    ['0 days on a Saturday is the Monday', '2026-03-07', 0, '2026-03-09'],
    ['1 day before National Day jumps the holiday', '2026-09-30', 1, '2026-10-08'],
    ['1 day from Friday 10-09 lands on the make-up Saturday', '2026-10-09', 1, '2026-10-10'],
    ['3 days across the Spring Festival and its make-up days', '2026-02-13', 3, '2026-02-25'],
    ['submitted during the holiday, counting starts after it', '2026-10-03', 0, '2026-10-08'],
  ])('%s', (_name, start, days, due) => {
    expect(calendar.addWorkdays(start, days)).toBe(due);
  });

  it.each([
    ['0 days before a work day is that day', '2026-03-10', 0, '2026-03-10'],
    ['2 days before a Tuesday is the Friday before (the weekend skipped)', '2026-03-10', 2, '2026-03-06'],
    ['1 day before 10-08 jumps back over National Day', '2026-10-08', 1, '2026-09-30'],
    ['1 day before Monday 10-12 is the make-up Saturday', '2026-10-12', 1, '2026-10-10'],
  ])('a reminder: %s', (_name, due, days, date) => {
    expect(calendar.workdaysBefore(due, days)).toBe(date);
    // Going forward again from there lands on the due date: the two counts agree.
    expect(calendar.addWorkdays(date, days)).toBe(due);
  });

  it('writes a local wall-clock time with the zone offset', () => {
    expect(calendar.atLocalTime('2026-03-06', '09:00:00')).toBe('2026-03-06T09:00:00+08:00');
    expect(calendar.endOfDay('2026-03-06')).toBe('2026-03-06T23:59:59+08:00');
  });

  it('counts work days between two dates', () => {
    expect(calendar.workdaysBetween('2026-09-30', '2026-10-10')).toBe(3); // 10-08, 10-09 and the make-up 10-10
  });

  it('reads instants in the hall time zone, not the machine one', () => {
    expect(calendar.localDate('2026-03-01T17:30:00Z')).toBe('2026-03-02');
    const utc = new WorkCalendar({ format: 'servicehall-calendar/v1', timezone: 'UTC', years: [], holidays: [], workdays: [] });
    expect(utc.localDate('2026-03-01T17:30:00Z')).toBe('2026-03-01');
  });

  it('makes its date formatter once, not on every reading (the hall replays flows on every request)', () => {
    // Counts real constructions of Intl.DateTimeFormat while a calendar reads many instants.
    const Real = Intl.DateTimeFormat;
    let made = 0;
    const Counting = function (this: unknown, ...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      made++;
      return new Real(...args);
    } as unknown as typeof Intl.DateTimeFormat;
    Intl.DateTimeFormat = Counting;
    try {
      const shanghai = new WorkCalendar({ format: 'servicehall-calendar/v1', timezone: 'Asia/Shanghai', years: [], holidays: [], workdays: [] });
      const dates = Array.from({ length: 50 }, (_, i) => shanghai.localDate(new Date(Date.UTC(2026, 2, 1, 17, 30) + i * 86_400_000).toISOString()));
      expect(dates[0]).toBe('2026-03-02');
      expect(dates[49]).toBe('2026-04-20');
      expect(made).toBeLessThanOrEqual(1);
    } finally {
      Intl.DateTimeFormat = Real;
    }
  });
  it('reads the local date of any instant as Intl does, though it formats once per quarter hour', () => {
    // Every minute (and odd seconds) around local midnights and offset changes, in zones with whole, half, quarter and
    // odd (local mean time) offsets: a quarter hour holding a change of date must not lend its date to the others.
    const cases: [string, string][] = [
      ['Asia/Shanghai', '2026-03-01T15:00:00Z'],
      ['Asia/Shanghai', '1900-12-31T15:00:00Z'], // +08:05:43 until 1901's first midnight, when the clock went back 5:43
      ['Africa/Monrovia', '1971-06-01T00:00:00Z'], // -00:44:30: midnight at 00:44:30 UTC, inside a quarter hour
      ['Asia/Kathmandu', '2026-03-01T17:30:00Z'], // +05:45
      ['America/New_York', '2026-11-01T03:00:00Z'], // back from -04:00 to -05:00 at 06:00 UTC
      ['America/New_York', '2026-03-08T04:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T12:00:00Z'], // half an hour of summer time
    ];
    for (const [timezone, from] of cases) {
      const calendar = new WorkCalendar({ format: 'servicehall-calendar/v1', timezone, years: [], holidays: [], workdays: [] });
      const direct = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
      for (let second = 0; second < 12 * 3600; second += 7) {
        const instant = new Date(Date.parse(from) + second * 1000 + (second % 1000)).toISOString();
        expect(calendar.localDate(instant), `${timezone} ${instant}`).toBe(direct.format(new Date(instant)));
      }
    }
    // Instants written with an offset, as scenarios write them, and one that is not an instant at all.
    expect(calendar.localDate('2026-03-02T00:00:00+08:00')).toBe('2026-03-02');
    expect(calendar.localDate('2026-03-01T23:59:59.999+08:00')).toBe('2026-03-01');
    expect(() => calendar.localDate('not a time')).toThrow(RangeError);
  });

  it('steps work days the same way when it answers from memory', async () => {
    // A calendar that has answered nothing yet, against one that answers from memory.
    const fresh = async () => (await loadFlows()).calendar;
    const warm = await fresh();
    for (const [date, days] of [['2026-09-30', 3], ['2026-10-01', 0], ['2026-10-10', 2], ['2026-09-30', 3]] as const) {
      expect(warm.addWorkdays(date, days)).toBe((await fresh()).addWorkdays(date, days));
      expect(warm.workdaysBefore(date, days)).toBe((await fresh()).workdaysBefore(date, days));
    }
    // Forward and back from the same day are different questions.
    expect(warm.addWorkdays('2026-10-08', 1)).toBe('2026-10-09');
    expect(warm.workdaysBefore('2026-10-08', 1)).toBe('2026-09-30');
  });
});
