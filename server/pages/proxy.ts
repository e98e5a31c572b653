import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import type { Engine } from '../engine/engine.ts';
import { appliedFor, proxyCheck, proxyServices, submitOnBehalf } from '../engine/proxy.ts';
import { prefilledData } from '../engine/prefill-lock.ts';
import { fieldViews } from '../privacy/access.ts';
import { maskText } from '../privacy/mask.ts';
import { formFields, parseFields, renderForm, withoutHidden } from './fields.ts';
import type { FieldProblem, FormBody } from './fields.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { langOf, t, tx } from './i18n.ts';
import type { Lang } from './i18n.ts';
import type { Viewer } from './layout.ts';

type Person = Viewer & { attributes: Record<string, unknown> };

/** What the pages' plugin (routes.ts) lends these pages: its page frame, sign-in and CSRF checks, form helpers. */
export interface PageKit {
  engine: Engine;
  options: { itOffice?: () => string | undefined };
  page: (request: FastifyRequest, reply: FastifyReply, viewer: Viewer | undefined, title: string, body: SafeHtml, code?: number) => FastifyReply;
  viewerOf: (request: FastifyRequest, reply: FastifyReply) => Promise<Person | undefined>;
  changerOf: (request: FastifyRequest, reply: FastifyReply, body: FormBody) => Promise<Person | undefined>;
  notFound: (request: FastifyRequest, reply: FastifyReply, viewer: Viewer | undefined) => FastifyReply;
  hidden: (viewer: Viewer) => SafeHtml;
  formBody: (body: unknown) => FormBody;
  timezone: () => string;
  entryOf: (id: string) => { id: string; name: { zh: string; en?: string }; status: string; type?: string } | undefined;
  statusText: Record<string, { zh: string; en: string }>;
}

function when(iso: string, timezone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
}


/**
 * The form without its file fields: an attachment is claimed by its uploader (server/files/attachments.ts),
 * so only the applicant may add one; the proxy's form offers none rather than a control that loses files.
 */
function withoutFiles(definition: RuntimeDefinition): RuntimeDefinition {
  if (!definition.form) return definition;
  return { ...definition, form: { ...definition.form, sections: definition.form.sections.map((section) => ({ ...section, fields: section.fields.filter((f) => f.type !== 'file') })) } };
}

/**
 * 代理申请 in the pages (server/engine/proxy.ts): `/proxy` lists the services the viewer may apply in for
 * others and what they submitted for others; `/proxy/:service` asks whose application it is (学号/工号),
 * then shows the service's form prefilled from that person's directory attributes; its POST submits it
 * for them (CSRF, then redirect). Refused with a Chinese explanation: 403 for someone the service's
 * `proxy.by` does not name, 404 for a person the directory does not know. Also the IT office's record of
 * full views (`/admin/field-views`, the page twin of `GET /api/admin/field-views`).
 */
