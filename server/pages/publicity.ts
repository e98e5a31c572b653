import type { Engine } from '../engine/engine.ts';
import { REASON_MAX } from '../../lib/interpret/publicity.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { t, tx } from './i18n.ts';
import type { Lang } from './i18n.ts';

/**
 * The hall's 公示 page (issue 15.2, docs/publicity.md): what is being published now, for the university's
 * signed-in members only (000号文第十六条: results are not made public outside), each with a form to object
 * by name, with a reason, posted to /publicity/:id/objections.
 */
export function publicityPage(entries: Awaited<ReturnType<Engine['publicity']>>, viewerId: string, lang: Lang, csrf: SafeHtml, notice?: { ok: boolean; text: string }): SafeHtml {
  const items = entries.map(
    (e) => html`<li class="card publicity-entry"><h2>${tx(e.serviceName, lang)} · ${tx(e.stepName, lang)}</h2>
<p><strong>${e.applicant.name}</strong>${e.applicant.college ? html`（${e.applicant.college}）` : ''} · ${t(lang, `公示至 ${e.until}`, `published until ${e.until}`)}</p>
${e.description ? html`<p>${tx(e.description, lang)}</p>` : ''}
${
  e.applicantId === viewerId
    ? html`<p class="muted">${t(lang, '这是您本人的申请，不能对自己提出异议。', 'This is your own application: you cannot object to it.')}</p>`
    : html`<details><summary>${t(lang, '提出异议', 'Object')}</summary><form method="post" action="/publicity/${e.application}/objections" novalidate>${csrf}<div class="field"><label for="reason-${e.application}">${t(lang, '异议理由（实名提出，仅复核人员可见）', 'Reason (named; seen only by the reviewers)')}</label><textarea id="reason-${e.application}" name="reason" required maxlength="${REASON_MAX}" rows="3"></textarea></div><div class="actions"><button class="button" type="submit">${t(lang, '提交异议', 'Submit objection')}</button></div></form></details>`
}</li>`,
  );
  return html`<h1>${t(lang, '公示', 'Publicity')}</h1>
<p>${t(lang, '以下结果正在公示。公示期内，全校师生登录后可以实名提出异议；公示期满无异议的，继续办理；有异议的，公示期满后复核。', 'These results are being published. During the period anyone at the university may sign in and object by name; with no objection the application goes on when the period ends; with objections it is reviewed then.')}</p>
${notice ? html`<div class="${notice.ok ? 'notice' : 'alert'}" role="status"><p>${notice.text}</p></div>` : ''}
${entries.length ? html`<ul class="cards">${items}</ul>` : html`<p class="muted">${t(lang, '目前没有正在公示的结果。', 'Nothing is being published now.')}</p>`}`;
}
