import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Store } from '../store/store.ts';

/** A limit: at most `max` requests per `seconds`; `max: 0` turns the limit off. */
export interface Limit {
  max: number;
  seconds: number;
}

/** The hall's rate limits: sign-in per client address, submission per person. */
export interface RateLimits {
  login: Limit;
  submission: Limit;
}

/** Defaults: enough for people behind one campus NAT signing in at once, and for anyone's real submissions. */
export const DEFAULT_RATE_LIMITS: RateLimits = { login: { max: 30, seconds: 60 }, submission: { max: 20, seconds: 600 } };

/** Which routes each limit guards: every way to sign in, and every way to send an application in. */
const LOGIN_ROUTES = new Set(['POST /api/dev/login', 'POST /dev/personas', 'GET /auth/cas/login', 'GET /auth/cas/callback', 'GET /auth/oidc/login', 'GET /auth/oidc/callback']);
const SUBMISSION_ROUTES = new Set(['POST /api/applications', 'POST /api/applications/:id/resubmit', 'POST /apply/:service', 'POST /applications/:id/resubmit', 'POST /api/proxy/applications', 'POST /proxy/:service', 'POST /api/applications/:id/objections', 'POST /publicity/:id/objections']);

/** Answered 429; the error handler turns it into the hall's error shape. */
export class TooManyRequestsError extends Error {
  readonly statusCode = 429;
  readonly retryAfter: number;
  readonly messages: { zh: string; en: string };
  constructor(what: 'login' | 'submission', seconds: number) {
    const zh = what === 'login' ? '登录尝试过于频繁' : '提交过于频繁';
    const en = what === 'login' ? 'Too many sign-in attempts' : 'Too many submissions';
    super(`${en}; retry in ${seconds} s`);
    this.name = 'TooManyRequestsError';
    this.retryAfter = seconds;
    this.messages = { zh: `${zh}，请在 ${seconds} 秒后再试。`, en: `${en}; please try again in ${seconds} seconds.` };
  }
}

/**
 * `@fastify/rate-limit`'s store interface over the hall's database: one atomic upsert per request, so the
 * counters are shared by every process on one PostgreSQL (and survive restarts), never per process.
 */
function counterStore(store: Store) {
  let sweptAt = 0;
  return class DatabaseCounters {
    /** Every route's limiter counts in the same table; the bucket names keep them apart. */
    child() {
      return new DatabaseCounters();
    }

    incr(bucket: string, done: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number) {
      const now = Date.now();
      const nowText = new Date(now).toISOString();
      store
        .query<{ hits: number | string; resets_at: string }>(
          `INSERT INTO rate_limit (bucket, hits, resets_at) VALUES ($1, 1, $2)
           ON CONFLICT (bucket) DO UPDATE SET
             hits = CASE WHEN rate_limit.resets_at <= $3 THEN 1 ELSE rate_limit.hits + 1 END,
             resets_at = CASE WHEN rate_limit.resets_at <= $3 THEN $2 ELSE rate_limit.resets_at END
           RETURNING hits, resets_at`,
          [bucket, new Date(now + timeWindow).toISOString(), nowText],
        )
        .then(async ([row]) => {
          // Ended windows are dropped at most once a minute per process, off the request's answer.
          if (now - sweptAt > 60_000) {
            sweptAt = now;
            void store.run('DELETE FROM rate_limit WHERE resets_at < $1', [nowText]).catch(() => undefined);
          }
          done(null, { current: Number(row.hits), ttl: Math.max(0, Date.parse(row.resets_at) - now) });
        })
        .catch((error: Error) => done(error));
    }
  };
}

export interface RateLimitOptions {
  store: Store;
  limits: RateLimits;
  /** The signed-in person of a request, if any (submission is limited per person, else per address). */
  personOf: (request: FastifyRequest) => Promise<string | undefined>;
}

/** Rate limits on sign-in (per client address) and on submission (per person), counted in the database. */
export const rateLimits = fp(
  async (app: FastifyInstance, options: RateLimitOptions) => {
    const { login, submission } = options.limits;
    // Runs before @fastify/rate-limit's own onRoute hook (registered below), which reads config.rateLimit.
    app.addHook('onRoute', (route: RouteOptions) => {
      const name = `${route.method} ${route.url}`;
      if (LOGIN_ROUTES.has(name) && login.max > 0) {
        route.config = {
          ...route.config,
          rateLimit: { max: login.max, timeWindow: login.seconds * 1000, keyGenerator: (request: FastifyRequest) => `login:${request.ip}`, errorResponseBuilder: (_r: unknown, context: { ttl: number }) => new TooManyRequestsError('login', Math.ceil(context.ttl / 1000)) },
        } as RouteOptions['config'];
      }
      if (SUBMISSION_ROUTES.has(name) && submission.max > 0) {
        route.config = {
          ...route.config,
          rateLimit: {
            max: submission.max,
            timeWindow: submission.seconds * 1000,
            hook: 'preHandler',
            keyGenerator: async (request: FastifyRequest) => {
              const person = await options.personOf(request);
              return person ? `submission:${person}` : `submission-anonymous:${request.ip}`;
            },
            errorResponseBuilder: (_r: unknown, context: { ttl: number }) => new TooManyRequestsError('submission', Math.ceil(context.ttl / 1000)),
          },
        } as RouteOptions['config'];
      }
    });
    await app.register(rateLimit, { global: false, store: counterStore(options.store) as never });
  },
  { name: 'hall-rate-limits' },
);
