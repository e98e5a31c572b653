import { createServer, request as httpRequest } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { Deliverer } from '../../server/notify/deliver.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/store.ts';
import { DIRECTORY, hallProcesses } from './processes.ts';
import { LEAVE, call, inProcessHall, routesOf, signIn } from './routes.ts';
import type { Response, Route } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import type { StoreKind } from './stores.ts';

/**
 * Hostile input on every route the hall serves (issue 13, Reliability). The routes come from the running
 * app's own route tree, so a route added later without a case in CASES fails the first test. Each route
 * gets the same battery: no session, a deleted and an expired session, a missing/forged/other-session CSRF
 * token, wrong types, unknown fields, malformed JSON, the wrong content type, an oversized body, NUL in a
 * string, and path traversal in its ids — every answer JSON with `nosniff`, a Chinese-first message, never
 * a 500, and finally the valid request still works.
 */

const stores = storeFactory();
const { serve } = hallProcesses();
const listing = await inProcessHall(stores, 'sqlite');
const ROUTES = routesOf(listing.app);

interface Context {
  /** A pending application of 李雨桐's with the counselor's open task. */
  pending: string;
  task: string;
  /** An application the counselor returned to her. */
  returned: string;
}

interface HostileCase {
  /** Who calls it; absent for a public route (health, sign-in). */
  as?: string;
  params?: (ctx: Context) => Record<string, string>;
  query?: string;
  /** A valid body: each hostile request changes one thing in it. */
  body?: (ctx: Context) => Record<string, unknown>;
  /** A body with a field of the wrong type, and that field's name. */
  wrongType?: { body: Record<string, unknown>; field: string };
  /** Where a string goes in the body, to carry NUL. */
  text?: (body: Record<string, unknown>, value: string) => Record<string, unknown>;
  /** The valid request's status. */
  status: number;
  /** Why the battery stops short here (the rest is proven elsewhere). */
  only?: string;
}

