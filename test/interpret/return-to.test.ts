import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import type { RuntimeDefinition, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { loadFlows } from '../helpers/flows.ts';

/**
 * Issue 15.5: 退回到指定环节. The flows fixture with `leader` allowed to return to `unit-review` and
 * `ops-done` to `leader` or `unit-review`: the flow re-runs from the chosen step; a return inside a
 * countersign reopens only the returning member.
 */
const { definition: flow, calendar } = await loadFlows();
const applicant = { name: '赵一', department: 'dept-a', number: 'T001' };
const big = { amount: 200000, urgent: false, category: '设备', unit: 'dept-a' };
const small = { ...big, amount: 5000 };
const AT = '2026-03-02T09:00:00+08:00';

function findStep(nodes: RuntimeNode[], id: string): RuntimeStep | undefined {
  for (const node of nodes) {
    if (node.kind === 'step' && node.id === id) return node;
    if (node.kind === 'parallel') return node.steps.find((s) => s.id === id) ?? findStep(nodes.slice(nodes.indexOf(node) + 1), id);
    if (node.kind === 'branch') {
      const found = findStep(node.then, id) ?? findStep(node.else, id);
      if (found) return found;
    }
  }
  return undefined;
}
function withTargets(): RuntimeDefinition {
  const d = structuredClone(flow);
  d.fingerprint = `${d.fingerprint}-return-to`;
  const leader = findStep(d.workflow!.steps, 'leader')!;
  leader.actions = ['approve', 'reject', 'return'];
  leader.returnTo = ['unit-review'];
  const done = findStep(d.workflow!.steps, 'ops-done')!;
  done.actions = ['approve', 'return'];
  done.returnTo = ['leader', 'unit-review'];
  return d;
}
const d = withTargets();
const run = (data: Record<string, unknown>, decisions: Decision[], live = false) => runWorkflow(d, calendar, { applicant, data, decisions, submittedAt: AT, service: { id: 'flow', name: '流程测试事项' }, live });
const approve = (step: string): Decision => ({ step, action: 'approve' });
const head = [approve('unit-review'), approve('a-review'), approve('b-review')];

describe('return to a chosen step on the interpreter', () => {
  it('the leader returns to the unit review: the flow re-runs from there, the applicant is not asked', () => {
    const r = run(big, [...head, { step: 'leader', action: 'return', returnTo: 'unit-review', comment: '请补充用途说明' }, ...head, approve('leader'), approve('ops-done')], true);
    expect(r.outcome).toBe('approved');
    expect(r.path).toEqual(['unit-review', 'a-review', 'b-review', 'leader', 'unit-review', 'a-review', 'b-review', 'leader', 'ops-done']);
    const returned = r.timeline.find((t) => t.type === 'returned')!;
    expect(returned).toMatchObject({ step: 'leader', returnTo: 'unit-review', comment: '请补充用途说明' });
    expect(r.timeline.some((t) => t.type === 'resubmitted')).toBe(false);
    expect(r.notifications.some((n) => n.event === 'returned')).toBe(false);
    expect(r.timeline.filter((t) => t.type === 'assigned' && t.step === 'unit-review')).toHaveLength(2);
  });

  it('a return into a branch resumes inside it without judging the branch again or re-running what came before', () => {
    const r = run(big, [...head, approve('leader'), { step: 'ops-done', action: 'return', returnTo: 'leader' }, approve('leader'), approve('ops-done')]);
    expect(r.outcome).toBe('approved');
    expect(r.path).toEqual(['unit-review', 'a-review', 'b-review', 'leader', 'ops-done', 'leader', 'ops-done']);
  });

  it('the waiting task offers only the targets the application passed', () => {
    expect(run(big, [...head, approve('leader')]).waiting).toEqual([expect.objectContaining({ step: 'ops-done', returnTargets: ['leader', 'unit-review'] })]);
    expect(run(small, [approve('unit-review'), approve('a-quick')]).waiting).toEqual([expect.objectContaining({ step: 'ops-done', returnTargets: ['unit-review'] })]);
    expect(run(big, head).waiting[0].returnTargets).toEqual(['unit-review']);
  });

  it('a target not declared, not passed, or named without a return is refused', () => {
    const notPassed = run(small, [approve('unit-review'), approve('a-quick'), { step: 'ops-done', action: 'return', returnTo: 'leader' }]);
    expect(notPassed.outcome).toBe('error');
    expect(notPassed.problem?.zh).toContain('没有经过环节“leader”');
    const undeclared = run(big, [...head, { step: 'leader', action: 'return', returnTo: 'a-review' }]);
    expect(undeclared.outcome).toBe('error');
    expect(undeclared.problem?.en).toContain('cannot return to "a-review"');
    const notReturn = run(big, [...head, { step: 'leader', action: 'approve', returnTo: 'unit-review' }]);
    expect(notReturn.outcome).toBe('error');
  });

  it('after a return to a step, an earlier target is no longer passed until decided again', () => {
    const r = run(big, [...head, approve('leader'), { step: 'ops-done', action: 'return', returnTo: 'unit-review' }]);
    expect(r.outcome).toBe('pending');
    expect(r.waiting).toEqual([expect.objectContaining({ step: 'unit-review' })]);
  });

  it('a return to the applicant still waits for the applicant when live', () => {
    const r = run(big, [...head, { step: 'leader', action: 'return' }], true);
    expect(r.awaiting).toBe('applicant');
  });
});

describe('a return inside a countersign reopens only the returning member', () => {
  it('the approval already given stands; only the returning member decides again', () => {
    const r = run(big, [approve('unit-review'), approve('a-review'), { step: 'b-review', action: 'return', comment: '缺报价单' }, approve('b-review'), approve('leader'), approve('ops-done')]);
    expect(r.outcome).toBe('approved');
    expect(r.path).toEqual(['unit-review', 'a-review', 'b-review', 'b-review', 'leader', 'ops-done']);
    expect(r.timeline.filter((t) => t.type === 'assigned' && t.step === 'a-review')).toHaveLength(1);
    expect(r.timeline.filter((t) => t.type === 'assigned' && t.step === 'b-review')).toHaveLength(2);
  });

  it('the compiled countersign says so; a version kept from before (no returnReopens) restarts the whole countersign', () => {
    const joint = (def: RuntimeDefinition) => (def.workflow!.steps.find((n) => n.kind === 'branch') as Extract<RuntimeNode, { kind: 'branch' }>).then[0] as Extract<RuntimeNode, { kind: 'parallel' }>;
    expect(joint(d).returnReopens).toBe('member');
    const old = structuredClone(d);
    delete joint(old).returnReopens;
    const decisions: Decision[] = [approve('unit-review'), approve('a-review'), { step: 'b-review', action: 'return' }, approve('b-review')];
    const r = runWorkflow(old, calendar, { applicant, data: big, decisions, submittedAt: AT, service: { id: 'flow', name: '流程测试事项' } });
    expect(r.waiting.map((w) => w.step)).toEqual(['a-review']);
  });

  it('members that had not decided get their tasks again with the returning one', () => {
    const r = run(big, [approve('unit-review'), { step: 'a-review', action: 'return' }]);
    expect(r.waiting.map((w) => w.step).sort()).toEqual(['a-review', 'b-review']);
    expect(r.timeline.filter((t) => t.type === 'assigned' && t.step === 'b-review')).toHaveLength(2);
  });
});
