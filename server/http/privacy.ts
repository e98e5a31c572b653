import { itOfficeOnly } from './admin.ts';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preSerializationHookHandler } from 'fastify';
import type { ApplicationRecord, Engine } from '../engine/engine.ts';
import { fieldViews, readsInFull, recordFieldView, revealedBy } from '../privacy/access.ts';
import { maskApplication, maskText, personalFields } from '../privacy/mask.ts';
import type { PersonalKind } from '../privacy/mask.ts';
import type { SignedIn } from './attachments.ts';

/** Requests answered with an entitled reader's full view: the only answers the masking hook leaves alone. */
const FULL_VIEWS = new WeakSet<FastifyRequest>();

/**
 * Masking on every answer (个人信息保护法): any JSON answer carrying an `application` or a list of
 * `applications` — lists, details, the answers to submitting, deciding, resubmitting, withdrawing, and any
 * route added later — has ID-card and phone numbers and the service's sensitive fields masked, unless the
 * route marked the request as an entitled reader's full view. Registered once on the root app, so no
 * route can forget it.
 */
export function maskAnswers(engine: Engine): preSerializationHookHandler {
  const fieldsOf = (app: ApplicationRecord): ReadonlyMap<string, PersonalKind> => {
    try {
      return personalFields(engine.runtime.version(app.service, app.version));
    } catch {
      return new Map();
    }
  };
  const mask = (value: unknown) => (isApplication(value) ? maskApplication(value, fieldsOf(value)) : value);
  // A callback hook (issue 13: on every answer; an async hook costs a promise and a turn of the microtask queue).
  return (request, _reply, payload, done) => done(null, masked(request, payload));
  function masked(request: FastifyRequest, payload: unknown): unknown {
    if (FULL_VIEWS.has(request) || !payload || typeof payload !== 'object' || Array.isArray(payload)) return payload;
    const body = payload as Record<string, unknown>;
    if (!['application', 'applications', 'task', 'tasks', 'events'].some((k) => k in body)) return payload;
    return {
      ...body,
      ...('application' in body ? { application: mask(body.application) } : {}),
      ...(Array.isArray(body.applications) ? { applications: body.applications.map(mask) } : {}),
      // Opinions and reasons are free text: a number typed into one is masked like a declared field.
      ...('task' in body ? { task: maskComment(body.task) } : {}),
      ...(Array.isArray(body.tasks) ? { tasks: body.tasks.map(maskComment) } : {}),
      ...(Array.isArray(body.events) ? { events: body.events.map(maskComment) } : {}),
    };
  }
}

function maskComment(value: unknown): unknown {
  const v = value as { comment?: unknown } | null;
  return v && typeof v === 'object' && typeof v.comment === 'string' ? { ...v, comment: maskText(v.comment) } : value;
}

function isApplication(value: unknown): value is ApplicationRecord {
  const v = value as ApplicationRecord | null;
  return !!v && typeof v === 'object' && typeof v.service === 'string' && typeof v.version === 'number' && !!v.data && typeof v.data === 'object' && Array.isArray(v.decisions);
}

export interface PrivacyRoutesOptions {
  engine: Engine;
  signedIn: SignedIn;
  /** hall.yaml `itOffice`: the department whose people read the field-view record. */
  itOffice?: () => string | undefined;
}

const noSuchApplication = { error: 'not-found', message: { zh: '没有这个申请。', en: 'No such application.' } };

/**
 * The full view and its record: `GET /api/applications/:id/full` answers an entitled reader (the
 * applicant, the approvers, or the service's `privacy.readers`) with the application unmasked and records
 * which personal fields it showed to whom; `GET /api/admin/field-views` lists those records for the IT office.
 */
export const privacyRoutes: FastifyPluginAsync<PrivacyRoutesOptions> = async (app, { engine, signedIn, itOffice }) => {
  app.get('/api/applications/:id/full', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const { id } = request.params as { id: string };
    const application = await engine.application(id);
    if (!application || !(await engine.maySee(person.id, application))) return reply.code(404).send(noSuchApplication);
    if (!(await readsInFull(engine, person.id, application))) {
      return reply.code(403).send({
        error: 'forbidden',
        message: { zh: '这个事项限定了可以查看申请全文的人员，您可以办理，但敏感内容只能看到遮盖后的。', en: 'This service limits who may read its applications in full: you may act on it, but see sensitive content masked.' },
      });
    }
    await recordFieldView(engine, person.id, application, revealedBy(engine.runtime.version(application.service, application.version), application), 'GET /api/applications/:id/full');
    FULL_VIEWS.add(request);
    return reply.send({ application, tasks: await engine.tasksOf(id), events: await engine.events(id) });
  });

  app.get(
    '/api/admin/field-views',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            application: { type: 'string', minLength: 1, maxLength: 64 },
            person: { type: 'string', minLength: 1, maxLength: 64 },
            limit: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' },
          },
        },
      },
    },
    async (request, reply) => {
      const person = await itOfficeOnly(engine, signedIn, itOffice, request, reply);
      if (!person) return;
      const query = request.query as { application?: string; person?: string; limit?: string };
      return reply.send({ views: await fieldViews(engine.store, { application: query.application, person: query.person, limit: query.limit ? Number(query.limit) : undefined }) });
    },
  );
};

