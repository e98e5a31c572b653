import type { Store } from '../store/store.ts';
import type { DirectoryExport } from './check.ts';

export type { DirectoryExport } from './check.ts';
export { checkDirectory } from './check.ts';

/**
 * Load a checked export in one transaction: a half-imported directory is never visible. Memberships are
 * replaced as a whole (the export is the data centre's full list); people are added or updated, and a
 * person the new export leaves out keeps their row (their applications and session still name them) but
 * holds nothing any more.
 */
export async function importDirectory(store: Store, directory: DirectoryExport, now = new Date()): Promise<{ people: number; memberships: number }> {
  return store.transaction(async (tx) => {
    await tx.run('DELETE FROM membership');
    let memberships = 0;
    for (const p of directory.people) {
      const updated = await tx.run('UPDATE person SET name = $1, attributes = $2, updated_at = $3 WHERE id = $4', [p.name, JSON.stringify(p.attributes ?? {}), now.toISOString(), p.id]);
      if (updated === 0) await tx.run('INSERT INTO person (id, name, attributes, updated_at) VALUES ($1, $2, $3, $4)', [p.id, p.name, JSON.stringify(p.attributes ?? {}), now.toISOString()]);
      for (const held of new Set(p.holds ?? [])) {
        const at = held.indexOf('@');
        await tx.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [p.id, at < 0 ? held : held.slice(0, at), at < 0 ? '' : held.slice(at + 1)]);
        memberships++;
      }
    }
    return { people: directory.people.length, memberships };
  });
}
