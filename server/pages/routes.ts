import { timingSafeEqual } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RuntimeDefinition, RuntimeField, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { ApplicationRecord, Engine, Outcome, TaskRecord } from '../engine/engine.ts';
import type { FileStore } from '../files/file-store.ts';
import { StoreUnavailableError } from '../store/store.ts';
import { TooManyRequestsError } from '../http/rate-limit.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { formFields, parseFields, renderField, renderForm, renderValues, shownValue, withoutHidden } from './fields.ts';
import type { FieldProblem, FormBody } from './fields.ts';
import { langOf, t, tx } from './i18n.ts';
import type { Lang } from './i18n.ts';
import { STYLESHEET, STYLESHEET_PATH, layout } from './layout.ts';
import type { Viewer } from './layout.ts';
import { RATINGS, RATINGS_EN, deleteDraft, doneBy, holds, holdersOf, namesOf, people, readDraft, readEvaluation, recordEvaluation, saveDraft } from './store.ts';
import { storeUploads } from './uploads.ts';
import { dueShown, dueSpan, pastDue } from './due.ts';
import { annotatedValues, batchForm, decisionsNow, mayOpenTask, onBehalfText, phraseLinks, phraseText, standInNote, taskTools, urgeSection, workEvent, workPages } from './work.ts';
import { pageView, revealOnPage, shownText } from './privacy.ts';
import { maskText } from '../privacy/mask.ts';
import { proxyPages } from './proxy.ts';
import { proxyServices } from '../engine/proxy.ts';
import { SystemCaller, systemCallState } from '../engine/system-calls.ts';
import { applicantStepsById, ownOpenTask, ownStepLine, ownStepSection } from './applicant-step.ts';
import { chosenReturnTarget, returnTargetField } from './return-to.ts';
import { publicityPage } from './publicity.ts';
import { publicitySteps } from '../../lib/interpret/publicity.ts';
import { paymentSteps } from '../../lib/interpret/payment.ts';
import { payUrlOf } from '../engine/payment.ts';
import { feeAnswer } from '../engine/fee-answer.ts';
import { prefilledData } from '../engine/prefill-lock.ts';
import { yuanText } from '../../lib/interpret/fees.ts';

export interface PageRoutesOptions {
  engine: Engine;
  files?: FileStore;
  /** `hall serve --dev`: the persona picker and the preview banner exist; without it, neither. */
  dev: boolean;
  /** The signed-in person and their session's CSRF token, or undefined. */
  personOf: (request: FastifyRequest) => Promise<(Viewer & { attributes: Record<string, unknown> }) | undefined>;
  /** Open a session for a person (the dev login's own sign-in). */
  startSession: (reply: FastifyReply, person: string) => Promise<string>;
  /** The sign-in entries configured (统一身份认证), for the page that asks a visitor to sign in. */
  signInUrls: string[];
  /** hall.yaml `itOffice`: whose people read the record of full views (/admin/field-views). */
  itOffice?: () => string | undefined;
}

type Person = Viewer & { attributes: Record<string, unknown> };

