import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RuntimeDefinition, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { RuntimeEvent } from '../../lib/runtime/index.ts';
import { actionsNow, handOver, isHandOver } from '../../lib/interpret/actions.ts';
import type { HandState } from '../../lib/interpret/actions.ts';
import type { ApplicationRecord, Engine, Message, TaskRecord } from '../engine/engine.ts';
import { findStep, taskOf } from '../engine/engine.ts';
import { mayAct } from '../engine/actions.ts';
import { MAX_BATCH, MAX_PHRASE_LENGTH, URGE_EVERY_HOURS, acknowledge, addPhrase, addStandIn, annotate, annotationsOf, batchApprove, cancelStandIn, copiesOf, deletePhrase, phrasesOf, standInsOf, urge } from '../engine/approver-work.ts';
import { html, raw } from './html.ts';
import type { SafeHtml } from './html.ts';
import { renderValues, formFields } from './fields.ts';
import type { FormBody } from './fields.ts';
import { langOf, t, tx } from './i18n.ts';
import type { Lang } from './i18n.ts';
import type { Viewer } from './layout.ts';
import { namesOf } from './store.ts';

/**
 * The approver's and applicant's work around a case as pages (issue 14.6; the JSON API is
 * server/http/actions.ts): 常用意见 (saved phrases, picked into the comment by a link, managed on their
 * own page), 批注 (a note on one form field, shown beside it to the approvers), the hand-overs a step
 * declares (转办, 加签, 委派 and its return), 批量审批 on the 待办 list, 催办 on the application page,
 * 委托 (a stand-in while away) and 抄送给我 with 知悉. No script: links, plain forms that POST with the
 * session's CSRF token and redirect. Registered from routes.ts, whose page helpers it uses.
 */

type Person = Viewer & { attributes: Record<string, unknown> };

export interface WorkPagesOptions {
  engine: Engine;
  page: (request: FastifyRequest, reply: FastifyReply, viewer: Viewer | undefined, title: string, body: SafeHtml, code?: number) => FastifyReply;
  notFound: (request: FastifyRequest, reply: FastifyReply, viewer: Viewer | undefined) => FastifyReply;
  viewerOf: (request: FastifyRequest, reply: FastifyReply) => Promise<Person | undefined>;
  changerOf: (request: FastifyRequest, reply: FastifyReply, body: FormBody) => Promise<Person | undefined>;
  formBody: (body: unknown) => FormBody;
  hidden: (viewer: Viewer) => SafeHtml;
  /** Local date and time of an instant, for people. */
  when: (iso: string | undefined) => string;
}

const HAND_OVER: Record<string, { zh: string; en: string }> = {
  transfer: { zh: '转办', en: 'Transfer' },
  'add-approver': { zh: '加签', en: 'Add an approver' },
  delegate: { zh: '委派', en: 'Delegate' },
  resolve: { zh: '办完交回', en: 'Hand back' },
};

const today = (engine: Engine) => engine.runtime.calendar.localDate(new Date().toISOString());
const first = (body: FormBody, name: string) => (body.get(name)?.[0] ?? '').replace(/\r\n/g, '\n').trim();
const serviceName = (engine: Engine, id: string, lang: Lang) => tx(engine.runtime.manifest.services.find((s) => s.id === id)?.name, lang) || id;
const stepOf = (engine: Engine, app: ApplicationRecord, step: string): RuntimeStep | undefined => findStep(engine.runtime.version(app.service, app.version).workflow?.steps ?? [], step);
const nameOr = (names: Map<string, string>, id: string) => names.get(id) ?? id;

/** 由 X 代 Y 办理: who stood in for whom (委托), in the reader's language. */
export function onBehalfText(lang: Lang, by: string, absent: string): string {
  return t(lang, `由 ${by} 代 ${absent} 办理`, `by ${by} on behalf of ${absent}`);
}

/** The hand state of an open task: the hand-overs made at its step since it opened (the interpreter's own rule). */
function handOf(app: ApplicationRecord, task: TaskRecord): HandState {
  const hand: HandState = {};
  for (const d of app.decisions) if (d.step === task.step && (d.at ?? '') >= task.openedAt) handOver(hand, d);
  return hand;
}

/** A task the viewer may open beyond holding its group@scope: handed to them, passed on by them, or theirs to stand in for (委托). */
export async function mayOpenTask(engine: Engine, taskId: string, person: string): Promise<boolean> {
  const [row] = await engine.store.query('SELECT * FROM task WHERE id = $1', [taskId]);
  if (!row) return false;
  const task = taskOf(row) as TaskRecord & { person?: string; handedBy?: string };
  if (task.person === person || task.handedBy === person || task.onBehalfOf === person) return true;
  if (task.status !== 'open') return false;
  return (await mayAct(engine.store, task, person, today(engine))).ok;
}

/** Whether a person holds the group@scope of a task (a colleague may have taken it since). */
async function holdsTask(engine: Engine, person: string, task: string): Promise<boolean> {
  return (await engine.store.query('SELECT 1 AS yes FROM task t JOIN membership m ON m.group_id = t.group_id AND m.scope = t.scope WHERE t.id = $1 AND m.person_id = $2', [task, person])).length > 0;
}

/** What the person may decide now: a delegate only hands back, an added approver approves or rejects (lib/interpret/actions.ts). */
export function decisionsNow(step: RuntimeStep | undefined, app: ApplicationRecord, task: TaskRecord): string[] {
  if (!step) return ['approve', 'reject'];
  return actionsNow(step, handOf(app, task));
}

