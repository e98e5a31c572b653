import type { RuntimeDefinition } from '../../lib/runtime/index.ts';
import type { Sql, Transaction } from '../store/store.ts';
import { applicationOf } from './engine.ts';
import type { ApplicationRecord, Booking, Engine, Outcome } from './engine.ts';

/**
 * 代理申请 (issue 14.6): an office applies on a person's behalf — e.g. a college office registering a
 * student who cannot apply themselves, in the spirit of 004号文“从方便师生的角度出发……实现网上办理与线下服务相结合”
 * (the seeds name no 代办 rule of their own; the service declares who may, `proxy.by`). The applicant of
 * record stays the person: the form is judged, routed and decided on their directory attributes, their
 * 我的申请 lists it, they are notified; `application.proxy_id` and the `submitted` event's `proxy` say who
 * applied for them.
 */

export interface ProxyInput {
  service: string;
  /** Who applies (signed in). */
  proxy: string;
  /** Whom it is for (学号/工号 in the directory). */
  person: string;
  data: Record<string, unknown>;
  booking?: Booking;
  channel?: string;
}

/** The group@scope pairs of a definition's `proxy.by` that a person holds (empty: they may not apply for others). */
export async function proxyGroupsHeld(sql: Sql, person: string, definition: RuntimeDefinition): Promise<string[]> {
  const held: string[] = [];
  for (const entry of definition.proxy?.by ?? []) {
    const at = entry.indexOf('@');
    const [group, scope] = at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
    if ((await sql.query('SELECT 1 AS yes FROM membership WHERE person_id = $1 AND group_id = $2 AND scope = $3', [person, group, scope])).length) held.push(entry);
  }
  return held;
}

/** The services a person may apply for others in (online ones declaring `proxy.by` with a group they hold). */
export async function proxyServices(engine: Engine, person: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of engine.runtime.manifest.services) {
    if (entry.status !== 'online' || entry.type === 'link' || !engine.runtime.definitions.get(entry.id)) continue;
    const definition = engine.runtime.current(entry.id);
    if (definition.proxy && (await proxyGroupsHeld(engine.store, person, definition)).length) out.push(entry.id);
  }
  return out;
}

/** A person of the directory with the attributes a form prefills from and a flow reads (`applicant.*`). */
export async function directoryPerson(sql: Sql, id: string): Promise<{ id: string; name: string; attributes: Record<string, unknown> } | undefined> {
  if (!id || id.length > 64) return undefined;
  const [row] = await sql.query<{ name: string; attributes: string }>('SELECT name, attributes FROM person WHERE id = $1', [id]);
  return row ? { id, name: row.name, attributes: JSON.parse(row.attributes) as Record<string, unknown> } : undefined;
}

/**
 * Whether `proxy` may apply for `person` in `service`, and the person if so. Refusals: no such service
 * (not-found), the service takes no proxy applications or the proxy holds none of its `proxy.by` groups
 * (forbidden), the person is not in the directory (not-found), the proxy names themselves (refused).
 */
export async function proxyCheck(engine: Engine, input: { service: string; proxy: string; person: string }): Promise<Outcome<{ person: { id: string; name: string; attributes: Record<string, unknown> } }>> {
  const entry = engine.runtime.manifest.services.find((s) => s.id === input.service);
  if (!entry || !engine.runtime.definitions.get(input.service)) return { ok: false, kind: 'not-found', message: { zh: `没有事项“${input.service}”。`, en: `No service "${input.service}".` } };
  const definition = engine.runtime.current(input.service);
  const name = entry.name;
  if (!definition.proxy) {
    return { ok: false, kind: 'forbidden', message: { zh: `“${name.zh}”不接受代理申请，只能由本人申请。`, en: `"${name.en ?? name.zh}" takes no applications on someone's behalf: only the person applies.` } };
  }
  if (!(await proxyGroupsHeld(engine.store, input.proxy, definition)).length) {
    return {
      ok: false,
      kind: 'forbidden',
      message: { zh: `您不能代他人申请“${name.zh}”：本事项只允许 ${definition.proxy.by.join('、')} 的人员代为申请。`, en: `You may not apply for others in "${name.en ?? name.zh}": only holders of ${definition.proxy.by.join(', ')} may.` },
    };
  }
  if (input.person === input.proxy) return { ok: false, kind: 'refused', message: { zh: '为自己申请请直接在线办理，不需要代理申请。', en: 'To apply for yourself, apply directly.' } };
  const person = await directoryPerson(engine.store, input.person);
  if (!person) return { ok: false, kind: 'not-found', message: { zh: `人员目录中没有学号/工号为“${input.person}”的人员，请核对后重新输入。`, en: `The directory has nobody with the id "${input.person}"; check it and try again.` } };
  return { ok: true, person };
}

/** Submit an application for `person`, recorded as applied by `proxy` (checked first: see proxyCheck). */
export async function submitOnBehalf(engine: Engine, input: ProxyInput): Promise<Outcome<{ application: ApplicationRecord }>> {
  const checked = await proxyCheck(engine, input);
  if (!checked.ok) return checked;
  const { person } = checked;
  return engine.submit({
    service: input.service,
    applicant: { id: person.id, attributes: { ...person.attributes, name: person.name, number: person.id } },
    data: input.data,
    ...(input.booking ? { booking: input.booking } : {}),
    ...(input.channel ? { channel: input.channel } : {}),
    proxy: input.proxy,
  });
}

/**
 * In the submission's transaction: the application's proxy, and a notice to the applicant that someone
 * applied on their behalf (they may not have known; they can withdraw it while nobody has acted).
 */
export async function recordProxy(tx: Transaction, engine: Engine, app: ApplicationRecord, at: string): Promise<void> {
  await tx.run('UPDATE application SET proxy_id = $1 WHERE id = $2', [app.proxy, app.id]);
  const [row] = await tx.query<{ name: string }>('SELECT name FROM person WHERE id = $1', [app.proxy]);
  const who = row?.name ?? app.proxy!;
  const entry = engine.runtime.manifest.services.find((s) => s.id === app.service);
  await engine.enqueue(tx, app.id, 'proxy', `applicant:${app.applicantId}`, `${who}（${app.proxy}）已代您提交“${entry?.name.zh ?? app.service}”的申请（${app.id}），请在“我的申请”中查看；如非您本人意愿，可在办理人处理前撤回。\n${who} (${app.proxy}) applied for "${entry?.name.en ?? entry?.name.zh ?? app.service}" on your behalf (${app.id}); see My applications, and withdraw it before anyone acts if you did not want it.`, at);
}

/** Applications a person submitted for others, newest first. */
export async function appliedFor(engine: Engine, proxy: string): Promise<ApplicationRecord[]> {
  return (await engine.store.query('SELECT * FROM application WHERE proxy_id = $1 ORDER BY submitted_at DESC, id DESC LIMIT 500', [proxy])).map(applicationOf);
}
