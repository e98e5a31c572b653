import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileBpmn } from '../../cli/bpmn/compile-bpmn.ts';
import { compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import { runScenario } from '../../lib/interpret/scenarios.ts';
import { keptBefore155, loadFlows } from '../helpers/flows.ts';
import { runOnEngine } from './engine.ts';
import { expectDeployable, parseBpmn } from './inspect.ts';

/**
 * Countersign variants (issue 15 item 4) on the `votes` fixture: `atLeast: 2` of three members, one
 * of them with a `when`; a `parallel: all` and a `parallel: any` whose members have conditions. The
 * export is Camunda-lint clean and bpmn-engine takes the interpreter's path for any decisions.
 */
const { catalog, calendar } = await loadFlows();
const service = catalog.services.get('votes')!.value;
// As versions kept from before issue 15.5 have it (a member's return restarts the countersign); the new mapping: test/bpmn/return-to.test.ts.
const definition = keptBefore155(compileDefinition(service, 1, runtimeFingerprint(service)));
const NAME = '会签变体测试事项';
const compiled = await compileBpmn(definition, NAME);
const { rootElement, elementsById } = await parseBpmn(compiled.bpmn);
const applicant = { name: '赵一', department: 'dept-a', number: 'T001' };
const small = { amount: 5000, urgent: false, category: '设备', unit: 'dept-a' };
const big = { amount: 200000, urgent: true, urgentReason: '年底结算', category: '服务', unit: 'dept-b' };

async function both(data: Record<string, unknown>, decisions: Decision[]) {
  const reference = runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'votes', name: NAME } });
  const engine = await runOnEngine(compiled.bpmn, { applicant, data, decisions });
  expect(engine.problem).toBeUndefined();
  expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({ outcome: reference.outcome, path: reference.path, assignees: reference.assignees });
  if (reference.outcome === 'pending') expect(engine.waiting.sort()).toEqual(reference.waiting.map((w) => w.step).sort());
  return reference;
}

describe('countersign variants in the BPMN export', () => {
  it('lint clean for Camunda 8, every condition =FEEL, every split has a default', async () => {
    await expectDeployable(rootElement);
  });

  it('n of m: no join; each approval counts the votes and a terminate end withdraws the other tasks', () => {
    expect(elementsById['Gateway_panel_join']).toBeUndefined();
    const inputs = elementsById['SubProcess_panel'].extensionElements.values.find((v: { $type: string }) => v.$type === 'zeebe:IoMapping').inputParameters;
    expect(inputs.map((i: { source: string; target: string }) => `${i.target} := ${i.source}`)).toEqual([
      'decision_a_vote := =null',
      'decision_b_vote := =null',
      'decision_ops_vote := =null',
      'joined_ops_vote := =(amount > 100000) = true',
    ]);
    const passed = elementsById['Gateway_a-vote_approvals'].outgoing.find((f: any) => f.conditionExpression);
    expect(passed.conditionExpression.body).toBe(
      '=count([decision_a_vote, decision_b_vote, decision_ops_vote][item = "approve"]) >= min([2, count([true, true, joined_ops_vote = true][item = true])])',
    );
    expect(passed.targetRef.eventDefinitions[0].$type).toBe('bpmn:TerminateEventDefinition');
    const failed = elementsById['Gateway_b-vote_rejects'].outgoing.find((f: any) => f.conditionExpression);
    expect(failed.targetRef.eventDefinitions[0].$type).toBe('bpmn:ErrorEventDefinition');
    expect(elementsById['SubProcess_panel'].name).toBe('评审小组（3 人中 2 人同意）（会签：2 人同意即通过）');
  });

  it('a member with when sits behind a gateway whose default skips it', () => {
    const gateway = elementsById['Gateway_b-sign_when'];
    expect(gateway.outgoing.find((f: any) => f.conditionExpression).conditionExpression.body).toBe('=(urgent = true) = true');
    expect(gateway.default.targetRef.id).toBe('Gateway_sign_join');
    expect(elementsById['Gateway_a-any_when'].default.targetRef.id).toBe('EndEvent_a-any_skipped');
  });

  it('a service without the variants compiles exactly as before (the plain fixture keeps its join)', async () => {
    expect(compiled.bpmn).not.toContain('Gateway_a-vote_join');
    const flow = await compileBpmn(keptBefore155(compileDefinition(catalog.services.get('flow')!.value, 1, runtimeFingerprint(catalog.services.get('flow')!.value))), '流程测试事项');
    expect(flow.bpmn).not.toMatch(/_when"|_approvals"|_rejects"|zeebe:input /);
  });
});

describe('countersign variants on bpmn-engine, against the interpreter', () => {
  it.each(service.scenarios!.map((s, i) => ({ label: s.name, i })))('$label', async ({ i }) => {
    const scenario = service.scenarios![i];
    const reference = runScenario(definition, calendar, scenario, { id: 'votes', name: NAME });
    expect(reference.pass, reference.mismatches.map((m) => m.en).join('; ')).toBe(true);
    const engine = await runOnEngine(compiled.bpmn, { applicant: scenario.applicant, data: scenario.data, decisions: scenario.decisions });
    expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({ outcome: reference.result.outcome, path: reference.result.path, assignees: reference.result.assignees });
  });

  it('2 of 3: the third member’s task is withdrawn once two approved', async () => {
    const reference = await both(big, [
      { step: 'a-vote', action: 'approve' },
      { step: 'ops-vote', action: 'approve' },
    ]);
    expect(reference.outcome).toBe('pending');
    expect(reference.waiting.map((w) => w.step).sort()).toEqual(['a-sign', 'b-sign']);
  });

  it('a return restarts the n-of-m countersign and the votes are counted afresh', async () => {
    const reference = await both(big, [
      { step: 'b-vote', action: 'approve' },
      { step: 'a-vote', action: 'return', comment: '补充说明', revise: { urgentReason: '年底结算，补充说明' } },
      { step: 'a-vote', action: 'approve' },
    ]);
    // b's earlier approval does not count in the new round: a alone is not two.
    expect(reference.outcome).toBe('pending');
    expect(reference.waiting.map((w) => w.step).sort()).toEqual(['b-vote', 'ops-vote']);
  });

  it('a revision that changes a member condition changes who takes part in the new round', async () => {
    const reference = await both(big, [
      { step: 'ops-vote', action: 'return', revise: { amount: 50000 } },
      { step: 'a-vote', action: 'approve' },
    ]);
    expect(reference.waiting.map((w) => w.step)).toEqual(['b-vote']);
  });

  it('any sequence of decisions takes the same path, assignments and outcome (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          data: fc.constantFrom(small, big, { ...small, urgent: true, urgentReason: '急' }, { amount: 300000, urgent: false, category: '设备', unit: 'dept-b' }),
          choices: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 9 }),
          revise: fc.constantFrom(undefined, { amount: 5000 }, { amount: 300000 }, { category: '服务' }),
        }),
        async ({ data, choices, revise }) => {
          const decisions: Decision[] = [];
          for (const choice of choices) {
            const probe = runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'votes', name: NAME } });
            if (probe.outcome !== 'pending') break;
            const task = probe.waiting[choice % probe.waiting.length];
            const action = task.actions[Math.floor(choice / probe.waiting.length) % task.actions.length];
            decisions.push({ step: task.step, action, ...(action === 'return' && revise ? { revise } : {}) });
          }
          await both(data, decisions);
        },
      ),
      { numRuns: 40, seed: 2026 },
    );
  }, 300_000);
});
