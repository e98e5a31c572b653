import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../engine/engine.ts';
import type { SignedIn } from './attachments.ts';
import { describeReload, reloadReportJson } from '../reload.ts';
import type { ReloadReport } from '../reload.ts';

/** What the IT office's routes need from the running hall. */
export interface AdminOptions {
  /** Reload the directory and generated/; the report says what was applied and what refused. */
  reload(): Promise<ReloadReport>;
  /** hall.yaml `itOffice`: the department code whose people are the IT office. */
  itOffice(): string | undefined;
}

/**
 * The IT office's routes. Who is the IT office: a signed-in person who holds any group scoped to the
 * department hall.yaml names as `itOffice` (in the example catalog `xxzx`, e.g. `office-staff@xxzx`), as
 * the data centre's directory says. No list of ids lives in the hall's configuration: the directory is
 * the one record of who holds what (000号文第十一条), and a reload that removes someone from the IT office
 * takes effect at once. Anyone else gets 403; nobody signed in, 401.
 */
export const adminRoutes: FastifyPluginAsync<{ engine: Engine; admin?: AdminOptions; signedIn: SignedIn }> = async (app, { engine, admin, signedIn }) => {
  if (!admin) return;

  const itOffice = (request: FastifyRequest, reply: FastifyReply, changes: boolean) => itOfficeOnly(engine, signedIn, () => admin.itOffice(), request, reply, changes);

  app.post('/api/admin/reload', async (request, reply) => {
    const person = await itOffice(request, reply, true);
    if (!person) return;
    const report = await admin.reload();
    request.log.info({ person, ok: report.ok }, describeReload(report));
    // A refused part is the sender's to fix (422), with the same diagnostics `hall directory check` gives.
    if (report.ok) return reply.send(reloadReportJson(report));
    return reply.code(422).send({
      error: 'invalid',
      message: { zh: '重新加载有部分被拒绝，运行中的保持不变；原因见 definitions 和 directory 中的诊断。', en: 'Part of the reload was refused and the running one kept; see the diagnostics under definitions and directory.' },
      ...reloadReportJson(report),
    });
  });

  app.get('/api/admin/incidents', { schema: { querystring: { type: 'object', additionalProperties: false, properties: { all: { enum: ['0', '1'] } } } } }, async (request, reply) => {
    const person = await itOffice(request, reply, false);
    if (!person) return;
    const all = (request.query as { all?: string }).all === '1';
    const incidents = (await engine.incidents({ all })).map((i) => ({ ...i, assignee: i.scope ? `${i.group}@${i.scope}` : i.group }));
    return reply.send({ incidents });
  });
};

/**
 * The signed-in IT-office person (the app's session, and its CSRF check for a change, then a membership in any
 * group scoped to hall.yaml's itOffice), or the refusal sent: 401 signed out, 403 anyone else.
 */
export async function itOfficeOnly(engine: Engine, signedIn: SignedIn, itOffice: (() => string | undefined) | undefined, request: FastifyRequest, reply: FastifyReply, changes = false): Promise<string | undefined> {
  const person = await signedIn(request, reply, changes);
  if (!person) return undefined;
  const office = itOffice?.();
  const held = office ? await engine.store.query('SELECT 1 AS yes FROM membership WHERE person_id = $1 AND scope = $2 LIMIT 1', [person.id, office]) : [];
  if (!held.length) {
    reply.code(403).send({ error: 'forbidden', message: { zh: `只有信息化办（${office ?? 'hall.yaml 未设置 itOffice'}）的人员可以使用。`, en: `Only the IT office (${office ?? 'hall.yaml sets no itOffice'}) may use this.` } });
    return undefined;
  }
  return person.id;
}