const CASES: Record<string, HostileCase> = {
  'GET /healthz': { status: 200 },
  'GET /openapi.json': { status: 200 },
  'GET /metrics': { status: 200, only: 'Prometheus text, not JSON: loopback-only access, the token and forwarded requests are test/server/observability.test.ts' },
  'GET /readyz': { status: 200 },
  'GET /auth/cas/login': { status: 302 },
  'GET /auth/cas/callback': { query: '?ticket=ST-1', status: 401 },
  'GET /auth/oidc/login': { status: 302, only: 'redirects to the OpenID provider: the real exchange is test/server/oidc.test.ts' },
  'GET /auth/oidc/callback': { query: '?code=x&state=y', status: 401 },
  'POST /api/dev/login': { body: () => ({ person: 't-wang' }), wrongType: { body: { person: 5 }, field: 'person' }, text: (b, v) => ({ ...b, person: v }), status: 200 },
  'GET /api/me': { as: '2022020315', status: 200 },
  'POST /api/applications': {
    as: '2022020315',
    body: () => ({ service: 'student-leave', data: LEAVE }),
    wrongType: { body: { service: 5, data: LEAVE }, field: 'service' },
    text: (b, v) => ({ ...b, data: { ...LEAVE, reason: `急性肠胃炎住院治疗${v}` } }),
    status: 201,
  },
  'GET /api/applications': { as: '2022020315', status: 200 },
  'GET /api/applications/:id': { as: '2022020315', params: (c) => ({ id: c.pending }), status: 200 },
  'POST /api/applications/:id/resubmit': {
    as: '2022020315',
    params: (c) => ({ id: c.returned }),
    body: () => ({ changes: { reason: '急性肠胃炎住院治疗，已补诊断证明' } }),
    wrongType: { body: { changes: 'reason' }, field: 'changes' },
    text: (_b, v) => ({ changes: { reason: `急性肠胃炎住院治疗${v}` } }),
    status: 200,
  },
  'POST /api/applications/:id/withdraw': {
    as: '2022020315',
    params: (c) => ({ id: c.pending }),
    body: () => ({ reason: '病已好' }),
    wrongType: { body: { reason: 5 }, field: 'reason' },
    text: (b, v) => ({ ...b, reason: `病已好${v}` }),
    status: 200,
  },
  'GET /api/tasks': { as: 't-wang', status: 200 },
  'POST /api/admin/reload': { as: 't-it', status: 200 },
  'GET /api/admin/incidents': { as: 't-it', status: 200 },
  'POST /api/attachments': { as: '2022020315', status: 201, only: 'multipart, not JSON: oversize while streaming, forged types, traversal names, CSRF and unbound ids are test/server/attachments.test.ts' },
  // Sessions and hostile ids here; the valid download of a real upload (and who may make it) is attachments.test.ts.
  'GET /api/attachments/:id': { as: '2022020315', params: () => ({ id: `${'0'.repeat(32)}.pdf` }), status: 404 },
  // Privacy: the full view and its record, signatures, the 审批单 (HTML: its valid page is test/server/record.test.ts, so the battery runs on an unknown id).
  'GET /api/applications/:id/full': { as: '2022020315', params: (c) => ({ id: c.pending }), status: 200 },
  'GET /api/admin/field-views': { as: 't-it', status: 200 },
  'POST /api/signatures': { as: 't-wang', query: '?kind=person', status: 201, only: 'multipart, not JSON: owners, image types and every use are test/server/record.test.ts' },
  'GET /api/signatures': { as: 't-wang', status: 200 },
  'GET /api/signatures/:id': { as: 't-wang', params: () => ({ id: '0000000000000000000000' }), status: 404 },
  'GET /applications/:id/record': { as: '2022020315', params: () => ({ id: '0000000000000000000000' }), status: 404 },
  'POST /api/tasks/:id/decision': {
    as: 't-wang',
    params: (c) => ({ id: c.task }),
    body: () => ({ action: 'approve', comment: '同意' }),
    wrongType: { body: { action: 'approve', comment: 42 }, field: 'comment' },
    text: (b, v) => ({ ...b, comment: `同意${v}` }),
    status: 200,
  },
  // The preview's routes (server/http/dev.ts; the app here is dev). A pending run cannot be a scenario: 409.
  'GET /api/dev/personas': { status: 200 },
  'GET /api/dev/outbox': { status: 200 },
  'POST /api/dev/applications/:id/scenario': {
    as: '2022020315',
    params: (c) => ({ id: c.pending }),
    body: () => ({ name: '试办' }),
    wrongType: { body: { name: 5 }, field: 'name' },
    text: (_b, v) => ({ name: `试办${v}` }),
    status: 409,
  },
  // 公示 (issue 15.2): a pending leave is not being published; a period ended early is test/server/publicity-http.test.ts.
  'POST /api/dev/applications/:id/end-publicity': { as: '2022020315', params: (c) => ({ id: c.pending }), status: 409 },
  'GET /dev/outbox': { status: 200, only: 'an HTML page without input: its escaping and 404 outside the preview are test/server/dev.test.ts' },
  'GET /dev/applications/:id': { as: '2022020315', params: (c) => ({ id: c.pending }), status: 200, only: 'an HTML page: sessions, hostile ids and escaping are test/server/dev.test.ts' },
  // Approver actions (server/http/actions.ts); who may use them with whose ids is test/server/authz.test.ts.
  'POST /api/tasks/:id/hand-over': {
    as: 't-wang',
    params: (c) => ({ id: c.task }),
    body: () => ({ action: 'transfer', to: 't-zhou', comment: '本周出差，请周老师办理' }),
    wrongType: { body: { action: 'transfer', to: 5 }, field: 'to' },
    text: (b, v) => ({ ...b, comment: `请帮忙核实${v}` }),
    status: 200,
  },
  'POST /api/tasks/:id/annotations': {
    as: 't-wang',
    params: (c) => ({ id: c.task }),
    body: () => ({ field: 'reason', text: '请核实住院证明' }),
    wrongType: { body: { field: 'reason', text: 5 }, field: 'text' },
    text: (b, v) => ({ ...b, text: `请核实${v}` }),
    status: 201,
  },
  'GET /api/applications/:id/annotations': { as: 't-wang', params: (c) => ({ id: c.pending }), status: 200 },
  'POST /api/tasks/batch-decision': {
    as: 't-wang',
    body: (c) => ({ tasks: [c.task], comment: '同意' }),
    wrongType: { body: { tasks: 'all' }, field: 'tasks' },
    text: (b, v) => ({ ...b, comment: `同意${v}` }),
    status: 200,
  },
  'POST /api/applications/:id/urge': { as: '2022020315', params: (c) => ({ id: c.pending }), status: 200 },
  'GET /api/copies': { as: 't-wang', status: 200 },
  'POST /api/copies/:id/acknowledge': { as: 't-wang', params: () => ({ id: 'no-such-copy' }), status: 404 },
  'GET /api/phrases': { as: 't-wang', status: 200 },
  'POST /api/phrases': {
    as: 't-wang',
    body: () => ({ text: '情况属实，同意。' }),
    wrongType: { body: { text: 5 }, field: 'text' },
    text: (_b, v) => ({ text: `同意${v}` }),
    status: 201,
  },
  'DELETE /api/phrases/:id': { as: 't-wang', params: () => ({ id: 'no-such-phrase' }), status: 404 },
  'GET /api/stand-ins': { as: 't-wang', status: 200 },
  'POST /api/stand-ins': {
    as: 't-wang',
    body: () => ({ standIn: 't-liu', starts: '2099-01-01', ends: '2099-01-10' }),
    wrongType: { body: { standIn: 5, starts: '2099-01-01', ends: '2099-01-10' }, field: 'standIn' },
    text: (b, v) => ({ ...b, standIn: `t-liu${v}` }),
    status: 201,
  },
  'DELETE /api/stand-ins/:id': { as: 't-wang', params: () => ({ id: 'no-such-stand-in' }), status: 404 },
  // 代理申请 (server/http/proxy.ts): 学生工作处 applies for a student; who may and for whom is test/server/proxy.test.ts.
  'POST /api/proxy/applications': {
    as: 't-zhao',
    body: () => ({ service: 'student-leave', person: '2022020315', data: LEAVE }),
    wrongType: { body: { service: 'student-leave', person: 5, data: LEAVE }, field: 'person' },
    text: (b, v) => ({ ...b, data: { ...LEAVE, reason: `急性肠胃炎住院治疗${v}` } }),
    status: 201,
  },
  'GET /api/proxy/applications': { as: 't-zhao', status: 200 },
  // The preview's stand-in for campus systems (server/http/dev.ts): takes any JSON the hall's own caller sends;
  // the call made and shown is test/dev/hall-dev.test.ts.
  'POST /api/dev/connectors/:connector': { params: () => ({ connector: 'door-access' }), query: '?path=/leave-permits', body: () => ({ payload: { number: '2022020315' } }), status: 200, only: 'the preview\'s stand-in receiver: test/dev/hall-dev.test.ts' },
  // The applicant's own step (server/http/applicant-steps.ts, issue 15.1): nothing waits for her on a pending
  // leave, so the valid request is refused as a conflict; the completed 销假 is test/server/applicant-steps.test.ts.
  'POST /api/applications/:id/complete': {
    as: '2022020315',
    params: (c) => ({ id: c.pending }),
    body: () => ({ data: { returnNote: '已返校' } }),
    wrongType: { body: { data: '已返校' }, field: 'data' },
    text: (_b, v) => ({ data: { returnNote: `已返校${v}` } }),
    status: 409,
  },
  // System steps' calls (server/http/system-calls.ts, issue 15.3): calls made and retried are test/server/system-steps.test.ts.
  'GET /api/applications/:id/system-calls': { as: '2022020315', params: (c) => ({ id: c.pending }), status: 200 },
  'GET /api/admin/system-calls': { as: 't-it', status: 200 },
  'POST /api/admin/system-calls/:id/retry': { as: 't-it', params: () => ({ id: 'no-such-call' }), status: 404 },
  // 公示 (server/http/publicity.ts, issue 15.2): a pending leave is not being published, so the valid objection is
  // not found; objections to a published 奖学金 are test/server/publicity.test.ts.
  'GET /api/publicity': { as: '2023010101', status: 200 },
  // 缴费 (server/http/payment.ts, issue 15.9b): a pending leave has no order; orders paid, refused and timed out are test/server/payment.test.ts.
  'GET /api/applications/:id/payment': { as: '2022020315', params: (c) => ({ id: c.pending }), status: 200 },
  'POST /api/payments/:connector/callback': { params: () => ({ connector: 'campus-pay' }), body: () => ({ orderId: 'no-such-order', amountFen: 100, transactionId: 'T1' }), status: 404, only: 'no session or CSRF but an HMAC signature over the raw body: bad and missing signatures, tampered bodies, unknown orders, wrong amounts and replays are test/server/payment.test.ts' },
  'POST /api/dev/payments/:id/pay': { as: '2022020315', params: () => ({ id: 'no-such-order' }), status: 404 },
  'GET /dev/pay/:id': { as: '2022020315', params: () => ({ id: 'no-such-order' }), status: 404, only: 'an HTML page: the cashier shown to whoever may see the order is test/server/payment.test.ts' },
  'POST /api/applications/:id/objections': {
    as: '2023010101',
    params: (c) => ({ id: c.pending }),
    body: () => ({ reason: '获奖名单有误' }),
    wrongType: { body: { reason: 5 }, field: 'reason' },
    text: (_b, v) => ({ reason: `获奖名单有误${v}` }),
    status: 404,
  },
  // Return to a chosen step (server/http/return-to.ts, issue 15.5).
  'GET /api/tasks/:id/return-targets': { as: 't-wang', params: (c) => ({ id: c.task }), status: 200 },
};

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Ids that try to leave the route or the id space: `../..`, encoded dots and slashes, NUL, overlong. */
const HOSTILE_IDS = ['..%2F..', '..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e', '%2E%2E%2F%2E%2E', 'a%00b', '%00', `${'a'.repeat(5000)}`, '%E4%B8%AD', "1'%20OR%20'1'%3D'1", '%E0%A4%A', '%'];
const ZH = /[\u4e00-\u9fff]/;

