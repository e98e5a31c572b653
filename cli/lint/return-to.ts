import { closest } from '../diagnostics/suggest.ts';
import type { Rule } from './rules.ts';
import { stepsOf } from '../model/catalog.ts';

/**
 * Returns to a chosen step (issue 15.5, docs/return-to.md) are sound: every `returnTo` names a plain step
 * of the workflow that comes before the returning step on its route, and the step allows `return`.
 * A member of a 依次审批 may also name an earlier member of the same sequence.
 * A step's key path (workflow.steps.<i>[.then|.else|.steps.<j>]…) says where it stands: the first place
 * two paths differ is either an index in one sequence (which comes first) or the two arms of one branch.
 */
export const returnTargetsComeEarlier: Rule = (ctx) => {
  for (const s of ctx.catalog.services.values()) {
    const steps = [...stepsOf(s.value.workflow?.steps)];
    const where = new Map(steps.map(({ step, path }) => [step.id, path]));
    for (const { step, path } of steps) {
      if (!step.returnTo) continue;
      if (!step.actions.includes('return')) ctx.report(s, 'return/without-return', [...path, 'returnTo'], { step: step.id });
      step.returnTo.forEach((target, i) => {
        const at = [...path, 'returnTo', i];
        const targetPath = where.get(target);
        if (!targetPath) {
          const near = closest(target, where.keys());
          ctx.report(s, 'return/unknown-target', at, { step: step.id, target, ...(near ? { suggest: near } : {}) });
          return;
        }
        const memberAt = targetPath.indexOf('steps', 2);
        if (memberAt >= 0) {
          const countersign = targetPath.slice(0, memberAt);
          const node = countersign.reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], s.value) as { id: string; parallel: string };
          // 依次审批 (docs/countersign.md): a later member may return to an earlier one of the same sequence, which resumes there.
          const sameSequence = node.parallel === 'sequence' && path.length === targetPath.length && countersign.every((key, k) => path[k] === key);
          if (!sameSequence) {
            ctx.report(s, 'return/member-target', at, { step: step.id, target, countersign: node.id });
            return;
          }
        }
        const reason = notEarlier(targetPath, path);
        if (reason) ctx.report(s, 'return/target-not-earlier', at, { step: step.id, target, reason });
      });
    }
  }
};

/** Why the step at `target` does not come before the step at `from` on its route, or undefined when it does. */
function notEarlier(target: (string | number)[], from: (string | number)[]): { zh: string; en: string } | undefined {
  if (target.join('.') === from.join('.')) return { zh: '不能退回到本环节自己（要重新办理，退回申请人）。', en: 'a step cannot return to itself (return to the applicant instead).' };
  let k = 0;
  while (k < target.length && k < from.length && target[k] === from[k]) k++;
  const [a, b] = [target[k], from[k]];
  if (typeof a === 'number' && typeof b === 'number') return a < b ? undefined : { zh: '它在本环节之后。', en: 'it comes after this step.' };
  return { zh: '它与本环节在条件分支的不同路线上，经过本环节的申请不会经过它。', en: 'it is on another arm of a branch: an application at this step never passed it.' };
}
