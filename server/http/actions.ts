import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine, Outcome, Refusal } from '../engine/engine.ts';
import type { SignedIn } from './attachments.ts';
import { MAX_BATCH, MAX_PHRASE_LENGTH, acknowledge, addPhrase, addStandIn, annotate, annotationsOf, batchApprove, cancelStandIn, copiesOf, deletePhrase, phrasesOf, standInsOf, urge } from '../engine/approver-work.ts';

/**
 * The approvers' actions over HTTP (issues 15.6, 14.6): hand a task over (转办, 加签, 委派, and the
 * delegate's hand-back), note a form field (批注), approve in batch (批量审批), remind (催办), copies to
 * me (抄送给我) and their acknowledgement (知悉), saved phrases (常用意见), and stand-ins while away (委托).
 * Documented in openapi.ts (ROUTE_DOCS); each body is closed, as app.ts's are.
 */
const STATUS_OF: Record<Refusal['kind'], number> = { 'not-found': 404, refused: 409, forbidden: 403, invalid: 422, conflict: 409 };

const COMMENT = { type: 'string', maxLength: 2000 } as const;
const PERSON = { type: 'string', minLength: 1, maxLength: 64 } as const;
const DATE = { type: 'string', minLength: 10, maxLength: 10 } as const;
const closed = (properties: Record<string, unknown>, required: string[] = []) => ({ body: { type: 'object', additionalProperties: false, required, properties } });

export const actionRoutes: FastifyPluginAsync<{ engine: Engine; signedIn: SignedIn }> = async (app, { engine, signedIn }) => {
  const answer = <T extends object>(reply: FastifyReply, outcome: Outcome<T>, created = false) => {
    if (outcome.ok) return reply.code(created ? 201 : 200).send(outcome);
    const { ok: _ok, ...refusal } = outcome;
    return reply.code(STATUS_OF[refusal.kind]).send({ error: refusal.kind, ...refusal });
  };
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.post(
    '/api/tasks/:id/hand-over',
    { schema: closed({ action: { enum: ['transfer', 'add-approver', 'delegate', 'resolve'] }, to: PERSON, position: { enum: ['before', 'after'] }, comment: COMMENT }, ['action']) },
    async (request, reply) => {
      const person = await signedIn(request, reply, true);
      if (!person) return;
      const body = request.body as { action: 'transfer' | 'add-approver' | 'delegate' | 'resolve'; to?: string; position?: 'before' | 'after'; comment?: string };
      const outcome = await engine.act({ task: idOf(request), person: person.id, action: body.action, ...(body.to ? { to: body.to } : {}), ...(body.position ? { position: body.position } : {}), ...(body.comment ? { comment: body.comment } : {}) });
      if (outcome.ok) request.log.info({ event: 'handed-over', task: idOf(request), action: body.action, to: body.to }, 'handed-over');
      return answer(reply, outcome);
    },
  );

  app.post('/api/tasks/:id/annotations', { schema: closed({ field: { type: 'string', minLength: 1, maxLength: 100 }, text: { type: 'string', minLength: 1, maxLength: 1000 } }, ['field', 'text']) }, async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const body = request.body as { field: string; text: string };
    return answer(reply, await annotate(engine, { task: idOf(request), person: person.id, field: body.field, text: body.text }, new Date()), true);
  });

  app.get('/api/applications/:id/annotations', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const application = await engine.application(idOf(request));
    if (!application || !(await engine.maySee(person.id, application))) return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个申请。', en: 'No such application.' } });
    // 批注 are the approvers' notes for the steps after them: not the applicant's, nor the office's that applied for them (代理申请).
    if (person.id === application.applicantId || person.id === application.proxy) {
      return reply.code(403).send({ error: 'forbidden', message: { zh: '批注只供办理人参考，申请人看不到。', en: 'Notes are for the approvers only; the applicant does not see them.' } });
    }
    return reply.send({ annotations: await annotationsOf(engine, application.id) });
  });

  app.post('/api/tasks/batch-decision', { schema: closed({ tasks: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: PERSON }, comment: COMMENT }, ['tasks']) }, async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const body = request.body as { tasks: string[]; comment?: string };
    const results = await batchApprove(engine, { tasks: body.tasks, person: person.id, ...(body.comment ? { comment: body.comment } : {}) });
    return reply.send({ ok: results.every((r) => r.ok), results });
  });

  app.post('/api/applications/:id/urge', async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const outcome = await urge(engine, { application: idOf(request), applicant: person.id }, new Date());
    if (!outcome.ok && outcome.kind === 'too-many') return reply.code(429).header('retry-after', String(outcome.retryAfter)).send({ error: 'too-many-requests', message: outcome.message });
    return answer(reply, outcome as Outcome<{ urged: number; count: number }>);
  });

  app.get('/api/copies', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    return reply.send({ copies: await copiesOf(engine, person.id) });
  });

  app.post('/api/copies/:id/acknowledge', async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    return answer(reply, await acknowledge(engine, idOf(request), person.id, new Date()));
  });

  app.get('/api/phrases', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    return reply.send({ phrases: await phrasesOf(engine, person.id) });
  });

  app.post('/api/phrases', { schema: closed({ text: { type: 'string', minLength: 1, maxLength: MAX_PHRASE_LENGTH } }, ['text']) }, async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    return answer(reply, await addPhrase(engine, person.id, (request.body as { text: string }).text, new Date()), true);
  });

  app.delete('/api/phrases/:id', async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    return answer(reply, await deletePhrase(engine, person.id, idOf(request)));
  });

  app.get('/api/stand-ins', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    return reply.send({ standIns: await standInsOf(engine, person.id) });
  });

  app.post('/api/stand-ins', { schema: closed({ standIn: PERSON, starts: DATE, ends: DATE }, ['standIn', 'starts', 'ends']) }, async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    const body = request.body as { standIn: string; starts: string; ends: string };
    return answer(reply, await addStandIn(engine, { person: person.id, ...body }, new Date()), true);
  });

  app.delete('/api/stand-ins/:id', async (request, reply) => {
    const person = await signedIn(request, reply, true);
    if (!person) return;
    return answer(reply, await cancelStandIn(engine, person.id, idOf(request), new Date()));
  });
};
