import type { FastifyPluginAsync } from 'fastify';
import type { Engine, Refusal } from '../engine/engine.ts';
import { REASON_MAX } from '../../lib/interpret/publicity.ts';
import type { SignedIn } from './attachments.ts';

/**
 * 公示 over HTTP (issue 15.2, docs/publicity.md): `GET /api/publicity` lists what is being published now, to
 * anyone signed in (the university's members; never to the public, 000号文第十六条); `POST
 * /api/applications/:id/objections` raises an objection with a reason. Documented in openapi.ts (ROUTE_DOCS).
 */
const STATUS_OF: Record<Refusal['kind'], number> = { 'not-found': 404, refused: 409, forbidden: 403, invalid: 422, conflict: 409 };

export const publicityRoutes: FastifyPluginAsync<{ engine: Engine; signedIn: SignedIn }> = async (app, { engine, signedIn }) => {
  app.get('/api/publicity', async (request, reply) => {
    if (!(await signedIn(request, reply, false))) return;
    const entries = await engine.publicity();
    // What is published: the result (service, step, the applicant's name and college) and until when; never the form.
    return reply.send({ entries: entries.map((e) => ({ application: e.application, service: e.service, serviceName: e.serviceName, step: e.step, stepName: e.stepName, ...(e.description ? { description: e.description } : {}), until: e.until, applicant: e.applicant })) });
  });

  app.post('/api/applications/:id/objections', { schema: { body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', maxLength: REASON_MAX * 4 } } } } }, async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const { id } = request.params as { id: string };
    const outcome = await engine.object({ application: id, person: person.id, reason: (request.body as { reason: string }).reason });
    if (!outcome.ok) {
      const { ok: _ok, ...refusal } = outcome;
      return reply.code(STATUS_OF[refusal.kind]).send({ error: refusal.kind, ...refusal });
    }
    request.log.info({ event: 'objected', application: id }, 'objected');
    // The objector learns that it was received, not the application: it is not theirs to see.
    return reply.code(201).send({ ok: true });
  });
};
