import { describe, expect, it } from 'vitest';
import { compileBpmn, zeebeConditionProblem } from '../../cli/bpmn/compile-bpmn.ts';
import { compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import { loadFlows } from '../helpers/flows.ts';
import { runOnEngine } from './engine.ts';
import { LINT_PROFILES, conditionsOf, lintBpmn, parseBpmn } from './inspect.ts';

/**
 * Routing with a fallback scope (issue 15 item 8): the `routed` fixture's first step goes to the head of
 * the applicant's unit, else of their college. The interpreter, the runtime definition and bpmn-engine agree.
 */
const { catalog, calendar } = await loadFlows();
const service = catalog.services.get('routed')!.value;
const definition = compileDefinition(service, 1, runtimeFingerprint(service));
const NAME = '备用范围测试事项';
const compiled = await compileBpmn(definition, NAME);
const data = { amount: 5000, urgent: false, category: '设备', unit: 'dept-a' };
const staff = { name: '赵一', number: 'T001', department: 'dept-a' };
const student = { name: '钱二', number: 'S001', college: 'dept-b' };
const nobody = { name: '孙三', number: 'X001' };

async function both(applicant: Record<string, unknown>, decisions: Decision[]) {
  const reference = runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'routed', name: NAME } });
  const engine = await runOnEngine(compiled.bpmn, { applicant, data, decisions });
  expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({ outcome: reference.outcome, path: reference.path, assignees: reference.assignees });
  return { reference, engine };
}

describe('a fallback scope', () => {
  it('is in the runtime definition only where it is written', () => {
    expect(definition.workflow!.steps[0]).toMatchObject({ department: 'applicant.department', fallback: 'applicant.college' });
    expect(definition.workflow!.steps[1]).not.toHaveProperty('fallback');
  });

  it('staff go to their unit, students (no unit) to their college, on both engines', async () => {
    expect((await both(staff, [])).reference.assignees['unit-head']).toBe('department-head@dept-a');
    expect((await both(student, [])).reference.assignees['unit-head']).toBe('department-head@dept-b');
    // Both attributes present: the unit wins.
    expect((await both({ ...staff, college: 'dept-b' }, [])).reference.assignees['unit-head']).toBe('department-head@dept-a');
  });

  it('with neither value, stops with an incident naming the fallback, on both engines', async () => {
    const { reference, engine } = await both(nobody, []);
    expect(reference.outcome).toBe('unassigned');
    expect(reference.incident).toMatchObject({ step: 'unit-head', missing: 'applicant.college' });
    expect(engine.incident).toEqual({ step: 'unit-head', message: reference.incident!.message.zh });
  });

  it('maps to FEEL candidate groups and an assignable check that accept either value, lint clean', async () => {
    expect(compiled.bpmn).toContain('if applicant.department != null and string(applicant.department) != &#34;&#34; then applicant.department else applicant.college');
    const { rootElement } = await parseBpmn(compiled.bpmn);
    for (const profile of LINT_PROFILES) expect((await lintBpmn(rootElement, profile)).map((r) => `${r.rule} ${r.id}: ${r.message}`)).toEqual([]);
    for (const condition of conditionsOf(rootElement)) expect(zeebeConditionProblem(condition), condition).toBeUndefined();
  });
});
