import type { LintContext, Rule } from './rules.ts';
import { stepsOf } from '../model/catalog.ts';
import { deadlineHours } from '../../lib/interpret/deadline.ts';

/**
 * Above this many clock hours a deadline should be written in work days: hours run through nights,
 * weekends and holidays (the calendar has no working hours), so `48h` set on a Friday ends on Sunday
 * with nobody at work, while `2` work days ends on Tuesday.
 */
export const HOURS_IN_A_DAY = 24;

/**
 * Hours deadlines (issue 15.7, docs/deadline-hours.md) stay within a day: beyond it, clock hours count nights and weekends the
 * office is closed, and work days say what the admin means.
 */
export const hoursDeadlinesStayWithinADay: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    for (const { step, path } of stepsOf(s.value.workflow?.steps)) {
      const values: { value: number | string; at: (string | number)[] }[] = [
        { value: step.deadline, at: [...path, 'deadline'] },
        ...(step.deadlineWhen ?? []).map((rule, i) => ({ value: rule.deadline, at: [...path, 'deadlineWhen', i, 'deadline'] })),
      ];
      for (const { value, at } of values) {
        const hours = deadlineHours(value);
        if (hours !== undefined && hours > HOURS_IN_A_DAY) ctx.report(s, 'time/hours-over-a-day', at, { step: step.id, hours, days: Math.ceil(hours / 24), limit: HOURS_IN_A_DAY });
      }
    }
  }
};

/**
 * A step's `reminder` (work days before the deadline) reminds before a deadline it can reach: not on a
 * step whose deadlines are all in hours (those remind half way through, whatever `reminder` says), and
 * not as many work days ahead as the deadline allows or more (the reminder would come the day the task
 * opens, or never in the BPMN export, which drops a timer of zero days).
 */
export const remindersComeBeforeTheDeadline: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    for (const { step, path } of stepsOf(s.value.workflow?.steps)) {
      if (step.reminder === undefined || step.reminder === 0) continue;
      const values = [step.deadline, ...(step.deadlineWhen ?? []).map((rule) => rule.deadline)];
      const workdays = values.filter((v) => deadlineHours(v) === undefined).map(Number);
      if (!workdays.length) {
        ctx.report(s, 'time/reminder-with-hours', [...path, 'reminder'], { step: step.id, reminder: step.reminder });
        continue;
      }
      const longest = Math.max(...workdays);
      if (step.reminder >= longest) ctx.report(s, 'time/reminder-not-before-deadline', [...path, 'reminder'], { step: step.id, reminder: step.reminder, deadline: longest });
    }
  }
};