const STATUS: Record<string, { zh: string; en: string }> = {
  pending: { zh: '办理中', en: 'In progress' },
  incident: { zh: '办理中（等待分派办理人）', en: 'In progress (waiting for an approver to be assigned)' },
  returned: { zh: '已退回，待修改', en: 'Returned for revision' },
  approved: { zh: '已办结（通过）', en: 'Completed (approved)' },
  rejected: { zh: '已办结（未通过）', en: 'Completed (not approved)' },
  unpaid: { zh: '已办结（逾期未缴费）', en: 'Closed (not paid in time)' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
};
const ACTION: Record<string, { zh: string; en: string }> = { approve: { zh: '同意', en: 'Approved' }, reject: { zh: '不同意', en: 'Rejected' }, return: { zh: '退回修改', en: 'Returned' }, complete: { zh: '已完成', en: 'Completed' } };
const BUTTON: Record<string, { zh: string; en: string }> = { approve: { zh: '同意', en: 'Approve' }, reject: { zh: '不同意', en: 'Reject' }, return: { zh: '退回修改', en: 'Return for revision' } };

/** Every step of a workflow by id (through branches and countersigns). */
function stepsOf(definition: RuntimeDefinition): Map<string, RuntimeStep> {
  const out = new Map<string, RuntimeStep>();
  const walk = (nodes: RuntimeNode[]) => {
    for (const n of nodes) {
      if (n.kind === 'step') out.set(n.id, n);
      else if (n.kind === 'branch') {
        walk(n.then);
        walk(n.else);
      } else if (n.kind === 'parallel') walk(n.steps as RuntimeNode[]);
    }
  };
  walk((definition.workflow?.steps ?? []) as RuntimeNode[]);
  return out;
}

/** Local date and time in the school's zone, for people (ISO instants stay in the data). */
function when(iso: string | undefined, timezone: string): string {
  if (!iso) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
}

/** A body posted by a plain HTML form: urlencoded (parsed here) as every name with all its values. */
function formBody(body: unknown): FormBody {
  const out: FormBody = new Map();
  if (typeof body === 'string') for (const [k, v] of new URLSearchParams(body)) out.set(k, [...(out.get(k) ?? []), v]);
  else if (body instanceof Map) return body as FormBody;
  return out;
}

function sameToken(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A next address that stays on this hall (no scheme, no `//host`). */
function localPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}

/**
 * The hall's pages: server-rendered HTML from the runtime definitions, plain forms that POST and
 * redirect (works without script), a CSRF token in a hidden field, every value escaped. Applicant pages
 * (apply, my applications, one application with its timeline), approver pages (to do, done, one task) and,
 * under --dev only, the persona picker. See docs/runtime.md "办事页面 / Pages".
 */
export const pageRoutes: FastifyPluginAsync<PageRoutesOptions> = async (app, options) => {
  const { engine } = options;
  const store = engine.store;
  const timezone = () => engine.runtime.calendar.timezone ?? 'Asia/Shanghai';
  const hallName = (lang: Lang) => (lang === 'en' ? engine.runtime.manifest.hall.nameEn : undefined) ?? engine.runtime.manifest.hall.name;

  // The pages are HTML for people, not the JSON API: left out of /openapi.json (docs/runtime.md, 办事页面).
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true } as typeof route.schema;
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 512 * 1024 }, (_request, body, done) => done(null, body));
  if (options.files) await app.register(multipart, { limits: { files: 20, fields: 2000, fieldSize: 64 * 1024, parts: 2100 } });

  const page = (request: FastifyRequest, reply: FastifyReply, viewer: Viewer | undefined, title: string, body: SafeHtml, code = 200) =>
    reply
      .code(code)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .header('content-security-policy', "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
      .header('referrer-policy', 'same-origin')
      .send(layout({ lang: langOf(request), title, hallName: hallName(langOf(request)), path: request.url, viewer, dev: options.dev, body }));

  const notFound = (request: FastifyRequest, reply: FastifyReply, viewer: Viewer | undefined) => {
    const lang = langOf(request);
    return page(request, reply, viewer, t(lang, '没有找到', 'Not found'), html`<h1>${t(lang, '没有找到', 'Not found')}</h1><p>${t(lang, '没有这个页面，或者您无权查看。', 'There is no such page, or you may not see it.')}</p><p><a href="/">${t(lang, '返回首页', 'Back to the start')}</a></p>`, 404);
  };

  /** The signed-in person, or a page asking to sign in (401). */
  const viewerOf = async (request: FastifyRequest, reply: FastifyReply): Promise<Person | undefined> => {
    const person = await options.personOf(request);
    if (person) return person;
    const lang = langOf(request);
    const entries = [...options.signInUrls.map((u) => ({ href: `${u}`, text: t(lang, '统一身份认证登录', 'Sign in with the campus account') })), ...(options.dev ? [{ href: '/dev/personas', text: t(lang, '选择试用身份（开发模式）', 'Pick a persona (development mode)') }] : [])];
    void page(request, reply, undefined, t(lang, '请先登录', 'Please sign in'), html`<h1>${t(lang, '请先登录', 'Please sign in')}</h1><p>${t(lang, '办理事项前需要登录。', 'Sign in to apply or to approve.')}</p><div class="actions">${entries.map((e) => html`<a class="button" href="${e.href}">${e.text}</a>`)}</div>`, 401);
    return undefined;
  };

  /** A state change from a page: signed in and the form's CSRF token matches the session's. */
  const changerOf = async (request: FastifyRequest, reply: FastifyReply, body: FormBody): Promise<Person | undefined> => {
    const person = await viewerOf(request, reply);
    if (!person) return undefined;
    if (!sameToken(body.get('_csrf')?.[0], person.csrf)) {
      const lang = langOf(request);
      void page(request, reply, person, t(lang, '请求已过期', 'Request expired'), html`<h1>${t(lang, '请求已过期', 'Request expired')}</h1><p>${t(lang, '页面的安全令牌无效（页面可能已过期，或请求不是从本站发出的）。请返回、刷新页面后重试。', 'The page\'s security token is not valid (the page may be old, or the request did not come from this hall). Go back, reload the page and try again.')}</p>`, 403);
      return undefined;
    }
    return person;
  };

  /** The body of a page form: urlencoded, or multipart with files stored as attachments (their ids added as the field's values). */
  const bodyOf = async (request: FastifyRequest, person: () => Promise<Person | undefined>, target?: { service: string; definition: RuntimeDefinition }): Promise<{ body: FormBody; problems: FieldProblem[] }> => {
    if (request.isMultipart?.() && options.files && target) return storeUploads(request, { engine, files: options.files, person, ...target });
    return { body: formBody(request.body), problems: [] };
  };

  const hidden = (viewer: Viewer) => html`<input type="hidden" name="_csrf" value="${viewer.csrf}">`;

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const lang = langOf(request);
    if (error instanceof TooManyRequestsError) return page(request, reply.header('retry-after', String(error.retryAfter)), undefined, t(lang, '请稍后再试', 'Try again later'), html`<h1>${t(lang, '请稍后再试', 'Try again later')}</h1><p>${tx(error.messages, lang)}</p>`, 429);
    if (error instanceof StoreUnavailableError) return page(request, reply.header('retry-after', '5'), undefined, t(lang, '暂时无法访问', 'Unavailable'), html`<h1>${t(lang, '暂时无法访问', 'Temporarily unavailable')}</h1><p>${t(lang, '数据库暂时无法连接，请稍后再试。', 'The database is unavailable; please try again shortly.')}</p>`, 503);
    if (error.statusCode && error.statusCode < 500) return page(request, reply, undefined, t(lang, '请求无法处理', 'Bad request'), html`<h1>${t(lang, '请求无法处理', 'The request cannot be handled')}</h1><p>${error.statusCode === 413 ? t(lang, '提交的内容太大。', 'What was sent is too large.') : t(lang, '请求的格式不正确。', 'The request is malformed.')}</p>`, error.statusCode);
    request.log.error(error);
    return page(request, reply, undefined, t(lang, '出错了', 'Error'), html`<h1>${t(lang, '服务器内部错误', 'Internal error')}</h1><p>${t(lang, '已记录，请稍后再试或联系信息化办。', 'It was logged. Try again later or contact the IT office.')}</p>`, 500);
  });

  app.get(STYLESHEET_PATH, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(STYLESHEET));

  app.get('/lang/:lang', async (request, reply) => {
    const { lang } = request.params as { lang: string };
    if (lang !== 'zh' && lang !== 'en') return notFound(request, reply, undefined);
    reply.setCookie('hall_lang', lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 24 * 3600 });
    return reply.redirect(localPath((request.query as { next?: unknown }).next), 303);
  });

  app.get('/', async (request, reply) => {
    const lang = langOf(request);
    const viewer = await options.personOf(request);
    const services = engine.runtime.manifest.services.filter((s) => s.status === 'online' && s.type !== 'link');
    const body = html`<h1>${hallName(lang)}</h1>
${viewer ? html`<ul class="tiles"><li><a href="/applications">${t(lang, '我的申请', 'My applications')}</a></li><li><a href="/tasks">${t(lang, '待办', 'To do')}</a></li></ul>` : html`<p>${t(lang, '办理事项前需要登录。', 'Sign in to apply or to approve.')}</p><div class="actions">${options.signInUrls.map((u) => html`<a class="button" href="${u}">${t(lang, '统一身份认证登录', 'Sign in with the campus account')}</a>`)}${options.dev ? html`<a class="button" href="/dev/personas">${t(lang, '选择试用身份', 'Pick a persona')}</a>` : ''}</div>`}
<h2>${t(lang, '可在线办理的事项', 'Services online')}</h2>
<ul class="cards">${services.map((s) => html`<li><a class="name" href="/apply/${s.id}">${tx(s.name, lang)}</a></li>`)}</ul>`;
    return page(request, reply, viewer, t(lang, '首页', 'Start'), body);
  });

  // ---- Applicant: the form ----

  const entryOf = (id: string) => engine.runtime.manifest.services.find((s) => s.id === id);

  const prefillOf = (definition: RuntimeDefinition, person: Person): Record<string, unknown> => prefilledData(definition, { ...person.attributes, name: person.name, number: person.id });

  const bookingSection = (definition: RuntimeDefinition, booking: Record<string, string>, problems: FieldProblem[], lang: Lang) => {
    const a = definition.appointment;
    if (!a) return '';
    const err = (k: string) => problems.filter((p) => p.field === `booking.${k}` || (k === 'slot' && p.field === 'booking'));
    const errs = (k: string) => (err(k).length ? html`<p class="err" id="b-${k}-err">${err(k).map((p) => tx(p.message, lang)).join('；')}</p>` : '');
    const aria = (k: string) => (err(k).length ? html` aria-describedby="b-${k}-err" aria-invalid="true"` : '');
    return html`<fieldset><legend>${t(lang, '预约', 'Booking')}</legend>
<div class="field${err('resource').length ? ' bad' : ''}"><label for="b-resource">${t(lang, '场地', 'Place')}<span class="req" aria-hidden="true">*</span></label><select id="b-resource" name="b.resource" required${aria('resource')}><option value="">${t(lang, '请选择', 'Choose')}</option>${a.resources.map((r) => html`<option value="${r.id}"${booking.resource === r.id ? html` selected` : ''}>${tx(r.name, lang)}${r.location ? `（${r.location}）` : ''}</option>`)}</select>${errs('resource')}</div>
<div class="field${err('date').length ? ' bad' : ''}"><label for="b-date">${t(lang, '日期', 'Date')}<span class="req" aria-hidden="true">*</span></label><input type="date" id="b-date" name="b.date" value="${booking.date ?? ''}" required${aria('date')}>${errs('date')}</div>
<div class="field${err('slot').length ? ' bad' : ''}"><label for="b-slot">${t(lang, '时段', 'Time')}<span class="req" aria-hidden="true">*</span></label><select id="b-slot" name="b.slot" required${aria('slot')}><option value="">${t(lang, '请选择', 'Choose')}</option>${a.slots.times.map((s) => html`<option value="${s}"${booking.slot === s ? html` selected` : ''}>${s}</option>`)}</select>${errs('slot')}</div>
</fieldset>`;
  };

  const errorSummary = (problems: FieldProblem[], lang: Lang, fields: RuntimeField[]) =>
    problems.length
      ? html`<div class="errors" role="alert" tabindex="-1" id="errors"><h2>${t(lang, `有 ${problems.length} 处需要修改`, `${problems.length} ${problems.length === 1 ? 'thing needs' : 'things need'} fixing`)}</h2><ul>${problems.map((p) => {
          const field = fields.find((f) => p.field === f.id || p.field.startsWith(`${f.id}[`) || p.field.startsWith(`${f.id}.`));
          const label = field ? tx(field.label, lang) : p.label ?? (p.field.startsWith('booking') ? t(lang, '预约', 'Booking') : p.field);
          return html`<li>${field ? html`<a href="#f-${field.id.replace(/[^A-Za-z0-9_-]/g, '_')}">${label}</a>` : label}${label ? '：' : ''}${tx(p.message, lang)}</li>`;
        })}</ul></div>`
      : '';

  const applyPage = (request: FastifyRequest, reply: FastifyReply, viewer: Person, definition: RuntimeDefinition, values: Record<string, unknown>, booking: Record<string, string>, problems: FieldProblem[], note?: SafeHtml, code = 200) => {
    const lang = langOf(request);
    const entry = entryOf(definition.id)!;
    const multipartForm = options.files && formFields(definition).some((f) => f.type === 'file');
    const body = html`<nav class="crumbs" aria-label="${t(lang, '位置', 'Breadcrumb')}"><ol><li><a href="/">${t(lang, '首页', 'Start')}</a></li><li>${t(lang, '在线办理', 'Apply online')}</li></ol></nav>
<h1>${tx(entry.name, lang)}</h1>
${note ?? ''}${errorSummary(problems, lang, formFields(definition))}
<p class="muted">${t(lang, '带 * 的为必填项。可随时保存草稿，下次打开本页继续填写。', 'Fields marked * are required. Save a draft at any time and continue later.')}</p>
<form method="post" action="/apply/${definition.id}"${multipartForm ? html` enctype="multipart/form-data"` : ''} novalidate>
${hidden(viewer)}
${bookingSection(definition, booking, problems, lang)}
${renderForm(definition, values, problems, lang)}
<div class="actions"><button class="button" type="submit" name="_action" value="submit">${t(lang, '提交申请', 'Submit')}</button><button class="button alt" type="submit" name="_action" value="draft">${t(lang, '保存草稿', 'Save draft')}</button></div>
</form>`;
    return page(request, reply, viewer, tx(entry.name, lang), body, code);
  };

  /** Which service an /apply address names, and whether it takes applications here. */
  const applicable = (request: FastifyRequest, reply: FastifyReply, viewer: Viewer | undefined, id: string): RuntimeDefinition | undefined => {
    const entry = entryOf(id);
    const lang = langOf(request);
    if (!entry || !engine.runtime.definitions.get(id)) {
      void notFound(request, reply, viewer);
      return undefined;
    }
    const definition = engine.runtime.current(id);
    if (entry.status !== 'online' || !definition.form) {
      const why = entry.status === 'retired' ? t(lang, `本事项已于 ${entry.retired?.date ?? ''} 停办，不再受理新申请。`, `This service was retired on ${entry.retired?.date ?? ''}.`) : entry.status === 'suspended' ? t(lang, '本事项暂停受理。', 'This service is suspended.') : t(lang, '本事项不在网上办理，请按办事指南办理。', 'This service is not handled online; follow its guide.');
      void page(request, reply, viewer, tx(entry.name, lang), html`<h1>${tx(entry.name, lang)}</h1><div class="alert"><p>${why}</p></div>`, 409);
      return undefined;
    }
    return definition;
  };

  app.get('/apply/:service', async (request, reply) => {
    const { service } = request.params as { service: string };
    const entry = entryOf(service);
    // A link service (统一身份认证集成的系统) is handled in its own system: the hall's page sends the reader there.
    if (entry?.type === 'link') {
      const link = engine.runtime.current(service).link;
      if (link && /^https?:\/\//.test(link.url)) return reply.redirect(link.url, 302);
    }
    const viewer = await viewerOf(request, reply);
    if (!viewer) return;
    const definition = applicable(request, reply, viewer, service);
    if (!definition) return;
    const lang = langOf(request);
    const draft = await readDraft(store, viewer.id, service);
    const values = { ...prefillOf(definition, viewer), ...(draft?.data.form as Record<string, unknown> | undefined) };
    const note = draft ? html`<div class="ok" role="status">${t(lang, `已载入 ${when(draft.savedAt, timezone())} 保存的草稿。`, `Loaded the draft saved at ${when(draft.savedAt, timezone())}.`)}</div>` : undefined;
    return applyPage(request, reply, viewer, definition, values, (draft?.data.booking as Record<string, string>) ?? {}, [], note);
  });

  app.post('/apply/:service', async (request, reply) => {
    const { service } = request.params as { service: string };
    const lang = langOf(request);
    let signed: Person | undefined | null = null;
    const person = async () => (signed === null ? (signed = await options.personOf(request)) : signed);
    const known = entryOf(service) && engine.runtime.definitions.get(service) ? { service, definition: engine.runtime.current(service) } : undefined;
    const { body, problems: uploadProblems } = await bodyOf(request, person, known);
    const viewer = await changerOf(request, reply, body);
    if (!viewer) return;
    const definition = applicable(request, reply, viewer, service);
    if (!definition) return;
    const applicantAttributes = { ...viewer.attributes, name: viewer.name, number: viewer.id };
    const data = withoutHidden(definition, parseFields(formFields(definition), body), applicantAttributes);
    const booking = definition.appointment ? Object.fromEntries(['resource', 'date', 'slot'].map((k) => [k, body.get(`b.${k}`)?.[0] ?? ''])) : {};
    if (body.get('_action')?.[0] === 'draft') {
      const at = await saveDraft(store, viewer.id, service, { form: data, booking });
      return applyPage(request, reply, viewer, definition, data, booking, uploadProblems, html`<div class="ok" role="status">${t(lang, `草稿已于 ${when(at, timezone())} 保存。`, `Draft saved at ${when(at, timezone())}.`)}</div>`);
    }
    if (uploadProblems.length) return applyPage(request, reply, viewer, definition, data, booking, uploadProblems, undefined, 422);
    const hasBooking = Object.values(booking).some((v) => v !== '');
    const outcome = await engine.submit({ service, applicant: { id: viewer.id, attributes: applicantAttributes }, data, ...(definition.appointment ? { booking: hasBooking ? (booking as { resource: string; date: string; slot: string }) : undefined } : {}), channel: /MicroMessenger/i.test(String(request.headers['user-agent'] ?? '')) ? 'wechat' : 'pc' });
    if (!outcome.ok) {
      const problems: FieldProblem[] = outcome.kind === 'invalid' ? outcome.fieldErrors : [{ field: '', message: outcome.message }];
      return applyPage(request, reply, viewer, definition, data, booking, problems, undefined, outcome.kind === 'invalid' ? 422 : 409);
    }
    await deleteDraft(store, viewer.id, service);
    return reply.redirect(`/applications/${outcome.application.id}?done=submitted`, 303);
  });

  // ---- Applicant: my applications and one application ----

  app.get('/applications', async (request, reply) => {
    const viewer = await viewerOf(request, reply);
    if (!viewer) return;
    const lang = langOf(request);
    const list = await engine.applicationsOf(viewer.id);
    // 代理申请: an application someone submitted for the viewer says who (server/pages/proxy.ts lists the other side).
    const proxies = await namesOf(store, list.map((a) => a.proxy ?? '').filter(Boolean));
    const byProxy = (a: ApplicationRecord) => (a.proxy ? html` · <span class="proxy">${t(lang, `由 ${proxies.get(a.proxy) ?? a.proxy} 代为申请`, `applied for by ${proxies.get(a.proxy) ?? a.proxy}`)}</span>` : '');
    // Applicant steps (issue 15.1): what waits for the applicant, with its due date, on the card.
    const today = engine.runtime.calendar.localDate(new Date().toISOString());
    const own = new Map(await Promise.all(list.filter((a) => a.status === 'pending').map(async (a) => [a.id, ownOpenTask(await engine.tasksOf(a.id))] as const)));
    const ownLine = (a: ApplicationRecord) => {
      const task = own.get(a.id);
      return task ? ownStepLine(applicantStepsById(engine.runtime.version(a.service, a.version)).get(task.step), task, today, lang) : '';
    };
    const body = html`<h1>${t(lang, '我的申请', 'My applications')}</h1>
${list.length ? html`<ul class="cards">${list.map((a) => html`<li><a class="name" href="/applications/${a.id}">${tx(entryOf(a.service)?.name, lang) || a.service}</a><p>${t(lang, '提交于', 'Submitted')} ${when(a.submittedAt, timezone())} · <span class="status">${tx(STATUS[a.status], lang)}</span>${byProxy(a)}</p>${ownLine(a)}</li>`)}</ul>` : html`<p>${t(lang, '您还没有提交过申请。', 'You have not applied for anything yet.')}</p>`}
${(await proxyServices(engine, viewer.id)).length ? html`<p><a href="/proxy">${t(lang, '代为申请（为他人提交申请）', 'Apply for others')}</a></p>` : ''}`;
    return page(request, reply, viewer, t(lang, '我的申请', 'My applications'), body);
  });

  /** The timeline: every event, with the step's name, who holds or held it, the due date, the decision and its comment. */
  const timeline = async (application: ApplicationRecord, tasks: TaskRecord[], lang: Lang, masked = false) => {
    const definition = engine.runtime.version(application.service, application.version);
    const steps = stepsOf(definition);
    const events = await engine.events(application.id);
    const names = await namesOf(store, [...tasks.map((x) => x.actedBy ?? ''), application.proxy ?? ''].filter(Boolean));
    const ownSteps = applicantStepsById(definition);
    const periods = new Map(publicitySteps(definition.workflow?.steps ?? []).map((p) => [p.id, p]));
    const payments = new Map(paymentSteps(definition.workflow?.steps ?? []).map((p) => [p.id, p]));
    const stepName = (id: string | undefined) => (id ? tx(steps.get(id)?.name ?? ownSteps.get(id)?.name ?? periods.get(id)?.name ?? payments.get(id)?.name, lang) || id : '');
    const q = (name: string) => (lang === 'en' ? `"${name}"` : `“${name}”`);
    const acted = [...tasks].filter((x) => x.status === 'done');
    const items: SafeHtml[] = [];
    for (const e of events) {
      const at = html`<span class="when">${when(e.at, timezone())}</span>`;
      switch (e.type) {
        case 'submitted':
          items.push(html`<li>${at}<p>${t(lang, '提交申请', 'Submitted')}${e.proxy ? t(lang, `（由 ${names.get(e.proxy) ?? e.proxy} 代为申请）`, ` (applied for by ${names.get(e.proxy) ?? e.proxy} on the applicant's behalf)`) : ''}</p></li>`);
          break;
        case 'resubmitted':
          items.push(html`<li>${at}<p>${t(lang, '修改后重新提交', 'Revised and resubmitted')}</p></li>`);
          break;
        case 'assigned':
          items.push(html`<li>${at}<p>${t(lang, '转到', 'Sent to')}${q(stepName(e.step))}${e.due ? html` · ${t(lang, '期限', 'due')} ${dueShown({ due: e.due, dueAt: e.dueAt }, engine.runtime.calendar)}` : ''}</p></li>`);
          break;
        case 'acted': {
          const task = acted.find((x) => x.step === e.step && x.actedAt === e.at) ?? acted.find((x) => x.step === e.step && x.action === e.action);
          // What the approver filled in at this step (审批人填写的字段), with the step's own labels.
          const filled = application.decisions.find((d) => d.step === e.step && d.at === e.at)?.data;
          const stepFields = (steps.get(e.step ?? '')?.fields ?? ownSteps.get(e.step ?? '')?.fields ?? []).filter((f) => filled && filled[f.id] !== undefined);
          const standIn = task?.onBehalfOf && task.actedBy ? html` · ${onBehalfText(lang, names.get(task.actedBy) ?? task.actedBy, (await namesOf(store, [task.onBehalfOf])).get(task.onBehalfOf) ?? task.onBehalfOf)}` : '';
          // A system step (issue 15.3) is done by a campus system, not approved by anyone.
          if (steps.get(e.step ?? '')?.system) {
            items.push(html`<li>${at}<p>${q(stepName(e.step))}：<strong>${t(lang, '系统已处理', 'processed by the system')}</strong></p></li>`);
            break;
          }
          items.push(html`<li>${at}<p>${q(stepName(e.step))}：<strong>${tx(ACTION[e.action ?? ''], lang)}</strong>${task?.actedBy ? html`（${names.get(task.actedBy) ?? task.actedBy}）` : ''}${standIn}</p>${stepFields.map((f) => html`<p>${tx(f.label, lang)}：${shownValue(f, filled![f.id], lang)}</p>`)}${e.comment ? html`<p>${t(lang, '意见：', 'Comment: ')}${shownText(e.comment, masked)}</p>` : ''}</li>`);
          break;
        }
        // 公示 (issue 15.2): the period, each objection (never who raised it), and its end.
        case 'published':
          items.push(html`<li>${at}<p>${q(stepName(e.step))}：<strong>${t(lang, `公示至 ${e.until ?? ''}`, `published until ${e.until ?? ''}`)}</strong></p></li>`);
          break;
        case 'objected':
          items.push(html`<li>${at}<p>${q(stepName(e.step))}${t(lang, '期间收到一条异议', ': an objection was raised')}</p>${e.comment ? html`<p>${t(lang, '理由：', 'Reason: ')}${shownText(e.comment, masked)}</p>` : ''}</li>`);
          break;
        case 'publicized':
          items.push(html`<li>${at}<p>${q(stepName(e.step))}${t(lang, '公示期满', ' ended')}：<strong>${e.objections ? t(lang, `收到 ${e.objections} 条异议，转入复核`, `${e.objections} objection(s); under review`) : t(lang, '无异议', 'no objection')}</strong></p></li>`);
          break;
        // 缴费 (issue 15.9b): the order, the platform's confirmation, or the period's end unpaid.
        case 'ordered':
          items.push(html`<li>${at}<p>${q(stepName(e.step))}：<strong>${t(lang, `应缴 ${yuanText(e.amountFen ?? 0)} 元，请于 ${e.until ?? ''} 前缴费`, `¥${yuanText(e.amountFen ?? 0)} to pay by ${e.until ?? ''}`)}</strong></p></li>`);
          break;
        case 'paid':
          items.push(html`<li>${at}<p>${q(stepName(e.step))}：<strong>${t(lang, `已缴费 ${yuanText(e.amountFen ?? 0)} 元`, `paid ¥${yuanText(e.amountFen ?? 0)}`)}</strong></p></li>`);
          break;
        case 'unpaid':
          items.push(html`<li>${at}<p class="overdue-mark">${q(stepName(e.step))}${t(lang, '：逾期未缴费', ': not paid in time')}</p></li>`);
          break;
        case 'overdue':
          items.push(html`<li>${at}<p class="overdue-mark">${q(stepName(e.step))}${t(lang, '已超期', ' is overdue')}</p></li>`);
          break;
        case 'unassigned':
          items.push(html`<li>${at}<p>${q(stepName(e.step))}${t(lang, '暂无办理人，信息化办正在处理', ' has no approver yet; the IT office is on it')}</p></li>`);
          break;
        case 'completed':
          items.push(html`<li>${at}<p><strong>${e.outcome === 'approved' ? t(lang, '已办结：通过', 'Completed: approved') : e.outcome === 'unpaid' ? t(lang, '已办结：逾期未缴费，视为放弃', 'Closed: not paid in time, deemed abandoned') : t(lang, '已办结：未通过', 'Completed: not approved')}</strong></p></li>`);
          break;
        case 'withdrawn':
          items.push(html`<li>${at}<p>${t(lang, '申请人撤回', 'Withdrawn by the applicant')}</p></li>`);
          break;
        case 'rated':
          items.push(html`<li>${at}<p>${t(lang, '评价：', 'Rated: ')}${lang === 'en' ? RATINGS_EN[e.rating ?? ''] ?? e.rating : e.rating}</p>${e.comment ? html`<p>${shownText(e.comment, masked)}</p>` : ''}</li>`);
          break;
        default: {
          // Hand-overs, copies and reminders (server/pages/work.ts).
          const item = await workEvent(engine, e, stepName(e.step), lang, at);
          if (item) items.push(item);
          break;
        }
      }
    }
    // A system step being called, or failed: the applicant sees it is the system's turn (系统处理中 / 系统处理失败).
    for (const call of (await new SystemCaller(engine, () => undefined).callsOf(application.id)).filter((c) => c.status === 'pending' || c.status === 'failed')) {
      const state = systemCallState(call);
      items.push(html`<li class="open"><p><strong>${t(lang, '当前环节：', 'Now at: ')}${stepName(call.step)}</strong></p><p class="${call.status === 'failed' ? 'status overdue' : ''}">${tx(state, lang)}</p></li>`);
    }
    // A period still open (published, not yet ended): the application is being published, nobody holds it.
    const lastPublished = events.filter((e) => e.type === 'published').at(-1);
    if (application.status === 'pending' && lastPublished && !events.some((e) => e.type === 'publicized' && e.step === lastPublished.step && Date.parse(e.at) >= Date.parse(lastPublished.at))) {
      items.push(html`<li class="open"><p><strong>${t(lang, '当前环节：', 'Now at: ')}${stepName(lastPublished.step)}</strong></p><p>${t(lang, `公示中，至 ${lastPublished.until ?? ''}；公示期满无异议后继续办理`, `being published until ${lastPublished.until ?? ''}; with no objection it goes on then`)}</p></li>`);
    }
    // An order waiting for the platform's confirmation (issue 15.9b): the applicant's turn to pay.
    for (const order of (await engine.paymentsOf(application.id)).filter((p) => p.status === 'open' && (application.status === 'pending' || application.status === 'incident'))) {
      items.push(html`<li class="open"><p><strong>${t(lang, '当前环节：', 'Now at: ')}${stepName(order.step)}</strong></p><p>${t(lang, `等待缴费：应缴 ${order.amount} 元，请于 ${order.until} 前通过统一支付平台缴费`, `waiting for payment: ¥${order.amount} by ${order.until}, through the payment platform`)}</p></li>`);
    }
    for (const task of tasks.filter((x) => x.status === 'open')) {
      if (ownSteps.has(task.step)) {
        // The applicant's own step: theirs to do, not a holder's.
        const overdue = task.due < engine.runtime.calendar.localDate(new Date().toISOString());
        items.push(html`<li class="open"><p><strong>${t(lang, '当前环节：', 'Now at: ')}${stepName(task.step)}</strong></p><p>${t(lang, '办理人：申请人本人', 'Held by: the applicant')} · ${t(lang, '期限', 'due')} <span class="${overdue ? 'status overdue' : ''}">${task.due}${overdue ? t(lang, '（已超期）', ' (overdue)') : ''}</span></p></li>`);
        continue;
      }
      // A task handed to a person (转办, 加签, 委派) is theirs alone: name them, not the post.
      const who = task.person ? [(await namesOf(store, [task.person])).get(task.person) ?? task.person] : await holdersOf(store, task.group, task.scope);
      // An hours deadline (issue 15.7) shows its time and is late after it; a work-day one after its day, in the school's zone.
      items.push(html`<li class="open"><p><strong>${t(lang, '当前环节：', 'Now at: ')}${stepName(task.step)}</strong></p><p>${t(lang, '办理人：', 'Held by: ')}${who.length ? who.join('、') : t(lang, '（等待分派）', '(waiting for assignment)')} · ${t(lang, '期限', 'due')} ${dueSpan(task, new Date(), engine.runtime.calendar, lang)}</p></li>`);
    }
    return html`<ol class="timeline">${items}</ol>`;
  };

  const applicationPage = async (request: FastifyRequest, reply: FastifyReply, viewer: Person, stored: ApplicationRecord, problems: FieldProblem[] = [], revised?: Record<string, unknown>, code = 200, full = false, ownValues: Record<string, unknown> = {}) => {
    const lang = langOf(request);
    // Privacy (server/pages/privacy.ts): masked as the API answers, unless the applicant's own or an asked-for, recorded full view.
    const view = await pageView(engine, viewer.id, stored, full);
    const application = view.application;
    const proxyName = application.proxy ? (await namesOf(store, [application.proxy])).get(application.proxy) ?? application.proxy : undefined;
    const definition = engine.runtime.version(application.service, application.version);
    const tasks = await engine.tasksOf(application.id);
    const mine = application.applicantId === viewer.id;
    const evaluation = await readEvaluation(store, application.id);
    const done = (request.query as { done?: string }).done;
    const notes: Record<string, { zh: string; en: string }> = {
      submitted: { zh: '申请已提交。', en: 'Your application was submitted.' },
      resubmitted: { zh: '已重新提交。', en: 'Resubmitted.' },
      withdrawn: { zh: '申请已撤回。', en: 'The application was withdrawn.' },
      rated: { zh: '感谢您的评价。', en: 'Thank you for your rating.' },
      urged: { zh: '已催办，当前办理人会收到提醒。', en: 'Reminder sent to the current approver.' },
      completed: { zh: '已完成。', en: 'Done.' },
    };
    // Applicant steps (issue 15.1): the step waiting for this applicant, with its form.
    const ownTask = mine ? ownOpenTask(tasks) : undefined;
    const ownStep = ownTask ? applicantStepsById(definition).get(ownTask.step) : undefined;
    // 缴费 (issue 15.9b): the applicant's open order, its amount, last day and 去缴费.
    const paySection = mine && (application.status === 'pending' || application.status === 'incident') ? paymentSection(await engine.paymentsOf(application.id), definition, lang) : '';
    const ownSection = ownTask && ownStep ? ownStepSection(application.id, ownStep, ownTask, engine.runtime.calendar.localDate(new Date().toISOString()), problems, ownValues, lang, hidden(viewer), errorSummary(problems, lang, ownStep.fields ?? [])) : '';
    const data = { ...application.data, ...(application.decisions.at(-1)?.revise ?? {}) };
    const latest = application.decisions.reduce<Record<string, unknown>>((acc, d) => ({ ...acc, ...(d.revise ?? {}) }), { ...application.data });
    const canWithdraw = mine && (application.status === 'pending' || application.status === 'incident') && application.decisions.length === 0;
    const finished = application.status === 'approved' || application.status === 'rejected';
    const lastReturn = application.status === 'returned' ? application.decisions.at(-1) : undefined;
    const body = html`<nav class="crumbs" aria-label="${t(lang, '位置', 'Breadcrumb')}"><ol><li><a href="${mine ? '/applications' : '/tasks'}">${mine ? t(lang, '我的申请', 'My applications') : t(lang, '待办', 'To do')}</a></li><li>${application.id}</li></ol></nav>
<h1>${tx(entryOf(application.service)?.name, lang) || application.service}</h1>
${done && notes[done] ? html`<div class="ok" role="status">${tx(notes[done], lang)}</div>` : ''}
<dl class="facts"><div><dt>${t(lang, '状态', 'Status')}</dt><dd class="status">${tx(STATUS[application.status], lang)}</dd></div><div><dt>${t(lang, '提交时间', 'Submitted')}</dt><dd>${when(application.submittedAt, timezone())}</dd></div>${application.booking ? html`<div><dt>${t(lang, '预约', 'Booking')}</dt><dd>${tx(definition.appointment?.resources.find((r) => r.id === application.booking!.resource)?.name, lang) || application.booking.resource} · ${application.booking.date} ${application.booking.slot}</dd></div>` : ''}${feeFact(application, lang)}${mine ? '' : html`<div><dt>${t(lang, '申请人', 'Applicant')}</dt><dd>${String(application.applicant.name ?? '')}（${application.applicantId}）</dd></div>`}${proxyName ? html`<div><dt>${t(lang, '代为申请', 'Applied for by')}</dt><dd>${t(lang, `由 ${proxyName} 代为申请`, `${proxyName}, on the applicant's behalf`)}</dd></div>` : ''}</dl>
<p class="record-links"><a href="/applications/${application.id}/record">${t(lang, '审批单（可打印）', 'Printable record')}</a>${options.dev && finished ? html` · <a href="/dev/applications/${application.id}">${t(lang, '保存为测试场景（预览）', 'Save as a scenario (preview)')}</a>` : ''}</p>
${view.mayReveal ? revealButton(viewer, `/applications/${application.id}/full`, lang) : ''}
${paySection}${ownSection}
<h2>${t(lang, '办理进度', 'Progress')}</h2>
${await timeline(application, tasks, lang, view.masked)}
${lastReturn && mine ? html`<h2>${t(lang, '修改后重新提交', 'Revise and resubmit')}</h2><div class="alert"><p>${t(lang, '退回意见：', 'Returned with: ')}${lastReturn.comment ?? '—'}</p></div>${errorSummary(problems, lang, formFields(definition))}<form method="post" action="/applications/${application.id}/resubmit" novalidate>${hidden(viewer)}${renderForm(definition, revised ?? latest, problems, lang)}<div class="actions"><button class="button" type="submit">${t(lang, '重新提交', 'Resubmit')}</button></div></form>` : html`<h2>${t(lang, '申请内容', 'What was submitted')}</h2>${renderValues(definition, data, lang)}`}
${await urgeSection(engine, viewer, application, lang, hidden(viewer), (iso) => when(iso, timezone()))}
${canWithdraw ? html`<form method="post" action="/applications/${application.id}/withdraw" class="actions">${hidden(viewer)}<button class="button alt" type="submit">${t(lang, '撤回申请', 'Withdraw')}</button><span class="muted">${t(lang, '办理人处理之前可以撤回。', 'Possible until someone acts on it.')}</span></form>` : ''}
${mine && finished && !evaluation ? html`<h2>${t(lang, '评价', 'Rate this service')}</h2>${errorSummary(problems.filter((p) => p.field === 'rating'), lang, [])}<form method="post" action="/applications/${application.id}/evaluate">${hidden(viewer)}<fieldset><legend>${t(lang, '您对本次办理满意吗？', 'How satisfied are you?')}</legend><div class="stars">${RATINGS.map((r) => html`<label><input type="radio" name="rating" value="${r}" required> ${lang === 'en' ? RATINGS_EN[r] : r}</label>`)}</div><div class="field"><label for="rate-comment">${t(lang, '意见或建议（可选）', 'Comment (optional)')}</label><textarea id="rate-comment" name="comment" maxlength="500"></textarea></div></fieldset><div class="actions"><button class="button" type="submit">${t(lang, '提交评价', 'Submit rating')}</button></div></form>` : ''}
${evaluation ? html`<p>${t(lang, '您的评价：', 'Your rating: ')}<strong>${lang === 'en' ? RATINGS_EN[evaluation.rating] : evaluation.rating}</strong>${evaluation.comment ? html` · ${evaluation.comment}` : ''}</p>` : ''}`;
    return page(request, reply, viewer, tx(entryOf(application.service)?.name, lang) || application.service, body, code);
  };

  /** An application the viewer may see, or a 404 page (the same for one that does not exist: no probing). */
  const visible = async (request: FastifyRequest, reply: FastifyReply, viewer: Person): Promise<ApplicationRecord | undefined> => {
    const { id } = request.params as { id: string };
    const application = id.length <= 64 ? await engine.application(id) : undefined;
    if (!application || !(await engine.maySee(viewer.id, application))) {
      void notFound(request, reply, viewer);
      return undefined;
    }
    return application;
  };

  app.get('/applications/:id', async (request, reply) => {
    const viewer = await viewerOf(request, reply);
    if (!viewer) return;
    const application = await visible(request, reply, viewer);
    if (!application) return;
    return applicationPage(request, reply, viewer, application);
  });

  /** The applicant's own application (others get the same 404 as for one that does not exist). */
  const ownAfterPost = async (request: FastifyRequest, reply: FastifyReply, body: FormBody) => {
    const viewer = await changerOf(request, reply, body);
    if (!viewer) return undefined;
    const application = await visible(request, reply, viewer);
    if (!application) return undefined;
    if (application.applicantId !== viewer.id) {
      void notFound(request, reply, viewer);
      return undefined;
    }
    return { viewer, application };
  };

  const refused = (request: FastifyRequest, reply: FastifyReply, viewer: Person, outcome: Outcome<object>) => {
    const lang = langOf(request);
    if (outcome.ok) return undefined;
    return page(request, reply, viewer, t(lang, '未能办理', 'Not done'), html`<h1>${t(lang, '未能办理', 'Not done')}</h1><div class="alert"><p>${tx(outcome.message, lang)}</p></div><p><a href="${request.url.replace(/\/[a-z]+$/, '')}">${t(lang, '返回', 'Back')}</a></p>`, outcome.kind === 'not-found' ? 404 : outcome.kind === 'forbidden' ? 403 : 409);
  };

  app.post('/applications/:id/withdraw', async (request, reply) => {
    const found = await ownAfterPost(request, reply, formBody(request.body));
    if (!found) return;
    const outcome = await engine.withdraw({ application: found.application.id, applicant: found.viewer.id });
    if (!outcome.ok) return refused(request, reply, found.viewer, outcome);
    return reply.redirect(`/applications/${found.application.id}?done=withdrawn`, 303);
  });

  app.post('/applications/:id/resubmit', async (request, reply) => {
    const body = formBody(request.body);
    const found = await ownAfterPost(request, reply, body);
    if (!found) return;
    const { viewer, application } = found;
    const definition = engine.runtime.version(application.service, application.version);
    const changes = withoutHidden(definition, parseFields(formFields(definition), body), { ...viewer.attributes, name: viewer.name, number: viewer.id });
    const outcome = await engine.resubmit({ application: application.id, applicant: viewer.id, changes });
    if (!outcome.ok) {
      if (outcome.kind === 'invalid') return applicationPage(request, reply, viewer, application, outcome.fieldErrors, changes, 422);
      return refused(request, reply, viewer, outcome);
    }
    return reply.redirect(`/applications/${application.id}?done=resubmitted`, 303);
  });

  app.post('/applications/:id/complete', async (request, reply) => {
    const body = formBody(request.body);
    const found = await ownAfterPost(request, reply, body);
    if (!found) return;
    const { viewer, application } = found;
    const task = ownOpenTask(await engine.tasksOf(application.id));
    const step = task ? applicantStepsById(engine.runtime.version(application.service, application.version)).get(task.step) : undefined;
    const values = parseFields(step?.fields ?? [], body);
    const outcome = await engine.complete({ application: application.id, applicant: viewer.id, ...(Object.keys(values).length ? { data: values } : {}) });
    if (!outcome.ok) {
      if (outcome.kind === 'invalid') return applicationPage(request, reply, viewer, application, outcome.fieldErrors, undefined, 422, false, values);
      return refused(request, reply, viewer, outcome);
    }
    return reply.redirect(`/applications/${application.id}?done=completed`, 303);
  });

  // 公示 (issue 15.2, ./publicity.ts): what is being published, to signed-in members; objections by name.
  app.get('/publicity', async (request, reply) => {
    const viewer = await viewerOf(request, reply);
    if (!viewer) return;
    const lang = langOf(request);
    const done = (request.query as { done?: string }).done === 'objected' ? { ok: true, text: t(lang, '已收到您的异议，公示期满后将复核。', 'Your objection was received; it is reviewed when the period ends.') } : undefined;
    return page(request, reply, viewer, t(lang, '公示', 'Publicity'), publicityPage(await engine.publicity(), viewer.id, lang, hidden(viewer), done));
  });

  app.post('/publicity/:id/objections', async (request, reply) => {
    const body = formBody(request.body);
    const viewer = await changerOf(request, reply, body);
    if (!viewer) return;
    const lang = langOf(request);
    const { id } = request.params as { id: string };
    const outcome = await engine.object({ application: id, person: viewer.id, reason: body.get('reason')?.[0] ?? '' });
    if (!outcome.ok) {
      const text = outcome.kind === 'invalid' ? tx(outcome.fieldErrors[0]?.message ?? outcome.message, lang) : tx(outcome.message, lang);
      return page(request, reply, viewer, t(lang, '公示', 'Publicity'), publicityPage(await engine.publicity(), viewer.id, lang, hidden(viewer), { ok: false, text }), outcome.kind === 'not-found' ? 404 : outcome.kind === 'forbidden' ? 403 : outcome.kind === 'invalid' ? 422 : 409);
    }
    return reply.redirect('/publicity?done=objected', 303);
  });

  app.post('/applications/:id/evaluate', async (request, reply) => {
    const body = formBody(request.body);
    const found = await ownAfterPost(request, reply, body);
    if (!found) return;
    const { viewer, application } = found;
    const lang = langOf(request);
    const rating = body.get('rating')?.[0] ?? '';
    const comment = (body.get('comment')?.[0] ?? '').trim().slice(0, 500);
    if (application.status !== 'approved' && application.status !== 'rejected') return refused(request, reply, viewer, { ok: false, kind: 'conflict', status: application.status, message: { zh: '申请办结后才能评价。', en: 'An application can be rated once it is completed.' } });
    if (!(RATINGS as readonly string[]).includes(rating)) return applicationPage(request, reply, viewer, application, [{ field: 'rating', label: t(lang, '评价', 'Rating'), message: { zh: '请选择一个评价等级', en: 'choose one of the five levels' } }], undefined, 422);
    const recorded = await recordEvaluation(store, application, rating, comment || undefined);
    if (!recorded) return refused(request, reply, viewer, { ok: false, kind: 'conflict', status: application.status, message: { zh: '这个申请已经评价过了。', en: 'This application has already been rated.' } });
    return reply.redirect(`/applications/${application.id}?done=rated`, 303);
  });

  // ---- Approver: to do, done, one task ----

  app.get('/tasks', async (request, reply) => {
    const viewer = await viewerOf(request, reply);
    if (!viewer) return;
    const lang = langOf(request);
    const showDone = (request.query as { view?: string }).view === 'done';
    const now = new Date();
    const serviceOf = new Map<string, ApplicationRecord | undefined>();
    const nameFor = async (applicationId: string) => {
      if (!serviceOf.has(applicationId)) serviceOf.set(applicationId, await engine.application(applicationId));
      const a = serviceOf.get(applicationId);
      if (!a) return { service: '', step: (id: string) => id, applicant: '' };
      const steps = stepsOf(engine.runtime.version(a.service, a.version));
      return { service: tx(entryOf(a.service)?.name, lang) || a.service, step: (id: string) => tx(steps.get(id)?.name, lang) || id, applicant: maskText(String(a.applicant.name ?? a.applicantId)) };
    };
    let list: SafeHtml;
    if (showDone) {
      const done = await doneBy(store, viewer.id);
      const rows = await Promise.all(done.map(async (d) => ({ d, n: await nameFor(d.application) })));
      list = rows.length ? html`<ul class="cards">${rows.map(({ d, n }) => html`<li><a class="name" href="/applications/${d.application}">${n.service}</a><p>${n.step(d.step)} · ${n.applicant} · ${tx(ACTION[d.action], lang)} · ${when(d.actedAt, timezone())}</p></li>`)}</ul>` : html`<p>${t(lang, '还没有办理过的事项。', 'Nothing done yet.')}</p>`;
    } else {
      const todo = await engine.todo(viewer.id);
      const rows = await Promise.all(todo.map(async (x) => ({ x, n: await nameFor(x.application) })));
      list = rows.length
        ? html`<ul class="cards">${rows.map(({ x, n }) => html`<li><a class="name" href="/tasks/${x.id}">${n.service}</a><p>${n.step(x.step)} · ${n.applicant} · ${t(lang, '期限', 'due')} ${dueSpan(x, now, engine.runtime.calendar, lang)}</p></li>`)}</ul>`
        : html`<p>${t(lang, '没有待办。', 'Nothing to do.')}</p>`;
      // 批量审批 (server/pages/work.ts): the tasks whose step allows it, with checkboxes.
      const batchRows = rows.map(({ x, n }) => { const a = serviceOf.get(x.application); return { task: x, step: a ? stepsOf(engine.runtime.version(a.service, a.version)).get(x.step) : undefined, label: html`${n.service} · ${n.step(x.step)} · ${n.applicant} · ${dueShown(x, engine.runtime.calendar)}` }; });
      list = html`${list}${batchForm(engine, batchRows, lang, hidden(viewer))}`;
    }
    const body = html`<h1>${showDone ? t(lang, '已办', 'Done') : t(lang, '待办', 'To do')}</h1>
<ul class="tabs"><li><a href="/tasks"${showDone ? '' : html` aria-current="page"`}>${t(lang, '待办', 'To do')}</a></li><li><a href="/tasks?view=done"${showDone ? html` aria-current="page"` : ''}>${t(lang, '已办', 'Done')}</a></li><li><a href="/copies">${t(lang, '抄送给我', 'Copied to me')}</a></li><li><a href="/phrases">${t(lang, '常用意见', 'Saved phrases')}</a></li><li><a href="/stand-ins">${t(lang, '委托', 'Stand-ins')}</a></li></ul>
${list}`;
    return page(request, reply, viewer, showDone ? t(lang, '已办', 'Done') : t(lang, '待办', 'To do'), body);
  });

  /** A task the viewer holds (open) or acted on, with its application; otherwise a 404 page. */
  const taskFor = async (request: FastifyRequest, reply: FastifyReply, viewer: Person) => {
    const { id } = request.params as { id: string };
    const [row] = id.length <= 64 ? await store.query<{ application_id: string; group_id: string; scope: string; acted_by: string | null }>('SELECT application_id, group_id, scope, acted_by FROM task WHERE id = $1', [id]) : [];
    const mayAct = row && (row.acted_by === viewer.id || (await holds(store, viewer.id, row.group_id, row.scope)) || (await mayOpenTask(engine, id, viewer.id)));
    const application = mayAct ? await engine.application(row.application_id) : undefined;
    const task = application ? (await engine.tasksOf(application.id)).find((x) => x.id === id) : undefined;
    if (!application || !task) {
      void notFound(request, reply, viewer);
      return undefined;
    }
    return { application, task };
  };

  /**
   * What the application owes (issue 15.9a), computed from its latest form data exactly as the API answers it
   * (server/engine/fee-answer.ts): each item with its quantity and amount, then the total. Nothing for a free service.
   */
  /** The applicant's open order (issue 15.9b): what to pay, by when, and 去缴费 when the platform's cashier address is known. */
  const paymentSection = (orders: Awaited<ReturnType<Engine['paymentsOf']>>, definition: RuntimeDefinition, lang: Lang) => {
    const order = orders.find((p) => p.status === 'open');
    if (!order) return '';
    const step = paymentSteps(definition.workflow?.steps ?? []).find((p) => p.id === order.step);
    const payUrl = payUrlOf(engine.paymentPlatform(order.connector)?.payUrl, order);
    return html`<section class="alert payment" aria-labelledby="pay-title"><h2 id="pay-title">${tx(step?.name, lang) || order.step}</h2>
<p class="amount">${t(lang, '应缴金额：', 'Amount: ')}<strong>${t(lang, `${order.amount} 元`, `¥${order.amount}`)}</strong> · ${t(lang, `请于 ${order.until} 前缴费`, `pay by ${order.until}`)}</p>
${step?.description ? html`<p>${tx(step.description, lang)}</p>` : ''}
<p class="muted">${t(lang, '订单号：', 'Order: ')}<code>${order.orderId}</code></p>
${payUrl ? html`<p class="actions"><a class="button" href="${payUrl}">${t(lang, '去缴费', 'Pay now')}</a><span class="muted">${t(lang, '到账后自动继续办理，无需上传凭证。', 'Once paid, the application goes on by itself; no receipt needed.')}</span></p>` : html`<p>${t(lang, '请登录学校统一支付平台，按订单号缴费；到账后自动继续办理。', 'Sign in to the payment platform and pay this order; the application goes on once it is paid.')}</p>`}</section>`;
  };

  const feeFact = (application: ApplicationRecord, lang: Lang) => {
    const fee = feeAnswer(engine, application).fee;
    if (!fee) return '';
    const items = fee.items.filter((i) => i.fen > 0).map((i) => t(lang, `${i.name} × ${i.quantity}：${yuanText(i.fen)} 元`, `${i.name} × ${i.quantity}: ¥${yuanText(i.fen)}`));
    return html`<div><dt>${t(lang, '应缴费用', 'Fee')}</dt><dd>${items.length ? `${items.join(lang === 'zh' ? '；' : '; ')}${lang === 'zh' ? '；' : '; '}` : ''}${t(lang, `合计 ${fee.total} 元`, `total ¥${fee.total}`)}</dd></div>`;
  };

  const taskPage = async (request: FastifyRequest, reply: FastifyReply, viewer: Person, stored: ApplicationRecord, task: TaskRecord, problems: FieldProblem[] = [], values: Record<string, unknown> = {}, comment = '', note?: SafeHtml, code = 200, full = false, returnTo = '') => {
    const lang = langOf(request);
    const view = await pageView(engine, viewer.id, stored, full);
    const application = view.application;
    const proxyName = application.proxy ? (await namesOf(store, [application.proxy])).get(application.proxy) ?? application.proxy : undefined;
    const definition = engine.runtime.version(application.service, application.version);
    const step = stepsOf(definition).get(task.step);
    const tasks = await engine.tasksOf(application.id);
    const data = application.decisions.reduce<Record<string, unknown>>((acc, d) => ({ ...acc, ...(d.revise ?? {}) }), { ...application.data });
    const late = task.status === 'open' && pastDue(task, new Date(), engine.runtime.calendar);
    // The decisions; hand-overs (转办, 加签, 委派) need a person to hand to and are the API's for now (docs/runtime.md).
    const actions = (task.status === 'open' ? decisionsNow(step, application, task) : (step?.actions ?? ['approve', 'reject'])).filter((a): a is 'approve' | 'reject' | 'return' => a === 'approve' || a === 'reject' || a === 'return');
    const stepFields = step?.fields ?? [];
    // Return to a chosen step (issue 15.5, return-to.ts): the targets open to this task now.
    const targets = task.status === 'open' && actions.includes('return') ? engine.returnTargets(application, task.step) : [];
    const body = html`<nav class="crumbs" aria-label="${t(lang, '位置', 'Breadcrumb')}"><ol><li><a href="/tasks">${t(lang, '待办', 'To do')}</a></li><li>${tx(step?.name, lang) || task.step}</li></ol></nav>
<h1>${tx(entryOf(application.service)?.name, lang) || application.service}</h1>
${note ?? ''}
${await standInNote(engine, viewer, task, lang)}
<dl class="facts"><div><dt>${t(lang, '环节', 'Step')}</dt><dd>${tx(step?.name, lang) || task.step}</dd></div><div><dt>${t(lang, '申请人', 'Applicant')}</dt><dd>${String(application.applicant.name ?? '')}（${application.applicantId}）${proxyName ? t(lang, `，由 ${proxyName} 代为申请`, `, applied for by ${proxyName}`) : ''}</dd></div><div><dt>${t(lang, '期限', 'Due')}</dt><dd class="${late ? 'status overdue' : ''}">${dueShown(task, engine.runtime.calendar)}${late ? t(lang, '（已超期）', ' (overdue)') : ''}</dd></div>${feeFact(application, lang)}</dl>
<h2>${t(lang, '申请内容', 'What was submitted')}</h2>
${await annotatedValues(engine, definition, application, data, lang, (iso) => when(iso, timezone()))}
${view.mayReveal ? revealButton(viewer, `/tasks/${task.id}/full`, lang) : ''}
<h2>${t(lang, '办理记录', 'History')}</h2>
${await timeline(application, tasks, lang, view.masked)}
${task.status === 'open'
  ? html`<h2>${t(lang, '办理', 'Decide')}</h2>${errorSummary(problems, lang, stepFields)}<form method="post" action="/tasks/${task.id}" class="decide" novalidate>${hidden(viewer)}${stepFields.length ? html`<fieldset><legend>${t(lang, '本环节填写', 'Filled in at this step')}</legend>${stepFields.map((f) => renderField(f, values[f.id], problems, lang))}</fieldset>` : ''}<div class="field"><label for="comment">${t(lang, '意见', 'Comment')}</label><textarea id="comment" name="comment" maxlength="2000">${comment}</textarea><span class="help">${t(lang, '退回或不同意时请写明原因，申请人会看到。', 'When returning or rejecting, say why: the applicant sees it.')}</span>${await phraseLinks(engine, viewer, task, lang)}</div>${returnTargetField(targets, (id) => stepsOf(definition).get(id), returnTo, lang)}<div class="actions">${actions.map((a) => html`<button class="button${a === 'approve' ? '' : a === 'reject' ? ' stop' : ' alt'}" type="submit" name="action" value="${a}">${tx(BUTTON[a], lang)}</button>`)}</div></form>${await taskTools(engine, viewer, application, task, lang, hidden(viewer))}`
  : html`<p class="muted">${t(lang, '这个环节已经办理。', 'This step has been decided.')}</p>`}`;
    return page(request, reply, viewer, tx(step?.name, lang) || task.step, body, code);
  };

  app.get('/tasks/:id', async (request, reply) => {
    const viewer = await viewerOf(request, reply);
    if (!viewer) return;
    const found = await taskFor(request, reply, viewer);
    if (!found) return;
    const noted = (request.query as { done?: string }).done === 'noted' ? html`<div class="ok" role="status">${t(langOf(request), '批注已添加。', 'The note was added.')}</div>` : undefined;
    return taskPage(request, reply, viewer, found.application, found.task, [], {}, await phraseText(engine, viewer.id, (request.query as { phrase?: unknown }).phrase), noted);
  });

  app.post('/tasks/:id', async (request, reply) => {
    const body = formBody(request.body);
    const viewer = await changerOf(request, reply, body);
    if (!viewer) return;
    const found = await taskFor(request, reply, viewer);
    if (!found) return;
    const { application, task } = found;
    const lang = langOf(request);
    const action = body.get('action')?.[0];
    const comment = (body.get('comment')?.[0] ?? '').replace(/\r\n/g, '\n').trim();
    const step = stepsOf(engine.runtime.version(application.service, application.version)).get(task.step);
    const values = parseFields(step?.fields ?? [], body);
    if (action !== 'approve' && action !== 'reject' && action !== 'return') {
      return taskPage(request, reply, viewer, application, task, [{ field: '', label: '', message: { zh: '请选择“同意”“不同意”或“退回修改”。', en: 'Choose approve, reject or return.' } }], values, comment, undefined, 422);
    }
    if ((action === 'return' || action === 'reject') && !comment) {
      return taskPage(request, reply, viewer, application, task, [{ field: 'comment', label: t(lang, '意见', 'Comment'), message: { zh: '退回或不同意时请写明原因', en: 'say why when returning or rejecting' } }], values, comment, undefined, 422);
    }
    const returnTo = action === 'return' ? chosenReturnTarget(body.get('returnTo')?.[0], engine.returnTargets(application, task.step)) : undefined;
    const outcome = await engine.act({ task: task.id, person: viewer.id, action, ...(comment ? { comment } : {}), ...(Object.keys(values).length ? { data: values } : {}), ...(returnTo ? { returnTo } : {}) });
    if (outcome.ok) return reply.redirect(`/tasks?acted=${task.id}`, 303);
    if (outcome.kind === 'conflict') {
      const fresh = (await engine.tasksOf(application.id)).find((x) => x.id === task.id) ?? task;
      const by = fresh.actedBy ? (await namesOf(store, [fresh.actedBy])).get(fresh.actedBy) ?? fresh.actedBy : undefined;
      const note = html`<div class="errors" role="alert"><h2>${t(lang, '这个环节已经有人办理了', 'Someone else has already acted')}</h2><p>${by ? t(lang, `${by} 于 ${when(fresh.actedAt, timezone())} 已办理（${tx(ACTION[fresh.action ?? ''], 'zh')}），您的决定没有保存。下面是最新的办理记录。`, `${by} acted at ${when(fresh.actedAt, timezone())} (${tx(ACTION[fresh.action ?? ''], 'en')}); your decision was not saved. The latest history is below.`) : t(lang, '申请的状态已经改变（可能已被撤回），您的决定没有保存。', 'The application changed (it may have been withdrawn); your decision was not saved.')}</p></div>`;
      return taskPage(request, reply, viewer, (await engine.application(application.id))!, fresh, [], values, comment, note, 409);
    }
    if (outcome.kind === 'invalid') return taskPage(request, reply, viewer, application, task, outcome.fieldErrors, values, comment, undefined, 422);
    return refused(request, reply, viewer, outcome);
  });

  // ---- Privacy: the full view a page asks for (server/pages/privacy.ts), recorded like the API's ----

  const revealButton = (viewer: Viewer, action: string, lang: Lang) =>
    html`<form method="post" action="${action}" class="actions reveal">${hidden(viewer)}<button class="button alt" type="submit">${t(lang, '查看完整信息', 'Show in full')}</button><span class="muted">${t(lang, '身份证号、电话和敏感内容已遮盖；查看完整信息会被记录（谁、何时、哪些字段）。', 'ID and phone numbers and sensitive content are masked; showing them in full is recorded (who, when, which fields).')}</span></form>`;

  const refusedFull = (request: FastifyRequest, reply: FastifyReply, viewer: Person) => {
    const lang = langOf(request);
    return page(request, reply, viewer, t(lang, '不能查看完整信息', 'Not shown in full'), html`<h1>${t(lang, '不能查看完整信息', 'Not shown in full')}</h1><div class="alert"><p>${t(lang, '这个事项限定了可以查看申请全文的人员，您可以办理，但敏感内容只能看到遮盖后的。', 'This service limits who may read its applications in full: you may act on it, but see sensitive content masked.')}</p></div><p><a href="${request.url.replace(/\/full$/, '')}">${t(lang, '返回', 'Back')}</a></p>`, 403);
  };

  app.post('/applications/:id/full', async (request, reply) => {
    const viewer = await changerOf(request, reply, formBody(request.body));
    if (!viewer) return;
    const application = await visible(request, reply, viewer);
    if (!application) return;
    if (!(await revealOnPage(engine, viewer.id, application, 'POST /applications/:id/full'))) return refusedFull(request, reply, viewer);
    return applicationPage(request, reply, viewer, application, [], undefined, 200, true);
  });

  app.post('/tasks/:id/full', async (request, reply) => {
    const viewer = await changerOf(request, reply, formBody(request.body));
    if (!viewer) return;
    const found = await taskFor(request, reply, viewer);
    if (!found) return;
    if (!(await revealOnPage(engine, viewer.id, found.application, 'POST /tasks/:id/full'))) return refusedFull(request, reply, viewer);
    return taskPage(request, reply, viewer, found.application, found.task, [], {}, '', undefined, 200, true);
  });

  // 代理申请 and the IT office's view log (server/pages/proxy.ts).
  await proxyPages(app, { engine, options, page, viewerOf, changerOf, notFound, hidden, formBody, timezone, entryOf, statusText: STATUS });

  // ---- Development: the persona picker (404 without --dev) ----

  app.get('/dev/personas', async (request, reply) => {
    const viewer = await options.personOf(request);
    if (!options.dev) return notFound(request, reply, viewer);
    const lang = langOf(request);
    const everyone = await people(store);
    const body = html`<h1>${t(lang, '选择试用身份', 'Pick a persona')}</h1>
<p>${t(lang, '开发模式：以人员目录中的任何人登录，试用申请和审批。正式环境没有这个页面。', 'Development mode: sign in as anyone in the directory to try applying and approving. This page does not exist in production.')}</p>
<ul class="cards">${everyone.map((p) => html`<li><form method="post" action="/dev/personas"><input type="hidden" name="person" value="${p.id}"><button class="button alt" type="submit">${p.name}</button></form><p>${p.id}${p.holds.length ? html` · ${p.holds.join('、')}` : ''}</p></li>`)}</ul>`;
    return page(request, reply, viewer, t(lang, '选择试用身份', 'Pick a persona'), body);
  });

  app.post('/dev/personas', async (request, reply) => {
    if (!options.dev) return notFound(request, reply, undefined);
    const person = formBody(request.body).get('person')?.[0] ?? '';
    const [row] = person && person.length <= 64 ? await store.query('SELECT id FROM person WHERE id = $1', [person]) : [];
    if (!row) return notFound(request, reply, undefined);
    await options.startSession(reply, person);
    const holdsAny = (await store.query('SELECT 1 AS yes FROM membership WHERE person_id = $1', [person])).length > 0;
    return reply.redirect(holdsAny ? '/tasks' : '/applications', 303);
  });

  // The approver's and applicant's work around a case (常用意见, 批注, hand-overs, 批量审批, 催办, 委托, 抄送给我): server/pages/work.ts.
  await app.register(workPages, { engine, page, notFound, viewerOf, changerOf, formBody, hidden, when: (iso) => when(iso, timezone()) });
};
