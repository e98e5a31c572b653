import type { LintContext, Rule } from './rules.ts';
import { stepsOf } from '../model/catalog.ts';

/** A fallback scope serves only a step assigned by a value that may be missing (docs/routing.md). */
export const fallbackScopesAreUsed: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    for (const { step, path } of stepsOf(s.value.workflow?.steps)) {
      if (step.fallback === undefined) continue;
      const reference = step.scope === 'department' ? step.department : step.scope;
      if (!reference.startsWith('applicant.') && !reference.startsWith('form.')) ctx.report(s, 'scope/fallback-unused', [...path, 'fallback'], { step: step.id, reference });
    }
  }
};
