import type { LintContext, Rule } from './rules.ts';
import { applicantStepsOf, fieldsOf, isApplicantStep } from '../model/catalog.ts';
import { approvalBefore } from './after-approval.ts';

/**
 * Applicant steps (issue 15.1) follow an approval: on every way through the workflow, some approval step
 * (or countersign) comes before the applicant's own step. Their fields share the form's namespace.
 */
export const applicantStepsFollowApproval: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    const steps = s.value.workflow?.steps;
    if (!steps) continue;
    for (const { node, path, approved } of approvalBefore(steps)) {
      if (!approved && isApplicantStep(node)) ctx.report(s, 'applicant-step/before-approval', [...path, 'by'], { step: node.id });
    }
    // Fields the applicant fills in at the step: one namespace with the form's (later conditions read them).
    const formIds = new Set([...fieldsOf(s.value)].map(({ field }) => field.id));
    for (const { step, path } of applicantStepsOf(steps)) {
      (step.fields ?? []).forEach((f, i) => {
        if (formIds.has(f.id)) ctx.report(s, 'catalog/duplicate-id', [...path, 'fields', i, 'id'], { what: { zh: '字段', en: 'field' }, id: f.id, other: 'form' });
      });
    }
  }
};

/** An applicant step's `dueAfter` names a date (or date range) field of the form. */
export const applicantStepsCountFromADate: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    const fields = new Map([...fieldsOf(s.value)].map(({ field }) => [field.id, field]));
    for (const { step, path } of applicantStepsOf(s.value.workflow?.steps)) {
      if (step.dueAfter === undefined) continue;
      const field = fields.get(step.dueAfter);
      if (field && (field.type === 'date' || field.type === 'daterange')) continue;
      const detail = field
        ? { zh: `它是 ${field.type} 类型，不是日期。`, en: `which is a ${field.type} field, not a date.` }
        : { zh: '表单中没有这个字段。', en: 'which is not a field of the form.' };
      ctx.report(s, 'applicant-step/due-after-not-date', [...path, 'dueAfter'], { step: step.id, field: step.dueAfter, detail });
    }
  }
};
