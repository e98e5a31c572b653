/**
 * The hall's store: one small interface over the embedded default (SQLite through `node:sqlite`) and
 * production (PostgreSQL through `pg`). SQL is written once, in the dialect both accept: `$1` parameters,
 * TEXT/INTEGER columns, JSON kept as text, instants as ISO-8601 text. Where the two differ (row locks), the
 * store says so through `kind` and `lockRow`.
 */
export type Row = Record<string, unknown>;

export interface Sql {
  /** Run one statement with `$1 … $n` parameters and return its rows (for INSERT/UPDATE … RETURNING too). */
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /** Run one statement and return how many rows it changed. */
  run(text: string, params?: unknown[]): Promise<number>;
}

export interface Store extends Sql {
  readonly kind: 'sqlite' | 'postgres';
  /** A description for logs, without credentials. */
  readonly where: string;
  /**
   * Run `work` in one transaction: committed when it resolves, rolled back when it throws. On SQLite
   * transactions are serialised (one writer); on PostgreSQL they run at READ COMMITTED with row locks.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Run a script of several statements (migrations), outside any parameters. */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

export interface Transaction extends Sql {
  /** `FOR UPDATE` where the dialect has it (PostgreSQL); SQLite's write transaction already excludes others. */
  readonly lockRow: string;
  /** Run a script of several statements inside this transaction. */
  exec(script: string): Promise<void>;
  /** Take a transaction-scoped lock named `name` (PostgreSQL advisory lock; SQLite is already exclusive). */
  lock(name: string): Promise<void>;
  /**
   * Send a write whose answer the change does not need, without waiting for it (PostgreSQL: it travels with
   * the next statement waited for, or with COMMIT; a failure aborts the transaction and is thrown there).
   * Optional: where a store has none, `later()` (server/engine/writes.ts) runs the statement at once. Returns its
   * rows, known once the next wait (or COMMIT) is answered: await them only after that, never to decide what to send.
   */
  defer?<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
}

/** The store cannot be reached (the database is down or refuses connections): the hall answers 503. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`数据库暂时无法连接，请稍后再试 / the database is unavailable, please try again shortly (${(cause as Error)?.message ?? cause})`);
    this.name = 'StoreUnavailableError';
    this.cause = cause;
  }
}

/**
 * Open a store from a location: `sqlite:<file>` (or a bare file path, or `:memory:`) for the embedded
 * store, `postgres://…` / `postgresql://…` for PostgreSQL.
 */
export async function openStore(location: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(location)) {
    const { openPostgres } = await import('./postgres.ts');
    return openPostgres(location);
  }
  const { openSqlite } = await import('./sqlite.ts');
  return openSqlite(location.replace(/^sqlite:/, ''));
}
