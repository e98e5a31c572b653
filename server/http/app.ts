import { randomBytes, timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Booking, Engine, Outcome, Refusal } from '../engine/engine.ts';
import { adminRoutes } from './admin.ts';
import type { AdminOptions } from './admin.ts';
import { casLoginUrl, validateTicket } from '../identity/cas.ts';
import type { CasOptions } from '../identity/cas.ts';
import { finishOidcLogin, startOidcLogin } from '../identity/oidc.ts';
import type { OidcOptions } from '../identity/oidc.ts';
import type { Configuration as OidcConfiguration } from 'openid-client';
import { StoreUnavailableError } from '../store/store.ts';
import type { FileStore } from '../files/file-store.ts';
import { attachmentRoutes } from './attachments.ts';
import { devRoutes } from './dev.ts';
import { systemCallRoutes } from './system-calls.ts';
import { feeAnswer } from '../engine/fee-answer.ts';
import { actionRoutes } from './actions.ts';
import { applicantStepRoutes } from './applicant-steps.ts';
import { publicityRoutes } from './publicity.ts';
import { paymentRoutes } from './payment.ts';
import { returnToRoutes } from './return-to.ts';
import { OneLinePerRequest, requestId } from './logging.ts';
import { HallMetrics, metrics } from './metrics.ts';
import type { MetricsAccess } from './metrics.ts';
import { openapi } from './openapi.ts';
import { pageRoutes } from '../pages/routes.ts';
import { maskAnswers, privacyRoutes } from './privacy.ts';
import { proxyRoutes } from './proxy.ts';
import { recordRoutes } from './record.ts';
import { signatureRoutes } from './signatures.ts';
import { DEFAULT_RATE_LIMITS, TooManyRequestsError, rateLimits } from './rate-limit.ts';
import type { RateLimits } from './rate-limit.ts';
import { SessionCache } from './session-cache.ts';

export interface AppOptions {
  engine: Engine;
  /** `--dev`: the persona login exists; without it the route answers 404 and says why. */
  dev: boolean;
  /** Send cookies with `Secure` (true behind HTTPS, as in production). */
  secureCookies: boolean;
  logger?: boolean | object;
  /** The hall's public address (for identity callbacks), e.g. https://ehall.example.edu.cn */
  publicUrl?: string;
  identity?: { cas?: CasOptions; oidc?: { options: OidcOptions; config: OidcConfiguration } };
  /** Where attachments are stored; without it the attachment routes do not exist. */
  files?: FileStore;
  /** Sign-in and submission limits (docs/runtime.md); defaults in DEFAULT_RATE_LIMITS. */
  rateLimits?: RateLimits;
  /** Who may read /metrics (loopback only unless a token is set). */
  metrics?: MetricsAccess;
  /** Fastify's trustProxy: the reverse proxies whose X-Forwarded-For gives the client address (for per-address limits). */
  trustProxy?: boolean | string | string[];
  /** The version shown in the OpenAPI document. */
  version?: string;
  /** The IT office's routes (reload, incidents); absent, they do not exist. */
  admin?: AdminOptions;
  /** The hall's HTML pages (server/pages); `hall serve` turns them on. They are not part of the JSON API document. */
  pages?: boolean;
  /** The working tree's catalog folder: the preview (dev) saves a run as a scenario into its service file. */
  catalog?: string;
}

interface Person {
  id: string;
  name: string;
  attributes: Record<string, unknown>;
}

const SESSION_COOKIE = 'hall_session';
const SESSION_HOURS = 12;
const LOGIN_COOKIE = 'hall_login';
const LOGIN_MINUTES = 10;

const STATUS_OF: Record<Refusal['kind'], number> = { 'not-found': 404, refused: 409, forbidden: 403, invalid: 422, conflict: 409 };

