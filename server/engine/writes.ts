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
  if (pipelines(sql)) sql.defer(text, params);
  else await sql.run(text, params);
}

/** Whether the store sends statements without waiting for their answers (PostgreSQL's pipelined transaction). */
function pipelines(sql: Sql): sql is Sql & Required<Pick<Transaction, 'defer'>> {
  return typeof (sql as Partial<Transaction>).defer === 'function';
}

const EVENT_COLUMNS = ['id', 'application_id', 'at', 'type', 'body'] as const;
const OUTBOX_COLUMNS = ['id', 'application_id', 'event', 'recipient', 'body', 'status', 'attempts', 'next_attempt_at', 'created_at'] as const;
const APPLICATION_COLUMNS = ['id', 'service', 'version', 'applicant_id', 'applicant', 'data', 'decisions', 'status', 'channel', 'submitted_at', 'updated_at', 'emitted_timeline', 'emitted_notifications', 'revision', 'booking', 'booking_slot', 'booking_date'] as const;
const STATUS = APPLICATION_COLUMNS.indexOf('status');
const TASK_COLUMNS = ['id', 'application_id', 'step', 'round', 'group_id', 'scope', 'status', 'due', 'opened_at', 'due_at', 'remind_at'] as const;
const INCIDENT_COLUMNS = ['id', 'application_id', 'task_id', 'step', 'group_id', 'scope', 'reason', 'missing', 'since'] as const;

/** Rows per INSERT: far below both stores' limits on parameters (SQLite 32,766; PostgreSQL 65,535). */
const ROWS_PER_STATEMENT = 200;

type EventRow = { id: string; application: string; at: string; type: string; body: string };
type IncidentRow = { id: string; application: string; task: string | null; step: string; group: string; scope: string; reason: string; missing: string | null; since: string };

/**
 * A new task's `unassigned` event and `no-holder` incident, written only when nobody holds its group@scope. The
 * database decides, in the change's transaction, so the change need not wait for a membership answer before
 * writing the rest (issue 13: that wait was a submission's second round trip on PostgreSQL).
 */
interface Unheld {
  group: string;
  scope: string;
  event: unknown[];
  incident: unknown[];
}

/** What a flush decided in the database: whether a new task had no holder, which set the application `incident`. */
export interface Flushed {
  /** Settles with the transaction's answers: on PostgreSQL when the next statement waited for (or COMMIT) is answered. */
  readonly unheld: Promise<boolean>;
}

const eventValues = (row: EventRow) => [row.id, row.application, row.at, row.type, row.body];
const incidentValues = (row: IncidentRow) => [row.id, row.application, row.task, row.step, row.group, row.scope, row.reason, row.missing, row.since];

export class Writes {
  private readonly events: unknown[][] = [];
  private readonly outbox: unknown[][] = [];
  private readonly incidents: unknown[][] = [];
  private readonly unheldRows: Unheld[] = [];
  /** A task inserted on the sequential path had no holder (its rows are queued as any others). */
  private unheldSeen = false;
  /** A new application's row and new tasks, written by the flush (pipelined stores, when nothing in between needs them). */
  private applicationRow: unknown[] | undefined;
  private readonly tasks: unknown[][] = [];

  event(row: EventRow): void {
    this.events.push(eventValues(row));
  }

  message(row: { id: string; application: string; event: string; recipient: string; body: string; at: string }): void {
    this.outbox.push([row.id, row.application, row.event, row.recipient, row.body, 'pending', 0, row.at, row.at]);
  }

  incident(row: IncidentRow): void {
    this.incidents.push(incidentValues(row));
  }

