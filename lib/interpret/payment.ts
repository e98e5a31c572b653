import type { RuntimeNode, RuntimePayment } from '../../generated/types/runtime/definition.ts';
import type { WorkCalendar } from './calendar.ts';
import { yuanText } from './fees.ts';

/**
 * Payment steps (issue 15.9b, docs/payment.md): once the flow reaches one, the hall orders the fee computed
 * from the form on the campus payment platform and waits for the platform's confirmation. The period to pay
 * is `days` work days on the school calendar, ending at the end of the last one. Paid (`paid`, the platform's
 * callback), the flow goes on; not paid by then (`timeout`, the hall's sweep), the branch compiled after the
 * step runs the unpaid steps, or, when the service has none, the application ends as unpaid (未缴费).
 */

/** The decision recording the platform's confirmation (its `at`: when the callback came). */
export const PAID = 'paid';

/** The decision recording the end of the period unpaid (the hall's timer). */
export const TIMEOUT = 'timeout';

export function isPaymentNode(node: RuntimeNode): node is RuntimePayment {
  return node.kind === 'payment';
}

/** The process variable a payment step sets: its id made a FEEL name no form field can have (fields have no `_`). */
export function paidVariable(stepId: string): string {
  return `paid_${stepId.replaceAll('-', '_')}`;
}

/** The id of the branch compiled after a payment step with unpaid steps. */
export function unpaidBranchId(stepId: string): string {
  return `${stepId}-unpaid`;
}

export function unpaidBranchName(): { zh: string; en: string } {
  return { zh: '未缴费？', en: 'Unpaid?' };
}

/** The order id of an application's payment step: fixed per application and step, so a retried order is the same order. */
export function orderIdOf(application: string, stepId: string): string {
  return `${application}.${stepId}`;
}

/** The period opening at `start`: its last day and the instant it ends (as a publicity period's). */
export function paymentPeriod(days: number, start: string, calendar: WorkCalendar): { until: string; endsAt: string } {
  return calendar.workdayPeriod(days, start);
}

/** Every payment step of a compiled workflow, in order (in branches too). */
export function paymentSteps(nodes: RuntimeNode[]): RuntimePayment[] {
  return nodes.flatMap((node) => (node.kind === 'payment' ? [node] : node.kind === 'branch' ? [...paymentSteps(node.then), ...paymentSteps(node.else)] : []));
}

/** What the applicant is told when the order is made. */
export function orderedText(serviceName: string, stepName: string, amountFen: number, until: string): string {
  return `【缴费】您申请的“${serviceName}”已审批通过，请在 ${until} 前完成“${stepName}”：应缴 ${yuanText(amountFen)} 元，请在申请页面点击“去缴费”，通过学校统一支付平台支付。`;
}

/** What the applicant is told when the period ended unpaid. */
export function unpaidText(serviceName: string, stepName: string, until: string): string {
  return `【缴费】您申请的“${serviceName}”未在 ${until} 前完成“${stepName}”，视为未缴费。`;
}

export const paymentDecisionProblem = (step: RuntimePayment, action: string): { zh: string; en: string } => ({
  zh: `缴费环节“${step.id}”只能记录“paid”（已缴费）或“timeout”（逾期未缴费），不能记录“${action}”`,
  en: `payment step "${step.id}" records only "paid" or "timeout", not "${action}"`,
});

export const paidLateProblem = (step: RuntimePayment, until: string): { zh: string; en: string } => ({
  zh: `“${step.name.zh}”的缴费期限 ${until} 已过，不能再记录缴费`,
  en: `the payment period of "${step.id}" ended on ${until}; a payment can no longer be recorded`,
});

export const timeoutEarlyProblem = (step: RuntimePayment, until: string): { zh: string; en: string } => ({
  zh: `“${step.name.zh}”的缴费期限到 ${until}，期限未满不能记为逾期`,
  en: `the payment period of "${step.id}" runs until ${until}; it cannot time out earlier`,
});

export const payingProblem = (step: RuntimePayment, until: string): { zh: string; en: string } => ({
  zh: `等待缴费：${step.name.zh}（至 ${until}）`,
  en: `waiting for payment: ${step.name.en ?? step.id} (until ${until})`,
});

export const unpaidProblem = (step: RuntimePayment, until: string): { zh: string; en: string } => ({
  zh: `未缴费：${step.name.zh}（期限 ${until}）`,
  en: `unpaid: ${step.name.en ?? step.id} (due ${until})`,
});

export const noFeeProblem = (step: RuntimePayment): { zh: string; en: string } => ({
  zh: `缴费环节“${step.id}”无法确定金额：事项没有按表单计算的收费项目`,
  en: `payment step "${step.id}" has no amount: the service computes no fee from the form`,
});