/**
 * The hall's JSON API. Every route but health and login needs a session; every state-changing route
 * needs the session's CSRF token in `x-csrf-token`. Bodies are validated by Fastify's ajv against closed
 * schemas (unknown fields refused); form data is validated by the engine against the compiled form.
 * Each route's documentation and response schema is in openapi.ts (ROUTE_DOCS), its rate limit in
 * rate-limit.ts; metrics and /metrics in metrics.ts.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { engine } = options;
  const store = engine.store;
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new OneLinePerRequest(),
    genReqId: requestId,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 512 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // A malformed or overlong address is answered before any hook runs: give it the same JSON, headers and message.
    frameworkErrors: (error, _request, plain) => {
      const reply = plain as unknown as FastifyReply;
      const overlong = (error as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH' || (error as { statusCode?: number }).statusCode === 414;
      return reply
        .code(overlong ? 414 : 400)
        .header('x-content-type-options', 'nosniff')
        .send({ error: 'bad-request', message: overlong ? { zh: '地址太长。', en: 'The address is too long.' } : { zh: '地址格式不正确。', en: 'The address is malformed.' } });
    },
  });
  // The hooks every request runs are callback hooks, not async ones (issue 13): an async hook costs a promise and a turn
  // of the microtask queue per request. A hook that answers sends its reply and does not call done.
  // Every answer, errors and redirects included: never let a browser guess a type other than the one sent; and the
  // request's id, which its log lines carry. Headers set here stay on whatever answer the request gets.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff').header('x-request-id', request.id);
    done();
  });
  app.addHook('onRequest', refuseOversized);
  // Personal information is masked in every answer that carries applications, unless a route gives an entitled reader the full view.
  app.addHook('preSerialization', maskAnswers(engine));
  // NUL has no place in any text the hall keeps (PostgreSQL refuses it in TEXT): refused up front, by field.
  app.addHook('preValidation', (request, reply, done) => {
    const found = nulIn(request.params, 'params') ?? nulIn(request.query, 'query') ?? nulIn(request.body, '');
    if (found === undefined) return done();
    reply.code(400).send({ error: 'bad-request', message: { zh: '请求中含有不允许的控制字符（NUL）。', en: 'The request contains a NUL character.' }, fieldErrors: [{ field: found, message: { zh: '含有不允许的控制字符（NUL）', en: 'contains a NUL character' } }] });
  });
  // Awaited: their onRoute hooks (documentation, rate limits, timing) must be in place before the routes below.
  await app.register(cookie);
  await app.register(openapi, { version: options.version ?? '0.0.0', publicUrl: options.publicUrl });
  const hallMetrics = new HallMetrics(engine);
  await app.register(metrics, { metrics: hallMetrics, access: options.metrics ?? {} });

  app.setErrorHandler((error: Error & { validation?: ValidationIssue[]; statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof TooManyRequestsError) return reply.code(429).header('retry-after', String(error.retryAfter)).send({ error: 'too-many-requests', message: error.messages });
    if (error instanceof StoreUnavailableError) return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', message: { zh: '数据库暂时无法连接，请稍后再试。', en: 'The database is unavailable; please try again shortly.' } });
    if (error.validation) {
      // Every field error has a label, as the FieldError schema says (without one the answer cannot be serialised: a 500).
      const fieldErrors = error.validation.map(fieldErrorOf).map((e) => ({ ...e, label: e.field }));
      return reply.code(400).send({
        error: 'bad-request',
        message: { zh: `请求格式不正确：${fieldErrors.map((e) => `${e.field || '请求内容'}${e.message.zh}`).join('；')}`, en: `Malformed request: ${error.message}` },
        fieldErrors,
      });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send({ error: 'unsupported-media-type', message: { zh: '请求内容须为 JSON（Content-Type: application/json）。', en: 'The request body must be JSON (Content-Type: application/json).' } });
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError) return reply.code(400).send({ error: 'bad-request', message: { zh: '请求内容不是有效的 JSON。', en: `The request body is not valid JSON: ${error.message}` } });
    if (error.statusCode === 413) return reply.code(413).send({ error: 'too-large', message: { zh: '请求内容太大。', en: 'The request is too large.' } });
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: 'bad-request', message: { zh: '请求无法处理。', en: error.message } });
    app.log.error(error);
    return reply.code(500).send({ error: 'internal', message: { zh: '服务器内部错误，已记录，请稍后再试或联系信息化办。', en: 'Internal error; it was logged. Try again later or contact the IT office.' } });
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not-found', message: { zh: '没有这个地址。', en: 'No such address.' } }));

  // Sessions kept a few seconds in the process (server/http/session-cache.ts: the bound on a revoked session, and why).
  const sessions = new SessionCache<Person & { csrf: string; expiresAt: string }>();
  const personOf = async (request: FastifyRequest): Promise<(Person & { csrf: string }) | undefined> => {
    const sid = request.cookies[SESSION_COOKIE];
    if (!sid) return undefined;
    return sessions.get(sid, async () => {
      const [row] = await store.query<{ person_id: string; csrf: string; expires_at: string; name: string; attributes: string }>(
        'SELECT s.person_id, s.csrf, s.expires_at, p.name, p.attributes FROM session s JOIN person p ON p.id = s.person_id WHERE s.id = $1',
        [sid],
      );
      return row ? { id: row.person_id, name: row.name, attributes: JSON.parse(row.attributes), csrf: row.csrf, expiresAt: row.expires_at } : undefined;
    });
  };
  await app.register(rateLimits, { store, limits: options.rateLimits ?? DEFAULT_RATE_LIMITS, personOf: async (request: FastifyRequest) => (await personOf(request))?.id });

  /** The signed-in person, or a 401 sent; for state changes also the CSRF token checked (403). */
  const signedIn = async (request: FastifyRequest, reply: FastifyReply, changes: boolean): Promise<Person | undefined> => {
    const person = await personOf(request);
    if (!person) {
      reply.code(401).send({ error: 'unauthenticated', message: { zh: '请先登录。', en: 'Please sign in.' } });
      return undefined;
    }
    if (changes) {
      const token = String(request.headers['x-csrf-token'] ?? '');
      const a = Buffer.from(token);
      const b = Buffer.from(person.csrf);
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        reply.code(403).send({ error: 'csrf', message: { zh: '请求缺少有效的安全令牌，请刷新页面后重试。', en: 'Missing or invalid CSRF token; reload the page and try again.' } });
        return undefined;
      }
    }
    return person;
  };

  /** An engine change made through the API: logged with the request's id and the ids it touched. */
  const changed = (request: FastifyRequest, event: string, ids: Record<string, unknown>) => request.log.info({ event, ...ids }, event);

  const answer = <T extends object>(reply: FastifyReply, outcome: Outcome<T>, created = false) => {
    if (outcome.ok) return reply.code(created ? 201 : 200).send(outcome);
    const { ok: _ok, ...refusal } = outcome;
    return reply.code(STATUS_OF[refusal.kind]).send({ error: refusal.kind, ...refusal });
  };

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    await store.query('SELECT 1 AS one');
    return reply.send({ ok: true, store: store.kind });
  });

  /** Sign a person in: a new session in the store (shared by every process) and its cookie. */
  const startSession = async (reply: FastifyReply, person: string): Promise<string> => {
    const id = randomBytes(24).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const now = new Date();
    await store.run('INSERT INTO session (id, person_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [id, person, csrf, now.toISOString(), new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString()]);
    reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure: options.secureCookies, maxAge: SESSION_HOURS * 3600 });
    return csrf;
  };

  /**
   * A person the identity platform vouched for: remember their attributes (merged over the directory's,
   * which the data centre exported; the identity platform's are fresher) and open a session.
   */
  const signInFrom = async (reply: FastifyReply, id: string, attributes: Record<string, string>) => {
    const [known] = await store.query<{ name: string; attributes: string }>('SELECT name, attributes FROM person WHERE id = $1', [id]);
    const merged = { ...(known ? (JSON.parse(known.attributes) as Record<string, string>) : {}), ...attributes };
    const name = attributes.name ?? known?.name ?? id;
    const now = new Date().toISOString();
    if (known) await store.run('UPDATE person SET name = $1, attributes = $2, updated_at = $3 WHERE id = $4', [name, JSON.stringify(merged), now, id]);
    else await store.run('INSERT INTO person (id, name, attributes, updated_at) VALUES ($1, $2, $3, $4)', [id, name, JSON.stringify(merged), now]);
    await startSession(reply, id);
  };

  const cas = options.identity?.cas;
  if (cas) {
    const service = `${(options.publicUrl ?? '').replace(/\/$/, '')}/auth/cas/callback`;
    app.get('/auth/cas/login', async (_request, reply) => reply.redirect(casLoginUrl(cas, service), 302));
    app.get('/auth/cas/callback', async (request, reply) => {
      const ticket = (request.query as { ticket?: unknown }).ticket;
      if (typeof ticket !== 'string' || !/^[A-Za-z0-9._-]{1,256}$/.test(ticket)) return reply.code(400).send({ error: 'bad-request', message: { zh: '登录回调缺少票据。', en: 'The login callback has no ticket.' } });
      const checked = await validateTicket(cas, service, ticket);
      if (!checked.ok) return reply.code(401).send({ error: 'unauthenticated', message: { zh: `统一身份认证登录失败：${checked.reason}`, en: `Sign-in failed: ${checked.reason}` } });
      await signInFrom(reply, checked.identity.id, checked.identity.attributes);
      return reply.redirect('/', 302);
    });
  }

  const oidc = options.identity?.oidc;
  if (oidc) {
    const redirectUri = `${(options.publicUrl ?? '').replace(/\/$/, '')}/auth/oidc/callback`;
    app.get('/auth/oidc/login', async (_request, reply) => {
      const login = await startOidcLogin(oidc.config, oidc.options, redirectUri);
      const id = randomBytes(24).toString('base64url');
      await store.run('INSERT INTO login_attempt (id, state, nonce, verifier, created_at) VALUES ($1, $2, $3, $4, $5)', [id, login.state, login.nonce, login.verifier, new Date().toISOString()]);
      reply.setCookie(LOGIN_COOKIE, id, { path: '/auth/oidc', httpOnly: true, sameSite: 'lax', secure: options.secureCookies, maxAge: LOGIN_MINUTES * 60 });
      return reply.redirect(login.url, 302);
    });
    app.get('/auth/oidc/callback', async (request, reply) => {
      const attemptId = request.cookies[LOGIN_COOKIE] ?? '';
      // One use only: the attempt is deleted whatever the outcome.
      const [attempt] = await store.query<{ state: string; nonce: string; verifier: string; created_at: string }>('DELETE FROM login_attempt WHERE id = $1 RETURNING state, nonce, verifier, created_at', [attemptId]);
      reply.clearCookie(LOGIN_COOKIE, { path: '/auth/oidc' });
      if (!attempt || Date.parse(attempt.created_at) < Date.now() - LOGIN_MINUTES * 60_000) {
        return reply.code(401).send({ error: 'unauthenticated', message: { zh: '登录已过期或不是从本站发起的，请重新登录。', en: 'The sign-in expired or did not start here; please sign in again.' } });
      }
      const query = request.raw.url?.split('?')[1] ?? '';
      const done = await finishOidcLogin(oidc.config, oidc.options, new URL(`${redirectUri}?${query}`), attempt);
      if (!done.ok) return reply.code(401).send({ error: 'unauthenticated', message: { zh: `统一身份认证登录失败：${done.reason}`, en: `Sign-in failed: ${done.reason}` } });
      await signInFrom(reply, done.id, done.attributes);
      return reply.redirect('/', 302);
    });
  }

  app.post('/api/dev/login', { schema: { body: { type: 'object', additionalProperties: false, required: ['person'], properties: { person: { type: 'string', minLength: 1, maxLength: 64 } } } } }, async (request, reply) => {
    if (!options.dev) return reply.code(404).send({ error: 'not-found', message: { zh: '开发登录只在 hall serve --dev 下可用。', en: 'The development login exists only under hall serve --dev.' } });
    const { person } = request.body as { person: string };
    const [row] = await store.query('SELECT id FROM person WHERE id = $1', [person]);
    if (!row) return reply.code(404).send({ error: 'not-found', message: { zh: `目录中没有人员“${person}”。`, en: `No person "${person}" in the directory.` } });
    const csrf = await startSession(reply, person);
    return reply.send({ ok: true, person, csrf });
  });

  app.get('/api/me', async (request, reply) => {
    const person = await personOf(request);
    if (!person) return reply.code(401).send({ error: 'unauthenticated', message: { zh: '请先登录。', en: 'Please sign in.' } });
    return reply.send({ id: person.id, name: person.name, csrf: person.csrf });
  });

  app.post(
    '/api/applications',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['service', 'data'],
          properties: { service: { type: 'string', minLength: 1, maxLength: 100 }, data: { type: 'object' }, booking: BOOKING_BODY, channel: { enum: ['pc', 'app', 'wechat'] } },
        },
      },
    },
    async (request, reply) => {
      const person = await signedIn(request, reply, true);
      if (!person) return;
      const body = request.body as { service: string; data: Record<string, unknown>; booking?: Booking; channel?: string };
      const outcome = await engine.submit({ service: body.service, applicant: { id: person.id, attributes: { ...person.attributes, name: person.name, number: person.id } }, data: body.data, ...(body.booking ? { booking: body.booking } : {}), channel: body.channel });
      if (outcome.ok) {
        hallMetrics.submitted(body.service);
        changed(request, 'submitted', { application: outcome.application.id, service: body.service, status: outcome.application.status });
      }
      return answer(reply, outcome, true);
    },
  );

  app.get('/api/applications', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    return reply.send({ applications: await engine.applicationsOf(person.id) });
  });

  app.get('/api/applications/:id', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const { id } = request.params as { id: string };
    const application = await engine.application(id);
    if (!application || !(await engine.maySee(person.id, application))) return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个申请。', en: 'No such application.' } });
    // The computed fee (issue 15.9a; server/engine/fee-answer.ts), only for a service that computes one.
    return reply.send({ application, tasks: await engine.tasksOf(id), events: await engine.events(id), ...feeAnswer(engine, application) });
  });

  app.post('/api/applications/:id/resubmit', { schema: { body: { type: 'object', additionalProperties: false, required: ['changes'], properties: { changes: { type: 'object' } } } } }, async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const { id } = request.params as { id: string };
    const outcome = await engine.resubmit({ application: id, applicant: person.id, changes: (request.body as { changes: Record<string, unknown> }).changes });
    if (outcome.ok) changed(request, 'resubmitted', { application: id, status: outcome.application.status });
    return answer(reply, outcome);
  });

  app.post('/api/applications/:id/withdraw', { schema: { body: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 500 } } } } }, async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const { id } = request.params as { id: string };
    const outcome = await engine.withdraw({ application: id, applicant: person.id, reason: (request.body as { reason?: string } | undefined)?.reason });
    if (outcome.ok) changed(request, 'withdrawn', { application: id });
    return answer(reply, outcome);
  });

  app.get('/api/tasks', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    return reply.send({ tasks: await engine.todo(person.id) });
  });

  app.post(
    '/api/tasks/:id/decision',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['action'],
          properties: { action: { enum: ['approve', 'reject', 'return'] }, comment: { type: 'string', maxLength: 2000 }, data: { type: 'object' }, returnTo: { type: 'string', minLength: 1, maxLength: 64 } },
        },
      },
    },
    async (request, reply) => {
      const person = await signedIn(request, reply, true);
      if (!person) return;
      const { id } = request.params as { id: string };
      const body = request.body as { action: 'approve' | 'reject' | 'return'; comment?: string; data?: Record<string, unknown>; returnTo?: string };
      const outcome = await engine.act({ task: id, person: person.id, action: body.action, comment: body.comment, data: body.data, ...(body.returnTo ? { returnTo: body.returnTo } : {}) });
      if (outcome.ok) {
        hallMetrics.decided(body.action);
        changed(request, 'decided', { task: id, application: outcome.application.id, action: body.action, status: outcome.application.status });
      }
      return answer(reply, outcome);
    },
  );

  // After the error handler: a plugin's context keeps the handler in place when it is registered.
  await app.register(adminRoutes, { engine, admin: options.admin, signedIn });
  await app.register(actionRoutes, { engine, signedIn });
  await app.register(applicantStepRoutes, { engine, signedIn });
  await app.register(returnToRoutes, { engine, signedIn });
  await app.register(publicityRoutes, { engine, signedIn });
  await app.register(paymentRoutes, { engine, signedIn });
  if (options.files) app.register(attachmentRoutes, { engine, files: options.files, signedIn });
  if (options.pages) await app.register(pageRoutes, { engine, files: options.files, dev: options.dev, personOf, startSession, signInUrls: [...(cas ? ['/auth/cas/login'] : []), ...(oidc ? ['/auth/oidc/login'] : [])], itOffice: options.admin?.itOffice });
  await app.register(privacyRoutes, { engine, signedIn, itOffice: options.admin?.itOffice });
  await app.register(proxyRoutes, { engine, signedIn });
  await app.register(recordRoutes, { engine, signedIn, files: options.files });
  if (options.files) await app.register(signatureRoutes, { engine, files: options.files, signedIn });
  await app.register(devRoutes, { engine, dev: options.dev, catalog: options.catalog, signedIn });
  await app.register(systemCallRoutes, { engine, signedIn, itOffice: options.admin?.itOffice });

  return app;
}