/** The comment a 常用意见 link asks for (`?phrase=<id>`), if it is the viewer's. */
export async function phraseText(engine: Engine, person: string, id: unknown): Promise<string> {
  if (typeof id !== 'string' || !id || id.length > 64) return '';
  return (await phrasesOf(engine, person)).find((p) => p.id === id)?.text ?? '';
}

/** 常用意见 under the comment box: each phrase a link that puts it into the comment (no script), and the way to manage them. */
export async function phraseLinks(engine: Engine, viewer: Viewer, task: TaskRecord, lang: Lang): Promise<SafeHtml> {
  const phrases = await phrasesOf(engine, viewer.id);
  return html`<div class="phrases"><span class="label" id="phrases-label">${t(lang, '常用意见：', 'Saved phrases: ')}</span>${phrases.length ? html`<ul aria-labelledby="phrases-label">${phrases.map((p) => html`<li><a href="/tasks/${task.id}?phrase=${p.id}#comment">${p.text}</a></li>`)}</ul>` : html`<span class="muted">${t(lang, '还没有。', 'none yet.')}</span>`} <a href="/phrases?task=${task.id}">${t(lang, '管理常用意见', 'Manage saved phrases')}</a></div>`;
}

/** The submission with each field's 批注 beside it (for approvers; the applicant's page shows the values alone). */
export async function annotatedValues(engine: Engine, definition: RuntimeDefinition, application: ApplicationRecord, data: Record<string, unknown>, lang: Lang, when: (iso: string) => string): Promise<SafeHtml> {
  const notes = await annotationsOf(engine, application.id);
  if (!notes.length) return renderValues(definition, data, lang);
  const names = await namesOf(engine.store, notes.map((n) => n.person));
  const rows = formFields(definition).map((f) => {
    const one = renderValues(definition, data, lang, [f]).value.replace(/^<dl class="facts">/, '').replace(/<\/dl>$/, '');
    const mine = notes.filter((n) => n.field === f.id);
    const shown = mine.map((n) => html`<p class="annotation"><span class="tag">${t(lang, '批注', 'Note')}</span> ${n.text} <span class="muted">— ${nameOr(names, n.person)} · ${tx(stepOf(engine, application, n.step)?.name, lang) || n.step} · ${when(n.at)}</span></p>`);
    // renderValues' row is the pages' own markup (its values escaped there); the notes are escaped by html``.
    if (!mine.length) return raw(one);
    return html`${raw(one.replace(/<\/div>$/, ''))}<dd class="annotations">${shown}</dd></div>`;
  });
  return html`<dl class="facts">${rows}</dl>`;
}

