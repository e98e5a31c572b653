import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { TypedField } from '../../lib/interpret/feel.ts';
import { calendarDays } from './names.ts';
import { zeebeTypedCondition } from './typed-condition.ts';

/**
 * A step's timer duration in Zeebe (issue 15.7). A fixed deadline is an ISO duration, `P5D`; a
 * form-dependent one (`deadlineWhen`) is a FEEL expression Zeebe evaluates when the task opens, choosing
 * as the interpreter does: the first rule whose condition is true, else the step's `deadline`
 * (`=if (urgent = true) = true then "P1D" else "P5D"`). `offset` work days are taken off each
 * deadline (a reminder before it), never below zero. Work days become calendar days as for every
 * timer (see {@link calendarDays}).
 */
export function deadlineDuration(step: Pick<RuntimeStep, 'deadline' | 'deadlineWhen'>, fields: TypedField[], hasBooking: boolean, offset = 0): string {
  const iso = (days: number) => `P${calendarDays(Math.max(0, days - offset))}D`;
  if (!step.deadlineWhen) return iso(step.deadline);
  const choices = step.deadlineWhen.map((rule) => `if (${zeebeTypedCondition(rule.condition, fields, hasBooking)}) = true then "${iso(rule.deadline)}" else `).join('');
  return `=${choices}"${iso(step.deadline)}"`;
}

/** The deadline as a label says it: `3` or, when it depends on the form, every value it can take (`0/3`). */
export function deadlineLabel(step: Pick<RuntimeStep, 'deadline' | 'deadlineWhen'>): string {
  return [...new Set([step.deadline, ...(step.deadlineWhen ?? []).map((rule) => rule.deadline)])].sort((a, b) => a - b).join('/');
}
