import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileBpmn } from '../../cli/bpmn/compile-bpmn.ts';
import { compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import { runScenario } from '../../lib/interpret/scenarios.ts';
import { loadFlows } from '../helpers/flows.ts';
import { runOnEngine } from './engine.ts';
import { expectDeployable, parseBpmn } from './inspect.ts';

/**
 * 依次审批 (`parallel: sequence`, issue 15 item 4) on the flows fixture's `in-turn` service: 受理, then A → B
 * (above 100,000 only) → 运维 in a sub-process with no split, then 归档. Camunda-lint clean; bpmn-engine takes
 * the interpreter's path, assignments and waiting tasks for any decisions.
 */
const { catalog, calendar } = await loadFlows();
const service = catalog.services.get('in-turn')!.value;
const definition = compileDefinition(service, 1, runtimeFingerprint(service));
const NAME = '依次审批测试事项';
const compiled = await compileBpmn(definition, NAME);
const { rootElement, elementsById } = await parseBpmn(compiled.bpmn);
const applicant = { name: '赵一', department: 'dept-a', number: 'T001' };

async function both(data: Record<string, unknown>, decisions: Decision[]) {
  const reference = runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'in-turn', name: NAME } });
  const engine = await runOnEngine(compiled.bpmn, { applicant, data, decisions });
  expect(engine.problem).toBeUndefined();
  expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({ outcome: reference.outcome, path: reference.path, assignees: reference.assignees });
  if (reference.outcome === 'pending') expect(engine.waiting.sort()).toEqual(reference.waiting.map((w) => w.step).sort());
  return { reference, engine };
}

describe('依次审批 in the BPMN export', () => {
  it('lint clean for Camunda 8, every condition =FEEL, every split has a default', async () => {
    await expectDeployable(rootElement);
  });

  it('a sub-process whose members are chained in the order listed, with no parallel gateway', () => {
    const sub = elementsById['SubProcess_chain'];
    expect(sub.name).toBe('依次审批');
    expect(sub.flowElements.filter((e: { $type: string }) => e.$type === 'bpmn:ParallelGateway')).toEqual([]);
    // Follow the approvals from the start: A, then B's condition, then 运维, then the end.
    const order: string[] = [];
    let at = elementsById['StartEvent_chain'];
    for (let guard = 0; guard < 30 && at.$type !== 'bpmn:EndEvent'; guard++) {
      if (at.$type === 'bpmn:UserTask') order.push(at.id!);
      const approve = at.outgoing.find((f: any) => f.id.endsWith('_approve') || f.id.endsWith('_when') || f.id.endsWith('_assignable')) ?? at.outgoing.find((f: any) => !f.id.endsWith('_skip') && !f.id.endsWith('_invalid') && !f.conditionExpression) ?? at.outgoing[0];
      at = approve.targetRef;
    }
    expect(order).toEqual(['Task_a-turn', 'Task_b-turn', 'Task_ops-turn']);
    expect(at.id).toBe('EndEvent_chain_approved');
  });

  it('a member with when is judged as the sub-process starts; its default skips it to a merge', () => {
    const inputs = elementsById['SubProcess_chain'].extensionElements.values.find((v: { $type: string }) => v.$type === 'zeebe:IoMapping').inputParameters;
    expect(inputs.map((i: { source: string; target: string }) => `${i.target} := ${i.source}`)).toEqual(['joined_b_turn := =(amount > 100000) = true']);
    expect(elementsById['Gateway_b-turn_when'].default.targetRef.id).toBe('Gateway_b-turn_merge');
  });

  it('a member’s return loops back to that member; a reject throws out of the sub-process', () => {
    expect(elementsById['Task_b-turn_revise'].outgoing[0].targetRef.id).toBe('Gateway_b-turn_enter');
    expect(elementsById['Event_chain_rejected'].attachedToRef.id).toBe('SubProcess_chain');
    expect(elementsById['Event_chain_return_intake'].outgoing[0].targetRef.id).toBe('Gateway_intake_enter');
  });

  it('a return to an earlier member loops inside the sub-process to its entry; a member with when only when it took part', () => {
    const fromOps = elementsById['Gateway_ops-turn_decision'].outgoing.map((f: { targetRef: { id: string }; conditionExpression?: { body: string } }) => [f.targetRef.id, f.conditionExpression?.body]);
    expect(fromOps).toContainEqual(['Gateway_a-turn_enter', '=decision_ops_turn = "return" and return_to_ops_turn = "a-turn"']);
    expect(fromOps).toContainEqual(['Gateway_b-turn_enter', '=decision_ops_turn = "return" and return_to_ops_turn = "b-turn" and joined_b_turn = true']);
    expect(elementsById['SubProcess_chain'].flowElements.map((e: { id: string }) => e.id)).toContain('Gateway_a-turn_enter');
    expect(elementsById['Event_chain_return_a-turn']).toBeUndefined();
  });
});

