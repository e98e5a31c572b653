import pg from 'pg';
import { PipelinedTransaction } from './pg-pipeline.ts';
import type { RoundTripObserver } from './pg-pipeline.ts';
import type { Row, Store, Transaction } from './store.ts';
import { StoreUnavailableError } from './store.ts';

/** Connection failures and server shutdowns: the request cannot be served now, but may be in a moment. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (e?.code && UNAVAILABLE_CODES.has(e.code)) return true;
  // "timeout exceeded when trying to connect": every connection of the pool stayed busy past the wait (an
  // overload): the hall is unavailable for a moment (503 with Retry-After), not broken (500).
  return /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection|timeout exceeded when trying to connect/i.test(e?.message ?? '');
}

function translate(error: unknown): unknown {
  return isUnavailable(error) ? new StoreUnavailableError(error) : error;
}

/** Most statements kept prepared per connection; past it (never with the hall's own SQL) statements are parsed each time. */
const PREPARED_LIMIT = 500;

/**
 * The hall's statements as prepared statements (issue 13): each distinct text gets a name, and `pg` prepares
 * it once per connection and then only binds and executes it, so PostgreSQL does not parse and plan the same
 * SQL on every request. Texts selecting `*` or `t.*` stay unnamed: a prepared `SELECT *` fails ("cached plan
 * must not change result type") once a later migration adds a column while the connection lives.
 */
const ALL_COLUMNS = /SELECT\s+\*|\b\w+\.\*/i;

function statements() {
  const names = new Map<string, string>();
  return (text: string, values: unknown[]): pg.QueryConfig => {
    let name = names.get(text);
    if (name === undefined && names.size < PREPARED_LIMIT && !ALL_COLUMNS.test(text)) {
      name = `hall_${names.size + 1}`;
      names.set(text, name);
    }
    return name === undefined ? { text, values } : { name, text, values };
  };
}

/** `pg` returns COUNT(*) and BIGINT as strings; our schema uses INTEGER, which arrives as a number. */
export function openPostgres(url: string, options: { max?: number; connectionTimeoutMillis?: number; observe?: RoundTripObserver } = {}): Store {
  // Pipeline mode (server/store/pg-pipeline.ts): a transaction writes its statements without waiting for each answer.
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000, application_name: 'servicehall', pipeline: true });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const statement = statements();
  const where = (() => {
    const u = new URL(url);
    return `postgres://${u.hostname}:${u.port || 5432}${u.pathname}`;
  })();
  const wrap = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw translate(error);
    }
  };
  const alone = <T>(text: string, work: () => Promise<T>): Promise<T> => {
    options.observe?.([text]);
    return work();
  };

  return {
    kind: 'postgres',
    where,
    query: <T extends Row>(text: string, params: unknown[] = []) => wrap(() => alone(text, async () => (await pool.query(statement(text, params))).rows as T[])),
    run: (text, params = []) => wrap(() => alone(text, async () => (await pool.query(statement(text, params))).rowCount ?? 0)),
    exec: (script) => wrap(() => alone(script, async () => void (await pool.query(script)))),
    transaction: <T>(work: (tx: Transaction) => Promise<T>) =>
      wrap(async () => {
        const client = await pool.connect();
        let broken = false;
        const onError = () => {
          broken = true;
        };
        client.on('error', onError);
        const tx = new PipelinedTransaction(client, statement, options.observe);
        try {
          const result = await work(tx);
          await tx.commit();
          return result;
        } catch (error) {
          broken ||= isUnavailable(error);
          if (!broken) await tx.rollback().catch(() => undefined);
          throw error;
        } finally {
          client.off('error', onError);
          client.release(broken ? true : undefined);
        }
      }),
    close: () => pool.end(),
  };
}
