import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { WorkdayIndex, ZoneClock, dateToDay, dayToDate } from '../../cli/report/clock.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { isDate, parseInstant } from '../../cli/report/parse-event.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
import { CALENDAR } from './helpers.ts';

const calendar = new WorkCalendar(CALENDAR);
const index = () => new WorkdayIndex(calendar, CALENDAR.years);
const shanghai = new ZoneClock('Asia/Shanghai');
const day = (date: string) => dateToDay(date);
const localDate = (instant: string) => dayToDate(shanghai.localDay(parseInstant(instant)));

describe('local dates in the hall’s time zone', () => {
  it.each([
    ['2026-09-29T16:30:00Z', '2026-09-30', 0], // past midnight in Beijing, still the day before in UTC
    ['2026-09-29T15:59:59Z', '2026-09-29', 23],
    ['2026-10-08T16:30:00Z', '2026-10-09', 0],
    ['2026-10-09T00:30:00+08:00', '2026-10-09', 0],
    ['2026-10-08T23:30:00-05:00', '2026-10-09', 12],
  ])('%s is %s in Beijing, hour %i', (instant, date, hour) => {
    expect(localDate(instant)).toBe(date);
    expect(shanghai.localHour(parseInstant(instant))).toBe(hour);
  });

  it('agrees with Intl for any instant, in Beijing and in a zone with daylight saving', () => {
    for (const zone of ['Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe']) {
      const clock = new ZoneClock(zone);
      const intl = new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit' });
      fc.assert(
        fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }), (t) => {
          const parts = Object.fromEntries(intl.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
          expect(dayToDate(clock.localDay(t))).toBe(`${parts.year}-${parts.month}-${parts.day}`);
          expect(clock.localHour(t)).toBe(Number(parts.hour));
          const local = clock.local(t);
          expect(local.weekday).toBe((new Date(`${dayToDate(local.day)}T00:00:00Z`).getUTCDay() + 6) % 7);
        }),
        { numRuns: 400 },
      );
    }
  });

  it('is exact through daylight-saving changes, every five minutes of the days around them', () => {
    for (const [zone, dates] of [
      ['America/New_York', ['2026-03-08', '2026-11-01']],
      ['Australia/Lord_Howe', ['2026-04-05', '2026-10-04']], // a half-hour change
    ] as const) {
      const clock = new ZoneClock(zone);
      const intl = new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit' });
      for (const date of dates) {
        for (let t = Date.parse(`${date}T00:00:00Z`) - 86_400_000; t < Date.parse(`${date}T00:00:00Z`) + 2 * 86_400_000; t += 300_000) {
          const parts = Object.fromEntries(intl.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
          expect(`${dayToDate(clock.localDay(t))} ${clock.localHour(t)}`).toBe(`${parts.year}-${parts.month}-${parts.day} ${Number(parts.hour)}`);
        }
      }
    }
  });
});

