import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { WorkCalendar } from './calendar.ts';
import { evaluateFeel } from './feel.ts';
import { deadlineHours } from './deadline-value.ts';
import type { DeadlineValue } from './deadline-value.ts';

export { deadlineHours } from './deadline-value.ts';
export type { DeadlineValue } from './deadline-value.ts';

/** A deadline read: `{ days }` work days, or `{ hours }` clock hours. */
export type Deadline = { days: number; hours?: undefined } | { hours: number; days?: undefined };

/** A deadline value read as work days or hours. */
export function readDeadline(value: DeadlineValue): Deadline {
  const hours = deadlineHours(value);
  return hours === undefined ? { days: typeof value === 'number' ? value : 0 } : { hours };
}

/** The runtime definition's form of a deadline: work days stay a number, hours become an ISO duration (`PT2H`). */
export function runtimeDeadline(value: DeadlineValue): number | string {
  const hours = deadlineHours(value);
  return hours === undefined ? value : `PT${hours}H`;
}

/**
 * At most how many work days a deadline takes, for sums against a promised time limit: an hours deadline
 * ends within ceil(hours / 24) calendar days after the day it starts, and each work day allowed is at
 * least one calendar day, so that many work days bound it.
 */
export function deadlineWorkdays(value: DeadlineValue): number {
  const d = readDeadline(value);
  return d.hours === undefined ? d.days : Math.ceil(d.hours / 24);
}

/** A deadline in words: `3 个工作日` / `3 work days`, `当日` / `the same day`, `2 小时` / `2 hours`. */
export function deadlineWords(value: DeadlineValue): { zh: string; en: string } {
  const d = readDeadline(value);
  if (d.hours !== undefined) return { zh: `${d.hours} 小时`, en: d.hours === 1 ? '1 hour' : `${d.hours} hours` };
  if (d.days === 0) return { zh: '当日', en: 'the same day' };
  return { zh: `${d.days} 个工作日`, en: d.days === 1 ? '1 work day' : `${d.days} work days` };
}

/**
 * A step's deadline when its task opens (issue 15.7): the first `deadlineWhen` rule whose condition holds
 * on the application's typed data (加急 1 个工作日，紧急故障 2 小时), else `deadline`. A condition that
 * is null (an empty field) does not hold, as a branch takes `else`; one that cannot be evaluated, or
 * yields something other than true/false, stops the run with the reason, as a branch does.
 */
export function stepDeadline(step: Pick<RuntimeStep, 'deadline' | 'deadlineWhen'>, context: () => Record<string, unknown>, at: string, calendar: WorkCalendar): ({ ok: true } & Deadline) | { ok: false; problem: { zh: string; en: string } } {
  if (!step.deadlineWhen) return { ok: true, ...readDeadline(step.deadline) };
  const values = context();
  for (const rule of step.deadlineWhen) {
    const outcome = evaluateFeel(rule.condition, values, at, calendar);
    if (!outcome.ok) return { ok: false, problem: { zh: `时限条件“${rule.condition}”${outcome.failure.message.zh}`, en: `deadline condition "${rule.condition}": ${outcome.failure.message.en}` } };
    if (outcome.value === true) return { ok: true, ...readDeadline(rule.deadline) };
    if (outcome.value !== false && outcome.value !== null) return { ok: false, problem: { zh: `时限条件“${rule.condition}”的结果不是是/否`, en: `deadline condition "${rule.condition}" is not boolean` } };
  }
  return { ok: true, ...readDeadline(step.deadline) };
}

/** Every deadline a step can get: its own, then its rules'. */
function deadlinesOf(step: { deadline: DeadlineValue; deadlineWhen?: { deadline: DeadlineValue }[] }): DeadlineValue[] {
  return [step.deadline, ...(step.deadlineWhen ?? []).map((rule) => rule.deadline)];
}

/** The longest deadline a step can get, in work days (hours bounded as {@link deadlineWorkdays}): what a promise of the whole flow must allow for. */
export function longestDeadline(step: { deadline: DeadlineValue; deadlineWhen?: { deadline: DeadlineValue }[] }): number {
  return Math.max(...deadlinesOf(step).map(deadlineWorkdays));
}

/** The shortest deadline a step can get, in work days: an hours deadline may end the same day, 0. */
export function shortestDeadline(step: { deadline: DeadlineValue; deadlineWhen?: { deadline: DeadlineValue }[] }): number {
  return Math.min(...deadlinesOf(step).map((value) => (deadlineHours(value) === undefined ? deadlineWorkdays(value) : 0)));
}

/** Whether any deadline of a step is in hours. */
export function hasHoursDeadline(step: { deadline: DeadlineValue; deadlineWhen?: { deadline: DeadlineValue }[] }): boolean {
  return deadlinesOf(step).some((value) => deadlineHours(value) !== undefined);
}

/**
 * A due date as messages say it: the date for a work-day deadline (`2026-03-03`), the date and the local
 * time for an hours one (`2026-03-03 11:00`), read from the due time's own offset.
 */
export function dueLabel(due: string, dueAt?: string): string {
  return dueAt ? `${dueAt.slice(0, 10)} ${dueAt.slice(11, 16)}` : due;
}
