import type pg from 'pg';
import type { Row, Transaction } from './store.ts';

/**
 * One PostgreSQL transaction with its statements pipelined (issue 13: on PostgreSQL every wait for an
 * answer is a round trip, and a submission waited 6 times, an approval 9).
 *
 * The pool runs `pg` in pipeline mode (node-postgres 8.23 here: each query is written at once, without
 * waiting for the answer to the one before; answers come back in order). On top of it:
 * - `BEGIN` is written together with the transaction's first statement, not on its own;
 * - `defer` writes a statement whose answer the change does not need (an INSERT of events, an UPDATE of
 *   the application's row): nothing waits for it, it travels with the next statement that is waited for,
 *   or with `COMMIT`;
 * - everything written within one tick of the event loop leaves in one socket write (the stream is
 *   corked until the next tick), so a batch is one packet, not one per statement;
 * - the first statement is held back until a second one is written or something is waited for: a transaction that
 *   is one statement (a submission, server/engine/writes.ts) is sent alone at COMMIT, its own transaction, with
 *   neither BEGIN nor COMMIT for PostgreSQL to run and answer.
 *
 * Order is kept (PostgreSQL runs a connection's statements in the order they arrive), so a read sees every
 * write deferred before it, and the transaction is the same one: a deferred write that fails aborts it,
 * its `COMMIT` becomes a `ROLLBACK`, and the failure is thrown where the change next waits (the next read,
 * or the commit). A read that fails after a deferred write failed reports the write's error, the cause.
 */

/** What one socket write sent: the statements written in one tick, in order (for tests and diagnosis). */
export type RoundTripObserver = (statements: string[]) => void;

type Statement = (text: string, values: unknown[]) => pg.QueryConfig;

interface Sent {
  text: string;
  result: Promise<pg.QueryResult>;
}

export class PipelinedTransaction implements Transaction {
  readonly lockRow = 'FOR UPDATE';
  private begun = false;
  private corked = false;
  /** Deferred writes not yet known to have succeeded. */
  private deferred: Sent[] = [];
  /** Statements written in this tick, sent together when it ends. */
  private batch: string[] = [];
  /**
   * The transaction's first statement, not written yet: if it stays the only one, COMMIT sends it alone, its own
   * transaction without BEGIN and COMMIT (issue 13: a submission is one statement, and BEGIN and COMMIT were two more
   * for the database to run and answer); anything else written or waited for sends BEGIN and it first.
   */
  private held: { text: string; config: pg.QueryConfig | string; resolve: (r: pg.QueryResult) => void; reject: (e: unknown) => void } | undefined;

  private readonly client: pg.PoolClient;
  private readonly statement: Statement;
  private readonly observe: RoundTripObserver | undefined;

  constructor(client: pg.PoolClient, statement: Statement, observe?: RoundTripObserver) {
    this.client = client;
    this.statement = statement;
    this.observe = observe;
    // Usable unbound, as the object the store handed out before was (`const { query } = tx`, `{ ...store, query: tx.query }`).
    this.query = this.query.bind(this);
    this.run = this.run.bind(this);
    this.defer = this.defer.bind(this);
    this.exec = this.exec.bind(this);
    this.lock = this.lock.bind(this);
  }

  /** Whether anything was written (a transaction that wrote nothing needs neither COMMIT nor ROLLBACK). */
  get started(): boolean {
    return this.begun || this.held !== undefined;
  }

  private write(text: string, config: pg.QueryConfig | string): Promise<pg.QueryResult> {
    if (!this.begun && !this.held) {
      return new Promise<pg.QueryResult>((resolve, reject) => {
        this.held = { text, config, resolve, reject };
      });
    }
    this.release();
    return this.send(text, config, true);
  }

  /** Write the held first statement, after BEGIN: the transaction has more than one statement, or waits for it. */
  private release(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    this.send(held.text, held.config, true).then(held.resolve, held.reject);
  }

