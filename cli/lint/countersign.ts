import type { LintContext, Rule } from './rules.ts';
import { isParallel, nodesOf } from '../model/catalog.ts';

/**
 * Countersign variants are meaningful (docs/countersign.md): `atLeast` only on `parallel: all` and below
 * the number of steps; `when` only on a step inside a countersign (a lone step uses an `if` branch).
 */
export const countersignVariantsAreSound: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    for (const { node, path } of nodesOf(s.value.workflow?.steps)) {
      if (isParallel(node)) {
        if (node.atLeast === undefined) continue;
        const args = { id: node.id, atLeast: node.atLeast, members: node.steps.length };
        if (node.parallel === 'any') ctx.report(s, 'countersign/at-least-any', [...path, 'atLeast'], args);
        else if (node.atLeast > node.steps.length) ctx.report(s, 'countersign/at-least-too-many', [...path, 'atLeast'], args);
        else if (node.atLeast === node.steps.length) ctx.report(s, 'countersign/at-least-all', [...path, 'atLeast'], args);
      } else if (!('if' in node) && !('by' in node) && !('system' in node) && !('publicity' in node) && node.when !== undefined && !inCountersign(path)) {
        ctx.report(s, 'countersign/when-outside', [...path, 'when'], { step: node.id }, { key: true });
      }
    }
  }
};

/** A countersign's member has the path …, <i>, 'steps', <j>; a step in a sequence ends …, <i>. */
function inCountersign(path: (string | number)[]): boolean {
  return path.length >= 4 && path[path.length - 2] === 'steps' && path[path.length - 3] !== 'workflow';
}
