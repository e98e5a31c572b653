import { describe, expect, it } from 'vitest';
import { compileBpmn, zeebeConditionProblem } from '../../cli/bpmn/compile-bpmn.ts';
import { compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import { validateSubmission } from '../../lib/interpret/validate-submission.ts';
import { loadFlows } from '../helpers/flows.ts';
import { runOnEngine } from './engine.ts';
import { LINT_PROFILES, conditionsOf, lintBpmn, parseBpmn } from './inspect.ts';

/**
 * Routing by a decision table (issue 15 item 8, docs/routing.md): the `banded` fixture's 审批级别 table
 * (< 5,000 部门; [5,000..50,000) 财务处; ≥ 50,000 校级) is read by two branches. The compiler expands each
 * reading into one FEEL expression; the interpreter and bpmn-engine run that same FEEL and agree at every edge.
 */
const { catalog, calendar } = await loadFlows();
const service = catalog.services.get('banded')!.value;
const definition = compileDefinition(service, 1, runtimeFingerprint(service));
const NAME = '经费报销测试事项';
const compiled = await compileBpmn(definition, NAME);
const applicant = { name: '赵一', number: 'T001', department: 'dept-a' };
const TABLE = 'if amount < 5000 then "部门" else if amount >= 5000 and amount < 50000 then "财务处" else if amount >= 50000 then "校级" else null';

async function both(amount: number) {
  const data = { amount };
  const decisions = ['unit-head', 'finance', 'leader'].map((step) => ({ step, action: 'approve' as const }));
  const reference = runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'banded', name: NAME } });
  const engine = await runOnEngine(compiled.bpmn, { applicant, data, decisions });
  expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({ outcome: reference.outcome, path: reference.path, assignees: reference.assignees });
  return reference.path;
}

describe('a decision table', () => {
  it('is expanded into the conditions that read it; the definition has no table of its own', () => {
    const [, finance, leader] = definition.workflow!.steps;
    expect(finance).toMatchObject({ kind: 'branch', condition: `(${TABLE}) != "部门"` });
    expect(leader).toMatchObject({ kind: 'branch', condition: `(${TABLE}) = "校级"` });
    expect(JSON.stringify(definition)).not.toContain('approvalLevel');
  });

  it.each([
    [0, ['unit-head']],
    [4999.99, ['unit-head']],
    [5000, ['unit-head', 'finance']],
    [49999.99, ['unit-head', 'finance']],
    [50000, ['unit-head', 'finance', 'leader']],
    [1000000, ['unit-head', 'finance', 'leader']],
  ])('routes %s yuan the same way on the interpreter and on bpmn-engine', async (amount, path) => {
    expect(validateSubmission(definition, { amount }, applicant)).toEqual([]); // 4,999.99 is a valid amount (ajv multipleOfPrecision)
    expect(await both(amount)).toEqual(path);
  });

  it('carries the same FEEL into the BPMN conditions, lint clean for Camunda 8', async () => {
    const { rootElement } = await parseBpmn(compiled.bpmn);
    const conditions = conditionsOf(rootElement);
    expect(conditions.some((c: string) => c.includes(`(${TABLE}) = "校级"`))).toBe(true);
    for (const condition of conditions) expect(zeebeConditionProblem(condition), condition).toBeUndefined();
    for (const profile of LINT_PROFILES) expect((await lintBpmn(rootElement, profile)).map((r) => `${r.rule} ${r.id}: ${r.message}`)).toEqual([]);
  });
});
