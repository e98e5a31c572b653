import type { LintContext, Rule } from './rules.ts';
import { stepsOf } from '../model/catalog.ts';

/**
 * Lint rules for approver actions (issue 15.6): a batched step has nothing to fill in, and a scenario's
 * hand-over names its person. (Camunda 8's limits are documented in docs/camunda.md, not linted: the
 * example catalog uses 加签, which the hall runs, and a warning would stand on every such step.)
 */

/** 批量审批 approves many cases with one press: a step whose assignee fills in fields cannot be batched. */
export const batchedStepsHaveNoFields: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    for (const { step, path } of stepsOf(s.value.workflow?.steps)) {
      if (step.batch && step.fields?.length) ctx.report(s, 'workflow/batch-with-fields', [...path, 'batch'], { step: step.id, fields: step.fields.map((f) => f.id).join(', ') });
    }
  }
};

/** A scenario's transfer, add-approver or delegate says whom it goes to; only add-approver has a position. */
export const scenarioHandOversNamePeople: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    s.value.scenarios?.forEach((scenario, i) => {
      scenario.decisions.forEach((d, j) => {
        const at = ['scenarios', i, 'decisions', j];
        if ((d.action === 'transfer' || d.action === 'add-approver' || d.action === 'delegate') && !d.to) ctx.report(s, 'scenario/hand-over-needs-person', [...at, 'action'], { index: j + 1, action: d.action, step: d.step });
        if (d.position && d.action !== 'add-approver') ctx.report(s, 'scenario/position-without-add-approver', [...at, 'position'], { index: j + 1, action: d.action });
      });
    });
  }
};