/**
 * An appointment's booking in a submission: closed, every part a bounded string. Whether it names one of
 * the service's resources, slots and open dates is the engine's judgement (server/engine/booking.ts).
 */
const BOOKING_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['resource', 'date', 'slot'],
  properties: {
    resource: { type: 'string', minLength: 1, maxLength: 100 },
    date: { type: 'string', minLength: 1, maxLength: 10 },
    slot: { type: 'string', minLength: 1, maxLength: 11 },
  },
} as const;

/** One of ajv's validation errors, as Fastify hands them over. */
interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

const TYPE_ZH: Record<string, string> = { string: '文字', object: '对象', array: '列表', number: '数字', integer: '整数', boolean: '是/否' };

/** A validation error as a field and a message for the person (Chinese first): which field, and what is wrong with it. */
function fieldErrorOf(issue: ValidationIssue): { field: string; message: { zh: string; en: string } } {
  const base = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const join = (name: unknown) => (base ? `${base}.${String(name)}` : String(name));
  switch (issue.keyword) {
    case 'additionalProperties':
      return { field: join(issue.params.additionalProperty), message: { zh: '是不认识的字段，请删除', en: 'is not a known field; remove it' } };
    case 'required':
      return { field: join(issue.params.missingProperty), message: { zh: '必须填写', en: 'is required' } };
    case 'type':
      return { field: base, message: { zh: `应为${TYPE_ZH[String(issue.params.type)] ?? String(issue.params.type)}`, en: `must be ${String(issue.params.type)}` } };
    case 'enum':
      return { field: base, message: { zh: `只能是 ${(issue.params.allowedValues as unknown[]).join('、')} 之一`, en: `must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}` } };
    case 'maxLength':
      return { field: base, message: { zh: `不能超过 ${String(issue.params.limit)} 个字符`, en: `must be at most ${String(issue.params.limit)} characters` } };
    case 'minLength':
      return { field: base, message: { zh: `至少 ${String(issue.params.limit)} 个字符`, en: `must be at least ${String(issue.params.limit)} characters` } };
    default:
      return { field: base, message: { zh: `不符合要求（${issue.keyword}）`, en: issue.message ?? issue.keyword } };
  }
}

