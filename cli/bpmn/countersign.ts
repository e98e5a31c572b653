import type { RuntimeParallel, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { decisionVar } from './names.ts';

/**
 * FEEL for the countersign variants (docs/countersign.md) as the BPMN export writes them. An n-of-m
 * countersign's sub-process starts with input mappings that make, in its own scope, every member's
 * decision variable null (a countersign restarted after a return counts afresh) and every member's
 * `joined_<step>` flag (its `when` condition as the countersign starts). Each approval and each
 * rejection then counts the votes with these expressions, as lib/interpret/countersign.ts does.
 */

const snake = (id: string) => id.replace(/-/g, '_');

/** Sub-process variable: whether a member takes part (its `when` held as the countersign started). */
export const joinedVar = (stepId: string) => `joined_${snake(stepId)}`;

/** Whether a countersign uses a variant the plain mapping cannot express. */
export function usesCountersignVariants(node: RuntimeParallel): boolean {
  return node.atLeast !== undefined || node.steps.some((step) => step.when !== undefined) || node.returnReopens === 'member';
}

/**
 * Whether approvals are counted (no parallel join): n of m, and an `all` countersign whose members loop back
 * on a return (`returnReopens: member`, issue 15.5) — a loop inside a parallel branch before a join is what
 * BPMN engines that discard untaken flows (bpmn-engine) cannot run, so every member's approval checks the
 * count instead, which Zeebe runs the same.
 */
export function countsApprovals(node: RuntimeParallel): boolean {
  return node.mode === 'all' && (node.atLeast !== undefined || node.returnReopens === 'member');
}

const joined = (step: RuntimeStep) => (step.when === undefined ? 'true' : `${joinedVar(step.id)} = true`);

/** Approvals so far. */
export function approvalsFeel(node: RuntimeParallel): string {
  return `count([${node.steps.map((s) => decisionVar(s.id)).join(', ')}][item = "approve"])`;
}

/** Approvals needed: atLeast, or every member taking part when fewer take part. */
export function neededFeel(node: RuntimeParallel): string {
  const taking = `count([${node.steps.map(joined).join(', ')}][item = true])`;
  return node.atLeast === undefined ? taking : `min([${node.atLeast}, ${taking}])`;
}

/** Members taking part that have not rejected: the most approvals still reachable. */
export function possibleFeel(node: RuntimeParallel): string {
  return `count([${node.steps.map((s) => `(${joined(s)}) and ${decisionVar(s.id)} != "reject"`).join(', ')}][item = true])`;
}

/** `=`-prefixed: enough members approved, the countersign passes. */
export function passedCondition(node: RuntimeParallel): string {
  return `=${approvalsFeel(node)} >= ${neededFeel(node)}`;
}

/** `=`-prefixed: so many rejected that the countersign can no longer pass. */
export function failedCondition(node: RuntimeParallel): string {
  return `=${possibleFeel(node)} < ${neededFeel(node)}`;
}