export async function proxyPages(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { engine, page } = kit;

  app.get('/proxy', async (request, reply) => {
    const viewer = await kit.viewerOf(request, reply);
    if (!viewer) return;
    const lang = langOf(request);
    const services = await proxyServices(engine, viewer.id);
    const list = await appliedFor(engine, viewer.id);
    const body = html`<h1>${t(lang, '代为申请', 'Apply for others')}</h1>
<p class="muted">${t(lang, '为无法自行办理的师生提交申请。申请人仍是本人：本人会收到通知，在“我的申请”中看到由您代为申请，并可在办理人处理前撤回。', 'Apply for a student or colleague who cannot. The applicant stays the person: they are notified, see that you applied for them in My applications, and may withdraw it before anyone acts.')}</p>
<h2>${t(lang, '可代为申请的事项', 'Services you may apply in for others')}</h2>
${services.length ? html`<ul class="cards">${services.map((id) => html`<li><a class="name" href="/proxy/${id}">${tx(kit.entryOf(id)?.name, lang) || id}</a></li>`)}</ul>` : html`<p>${t(lang, '您没有可代为申请的事项（由各事项的 proxy.by 规定）。', 'There is no service you may apply in for others (each service says who may, proxy.by).')}</p>`}
<h2>${t(lang, '我代为申请的', 'Applied for others')}</h2>
${list.length ? html`<ul class="cards">${list.map((a) => html`<li><a class="name" href="/applications/${a.id}">${tx(kit.entryOf(a.service)?.name, lang) || a.service}</a><p>${t(lang, '申请人', 'Applicant')} ${maskText(String(a.applicant.name ?? ''))}（${a.applicantId}） · ${t(lang, '提交于', 'Submitted')} ${when(a.submittedAt, kit.timezone())} · <span class="status">${tx(kit.statusText[a.status], lang)}</span></p></li>`)}</ul>` : html`<p>${t(lang, '还没有代他人提交过申请。', 'You have not applied for anyone yet.')}</p>`}`;
    return page(request, reply, viewer, t(lang, '代为申请', 'Apply for others'), body);
  });

  /** The service an address names, online with a form; otherwise the not-found page. */
  const serviceOf = (request: FastifyRequest, reply: FastifyReply, viewer: Viewer): RuntimeDefinition | undefined => {
    const { service } = request.params as { service: string };
    const entry = kit.entryOf(service);
    const definition = entry && engine.runtime.definitions.get(service) ? engine.runtime.current(service) : undefined;
    if (!entry || !definition || entry.status !== 'online' || !definition.form) {
      void kit.notFound(request, reply, viewer);
      return undefined;
    }
    return definition;
  };

  const personForm = (definition: RuntimeDefinition, lang: Lang, person: string, problem?: { zh: string; en: string }) =>
    html`<form method="get" action="/proxy/${definition.id}" novalidate>${problem ? html`<div class="errors" role="alert"><p>${tx(problem, lang)}</p></div>` : ''}<div class="field${problem ? ' bad' : ''}"><label for="person">${t(lang, '申请人的学号或工号', "The applicant's student or staff number")}<span class="req" aria-hidden="true">*</span></label><input id="person" name="person" value="${person}" required maxlength="64" autocomplete="off"${problem ? html` aria-invalid="true"` : ''}></div><div class="actions"><button class="button" type="submit">${t(lang, '下一步', 'Next')}</button></div></form>`;

  const refusal = (request: FastifyRequest, reply: FastifyReply, viewer: Viewer, definition: RuntimeDefinition, message: { zh: string; en: string }, code: number, person = '') => {
    const lang = langOf(request);
    const name = tx(kit.entryOf(definition.id)?.name, lang) || definition.id;
    const body = html`<h1>${t(lang, `代为申请：${name}`, `Apply for someone: ${name}`)}</h1>${code === 403 ? html`<div class="alert" role="alert"><p>${tx(message, lang)}</p></div><p><a href="/proxy">${t(lang, '返回', 'Back')}</a></p>` : personForm(definition, lang, person, message)}`;
    return page(request, reply, viewer, name, body, code);
  };

  const formPage = (request: FastifyRequest, reply: FastifyReply, viewer: Person, definition: RuntimeDefinition, person: { id: string; name: string }, values: Record<string, unknown>, problems: FieldProblem[], code = 200) => {
    const lang = langOf(request);
    const name = tx(kit.entryOf(definition.id)?.name, lang) || definition.id;
    const fields = formFields(definition);
    const hasFiles = fields.some((f) => f.type === 'file');
    const summary = problems.length
      ? html`<div class="errors" role="alert" tabindex="-1" id="errors"><h2>${t(lang, `有 ${problems.length} 处需要修改`, `${problems.length} ${problems.length === 1 ? 'thing needs' : 'things need'} fixing`)}</h2><ul>${problems.map((p) => {
          const field = fields.find((f) => p.field === f.id || p.field.startsWith(`${f.id}[`) || p.field.startsWith(`${f.id}.`));
          return html`<li>${field ? tx(field.label, lang) : (p.label ?? p.field)}${field || p.label || p.field ? '：' : ''}${tx(p.message, lang)}</li>`;
        })}</ul></div>`
      : '';
    const body = html`<nav class="crumbs" aria-label="${t(lang, '位置', 'Breadcrumb')}"><ol><li><a href="/proxy">${t(lang, '代为申请', 'Apply for others')}</a></li><li>${name}</li></ol></nav>
<h1>${name}</h1>
<div class="ok proxy-for" role="note">${t(lang, `您正在代 ${person.name}（${person.id}）申请。申请人是 ${person.name}：表单已按其人员目录信息预填，提交后本人会收到通知。`, `You are applying for ${person.name} (${person.id}). They are the applicant: the form is prefilled from their directory entry, and they are notified when you submit.`)}</div>
${summary}
<form method="post" action="/proxy/${definition.id}" novalidate>
${kit.hidden(viewer)}<input type="hidden" name="person" value="${person.id}">
${renderForm(withoutFiles(definition), values, problems, lang)}
${hasFiles ? html`<p class="muted">${t(lang, '附件只能由申请人本人上传（或按办事指南线下提交），代为申请时不上传。', 'Attachments are uploaded by the applicant themselves (or handed in as the guide says); a proxy uploads none.')}</p>` : ''}
<div class="actions"><button class="button" type="submit">${t(lang, '代为提交申请', 'Submit for them')}</button></div>
</form>`;
    return page(request, reply, viewer, name, body, code);
  };

  app.get('/proxy/:service', async (request, reply) => {
    const viewer = await kit.viewerOf(request, reply);
    if (!viewer) return;
    const definition = serviceOf(request, reply, viewer);
    if (!definition) return;
    const lang = langOf(request);
    const person = String((request.query as { person?: unknown }).person ?? '').trim().slice(0, 64);
    if (!person) {
      // Asked about themselves, the check says only whether the viewer may apply for others here.
      const checked = await proxyCheck(engine, { service: definition.id, proxy: viewer.id, person: viewer.id });
      if (!checked.ok && checked.kind === 'forbidden') return refusal(request, reply, viewer, definition, checked.message, 403);
      const name = tx(kit.entryOf(definition.id)?.name, lang) || definition.id;
      return page(request, reply, viewer, name, html`<nav class="crumbs" aria-label="${t(lang, '位置', 'Breadcrumb')}"><ol><li><a href="/proxy">${t(lang, '代为申请', 'Apply for others')}</a></li><li>${name}</li></ol></nav><h1>${t(lang, `代为申请：${name}`, `Apply for someone: ${name}`)}</h1>${personForm(definition, lang, '')}`);
    }
    const checked = await proxyCheck(engine, { service: definition.id, proxy: viewer.id, person });
    if (!checked.ok) return refusal(request, reply, viewer, definition, checked.message, checked.kind === 'forbidden' ? 403 : checked.kind === 'not-found' ? 404 : 409, person);
    return formPage(request, reply, viewer, definition, checked.person, prefilledData(definition, { ...checked.person.attributes, name: checked.person.name, number: checked.person.id }), []);
  });

  app.post('/proxy/:service', async (request, reply) => {
    const body = kit.formBody(request.body);
    const viewer = await kit.changerOf(request, reply, body);
    if (!viewer) return;
    const definition = serviceOf(request, reply, viewer);
    if (!definition) return;
    const personId = (body.get('person')?.[0] ?? '').trim();
    const checked = await proxyCheck(engine, { service: definition.id, proxy: viewer.id, person: personId });
    if (!checked.ok) return refusal(request, reply, viewer, definition, checked.message, checked.kind === 'forbidden' ? 403 : checked.kind === 'not-found' ? 404 : 409, personId);
    const attributes = { ...checked.person.attributes, name: checked.person.name, number: checked.person.id };
    const data = withoutHidden(definition, parseFields(formFields(definition), body), attributes);
    const outcome = await submitOnBehalf(engine, { service: definition.id, proxy: viewer.id, person: personId, data, channel: 'pc' });
    if (!outcome.ok) {
      if (outcome.kind === 'invalid') return formPage(request, reply, viewer, definition, checked.person, data, outcome.fieldErrors, 422);
      return refusal(request, reply, viewer, definition, outcome.message, outcome.kind === 'forbidden' ? 403 : outcome.kind === 'not-found' ? 404 : 409, personId);
    }
    return reply.redirect(`/applications/${outcome.application.id}?done=submitted`, 303);
  });

  // ---- The IT office's record of full views (个人信息保护法; GET /api/admin/field-views in the API) ----

  app.get('/admin/field-views', async (request, reply) => {
    const viewer = await kit.viewerOf(request, reply);
    if (!viewer) return;
    const lang = langOf(request);
    const office = kit.options.itOffice?.();
    const held = office ? await engine.store.query('SELECT 1 AS yes FROM membership WHERE person_id = $1 AND scope = $2 LIMIT 1', [viewer.id, office]) : [];
    if (!held.length) {
      return page(request, reply, viewer, t(lang, '无权查看', 'Not allowed'), html`<h1>${t(lang, '无权查看', 'Not allowed')}</h1><div class="alert"><p>${t(lang, `只有信息化办（${office ?? 'hall.yaml 未设置 itOffice'}）的人员可以查看全文查看记录。`, `Only the IT office (${office ?? 'hall.yaml sets no itOffice'}) may see the record of full views.`)}</p></div>`, 403);
    }
    const application = String((request.query as { application?: unknown }).application ?? '').slice(0, 64) || undefined;
    const views = await fieldViews(engine.store, { ...(application ? { application } : {}), limit: 500 });
    const body = html`<h1>${t(lang, '全文查看记录', 'Record of full views')}</h1>
<p class="muted">${t(lang, '谁在何时查看了哪个申请的哪些个人信息（个人信息保护法）。最新的在前，最多 500 条。', 'Who saw which personal fields of which application, when (PIPL). Newest first, at most 500.')}</p>
${views.length
  ? html`<ul class="cards views">${views.map((v) => html`<li><p class="name">${v.personName ?? v.person}（${v.person}）</p><dl class="facts"><div><dt>${t(lang, '时间', 'When')}</dt><dd>${when(v.at, kit.timezone())}</dd></div><div><dt>${t(lang, '申请', 'Application')}</dt><dd>${tx(kit.entryOf(v.service)?.name, lang) || v.service} · ${v.application}</dd></div><div><dt>${t(lang, '字段', 'Fields')}</dt><dd>${v.fields.join('、')}</dd></div><div><dt>${t(lang, '途径', 'Through')}</dt><dd>${v.route}</dd></div></dl></li>`)}</ul>`
  : html`<p>${t(lang, '还没有记录。', 'Nothing recorded yet.')}</p>`}`;
    return page(request, reply, viewer, t(lang, '全文查看记录', 'Record of full views'), body);
  });
}
