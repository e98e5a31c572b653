import type { RuntimeDefinition } from '../../lib/runtime/index.ts';
import type { ApplicationRecord, Engine } from '../engine/engine.ts';
import { newId } from '../engine/engine.ts';
import type { Sql } from '../store/store.ts';
import { personalFields, personalFieldsHeld } from './mask.ts';
import { holdsNamedReader } from './readers.ts';

/**
 * Who may read an application in full (个人信息保护法第五十一条: access limited to those who need it).
 * The applicant always reads their own. Without `privacy.readers`, every approver who may see the case
 * (engine.maySee) reads it in full. With it, only readers do: holders of a listed bare group on one of this
 * application's tasks (open or acted on), and holders of a listed `group@department` whether or not they
 * are approvers. Everyone else who may see the case sees it masked.
 */
export async function readsInFull(engine: Engine, person: string, application: ApplicationRecord): Promise<boolean> {
  if (application.applicantId === person) return true;
  const definition = engine.runtime.version(application.service, application.version);
  const readers = definition.privacy?.readers;
  if (!readers) return engine.maySee(person, application);
  return isReader(engine.store, person, application, readers);
}

async function isReader(sql: Sql, person: string, application: ApplicationRecord, readers: string[]): Promise<boolean> {
  if (await holdsNamedReader(sql, person, readers)) return true;
  for (const reader of readers) {
    if (reader.includes('@')) continue;
    const handled = await sql.query(
      "SELECT 1 AS yes FROM task t LEFT JOIN membership m ON m.group_id = t.group_id AND m.scope = t.scope AND m.person_id = $1 WHERE t.application_id = $2 AND t.group_id = $3 AND (t.acted_by = $1 OR (t.status = 'open' AND m.person_id IS NOT NULL))",
      [person, application.id, reader],
    );
    if (handled.length) return true;
  }
  return false;
}

/** The personal fields a full view of this application shows (empty: nothing to record). */
export function revealedBy(definition: RuntimeDefinition, application: ApplicationRecord): string[] {
  return personalFieldsHeld(application.data, application.decisions, personalFields(definition));
}

/**
 * Record a full view by someone other than the applicant (their own data is theirs): who, when, which
 * application, which personal fields, through which route. Nothing is written when the view shows none.
 */
export async function recordFieldView(engine: Engine, person: string, application: ApplicationRecord, fields: string[], route: string, now = new Date()): Promise<void> {
  if (application.applicantId === person || fields.length === 0) return;
  await engine.store.run('INSERT INTO field_view (id, application_id, service, person_id, fields, route, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    newId(now),
    application.id,
    application.service,
    person,
    JSON.stringify(fields),
    route,
    now.toISOString(),
  ]);
}

export interface FieldViewRecord {
  id: string;
  application: string;
  service: string;
  person: string;
  personName?: string;
  fields: string[];
  route: string;
  at: string;
}

/** Recorded full views, newest first, optionally of one application or one person, at most `limit`. */
export async function fieldViews(sql: Sql, filter: { application?: string; person?: string; limit?: number } = {}): Promise<FieldViewRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.application) where.push(`v.application_id = $${params.push(filter.application)}`);
  if (filter.person) where.push(`v.person_id = $${params.push(filter.person)}`);
  const rows = await sql.query(
    `SELECT v.*, p.name AS person_name FROM field_view v LEFT JOIN person p ON p.id = v.person_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY v.at DESC, v.id DESC LIMIT ${Math.min(Math.max(filter.limit ?? 500, 1), 5000)}`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    application: String(r.application_id),
    service: String(r.service),
    person: String(r.person_id),
    ...(r.person_name ? { personName: String(r.person_name) } : {}),
    fields: JSON.parse(String(r.fields)) as string[],
    route: String(r.route),
    at: String(r.at),
  }));
}
