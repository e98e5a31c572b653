import { maskText } from '../privacy/mask.ts';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Engine } from '../engine/engine.ts';
import { outbox, personas } from '../dev/preview.ts';
import type { OutboxMessage } from '../dev/preview.ts';
import { ScenarioRefused, applicantKeysOf, saveScenario, scenarioOf, serviceFile } from '../dev/scenario.ts';
import type { SignedIn } from './attachments.ts';

export interface DevRoutesOptions {
  engine: Engine;
  /** `hall dev` / `hall serve --dev`; otherwise every dev address answers 404 and says why. */
  dev: boolean;
  /** The catalog folder of the working tree: where a saved scenario is written. */
  catalog?: string;
  signedIn: SignedIn;
}

const NOT_DEV = { error: 'not-found', message: { zh: '这个地址只在预览（hall dev 或 hall serve --dev）中存在。', en: 'This address exists only in the preview (hall dev or hall serve --dev).' } };

/** Addresses of the preview; `/api/dev/login` is the app's own and answers for itself. */
const isDevAddress = (url: string) => /^\/(api\/)?dev(\/|\?|$)/.test(url) && !/^\/api\/dev\/login(\?|$)/.test(url);

/**
 * `hall dev`'s own routes (issue 14.5): personas to sign in as, the outbox of notifications that would have
 * been sent, and saving a finished run as a test scenario in the service's file — the flow test before
 * go-live (002号文第九条). Registered only in the preview; without it no route exists and every dev address
 * answers 404 with the reason, before any other handling.
 */
export const devRoutes = fp<DevRoutesOptions>(async (app, options) => {
  if (!options.dev) {
    app.addHook('onRequest', async (request, reply) => {
      if (isDevAddress(request.url)) return reply.code(404).header('content-type', 'application/json; charset=utf-8').send(NOT_DEV);
    });
    return;
  }
  await app.register(preview, options);
});

