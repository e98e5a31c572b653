import { describe, expect, it } from 'vitest';
import { compileBpmn } from '../../cli/bpmn/compile-bpmn.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { deadlineHours, deadlineWorkdays, longestDeadline, runtimeDeadline, shortestDeadline } from '../../lib/interpret/deadline.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { runScenario } from '../../lib/interpret/scenarios.ts';
import type { RuntimeDefinition, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { runOnEngine } from '../bpmn/engine.ts';
import { loadFlows } from '../helpers/flows.ts';

/**
 * Issue 15.7: deadlines in hours. The flows fixture's first step (unit-review, 1 work day) is given a
 * deadline in clock hours, fixed or chosen by the form; the interpreter's due time and overdue mark, the
 * scenario's `overdue` expectation and the BPMN timers must all read it as hours from the step's start.
 */
const { definition: flow, calendar } = await loadFlows();
const applicant = { name: '赵一', department: 'dept-a', number: 'T001' };
const normal = { amount: 5000, urgent: false, category: '设备', unit: 'dept-a' };
const urgent = { ...normal, urgent: true, urgentReason: '年底结算' };
const small: Decision[] = [{ step: 'unit-review', action: 'approve' }, { step: 'b-quick', action: 'approve' }, { step: 'ops-done', action: 'approve' }];

let variants = 0;
function withDeadline(deadline: number | string, rules?: { condition: string; deadline: number | string }[], reminder?: number): RuntimeDefinition {
  const d = structuredClone(flow);
  d.fingerprint = `${d.fingerprint}-hours-${++variants}`;
  const step = d.workflow!.steps.find((n: RuntimeNode) => n.kind === 'step' && n.id === 'unit-review') as RuntimeStep;
  step.deadline = deadline;
  if (rules) step.deadlineWhen = rules as RuntimeStep['deadlineWhen'];
  if (reminder !== undefined) step.reminder = reminder;
  return d;
}
// Friday 6 March 2026, 16:30 in Beijing.
const AT = '2026-03-06T16:30:00+08:00';
const run = (d: RuntimeDefinition, data: Record<string, unknown>, decisions = small, submittedAt = AT) => runWorkflow(d, calendar, { applicant, data, decisions, submittedAt, service: { id: 'flow', name: '流程测试事项' } });
const assigned = (d: RuntimeDefinition, data: Record<string, unknown>, submittedAt = AT) => run(d, data, small, submittedAt).timeline.find((t) => t.type === 'assigned' && t.step === 'unit-review');
const overdueOf = (d: RuntimeDefinition, data: Record<string, unknown>, at: string) => run(d, data, [{ ...small[0], at }, ...small.slice(1)]).timeline.filter((t) => t.type === 'overdue');

describe('reading a deadline', () => {
  it('takes 2h, 2 h, 2小时 and the runtime\'s PT2H as hours, a number as work days', () => {
    expect(['2h', '2 h', '2小时', 'PT2H'].map(deadlineHours)).toEqual([2, 2, 2, 2]);
    expect([3, 0, '3', '2d', 'PT2M'].map((v) => deadlineHours(v))).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect([3, '4小时'].map(runtimeDeadline)).toEqual([3, 'PT4H']);
  });

  it('bounds hours by whole days for the promise: up to 24 hours one day, 25 two; the shortest an hours deadline takes is 0', () => {
    expect([2, '2h', '24h', '25h'].map(deadlineWorkdays)).toEqual([2, 1, 1, 2]);
    expect(longestDeadline({ deadline: 1, deadlineWhen: [{ deadline: '30h' }] })).toBe(2);
    expect(shortestDeadline({ deadline: 1, deadlineWhen: [{ deadline: '2h' }] })).toBe(0);
  });
});

describe('hours deadlines on the interpreter', () => {
  it('are due that many clock hours after the step starts, written in the hall\'s zone, nights and weekends included', () => {
    const d = withDeadline('PT2H');
    expect(assigned(d, normal)).toMatchObject({ due: '2026-03-06', dueAt: '2026-03-06T18:30:00+08:00' });
    // Friday 23:00 + 2 hours is Saturday 01:00: the calendar has no working hours, so the clock runs on.
    expect(assigned(d, normal, '2026-03-06T23:00:00+08:00')).toMatchObject({ due: '2026-03-07', dueAt: '2026-03-07T01:00:00+08:00' });
    // An instant written in UTC reads the same.
    expect(assigned(d, normal, '2026-03-06T15:00:00Z')?.dueAt).toBe('2026-03-07T01:00:00+08:00');
  });

  it('a work-day deadline keeps its due date and has no due time', () => {
    const at = assigned(flow, normal);
    expect(at?.due).toBe('2026-03-09');
    expect(at && 'dueAt' in at).toBe(false);
  });

  it('a decision after the due time is overdue, at the due time; one at it is not', () => {
    const d = withDeadline('PT2H');
    expect(overdueOf(d, normal, '2026-03-06T18:30:00+08:00')).toEqual([]);
    expect(overdueOf(d, normal, '2026-03-06T18:31:00+08:00')).toEqual([expect.objectContaining({ step: 'unit-review', at: '2026-03-06T18:30:00+08:00', due: '2026-03-06', dueAt: '2026-03-06T18:30:00+08:00' })]);
    // The same decision is on time for the work-day deadline (due Monday).
    expect(overdueOf(flow, normal, '2026-03-06T18:31:00+08:00')).toEqual([]);
  });

  it('the form chooses hours or work days: urgent 2 hours, otherwise 1 work day', () => {
    const d = withDeadline(1, [{ condition: 'urgent = true', deadline: 'PT2H' }]);
    expect(assigned(d, urgent)?.dueAt).toBe('2026-03-06T18:30:00+08:00');
    expect(assigned(d, normal)).toMatchObject({ due: '2026-03-09' });
    expect(assigned(d, normal)?.dueAt).toBeUndefined();
    const evening = '2026-03-06T20:00:00+08:00';
    expect(overdueOf(d, urgent, evening).map((t) => t.step)).toEqual(['unit-review']);
    expect(overdueOf(d, normal, evening)).toEqual([]);
  });

  it('the assigned and overdue notifications name the due date and time', () => {
    const d = withDeadline('PT2H');
    const step = d.workflow!.steps.find((n: RuntimeNode) => n.kind === 'step' && n.id === 'unit-review') as RuntimeStep;
    step.notify = { assigned: '请在{{dueDate}}前审核', overdue: '已超过期限{{dueDate}}' };
    const result = run(d, normal, [{ ...small[0], at: '2026-03-06T19:00:00+08:00' }, ...small.slice(1)]);
    expect(result.notifications.find((n) => n.event === 'assigned')?.text).toBe('请在2026-03-06 18:30前审核');
    expect(result.notifications.find((n) => n.event === 'overdue')?.text).toBe('已超过期限2026-03-06 18:30');
  });

  it('the hall\'s zone writes the due time in its own offset', () => {
    const utc = new WorkCalendar({ format: 'servicehall-calendar/v1', timezone: 'UTC', years: [], holidays: [], workdays: [] });
    expect(utc.addHours('2026-03-06T23:00:00+08:00', 4)).toBe('2026-03-06T19:00:00Z');
  });
});

describe('a scenario\'s overdue expectation', () => {
  const d = withDeadline('PT2H');
  const scenario = (overdue: string[], at: string) => ({ name: 't', applicant, data: normal, submittedAt: AT, decisions: [{ ...small[0], at }, ...small.slice(1)], expect: { path: ['unit-review', 'b-quick', 'ops-done'], outcome: 'approved' as const, overdue } });

  it('passes when the marks match, and names both lists when they do not', () => {
    expect(runScenario(d, calendar, scenario(['unit-review'], '2026-03-06T19:00:00+08:00'), { id: 'flow', name: '流程测试事项' }).pass).toBe(true);
    expect(runScenario(d, calendar, scenario([], '2026-03-06T18:00:00+08:00'), { id: 'flow', name: '流程测试事项' }).pass).toBe(true);
    const wrong = runScenario(d, calendar, scenario([], '2026-03-06T19:00:00+08:00'), { id: 'flow', name: '流程测试事项' });
    expect(wrong.pass).toBe(false);
    expect(wrong.mismatches.map((m) => m.en)).toEqual(['overdue: expected (none), got unit-review']);
  });
});

describe('hours deadlines in the BPMN export, run on bpmn-engine', () => {
  it('a fixed hours deadline is a PT2H timer and task due date, with a reminder half way', async () => {
    const d = withDeadline('PT2H');
    const { bpmn } = await compileBpmn(d, '流程测试事项');
    expect(bpmn).toContain('超过办理时限（2 小时）');
    expect(bpmn).toContain('dueDate="=now() + duration(&#34;PT2H&#34;)"');
    const engineRun = await runOnEngine(bpmn, { applicant, data: normal, decisions: small });
    expect(engineRun.path).toEqual(run(d, normal).path);
    expect(engineRun.timers.slice(0, 2)).toEqual(['PT2H', 'PT1H']);
    // Fired timers (the overdue mark and the reminder) do not change the outcome.
    const fired = await runOnEngine(bpmn, { applicant, data: normal, decisions: small, fireTimers: true });
    expect([fired.outcome, fired.path]).toEqual([engineRun.outcome, engineRun.path]);
  });

  it('an odd number of hours reminds at the half hour', async () => {
    const { bpmn } = await compileBpmn(withDeadline('PT3H'), '流程测试事项');
    const engineRun = await runOnEngine(bpmn, { applicant, data: normal, decisions: small });
    expect(engineRun.timers.slice(0, 2)).toEqual(['PT3H', 'PT1H30M']);
  });

  it('a form-dependent deadline chooses PT2H or work days as the interpreter does', async () => {
    const d = withDeadline(1, [{ condition: 'urgent = true', deadline: 'PT2H' }], 1);
    const { bpmn } = await compileBpmn(d, '流程测试事项');
    expect(bpmn).toContain('=if (urgent = true) = true then "PT2H" else "P2D"');
    expect(bpmn).toContain('超过办理时限（2 小时/1 个工作日）');
    const urgentRun = await runOnEngine(bpmn, { applicant, data: urgent, decisions: small });
    const normalRun = await runOnEngine(bpmn, { applicant, data: normal, decisions: small });
    expect(urgentRun.path).toEqual(run(d, urgent).path);
    expect(normalRun.path).toEqual(run(d, normal).path);
    // Overdue timer, then the reminder: half of 2 hours when urgent; 1 work day before a 1-work-day deadline leaves none, 1 day.
    expect(urgentRun.timers.slice(0, 2)).toEqual(['PT2H', 'PT1H']);
    expect(normalRun.timers.slice(0, 2)).toEqual(['P2D', 'P1D']);
  });
});