  /**
   * Insert a new task; `unheld`: its `unassigned` event and `no-holder` incident, written only if nobody holds its
   * group@scope. Where the store pipelines (PostgreSQL) nothing waits: the insert is deferred and the flush's one
   * statement writes those rows on the database's own reading of the membership. Elsewhere (SQLite: no round trips)
   * the insert answers whether the task has a holder, as one statement.
   */
  async task(tx: Sql, values: unknown[], unheld: { group: string; scope: string; event: EventRow; incident: IncidentRow } | undefined, fold: boolean): Promise<void> {
    const params = [...values];
    const pipelined = pipelines(tx);
    if (pipelined && unheld) this.unheldRows.push({ group: unheld.group, scope: unheld.scope, event: eventValues(unheld.event), incident: incidentValues(unheld.incident) });
    if (pipelined && fold) {
      this.tasks.push(values);
      return;
    }
    if (!unheld || pipelined) return later(tx, insertText('task', TASK_COLUMNS, [values], []), params);
    const text = `${insertText('task', TASK_COLUMNS, [values], [])} RETURNING EXISTS (SELECT 1 FROM membership WHERE group_id = $${params.push(unheld.group)} AND scope = $${params.push(unheld.scope)}) AS held`;
    const [row] = await tx.query<{ held: unknown }>(text, params);
    if (Number(row.held)) return;
    this.unheldSeen = true;
    this.event(unheld.event);
    this.incident(unheld.incident);
  }

  /**
   * Insert a new application's row (values in APPLICATION_COLUMNS' order). `fold`: nothing before the flush needs the row,
   * so on a pipelined store it goes with the flush, its status decided there when a new task may have no holder.
   */
  async application(tx: Sql, values: unknown[], fold: boolean): Promise<void> {
    if (fold && pipelines(tx)) {
      this.applicationRow = values;
      return;
    }
    const params: unknown[] = [];
    await later(tx, insertText('application', APPLICATION_COLUMNS, [values], params), params);
  }

  /** Incidents queued and not yet written (those written only without a holder not counted). */
  get pendingIncidents(): number {
    return this.incidents.length;
  }

