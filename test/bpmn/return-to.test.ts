import { describe, expect, it } from 'vitest';
import { compileBpmn } from '../../cli/bpmn/compile-bpmn.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import type { RuntimeDefinition, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { loadFlows } from '../helpers/flows.ts';
import { runOnEngine } from './engine.ts';
import { allElements, expectDeployable, parseBpmn } from './inspect.ts';

/**
 * Issue 15.5 in the BPMN export: the flows fixture with `leader` returning to `unit-review`, `ops-done` to
 * `leader` or `unit-review`, and the countersign member `b-review` to `unit-review` (out of the
 * sub-process by an error per target). bpmn-engine takes the interpreter's path for each return, the
 * export is Camunda-lint clean, and a member's return to the applicant reopens only that member.
 */
const { definition: flow, calendar } = await loadFlows();
const applicant = { name: '赵一', department: 'dept-a', number: 'T001' };
const big = { amount: 200000, urgent: false, category: '设备', unit: 'dept-a' };
const small = { ...big, amount: 5000 };

function stepOf(nodes: RuntimeNode[], id: string): RuntimeStep | undefined {
  for (const node of nodes) {
    if (node.kind === 'step' && node.id === id) return node;
    const inner = node.kind === 'parallel' ? node.steps.find((s) => s.id === id) : node.kind === 'branch' ? (stepOf(node.then, id) ?? stepOf(node.else, id)) : undefined;
    if (inner) return inner;
  }
  return undefined;
}
const d: RuntimeDefinition = structuredClone(flow);
d.fingerprint = `${d.fingerprint}-return-to-bpmn`;
Object.assign(stepOf(d.workflow!.steps, 'leader')!, { actions: ['approve', 'reject', 'return'], returnTo: ['unit-review'] });
Object.assign(stepOf(d.workflow!.steps, 'ops-done')!, { actions: ['approve', 'return'], returnTo: ['leader', 'unit-review'] });
Object.assign(stepOf(d.workflow!.steps, 'b-review')!, { returnTo: ['unit-review'] });
const { bpmn } = await compileBpmn(d, '流程测试事项');
const { rootElement } = await parseBpmn(bpmn);

const approve = (step: string): Decision => ({ step, action: 'approve' });
const head = [approve('unit-review'), approve('a-review'), approve('b-review')];
const cases: { name: string; data: Record<string, unknown>; decisions: Decision[] }[] = [
  { name: 'the leader returns to the unit review', data: big, decisions: [...head, { step: 'leader', action: 'return', returnTo: 'unit-review' }, ...head, approve('leader'), approve('ops-done')] },
  { name: 'the last step returns into the branch', data: big, decisions: [...head, approve('leader'), { step: 'ops-done', action: 'return', returnTo: 'leader' }, approve('leader'), approve('ops-done')] },
  { name: 'the last step returns to the first on the small path', data: small, decisions: [approve('unit-review'), approve('a-quick'), { step: 'ops-done', action: 'return', returnTo: 'unit-review' }, approve('unit-review'), approve('b-quick'), approve('ops-done')] },
  { name: 'a countersign member returns out of the countersign', data: big, decisions: [approve('unit-review'), approve('a-review'), { step: 'b-review', action: 'return', returnTo: 'unit-review' }, ...head, approve('leader'), approve('ops-done')] },
  { name: 'a countersign member returns to the applicant: only it decides again', data: big, decisions: [approve('unit-review'), approve('a-review'), { step: 'b-review', action: 'return', revise: { amount: 190000 } }, approve('b-review'), approve('leader'), approve('ops-done')] },
  { name: 'the applicant still gets a plain return', data: big, decisions: [...head, { step: 'leader', action: 'return' }, approve('leader'), approve('ops-done')] },
];

describe('return to a chosen step in the BPMN export', () => {
  it('lint clean for Camunda 8, every condition =FEEL, every split has a default', async () => {
    await expectDeployable(rootElement);
  });

  it('a loop per target from the decision to the target\'s entry, and an error boundary per target on the countersign', () => {
    const ids = allElements(rootElement).map((e) => e.id);
    expect(ids).toContain('Flow_Gateway_leader_decision__Gateway_unit-review_enter_return_unit-review');
    expect(ids).toContain('Flow_Gateway_ops-done_decision__Gateway_leader_enter_return_leader');
    expect(ids).toContain('Event_joint_return_unit-review');
    expect(ids).toContain('Task_b-review_revise');
  });

  it.each(cases)('$name: bpmn-engine takes the interpreter\'s path', async ({ data, decisions }) => {
    const reference = runWorkflow(d, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'flow', name: '流程测试事项' } });
    expect(reference.outcome, JSON.stringify(reference.problem)).toBe('approved');
    const run = await runOnEngine(bpmn, { applicant, data, decisions });
    expect(run.problem).toBeUndefined();
    expect(run.outcome).toBe('approved');
    expect(run.path).toEqual(reference.path);
  });
});
