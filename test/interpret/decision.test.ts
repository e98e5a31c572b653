import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bandText, decisionFeel, expandDecisions, parseUnaryTest, subtractBands } from '../../lib/interpret/decision.ts';
import { DEFAULT_CLOCK, evaluateFeel } from '../../lib/interpret/feel.ts';
import { REPO } from '../check/helpers.ts';

/** Decision tables (docs/routing.md): the tests a rule may write, the one FEEL expression a table becomes. */
const schema = JSON.parse(readFileSync(`${REPO}/schemas/service.schema.json`, 'utf8'));
const WHEN = new RegExp(schema.$defs.decisionTest.pattern);
const LEVEL = { id: 'approvalLevel', input: 'amount', rules: [{ when: '< 5,000', result: '部门' }, { when: '[5000..50000)', result: '财务处' }, { when: '>= 50000', result: '校级' }] };

describe('a decision table', () => {
  it.each(['-', '< 5000', '<= 5,000', '> 0.5', '>= 50_000', '= 3', '3', '!= 0', '[5000..50000)', '(0..1]', ']1..2[', '"本科生"', '"本科生", "研究生"'])('the schema admits %s and the parser reads it', (when) => {
    expect(WHEN.test(when)).toBe(true);
    expect(parseUnaryTest(when)).toBeDefined();
  });

  it.each(['< ', 'amount < 5000', '[1..]', '5000 to 50000', '"a" or "b"', '< 5000 and > 0'])('neither the schema nor the parser admits %s', (when) => {
    expect(WHEN.test(when)).toBe(false);
    expect(parseUnaryTest(when)).toBeUndefined();
  });

  it('becomes one if … then … else expression, first rule first, null when none matches and no default', () => {
    expect(decisionFeel(LEVEL)).toBe('if amount < 5000 then "部门" else if amount >= 5000 and amount < 50000 then "财务处" else if amount >= 50000 then "校级" else null');
    expect(decisionFeel({ ...LEVEL, input: 'amount * 2', rules: LEVEL.rules.slice(0, 1), default: '财务处' })).toBe('if (amount * 2) < 5000 then "部门" else "财务处"');
  });

  it.each([[0, '部门'], [4999.99, '部门'], [5000, '财务处'], [49999.99, '财务处'], [50000, '校级'], [null, null]])('gives %s yuan the result %s', (amount, result) => {
    expect(evaluateFeel(decisionFeel(LEVEL), { amount }, DEFAULT_CLOCK)).toEqual({ ok: true, value: result });
  });

  // Issue 15: a table of several inputs, 请假类别 × 天数, each row one test per input.
  const LEAVE = { id: 'approvalLevel', inputs: [{ input: 'leaveType' }, { input: 'days' }], rules: [{ when: ['"事假", "病假"', '<= 3'], result: '单位' }, { when: ['"事假", "病假"', '(3..15]'], result: '人事处' }, { when: ['"事假", "病假"', '> 15'], result: '校领导' }, { when: ['-', '-'], result: '人事处' }] };

  it('with several inputs, and-s one test per input and drops the "-" columns', () => {
    expect(decisionFeel(LEAVE)).toBe('if (leaveType = "事假" or leaveType = "病假") and days <= 3 then "单位" else if (leaveType = "事假" or leaveType = "病假") and days > 3 and days <= 15 then "人事处" else if (leaveType = "事假" or leaveType = "病假") and days > 15 then "校领导" else "人事处"');
  });

  it.each([['事假', 3, '单位'], ['病假', 3.5, '人事处'], ['事假', 15, '人事处'], ['病假', 15.5, '校领导'], ['婚假', 1, '人事处'], ['产假', 158, '人事处'], [null, 2, '人事处']])('gives %s for %s days the result %s', (leaveType, days, result) => {
    expect(evaluateFeel(decisionFeel(LEAVE), { leaveType, days }, DEFAULT_CLOCK)).toEqual({ ok: true, value: result });
  });

  it('leaves out a rule whose tests do not match the inputs in number (decision/columns reports it)', () => {
    expect(decisionFeel({ ...LEAVE, rules: [{ when: '<= 3', result: '单位' }, ...LEAVE.rules.slice(3)] })).toBe('"人事处"');
  });

  it('replaces the id where a condition reads it as data, not a path tail, a bound name or a string', () => {
    expect(expandDecisions('approvalLevel = "校级"', [LEVEL])).toBe(`(${decisionFeel(LEVEL)}) = "校级"`);
    expect(expandDecisions('applicant.approvalLevel = "approvalLevel"', [LEVEL])).toBe('applicant.approvalLevel = "approvalLevel"');
    expect(expandDecisions('some approvalLevel in [1] satisfies approvalLevel > 0', [LEVEL])).toBe('some approvalLevel in [1] satisfies approvalLevel > 0');
    expect(expandDecisions('days > 3', undefined)).toBe('days > 3');
  });

  it('finds the gaps between bands', () => {
    const bands = ['< 5000', '(5000..50000]'].flatMap((w) => {
      const test = parseUnaryTest(w);
      return test?.kind === 'numbers' ? test.bands : [];
    });
    expect(subtractBands([{ lo: 0, loIn: true, hi: Infinity, hiIn: false }], bands).map(bandText)).toEqual(['= 5000', '> 50,000']);
  });
});
