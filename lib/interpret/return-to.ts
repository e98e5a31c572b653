import type { RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';

/**
 * Return to a chosen step (退回到指定环节, issue 15.5; docs/return-to.md). A step may list earlier steps in
 * `returnTo`; its assignee may then send the application back to one of them instead of to the applicant,
 * and the flow re-runs from that step: the target gets a new task, and everything after it runs again
 * (branch conditions are judged again). Only a step the application passed in this run can be chosen.
 * Shared by the interpreter, the runtime's return form and lint.
 */

/** The signal a return to a step raises: the flow re-runs from `target`. */
export class ReturnToStep extends Error {
  readonly target: string;
  constructor(target: string) {
    super(`return to ${target}`);
    this.target = target;
  }
}

/** Whether `node` is, or holds in a branch, the plain step `id` (a countersign's members are not targets). */
export function holdsStep(node: RuntimeNode, id: string): boolean {
  if (node.kind === 'step') return node.id === id;
  if (node.kind !== 'branch') return false;
  return node.then.some((n) => holdsStep(n, id)) || node.else.some((n) => holdsStep(n, id));
}

/**
 * The targets a return from `step` may choose now: those it declares that the application passed
 * (`passed`: the plain steps approved since the flow last re-ran from before them), in the declared order.
 */
export function returnTargetsNow(step: Pick<RuntimeStep, 'returnTo'>, passed: readonly string[]): string[] {
  return (step.returnTo ?? []).filter((id) => passed.includes(id));
}

/** Why a decision's `returnTo` cannot be taken, or undefined when it can. */
export function returnToProblem(step: Pick<RuntimeStep, 'id' | 'returnTo'>, decision: { action: string; returnTo?: string }, passed: readonly string[]): { zh: string; en: string } | undefined {
  if (decision.returnTo === undefined) return undefined;
  if (decision.action !== 'return') return { zh: `只有“退回”可以指定退回的环节（环节“${step.id}”的决定是“${decision.action}”）`, en: `only a return names a step to return to (step "${step.id}" decided "${decision.action}")` };
  if (!(step.returnTo ?? []).includes(decision.returnTo)) {
    return { zh: `环节“${step.id}”不能退回到“${decision.returnTo}”：可退回的环节是 ${(step.returnTo ?? []).join('、') || '（无，只能退回申请人）'}`, en: `step "${step.id}" cannot return to "${decision.returnTo}": its return targets are ${(step.returnTo ?? []).join(', ') || '(none: the applicant only)'}` };
  }
  if (!passed.includes(decision.returnTo)) return { zh: `本申请没有经过环节“${decision.returnTo}”，不能退回到那里`, en: `this application has not passed step "${decision.returnTo}"; it cannot return there` };
  return undefined;
}

/** `passed` after a return to `target`: the steps from the target on are to be decided again. */
export function passedBefore(passed: readonly string[], target: string): string[] {
  const at = passed.lastIndexOf(target);
  return at < 0 ? [...passed] : passed.slice(0, at);
}