const preview: FastifyPluginAsync<DevRoutesOptions> = async (app, { engine, catalog, signedIn }) => {
  const store = engine.store;
  const serviceName = (id: string) => engine.runtime.manifest.services.find((s) => s.id === id)?.name.zh ?? id;
  const hallName = () => engine.runtime.manifest.hall.name;
  const messages = () => outbox(store, hallName(), serviceName);

  app.get('/api/dev/personas', async (_request, reply) => reply.send({ personas: await personas(store, catalog) }));

  app.get('/api/dev/outbox', async (_request, reply) => reply.send({ messages: await messages(), systemCalls: await systemCalls() }));

  // The campus systems' stand-in (issue 15.3): the preview calls no real system. A connector without a configured
  // address is pointed here (server/serve.ts), so a system step is called over HTTP as in production — payload,
  // Idempotency-Key, timeout — and succeeds; the outbox page lists each call with what it carried.
  // The step's path arrives in the query (?path=/leave-permits): the caller appends it to the connector's address.
  app.post('/api/dev/connectors/:connector', async (request, reply) => {
    const { connector } = request.params as { connector: string };
    request.log.info({ connector, path: (request.query as { path?: string }).path, key: request.headers['idempotency-key'] }, 'preview: system call answered by the stand-in');
    return reply.send({ received: true, preview: true });
  });
  const systemCalls = async () =>
    (await store.query<{ id: string; application_id: string; step: string; connector: string; path: string | null; payload: string; status: string; attempts: number; created_at: string; done_at: string | null }>(
      'SELECT id, application_id, step, connector, path, payload, status, attempts, created_at, done_at FROM system_call ORDER BY created_at, id',
    )).map((c) => ({ id: c.id, application: c.application_id, step: c.step, connector: c.connector, path: c.path ?? '', payload: JSON.parse(c.payload) as unknown, status: c.status, attempts: Number(c.attempts), at: c.created_at, ...(c.done_at ? { doneAt: c.done_at } : {}) }));

  /** Save a run: the one who may see the application (signed in, CSRF checked) writes it into the working tree. */
  const save = async (request: FastifyRequest, reply: FastifyReply, id: string, name: string | undefined) => {
    const person = await signedIn(request, reply, true);
    if (!person) return undefined;
    const application = await engine.application(id);
    if (!application || !(await engine.maySee(person.id, application))) {
      reply.code(404).send({ error: 'not-found', message: { zh: '没有这个申请。', en: 'No such application.' } });
      return undefined;
    }
    if (!catalog) {
      reply.code(409).send({ error: 'refused', message: { zh: '预览不知道目录文件夹，无法保存场景。', en: 'The preview does not know the catalog folder; it cannot save.' } });
      return undefined;
    }
    const file = await serviceFile(catalog, application.service);
    if (!file) {
      reply.code(409).send({ error: 'refused', message: { zh: `工作区的目录中找不到事项“${application.service}”的文件。`, en: `No file for the service "${application.service}" in the working tree's catalog.` } });
      return undefined;
    }
    try {
      const scenario = scenarioOf({
        application,
        tasks: await engine.tasksOf(id),
        definition: engine.runtime.current(application.service),
        calendar: engine.runtime.calendar,
        serviceName: serviceName(application.service),
        applicantKeys: await applicantKeysOf(catalog),
        ...(name ? { name } : {}),
      });
      await saveScenario(file, scenario);
      request.log.info({ event: 'scenario-saved', application: id, file }, 'scenario saved');
      return reply.code(201).send({ ok: true, file, scenario });
    } catch (error) {
      if (!(error instanceof ScenarioRefused)) throw error;
      return reply.code(error.status).send({ error: error.status === 422 ? 'invalid' : 'refused', message: error.messages });
    }
  };

  app.post(
    '/api/dev/applications/:id/scenario',
    { schema: { body: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' } } } } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      return save(request, reply, id, (request.body as { name?: string } | undefined)?.name);
    },
  );

  // 公示 (issue 15.2): the preview ends a period now, so the objection branch can be tried without waiting its work days.
  app.post('/api/dev/applications/:id/end-publicity', async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const { id } = request.params as { id: string };
    const application = await engine.application(id);
    if (!application || !(await engine.maySee(person.id, application))) return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个申请。', en: 'No such application.' } });
    if (!(await engine.endPublicityNow(id))) return reply.code(409).send({ error: 'conflict', message: { zh: '这个申请不在公示中。', en: 'This application is not being published.' } });
    return reply.send({ ok: true, application: await engine.application(id) });
  });

  // 缴费 (issue 15.9b): the preview's stand-in cashier. 去缴费 opens it when no cashier address is configured; its
  // 支付成功 confirms the order through the same engine path as the platform's signed callback (without the signature).
  const payable = async (request: FastifyRequest, reply: FastifyReply, order: string, changes: boolean) => {
    const person = await signedIn(request, reply, changes);
    if (!person) return undefined;
    const payment = await engine.payment(order);
    const application = payment ? await engine.application(payment.application) : undefined;
    if (!payment || !application || !(await engine.maySee(person.id, application))) {
      reply.code(404).send({ error: 'not-found', message: { zh: '没有这个订单。', en: 'No such order.' } });
      return undefined;
    }
    return payment;
  };

  app.post('/api/dev/payments/:id/pay', async (request, reply) => {
    const { id: order } = request.params as { id: string };
    const payment = await payable(request, reply, order, true);
    if (!payment) return;
    const outcome = await engine.confirmPayment(payment.connector, { orderId: payment.orderId, amountFen: payment.amountFen, transactionId: `preview-${payment.orderId}` });
    if (!outcome.ok) return reply.code(outcome.status).send({ error: outcome.error, message: outcome.message });
    request.log.info({ event: 'payment-confirmed', order: payment.orderId, preview: true }, 'preview: payment simulated');
    return reply.send({ ok: true, duplicate: outcome.duplicate, orderId: payment.orderId, status: outcome.payment.status });
  });

  app.get('/dev/pay/:id', async (request, reply) => {
    const { id: order } = request.params as { id: string };
    const payment = await payable(request, reply, order, false);
    if (!payment) return;
    const body = `<h1>统一支付平台（预览）/ Payment platform (preview)</h1>
<p>预览不连接真实的支付平台：这里代替收银台。正式运行时，平台到账后以签名回调通知大厅（docs/payment.md）。<br>The preview connects to no real payment platform; this page stands in for its cashier.</p>
<dl><dt>订单号 / order</dt><dd><code>${esc(payment.orderId)}</code></dd><dt>应缴金额 / amount</dt><dd><strong>${esc(payment.amount)} 元</strong></dd><dt>缴费期限 / pay by</dt><dd>${esc(payment.until)}</dd><dt>状态 / status</dt><dd>${esc(payment.status)}</dd></dl>
${payment.status === 'open' ? `<form id="pay" method="post" action="/api/dev/payments/${encodeURIComponent(payment.orderId)}/pay"><button type="submit">模拟支付成功 / Simulate a successful payment</button><output id="paid" role="status"></output></form>` : ''}
<p><a href="/applications/${encodeURIComponent(payment.application)}">返回申请 / back to the application</a></p>
<script>
document.getElementById('pay')?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const me = await (await fetch('/api/me')).json();
  const res = await fetch(e.target.action, { method: 'POST', headers: { 'x-csrf-token': me.csrf } });
  if (res.ok) location.href = '/applications/${encodeURIComponent(payment.application)}';
  else document.getElementById('paid').textContent = (await res.json()).message.zh;
});
</script>`;
    return reply.type('text/html; charset=utf-8').send(page('统一支付平台（预览）/ Payment (preview)', body));
  });

  app.get('/dev/outbox', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page('通知发件箱 / Outbox', outboxHtml(await messages()) + systemCallsHtml(await systemCalls()))));

  app.get('/dev/applications/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const application = await engine.application(id);
    if (!application || !(await engine.maySee(person.id, application))) {
      return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个申请。', en: 'No such application.' } });
    }
    // 公示 (issue 15.2): a period still open (published, not yet ended) may be ended now in the preview.
    const events = await engine.events(id);
    const lastPublished = events.filter((e) => e.type === 'published').at(-1);
    const publicizing = application.status === 'pending' && lastPublished !== undefined && !events.some((e) => e.type === 'publicized' && e.step === lastPublished.step && Date.parse(e.at) >= Date.parse(lastPublished.at));
    const decisions = application.decisions
      .map((d) => `<li>${esc(d.step)}：${esc(d.action)}${d.comment ? `（${esc(maskText(d.comment))}）` : ''}${d.at ? ` <time>${esc(d.at)}</time>` : ''}</li>`)
      .join('');
    const body = `<h1>${esc(serviceName(application.service))} · ${esc(id)}</h1>
<p>状态 / status：<strong>${esc(application.status)}</strong>；申请人 / applicant：${esc(maskText(String(application.applicant.name ?? application.applicantId)))}</p>
<ol>${decisions || '<li>还没有决定 / no decisions yet</li>'}</ol>
${publicizing ? `<form id="end-publicity" method="post" action="/api/dev/applications/${encodeURIComponent(id)}/end-publicity">
<h2>公示中 / Being published</h2>
<p>“${esc(lastPublished!.step ?? '')}”公示至 ${esc(lastPublished!.until ?? '')}。预览中可以立即结束公示期（如同期满），试办无异议或异议复核。<br>The preview can end the period now, as at its end, to try what follows.</p>
<button type="submit">立即结束公示期 / End the period now</button>
<output id="ended" role="status"></output>
</form>` : ''}
<form id="save-scenario" method="post" action="/api/dev/applications/${encodeURIComponent(id)}/scenario">
<h2>保存为测试场景 / Save as scenario</h2>
<p>把这次试办写进事项文件的 scenarios（保留原有注释和写法），之后由 hall test 运行（002号文第九条：上线前的流程测试）。<br>
Writes this run into the service file's scenarios (comments kept); hall test reruns it.</p>
<label>场景名称 / name <input name="name" maxlength="200" placeholder="可不填 / optional"></label>
<button type="submit">保存为测试场景 / Save as scenario</button>
<output id="result" role="status"></output>
</form>
<script>
document.getElementById('save-scenario').addEventListener('submit', async (e) => {
  e.preventDefault();
  const out = document.getElementById('result');
  const me = await (await fetch('/api/me')).json();
  const name = e.target.elements.name.value.trim();
  const res = await fetch(e.target.action, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf }, body: JSON.stringify(name ? { name } : {}) });
  const answer = await res.json();
  out.textContent = res.ok ? '已保存到 / saved to ' + answer.file : answer.message.zh + ' / ' + answer.message.en;
});
document.getElementById('end-publicity')?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const me = await (await fetch('/api/me')).json();
  const res = await fetch(e.target.action, { method: 'POST', headers: { 'x-csrf-token': me.csrf } });
  if (res.ok) location.reload();
  else document.getElementById('ended').textContent = (await res.json()).message.zh;
});
</script>`;
    return reply.type('text/html; charset=utf-8').send(page('试办记录 / Run', body));
  });
};

