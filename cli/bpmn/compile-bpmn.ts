import { parseExpression } from 'feelin';
import { DEFAULT_CLOCK, evaluateFeel } from '../../lib/interpret/feel.ts';
import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import { canonicalJson } from '../../lib/shared/canonical.ts';
import { compileForms } from './compile-forms.ts';
import { compileProcess } from './compile-process.ts';
import { layoutDefinitions } from './layout.ts';
import { bpmnModel, writeBpmnXml } from './xml.ts';
import type { BpmnElement, BpmnFactory } from './xml.ts';

export interface CompiledBpmn {
  /** The laid-out BPMN 2.0 XML. */
  bpmn: string;
  /** Camunda forms (form-js JSON text) by name, e.g. `apply`, `revise`, `review-<step>`. */
  forms: Map<string, string>;
}

/**
 * One service version as a Camunda 8 deployment: the laid-out process and its linked forms.
 * Deterministic: the same definition and name give the same bytes. Throws only on a bug (a
 * condition the catalog checks should have rejected).
 */
export async function compileBpmn(definition: RuntimeDefinition, serviceName: string): Promise<CompiledBpmn> {
  const bpmn = writeBpmnXml(processDefinitions(bpmnModel, definition, serviceName));
  const forms = new Map<string, string>();
  for (const [name, form] of compileForms(definition, serviceName)) forms.set(name, canonicalJson(form));
  return { bpmn, forms };
}

/**
 * The laid-out `bpmn:Definitions` of one service version, built with `model`: the export's own (./xml.ts),
 * or a bpmn-moddle instance, whose writer the tests hold ./xml.ts's to.
 */
export function processDefinitions(model: BpmnFactory, definition: RuntimeDefinition, serviceName: string): BpmnElement {
  const { definitions, conditions } = compileProcess(model, definition, serviceName);
  for (const condition of conditions) assertZeebeCondition(condition, definition.id);
  layoutDefinitions(model, definitions, definition);
  return definitions;
}

/**
 * Zeebe rejects a condition without a leading `=` at deploy time, and bpmnlint does not notice. feelin
 * recovers silently from some syntax errors, so the parse tree is searched for error nodes and stray
 * unary tests, and the condition must yield true or false with no variables at all: every condition the export writes is an
 * equality (`… = true`, `decision_x = "approve"`), which is false, not null, when its operand is null.
 */
export function assertZeebeCondition(condition: string, serviceId: string): void {
  const problem = zeebeConditionProblem(condition);
  if (problem) throw new Error(`BPMN export of ${serviceId}: condition ${JSON.stringify(condition)} ${problem} (hall check should have rejected it)`);
}

/**
 * Conditions already found sound, by their text: the same few conditions (`=decision_review = "approve"`,
 * the routing guards) recur in most services' processes, and each check parses and evaluates FEEL.
 */
const sound = new Set<string>();
const SOUND = 20_000;

/** Why a condition cannot go into a Zeebe process, or undefined when it can. */
export function zeebeConditionProblem(condition: string): string | undefined {
  if (sound.has(condition)) return undefined;
  const problem = conditionProblem(condition);
  // Only a sound verdict is kept: a problem may be a time budget overrun, which a calmer moment would not repeat.
  if (problem === undefined) {
    if (sound.size >= SOUND) sound.clear();
    sound.add(condition);
  }
  return problem;
}

/** A condition's verdict, as a function of its text alone (no context, a fixed clock). */
function conditionProblem(condition: string): string | undefined {
  if (!condition.startsWith('=')) return 'does not start with "="';
  let tree;
  try {
    tree = parseExpression(condition.slice(1), {}, undefined);
  } catch (error) {
    return `is not valid FEEL: ${(error as Error).message}`;
  }
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) return `is not valid FEEL near character ${cursor.from + 2}`;
    // feelin reads `a = = 1` as a comparison with a unary test; FEEL allows unary tests only after `in`.
    if (cursor.type.name === 'SimplePositiveUnaryTest' && cursor.node.parent?.type.name !== 'PositiveUnaryTest') {
      return `is not valid FEEL near character ${cursor.from + 2}`;
    }
  } while (cursor.next());
  const outcome = evaluateFeel(condition.slice(1), {}, DEFAULT_CLOCK);
  if (!outcome.ok) return `is not valid FEEL: ${outcome.failure.message.en}`;
  return typeof outcome.value === 'boolean' ? undefined : 'is not valid FEEL: it does not yield true or false';
}
