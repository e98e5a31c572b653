import { describe, expect, it } from 'vitest';
import { zeebeConditionProblem } from '../../cli/bpmn/compile-bpmn.ts';
import { runScenario } from '../../lib/interpret/scenarios.ts';
import { runOnEngine } from './engine.ts';
import { planExampleCatalog } from './example.ts';
import { LINT_PROFILES, allElements, conditionsOf, lintBpmn, parseBpmn } from './inspect.ts';

/**
 * Every BPMN file `hall build` produces for the example catalog is valid for Camunda 8, and every
 * scenario of the catalog takes the same path, assignments and outcome on bpmn-engine as on the
 * reference interpreter.
 */
const example = await planExampleCatalog();
const bpmnFiles = [...example.files].filter(([file]) => file.endsWith('.bpmn'));

const scenarioCases = example.services.flatMap((s) =>
  s.bpmn && s.service.scenarios?.length ? s.service.scenarios.map((scenario, i) => ({ label: `${s.id} › ${scenario.name}`, index: i, planned: s })) : [],
);

describe('generated/bpmn of the example catalog', () => {
  it('has a process for every kept version with a workflow, and forms for each', () => {
    const withWorkflow = example.manifest.services.flatMap((s) => s.versions.filter((v) => JSON.parse(example.runtimeFiles.get(v.file)!).workflow).map((v) => `${s.id}/v${v.version}.bpmn`));
    expect(withWorkflow.length).toBeGreaterThan(0);
    expect(bpmnFiles.map(([f]) => f).sort()).toEqual(withWorkflow.sort());
    for (const [file] of bpmnFiles) expect([...example.files.keys()].some((f) => f.startsWith(file.replace(/\.bpmn$/, '/')) && f.endsWith('/apply.form'))).toBe(true);
  });

  it.each(bpmnFiles)('%s parses with zero warnings, lints clean and its conditions are =FEEL', async (file, xml) => {
    const { rootElement, warnings } = await parseBpmn(xml);
    expect(warnings.map((w) => w.message)).toEqual([]);
    const process = rootElement.rootElements.find((e: { $type: string }) => e.$type === 'bpmn:Process');
    expect(process.isExecutable).toBe(true);
    for (const profile of LINT_PROFILES) {
      const reports = await lintBpmn(rootElement, profile);
      expect(reports.map((r) => `${r.category} ${r.rule} ${r.id}: ${r.message}`), `${file} under ${profile}`).toEqual([]);
    }
    const conditions = conditionsOf(rootElement);
    expect(conditions.length).toBeGreaterThan(0);
    for (const condition of conditions) expect(zeebeConditionProblem(condition), condition).toBeUndefined();
    // Every exclusive gateway that splits has a default flow, so Zeebe never raises "no flow taken".
    for (const gateway of allElements(rootElement).filter((e) => e.$type === 'bpmn:ExclusiveGateway' && e.outgoing?.length > 1)) {
      expect(gateway.default, gateway.id).toBeDefined();
    }
  });
});

describe('scenarios of the example catalog on bpmn-engine, against the reference interpreter', () => {
  it('finds the scenarios', () => {
    expect(scenarioCases.length).toBeGreaterThan(0);
  });

  it.each(scenarioCases)('$label', async ({ index, planned }) => {
    const scenario = planned.service.scenarios![index];
    const reference = runScenario(planned.definition, example.calendar, scenario, { id: planned.id, name: planned.name });
    if (scenario.expect.submission === 'invalid') {
      // Rejected before any workflow runs: submission checks are the runtime's, not the process's.
      expect(reference.result.outcome).toBe('invalid');
      return;
    }
    expect(reference.pass, reference.mismatches.map((m) => m.en).join('; ')).toBe(true);
    const engine = await runOnEngine(planned.bpmn!, { applicant: scenario.applicant, data: scenario.data, decisions: scenario.decisions, ...(scenario.booking ? { booking: scenario.booking } : {}) });
    expect(engine.problem).toBeUndefined();
    expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({
      outcome: reference.result.outcome,
      path: reference.result.path,
      assignees: reference.result.assignees,
    });
    if (reference.result.outcome === 'pending') expect(engine.waiting.sort()).toEqual(reference.result.waiting.map((w) => w.step).sort());
  });
});
