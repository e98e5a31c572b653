import type { RuntimeApplicantStep, RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import { applicantSteps, APPLICANT_TASK_GROUP } from '../../lib/interpret/applicant-step.ts';
import type { TaskRecord } from '../engine/engine.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { renderField } from './fields.ts';
import type { FieldProblem } from './fields.ts';
import { t, tx } from './i18n.ts';
import type { Lang } from './i18n.ts';

/**
 * The applicant's own step in the hall's pages (issue 15.1): 我的申请 says what waits for them and until
 * when (overdue marked), and the application page offers the step's form, posted to /applications/:id/complete.
 */

/** The applicant steps of a definition by id. */
export function applicantStepsById(definition: RuntimeDefinition): Map<string, RuntimeApplicantStep> {
  return new Map(applicantSteps(definition.workflow?.steps ?? []).map((s) => [s.id, s]));
}

/** The open task waiting for the applicant, if any. */
export function ownOpenTask(tasks: TaskRecord[]): TaskRecord | undefined {
  return tasks.find((task) => task.status === 'open' && task.group === APPLICANT_TASK_GROUP);
}

/** The due date, marked when it has passed (`today` in the school's zone). */
export function dueMark(due: string, today: string, lang: Lang): SafeHtml {
  const overdue = due < today;
  return html`${t(lang, '期限', 'due')} <span class="${overdue ? 'status overdue' : ''}">${due}${overdue ? t(lang, '（已超期）', ' (overdue)') : ''}</span>`;
}

/** The line on a 我的申请 card: 待您办理：销假 · 期限 2026-03-05. */
export function ownStepLine(step: RuntimeApplicantStep | undefined, task: TaskRecord, today: string, lang: Lang): SafeHtml {
  return html`<p class="own-step"><strong>${t(lang, '待您办理：', 'Waiting for you: ')}${tx(step?.name, lang) || task.step}</strong> · ${dueMark(task.due, today, lang)}</p>`;
}

/** The section of the application page where the applicant completes their step. */
export function ownStepSection(applicationId: string, step: RuntimeApplicantStep, task: TaskRecord, today: string, problems: FieldProblem[], values: Record<string, unknown>, lang: Lang, csrf: SafeHtml, summary: SafeHtml | string = ''): SafeHtml {
  const name = tx(step.name, lang);
  return html`<section class="own-step" aria-labelledby="own-step-title"><h2 id="own-step-title">${t(lang, '待您办理：', 'Waiting for you: ')}${name}</h2>
<p>${dueMark(task.due, today, lang)}</p>
${step.description ? html`<p>${tx(step.description, lang)}</p>` : ''}
${summary}<form method="post" action="/applications/${applicationId}/complete" novalidate>${csrf}${(step.fields ?? []).map((f) => renderField(f, values[f.id], problems, lang))}<div class="actions"><button class="button" type="submit">${t(lang, `完成${name}`, `Complete: ${name}`)}</button></div></form></section>`;
}
