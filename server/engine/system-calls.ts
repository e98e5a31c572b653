import type { SystemCall } from '../../lib/interpret/system-step.ts';
import type { Sql } from '../store/store.ts';
import type { Engine } from './engine.ts';
import { newId } from './engine.ts';

/**
 * System steps in the hall (issue 15.3). The transaction that reaches a system step writes the call as a
 * `system_call` row (an outbox: the call is made after the commit, never inside it). `callDue` makes due
 * calls to the connector the hall's configuration declares, with a timeout; a 2xx answer records the
 * step's `approve` and marks the call done in one transaction; a failure is retried with backoff; when the
 * retries are used up the call is `failed`, an incident (`system-failed`) the IT office sees, and the
 * application is `incident` (the applicant sees 系统处理失败) until the IT office retries it. The hall calls
 * nothing but declared connectors: a step whose connector is not configured fails, it is never guessed.
 * A payment step's order (issue 15.9b, ./payment.ts) is sent the same way (purpose 'payment-order').
 */

/** Where a connector is, as `hall serve`'s configuration says: never in the catalog. */
export interface ConnectorTarget {
  /** Base address, e.g. https://door.example.edu.cn/api; the step's path is appended. */
  url: string;
  /** The Authorization header's value, read from the environment variable the configuration names. */
  authorization?: string;
  /** A payment platform's callback secret (issue 15.9b), read from the environment variable the configuration names. */
  callbackSecret?: string;
  /** A payment platform's cashier address for 去缴费, with `{orderId}`. */
  payUrl?: string;
}

/** Delays before each retry after a failed attempt (1, 5, 30 minutes, 2, 6 hours; then 6 hours). */
export const SYSTEM_BACKOFF_SECONDS = [60, 300, 1_800, 7_200, 21_600];

/** How long an attempt under way holds its call beyond its timeout, so another process does not call it too. */
const LEASE_GRACE_SECONDS = 30;

export interface SystemCallRecord {
  id: string;
  application: string;
  step: string;
  connector: string;
  status: 'pending' | 'done' | 'failed' | 'cancelled';
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string;
  lastError?: string;
  createdAt: string;
  doneAt?: string;
}

/** Write the call a run now waits on (engine.apply, in its transaction). */
export async function enqueueSystemCall(tx: Sql, application: string, call: SystemCall, at: string, id: string): Promise<void> {
  await tx.run(
    "INSERT INTO system_call (id, application_id, step, connector, path, payload, status, attempts, max_attempts, timeout_seconds, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8, $9, $9)",
    [id, application, call.step, call.connector, call.path ?? null, JSON.stringify(call.payload), call.retries + 1, call.timeoutSeconds, at],
  );
}

type CallRow = { id: string; application_id: string; step: string; connector: string; purpose?: string; path: string | null; payload: string; status: string; attempts: number | string; max_attempts: number | string; timeout_seconds: number | string; next_attempt_at: string; last_error: string | null; created_at: string; done_at: string | null };

const recordOf = (row: CallRow): SystemCallRecord => ({
  id: row.id,
  application: row.application_id,
  step: row.step,
  connector: row.connector,
  status: row.status as SystemCallRecord['status'],
  attempts: Number(row.attempts),
  maxAttempts: Number(row.max_attempts),
  nextAttemptAt: row.next_attempt_at,
  ...(row.last_error ? { lastError: row.last_error } : {}),
  createdAt: row.created_at,
  ...(row.done_at ? { doneAt: row.done_at } : {}),
});

export interface SystemCallReport {
  done: number;
  retrying: number;
  failed: number;
}

export class SystemCaller {
  private readonly engine: Engine;
  private readonly connectors: (id: string) => ConnectorTarget | undefined;
  private readonly now: () => Date;
  private readonly backoff: number[];

  constructor(engine: Engine, connectors: (id: string) => ConnectorTarget | undefined, options: { now?: () => Date; backoffSeconds?: number[] } = {}) {
    this.engine = engine;
    this.connectors = connectors;
    this.now = options.now ?? (() => new Date());
    this.backoff = options.backoffSeconds ?? SYSTEM_BACKOFF_SECONDS;
  }

