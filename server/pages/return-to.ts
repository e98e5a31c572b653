import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { t, tx } from './i18n.ts';
import type { Lang } from './i18n.ts';

/**
 * The task form's choice of where a return goes (退回到指定环节, issue 15.5): the applicant, or one of the
 * earlier steps this task may return to now. Nothing when the step names no such step; the choice only
 * counts when the approver presses 退回 (no script: a plain select read by the form's POST).
 */
export function returnTargetField(targets: string[], stepOf: (id: string) => RuntimeStep | undefined, chosen: string, lang: Lang): SafeHtml | '' {
  if (!targets.length) return '';
  return html`<div class="field"><label for="returnTo">${t(lang, '退回到', 'Return to')}</label><select id="returnTo" name="returnTo"><option value=""${chosen ? '' : html` selected`}>${t(lang, '申请人（修改后重新提交）', 'The applicant (to revise and resubmit)')}</option>${targets.map((id) => html`<option value="${id}"${chosen === id ? html` selected` : ''}>${tx(stepOf(id)?.name, lang) || id}</option>`)}</select><span class="help">${t(lang, '只在“退回”时使用：退回到所选环节后，申请从该环节重新办理。', 'Used only when returning: the application is decided again from the chosen step on.')}</span></div>`;
}

/** The step a posted return goes to: the chosen one when it is one of the targets, else the applicant. */
export function chosenReturnTarget(value: string | undefined, targets: string[]): string | undefined {
  return value && targets.includes(value) ? value : undefined;
}
