import type { LintContext, Rule } from './rules.ts';
import { isApplicantStep, isParallel, isPaymentStep, isPublicityStep, isSystemStep, nodesOf, publicityStepsOf } from '../model/catalog.ts';
import { approvalBefore } from './after-approval.ts';

/** The work days a period may last (docs/publicity.md): the schema allows more, for a clearer message here. */
export const PUBLICITY_DAYS = { min: 1, max: 20 } as const;

/** Publicity periods (issue 15.2) last 1–20 work days, and their objections lead to a review that can reject. */
export const publicityPeriodsAreSound: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    for (const { step, path } of publicityStepsOf(s.value.workflow?.steps)) {
      const days = step.publicity.days;
      if (days < PUBLICITY_DAYS.min || days > PUBLICITY_DAYS.max) {
        const detail = days < PUBLICITY_DAYS.min ? { zh: '公示期至少 1 个工作日。', en: 'a period lasts at least 1 work day.' } : { zh: '超过 20 个工作日，结果迟迟不能生效。', en: 'over 20 work days, the result waits too long.' };
        ctx.report(s, 'publicity/days-out-of-range', [...path, 'publicity', 'days'], { step: step.id, days, detail });
      }
      const objections = step.objections ?? [];
      if (!objections.length) {
        ctx.report(s, 'publicity/no-objection-steps', step.objections ? [...path, 'objections'] : [...path, 'publicity'], { step: step.id }, { key: true });
        continue;
      }
      // nodesOf walks into branches and countersigns: any step there that may reject can overturn the result.
      const canReject = [...nodesOf(objections)].some(({ node }) => !('if' in node) && !isParallel(node) && !isApplicantStep(node) && !isSystemStep(node) && !isPublicityStep(node) && !isPaymentStep(node) && node.actions.includes('reject'));
      if (!canReject) ctx.report(s, 'publicity/review-cannot-reject', [...path, 'objections'], { step: step.id }, { key: true });
    }
  }
};

/** A period publishes a result: on every way through the workflow some approval (or countersign) comes before it. */
export const publicityFollowsApproval: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    const steps = s.value.workflow?.steps;
    if (!steps) continue;
    for (const { node, path, approved } of approvalBefore(steps)) {
      if (!approved && isPublicityStep(node)) ctx.report(s, 'publicity/before-approval', [...path, 'publicity'], { step: node.id }, { key: true });
    }
  }
};
