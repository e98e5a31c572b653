import { evaluate } from 'feelin';
import { describe, expect, it } from 'vitest';
import { evaluateFeel } from '../../lib/interpret/feel.ts';
import { FEEL_CACHE_SIZE, feelParseStats, shapeOf } from '../../lib/interpret/feel-cache.ts';

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
    // The newest is kept; the first of this run was dropped and is parsed again.
    evaluateFeel(`days > ${FEEL_CACHE_SIZE + 9}`, { days: 1 }, AT);
    expect(feelParseStats.hits - before.hits).toBe(1);
    evaluateFeel('days > 0', { days: 1 }, AT);
    expect(feelParseStats.misses - before.misses).toBe(FEEL_CACHE_SIZE + 11);
  });
});
