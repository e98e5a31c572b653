import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Query parameters that carry a credential: CAS tickets, OIDC codes and state. Never written to a log. */
const SECRET_PARAMS = ['ticket', 'code', 'state', 'session_state', 'id_token', 'access_token'];

/** A URL as logged: secrets in its query replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of SECRET_PARAMS) if (params.has(name)) params.set(name, '[redacted]');
  return `${url.slice(0, q)}?${params.toString().replaceAll('%5Bredacted%5D', '[redacted]')}`;
}

/**
 * The hall's pino configuration (Fastify's logger): JSON lines on stdout, each request's lines carrying its
 * `reqId`. Requests are logged without headers (cookies, `x-csrf-token`, `authorization` never appear);
 * the redact paths also cover any code that logs headers, and URLs lose their tickets and codes.
 */
export function loggerOptions(level: LogLevel) {
  return {
    level,
    // Written asynchronously (issue 13: a synchronous write per line, three lines per request, was 5% of the
    // hall's CPU under load): lines logged while a write is under way go out together in the next one. pino
    // writes what is left synchronously when the process exits, so a shutdown or a fatal error loses nothing.
    ...(level === 'silent' ? {} : { stream: pino.destination({ dest: 1, sync: false }) }),
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]', 'headers.cookie', 'headers.authorization', 'headers["x-csrf-token"]', 'csrf', '*.csrf'],
      censor: '[redacted]',
    },
    serializers: {
      req: (request: FastifyRequest) => ({ method: request.method, url: redactUrl(request.url), remoteAddress: request.ip }),
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
    },
  };
}

/**
 * One line per request, written when its answer is (Fastify writes two: `incoming request` with the request, then
 * `request completed` with the status). Issue 13: a log line costs a serialisation, the redaction of every key and
 * its share of the write; the second line per request was about 3% of the hall's CPU under load. The one line
 * carries both the request (method, redacted URL, address) and the answer (status, time). Errors keep Fastify's
 * `request errored` line, with the request added. A request whose answer is never written (the client went away
 * first) has no line; a change it made is still logged by its engine event.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** A request id: the proxy's `x-request-id` when it looks like one (so the two logs join), else a new UUID. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{8,64}$/.test(given) ? given : randomUUID();
}