  /**
   * Write everything queued (incidents, events, messages), then forget it. `pending`: the application whose
   * status is 'pending' and becomes 'incident' when a new task has no holder.
   *
   * On PostgreSQL (a pipelined transaction) it is one statement, data-modifying CTEs, each of which runs once
   * (issue 13: what PostgreSQL spends per statement, parsing its messages and answering, was more than the
   * INSERT itself), and nothing waits for it: its answer comes with the next one waited for, or with COMMIT.
   * Every membership it reads is read in that one statement's snapshot, so the incidents, their events and the
   * application's status agree. SQLite has no such CTEs, and its statements cost no round trip: one per table,
   * the conditional rows keyed on the incidents written just before (the write transaction is exclusive).
   */
  async flush(tx: Sql, pending?: string): Promise<Flushed> {
    // Rows held back for the database's decision, and rows folded into the flush, exist only on a pipelined store.
    const unheld = this.unheldRows.splice(0);
    const application = this.applicationRow;
    this.applicationRow = undefined;
    const tasks = this.tasks.splice(0);
    const marks = pending !== undefined && unheld.length > 0;
    let tables = ([['incident', INCIDENT_COLUMNS, this.incidents], ['event', EVENT_COLUMNS, this.events], ['outbox', OUTBOX_COLUMNS, this.outbox]] as const).filter(([, , rows]) => rows.length > 0);
    const pipelined = pipelines(tx);
    if (pipelined && tables.some(([, , rows]) => rows.length > ROWS_PER_STATEMENT)) {
      // Too many rows for one statement's parameters: each table on its own (never for one change's rows in practice).
      for (const [table, columns, rows] of tables) await insertRows(tx, table, columns, rows.splice(0));
      tables = [];
    }
    if (pipelined && (tables.length > 1 || unheld.length > 0 || application || tasks.length > 0)) {
      const params: unknown[] = [];
      const holderless = (u: Unheld) => `NOT EXISTS (SELECT 1 FROM membership WHERE group_id = $${params.push(u.group)} AND scope = $${params.push(u.scope)})`;
      const statements: string[] = [];
      if (application) {
        // Its status: 'incident' when a new task has no holder, read in this statement's snapshot like the rows below.
        const values = application.map((value, i) => (i === STATUS && marks ? `CASE WHEN ${unheld.map(holderless).join(' OR ')} THEN 'incident' ELSE $${params.push(value)} END` : `$${params.push(value)}`));
        statements.push(`INSERT INTO application (${APPLICATION_COLUMNS.join(', ')}) VALUES (${values.join(', ')})`);
      }
      if (tasks.length) statements.push(insertText('task', TASK_COLUMNS, tasks, params));
      statements.push(...tables.map(([table, columns, rows]) => insertText(table, columns, rows, params)));
      for (const [, , rows] of tables) rows.splice(0);
      if (unheld.length) {
        statements.push(conditionalText('incident', INCIDENT_COLUMNS, unheld.map((u) => [u.incident, holderless(u)]), params));
        statements.push(conditionalText('event', EVENT_COLUMNS, unheld.map((u) => [u.event, holderless(u)]), params));
        // The answer: whether the application became an incident. Its row inserted here is not visible to an UPDATE in the
        // same statement, so then the same condition is selected; an existing row is updated.
        if (marks) statements.push(application ? `SELECT ${unheld.map(holderless).join(' OR ')} AS unheld` : `UPDATE application SET status = 'incident' WHERE id = $${params.push(pending)} AND status = 'pending' AND (${unheld.map(holderless).join(' OR ')}) RETURNING id`);
      }
      const last = statements.pop()!;
      const text = statements.length ? `WITH ${statements.map((statement, i) => `w${i} AS (${statement})`).join(', ')} ${last}` : last;
      // Not waited for: the answer travels with the next statement waited for (or is the COMMIT's, sent alone).
      const answer = (tx as Transaction).defer!<{ unheld?: unknown }>(text, params);
      if (!marks) return { unheld: Promise.resolve(false) };
      const unheldNow = answer.then((rows) => (application ? rows[0]?.unheld === true : rows.length > 0));
      unheldNow.catch(() => undefined);
      return { unheld: unheldNow };
    }
    // Sequential: the conditional rows were decided when their tasks were inserted (Writes.task) and are queued as any others.
    await insertRows(tx, 'incident', INCIDENT_COLUMNS, this.incidents.splice(0));
    await insertRows(tx, 'event', EVENT_COLUMNS, this.events.splice(0));
    await insertRows(tx, 'outbox', OUTBOX_COLUMNS, this.outbox.splice(0));
    const became = pending !== undefined && this.unheldSeen;
    this.unheldSeen = false;
    if (became) await later(tx, "UPDATE application SET status = 'incident' WHERE id = $1", [pending]);
    return { unheld: Promise.resolve(became) };
  }
}

/** `INSERT INTO table (columns) VALUES (…), (…)`, its values appended to `params`: the one text both write paths build. */
function insertText(table: string, columns: readonly string[], rows: unknown[][], params: unknown[]): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`).join(', ')}`;
}

/**
 * `INSERT INTO table (columns) SELECT … WHERE <condition> UNION ALL …`: each row written only when its condition
 * holds. For tables whose columns are all TEXT (PostgreSQL types the bare parameters as text).
 */
function conditionalText(table: string, columns: readonly string[], rows: [unknown[], string][], params: unknown[]): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) ${rows.map(([row, condition]) => `SELECT ${row.map((value) => `$${params.push(value)}`).join(', ')} WHERE ${condition}`).join(' UNION ALL ')}`;
}

/** `INSERT INTO table (columns) VALUES (…), (…)`: one statement per {@link ROWS_PER_STATEMENT} rows, none for no rows. */
export async function insertRows(tx: Sql, table: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const params: unknown[] = [];
    await later(tx, insertText(table, columns, rows.slice(start, start + ROWS_PER_STATEMENT), params), params);
  }
}
