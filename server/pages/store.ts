import type { ApplicationRecord } from '../engine/engine.ts';
import { newId } from '../engine/engine.ts';
import type { Store } from '../store/store.ts';

/** The five levels of 好差评 (000号文第七条; the event log's `rated` enum, 国办发〔2019〕51号). */
export const RATINGS = ['非常满意', '满意', '基本满意', '不满意', '非常不满意'] as const;
export const RATINGS_EN: Record<string, string> = { 非常满意: 'Very satisfied', 满意: 'Satisfied', 基本满意: 'Fairly satisfied', 不满意: 'Dissatisfied', 非常不满意: 'Very dissatisfied' };

/** A person's saved form for a service (草稿), or undefined. */
export async function readDraft(store: Store, person: string, service: string): Promise<{ data: Record<string, unknown>; savedAt: string } | undefined> {
  const [row] = await store.query<{ data: string; saved_at: string }>('SELECT data, saved_at FROM draft WHERE person_id = $1 AND service = $2', [person, service]);
  return row ? { data: JSON.parse(row.data) as Record<string, unknown>, savedAt: row.saved_at } : undefined;
}

export async function saveDraft(store: Store, person: string, service: string, data: Record<string, unknown>): Promise<string> {
  const at = new Date().toISOString();
  await store.run('INSERT INTO draft (person_id, service, data, saved_at) VALUES ($1, $2, $3, $4) ON CONFLICT (person_id, service) DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at', [person, service, JSON.stringify(data), at]);
  return at;
}

export async function deleteDraft(store: Store, person: string, service: string): Promise<void> {
  await store.run('DELETE FROM draft WHERE person_id = $1 AND service = $2', [person, service]);
}

export async function readEvaluation(store: Store, application: string): Promise<{ rating: string; comment?: string; at: string } | undefined> {
  const [row] = await store.query<{ rating: string; comment: string | null; at: string }>('SELECT rating, comment, at FROM evaluation WHERE application_id = $1', [application]);
  return row ? { rating: row.rating, ...(row.comment ? { comment: row.comment } : {}), at: row.at } : undefined;
}

/**
 * The applicant's evaluation of a finished application: the row (one per application: a second is
 * refused by the primary key, answered as `false`) and a `rated` event in the event log, in one
 * transaction, so `hall report` counts exactly the evaluations the hall keeps.
 */
export async function recordEvaluation(store: Store, app: ApplicationRecord, rating: string, comment: string | undefined): Promise<boolean> {
  const at = new Date().toISOString();
  return store.transaction(async (tx) => {
    // Two submits at once: the primary key lets one in; the other changes nothing and writes no event.
    const inserted = await tx.run('INSERT INTO evaluation (application_id, person_id, rating, comment, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id) DO NOTHING', [app.id, app.applicantId, rating, comment ?? null, at]);
    if (inserted !== 1) return false;
    const applicant = Object.fromEntries(['type', 'college', 'department'].filter((k) => typeof app.applicant[k] === 'string').map((k) => [k, app.applicant[k]]));
    const body = { type: 'rated', at, instance: app.id, service: app.service, version: app.version, ...(Object.keys(applicant).length ? { applicant } : {}), channel: app.channel, rating, ...(comment ? { comment } : {}) };
    await tx.run('INSERT INTO event (id, application_id, at, type, body) VALUES ($1, $2, $3, $4, $5)', [newId(new Date()), app.id, at, 'rated', JSON.stringify(body)]);
    return true;
  });
}

/** Tasks a person has acted on (已办), newest first. */
export async function doneBy(store: Store, person: string): Promise<{ id: string; application: string; step: string; action: string; actedAt: string; due: string }[]> {
  const rows = await store.query<{ id: string; application_id: string; step: string; action: string; acted_at: string; due: string }>(
    'SELECT id, application_id, step, action, acted_at, due FROM task WHERE acted_by = $1 ORDER BY acted_at DESC LIMIT 200',
    [person],
  );
  return rows.map((r) => ({ id: r.id, application: r.application_id, step: r.step, action: r.action, actedAt: r.acted_at, due: r.due }));
}

/** Names of people by id (for "who holds it" and "who decided"). */
export async function namesOf(store: Store, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of new Set(ids)) {
    const [row] = await store.query<{ name: string }>('SELECT name FROM person WHERE id = $1', [id]);
    if (row) out.set(id, row.name);
  }
  return out;
}

/** The people holding group@scope (who holds an open step). */
export async function holdersOf(store: Store, group: string, scope: string): Promise<string[]> {
  const rows = await store.query<{ name: string }>('SELECT p.name FROM membership m JOIN person p ON p.id = m.person_id WHERE m.group_id = $1 AND m.scope = $2 ORDER BY p.name', [group, scope]);
  return rows.map((r) => r.name);
}

/** Whether a person holds group@scope. */
export async function holds(store: Store, person: string, group: string, scope: string): Promise<boolean> {
  return (await store.query('SELECT 1 AS yes FROM membership WHERE person_id = $1 AND group_id = $2 AND scope = $3', [person, group, scope])).length > 0;
}

/** The directory's people with what they hold (the dev persona picker). */
export async function people(store: Store): Promise<{ id: string; name: string; holds: string[] }[]> {
  const rows = await store.query<{ id: string; name: string }>('SELECT id, name FROM person ORDER BY id');
  const memberships = await store.query<{ person_id: string; group_id: string; scope: string }>('SELECT person_id, group_id, scope FROM membership ORDER BY group_id, scope');
  return rows.map((r) => ({ id: r.id, name: r.name, holds: memberships.filter((m) => m.person_id === r.id).map((m) => (m.scope ? `${m.group_id}@${m.scope}` : m.group_id)) }));
}