describe('依次审批 on bpmn-engine, against the interpreter', () => {
  it.each(service.scenarios!.map((s, i) => ({ label: s.name, i })))('$label', async ({ i }) => {
    const scenario = service.scenarios![i];
    const reference = runScenario(definition, calendar, scenario, { id: 'in-turn', name: NAME });
    expect(reference.pass, reference.mismatches.map((m) => m.en).join('; ')).toBe(true);
    const engine = await runOnEngine(compiled.bpmn, { applicant: scenario.applicant, data: scenario.data, decisions: scenario.decisions });
    expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({ outcome: reference.result.outcome, path: reference.result.path, assignees: reference.result.assignees });
  });

  it('one task at a time: after A approves only B waits', async () => {
    const { engine } = await both({ amount: 200000 }, [{ step: 'intake', action: 'approve' }, { step: 'a-turn', action: 'approve' }]);
    expect(engine.waiting).toEqual(['b-turn']);
  });

  it('after a return to the applicant only the returning member waits again', async () => {
    const { engine } = await both({ amount: 200000 }, [
      { step: 'intake', action: 'approve' },
      { step: 'a-turn', action: 'approve' },
      { step: 'b-turn', action: 'return', revise: { note: '补充' } },
    ]);
    expect(engine.waiting).toEqual(['b-turn']);
  });

  it.each([
    ['a large amount: back to A, then A, B and 运维 again', { amount: 200000 }, 'a-turn', ['a-turn', 'b-turn', 'ops-turn', 'archive']],
    ['a large amount: back to B, then B and 运维 again', { amount: 200000 }, 'b-turn', ['b-turn', 'ops-turn', 'archive']],
    ['a small amount: back to A, B still skipped', { amount: 5000 }, 'a-turn', ['a-turn', 'ops-turn', 'archive']],
  ])('a return from 运维 to an earlier member, %s', async (_, data, target, after) => {
    const before = [{ step: 'intake', action: 'approve' as const }, { step: 'a-turn', action: 'approve' as const }, ...(data.amount > 100000 ? [{ step: 'b-turn', action: 'approve' as const }] : [])];
    const decisions: Decision[] = [...before, { step: 'ops-turn', action: 'return', returnTo: target, comment: '请补充意见' }, ...after.map((step) => ({ step, action: 'approve' as const }))];
    const { reference } = await both(data, decisions);
    expect(reference.outcome).toBe('approved');
    expect(reference.path).toEqual([...before.map((d) => d.step), 'ops-turn', ...after]);
  });

  it('any sequence of decisions takes the same path, assignments and outcome (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          data: fc.constantFrom({ amount: 5000 }, { amount: 200000 }),
          choices: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 10 }),
          revise: fc.constantFrom(undefined, { amount: 5000 }, { amount: 300000 }, { note: '补充' }),
        }),
        async ({ data, choices, revise }) => {
          const decisions: Decision[] = [];
          for (const choice of choices) {
            const probe = runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'in-turn', name: NAME } });
            if (probe.outcome !== 'pending') break;
            const task = probe.waiting[choice % probe.waiting.length];
            const action = task.actions[Math.floor(choice / probe.waiting.length) % task.actions.length];
            // Every target the hall offers now, earlier members of the sequence among them (returnTargets: those passed).
            const targets = task.returnTargets ?? [];
            const target = action === 'return' && targets.length && choice % 2 ? { returnTo: targets[Math.floor(choice / 2) % targets.length] } : {};
            decisions.push({ step: task.step, action, ...(action === 'return' && revise && !('returnTo' in target) ? { revise } : {}), ...target });
          }
          await both(data, decisions);
        },
      ),
      { numRuns: 40, seed: 2026 },
    );
  }, 300_000);
});
