import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from './store.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The migrations shipped with this version of the hall: `NNNN-name.sql`, applied in order, never edited once released. */
export function bundledMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return { version: Number(file.slice(0, 4)), name: file.slice(5, -4), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** The database and this program disagree about the schema; starting would risk the data. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/**
 * Bring the database to the schema of this program, in one transaction under a lock, so that several
 * processes starting at once apply each migration exactly once. Refuses to start when a migration that
 * was applied has since been edited, or when the database is newer than the program (a downgrade).
 */
export async function migrate(store: Store, migrations = bundledMigrations()): Promise<{ applied: Migration[] }> {
  return store.transaction(async (tx) => {
    await tx.lock('servicehall:migrate');
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const done = await tx.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migration ORDER BY version');
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of done) {
      const m = known.get(Number(row.version));
      if (!m) {
        throw new MigrationError(
          `数据库已执行迁移 ${row.version}（${row.name}），本程序不认识它：数据库比程序新，请使用相同或更新版本的 servicehall。/ ` +
            `the database has migration ${row.version} (${row.name}) that this program does not know: it is newer than the program; run the same or a newer servicehall.`,
        );
      }
      if (m.checksum !== row.checksum) {
        throw new MigrationError(
          `迁移 ${m.version}（${m.name}）已在数据库中执行，但文件在那之后被修改过。已发布的迁移不能修改，请新增一个迁移。/ ` +
            `migration ${m.version} (${m.name}) was applied, but its file has changed since; a released migration is never edited: add a new one.`,
        );
      }
    }
    const applied = new Set(done.map((r) => Number(r.version)));
    const pending = migrations.filter((m) => !applied.has(m.version));
    for (const m of pending) {
      await tx.exec(m.sql);
      await tx.run('INSERT INTO schema_migration (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)', [m.version, m.name, m.checksum, new Date().toISOString()]);
    }
    return { applied: pending };
  });
}
