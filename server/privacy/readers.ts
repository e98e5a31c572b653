import type { Sql } from '../store/store.ts';

/**
 * Whether a person holds one of a service's `group@department` readers (privacy.readers): such readers
 * see the case and read it in full even when they handle none of its steps (e.g. the office that keeps
 * mental-health records). Bare-group readers are approvers already and are judged in access.ts.
 */
export async function holdsNamedReader(sql: Sql, person: string, readers: string[]): Promise<boolean> {
  for (const reader of readers) {
    const at = reader.indexOf('@');
    if (at < 0) continue;
    const held = await sql.query('SELECT 1 AS yes FROM membership WHERE person_id = $1 AND group_id = $2 AND scope = $3', [person, reader.slice(0, at), reader.slice(at + 1)]);
    if (held.length) return true;
  }
  return false;
}