/** The tools of an open task the viewer may act on: 批注 a field, and the hand-overs its step allows now. */
export async function taskTools(engine: Engine, viewer: Viewer, application: ApplicationRecord, task: TaskRecord, lang: Lang, hidden: SafeHtml): Promise<SafeHtml> {
  if (task.status !== 'open') return html``;
  const definition = engine.runtime.version(application.service, application.version);
  const step = stepOf(engine, application, task.step);
  const now = decisionsNow(step, application, task).filter((a) => isHandOver(a));
  const fields = formFields(definition).filter((f) => f.type !== 'file');
  const colleagues = now.includes('transfer')
    ? await engine.store.query<{ id: string; name: string }>('SELECT p.id, p.name FROM membership m JOIN person p ON p.id = m.person_id WHERE m.group_id = $1 AND m.scope = $2 AND p.id <> $3 ORDER BY p.name, p.id', [task.group, task.scope, viewer.id])
    : [];
  const people = now.some((a) => a === 'add-approver' || a === 'delegate') ? await engine.store.query<{ id: string; name: string }>('SELECT DISTINCT p.id, p.name FROM person p JOIN membership m ON m.person_id = p.id WHERE p.id <> $1 ORDER BY p.id LIMIT 500', [viewer.id]) : [];
  const who = (id: string, label: { zh: string; en: string }, help: { zh: string; en: string }) =>
    html`<div class="field"><label for="${id}">${tx(label, lang)}<span class="req" aria-hidden="true">*</span></label><input id="${id}" name="to" required list="people" autocomplete="off" aria-describedby="${id}-help"><span class="help" id="${id}-help">${tx(help, lang)}</span></div>`;
  const comment = (id: string) => html`<div class="field"><label for="${id}">${t(lang, '说明（可选）', 'Note (optional)')}</label><textarea id="${id}" name="comment" maxlength="2000"></textarea></div>`;
  const forms: SafeHtml[] = [];
  for (const action of now) {
    const head = html``;
    const button = html`<div class="actions"><button class="button alt" type="submit" name="action" value="${action}">${tx(HAND_OVER[action], lang)}</button></div>`;
    if (action === 'transfer') {
      forms.push(
        colleagues.length
          ? html`<details class="tool"><summary>${tx(HAND_OVER[action], lang)}</summary><form method="post" action="/tasks/${task.id}/hand-over">${hidden}${head}<div class="field"><label for="transfer-to">${t(lang, '交给同岗位的', 'To a colleague of the same post')}<span class="req" aria-hidden="true">*</span></label><select id="transfer-to" name="to" required><option value="">${t(lang, '请选择', 'Choose')}</option>${colleagues.map((c) => html`<option value="${c.id}">${c.name}（${c.id}）</option>`)}</select></div>${comment('transfer-comment')}${button}</form></details>`
          : html`<div class="tool"><h3>${tx(HAND_OVER[action], lang)}</h3><p class="muted">${t(lang, '这个岗位没有其他人，不能转办。', 'Nobody else holds this post: nothing to transfer to.')}</p></div>`,
      );
    } else if (action === 'add-approver') {
      forms.push(html`<details class="tool"><summary>${tx(HAND_OVER[action], lang)}</summary><form method="post" action="/tasks/${task.id}/hand-over">${hidden}${head}${who('add-to', { zh: '加签人（学号/工号）', en: 'Added approver (staff number)' }, { zh: '须在人员目录中。', en: 'Must be in the directory.' })}<fieldset class="choices-wrap"><legend>${t(lang, '位置', 'Where')}</legend><div class="choices"><label><input type="radio" name="position" value="before" checked> ${t(lang, '在我之前（加签人同意后回到我）', 'Before me (back to me after their approval)')}</label><label><input type="radio" name="position" value="after"> ${t(lang, '在我之后（我现在同意，加签人同意后通过）', 'After me (I approve now; their approval passes the step)')}</label></div></fieldset>${comment('add-comment')}${button}</form></details>`);
    } else if (action === 'delegate') {
      forms.push(html`<details class="tool"><summary>${tx(HAND_OVER[action], lang)}</summary><form method="post" action="/tasks/${task.id}/hand-over">${hidden}${head}${who('delegate-to', { zh: '被委派人（学号/工号）', en: 'Delegate (staff number)' }, { zh: '被委派人办完交回后，由您决定。', en: 'They hand it back; you then decide.' })}${comment('delegate-comment')}${button}</form></details>`);
    } else if (action === 'resolve') {
      forms.push(html`<form method="post" action="/tasks/${task.id}/hand-over" class="tool">${hidden}<h3>${t(lang, '办完交回', 'Hand back')}</h3><p class="muted">${t(lang, '这个待办委派给您办理；办完后交回委派人决定。', 'This task was delegated to you; hand it back when done, and the delegator decides.')}</p>${comment('resolve-comment')}${button}</form>`);
    }
  }
  const datalist = people.length ? html`<datalist id="people">${people.map((p) => html`<option value="${p.id}">${p.name}</option>`)}</datalist>` : '';
  const annotateForm = fields.length
    ? html`<h2>${t(lang, '批注', 'Note a field')}</h2><form method="post" action="/tasks/${task.id}/annotate" id="annotate">${hidden}<p class="muted">${t(lang, '批注显示在该字段旁，供本环节和后续环节的办理人参考；申请人看不到。', 'A note is shown beside the field to the approvers of this and later steps; the applicant does not see it.')}</p><div class="field"><label for="note-field">${t(lang, '字段', 'Field')}<span class="req" aria-hidden="true">*</span></label><select id="note-field" name="field" required><option value="">${t(lang, '请选择', 'Choose')}</option>${fields.map((f) => html`<option value="${f.id}">${tx(f.label, lang)}</option>`)}</select></div><div class="field"><label for="note-text">${t(lang, '批注内容', 'Note')}<span class="req" aria-hidden="true">*</span></label><textarea id="note-text" name="text" maxlength="1000" required></textarea></div><div class="actions"><button class="button alt" type="submit">${t(lang, '添加批注', 'Add the note')}</button></div></form>`
    : '';
  return html`${forms.length ? html`<h2>${t(lang, '转交', 'Hand over')}</h2>${forms}${datalist}` : ''}${annotateForm}`;
}

/** The stand-in line of a task (委托): 由 X 代 Y 办理 once done, or "you act for Y" while it is open to the viewer. */
export async function standInNote(engine: Engine, viewer: Viewer, task: TaskRecord, lang: Lang): Promise<SafeHtml> {
  if (task.status === 'done' && task.onBehalfOf && task.actedBy) {
    const names = await namesOf(engine.store, [task.actedBy, task.onBehalfOf]);
    return html`<p class="alert">${onBehalfText(lang, nameOr(names, task.actedBy), nameOr(names, task.onBehalfOf))}${t(lang, '（委托）', ' (out of office)')}</p>`;
  }
  if (task.status !== 'open') return html``;
  const may = await mayAct(engine.store, task as TaskRecord & { person?: string }, viewer.id, today(engine));
  if (!may.ok || !may.actor.onBehalfOf) return html``;
  const names = await namesOf(engine.store, [may.actor.onBehalfOf]);
  return html`<p class="alert">${t(lang, `您正在代 ${nameOr(names, may.actor.onBehalfOf)} 办理（委托）：办理记录会写明“由 ${viewer.name} 代 ${nameOr(names, may.actor.onBehalfOf)} 办理”。`, `You act for ${nameOr(names, may.actor.onBehalfOf)} (out of office): the record says so.`)}</p>`;
}

