import type { RuntimePublicity } from '../../generated/types/runtime/definition.ts';
import { calendarDays } from './names.ts';

/**
 * A publicity period (issue 15.2, docs/publicity.md) as Camunda 8 runs it:
 *
 *   公示开始 (none throw event: `<variable>` = false, the end instant) → merge → event-based gateway
 *     ├─ message catch 收到异议 (`<variable>` = true) → back to the merge: more objections may follow
 *     └─ timer catch 公示期满 (timeDate: the end instant) → the objection branch compiled after the period
 *
 * So the period ends when it ends, however many objections came, as in the hall. Camunda has no work
 * calendar: the period is `calendarDays(days)` calendar days, as every deadline is (docs/camunda.md).
 */

/** The message a school's integration publishes for an objection (suffixed `-<step id>`), correlated by the instance's `applicationId`. */
export const OBJECTION_MESSAGE = 'servicehall-objection';

/** The process variable holding the application's id, the objection message's correlation key. */
export const APPLICATION_ID_VAR = 'applicationId';

/** The process variable holding the instant the period ends. */
export const endsVar = (step: RuntimePublicity): string => `${step.variable}_ends`;

/** The period as an ISO duration, in calendar days. */
export const periodDuration = (step: RuntimePublicity): string => `P${calendarDays(step.days)}D`;

export const publicityIds = (id: string) => ({
  published: `Event_${id}_published`,
  open: `Gateway_${id}_open`,
  wait: `Gateway_${id}_wait`,
  objection: `Event_${id}_objection`,
  ended: `Event_${id}_ended`,
  message: `Message_${id}_objection`,
});
