import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue } from 'node:sqlite';
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

/**
 * The embedded store. One connection in WAL mode with full fsync on commit; every statement and
 * transaction goes through one queue, because an async transaction on a single connection would
 * otherwise see (and commit) another request's statements.
 */
export function openSqlite(file: string): Store {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new DatabaseSync(file);
  try {
    // One hall process owns the embedded store: a second one is refused at once instead of waiting on locks.
    db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; BEGIN IMMEDIATE; COMMIT;');
  } catch (error) {
    db.close();
    if (/locked|busy/i.test((error as Error).message)) throw new EmbeddedStoreInUseError(file);
    throw error;
  }
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };
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

  const store: Store = {
    kind: 'sqlite',
    where: file === ':memory:' ? 'sqlite (in memory)' : `sqlite:${path.resolve(file)}`,
    query: (text, params) => serial(async () => query(text, params)),
    run: (text, params) => serial(async () => run(text, params)),
    exec: (script) => serial(async () => void db.exec(script)),
    transaction: (work) =>
      serial(async () => {
        db.exec('BEGIN IMMEDIATE');
        const tx: Transaction = {
          lockRow: '',
          query: async (text, params) => query(text, params),
          run: async (text, params) => run(text, params),
          exec: async (script) => void db.exec(script),
          lock: async () => undefined,
        };
        try {
          const result = await work(tx);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.isTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    close: async () => {
      await serial(async () => {
        if (!closed) db.close();
        closed = true;
      });
    },
  };
  return store;
}
