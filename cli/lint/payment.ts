import type { LintContext, Rule } from './rules.ts';
import { isPaymentStep, nodesOf, paymentStepsOf } from '../model/catalog.ts';
import { approvalBefore } from './after-approval.ts';

/** The work days a payment period may last (docs/payment.md): the schema allows more, for a clearer message here. */
export const PAYMENT_DAYS = { min: 1, max: 30 } as const;

/**
 * Payment steps (issue 15.9b) order a fee the service computes from the form, through a payment platform
 * hall.yaml declares, within 1–30 work days; and an application orders once (no payment inside unpaid steps
 * or objections, where it would be a second order).
 */
export const paymentStepsAreSound: Rule = (ctx: LintContext) => {
  const declared = ctx.catalog.hall?.value.connectors ?? [];
  const ids = new Set(declared.map((c) => c.id));
  for (const s of ctx.catalog.services.values()) {
    const computed = (s.value.guide.fees.items ?? []).some((item) => item.amount);
    for (const { step, path } of paymentStepsOf(s.value.workflow?.steps)) {
      if (!computed) ctx.report(s, 'payment/no-fee', [...path, 'payment'], { step: step.id }, { key: true });
      const days = step.payment.days;
      if (days < PAYMENT_DAYS.min || days > PAYMENT_DAYS.max) {
        const detail = days < PAYMENT_DAYS.min ? { zh: '至少给申请人 1 个工作日缴费。', en: 'the applicant needs at least 1 work day to pay.' } : { zh: '超过 30 个工作日，场地和名额长期占着不能另行安排。', en: 'over 30 work days, the venue or place stays held too long.' };
        ctx.report(s, 'payment/days-out-of-range', [...path, 'payment', 'days'], { step: step.id, days, detail });
      }
      if (!ids.has(step.payment.connector)) {
        ctx.report(s, 'payment/unknown-connector', [...path, 'payment', 'connector'], { step: step.id, connector: step.payment.connector, known: declared.length ? declared.map((c) => c.id).join('、') : '（hall.yaml 尚未声明任何接口 / none declared yet）' });
      }
      const nested = [...nodesOf(step.unpaid ?? [], [...path, 'unpaid'])].filter(({ node }) => isPaymentStep(node));
      for (const { node, path: p } of nested) ctx.report(s, 'payment/second-order', [...p, 'payment'], { step: node.id }, { key: true });
    }
    for (const { node, path } of nodesOf(s.value.workflow?.steps)) {
      if (!('publicity' in node)) continue;
      for (const { node: inner, path: p } of nodesOf(node.objections ?? [], [...path, 'objections'])) if (isPaymentStep(inner)) ctx.report(s, 'payment/second-order', [...p, 'payment'], { step: inner.id }, { key: true });
    }
  }
};

/** A payment step charges for an approved application: on every way through the workflow an approval comes before it. */
export const paymentFollowsApproval: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    const steps = s.value.workflow?.steps;
    if (!steps) continue;
    for (const { node, path, approved } of approvalBefore(steps)) {
      if (!approved && isPaymentStep(node)) ctx.report(s, 'payment/before-approval', [...path, 'payment'], { step: node.id }, { key: true });
    }
  }
};
