import type { RuntimeApplicantStep, RuntimeNode } from '../../generated/types/runtime/definition.ts';
import type { WorkCalendar } from './calendar.ts';

/**
 * Applicant steps (issue 15.1): a follow-up the applicant performs after approval — 销假 after a leave,
 * 报到 after a trip abroad. The task is the applicant's own (never a role group's), its only decision is
 * `complete` (with the step's fields), and the application is finished only after it.
 */

/** The assignee the interpreter, the engine and the pages use for an applicant step's task. */
export const APPLICANT_ASSIGNEE = 'applicant';

/** The only decision on an applicant step. */
export const COMPLETE = 'complete';

/** The group the hall's task row carries for an applicant's task: not an id a roles.yaml group can have. */
export const APPLICANT_TASK_GROUP = '@applicant';

export function isApplicantNode(node: RuntimeNode): node is RuntimeApplicantStep {
  return node.kind === 'applicant';
}

/**
 * The due date of an applicant step that starts on `today`: `deadline` work days counted from the later
 * of the start and the `dueAfter` date (a date field, or a date range's end — the leave's last day for
 * 销假). A `dueAfter` field with no date value counts from the start.
 */
export function applicantDue(step: Pick<RuntimeApplicantStep, 'deadline' | 'dueAfter'>, data: Record<string, unknown>, today: string, calendar: WorkCalendar): string {
  const after = step.dueAfter !== undefined ? dateOf(data[step.dueAfter]) : undefined;
  return calendar.addWorkdays(after && after > today ? after : today, step.deadline);
}

function dateOf(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : value && typeof value === 'object' ? (value as Record<string, unknown>).end : undefined;
  return typeof text === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : undefined;
}

/** What the applicant is told when the step starts, when the service wrote no text of its own. */
export function applicantAssignedText(serviceName: string, stepName: string, due: string): string {
  return `【待办】您申请的“${serviceName}”已审批通过，请在 ${due} 前完成“${stepName}”（我的申请）。`;
}

/** What the applicant is told when the step is overdue, when the service wrote no text of its own. */
export function applicantOverdueText(serviceName: string, stepName: string, due: string): string {
  return `【超期】您申请的“${serviceName}”的“${stepName}”已于 ${due} 到期，请尽快办理。`;
}

/** The due-day reminder to the applicant. */
export function applicantReminderText(serviceName: string, stepName: string, due: string): string {
  return `【提醒】您申请的“${serviceName}”的“${stepName}”今天（${due}）到期，请及时办理。`;
}

/** Every applicant step of a compiled workflow, in order (inside branches too). */
export function applicantSteps(nodes: RuntimeNode[]): RuntimeApplicantStep[] {
  return nodes.flatMap((node) => (node.kind === 'applicant' ? [node] : node.kind === 'branch' ? [...applicantSteps(node.then), ...applicantSteps(node.else)] : []));
}
