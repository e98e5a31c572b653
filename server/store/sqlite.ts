import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue } from 'node:sqlite';
import { CommitGroups } from './sqlite-group.ts';
import type { Row, Store, Transaction } from './store.ts';

/** `$1` → `?1`: SQLite numbers its parameters with `?NNN`; our SQL never holds a `$` inside a literal. */
function toSqlite(text: string): string {
  return text.replace(/\$(\d+)/g, '?$1');
}

function bind(params: unknown[]): SQLInputValue[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : (p as SQLInputValue)));
}

/** Another process already runs a hall on this embedded database. */
export class EmbeddedStoreInUseError extends Error {
  constructor(file: string) {
    super(
      `内置数据库 ${file} 正被另一个 hall serve 进程使用。内置数据库只支持一个进程；多个进程请使用 PostgreSQL（见 docs/runtime.md）。/ ` +
        `the embedded database ${file} is in use by another hall serve process; it supports one process: run several on PostgreSQL (docs/runtime.md).`,
    );
    this.name = 'EmbeddedStoreInUseError';
  }
}

/** The embedded store's settings, shared with the benchmark's floor (bench/serve-floor.ts) so both pay the same fsync. */
export const SQLITE_PRAGMAS = 'PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;';

/** A statement that only reads: run at once when no group is open (it sees committed data only). */
const READ = /^\s*SELECT\b/i;

/**
 * The embedded store. One connection in WAL mode with full fsync on commit. Changes (transactions, and
 * statements outside one) are committed in groups (server/store/sqlite-group.ts): those waiting when the
 * store gets its turn share one COMMIT, each in its own savepoint with its own result, all answered after
 * that COMMIT. Members run one at a time, because an async transaction on a single connection would
 * otherwise see (and commit) another request's statements. Reads outside a transaction run at once
 * unless a group is open, in which case they join it.
 */
export function openSqlite(file: string): Store {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new DatabaseSync(file);
  try {
    // One hall process owns the embedded store: a second one is refused at once instead of waiting on locks.
    db.exec(`${SQLITE_PRAGMAS} BEGIN IMMEDIATE; COMMIT;`);
  } catch (error) {
    db.close();
    if (/locked|busy/i.test((error as Error).message)) throw new EmbeddedStoreInUseError(file);
    throw error;
  }
  const groups = new CommitGroups(db);
  const statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  const prepared = (text: string) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(toSqlite(text));
      statements.set(text, statement);
    }
    return statement;
  };
  const query = <T extends Row>(text: string, params: unknown[] = []) => prepared(text).all(...bind(params)) as T[];
  const run = (text: string, params: unknown[] = []) => Number(prepared(text).run(...bind(params)).changes);
  let closed = false;

  const store: SqliteStore = {
    kind: 'sqlite',
    where: file === ':memory:' ? 'sqlite (in memory)' : `sqlite:${path.resolve(file)}`,
    query: <T extends Row>(text: string, params?: unknown[]) => {
      if (!READ.test(text) || groups.open) return groups.member(() => query<T>(text, params));
      try {
        return Promise.resolve(query<T>(text, params));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    run: (text, params) => groups.member(() => run(text, params)),
    exec: (script) => groups.alone(() => void db.exec(script)),
    transaction: (work) =>
      groups.member(async () => {
        // The member's statements run only while it is the member running: one kept past its end would land in another's savepoint.
        let live = true;
        const check = () => {
          if (!live) throw new Error('this transaction has already ended / 事务已结束');
        };
        const tx: Transaction = {
          lockRow: '',
          query: async (text, params) => (check(), query(text, params)),
          run: async (text, params) => (check(), run(text, params)),
          exec: async (script) => (check(), void db.exec(script)),
          lock: async () => undefined,
        };
        try {
          return await work(tx);
        } finally {
          live = false;
        }
      }),
    close: async () => {
      await groups.alone(() => {
        if (!closed) db.close();
        closed = true;
      });
    },
    groups: groups.counts,
  };
  return store;
}

/** The embedded store, with its commit groups' counts (tests and the benchmark read them). */
export interface SqliteStore extends Store {
  readonly groups: { readonly groups: number; readonly members: number };
}
