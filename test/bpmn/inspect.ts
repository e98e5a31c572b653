import { BpmnModdle } from 'bpmn-moddle';
import type { ModdleElement } from 'bpmn-moddle';
import { Linter } from 'bpmnlint';
import type { LintReport } from 'bpmnlint';
import NodeResolver from 'bpmnlint/lib/resolver/node-resolver.js';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import { expect } from 'vitest';
import { zeebeConditionProblem } from '../../cli/bpmn/compile-bpmn.ts';

/** The Camunda 8 profiles the export is linted against: the version it targets and the newest known. */
export const LINT_PROFILES = ['camunda-cloud-8-7', 'camunda-cloud-8-10'] as const;

/** Parse BPMN with the Zeebe extension registered (without it, zeebe:* elements pass unchecked). */
export async function parseBpmn(xml: string) {
  return new BpmnModdle({ zeebe }).fromXML(xml);
}

/**
 * bpmnlint's recommended rules plus Camunda 8 compatibility. A fresh Linter per file: rule instances keep
 * state, and one Linter reused across files reports sequence flows of earlier files as duplicates.
 */
export async function lintBpmn(definitions: ModdleElement, profile: (typeof LINT_PROFILES)[number]): Promise<(LintReport & { rule: string })[]> {
  const linter = new Linter({ config: { extends: ['bpmnlint:recommended', `plugin:camunda-compat/${profile}`] }, resolver: new NodeResolver() });
  const reports = await linter.lint(definitions);
  return Object.entries(reports).flatMap(([rule, list]) => list.map((r) => ({ ...r, rule })));
}

/** Every element of a parsed document, depth first. */
export function allElements(root: ModdleElement): ModdleElement[] {
  const out: ModdleElement[] = [];
  const visit = (element: ModdleElement) => {
    out.push(element);
    for (const child of [...(element.rootElements ?? []), ...(element.flowElements ?? [])]) visit(child);
  };
  visit(root);
  return out;
}

/** Every sequence flow condition's body. */
export function conditionsOf(root: ModdleElement): string[] {
  return allElements(root)
    .filter((e) => e.$type === 'bpmn:SequenceFlow' && e.conditionExpression)
    .map((e) => e.conditionExpression.body as string);
}

/**
 * What Camunda 8 needs of an exported process: no finding of bpmnlint's Camunda profiles, every condition in
 * `=FEEL` that Zeebe accepts, and a default flow on every exclusive split (a case no condition matches must not
 * stop the instance). Asserted with vitest's `expect`, named by profile, condition or gateway.
 */
export async function expectDeployable(root: ModdleElement): Promise<void> {
  for (const profile of LINT_PROFILES) {
    const reports = await lintBpmn(root, profile);
    expect(reports.map((r) => `${r.category} ${r.rule} ${r.id}: ${r.message}`), profile).toEqual([]);
  }
  for (const condition of conditionsOf(root)) expect(zeebeConditionProblem(condition), condition).toBeUndefined();
  for (const gateway of allElements(root).filter((e) => e.$type === 'bpmn:ExclusiveGateway' && e.outgoing?.length > 1)) expect(gateway.default, gateway.id).toBeDefined();
}
