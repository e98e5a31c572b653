import type { FastifyPluginAsync } from 'fastify';
import type { Engine, Refusal } from '../engine/engine.ts';
import type { SignedIn } from './attachments.ts';

/**
 * The applicant's own steps over HTTP (issue 15.1): `POST /api/applications/:id/complete` completes the
 * step waiting for the applicant (销假, 报到) with the step's fields. Documented in openapi.ts (ROUTE_DOCS).
 */
const STATUS_OF: Record<Refusal['kind'], number> = { 'not-found': 404, refused: 409, forbidden: 403, invalid: 422, conflict: 409 };

export const applicantStepRoutes: FastifyPluginAsync<{ engine: Engine; signedIn: SignedIn }> = async (app, { engine, signedIn }) => {
  app.post('/api/applications/:id/complete', { schema: { body: { type: 'object', additionalProperties: false, properties: { data: { type: 'object' } } } } }, async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const { id } = request.params as { id: string };
    const outcome = await engine.complete({ application: id, applicant: person.id, data: (request.body as { data?: Record<string, unknown> } | undefined)?.data });
    if (!outcome.ok) {
      const { ok: _ok, ...refusal } = outcome;
      return reply.code(STATUS_OF[refusal.kind]).send({ error: refusal.kind, ...refusal });
    }
    request.log.info({ event: 'completed-own-step', application: id, status: outcome.application.status }, 'completed-own-step');
    return reply.send(outcome);
  });
};
