import { randomBytes, timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine, Outcome, Refusal } from '../engine/engine.ts';
import { adminRoutes } from './admin.ts';
import type { AdminOptions } from './admin.ts';
import { casLoginUrl, validateTicket } from '../identity/cas.ts';
import type { CasOptions } from '../identity/cas.ts';
import { finishOidcLogin, startOidcLogin } from '../identity/oidc.ts';
import type { OidcOptions } from '../identity/oidc.ts';
import type { Configuration as OidcConfiguration } from 'openid-client';
import { StoreUnavailableError } from '../store/store.ts';

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
  /** The IT office's routes (reload, incidents); absent, they do not exist. */
  admin?: AdminOptions;
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
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const { engine } = options;
  const store = engine.store;
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 512 * 1024, ajv: { customOptions: { removeAdditional: false, coerceTypes: false } } });
  app.register(cookie);
  app.register(adminRoutes, { engine, admin: options.admin });

  app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number }, _request, reply) => {
    if (error instanceof StoreUnavailableError) return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', message: { zh: '数据库暂时无法连接，请稍后再试。', en: 'The database is unavailable; please try again shortly.' } });
    if (error.validation) return reply.code(400).send({ error: 'bad-request', message: { zh: `请求格式不正确：${error.message}`, en: `Malformed request: ${error.message}` } });
    if (error.statusCode === 413) return reply.code(413).send({ error: 'too-large', message: { zh: '请求内容太大。', en: 'The request is too large.' } });
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: 'bad-request', message: { zh: '请求无法处理。', en: error.message } });
    app.log.error(error);
    return reply.code(500).send({ error: 'internal', message: { zh: '服务器内部错误，已记录，请稍后再试或联系信息化办。', en: 'Internal error; it was logged. Try again later or contact the IT office.' } });
  });

  const personOf = async (request: FastifyRequest): Promise<(Person & { csrf: string }) | undefined> => {
    const sid = request.cookies[SESSION_COOKIE];
    if (!sid) return undefined;
    const [row] = await store.query<{ person_id: string; csrf: string; expires_at: string; name: string; attributes: string }>(
      'SELECT s.person_id, s.csrf, s.expires_at, p.name, p.attributes FROM session s JOIN person p ON p.id = s.person_id WHERE s.id = $1',
      [sid],
    );
    if (!row || row.expires_at < new Date().toISOString()) return undefined;
    return { id: row.person_id, name: row.name, attributes: JSON.parse(row.attributes), csrf: row.csrf };
  };

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
          properties: { service: { type: 'string', minLength: 1, maxLength: 100 }, data: { type: 'object' }, channel: { enum: ['pc', 'app', 'wechat'] } },
        },
      },
    },
    async (request, reply) => {
      const person = await signedIn(request, reply, true);
      if (!person) return;
      const body = request.body as { service: string; data: Record<string, unknown>; channel?: string };
      const outcome = await engine.submit({ service: body.service, applicant: { id: person.id, attributes: { ...person.attributes, name: person.name, number: person.id } }, data: body.data, channel: body.channel });
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
    return reply.send({ application, tasks: await engine.tasksOf(id), events: await engine.events(id) });
  });

  app.post('/api/applications/:id/resubmit', { schema: { body: { type: 'object', additionalProperties: false, required: ['changes'], properties: { changes: { type: 'object' } } } } }, async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const { id } = request.params as { id: string };
    return answer(reply, await engine.resubmit({ application: id, applicant: person.id, changes: (request.body as { changes: Record<string, unknown> }).changes }));
  });

  app.post('/api/applications/:id/withdraw', { schema: { body: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 500 } } } } }, async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const { id } = request.params as { id: string };
    return answer(reply, await engine.withdraw({ application: id, applicant: person.id, reason: (request.body as { reason?: string } | undefined)?.reason }));
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
          properties: { action: { enum: ['approve', 'reject', 'return'] }, comment: { type: 'string', maxLength: 2000 }, data: { type: 'object' } },
        },
      },
    },
    async (request, reply) => {
      const person = await signedIn(request, reply, true);
      if (!person) return;
      const { id } = request.params as { id: string };
      const body = request.body as { action: 'approve' | 'reject' | 'return'; comment?: string; data?: Record<string, unknown> };
      return answer(reply, await engine.act({ task: id, person: person.id, action: body.action, comment: body.comment, data: body.data }));
    },
  );

  return app;
}
