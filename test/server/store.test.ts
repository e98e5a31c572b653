import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledMigrations, migrate, MigrationError } from '../../server/store/migrate.ts';
import { EmbeddedStoreInUseError } from '../../server/store/sqlite.ts';
import { StoreUnavailableError } from '../../server/store/store.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

const stores = storeFactory();

describe.each(STORE_KINDS)('the %s store', (kind) => {
  it('applies every migration once, and nothing on the next start', async () => {
    const store = await stores.open(await stores.location(kind));
    const first = await migrate(store);
    expect(first.applied.map((m) => m.version)).toEqual(bundledMigrations().map((m) => m.version));
    expect((await migrate(store)).applied).toEqual([]);
    const tables = ['application', 'task', 'event', 'outbox', 'person', 'membership'];
    for (const table of tables) expect(await store.query(`SELECT COUNT(*) AS n FROM ${table}`)).toEqual([{ n: kind === 'postgres' ? '0' : 0 }]);
  });

  it('refuses to start when an applied migration was edited, or the database is newer than the program', async () => {
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    const edited = bundledMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'x'.repeat(64) } : m));
    await expect(migrate(store, edited)).rejects.toThrow(MigrationError);
    await expect(migrate(store, edited)).rejects.toThrow(/文件在那之后被修改过/);
    await expect(migrate(store, [])).rejects.toThrow(/数据库比程序新/);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    const insert = 'INSERT INTO person (id, name, attributes, updated_at) VALUES ($1, $2, $3, $4)';
    await store.transaction((tx) => tx.run(insert, ['p1', '张三', '{}', '2026-01-01T00:00:00Z']));
    await expect(
      store.transaction(async (tx) => {
        await tx.run(insert, ['p2', '李四', '{}', '2026-01-01T00:00:00Z']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.query('SELECT id, name FROM person ORDER BY id')).toEqual([{ id: 'p1', name: '张三' }]);
  });

  it('lets exactly one of two concurrent transactions claim the same row', async () => {
    const location = await stores.location(kind);
    const a = await stores.open(location);
    const b = kind === 'postgres' ? await stores.open(location) : a;
    await migrate(a);
    await a.run('INSERT INTO person (id, name, attributes, updated_at) VALUES ($1, $2, $3, $4)', ['p1', '张三', '{}', 'open']);
    const claim = (store: typeof a, who: string) =>
      store.transaction(async (tx) => {
        const [row] = await tx.query<{ updated_at: string }>(`SELECT updated_at FROM person WHERE id = $1 ${tx.lockRow}`, ['p1']);
        await new Promise((r) => setTimeout(r, 20));
        if (row.updated_at !== 'open') return false;
        return (await tx.run('UPDATE person SET updated_at = $1 WHERE id = $2 AND updated_at = $3', [who, 'p1', 'open'])) === 1;
      });
    const results = await Promise.all([claim(a, 'a'), claim(b, 'b'), claim(a, 'c'), claim(b, 'd')]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('the embedded store', () => {
  it('refuses a second process on the same embedded database, with a clear message', async () => {
    const location = await stores.location('sqlite');
    await stores.open(location);
    await expect(stores.open(location)).rejects.toThrow(EmbeddedStoreInUseError);
    await expect(stores.open(location)).rejects.toThrow(/只支持一个进程/);
  });

});

describe('several processes on PostgreSQL', () => {
  it('applies a migration exactly once when two processes start together', async () => {
    const location = await stores.location('postgres');
    const a = await stores.open(location);
    const b = await stores.open(location);
    const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
    expect(ra.applied.length + rb.applied.length).toBe(bundledMigrations().length);
    expect(await a.query('SELECT version FROM schema_migration')).toHaveLength(bundledMigrations().length);
  });

});

describe('migration files', () => {
  it('are numbered, contiguous from 0001 and portable (no dialect-only types)', () => {
    const migrations = bundledMigrations();
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    for (const m of migrations) expect(m.sql).not.toMatch(/\b(SERIAL|JSONB|AUTOINCREMENT|BIGINT|TIMESTAMPTZ|BOOLEAN)\b/i);
  });

  it('refuses a folder whose released migration was changed on disk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-migrations-'));
    const src = path.join(import.meta.dirname, '../../server/store/migrations');
    for (const f of readdirSync(src)) writeFileSync(path.join(dir, f), readFileSync(path.join(src, f)));
    const store = await stores.open(await stores.location('sqlite'));
    await migrate(store, bundledMigrations(dir));
    writeFileSync(path.join(dir, '0001-initial.sql'), `${readFileSync(path.join(dir, '0001-initial.sql'), 'utf8')}\n-- edited\n`);
    await expect(migrate(store, bundledMigrations(dir))).rejects.toThrow(MigrationError);
  });
});

describe('PostgreSQL outage', () => {
  it('answers StoreUnavailableError while the server is down and works again when it returns', async () => {
    const store = await stores.open(await stores.location('postgres'));
    await migrate(store);
    const pg = stores.postgres()!;
    pg.stop();
    try {
      await expect(store.query('SELECT 1 AS one')).rejects.toThrow(StoreUnavailableError);
      await expect(store.transaction((tx) => tx.query('SELECT 1 AS one'))).rejects.toThrow(StoreUnavailableError);
    } finally {
      pg.start();
    }
    expect(await store.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
