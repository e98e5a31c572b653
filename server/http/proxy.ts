import type { FastifyPluginAsync } from 'fastify';
import type { Booking, Engine, Outcome } from '../engine/engine.ts';
import { appliedFor, proxyServices, submitOnBehalf } from '../engine/proxy.ts';
import type { SignedIn } from './attachments.ts';

const STATUS_OF = { 'not-found': 404, refused: 409, forbidden: 403, invalid: 422, conflict: 409 } as const;

/**
 * 代理申请 over the API (server/engine/proxy.ts): `POST /api/proxy/applications` submits for a person of
 * the directory (the service's `proxy.by` decides who may: 403 for anyone else, 404 for an unknown person);
 * `GET /api/proxy/applications` lists what the signed-in person submitted for others, with the services
 * they may apply in for others. Answers carry `application(s)`, so the masking hook (privacy.ts) masks them.
 */
export const proxyRoutes: FastifyPluginAsync<{ engine: Engine; signedIn: SignedIn }> = async (app, { engine, signedIn }) => {
  const answer = <T extends object>(reply: import('fastify').FastifyReply, outcome: Outcome<T>) => {
    if (outcome.ok) return reply.code(201).send(outcome);
    const { ok: _ok, ...refusal } = outcome;
    return reply.code(STATUS_OF[refusal.kind]).send({ error: refusal.kind, ...refusal });
  };

  app.post(
    '/api/proxy/applications',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['service', 'person', 'data'],
          properties: {
            service: { type: 'string', minLength: 1, maxLength: 100 },
            person: { type: 'string', minLength: 1, maxLength: 64 },
            data: { type: 'object' },
            booking: {
              type: 'object',
              additionalProperties: false,
              required: ['resource', 'date', 'slot'],
              properties: { resource: { type: 'string', minLength: 1, maxLength: 100 }, date: { type: 'string', minLength: 1, maxLength: 10 }, slot: { type: 'string', minLength: 1, maxLength: 11 } },
            },
            channel: { enum: ['pc', 'app', 'wechat'] },
          },
        },
      },
    },
    async (request, reply) => {
      const proxy = await signedIn(request, reply, true);
      if (!proxy) return;
      const body = request.body as { service: string; person: string; data: Record<string, unknown>; booking?: Booking; channel?: string };
      const outcome = await submitOnBehalf(engine, { service: body.service, proxy: proxy.id, person: body.person, data: body.data, ...(body.booking ? { booking: body.booking } : {}), ...(body.channel ? { channel: body.channel } : {}) });
      if (outcome.ok) request.log.info({ application: outcome.application.id, service: body.service, proxy: proxy.id }, 'submitted on behalf');
      return answer(reply, outcome);
    },
  );

  app.get('/api/proxy/applications', async (request, reply) => {
    const proxy = await signedIn(request, reply, false);
    if (!proxy) return;
    return reply.send({ services: await proxyServices(engine, proxy.id), applications: await appliedFor(engine, proxy.id) });
  });
};
