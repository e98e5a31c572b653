import { evaluate } from 'feelin';
import { describe, expect, it } from 'vitest';
import { evaluateFeel } from '../../lib/interpret/feel.ts';
import { date, dateAndTime } from 'feelin';
import { FEEL_CACHE_SIZE, FEEL_RESULTS_SIZE, feelParseStats, feelResultStats, shapeOf, valuesKey } from '../../lib/interpret/feel-cache.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';

/**
 * Issue 13: feelin parses an expression on every evaluation; the hall evaluated the same form conditions
 * on every submission and every approval's replay. evaluateFeel keeps the parse per expression and
 * context shape (lib/interpret/feel-cache.ts). These tests read the cache's own counters: no timing.
 */
const AT = '2026-03-02T09:00:00+08:00';

describe('the FEEL parse cache', () => {
  it('parses a condition once for contexts of the same shape, and gives each context its own value', () => {
    const before = { ...feelParseStats };
    const expression = 'days > 3 and leaveCampus = true and applicant.type = "本科生"';
    const values = [1, 5, 9].flatMap((days) => [true, false].map((leaveCampus) => evaluateFeel(expression, { days, leaveCampus, applicant: { type: '本科生' } }, AT)));
    expect(values).toEqual([false, false, true, false, true, false].map((value) => ({ ok: true, value })));
    expect(feelParseStats.misses - before.misses).toBe(1);
    expect(feelParseStats.hits - before.hits).toBe(5);
  });

  it('parses again when the context defines other names: a name may then hold a space or an operator', () => {
    // With a key "a b" the parser reads `a b` as one name; without it, as two names (no valid expression).
    const apart = evaluateFeel('a b + 1', { a: 2, b: 1 }, AT);
    const joined = evaluateFeel('a b + 1', { 'a b': 2 }, AT);
    expect(joined).toEqual({ ok: true, value: 3 });
    expect(apart).toEqual({ ok: true, value: evaluate('a b + 1', { a: 2, b: 1 }).value });
    // Nested: the names inside a context count too.
    expect(evaluateFeel('applicant.home town = "x"', { applicant: { 'home town': 'x' } }, AT)).toEqual({ ok: true, value: true });
    expect(evaluateFeel('applicant.home town = "x"', { applicant: { home: 'x' } }, AT)).toEqual({ ok: true, value: evaluate('applicant.home town = "x"', { applicant: { home: 'x' } }).value });
  });

  it('keys shapes by every name at every depth and by the kind of each object', () => {
    expect(shapeOf({ a: 1, b: { c: 2 } })).toBe(shapeOf({ a: 'x', b: { c: null } }));
    expect(shapeOf({ a: 1, b: { c: 2 } })).not.toBe(shapeOf({ a: 1, b: { d: 2 } }));
    expect(shapeOf({ a: {} })).not.toBe(shapeOf({ a: new Date(0) }));
    expect(shapeOf({ a: [{ x: 1 }] })).not.toBe(shapeOf({ a: { 0: { x: 1 } } }));
  });

  it('stays bounded: the least recently used parse is dropped past its size', () => {
    const before = { ...feelParseStats };
    for (let i = 0; i < FEEL_CACHE_SIZE + 10; i++) evaluateFeel(`days > ${i}`, { days: 1 }, AT);
    // The newest is kept; the first of this run was dropped and is parsed again (other values: not a remembered result).
    evaluateFeel(`days > ${FEEL_CACHE_SIZE + 9}`, { days: 2 }, AT);
    expect(feelParseStats.hits - before.hits).toBe(1);
    evaluateFeel('days > 0', { days: 2 }, AT);
    expect(feelParseStats.misses - before.misses).toBe(FEEL_CACHE_SIZE + 11);
  });
});

