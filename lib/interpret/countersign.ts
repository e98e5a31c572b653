import type { RuntimeParallel, RuntimeStep } from '../../generated/types/runtime/definition.ts';

/**
 * Countersign variants (docs/countersign.md), shared by the interpreter, the BPMN export and lint:
 *
 * - a member with `when` takes part only when its condition holds as the countersign starts (a
 *   condition that is null counts as false, as a branch's does);
 * - `atLeast: n` (n of m, `parallel: all` only) passes once n members approved and fails once so many
 *   rejected that n approvals can no longer be reached. When fewer than n members take part, every one
 *   of them must approve. The tasks still open when it is decided are withdrawn;
 * - `parallel: sequence` (依次审批) gives the members their tasks one at a time, in the order listed: the
 *   next once the one before approved; a reject ends the application; a return to the applicant resumes
 *   at the returning member. Members with `when` are judged as it starts, like the other modes'.
 */

/** The members that take part: those without a condition, and those whose condition holds. */
export function countersignMembers(node: RuntimeParallel, holds: (condition: string) => boolean): RuntimeStep[] {
  return node.steps.filter((step) => step.when === undefined || holds(step.when));
}

/** How many approvals a countersign of `all` mode needs among the members taking part. */
export function approvalsNeeded(node: Pick<RuntimeParallel, 'atLeast'>, members: number): number {
  return node.atLeast === undefined ? members : Math.min(node.atLeast, members);
}

export type Tally = 'passed' | 'failed' | 'open';

/** Where an `all` countersign stands after some of its members decided. */
export function tally(needed: number, members: number, approved: number, rejected: number): Tally {
  if (approved >= needed) return 'passed';
  if (members - rejected < needed) return 'failed';
  return 'open';
}
