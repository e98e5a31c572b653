import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../../server/store/store.ts';
import type { Store } from '../../server/store/store.ts';
import { startPostgres } from '../helpers/postgres.ts';
import type { TestPostgres } from '../helpers/postgres.ts';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

/**
 * One test suite, both stores: `describe.each(STORE_KINDS)` and open databases through this. A PostgreSQL
 * cluster is started once per test file, on first use, and removed after it.
 */
export function storeFactory() {
  let pg: TestPostgres | undefined;
  let count = 0;
  const opened: Store[] = [];
  beforeAll(() => undefined);
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    pg?.destroy();
  });
  return {
    /** A location for a new, empty database of this kind. */
    async location(kind: StoreKind): Promise<string> {
      count++;
      if (kind === 'sqlite') return `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), 'hall-store-')), 'hall.db')}`;
      pg ??= await startPostgres();
      return pg.createDatabase(`t${count}`);
    },
    async open(location: string): Promise<Store> {
      const store = await openStore(location);
      opened.push(store);
      return store;
    },
    postgres: () => pg,
  };
}
