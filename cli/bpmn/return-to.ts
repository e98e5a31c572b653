import type { RuntimeDefinition, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { feelString } from './names.ts';

/**
 * Returns to a chosen step (issue 15.5) in the BPMN export (docs/camunda.md, 退回到指定环节):
 *
 * - the review form of a step with `returnTo` has a `review_return_to` choice (the applicant, or one of
 *   its targets); the task maps it to the process variable `return_to_<step>`;
 * - the step's decision gateway gets one flow per target, `decision = "return" and return_to = "<target>"`,
 *   back to the target's entry gateway (a return loop per target); its return to the applicant is taken
 *   only when no target was chosen;
 * - a countersign member's target lies outside the sub-process: the member throws the error
 *   `return-to-<target>`, and a boundary event per target on the sub-process leads to the target's entry.
 *
 * Camunda cannot offer only the targets the instance passed: the form lists every declared target, and lint
 * keeps every target on the step's own route, so on Camunda a target from a branch not taken re-runs from it.
 * The hall offers only the targets passed (lib/interpret/return-to.ts).
 */

/** The review form's key for the chosen target. */
export const REVIEW_RETURN_TO_KEY = 'review_return_to';

/** Process variable: the target a step's latest return chose (null: the applicant). */
export const returnToVar = (stepId: string) => `return_to_${stepId.replace(/-/g, '_')}`;

/** Error code a countersign member throws to return to a step outside the countersign. */
export const returnToErrorCode = (target: string) => `return-to-${target}`;

/** `=`-prefixed: the step returned to `target`. */
export function returnToCondition(step: RuntimeStep, decision: string, target: string): string {
  return `=${decision} = "return" and ${returnToVar(step.id)} = ${feelString(target)}`;
}

/** `=`-prefixed: the step returned to the applicant (no target chosen). */
export function returnToApplicantCondition(step: RuntimeStep, decision: string): string {
  return `=${decision} = "return" and (${returnToVar(step.id)} = null or ${returnToVar(step.id)} = "")`;
}

/** Every step some step may return to: these get an entry gateway for the return loops to reach. */
export function returnTargetsOf(definition: RuntimeDefinition): Set<string> {
  const out = new Set<string>();
  const walk = (nodes: RuntimeNode[]) => {
    for (const node of nodes) {
      if (node.kind === 'branch') {
        walk(node.then);
        walk(node.else);
      } else if (node.kind === 'step' || node.kind === 'parallel') for (const step of node.kind === 'parallel' ? node.steps : [node]) for (const target of step.returnTo ?? []) out.add(target);
    }
  };
  walk(definition.workflow?.steps ?? []);
  return out;
}
