import type { RuntimePayment } from '../../generated/types/runtime/definition.ts';
import { calendarDays } from './names.ts';

/**
 * A payment step (issue 15.9b, docs/payment.md) as Camunda 8 runs it:
 *
 *   下单 (service task, job `servicehall-payment-<connector>`) → 等待缴费确认 (receive task: message
 *     `servicehall-payment-<step>`, correlated by `applicationId`; `<variable>` = true) → merge
 *     └─ interrupting boundary timer 缴费期满 (the period, in calendar days) → 逾期未缴费 (`<variable>` = false)
 *          → the merge (then the unpaid branch compiled after the step), or an end event 未缴费，办结
 *
 * The worker for the job orders the fee on the platform (the amount from the definition's `fees`, as
 * servicehall/interpret's assessFees computes it) and the school's integration publishes the message when the
 * platform's signed callback confirms payment. Camunda has no work calendar: the period is
 * `calendarDays(days)` calendar days, as every deadline is (docs/camunda.md).
 */

/** The message the school's integration publishes when the platform confirms payment (suffixed `-<step id>`). */
export const PAYMENT_MESSAGE = 'servicehall-payment';

/** The job type of the order's service task: one per payment platform connector. */
export const paymentJobType = (connector: string): string => `servicehall-payment-${connector}`;

/** The period as an ISO duration, in calendar days. */
export const paymentDuration = (step: RuntimePayment): string => `P${calendarDays(step.days)}D`;

export const paymentIds = (id: string) => ({
  order: `Task_${id}_order`,
  wait: `Task_${id}`,
  timeout: `Event_${id}_timeout`,
  unpaid: `Event_${id}_unpaid`,
  settled: `Gateway_${id}_settled`,
  end: `EndEvent_${id}_unpaid`,
  message: `Message_${id}_paid`,
});