describe('work days between submission and completion', () => {
  // [submitted (local date), completed (local date), work days elapsed, why]
  it.each([
    ['2026-09-28', '2026-09-28', 0, 'same day'],
    ['2026-09-28', '2026-09-29', 1, 'next work day'],
    ['2026-09-30', '2026-10-08', 1, 'over the National Day holiday'],
    ['2026-10-03', '2026-10-08', 0, 'submitted on a holiday: the clock starts on the first work day'],
    ['2026-10-03', '2026-10-09', 1, 'submitted on a holiday, done the second work day'],
    ['2026-10-09', '2026-10-10', 1, 'Saturday 10 October is a make-up working day'],
    ['2026-10-09', '2026-10-12', 2, 'Friday → Monday across a worked Saturday'],
    ['2026-10-10', '2026-10-10', 0, 'submitted on the make-up day'],
    ['2026-09-18', '2026-09-21', 2, 'Sunday 20 September is worked too'],
    ['2026-10-16', '2026-10-19', 1, 'an ordinary weekend'],
    ['2026-10-17', '2026-10-19', 0, 'submitted on an ordinary Saturday'],
    ['2026-10-12', '2026-10-09', 0, 'completion before submission (bad data) is not negative'],
  ])('%s → %s: %i (%s)', (from, to, expected) => {
    expect(index().workdaysElapsed(day(from), day(to))).toBe(expected);
  });

  it('is the inverse of the interpreter’s due-date rule: done by addWorkdays(start, n) ⇔ at most n work days', () => {
    const idx = index();
    fc.assert(
      fc.property(fc.integer({ min: day('2026-01-01'), max: day('2026-12-20') }), fc.integer({ min: 0, max: 12 }), (start, n) => {
        const due = day(calendar.addWorkdays(dayToDate(start), n));
        expect(idx.workdaysElapsed(start, due)).toBe(n);
        // The day after the due date is always late (unless nothing but days off follow, which cannot be: the due date is a work day).
        let next = due + 1;
        while (!calendar.isWorkday(dayToDate(next))) next++;
        expect(idx.workdaysElapsed(start, next)).toBe(n + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('says which years the calendar does not cover', () => {
    const idx = index();
    idx.workdaysElapsed(day('2026-12-30'), day('2027-01-04'));
    expect(idx.uncoveredYears()).toEqual([2027]);
  });
});

describe('parseInstant', () => {
  it('agrees with Date.parse on RFC 3339 date-times', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom('Z', '+08:00', '-05:30', '+00:00'), fc.boolean(), (date, zone, fraction) => {
        const iso = date.toISOString();
        const text = `${fraction ? iso.slice(0, 23) : iso.slice(0, 19)}${zone}`;
        expect(parseInstant(text)).toBe(Date.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it.each(['2026-02-30T10:00:00Z', '2026-13-01T10:00:00Z', '2026-10-09T24:00:00Z', '2026-10-09T10:00:00', '2026-10-09', '2026-10-09T10:00Z', 'yesterday', '2026-10-09T10:00:00+08:0', '２０２６-10-09T10:00:00Z', '2026-10-09T10:00:60+08:00', ''])('rejects %j', (text) => {
    expect(parseInstant(text)).toBeNaN();
  });

  it('accepts a space for T and leap-year 29 February', () => {
    expect(parseInstant('2028-02-29 10:00:00+08:00')).toBe(Date.parse('2028-02-29T10:00:00+08:00'));
  });

  it('accepts exactly the strings the event schema’s date-time format accepts (ajv-formats)', () => {
    // The schema is the contract: an instant it accepts is an event, one it refuses a broken line.
    const ajv = addFormats(new Ajv2020({ strict: false }));
    const isDateTime = ajv.compile({ type: 'string', format: 'date-time' });
    const two = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));
    const text = fc
      .tuple(
        // Not a digit in the year's tens or units place: no year, however the rest adds up.
        fc.constantFrom('2026', '2028', '1900', '2000', '202x', '20x6', '20/6', '2:26'),
        two(0, 13),
        two(0, 32),
        fc.constantFrom('T', 't', ' ', '\t', '\u3000', '\u00a0', 'x', '_'),
        two(0, 25),
        two(0, 60),
        two(58, 61),
        fc.constantFrom('', '.5', '.123456', '.'),
        fc.constantFrom('Z', 'z', '+08:00', '-05:30', '+0800', '+08', '+08:0', '+24:00', '+00:60', '', '+00:01', '-00:01', '+01:00'),
      )
      .map(([y, mo, d, sep, h, mi, s, frac, zone]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${zone}`);
    fc.assert(
      fc.property(text, (t) => {
        expect(!Number.isNaN(parseInstant(t)), t).toBe(isDateTime(t));
        if (!Number.isNaN(parseInstant(t)) && !/:6\d/.test(t) && Number(t.slice(11, 13)) < 24) expect(parseInstant(t)).toBe(Date.parse(t.replace(/^(.{10})./, '$1T').replace(/([+-]\d\d)(\d\d)$/, '$1:$2').replace(/([+-]\d\d)$/, '$1:00')));
      }),
      { numRuns: 5000 },
    );
    const isDay = ajv.compile({ type: 'string', format: 'date' });
    const day = fc.tuple(fc.constantFrom('2026', '2028', '2100', '2000', '202x', '20x6', '2/26', ':026'), two(0, 13), fc.constantFrom(...'0123456789x/:'.split('')), fc.constantFrom(...'0123456789x/:'.split(''))).map(([y, mo, d1, d2]) => `${y}-${mo}-${d1}${d2}`);
    fc.assert(
      fc.property(day, (d) => {
        expect(isDate(d), d).toBe(isDay(d));
      }),
      { numRuns: 3000 },
    );
    // Leap seconds only at 23:59 UTC, as ajv-formats has it.
    expect(parseInstant('2026-12-31T23:59:60Z')).toBe(Date.parse('2026-12-31T23:59:59Z'));
    expect(parseInstant('2027-01-01T07:59:60+08:00')).toBe(Date.parse('2026-12-31T23:59:59Z'));
  });
});