/** A trail entry for the events the approver actions write (hand-overs, copies, reminders), or undefined. */
export async function workEvent(engine: Engine, e: RuntimeEvent & { onBehalfOf?: string }, stepName: string, lang: Lang, at: SafeHtml): Promise<SafeHtml | undefined> {
  const ids = [e.person, e.to, e.onBehalfOf].filter((x): x is string => !!x);
  const names = await namesOf(engine.store, ids);
  const by = e.person ? nameOr(names, e.person) : '';
  const stand = e.onBehalfOf && e.person ? html` · ${onBehalfText(lang, by, nameOr(names, e.onBehalfOf))}` : '';
  const q = (s: string) => (lang === 'en' ? `"${s}"` : `“${s}”`);
  const to = e.to ? nameOr(names, e.to) : '';
  const comment = e.comment ? html`<p>${t(lang, '说明：', 'Note: ')}${e.comment}</p>` : '';
  switch (e.type) {
    case 'transferred':
      return html`<li>${at}<p>${q(stepName)}${t(lang, `转办给 ${to}`, ` transferred to ${to}`)}${by && !stand ? html`（${by}）` : ''}${stand}</p>${comment}</li>`;
    case 'added':
      return html`<li>${at}<p>${q(stepName)}${e.position === 'after' ? t(lang, `加签（后）：${to}`, ` approver added after: ${to}`) : t(lang, `加签（前）：${to}`, ` approver added before: ${to}`)}${stand}</p>${comment}</li>`;
    case 'delegated':
      return html`<li>${at}<p>${q(stepName)}${t(lang, `委派给 ${to}`, ` delegated to ${to}`)}${stand}</p>${comment}</li>`;
    case 'resolved':
      return html`<li>${at}<p>${q(stepName)}${e.action === 'approve' ? t(lang, `：加签人 ${by} 同意`, `: added approver ${by} approved`) : t(lang, `：${by} 办完交回`, `: ${by} handed it back`)}${stand}</p>${comment}</li>`;
    case 'copied':
      return html`<li>${at}<p>${q(stepName)}${t(lang, '通过，抄送知悉', ' approved; copied for information')}</p></li>`;
    case 'acknowledged':
      return html`<li>${at}<p>${t(lang, `${by} 已知悉（抄送）`, `${by} acknowledged the copy`)}</p></li>`;
    case 'urged':
      return html`<li>${at}<p>${t(lang, '申请人催办', 'The applicant sent a reminder')}${stepName ? html`：${q(stepName)}` : ''}</p></li>`;
    default:
      return undefined;
  }
}

/** 催办 on the applicant's page while a step waits for an approver: the button, or when it can be used again. */
export async function urgeSection(engine: Engine, viewer: Viewer, application: ApplicationRecord, lang: Lang, hidden: SafeHtml, when: (iso: string) => string): Promise<SafeHtml> {
  if (application.applicantId !== viewer.id || application.status !== 'pending') return html``;
  const open = await engine.store.query("SELECT 1 AS yes FROM task WHERE application_id = $1 AND status = 'open'", [application.id]);
  if (!open.length) return html``;
  const [last] = await engine.store.query<{ last_at: string; count: number | string }>('SELECT last_at, count FROM urge WHERE application_id = $1', [application.id]);
  const next = last ? new Date(Date.parse(last.last_at) + URGE_EVERY_HOURS * 3600_000) : undefined;
  const blocked = next && next.getTime() > Date.now();
  return html`<h2>${t(lang, '催办', 'Remind')}</h2>${blocked
    ? html`<p id="urge-next">${t(lang, `已于 ${when(last!.last_at)} 催办（共 ${Number(last!.count)} 次）。每 ${URGE_EVERY_HOURS} 小时可催办一次，${when(next!.toISOString())} 后可再次催办。`, `Reminded at ${when(last!.last_at)} (${Number(last!.count)} in all). One reminder every ${URGE_EVERY_HOURS} hours: again after ${when(next!.toISOString())}.`)}</p>`
    : html`<form method="post" action="/applications/${application.id}/urge" class="actions">${hidden}<button class="button alt" type="submit">${t(lang, '催办', 'Send a reminder')}</button><span class="muted">${t(lang, `提醒当前办理人尽快办理；每 ${URGE_EVERY_HOURS} 小时可催办一次。`, `Reminds the current approver; once every ${URGE_EVERY_HOURS} hours.`)}</span></form>`}`;
}

/** 批量审批 on 待办: the tasks whose step allows `batch`, each with a checkbox, one comment, one approve button. */
export function batchForm(engine: Engine, rows: { task: TaskRecord; step?: RuntimeStep; label: SafeHtml }[], lang: Lang, hidden: SafeHtml): SafeHtml {
  const batchable = rows.filter((r) => r.step?.batch && !(r.task as TaskRecord & { person?: string }).person);
  if (batchable.length < 1) return html``;
  return html`<h2>${t(lang, '批量审批', 'Approve several')}</h2><form method="post" action="/tasks/batch" class="batch">${hidden}<fieldset><legend>${t(lang, '允许批量审批的待办（逐件办理的不在此列）', 'Tasks whose step allows batch approval')}</legend><ul class="checks">${batchable.slice(0, MAX_BATCH).map((r) => html`<li><label><input type="checkbox" name="task" value="${r.task.id}"> ${r.label}</label></li>`)}</ul></fieldset><div class="field"><label for="batch-comment">${t(lang, '意见（对所选的每一件）', 'Comment (for each chosen task)')}</label><textarea id="batch-comment" name="comment" maxlength="2000"></textarea></div><div class="actions"><button class="button" type="submit">${t(lang, '同意所选', 'Approve the chosen')}</button></div></form>`;
}

const problemsHtml = (lang: Lang, title: string, items: string[]) => html`<div class="errors" role="alert" tabindex="-1" id="errors"><h2>${title}</h2><ul>${items.map((i) => html`<li>${i}</li>`)}</ul></div>`;
const messageOf = (m: Message | undefined, lang: Lang) => (m ? tx(m, lang) : '');

