import type { Sql, Transaction } from '../store/store.ts';

/**
 * The rows one state change appends (events, outbox messages, incidents), written at the end of its
 * transaction with one multi-row INSERT per table instead of one statement per row (issue 13: on
 * PostgreSQL every statement is a round trip, and a decision wrote two events and two messages one by
 * one). The rows keep the ids they were given when queued, so events still sort in the order they
 * happened; the transaction is the same, so they are committed with the change or not at all.
 *
 * They are written with `later()`: nothing waits for their answers, so on PostgreSQL they travel with the
 * transaction's COMMIT in one round trip (server/store/pg-pipeline.ts).
 */

/**
 * Write a statement whose answer the change does not need: deferred where the store can (PostgreSQL
 * pipelines it with the next statement waited for, or COMMIT), at once elsewhere (SQLite's statements are
 * calls into the same process: nothing to save). Only for statements whose row count the caller need not
 * check: its failure still aborts the transaction.
 */
export async function later(sql: Sql, text: string, params: unknown[] = []): Promise<void> {
  const tx = sql as Partial<Transaction>;
  if (typeof tx.defer === 'function') tx.defer(text, params);
  else await sql.run(text, params);
}

const EVENT_COLUMNS = ['id', 'application_id', 'at', 'type', 'body'] as const;
const OUTBOX_COLUMNS = ['id', 'application_id', 'event', 'recipient', 'body', 'status', 'attempts', 'next_attempt_at', 'created_at'] as const;
const INCIDENT_COLUMNS = ['id', 'application_id', 'task_id', 'step', 'group_id', 'scope', 'reason', 'missing', 'since'] as const;

/** Rows per INSERT: far below both stores' limits on parameters (SQLite 32,766; PostgreSQL 65,535). */
const ROWS_PER_STATEMENT = 200;

export class Writes {
  private readonly events: unknown[][] = [];
  private readonly outbox: unknown[][] = [];
  private readonly incidents: unknown[][] = [];

  event(row: { id: string; application: string; at: string; type: string; body: string }): void {
    this.events.push([row.id, row.application, row.at, row.type, row.body]);
  }

  message(row: { id: string; application: string; event: string; recipient: string; body: string; at: string }): void {
    this.outbox.push([row.id, row.application, row.event, row.recipient, row.body, 'pending', 0, row.at, row.at]);
  }

  incident(row: { id: string; application: string; task: string | null; step: string; group: string; scope: string; reason: string; missing: string | null; since: string }): void {
    this.incidents.push([row.id, row.application, row.task, row.step, row.group, row.scope, row.reason, row.missing, row.since]);
  }

  /** Incidents queued and not yet written. */
  get pendingIncidents(): number {
    return this.incidents.length;
  }

  /**
   * Write everything queued (incidents, events, messages), then forget it. On PostgreSQL (a pipelined
   * transaction) the tables' INSERTs are one statement, data-modifying CTEs, each of which runs once
   * (issue 13: what PostgreSQL spends per statement, parsing its messages and answering, was more than
   * the INSERT itself); SQLite has no such CTEs, and its statements cost no round trip.
   */
  async flush(tx: Sql): Promise<void> {
    const tables = ([['incident', INCIDENT_COLUMNS, this.incidents], ['event', EVENT_COLUMNS, this.events], ['outbox', OUTBOX_COLUMNS, this.outbox]] as const).filter(([, , rows]) => rows.length > 0);
    if (typeof (tx as Partial<Transaction>).defer === 'function' && tables.length > 1 && tables.every(([, , rows]) => rows.length <= ROWS_PER_STATEMENT)) {
      const params: unknown[] = [];
      const inserts = tables.map(([table, columns, rows]) => {
        const values = rows.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`).join(', ');
        return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`;
      });
      const last = inserts.pop()!;
      for (const [, , rows] of tables) rows.splice(0);
      await later(tx, `WITH ${inserts.map((insert, i) => `w${i} AS (${insert})`).join(', ')} ${last}`, params);
      return;
    }
    await insertRows(tx, 'incident', INCIDENT_COLUMNS, this.incidents.splice(0));
    await insertRows(tx, 'event', EVENT_COLUMNS, this.events.splice(0));
    await insertRows(tx, 'outbox', OUTBOX_COLUMNS, this.outbox.splice(0));
  }
}

/** `INSERT INTO table (columns) VALUES (…), (…)`: one statement per {@link ROWS_PER_STATEMENT} rows, none for no rows. */
export async function insertRows(tx: Sql, table: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const values = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
    await later(tx, `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, chunk.flat());
  }
}
