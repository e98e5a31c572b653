import type { LintContext, Rule } from './rules.ts';
import { isParallel, nodesOf } from '../model/catalog.ts';
import type { Step } from '../model/catalog.ts';
import type { Parallel } from '../../generated/types/service.ts';

/**
 * Countersign variants are meaningful (docs/countersign.md): `atLeast` only on `parallel: all` and below
 * the number of steps, never on 依次审批 (`parallel: sequence`); `when` only on a step inside a countersign
 * (a lone step uses an `if` branch); two neighbours in a 依次审批 not held by the same people.
 */
export const countersignVariantsAreSound: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    for (const { node, path } of nodesOf(s.value.workflow?.steps)) {
      if (isParallel(node)) {
        if (node.parallel === 'sequence') sameHolderInTurn(node).forEach(([i, first, second]) => ctx.report(s, 'countersign/sequence-same-holder', [...path, 'steps', i + 1], { id: node.id, first: first.id, second: second.id, holder: holderOf(first) }, { key: true }));
        if (node.atLeast === undefined) continue;
        const args = { id: node.id, atLeast: node.atLeast, members: node.steps.length };
        if (node.parallel === 'any') ctx.report(s, 'countersign/at-least-any', [...path, 'atLeast'], args);
        else if (node.parallel === 'sequence') ctx.report(s, 'countersign/at-least-sequence', [...path, 'atLeast'], args);
        else if (node.atLeast > node.steps.length) ctx.report(s, 'countersign/at-least-too-many', [...path, 'atLeast'], args);
        else if (node.atLeast === node.steps.length) ctx.report(s, 'countersign/at-least-all', [...path, 'atLeast'], args);
      } else if (!('if' in node) && !('by' in node) && !('system' in node) && !('publicity' in node) && !('payment' in node) && node.when !== undefined && !inCountersign(path)) {
        ctx.report(s, 'countersign/when-outside', [...path, 'when'], { step: node.id }, { key: true });
      }
    }
  }
};

/** Who holds a member, as written: `group@scope`, `group@department` for a department scope, `group` for the university. */
function holderOf(step: Step): string {
  if (step.scope === 'university') return step.group;
  return `${step.group}@${step.scope === 'department' ? step.department : step.scope}`;
}

/** Neighbours in a 依次审批 held by the same group@scope: `[index of the first, first, second]`. */
function sameHolderInTurn(node: Parallel): [number, Step, Step][] {
  return node.steps.slice(1).flatMap((second, i): [number, Step, Step][] => {
    const first = node.steps[i];
    return !first.when && !second.when && !first.fallback && !second.fallback && holderOf(first) === holderOf(second) ? [[i, first, second]] : [];
  });
}

/** A countersign's member has the path …, <i>, 'steps', <j>; a step in a sequence ends …, <i>. */
function inCountersign(path: (string | number)[]): boolean {
  return path.length >= 4 && path[path.length - 2] === 'steps' && path[path.length - 3] !== 'workflow';
}
