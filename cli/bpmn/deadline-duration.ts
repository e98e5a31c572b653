import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { TypedField } from '../../lib/interpret/feel.ts';
import { deadlineHours, hasHoursDeadline } from '../../lib/interpret/deadline.ts';
import type { DeadlineValue } from '../../lib/interpret/deadline.ts';
import { calendarDays } from './names.ts';
import { zeebeTypedCondition } from './typed-condition.ts';

/**
 * One deadline as an ISO duration: hours as they are, `PT2H` (clock hours, as the hall counts them);
 * work days as calendar days (see {@link calendarDays}), `offset` work days taken off (a reminder
 * before it), never below zero. `half` gives an hours deadline's reminder: half of it, `PT1H` of
 * `PT2H`, `PT1H30M` of `PT3H`.
 */
function isoDuration(value: DeadlineValue, offset: number, half: boolean): string {
  const hours = deadlineHours(value);
  if (hours === undefined) return `P${calendarDays(Math.max(0, Number(value) - offset))}D`;
  if (!half) return `PT${hours}H`;
  return hours % 2 === 0 ? `PT${hours / 2}H` : `PT${(hours - 1) / 2 === 0 ? '' : `${(hours - 1) / 2}H`}30M`;
}

/**
 * A step's timer duration in Zeebe (issue 15.7). A fixed deadline is an ISO duration, `P5D` or `PT2H`;
 * a form-dependent one (`deadlineWhen`) is a FEEL expression Zeebe evaluates when the task opens,
 * choosing as the interpreter does: the first rule whose condition is true, else the step's `deadline`
 * (`=if (urgent = true) = true then "PT2H" else "P5D"`). `reminder` gives the reminder timer instead:
 * `offset` work days before a work-day deadline, half way through an hours one.
 */
export function deadlineDuration(step: Pick<RuntimeStep, 'deadline' | 'deadlineWhen'>, fields: TypedField[], hasBooking: boolean, offset = 0, reminder = false): string {
  const iso = (value: DeadlineValue) => isoDuration(value, offset, reminder);
  if (!step.deadlineWhen) return iso(step.deadline);
  const choices = step.deadlineWhen.map((rule) => `if (${zeebeTypedCondition(rule.condition, fields, hasBooking)}) = true then "${iso(rule.deadline)}" else `).join('');
  return `=${choices}"${iso(step.deadline)}"`;
}

/**
 * Whether a step has a reminder timer: a work-day `reminder` that leaves time before the deadline, or any
 * hours deadline (the hall reminds half way through it, so the process does too).
 */
export function hasReminder(step: Pick<RuntimeStep, 'deadline' | 'deadlineWhen' | 'reminder'>): boolean {
  if (hasHoursDeadline(step)) return true;
  return step.reminder !== undefined && Number(step.deadline) - step.reminder > 0;
}

/** The deadline as a label says it: `3 个工作日`, `2 小时`, or, when it depends on the form, every value it can take (`0/3 个工作日`, `2 小时/1 个工作日`). */
export function deadlineLabel(step: Pick<RuntimeStep, 'deadline' | 'deadlineWhen'>): string {
  const values = [step.deadline, ...(step.deadlineWhen ?? []).map((rule) => rule.deadline)];
  const hours = [...new Set(values.map(deadlineHours).filter((h): h is number => h !== undefined))].sort((a, b) => a - b);
  const days = [...new Set(values.filter((v) => deadlineHours(v) === undefined).map(Number))].sort((a, b) => a - b);
  return [hours.length ? `${hours.join('/')} 小时` : '', days.length ? `${days.join('/')} 个工作日` : ''].filter(Boolean).join('/');
}
