import type { RuntimeDefinition, RuntimePayment } from '../../generated/types/runtime/definition.ts';
import type { TypedField } from '../../lib/interpret/feel.ts';
import { calendarDays } from './names.ts';
import { zeebeTypedCondition } from './typed-condition.ts';

/**
 * A payment step (issue 15.9b, docs/payment.md) as Camunda 8 runs it:
 *
 *   应缴金额 (throw event: `<variable>_fen` = the fee items in FEEL, as assessFees computes them) → 需要缴费？
 *     ├─ > 0: 下单 (service task, job `servicehall-payment-<connector>`, reads `<variable>_fen`) → 等待缴费确认
 *     │    (receive task: message `servicehall-payment-<step>`, correlated by `applicationId`; `<variable>` = true)
 *     │    └─ interrupting boundary timer 缴费期满 (the period, in calendar days) → 逾期未缴费 (`<variable>` = false)
 *     │         → the merge (then the unpaid branch compiled after the step), or an end event 未缴费，办结
 *     └─ otherwise: 无需缴费 (`<variable>` = true)
 *   → merge
 *
 * The worker for the job orders the amount on the platform; the school's integration publishes the message
 * when the platform's signed callback confirms payment. Camunda has no work calendar: the period is
 * `calendarDays(days)` calendar days, as every deadline is (docs/camunda.md).
 */

/** The message the school's integration publishes when the platform confirms payment (suffixed `-<step id>`). */
export const PAYMENT_MESSAGE = 'servicehall-payment';

/** The job type of the order's service task: one per payment platform connector. */
export const paymentJobType = (connector: string): string => `servicehall-payment-${connector}`;

/** The period as an ISO duration, in calendar days. */
export const paymentDuration = (step: RuntimePayment): string => `P${calendarDays(step.days)}D`;

/** The process variable holding the amount owed, in fen. */
export const amountVar = (step: RuntimePayment): string => `${step.variable}_fen`;

/**
 * The fee the definition computes from the form, in fen, as one FEEL expression over the process variables
 * (lib/interpret/fees.ts in FEEL): an item counts when its `when` is true; its quantity (null as 0) times its
 * rate, or its graduated tiers, each unit at its tier's rate. Dates read as the interpreter types them.
 */
export function feeFeel(fees: RuntimeDefinition['fees'], fields: TypedField[], hasBooking: boolean): string {
  const typed = (expression: string) => zeebeTypedCondition(expression, fields, hasBooking);
  const fen = (yuan: number) => Math.round(yuan * 100);
  // A definition without fees never reaches here: hall check refuses a payment step without one (payment/no-fee).
  const terms = (fees?.items ?? []).map((item) => {
    const q = item.quantity === undefined ? '1' : `(if (${typed(item.quantity)}) = null then 0 else (${typed(item.quantity)}))`;
    let from = 0;
    const amount = item.tiers
      ? item.tiers
          .map((tier) => {
            const units = tier.upTo === undefined ? `max(0, ${q} - ${from})` : `max(0, min(${q}, ${tier.upTo}) - ${from})`;
            from = tier.upTo ?? from;
            return `${units} * ${fen(tier.rate)}`;
          })
          .join(' + ')
      : `${q} * ${fen(item.rate ?? 0)}`;
    return item.when === undefined ? `(${amount})` : `(if (${typed(item.when)}) = true then (${amount}) else 0)`;
  });
  return terms.length ? terms.join(' + ') : '0';
}

export const paymentIds = (id: string) => ({
  amount: `Event_${id}_amount`,
  owed: `Gateway_${id}_owed`,
  free: `Event_${id}_free`,
  order: `Task_${id}_order`,
  wait: `Task_${id}`,
  timeout: `Event_${id}_timeout`,
  unpaid: `Event_${id}_unpaid`,
  settled: `Gateway_${id}_settled`,
  end: `EndEvent_${id}_unpaid`,
  message: `Message_${id}_paid`,
});
