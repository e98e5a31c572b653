import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { WorkCalendar } from './calendar.ts';
import { evaluateFeel } from './feel.ts';

/**
 * A step's deadline in work days when its task opens (issue 15.7): the first `deadlineWhen` rule whose
 * condition holds on the application's typed data (加急 1 个工作日), else `deadline`. A condition that
 * is null (an empty field) does not hold, as a branch takes `else`; one that cannot be evaluated, or
 * yields something other than true/false, stops the run with the reason, as a branch does.
 */
export function stepDeadline(step: Pick<RuntimeStep, 'deadline' | 'deadlineWhen'>, context: () => Record<string, unknown>, at: string, calendar: WorkCalendar): { ok: true; days: number } | { ok: false; problem: { zh: string; en: string } } {
  if (!step.deadlineWhen) return { ok: true, days: step.deadline };
  const values = context();
  for (const rule of step.deadlineWhen) {
    const outcome = evaluateFeel(rule.condition, values, at, calendar);
    if (!outcome.ok) return { ok: false, problem: { zh: `时限条件“${rule.condition}”${outcome.failure.message.zh}`, en: `deadline condition "${rule.condition}": ${outcome.failure.message.en}` } };
    if (outcome.value === true) return { ok: true, days: rule.deadline };
    if (outcome.value !== false && outcome.value !== null) return { ok: false, problem: { zh: `时限条件“${rule.condition}”的结果不是是/否`, en: `deadline condition "${rule.condition}" is not boolean` } };
  }
  return { ok: true, days: step.deadline };
}

/** The longest deadline a step can get: what a promise of the whole flow must allow for. */
export function longestDeadline(step: { deadline: number; deadlineWhen?: { deadline: number }[] }): number {
  return Math.max(step.deadline, ...(step.deadlineWhen ?? []).map((rule) => rule.deadline));
}

/** The shortest deadline a step can get. */
export function shortestDeadline(step: { deadline: number; deadlineWhen?: { deadline: number }[] }): number {
  return Math.min(step.deadline, ...(step.deadlineWhen ?? []).map((rule) => rule.deadline));
}
