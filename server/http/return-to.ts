import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../engine/engine.ts';
import { findStep } from '../engine/engine.ts';
import type { SignedIn } from './attachments.ts';

/**
 * Return to a chosen step (issue 15.5): the earlier steps an open task may send its application back to
 * now, for the return form (POST /api/tasks/:id/decision with `returnTo`). Only the steps the step declares
 * in `returnTo` that this application passed; the applicant is always a target (leave `returnTo` out).
 * Documented in openapi.ts (ROUTE_DOCS).
 */
export const returnToRoutes: FastifyPluginAsync<{ engine: Engine; signedIn: SignedIn }> = async (app, { engine, signedIn }) => {
  app.get('/api/tasks/:id/return-targets', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const { id } = request.params as { id: string };
    // A task the person holds now: their to-do list (groups@scopes they hold, tasks handed to them).
    const task = (await engine.todo(person.id)).find((t) => t.id === id);
    const application = task ? await engine.application(task.application) : undefined;
    if (!task || !application) return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个待办', en: 'no such task' } });
    const steps = engine.runtime.version(application.service, application.version).workflow?.steps ?? [];
    const targets = engine.returnTargets(application, task.step).map((step) => ({ step, name: findStep(steps, step)?.name ?? { zh: step } }));
    return reply.send({ targets });
  });
};
