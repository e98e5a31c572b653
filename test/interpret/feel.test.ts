import { describe, expect, it } from 'vitest';
import { compileBpmn } from '../../cli/bpmn/compile-bpmn.ts';
import { FEEL_LIMITS, evaluateFeel } from '../../lib/interpret/feel.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { validateSubmission } from '../../lib/runtime/index.ts';
import type { RuntimeDefinition, RuntimeField, RuntimeNode } from '../../generated/types/runtime/definition.ts';
import { runOnEngine } from '../bpmn/engine.ts';
import { loadFlows } from '../helpers/flows.ts';

const { definition: flow, calendar } = await loadFlows();
const applicant = { name: '赵一', department: 'dept-a', number: 'T001' };
const base = { amount: 5000, urgent: false, category: '设备', unit: 'dept-a' };
const small: Decision[] = [{ step: 'unit-review', action: 'approve' }, { step: 'b-quick', action: 'approve' }, { step: 'ops-done', action: 'approve' }];
const big: Decision[] = [
  { step: 'unit-review', action: 'approve' }, { step: 'a-review', action: 'approve' }, { step: 'b-review', action: 'approve' },
  { step: 'leader', action: 'approve' }, { step: 'ops-done', action: 'approve' },
];
/** The branch's `then` path (the countersign and the leader) and its `else` path (或签). */
const THEN = ['unit-review', 'a-review', 'b-review', 'leader', 'ops-done'];
const ELSE = ['unit-review', 'b-quick', 'ops-done'];

const TYPED: RuntimeField[] = [
  { id: 'startDate', label: { zh: '开始日期' }, type: 'date', required: false },
  { id: 'period', label: { zh: '时间段' }, type: 'daterange', required: false },
  { id: 'meetingAt', label: { zh: '会议时间' }, type: 'datetime', required: false },
];
const SCHEMAS: Record<string, unknown> = {
  startDate: { type: 'string', format: 'date' },
  period: { type: 'object', properties: { start: { type: 'string', format: 'date' }, end: { type: 'string', format: 'date' } } },
  meetingAt: { type: 'string', format: 'date-time' },
};

let variants = 0;
/** The flows fixture's definition with date fields, the branch on `condition`, and `validIf` on startDate. */
function variant(options: { condition?: string; validIf?: string; visibleIf?: string }): RuntimeDefinition {
  const d = structuredClone(flow);
  d.fingerprint = `${d.fingerprint}-feel-${++variants}`; // the validator cache is keyed by fingerprint
  const fields = TYPED.map((f) => ({ ...f, ...(f.id === 'startDate' && options.validIf ? { validIf: options.validIf } : {}), ...(f.id === 'startDate' && options.visibleIf ? { visibleIf: options.visibleIf } : {}) }));
  d.form!.sections[0].fields.push(...fields);
  const schema = d.form!.schema as { properties: Record<string, unknown> };
  for (const [id, s] of Object.entries(SCHEMAS)) schema.properties[id] = s;
  if (options.condition) {
    const branch = d.workflow!.steps.find((n: RuntimeNode) => n.kind === 'branch') as Extract<RuntimeNode, { kind: 'branch' }>;
    branch.condition = options.condition;
  }
  return d;
}

const run = (d: RuntimeDefinition, data: Record<string, unknown>, decisions: Decision[], submittedAt = '2026-03-02T09:00:00+08:00') =>
  runWorkflow(d, calendar, { applicant, data: { ...base, ...data }, decisions, submittedAt, service: { id: 'flow', name: '流程测试事项' } });

describe('typed FEEL: conditions compare dates as dates (issue 11.1)', () => {
  it.each([
    ['startDate >= date("2027-01-01")', { startDate: '2027-03-01' }, { startDate: '2026-05-01' }],
    ['startDate > date("2027-01-01")', { startDate: '2027-03-01' }, { startDate: '2026-05-01' }],
    ['period.start < date("2027-01-01")', { period: { start: '2026-05-01', end: '2026-05-03' } }, { period: { start: '2027-05-01', end: '2027-05-03' } }],
    ['period.end - period.start > duration("P3D")', { period: { start: '2026-05-01', end: '2026-05-10' } }, { period: { start: '2026-05-01', end: '2026-05-02' } }],
    ['meetingAt < date and time("2026-06-01T00:00:00+08:00")', { meetingAt: '2026-05-31T09:00:00+08:00' }, { meetingAt: '2026-06-02T09:00:00+08:00' }],
  ])('the interpreter branches on %s both ways', (condition, yes, no) => {
    const d = variant({ condition });
    expect(run(d, yes, big).path).toEqual(THEN);
    expect(run(d, no, small).path).toEqual(ELSE);
  });

  it.each([
    ['startDate >= date("2027-01-01")', '2026-05-01', '2027-03-01'],
    ['startDate < date("2027-01-01")', '2027-03-01', '2026-05-01'],
    ['get value(period, "end") > startDate', '2026-06-01', '2026-05-01'],
  ])('validateSubmission enforces validIf %s', (validIf, bad, good) => {
    const d = variant({ validIf });
    const data = { ...base, period: { start: '2026-05-01', end: '2026-05-03' } };
    expect(validateSubmission(d, { ...data, startDate: bad }, applicant).map((e) => e.field)).toEqual(['startDate']);
    expect(validateSubmission(d, { ...data, startDate: good }, applicant)).toEqual([]);
  });

  it('the BPMN export converts date variables, so bpmn-engine takes the same path as the interpreter', async () => {
    const d = variant({ condition: 'startDate >= date("2027-01-01") and period.start < date("2027-06-01")' });
    const { bpmn } = await compileBpmn(d, '流程测试事项');
    expect(bpmn).toContain('=(date(startDate) &gt;= date("2027-01-01") and date(period.start) &lt; date("2027-06-01")) = true');
    for (const [data, decisions] of [[{ startDate: '2027-03-01', period: { start: '2027-03-01', end: '2027-03-02' } }, big], [{ startDate: '2026-05-01', period: { start: '2026-05-01', end: '2026-05-02' } }, small]] as const) {
      const reference = run(d, data, [...decisions]);
      const engine = await runOnEngine(bpmn, { applicant, data: { ...base, ...data }, decisions: [...decisions] });
      expect(engine.path).toEqual(reference.path);
      expect(engine.outcome).toEqual(reference.outcome);
    }
    expect(run(d, { startDate: '2026-05-01', period: { start: '2026-05-01', end: '2026-05-02' } }, small).path).toEqual(ELSE);
  });
  it('the Camunda form converts dates in visibility rules too (form-js has text for dates)', async () => {
    const d = variant({});
    d.form!.sections[0].fields.find((f) => f.id === 'period')!.visibleIf = 'startDate > date("2027-01-01")';
    const { forms } = await compileBpmn(d, '流程测试事项');
    expect([...forms.values()].join('\n')).toContain('"hide": "=not((date(startDate) > date(\\"2027-01-01\\")) = true)"');
  });
});

