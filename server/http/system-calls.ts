import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../engine/engine.ts';
import { SystemCaller, systemCallState } from '../engine/system-calls.ts';
import type { SignedIn } from './attachments.ts';
import { itOfficeOnly } from './admin.ts';

/**
 * System steps' calls (issue 15.3): the applicant (and whoever may see the application) reads how its
 * calls stand (系统处理中 / 系统处理失败); the IT office lists the calls not done and retries a failed one.
 * Reading and retrying need only the store: the calls themselves are made by `hall serve`'s caller.
 */
export const systemCallRoutes: FastifyPluginAsync<{ engine: Engine; signedIn: SignedIn; itOffice?: () => string | undefined }> = async (app, { engine, signedIn, itOffice }) => {
  const calls = new SystemCaller(engine, () => undefined);
  const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

  app.get('/api/applications/:id/system-calls', { schema: { params } }, async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const application = await engine.application((request.params as { id: string }).id);
    if (!application || !(await engine.maySee(person.id, application))) return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个申请。', en: 'No such application.' } });
    // The applicant sees the state and when it is tried next, never the receiver's answer (that is the IT office's).
    const list = (await calls.callsOf(application.id)).map((c) => ({ step: c.step, status: c.status, state: systemCallState(c), attempts: c.attempts, ...(c.status === 'pending' ? { nextAttemptAt: c.nextAttemptAt } : {}) }));
    return reply.send({ calls: list });
  });

  app.get('/api/admin/system-calls', async (request, reply) => {
    if (!(await itOfficeOnly(engine, signedIn, itOffice, request, reply, false))) return;
    return reply.send({ calls: await calls.openCalls() });
  });

  app.post('/api/admin/system-calls/:id/retry', { schema: { params } }, async (request, reply) => {
    const person = await itOfficeOnly(engine, signedIn, itOffice, request, reply, true);
    if (!person) return;
    const call = await calls.retry((request.params as { id: string }).id);
    if (call === 'not-found') return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个系统调用。', en: 'No such system call.' } });
    if (call === 'not-failed') return reply.code(409).send({ error: 'conflict', message: { zh: '这个系统调用没有失败（正在重试或已完成），不需要重试。', en: 'This system call has not failed (it is being tried or is done): there is nothing to retry.' } });
    request.log.info({ person, call: call.id, application: call.application }, 'system call retried');
    return reply.send({ call });
  });
};