/** What every answer must be: JSON (a redirect has no body), nosniff, and a Chinese-first message on errors; never a 500. */
function expectSafe(res: Response, what: string) {
  expect(res.headers.get('x-content-type-options'), `${what}: X-Content-Type-Options`).toBe('nosniff');
  if (res.status >= 300 && res.status < 400) return;
  expect(res.headers.get('content-type') ?? '', `${what}: content type`).toMatch(/^application\/json/);
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(Object.keys(res.body.message ?? {}), `${what}: message`).toEqual(['zh', 'en']);
    expect(res.body.message.zh, `${what}: Chinese message`).toMatch(ZH);
  }
}

function fill(url: string, params: Record<string, string> = {}) {
  return url.replace(/:(\w+)/g, (_m, name: string) => params[name] ?? `missing-${name}`);
}

async function context(url: string): Promise<Context> {
  const student = await signIn(url, '2022020315');
  const counselor = await signIn(url, 't-wang');
  const submit = async () => (await call(url, 'POST', '/api/applications', { ...student, body: { service: 'student-leave', data: LEAVE } })).body.application.id as string;
  const pending = await submit();
  const returned = await submit();
  const tasks = (await call(url, 'GET', '/api/tasks', counselor)).body.tasks as { id: string; application: string }[];
  const task = tasks.find((t) => t.application === pending)!.id;
  const back = await call(url, 'POST', `/api/tasks/${tasks.find((t) => t.application === returned)!.id}/decision`, { ...counselor, body: { action: 'return', comment: '请补诊断证明' } });
  expect(back.status).toBe(200);
  return { pending, task, returned };
}

