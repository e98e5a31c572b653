import pg from 'pg';
import type { Row, Store, Transaction } from './store.ts';
import { StoreUnavailableError } from './store.ts';

/** Connection failures and server shutdowns: the request cannot be served now, but may be in a moment. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (e?.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i.test(e?.message ?? '');
}

function translate(error: unknown): unknown {
  return isUnavailable(error) ? new StoreUnavailableError(error) : error;
}

/** `pg` returns COUNT(*) and BIGINT as strings; our schema uses INTEGER, which arrives as a number. */
export function openPostgres(url: string, options: { max?: number } = {}): Store {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 5_000, application_name: 'servicehall' });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
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

  return {
    kind: 'postgres',
    where,
    query: <T extends Row>(text: string, params: unknown[] = []) => wrap(async () => (await pool.query(text, params)).rows as T[]),
    run: (text, params = []) => wrap(async () => (await pool.query(text, params)).rowCount ?? 0),
    exec: (script) => wrap(async () => void (await pool.query(script))),
    transaction: <T>(work: (tx: Transaction) => Promise<T>) =>
      wrap(async () => {
        const client = await pool.connect();
        let broken = false;
        const onError = () => {
          broken = true;
        };
        client.on('error', onError);
        try {
          await client.query('BEGIN');
          const tx: Transaction = {
            lockRow: 'FOR UPDATE',
            query: async <R extends Row>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as R[],
            run: async (text, params = []) => (await client.query(text, params)).rowCount ?? 0,
            exec: async (script) => void (await client.query(script)),
            lock: async (name) => void (await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name])),
          };
          const result = await work(tx);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          broken ||= isUnavailable(error);
          if (!broken) await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.off('error', onError);
          client.release(broken ? true : undefined);
        }
      }),
    close: () => pool.end(),
  };
}
