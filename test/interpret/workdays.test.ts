import { describe, expect, it } from 'vitest';
import { evaluateFeel } from '../../lib/interpret/feel.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { validateSubmission } from '../../lib/runtime/index.ts';
import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import { loadFlows } from '../helpers/flows.ts';

// The fixture's calendar: 劳动节 2026-05-01..05 off, Saturday 2026-05-09 a make-up work day (hall.yaml).
const { definition: flow, calendar } = await loadFlows();
const AT = '2026-04-27T10:00:00+08:00';
const value = (expression: string, at = AT) => {
  const outcome = evaluateFeel(expression, {}, at, calendar);
  if (!outcome.ok) throw new Error(outcome.failure.message.en);
  return outcome.value === null ? null : String(outcome.value);
};

describe('FEEL work-day functions over the compiled calendar (issue 15.7)', () => {
  it.each([
    ['workdays between(date("2026-04-27"), date("2026-05-12"))', '9'],
    ['workdays between(date("2026-04-27"), date("2026-05-13"))', '10'],
    ['workdays between(date("2026-05-12"), date("2026-04-27"))', '-9'],
    ['workdays between(date("2026-05-12"), date("2026-05-12"))', '0'],
    ['workdays between(date("2026-05-08"), date("2026-05-09"))', '1'],
    ['workdays between(date("2026-04-30"), date("2026-05-05"))', '0'],
    ['add workdays(date("2026-04-30"), 1)', '2026-05-06'],
    ['add workdays(date("2026-05-08"), 1)', '2026-05-09'],
    ['add workdays(date("2026-05-06"), -1)', '2026-04-30'],
    ['add workdays(date("2026-05-02"), 0)', '2026-05-02'],
    ['add workdays(today(), 10)', '2026-05-13'],
    ['workdays between(today(), add workdays(today(), 25)) = 25', 'true'],
    // 17:00Z on 05-08 is 01:00 on Saturday 05-09 in Shanghai: only Monday 05-11 is counted, not the make-up Saturday too.
    ['workdays between(date and time("2026-05-08T17:00:00Z"), date("2026-05-11"))', '1'],
    ['workdays between(date and time("2026-05-08T09:00:00"), date("2026-05-11"))', '2'],
  ])('%s = %s', (expression, expected) => {
    expect(value(expression)).toBe(expected);
  });

  it('gives null for arguments that are not dates and whole numbers, as FEEL built-ins do', () => {
    expect(value('workdays between("2026-04-27", date("2026-05-12"))')).toBeNull();
    expect(value('add workdays(date("2026-04-27"), 1.5)')).toBeNull();
  });

  it('refuses spans past its bound instead of counting for ever', () => {
    const outcome = evaluateFeel('add workdays(date("2026-04-27"), 100000000) > today()', {}, AT, calendar);
    expect(outcome.ok).toBe(false);
    expect(evaluateFeel('workdays between(date("1026-04-27"), today()) > 3', {}, AT, calendar).ok).toBe(false);
  });

  it('fails visibly without the hall calendar rather than guess the holidays', () => {
    const outcome = evaluateFeel('workdays between(today(), date("2026-05-12")) >= 10', {}, AT);
    expect(outcome.ok).toBe(false);
  });
});

let variants = 0;
function withRule(validIf: string): RuntimeDefinition {
  const d = structuredClone(flow);
  d.fingerprint = `${d.fingerprint}-workdays-${++variants}`;
  d.form!.sections[0].fields.push({ id: 'startDate', label: { zh: '开始日期' }, type: 'date', required: false, validIf });
  (d.form!.schema as { properties: Record<string, unknown> }).properties.startDate = { type: 'string', format: 'date' };
  return d;
}
const applicant = { name: '赵一', department: 'dept-a', number: 'T001' };
const base = { amount: 5000, urgent: false, category: '设备', unit: 'dept-a' };
const decisions: Decision[] = [{ step: 'unit-review', action: 'approve' }];

describe('a validIf counting work days, on the interpreter the runtime replays', () => {
  const d = withRule('workdays between(today(), startDate) >= 10');
  const run = (startDate: string, submittedAt = AT) => runWorkflow(d, calendar, { applicant, data: { ...base, startDate }, decisions, submittedAt, service: { id: 'flow', name: '流程测试事项' } });

  it('refuses a date nine work days away across the 劳动节 holidays, accepts ten', () => {
    expect(run('2026-05-12').outcome).toBe('invalid');
    expect(run('2026-05-12').fieldErrors.map((e) => e.field)).toEqual(['startDate']);
    expect(run('2026-05-13').outcome).not.toBe('invalid');
  });

  it('counts from the date in the hall\'s time zone when the instant is written in UTC (as hall serve keeps it)', () => {
    // 2026-04-27T17:00Z is 01:00 on 04-28 in Shanghai: nine work days to 05-13, not ten.
    expect(run('2026-05-13', '2026-04-27T17:00:00Z').outcome).toBe('invalid');
    expect(run('2026-05-14', '2026-04-27T17:00:00Z').outcome).not.toBe('invalid');
  });
});

describe('today() is the date in the hall\'s time zone (issue 15.7, sibling of the work-day functions)', () => {
  it('a submission at 01:00 Shanghai time, written in UTC, is judged on the Shanghai date', () => {
    const d = withRule('startDate >= today()');
    // 2026-03-02T17:00Z is 2026-03-03 01:00 in Shanghai: a start on 03-02 is in the past there.
    expect(validateSubmission(d, { ...base, startDate: '2026-03-02' }, applicant, undefined, '2026-03-02T17:00:00Z', undefined, calendar).map((e) => e.field)).toEqual(['startDate']);
    const run = runWorkflow(d, calendar, { applicant, data: { ...base, startDate: '2026-03-02' }, decisions, submittedAt: '2026-03-02T17:00:00Z', service: { id: 'flow', name: '流程测试事项' } });
    expect(run.outcome).toBe('invalid');
  });
});