/** The path of the first string holding NUL inside a request part, or undefined. */
function nulIn(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = nulIn(inner, path ? `${path}.${key}` : key) ?? (key.includes('\u0000') ? path || key : undefined);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** How much of an oversized body is read and discarded so that its sender can read the 413. */
const DRAIN_LIMIT = 1024 * 1024;

/**
 * A body declared larger than the route accepts is answered 413 before anything reads it — but only once
 * the sender has finished writing (up to DRAIN_LIMIT, read and discarded). Closing at once, as Fastify's
 * parser does, resets a connection the client is still writing on, and the client loses the answer with
 * the reset: a 600 KB form would end in "connection reset" instead of "请求内容太大". A body larger than
 * DRAIN_LIMIT is answered and closed without waiting (the client may then see only the reset). Multipart
 * uploads are streamed under their own limits (server/http/attachments.ts) and left alone.
 */
function refuseOversized(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const declared = Number(request.headers['content-length']);
  const limit = request.routeOptions.bodyLimit ?? 512 * 1024;
  if (!(declared > limit) || /^multipart\//i.test(request.headers['content-type'] ?? '')) return done();
  drainAndRefuse(request, reply, declared, limit).catch((error: unknown) => reply.send(error));
}

async function drainAndRefuse(request: FastifyRequest, reply: FastifyReply, declared: number, limit: number): Promise<void> {
  if (declared <= limit + DRAIN_LIMIT) {
    await new Promise<void>((resolve) => {
      let read = 0;
      const done = () => {
        request.raw.off('data', count);
        resolve();
      };
      const count = (chunk: Buffer) => {
        read += chunk.length;
        if (read >= declared) done();
      };
      request.raw.on('data', count).once('end', done).once('error', done).once('close', done);
    });
  }
  reply.header('connection', 'close');
  reply.code(413).send({ error: 'too-large', message: { zh: '请求内容太大。', en: 'The request is too large.' } });
}