describe('the FEEL result memo', () => {
  const counted = <T>(work: () => T): { value: T; remembered: number; evaluated: number } => {
    const before = { ...feelResultStats };
    const parses = feelParseStats.hits + feelParseStats.misses;
    const value = work();
    return { value, remembered: feelResultStats.hits - before.hits, evaluated: feelParseStats.hits + feelParseStats.misses - parses };
  };

  it('answers the same expression on the same values from the memo, and other values by evaluating', () => {
    const expression = 'days > 3 and leaveCampus = true and applicant.type = "本科生" and leaveType in ["病假", "事假"]';
    const context = { days: 5, leaveCampus: true, leaveType: '病假', applicant: { type: '本科生', name: '李雨桐' } };
    const first = counted(() => evaluateFeel(expression, context, AT));
    expect(first).toMatchObject({ value: { ok: true, value: true }, evaluated: 1 });
    // The same values in other objects (a replay builds its context anew): remembered, not evaluated.
    const again = counted(() => evaluateFeel(expression, structuredClone(context), '2027-01-01T00:00:00+08:00'));
    expect(again).toEqual({ value: { ok: true, value: true }, remembered: 1, evaluated: 0 });
    // Each value counts, at any depth.
    for (const other of [{ ...context, days: 3 }, { ...context, leaveCampus: false }, { ...context, applicant: { type: '研究生', name: '李雨桐' } }, { ...context, leaveType: '年假' }]) {
      const answer = counted(() => evaluateFeel(expression, other, AT));
      expect(answer).toMatchObject({ value: { ok: true, value: false }, remembered: 0, evaluated: 1 });
    }
  });

  it('keys FEEL dates and date-times by their value, and tells a number from its text', () => {
    const range = (start: string, end: string) => ({ period: { start: date(start), end: date(end) } });
    const valid = 'date(get value(period, "end")) >= date(get value(period, "start"))';
    expect(evaluateFeel(valid, range('2026-03-02', '2026-03-03'), AT)).toEqual({ ok: true, value: true });
    expect(counted(() => evaluateFeel(valid, range('2026-03-04', '2026-03-03'), AT))).toMatchObject({ value: { ok: true, value: false }, evaluated: 1 });
    expect(counted(() => evaluateFeel(valid, range('2026-03-02', '2026-03-03'), AT))).toMatchObject({ value: { ok: true, value: true }, remembered: 1 });
    expect(valuesKey({ at: dateAndTime('2026-03-02T09:00:00+08:00') })).not.toBe(valuesKey({ at: dateAndTime('2026-03-02T09:00:00+09:00') }));
    expect(valuesKey({ a: 1 })).not.toBe(valuesKey({ a: '1' }));
    expect(valuesKey({ a: [1, 2] })).not.toBe(valuesKey({ a: { 0: 1, 1: 2 } }));
    expect(valuesKey({ a: null })).not.toBe(valuesKey({ a: undefined }));
  });

  it('evaluates every time what can change between two evaluations: the clock, work days, a JS Date, a function', () => {
    // today() is the date of the instant given: the same expression and values at two instants answer differently.
    const today = 'today() = date("2026-03-02")';
    expect(evaluateFeel(today, {}, '2026-03-02T09:00:00+08:00')).toEqual({ ok: true, value: true });
    expect(counted(() => evaluateFeel(today, {}, '2026-03-03T09:00:00+08:00'))).toMatchObject({ value: { ok: true, value: false }, remembered: 0 });
    expect(counted(() => evaluateFeel('now() > date and time("2026-03-02T00:00:00+08:00")', {}, AT))).toMatchObject({ remembered: 0 });
    expect(counted(() => evaluateFeel('now() > date and time("2026-03-02T00:00:00+08:00")', {}, AT))).toMatchObject({ remembered: 0 });
    // The work-day functions read the calendar: evaluated each time they are called, and never keep other expressions from the memo.
    const calendar = new WorkCalendar({ timezone: 'Asia/Shanghai', holidays: [], workdays: [] } as never);
    const workdays = 'workdays between(date("2026-03-02"), date("2026-03-09"))';
    for (let i = 0; i < 2; i++) expect(counted(() => evaluateFeel(workdays, {}, AT, calendar))).toMatchObject({ value: { ok: true }, remembered: 0, evaluated: 1 });
    evaluateFeel('days > 1', { days: 7 }, AT, calendar);
    expect(counted(() => evaluateFeel('days > 1', { days: 7 }, AT, calendar))).toMatchObject({ value: { ok: true, value: true }, remembered: 1 });
    expect(valuesKey({ when: new Date(0) })).toBeUndefined();
    expect(valuesKey({ f: () => 1 })).toBeUndefined();
    expect(valuesKey({ a: { b: () => 1 } })).toBeUndefined();
  });

  it('keeps only primitive answers, and no failure', () => {
    evaluateFeel('get value(period, "start")', { period: { start: date('2026-03-02') } }, AT);
    expect(counted(() => evaluateFeel('get value(period, "start")', { period: { start: date('2026-03-02') } }, AT))).toMatchObject({ remembered: 0, evaluated: 1 });
    const failing = 'days >';
    const a = evaluateFeel(failing, { days: 1 }, AT);
    expect(a.ok).toBe(false);
    expect(counted(() => evaluateFeel(failing, { days: 1 }, AT))).toMatchObject({ value: a, remembered: 0 });
  });

  it('stays bounded: the least recently used result is dropped past its size', () => {
    evaluateFeel('n + 1', { n: -1 }, AT);
    for (let n = 0; n < FEEL_RESULTS_SIZE + 5; n++) evaluateFeel('n + 1', { n }, AT);
    expect(counted(() => evaluateFeel('n + 1', { n: -1 }, AT))).toMatchObject({ value: { ok: true, value: 0 }, remembered: 0, evaluated: 1 });
    expect(counted(() => evaluateFeel('n + 1', { n: FEEL_RESULTS_SIZE + 4 }, AT))).toMatchObject({ remembered: 1, evaluated: 0 });
  });
});
