import { describe, expect, it } from 'vitest';
import { compileBpmn } from '../../cli/bpmn/compile-bpmn.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import type { RuntimeDefinition, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { runOnEngine } from '../bpmn/engine.ts';
import { loadFlows } from '../helpers/flows.ts';

/**
 * Issue 15.7: a deadline that depends on the form (加急 vs 普通). The flows fixture's first step
 * (unit-review, 1 work day) gets `deadlineWhen: urgent = true → 0`; the interpreter's due date, the
 * runtime (which replays the interpreter) and the BPMN timers must all follow the form.
 */
const { definition: flow, calendar } = await loadFlows();
const applicant = { name: '赵一', department: 'dept-a', number: 'T001' };
const normal = { amount: 5000, urgent: false, category: '设备', unit: 'dept-a' };
const urgent = { ...normal, urgent: true, urgentReason: '年底结算' };
const small: Decision[] = [{ step: 'unit-review', action: 'approve' }, { step: 'b-quick', action: 'approve' }, { step: 'ops-done', action: 'approve' }];

let variants = 0;
function withRules(rules: { condition: string; deadline: number }[], reminder?: number): RuntimeDefinition {
  const d = structuredClone(flow);
  d.fingerprint = `${d.fingerprint}-deadline-${++variants}`;
  const step = d.workflow!.steps.find((n: RuntimeNode) => n.kind === 'step' && n.id === 'unit-review') as RuntimeStep;
  step.deadlineWhen = rules as RuntimeStep['deadlineWhen'];
  if (reminder !== undefined) step.reminder = reminder;
  return d;
}
// Friday 6 March 2026, 10:00: one work day later is Monday the 9th.
const AT = '2026-03-06T10:00:00+08:00';
const run = (d: RuntimeDefinition, data: Record<string, unknown>, decisions = small) => runWorkflow(d, calendar, { applicant, data, decisions, submittedAt: AT, service: { id: 'flow', name: '流程测试事项' } });
const dueOf = (d: RuntimeDefinition, data: Record<string, unknown>, step = 'unit-review') => run(d, data).timeline.find((t) => t.type === 'assigned' && t.step === step)?.due;

describe('form-dependent deadlines on the interpreter', () => {
  const d = withRules([{ condition: 'urgent = true', deadline: 0 }]);

  it('an urgent application is due the same day, a normal one the next work day', () => {
    expect(dueOf(d, urgent)).toBe('2026-03-06');
    expect(dueOf(d, normal)).toBe('2026-03-09');
    expect(dueOf(flow, urgent)).toBe('2026-03-09');
  });

  it('the first rule that holds wins; an empty field does not hold', () => {
    const two = withRules([{ condition: 'amount > 100000', deadline: 5 }, { condition: 'urgent = true', deadline: 0 }]);
    expect(dueOf(two, { ...urgent, amount: 200000 })).toBe('2026-03-13');
    expect(dueOf(two, urgent)).toBe('2026-03-06');
    const onEmpty = withRules([{ condition: 'idNumber = "x"', deadline: 5 }]);
    expect(dueOf(onEmpty, normal)).toBe('2026-03-09');
  });

  it('the assigned notification names the due date the form gave', () => {
    expect(run(d, urgent).notifications.find((n) => n.event === 'assigned')?.text).toContain('2026-03-06');
  });

  it('an urgent task decided on the next work day is overdue; a normal one is not', () => {
    const late: Decision[] = [{ ...small[0], at: '2026-03-09T09:00:00+08:00' }, ...small.slice(1)];
    expect(run(d, urgent, late).timeline.filter((t) => t.type === 'overdue').map((t) => t.step)).toEqual(['unit-review']);
    expect(run(d, normal, late).timeline.filter((t) => t.type === 'overdue')).toEqual([]);
  });

  it('a deadline condition that does not yield true or false stops the run with the reason', () => {
    const bad = withRules([{ condition: 'amount + 1', deadline: 0 }]);
    const result = run(bad, normal);
    expect(result.outcome).toBe('error');
    expect(result.problem?.en).toContain('deadline condition "amount + 1"');
  });
});

describe('form-dependent deadlines in the BPMN export, run on bpmn-engine', () => {
  it('the overdue timer and the task due date are a FEEL duration chosen by the same rule', async () => {
    const d = withRules([{ condition: 'urgent = true', deadline: 0 }], 1);
    const { bpmn } = await compileBpmn(d, '流程测试事项');
    expect(bpmn).toContain('=if (urgent = true) = true then "P1D" else "P2D"');
    expect(bpmn).toContain('超过办理时限（0/1 个工作日）');
    const urgentRun = await runOnEngine(bpmn, { applicant, data: urgent, decisions: small });
    const normalRun = await runOnEngine(bpmn, { applicant, data: normal, decisions: small });
    expect(urgentRun.path).toEqual(run(d, urgent).path);
    expect(normalRun.path).toEqual(run(d, normal).path);
    // The first armed timer is unit-review's overdue timer: one calendar day when urgent, two otherwise.
    expect(urgentRun.timers[0]).toBe('P1D');
    expect(normalRun.timers[0]).toBe('P2D');
  });

  it('a fixed deadline stays an ISO duration: services without deadlineWhen compile as before', async () => {
    const { bpmn } = await compileBpmn(flow, '流程测试事项');
    expect(bpmn).not.toContain('then "P');
  });
});