const sessionId = (cookie: string) => decodeURIComponent(cookie.split('=')[1]);

describe('the route list', () => {
  it('has a hostile case for every route the app serves, and none for a route it does not', () => {
    const served = ROUTES.map((r) => `${r.method} ${r.url}`);
    expect(served.length).toBeGreaterThan(10);
    expect(served.filter((r) => !CASES[r]), 'routes without a hostile case: add them to CASES in test/server/hostile.test.ts').toEqual([]);
    expect(Object.keys(CASES).filter((k) => !served.includes(k)), 'cases for routes the app no longer serves').toEqual([]);
  });
});

describe.each(STORE_KINDS)('hostile input on every route (%s)', (kind: StoreKind) => {
  let url: string;
  let store: Store;
  beforeAll(async () => {
    const hall = kind === 'sqlite' ? listing : await inProcessHall(stores, kind);
    url = hall.url;
    store = hall.store;
  });

  it.each(ROUTES.map((r) => ({ ...r, label: `${r.method} ${r.url}` })))('$label', async (route: Route) => {
    const key = `${route.method} ${route.url}`;
    const c = CASES[key];
    expect(c, `no hostile case for ${key}`).toBeDefined();
    const ctx = await context(url);
    const path = fill(route.url, c.params?.(ctx)) + (c.query ?? '');
    const body = c.body?.(ctx);
    const who = c.as ? await signIn(url, c.as) : undefined;
    const send = async (what: string, options: Parameters<typeof call>[3], p = path) => {
      const res = await call(url, route.method, p, options);
      expectSafe(res, `${key} ${what}`);
      return res;
    };
    if (c.only) return; // c.only says where the rest is proven

    if (who) {
      expect((await send('without a session', { body })).status).toBe(401);
      const gone = await signIn(url, who.person);
      await store.run('DELETE FROM session WHERE id = $1', [sessionId(gone.cookie)]);
      expect((await send('with a deleted session', { ...gone, body })).status).toBe(401);
      const expired = await signIn(url, who.person);
      await store.run('UPDATE session SET expires_at = $1 WHERE id = $2', ['2020-01-01T00:00:00.000Z', sessionId(expired.cookie)]);
      expect((await send('with an expired session', { ...expired, body })).status).toBe(401);
    }
    if (who && CHANGES.has(route.method)) {
      const other = await signIn(url, who.person === 't-wang' ? 't-liu' : '2023010101');
      const mine = await signIn(url, who.person);
      for (const [what, csrf] of [
        ['without a CSRF token', undefined],
        ['with a forged CSRF token', 'forged-token-forged-token-forged0'],
        ['with an empty CSRF token', ''],
        ["with another person's CSRF token", other.csrf],
        ['with the CSRF token of another session of the same person', mine.csrf],
      ] as const) {
        expect((await send(what, { cookie: who.cookie, csrf, body })).status, what).toBe(403);
      }
    }
    if (body) {
      const wrong = await send('with a wrong type', { ...who, body: c.wrongType!.body });
      expect(wrong.status).toBe(400);
      expect(wrong.body.fieldErrors?.map((e: { field: string }) => e.field)).toContain(c.wrongType!.field);
      const unknown = await send('with an unknown field', { ...who, body: { ...body, isAdmin: true } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.fieldErrors?.map((e: { field: string }) => e.field)).toContain('isAdmin');
      expect(unknown.body.fieldErrors[0].message.zh).toMatch(ZH);
      expect((await send('with malformed JSON', { ...who, raw: '{"service": ' })).status).toBe(400);
      expect([400, 415]).toContain((await send('as text/plain', { ...who, raw: JSON.stringify(body), contentType: 'text/plain' })).status);
      expect((await send('as an array', { ...who, body: [body] })).status).toBe(400);
      const huge = await send('with a 600 KB body', { ...who, body: { ...body, padding: 'x'.repeat(600 * 1024) } });
      expect(huge.status).toBe(413);
      const nul = await send('with NUL in a string', { ...who, body: c.text!(body, '\u0000') });
      expect(nul.status).toBe(400);
    }
    if (route.url.includes(':')) {
      for (const id of HOSTILE_IDS) {
        const res = await send(`with the id ${id.slice(0, 40)}`, { ...who, body }, fill(route.url, { id }));
        expect([400, 404, 414], `${key} with id ${id.slice(0, 40)}`).toContain(res.status);
        expect(res.text).not.toContain('李雨桐');
      }
    }
    const valid = await send('as a valid request', { ...who, body });
    expect(valid.status, valid.text.slice(0, 300)).toBe(c.status);
    expect((await call(url, 'GET', '/healthz')).status).toBe(200);
  });
});

const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(document.cookie)>';

describe.each(STORE_KINDS)('XSS payloads (%s)', (kind: StoreKind) => {
  it('are stored and returned as text in JSON, and the e-mail and robot notifications carry them as plain text', async () => {
    const hall = kind === 'sqlite' ? listing : await inProcessHall(stores, kind);
    const { url, store } = hall;
    await store.run('UPDATE person SET attributes = $1 WHERE id = $2', [JSON.stringify({ type: '本科生', college: 'wxy', class: 'wxy-2203', email: 'liyutong@example.edu.cn' }), '2022020315']);
    const student = await signIn(url, '2022020315');
    const counselor = await signIn(url, 't-wang');
    const reason = `急性肠胃炎住院治疗${SCRIPT}${IMG}`;
    const created = await call(url, 'POST', '/api/applications', { ...student, body: { service: 'student-leave', data: { ...LEAVE, reason } } });
    expect(created.status).toBe(201);
    const id = created.body.application.id as string;
    const task = ((await call(url, 'GET', '/api/tasks', counselor)).body.tasks as { id: string; application: string }[]).find((t) => t.application === id)!;
    const comment = `请补诊断证明${IMG}${SCRIPT}`;
    expect((await call(url, 'POST', `/api/tasks/${task.id}/decision`, { ...counselor, body: { action: 'return', comment } })).status).toBe(200);

    // Read back: JSON with nosniff, the payloads exactly as typed (text, not markup the API made safe or unsafe).
    const view = await call(url, 'GET', `/api/applications/${id}`, student);
    expectSafe(view, 'the application');
    expect(view.body.application.data.reason).toBe(reason);
    expect(view.body.events.find((e: { type: string }) => e.type === 'acted').comment).toBe(comment);
    expect(view.body.tasks[0].comment).toBe(comment);

    // The notification the return renders (its template reads {{comment}}) keeps the payload as text.
    const [note] = await store.query<{ body: string; recipient: string }>("SELECT body, recipient FROM outbox WHERE application_id = $1 AND event = 'returned'", [id]);
    expect(note.body).toContain(comment);

    // Delivered: the e-mail is text/plain only (no HTML part a mail client would render), the robot message is msgtype text.
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          mails.push(data);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const robotBodies: { msgtype: string; text: { content: string } }[] = [];
    const robot = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        robotBodies.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0}');
      });
    });
    await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', () => resolve()));
    try {
      const deliverer = new Deliverer(store, { smtp: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`, webhooks: [{ kind: 'wecom', url: `http://127.0.0.1:${(robot.address() as { port: number }).port}/send`, for: ['counselor'] }] }, () => '学生请假');
      await deliverer.deliverDue(new Date(Date.now() + 60_000), 500);
      deliverer.close();
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      robot.close();
    }
    const returnedMail = mails.map(decodeMail).find((m) => m.text.includes(comment));
    expect(returnedMail, 'the e-mail of the return, with the comment as typed').toBeDefined();
    expect(returnedMail!.contentType).toMatch(/^text\/plain/);
    for (const raw of mails) expect(raw).not.toMatch(/text\/html/i);
    const assigned = robotBodies.find((b) => b.text.content.includes('学生请假'));
    expect(assigned?.msgtype).toBe('text');
  });
});