function outboxHtml(list: OutboxMessage[]): string {
  if (!list.length) return '<h1>通知发件箱 / Outbox</h1><p>还没有通知。/ No notifications yet.</p>';
  const rows = list
    .map(
      (m) =>
        `<tr><td><time>${esc(m.at)}</time></td><td>${esc(m.channel === 'email' ? '邮件 / e-mail' : m.channel)}</td><td>${esc(m.recipient)}<br><small>${esc(m.people.map((p) => p.name).join('、') || '（无人持有 / nobody holds it）')}</small></td><td>${esc(m.subject)}</td><td>${esc(m.body)}</td><td><a href="/dev/applications/${encodeURIComponent(m.application)}">${esc(m.application)}</a></td></tr>`,
    )
    .join('\n');
  return `<h1>通知发件箱 / Outbox</h1>
<p>预览不发送任何通知；这里是正式运行时会发出的内容。/ The preview sends nothing; this is what would have been sent.</p>
<table><thead><tr><th>时间 / time</th><th>渠道 / channel</th><th>收件人 / recipient</th><th>标题 / subject</th><th>内容 / body</th><th>申请 / application</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function systemCallsHtml(list: { application: string; step: string; connector: string; path: string; payload: unknown; status: string; at: string }[]): string {
  if (!list.length) return '';
  const rows = list
    .map((c) => `<tr><td><time>${esc(c.at)}</time></td><td>${esc(c.connector)}${esc(c.path)}</td><td>${esc(c.step)}</td><td><code>${esc(JSON.stringify(c.payload))}</code></td><td>${esc(c.status)}</td><td><a href="/dev/applications/${encodeURIComponent(c.application)}">${esc(c.application)}</a></td></tr>`)
    .join('\n');
  return `<h2>系统环节调用 / System calls</h2>
<p>预览不调用真实的校园系统：没有配置地址的接口由预览代答“成功”；这里是正式运行时会发出的内容。/ The preview calls no real campus system: a connector with no address is answered "done" by the preview; this is what would have been sent.</p>
<table><thead><tr><th>时间 / time</th><th>接口 / connector</th><th>环节 / step</th><th>内容 / payload</th><th>状态 / status</th><th>申请 / application</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

/** A preview page: marked as the preview; the lead wires it into the pages' layout and stylesheet at merge. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · 预览 / Preview</title>
<style>body{font:15px/1.6 system-ui,sans-serif;margin:0}main{padding:1rem;max-width:60rem;margin:auto}.dev-banner{background:#b3261e;color:#fff;padding:.5rem 1rem;font-weight:600}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;vertical-align:top;text-align:left}</style>
</head><body>
<div class="dev-banner" role="note">预览：上线前试办，数据不会保存到正式环境，通知不会发出 / Preview: nothing here is live and no notification is sent</div>
<main>${body}</main>
</body></html>`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