  private send(text: string, config: pg.QueryConfig | string, transaction: boolean): Promise<pg.QueryResult> {
    if (!this.corked) {
      // Everything written until this tick ends (the change's code runs on until it waits) leaves in one write.
      const stream = (this.client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
      const corks = typeof stream?.cork === 'function' && typeof stream.uncork === 'function';
      if (corks) stream!.cork!();
      this.corked = true;
      process.nextTick(() => {
        this.corked = false;
        const sent = this.batch;
        this.batch = [];
        if (corks) stream!.uncork!();
        this.observe?.(sent);
      });
    }
    if (transaction && !this.begun) {
      this.begun = true;
      this.batch.push('BEGIN');
      this.track('BEGIN', this.client.query('BEGIN'));
    }
    this.batch.push(text);
    return this.client.query(config as pg.QueryConfig);
  }

  /** A write whose answer nobody waits for: kept, so its failure is not lost. */
  private track(text: string, result: Promise<pg.QueryResult>): void {
    result.catch(() => undefined);
    this.deferred.push({ text, result });
  }

  /** Wait for `result`, the last statement written: one round trip for everything written since the last wait. */
  private async wait(result: Promise<pg.QueryResult>): Promise<pg.QueryResult> {
    // Waiting for an answer: the held first statement (maybe this one) must be on its way.
    this.release();
    const before = this.deferred.length;
    try {
      const answer = await result;
      // Everything written before it has been answered too (answers come in order), and succeeded (a failure
      // aborts the transaction, so this one would have failed): forget those, not any written meanwhile.
      this.deferred.splice(0, before);
      return answer;
    } catch (error) {
      throw (await this.earlierFailure()) ?? error;
    }
  }

  /** The first deferred write that failed, if one did (all of them are answered by the time a later statement is). */
  private async earlierFailure(): Promise<unknown> {
    const settled = await Promise.allSettled(this.deferred.map((d) => d.result));
    this.deferred = [];
    const failed = settled.find((s) => s.status === 'rejected');
    return failed ? (failed as PromiseRejectedResult).reason : undefined;
  }

  async query<R extends Row = Row>(text: string, params: unknown[] = []): Promise<R[]> {
    return (await this.wait(this.write(text, this.statement(text, params)))).rows as R[];
  }

  async run(text: string, params: unknown[] = []): Promise<number> {
    return (await this.wait(this.write(text, this.statement(text, params)))).rowCount ?? 0;
  }

  defer<R extends Row = Row>(text: string, params: unknown[] = []): Promise<R[]> {
    const result = this.write(text, this.statement(text, params));
    this.track(text, result);
    const rows = result.then((r) => r.rows as R[]);
    rows.catch(() => undefined);
    return rows;
  }

  async exec(script: string): Promise<void> {
    await this.wait(this.write(script, script));
  }

  async lock(name: string): Promise<void> {
    await this.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
  }

  /** COMMIT, written with the deferred writes still travelling: one round trip. Throws (rolled back) when any of them failed. */
  async commit(): Promise<void> {
    const alone = this.held;
    if (alone && !this.begun) {
      // The only statement: sent alone it is its own transaction, committed when it answers (or rolled back with its error).
      this.held = undefined;
      const result = this.send(alone.text, alone.config, false);
      result.then(alone.resolve, alone.reject);
      this.deferred = [];
      await result;
      return;
    }
    if (!this.begun) return;
    const commit = this.write('COMMIT', 'COMMIT');
    const travelling = [...this.deferred];
    const answer = await this.wait(commit);
    // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK (and no error): never report that as
    // committed; the cause is the deferred write that failed.
    if (answer.command !== 'COMMIT') {
      this.deferred = travelling;
      throw (await this.earlierFailure()) ?? new Error(`the transaction was rolled back (${answer.command})`);
    }
  }

  async rollback(): Promise<void> {
    if (this.held && !this.begun) {
      // Never written: nothing to roll back.
      this.held.reject(new Error('the transaction was rolled back before its statement was sent'));
      this.held = undefined;
      this.deferred = [];
      return;
    }
    if (!this.begun) return;
    await this.earlierFailure();
    await this.write('ROLLBACK', 'ROLLBACK');
  }
}
