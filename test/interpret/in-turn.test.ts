import { describe, expect, it } from 'vitest';
import { compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { loadFlows } from '../helpers/flows.ts';

/**
 * Issue 15 item 4, 依次审批 (`parallel: sequence`) on the flows fixture's `in-turn` service: 受理, then A → B
 * (only above 100,000) → 运维 in turn, then 归档. One task at a time in the order listed; a reject ends it;
 * a return resumes at the returning member; a return to a step before the countersign re-runs it whole.
 */
const { catalog, calendar } = await loadFlows();
const service = catalog.services.get('in-turn')!.value;
const definition = compileDefinition(service, 1, runtimeFingerprint(service));
const applicant = { name: '赵一', department: 'dept-a', number: 'T001' };
const run = (data: Record<string, unknown>, decisions: Decision[]) =>
  runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'in-turn', name: '依次审批测试事项' } });
const waiting = (result: ReturnType<typeof run>) => result.waiting.map((w) => w.step);

describe('依次审批 in the interpreter', () => {
  it('compiles to mode sequence, keeping the members in the order written', () => {
    const node = definition.workflow!.steps[1];
    expect(node).toMatchObject({ kind: 'parallel', mode: 'sequence', returnReopens: 'member' });
    expect(node.kind === 'parallel' && node.steps.map((s) => s.id)).toEqual(['a-turn', 'b-turn', 'ops-turn']);
  });

  it('gives the members their tasks one at a time, in the order listed', () => {
    const big = { amount: 200000 };
    expect(waiting(run(big, [{ step: 'intake', action: 'approve' }]))).toEqual(['a-turn']);
    expect(waiting(run(big, [{ step: 'intake', action: 'approve' }, { step: 'a-turn', action: 'approve' }]))).toEqual(['b-turn']);
    const third = run(big, [{ step: 'intake', action: 'approve' }, { step: 'a-turn', action: 'approve', comment: '同意' }, { step: 'b-turn', action: 'approve' }]);
    expect(waiting(third)).toEqual(['ops-turn']);
    // The next member is assigned only after the one before acted: its task follows that decision on the timeline.
    const order = third.timeline.filter((t) => t.type === 'assigned' || t.type === 'acted').map((t) => `${t.type} ${t.step}`);
    expect(order).toEqual(['assigned intake', 'acted intake', 'assigned a-turn', 'acted a-turn', 'assigned b-turn', 'acted b-turn', 'assigned ops-turn']);
  });

  it('refuses a decision out of turn', () => {
    const result = run({ amount: 200000 }, [{ step: 'intake', action: 'approve' }, { step: 'b-turn', action: 'approve' }]);
    expect(result.outcome).toBe('error');
  });

  it('skips a member whose condition does not hold', () => {
    expect(waiting(run({ amount: 5000 }, [{ step: 'intake', action: 'approve' }, { step: 'a-turn', action: 'approve' }]))).toEqual(['ops-turn']);
  });

  it('ends at the first rejection, later members never get a task', () => {
    const result = run({ amount: 200000 }, [{ step: 'intake', action: 'approve' }, { step: 'a-turn', action: 'approve' }, { step: 'b-turn', action: 'reject', comment: '预算不足' }]);
    expect(result.outcome).toBe('rejected');
    expect(result.timeline.some((t) => t.type === 'assigned' && t.step === 'ops-turn')).toBe(false);
  });

  it('after a return to the applicant, resumes at the returning member: earlier approvals stand', () => {
    const result = run({ amount: 200000 }, [
      { step: 'intake', action: 'approve' },
      { step: 'a-turn', action: 'approve' },
      { step: 'b-turn', action: 'return', revise: { note: '补充' } },
    ]);
    expect(waiting(result)).toEqual(['b-turn']);
    expect(result.timeline.filter((t) => t.type === 'assigned' && t.step === 'a-turn')).toHaveLength(1);
  });

  it('a return to a step before it re-runs the whole sequence from its first member', () => {
    const result = run({ amount: 200000 }, [
      { step: 'intake', action: 'approve' },
      { step: 'a-turn', action: 'approve' },
      { step: 'b-turn', action: 'approve' },
      { step: 'ops-turn', action: 'return', returnTo: 'intake' },
      { step: 'intake', action: 'approve' },
    ]);
    expect(waiting(result)).toEqual(['a-turn']);
  });

  it('offers as targets the earlier members that acted, never one skipped by its condition', () => {
    const upTo = (amount: number) => [{ step: 'intake', action: 'approve' as const }, { step: 'a-turn', action: 'approve' as const }, ...(amount > 100000 ? [{ step: 'b-turn', action: 'approve' as const }] : [])];
    expect(run({ amount: 200000 }, upTo(200000)).waiting[0]).toMatchObject({ step: 'ops-turn', returnTargets: ['intake', 'a-turn', 'b-turn'] });
    expect(run({ amount: 5000 }, upTo(5000)).waiting[0]).toMatchObject({ step: 'ops-turn', returnTargets: ['intake', 'a-turn'] });
    const skipped = run({ amount: 5000 }, [...upTo(5000), { step: 'ops-turn', action: 'return', returnTo: 'b-turn' }]);
    expect(skipped.outcome).toBe('error');
    expect(skipped.problem?.zh).toBe('本申请没有经过环节“b-turn”，不能退回到那里');
  });

  it('a return to an earlier member resumes there: that member and every later one act again, the applicant is not involved', () => {
    const result = run({ amount: 200000 }, [
      { step: 'intake', action: 'approve' },
      { step: 'a-turn', action: 'approve' },
      { step: 'b-turn', action: 'approve' },
      { step: 'ops-turn', action: 'return', returnTo: 'a-turn', comment: '请 A 补充预算意见' },
    ]);
    expect(waiting(result)).toEqual(['a-turn']);
    expect(result.timeline.filter((t) => t.type === 'returned')).toEqual([expect.objectContaining({ step: 'ops-turn', returnTo: 'a-turn', comment: '请 A 补充预算意见' })]);
    expect(result.timeline.some((t) => t.type === 'resubmitted')).toBe(false);
    expect(result.notifications.some((n) => n.event === 'returned')).toBe(false);
    const after = run({ amount: 200000 }, [
      { step: 'intake', action: 'approve' },
      { step: 'a-turn', action: 'approve' },
      { step: 'b-turn', action: 'approve' },
      { step: 'ops-turn', action: 'return', returnTo: 'a-turn' },
      { step: 'a-turn', action: 'approve' },
    ]);
    // B decides again: its earlier approval was given before the return and no longer stands.
    expect(waiting(after)).toEqual(['b-turn']);
    expect(after.waiting[0]).not.toHaveProperty('returnTargets');
    expect(after.timeline.filter((t) => t.type === 'assigned' && t.step === 'b-turn')).toHaveLength(2);
  });

  it('after a return to an earlier member, a later return to the applicant resumes at the member who returned it', () => {
    const result = run({ amount: 200000 }, [
      { step: 'intake', action: 'approve' },
      { step: 'a-turn', action: 'approve' },
      { step: 'b-turn', action: 'approve' },
      { step: 'ops-turn', action: 'return', returnTo: 'b-turn' },
      { step: 'b-turn', action: 'return', revise: { note: '补充大额说明' } },
      { step: 'b-turn', action: 'approve' },
      { step: 'ops-turn', action: 'approve' },
      { step: 'archive', action: 'approve' },
    ]);
    expect(result.outcome).toBe('approved');
    expect(result.path).toEqual(['intake', 'a-turn', 'b-turn', 'ops-turn', 'b-turn', 'b-turn', 'ops-turn', 'archive']);
  });
});