export const workPages: FastifyPluginAsync<WorkPagesOptions> = async (app, options) => {
  const { engine, page, notFound, viewerOf, changerOf, formBody, hidden, when } = options;
  const idOf = (request: FastifyRequest) => {
    const { id } = request.params as { id: string };
    return id.length <= 64 ? id : '';
  };
  const refusedPage = (request: FastifyRequest, reply: FastifyReply, viewer: Viewer, message: Message, code: number, back: string) => {
    const lang = langOf(request);
    return page(request, reply, viewer, t(lang, '未能办理', 'Not done'), html`<h1>${t(lang, '未能办理', 'Not done')}</h1><div class="alert" role="alert"><p>${tx(message, lang)}</p></div><p><a href="${back}">${t(lang, '返回', 'Back')}</a></p>`, code);
  };
  const statusOf = (kind: string) => (kind === 'not-found' ? 404 : kind === 'forbidden' ? 403 : kind === 'invalid' ? 422 : 409);
  const doneNote = (request: FastifyRequest, notes: Record<string, { zh: string; en: string }>) => {
    const done = (request.query as { done?: string }).done;
    return done && notes[done] ? html`<div class="ok" role="status">${tx(notes[done], langOf(request))}</div>` : '';
  };
  const workTabs = (lang: Lang, current: string) =>
    html`<ul class="tabs">${[
      ['/tasks', t(lang, '待办', 'To do')],
      ['/copies', t(lang, '抄送给我', 'Copied to me')],
      ['/phrases', t(lang, '常用意见', 'Saved phrases')],
      ['/stand-ins', t(lang, '委托', 'Stand-ins')],
    ].map(([href, text]) => html`<li><a href="${href}"${href === current ? html` aria-current="page"` : ''}>${text}</a></li>`)}</ul>`;

  // ---- 常用意见 ----

  const phrasesPage = async (request: FastifyRequest, reply: FastifyReply, viewer: Person, problem?: string, text = '', code = 200) => {
    const lang = langOf(request);
    const phrases = await phrasesOf(engine, viewer.id);
    const task = (request.query as { task?: string }).task;
    const back = typeof task === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(task) ? task : undefined;
    const body = html`<h1>${t(lang, '常用意见', 'Saved phrases')}</h1>${workTabs(lang, '/phrases')}
${doneNote(request, { added: { zh: '已添加。', en: 'Added.' }, deleted: { zh: '已删除。', en: 'Deleted.' } })}
${back ? html`<p><a href="/tasks/${back}">${t(lang, '返回待办', 'Back to the task')}</a></p>` : ''}
<p class="muted">${t(lang, '办理时点一下常用意见即可填入意见栏。最多 50 条。', 'On a task, follow a phrase to put it into the comment. At most 50.')}</p>
${phrases.length ? html`<ul class="cards">${phrases.map((p) => html`<li><p class="phrase">${p.text}</p><form method="post" action="/phrases/${p.id}/delete${back ? `?task=${back}` : ''}">${hidden(viewer)}<button class="button alt" type="submit" aria-label="${t(lang, `删除“${p.text}”`, `Delete "${p.text}"`)}">${t(lang, '删除', 'Delete')}</button></form></li>`)}</ul>` : html`<p>${t(lang, '还没有常用意见。', 'No saved phrases yet.')}</p>`}
<h2>${t(lang, '添加', 'Add one')}</h2>
${problem ? problemsHtml(lang, t(lang, '没有添加', 'Not added'), [problem]) : ''}
<form method="post" action="/phrases${back ? `?task=${back}` : ''}" novalidate>${hidden(viewer)}<div class="field${problem ? ' bad' : ''}"><label for="phrase-text">${t(lang, '意见', 'Phrase')}<span class="req" aria-hidden="true">*</span></label><textarea id="phrase-text" name="text" maxlength="${MAX_PHRASE_LENGTH}" required${problem ? html` aria-invalid="true" aria-describedby="errors"` : ''}>${text}</textarea><span class="help">${t(lang, `不超过 ${MAX_PHRASE_LENGTH} 字。`, `Up to ${MAX_PHRASE_LENGTH} characters.`)}</span></div><div class="actions"><button class="button" type="submit">${t(lang, '添加', 'Add')}</button></div></form>`;
    return page(request, reply, viewer, t(lang, '常用意见', 'Saved phrases'), body, code);
  };

  app.get('/phrases', async (request, reply) => {
    const viewer = await viewerOf(request, reply);
    if (!viewer) return;
    return phrasesPage(request, reply, viewer);
  });

  app.post('/phrases', async (request, reply) => {
    const body = formBody(request.body);
    const viewer = await changerOf(request, reply, body);
    if (!viewer) return;
    const lang = langOf(request);
    const text = first(body, 'text');
    if (text.length > MAX_PHRASE_LENGTH) return phrasesPage(request, reply, viewer, t(lang, `不能超过 ${MAX_PHRASE_LENGTH} 字`, `at most ${MAX_PHRASE_LENGTH} characters`), text, 422);
    const outcome = await addPhrase(engine, viewer.id, text, new Date());
    if (!outcome.ok) return phrasesPage(request, reply, viewer, messageOf(outcome.message, lang), text, statusOf(outcome.kind));
    const task = (request.query as { task?: string }).task;
    return reply.redirect(`/phrases?done=added${typeof task === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(task) ? `&task=${task}` : ''}`, 303);
  });

  app.post('/phrases/:id/delete', async (request, reply) => {
    const viewer = await changerOf(request, reply, formBody(request.body));
    if (!viewer) return;
    const outcome = await deletePhrase(engine, viewer.id, idOf(request));
    if (!outcome.ok) return notFound(request, reply, viewer);
    const task = (request.query as { task?: string }).task;
    return reply.redirect(`/phrases?done=deleted${typeof task === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(task) ? `&task=${task}` : ''}`, 303);
  });

  // ---- 委托 (out of office) ----

  const standInsPage = async (request: FastifyRequest, reply: FastifyReply, viewer: Person, problems: { field: string; message: string }[] = [], values: Record<string, string> = {}, code = 200) => {
    const lang = langOf(request);
    const list = await standInsOf(engine, viewer.id);
    const names = await namesOf(engine.store, list.flatMap((s) => [s.person, s.standIn]));
    const colleagues = await engine.store.query<{ id: string; name: string }>(
      'SELECT DISTINCT p.id, p.name FROM membership mine JOIN membership m ON m.group_id = mine.group_id JOIN person p ON p.id = m.person_id WHERE mine.person_id = $1 AND p.id <> $1 ORDER BY p.id',
      [viewer.id],
    );
    const day = today(engine);
    const err = (f: string) => problems.filter((p) => p.field === f);
    const errs = (f: string) => (err(f).length ? html`<p class="err" id="s-${f}-err">${err(f).map((p) => p.message).join('；')}</p>` : '');
    const aria = (f: string) => (err(f).length ? html` aria-invalid="true" aria-describedby="s-${f}-err"` : '');
    const mine = list.filter((s) => s.person === viewer.id);
    const serving = list.filter((s) => s.standIn === viewer.id && !s.cancelledAt && s.ends >= day);
    const state = (s: (typeof list)[number]) => (s.cancelledAt ? t(lang, `已于 ${when(s.cancelledAt)} 结束`, `ended ${when(s.cancelledAt)}`) : s.ends < day ? t(lang, '已过期', 'over') : s.starts > day ? t(lang, '未开始', 'not started') : t(lang, '生效中', 'in effect'));
    const body = html`<h1>${t(lang, '委托', 'Stand-ins')}</h1>${workTabs(lang, '/stand-ins')}
${doneNote(request, { added: { zh: '委托已设置。', en: 'The stand-in is set.' }, ended: { zh: '委托已结束。', en: 'The stand-in has ended.' } })}
<p>${t(lang, '外出期间，把您的全部待办交给一位同事代为办理。期间（含首尾两天）同事的待办中会出现您的待办，办理记录写明“由同事代您办理”。', 'While you are away, a colleague handles all your tasks. During the period (both days included) your tasks appear in their list, and the record says they acted on your behalf.')}</p>
${serving.length ? html`<div class="alert"><p>${serving.map((s) => t(lang, `您正在代 ${nameOr(names, s.person)} 办理（${s.starts} 至 ${s.ends}）。`, `You stand in for ${nameOr(names, s.person)} (${s.starts} to ${s.ends}). `))}</p></div>` : ''}
<h2>${t(lang, '我设置的委托', 'My stand-ins')}</h2>
${mine.length ? html`<ul class="cards">${mine.map((s) => html`<li><p><strong>${nameOr(names, s.standIn)}</strong>（${s.standIn}） · ${s.starts} — ${s.ends} · <span class="status">${state(s)}</span></p>${!s.cancelledAt && s.ends >= day ? html`<form method="post" action="/stand-ins/${s.id}/end">${hidden(viewer)}<button class="button alt" type="submit">${t(lang, '结束委托', 'End it')}</button></form>` : ''}</li>`)}</ul>` : html`<p>${t(lang, '没有。', 'None.')}</p>`}
<h2>${t(lang, '设置委托', 'Set a stand-in')}</h2>
${problems.length ? problemsHtml(lang, t(lang, `有 ${problems.length} 处需要修改`, `${problems.length} to fix`), problems.map((p) => p.message)) : ''}
<form method="post" action="/stand-ins" novalidate>${hidden(viewer)}
<div class="field${err('standIn').length ? ' bad' : ''}"><label for="s-standIn">${t(lang, '代办的同事', 'Colleague')}<span class="req" aria-hidden="true">*</span></label>${colleagues.length ? html`<select id="s-standIn" name="standIn" required${aria('standIn')}><option value="">${t(lang, '请选择', 'Choose')}</option>${colleagues.map((c) => html`<option value="${c.id}"${values.standIn === c.id ? html` selected` : ''}>${c.name}（${c.id}）</option>`)}</select>` : html`<input id="s-standIn" name="standIn" required value="${values.standIn ?? ''}"${aria('standIn')}>`}${errs('standIn')}</div>
<div class="range"><div class="field${err('starts').length ? ' bad' : ''}"><label for="s-starts">${t(lang, '开始日期', 'From')}<span class="req" aria-hidden="true">*</span></label><input type="date" id="s-starts" name="starts" required value="${values.starts ?? day}"${aria('starts')}>${errs('starts')}</div>
<div class="field${err('ends').length ? ' bad' : ''}"><label for="s-ends">${t(lang, '结束日期', 'To')}<span class="req" aria-hidden="true">*</span></label><input type="date" id="s-ends" name="ends" required value="${values.ends ?? ''}"${aria('ends')}>${errs('ends')}</div></div>
<div class="actions"><button class="button" type="submit">${t(lang, '设置委托', 'Set')}</button></div></form>`;
    return page(request, reply, viewer, t(lang, '委托', 'Stand-ins'), body, code);
  };

  app.get('/stand-ins', async (request, reply) => {
    const viewer = await viewerOf(request, reply);
    if (!viewer) return;
    return standInsPage(request, reply, viewer);
  });

  app.post('/stand-ins', async (request, reply) => {
    const body = formBody(request.body);
    const viewer = await changerOf(request, reply, body);
    if (!viewer) return;
    const lang = langOf(request);
    const values = { standIn: first(body, 'standIn').slice(0, 64), starts: first(body, 'starts').slice(0, 10), ends: first(body, 'ends').slice(0, 10) };
    if (!values.standIn) return standInsPage(request, reply, viewer, [{ field: 'standIn', message: t(lang, '请选择代办的同事', 'choose a colleague') }], values, 422);
    const outcome = await addStandIn(engine, { person: viewer.id, ...values }, new Date());
    if (!outcome.ok) {
      const problems = outcome.kind === 'invalid' ? outcome.fieldErrors.map((f) => ({ field: f.field, message: tx(f.message, lang) })) : [{ field: '', message: tx(outcome.message, lang) }];
      return standInsPage(request, reply, viewer, problems, values, statusOf(outcome.kind));
    }
    return reply.redirect('/stand-ins?done=added', 303);
  });

  app.post('/stand-ins/:id/end', async (request, reply) => {
    const viewer = await changerOf(request, reply, formBody(request.body));
    if (!viewer) return;
    const outcome = await cancelStandIn(engine, viewer.id, idOf(request), new Date());
    if (!outcome.ok) return notFound(request, reply, viewer);
    return reply.redirect('/stand-ins?done=ended', 303);
  });

  // ---- 抄送给我 and 知悉 ----

  app.get('/copies', async (request, reply) => {
    const viewer = await viewerOf(request, reply);
    if (!viewer) return;
    const lang = langOf(request);
    const copies = await copiesOf(engine, viewer.id);
    const apps = new Map<string, ApplicationRecord | undefined>();
    for (const c of copies.slice(0, 200)) if (!apps.has(c.application)) apps.set(c.application, await engine.application(c.application));
    const body = html`<h1>${t(lang, '抄送给我', 'Copied to me')}</h1>${workTabs(lang, '/copies')}
${doneNote(request, { acknowledged: { zh: '已标记知悉。', en: 'Acknowledged.' } })}
<p class="muted">${t(lang, '以下申请抄送给您知悉，无需办理。', 'These applications were copied to you for information; nothing to decide.')}</p>
${copies.length ? html`<ul class="cards">${copies.slice(0, 200).map((c) => {
      const a = apps.get(c.application);
      const stepName = a ? tx(stepOf(engine, a, c.step)?.name, lang) || c.step : c.step;
      return html`<li><a class="name" href="/applications/${c.application}">${serviceName(engine, c.service, lang)}</a><p>${a ? String(a.applicant.name ?? a.applicantId) : ''} · ${t(lang, `“${stepName}”通过后抄送`, `copied when "${stepName}" approved`)} · ${when(c.at)}</p>${c.acknowledgedAt ? html`<p class="status">${t(lang, `已知悉（${when(c.acknowledgedAt)}）`, `Acknowledged (${when(c.acknowledgedAt)})`)}</p>` : html`<form method="post" action="/copies/${c.id}/acknowledge">${hidden(viewer)}<button class="button alt" type="submit">${t(lang, '知悉', 'Acknowledge')}</button></form>`}</li>`;
    })}</ul>` : html`<p>${t(lang, '没有抄送给您的申请。', 'Nothing was copied to you.')}</p>`}`;
    return page(request, reply, viewer, t(lang, '抄送给我', 'Copied to me'), body);
  });

  app.post('/copies/:id/acknowledge', async (request, reply) => {
    const viewer = await changerOf(request, reply, formBody(request.body));
    if (!viewer) return;
    const outcome = await acknowledge(engine, idOf(request), viewer.id, new Date());
    if (!outcome.ok) return notFound(request, reply, viewer);
    return reply.redirect('/copies?done=acknowledged', 303);
  });

  // ---- On a task: 批注 and hand-overs ----

  app.post('/tasks/:id/annotate', async (request, reply) => {
    const body = formBody(request.body);
    const viewer = await changerOf(request, reply, body);
    if (!viewer) return;
    const lang = langOf(request);
    const id = idOf(request);
    const text = first(body, 'text');
    const back = `/tasks/${id}`;
    if (!text || text.length > 1000) return refusedPage(request, reply, viewer, { zh: '批注内容不能为空，且不超过 1000 字。', en: 'A note must have 1 to 1000 characters.' }, 422, back);
    const outcome = await annotate(engine, { task: id, person: viewer.id, field: first(body, 'field').slice(0, 100), text }, new Date());
    if (!outcome.ok) return outcome.kind === 'not-found' || outcome.kind === 'forbidden' ? notFound(request, reply, viewer) : refusedPage(request, reply, viewer, outcome.message, statusOf(outcome.kind), back);
    return reply.redirect(`/tasks/${id}?done=noted`, 303);
  });

  app.post('/tasks/:id/hand-over', async (request, reply) => {
    const body = formBody(request.body);
    const viewer = await changerOf(request, reply, body);
    if (!viewer) return;
    const id = idOf(request);
    const action = first(body, 'action');
    const back = `/tasks/${id}`;
    if (!isHandOver(action)) return refusedPage(request, reply, viewer, { zh: '请选择转办、加签、委派或办完交回。', en: 'Choose transfer, add an approver, delegate or hand back.' }, 422, back);
    const to = first(body, 'to').slice(0, 64);
    const position = first(body, 'position');
    const comment = first(body, 'comment').slice(0, 2000);
    const outcome = await engine.act({ task: id, person: viewer.id, action, ...(to ? { to } : {}), ...(position === 'before' || position === 'after' ? { position } : {}), ...(comment ? { comment } : {}) });
    if (!outcome.ok) return outcome.kind === 'not-found' ? notFound(request, reply, viewer) : refusedPage(request, reply, viewer, outcome.message, statusOf(outcome.kind), back);
    return reply.redirect(`/tasks?acted=${id}`, 303);
  });

  // ---- 批量审批 ----

  app.post('/tasks/batch', async (request, reply) => {
    const body = formBody(request.body);
    const viewer = await changerOf(request, reply, body);
    if (!viewer) return;
    const lang = langOf(request);
    const tasks = [...new Set(body.get('task') ?? [])].filter((x) => x.length <= 64);
    if (!tasks.length || tasks.length > MAX_BATCH) return refusedPage(request, reply, viewer, { zh: `请勾选要同意的待办（一次最多 ${MAX_BATCH} 件）。`, en: `Tick the tasks to approve (at most ${MAX_BATCH} at once).` }, 422, '/tasks');
    const comment = first(body, 'comment').slice(0, 2000);
    const results = await batchApprove(engine, { tasks, person: viewer.id, ...(comment ? { comment } : {}) });
    const rows = await Promise.all(
      results.map(async (r) => {
        const [row] = await engine.store.query('SELECT application_id, step, acted_by, acted_at FROM task WHERE id = $1', [r.task]);
        const a = row ? await engine.application(String(row.application_id)) : undefined;
        // The applicant's name only to who may still see the case; a holder of the post whose task a colleague took still learns which one it was.
        const step = a ? tx(stepOf(engine, a, String(row.step))?.name, lang) || String(row.step) : '';
        const label = a && (await engine.maySee(viewer.id, a)) ? `${serviceName(engine, a.service, lang)} · ${String(a.applicant.name ?? a.applicantId)}` : a && row.acted_by && (await holdsTask(engine, viewer.id, r.task)) ? `${serviceName(engine, a.service, lang)} · ${step}（${r.task}）` : r.task;
        let why = messageOf(r.message, lang);
        if (!r.ok && r.error === 'conflict' && row?.acted_by && row.acted_by !== viewer.id) {
          const names = await namesOf(engine.store, [String(row.acted_by)]);
          why = t(lang, `${nameOr(names, String(row.acted_by))} 已于 ${when(String(row.acted_at))} 办理，这一件没有保存您的决定。`, `${nameOr(names, String(row.acted_by))} acted at ${when(String(row.acted_at))} first; your decision was not saved for this one.`);
        }
        return { ...r, label, why };
      }),
    );
    const ok = rows.filter((r) => r.ok);
    const failed = rows.filter((r) => !r.ok);
    const page_ = html`<nav class="crumbs" aria-label="${t(lang, '位置', 'Breadcrumb')}"><ol><li><a href="/tasks">${t(lang, '待办', 'To do')}</a></li><li>${t(lang, '批量审批', 'Batch approval')}</li></ol></nav>
<h1>${t(lang, '批量审批结果', 'Batch approval')}</h1>
${ok.length ? html`<div class="ok" role="status"><p>${t(lang, `已同意 ${ok.length} 件。`, `${ok.length} approved.`)}</p><ul>${ok.map((r) => html`<li>${r.label}</li>`)}</ul></div>` : ''}
${failed.length ? html`<div class="errors" role="alert"><h2>${t(lang, `${failed.length} 件未能办理`, `${failed.length} not done`)}</h2><ul class="batch-failed">${failed.map((r) => html`<li><strong>${r.label}</strong>：${r.why}</li>`)}</ul></div>` : ''}
<p><a href="/tasks">${t(lang, '返回待办', 'Back to the to-do list')}</a></p>`;
    return page(request, reply, viewer, t(lang, '批量审批结果', 'Batch approval'), page_, failed.length && !ok.length ? 409 : 200);
  });

  // ---- 催办 ----

  app.post('/applications/:id/urge', async (request, reply) => {
    const viewer = await changerOf(request, reply, formBody(request.body));
    if (!viewer) return;
    const lang = langOf(request);
    const id = idOf(request);
    const outcome = await urge(engine, { application: id, applicant: viewer.id }, new Date());
    if (outcome.ok) return reply.redirect(`/applications/${id}?done=urged`, 303);
    if (outcome.kind === 'not-found') return notFound(request, reply, viewer);
    if (outcome.kind === 'too-many') {
      const again = when(new Date(Date.now() + outcome.retryAfter * 1000).toISOString());
      return page(request, reply.header('retry-after', String(outcome.retryAfter)), viewer, t(lang, '请稍后再催办', 'Remind later'), html`<h1>${t(lang, '请稍后再催办', 'Remind later')}</h1><div class="alert" role="alert"><p>${tx(outcome.message, lang)}</p><p>${t(lang, `${again} 后可以再次催办。`, `You can remind again after ${again}.`)}</p></div><p><a href="/applications/${id}">${t(lang, '返回申请', 'Back to the application')}</a></p>`, 429);
    }
    return refusedPage(request, reply, viewer, outcome.message, statusOf(outcome.kind), `/applications/${id}`);
  });
};