  /** Make every due call once; each is claimed first, so several processes never make the same attempt. */
  async callDue(): Promise<SystemCallReport> {
    const report: SystemCallReport = { done: 0, retrying: 0, failed: 0 };
    const stamp = this.now().toISOString();
    const due = await this.engine.store.query<CallRow>("SELECT * FROM system_call WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id", [stamp]);
    for (const row of due) {
      const attempts = Number(row.attempts) + 1;
      const lease = new Date(this.now().getTime() + (Number(row.timeout_seconds) + LEASE_GRACE_SECONDS) * 1000).toISOString();
      const claimed = await this.engine.store.run("UPDATE system_call SET attempts = $1, next_attempt_at = $2 WHERE id = $3 AND status = 'pending' AND attempts = $4", [attempts, lease, row.id, Number(row.attempts)]);
      if (claimed !== 1) continue;
      const error = await this.attempt(row);
      const at = this.now().toISOString();
      if (error === undefined) {
        await this.engine.store.transaction(async (tx) => {
          await tx.run("UPDATE system_call SET status = 'done', done_at = $1, last_error = NULL WHERE id = $2", [at, row.id]);
          // A payment step's order (issue 15.9b) is only sent: the step goes on when the platform confirms payment.
          if (row.purpose !== 'payment-order') await this.engine.recordSystemStep(tx, row.application_id, row.step, at);
        });
        report.done++;
      } else if (attempts >= Number(row.max_attempts)) {
        await this.engine.store.transaction(async (tx) => {
          await tx.run("UPDATE system_call SET status = 'failed', last_error = $1 WHERE id = $2", [error, row.id]);
          await tx.run("INSERT INTO incident (id, application_id, task_id, step, group_id, scope, reason, missing, since) VALUES ($1, $2, NULL, $3, 'system', $4, 'system-failed', NULL, $5)", [newId(this.now()), row.application_id, row.step, row.connector, at]);
          await tx.run("UPDATE application SET status = 'incident', updated_at = $1, revision = revision + 1 WHERE id = $2 AND status = 'pending'", [at, row.application_id]);
        });
        report.failed++;
      } else {
        const wait = this.backoff[Math.min(attempts - 1, this.backoff.length - 1)];
        await this.engine.store.run('UPDATE system_call SET next_attempt_at = $1, last_error = $2 WHERE id = $3', [new Date(this.now().getTime() + wait * 1000).toISOString(), error, row.id]);
        report.retrying++;
      }
    }
    return report;
  }

  /** One attempt: undefined when the receiver answered 2xx, else what went wrong (kept as last_error). */
  private async attempt(row: CallRow): Promise<string | undefined> {
    const target = this.connectors(row.connector);
    if (!target) return `接口“${row.connector}”没有配置地址（hall serve 的 connectors）/ connector ${row.connector} has no configured address`;
    const [app] = await this.engine.store.query<{ status: string; service: string }>('SELECT status, service FROM application WHERE id = $1', [row.application_id]);
    const url = `${target.url.replace(/\/$/, '')}${row.path ?? ''}`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': row.id,
          ...(target.authorization ? { authorization: target.authorization } : {}),
        },
        body: JSON.stringify({ application: row.application_id, service: app?.service, step: row.step, payload: JSON.parse(row.payload) }),
        signal: AbortSignal.timeout(Number(row.timeout_seconds) * 1000),
        redirect: 'error',
      });
      await response.body?.cancel();
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError') return `超时（${row.timeout_seconds} 秒）/ timed out after ${row.timeout_seconds} s`;
      return e.cause?.code ?? e.message;
    }
  }

  /** The IT office retries a failed call: due at once, attempts counted afresh, same Idempotency-Key; its incident is resolved. */
  async retry(id: string): Promise<SystemCallRecord | 'not-found' | 'not-failed'> {
    const at = this.now().toISOString();
    return this.engine.store.transaction(async (tx) => {
      const [row] = await tx.query<CallRow>(`SELECT * FROM system_call WHERE id = $1 ${tx.lockRow}`, [id]);
      if (!row) return 'not-found';
      if (row.status !== 'failed') return 'not-failed';
      await tx.run("UPDATE system_call SET status = 'pending', attempts = 0, next_attempt_at = $1 WHERE id = $2", [at, id]);
      await tx.run("UPDATE incident SET resolved_at = $1, resolution = 'retried' WHERE application_id = $2 AND step = $3 AND reason = 'system-failed' AND resolved_at IS NULL", [at, row.application_id, row.step]);
      const [open] = await tx.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM incident WHERE application_id = $1 AND resolved_at IS NULL AND reason NOT LIKE 'payment-%'", [row.application_id]);
      if (Number(open.n) === 0) await tx.run("UPDATE application SET status = 'pending', updated_at = $1, revision = revision + 1 WHERE id = $2 AND status = 'incident'", [at, row.application_id]);
      return recordOf({ ...row, status: 'pending', attempts: 0, next_attempt_at: at });
    });
  }

  /** An application's system calls, oldest first. */
  async callsOf(application: string): Promise<SystemCallRecord[]> {
    return (await this.engine.store.query<CallRow>('SELECT * FROM system_call WHERE application_id = $1 ORDER BY created_at, id', [application])).map(recordOf);
  }

  /** Every call not done, for the IT office (failed first). */
  async openCalls(): Promise<SystemCallRecord[]> {
    return (await this.engine.store.query<CallRow>("SELECT * FROM system_call WHERE status IN ('pending', 'failed') ORDER BY status, created_at, id")).map(recordOf);
  }
}

/** What the applicant reads about a system step: 系统处理中 while it is tried, 系统处理失败 once the retries are used up. */
export function systemCallState(call: SystemCallRecord): { zh: string; en: string } {
  if (call.status === 'failed') return { zh: '系统处理失败，信息化办正在处理', en: 'the system could not process it; the IT office is on it' };
  if (call.status === 'done') return { zh: '系统已处理', en: 'processed by the system' };
  return { zh: '系统处理中', en: 'the system is processing' };
}