/** A single-part message's content type and its decoded text (nodemailer writes quoted-printable or base64). */
function decodeMail(raw: string): { contentType: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n\s+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
        : body;
  return { contentType: header('Content-Type'), text };
}

describe('a real hall serve process', () => {
  it('answers every oversized body with 413 and a Chinese-first message, and stays up', async () => {
    const { url } = await serve(['--dev', '--directory', DIRECTORY, '--store', await stores.location('sqlite')]);
    const ctx = await context(url);
    for (const route of ROUTES.filter((r) => CHANGES.has(r.method))) {
      const c = CASES[`${route.method} ${route.url}`];
      const who = c.as ? await signIn(url, c.as) : undefined;
      for (const size of [513 * 1024, 8 * 1024 * 1024]) {
        let res = await oversized(url, route.method, fill(route.url, c.params?.(ctx)), who, size);
        // The server answers 413 and closes while the client may still be writing: the client can then see the
        // reset before the answer. Retried a few times for the small body, whose answer must arrive.
        for (let retry = 0; res.status === 0 && size < 1024 * 1024 && retry < 3; retry++) res = await oversized(url, route.method, fill(route.url, c.params?.(ctx)), who, size);
        if (res.status === 0 && size > 1024 * 1024) continue; // closed on us mid-upload: the process must still be up (below)
        expect(res.status, `${route.method} ${route.url} ${size}`).toBe(413);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(res.text).message?.zh, `${route.method} ${route.url} ${size}: ${res.text.slice(0, 200)}`).toContain('太大');
      }
    }
    expect((await call(url, 'GET', '/healthz')).status).toBe(200);
    expect((await call(url, 'GET', '/readyz')).status).toBe(200);
    const student = await signIn(url, '2022020315');
    expect((await call(url, 'POST', '/api/applications', { ...student, body: { service: 'student-leave', data: LEAVE } })).status).toBe(201);
  });
});

/**
 * Send a body of `size` bytes and read the answer even when the server answers before reading it all and
 * closes (as it should for 413): the client's write may then fail, which is not the server's answer.
 */
function oversized(base: string, method: string, path: string, who: { cookie: string; csrf: string } | undefined, size: number): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(JSON.stringify({ padding: 'x'.repeat(size) }));
    const req = httpRequest(`${base}${path}`, { method, headers: { 'content-type': 'application/json', 'content-length': body.length, ...(who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may answer 413 and close while megabytes are still being written: the client's write fails first.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') resolve({ status: 0, headers: {}, text: '' });
      else reject(error);
    });
    req.setTimeout(20_000, () => req.destroy(new Error('no answer in 20 s')));
    req.end(body);
  });
}
