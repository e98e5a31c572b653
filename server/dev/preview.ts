import { maskText } from '../privacy/mask.ts';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { Store } from '../store/store.ts';

/** What `hall dev` shows beside the flow: who one can be (personas) and what the hall would have sent (the outbox). */

export type RoleLabel = '申请人' | '辅导员' | '校领导' | '学院' | '部门';

const ROLE_EN: Record<RoleLabel, string> = { 申请人: 'applicant', 辅导员: 'counselor', 校领导: 'university leader', 学院: 'college', 部门: 'office' };

export interface Persona {
  id: string;
  name: string;
  /** `group@scope` (or `group` for the whole university), sorted. */
  holds: string[];
  role: { zh: RoleLabel; en: string };
  attributes: Record<string, unknown>;
}

/** Department code → its type (`college`, `office` …) from each department.yaml of the catalog. */
export async function departmentTypes(catalog: string | undefined): Promise<Map<string, string>> {
  const types = new Map<string, string>();
  if (!catalog) return types;
  for (const entry of await readdir(catalog, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) continue;
    const text = await readFile(path.join(catalog, entry.name, 'department.yaml'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      const value = parse(text) as { code?: unknown; type?: unknown } | null;
      if (typeof value?.code === 'string') types.set(value.code, typeof value.type === 'string' ? value.type : '');
    } catch {
      // A broken department file is `hall check`'s to report; the label falls back to 部门.
    }
  }
  return types;
}

/**
 * The suggested role of a person: nobody's holder → 申请人; a counselor → 辅导员; someone holding a group of the
 * whole university (书记, 校长) or the leader in charge of a unit (分管校领导) → 校领导; someone holding a group in a
 * college (department.yaml `type: college`) → 学院; anyone else who holds a group → 部门 (the offices).
 */
export function roleOf(holds: { group: string; scope: string }[], types: Map<string, string>): RoleLabel {
  if (!holds.length) return '申请人';
  if (holds.some((h) => h.group === 'counselor')) return '辅导员';
  if (holds.some((h) => h.scope === '' || h.group === 'leader-in-charge')) return '校领导';
  if (holds.some((h) => types.get(h.scope) === 'college')) return '学院';
  return '部门';
}

export async function personas(store: Store, catalog: string | undefined): Promise<Persona[]> {
  const types = await departmentTypes(catalog);
  const people = await store.query<{ id: string; name: string; attributes: string }>('SELECT id, name, attributes FROM person ORDER BY id');
  const memberships = await store.query<{ person_id: string; group_id: string; scope: string }>('SELECT person_id, group_id, scope FROM membership ORDER BY person_id, group_id, scope');
  return people.map((p) => {
    const holds = memberships.filter((m) => m.person_id === p.id).map((m) => ({ group: m.group_id, scope: m.scope }));
    const role = roleOf(holds, types);
    return {
      id: p.id,
      name: p.name,
      holds: holds.map((h) => (h.scope ? `${h.group}@${h.scope}` : h.group)),
      role: { zh: role, en: ROLE_EN[role] },
      // The persona list is a list of people: their phone and ID-card numbers are masked like every other list (个人信息保护法).
      attributes: Object.fromEntries(Object.entries(JSON.parse(p.attributes) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? maskText(v) : v])),
    };
  });
}

export interface OutboxMessage {
  id: string;
  application: string;
  service: string;
  event: string;
  /** As the flow names it: `applicant:<name>` or `group@scope`. */
  recipient: string;
  /** The people it would reach: the applicant, or every holder of group@scope. */
  people: { id: string; name: string; email?: string }[];
  channel: 'email';
  subject: string;
  body: string;
  at: string;
}

/**
 * Every notification the hall has written to its outbox, oldest first: under `hall dev` no channel is
 * configured, so none leaves the machine — this is what would have been sent, with the subject the
 * deliverer would give it (`【大厅名称】事项名称`).
 */
export async function outbox(store: Store, hall: string, serviceName: (id: string) => string): Promise<OutboxMessage[]> {
  const rows = await store.query<{ id: string; application_id: string; event: string; recipient: string; body: string; created_at: string; service: string; applicant_id: string }>(
    'SELECT o.id, o.application_id, o.event, o.recipient, o.body, o.created_at, a.service, a.applicant_id FROM outbox o JOIN application a ON a.id = o.application_id ORDER BY o.created_at, o.id',
  );
  const people = new Map((await store.query<{ id: string; name: string; attributes: string }>('SELECT id, name, attributes FROM person')).map((p) => [p.id, p]));
  const memberships = await store.query<{ person_id: string; group_id: string; scope: string }>('SELECT person_id, group_id, scope FROM membership ORDER BY person_id');
  const who = (id: string) => {
    const p = people.get(id);
    const email = p ? (JSON.parse(p.attributes) as Record<string, unknown>).email : undefined;
    return { id, name: p?.name ?? id, ...(typeof email === 'string' ? { email } : {}) };
  };
  return rows.map((r) => {
    let reached: OutboxMessage['people'];
    if (r.recipient.startsWith('applicant:')) reached = [who(r.applicant_id)];
    else {
      const at = r.recipient.indexOf('@');
      const [group, scope] = at < 0 ? [r.recipient, ''] : [r.recipient.slice(0, at), r.recipient.slice(at + 1)];
      reached = memberships.filter((m) => m.group_id === group && m.scope === scope).map((m) => who(m.person_id));
    }
    return { id: r.id, application: r.application_id, service: r.service, event: r.event, recipient: r.recipient, people: reached, channel: 'email', subject: `【${hall}】${serviceName(r.service)}`, body: r.body, at: r.created_at };
  });
}
