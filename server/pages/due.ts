import type { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { dueLabel } from '../../lib/interpret/deadline.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { t } from './i18n.ts';
import type { Lang } from './i18n.ts';

/**
 * A task's due date as the pages show it (issue 15.7): the date for a work-day deadline, the date and the
 * school's local time for an hours one (`2026-03-02 11:10`), so an approver sees that 2 小时 means now.
 */
export interface Due {
  due: string;
  /** An hours deadline's due time, any offset (the store keeps UTC, the event log the zone's). */
  dueAt?: string;
}

export function dueShown(task: Due, calendar: WorkCalendar): string {
  return dueLabel(task.due, task.dueAt ? calendar.addHours(task.dueAt, 0) : undefined);
}

/** Whether a task is past due at `now`: after its due time (hours), or after its due day has ended (work days). */
export function pastDue(task: Due, now: Date, calendar: WorkCalendar): boolean {
  return task.dueAt ? now.getTime() > Date.parse(task.dueAt) : task.due < calendar.localDate(now.toISOString());
}

/** 期限 and the due date (with the time for an hours deadline), marked when it has passed. */
export function dueSpan(task: Due, now: Date, calendar: WorkCalendar, lang: Lang, open = true): SafeHtml {
  const late = open && pastDue(task, now, calendar);
  return html`<span class="${late ? 'status overdue' : ''}">${dueShown(task, calendar)}${late ? t(lang, '（已超期）', ' (overdue)') : ''}</span>`;
}