describe('deterministic time: today() and now() read the run\'s clock, not the machine\'s (issue 11.2)', () => {
  it.each(['today() >= date("2026-09-01")', 'now() >= date and time("2026-09-01T00:00:00+08:00")'])('a branch on %s follows the submission time', (condition) => {
    const d = variant({ condition });
    expect(run(d, {}, big, '2026-10-01T09:00:00+08:00').path).toEqual(THEN);
    expect(run(d, {}, small, '2026-03-02T09:00:00+08:00').path).toEqual(ELSE);
  });

  it('a branch after a decision reads the decision\'s time', () => {
    const d = variant({ condition: 'today() >= date("2026-03-10")' });
    const late = [{ ...big[0], at: '2026-03-10T10:00:00+08:00' }, ...big.slice(1)];
    expect(run(d, {}, late).path).toEqual(THEN);
    expect(run(d, {}, small).path).toEqual(ELSE);
  });

  it('validateSubmission judges today() at the instant given', () => {
    const d = variant({ validIf: 'startDate >= today()' });
    expect(validateSubmission(d, { ...base, startDate: '2026-03-05' }, applicant, undefined, '2026-03-02T09:00:00+08:00')).toEqual([]);
    expect(validateSubmission(d, { ...base, startDate: '2026-03-05' }, applicant, undefined, '2026-03-06T09:00:00+08:00').map((e) => e.field)).toEqual(['startDate']);
  });
});

/** Hostile conditions: each must end within a bound, with a failure, never a hang or a crash. */
const HOSTILE: [string, Record<string, unknown>][] = [
  ['count(for i in 1..2000, j in 1..2000 return i) > 0', {}],
  ['count(for i in 1..100000000 return i) > 0', {}],
  ['{fib: function(n) if n < 2 then n else fib(n-1) + fib(n-2)}.fib(40) > 0', {}],
  ['count(for i in 1..days return i) > 0', { days: 2e8 }],
  ['string length(string join(for i in 1..days return "xxxxxxxxxxxxxxxxxxxxxxxx")) > 0', { days: 2e8 }],
  ['matches(s, "^(a+)+$")', { s: `${'a'.repeat(40)}b` }],
  ['count(for i in 0.5..days return i) > 0', { days: 3 }],
];

describe('the FEEL budget (issue 12.2)', () => {
  it.each(HOSTILE)('%s stops within the budget', (expression, context) => {
    // CPU time is what the budget bounds; wall-clock time only has to be finite (a hang never ends).
    const started = performance.now();
    const cpu = process.cpuUsage();
    const outcome = evaluateFeel(expression, context, '2026-03-02T09:00:00+08:00');
    const used = process.cpuUsage(cpu);
    expect(outcome.ok).toBe(false);
    expect((used.user + used.system) / 1000).toBeLessThan(FEEL_LIMITS.timeMs * 10);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('validateSubmission returns a field error in Chinese and English instead of hanging', () => {
    const d = variant({ validIf: 'count(for i in 1..amount * 1000 return i) > 0' });
    const started = performance.now();
    const errors = validateSubmission(d, { ...base, amount: 200000, startDate: '2026-03-05' }, applicant);
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('startDate');
    expect(errors[0].message.zh).toContain('超出了限制');
    expect(errors[0].message.en).toContain('budget');
  }, 20_000);

  it('a visibility rule over budget is the field\'s error, not "must be empty"', () => {
    const d = variant({ visibleIf: 'count(for i in 1..amount * 1000 return i) > 0' });
    const errors = validateSubmission(d, { ...base, amount: 200000, startDate: '2026-03-05' }, applicant);
    expect(errors.map((e) => [e.field, e.message.zh.slice(0, 6)])).toEqual([['startDate', '无法判断这一']]);
  }, 20_000);

  it('a branch over budget stops the run with an explained error', () => {
    const d = variant({ condition: 'count(for i in 1..amount * 1000 return i) > 3' });
    const r = run(d, { amount: 200000 }, big);
    expect(r.outcome).toBe('error');
    expect(r.problem?.zh).toContain('超出了限制');
  }, 20_000);
});
