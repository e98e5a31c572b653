import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * Group commit for the embedded store (issue 13). SQLite has one writer and, with `synchronous = FULL`,
 * one fsync per COMMIT: committing every request's transaction on its own spent a third of the hall's CPU
 * time in BEGIN/COMMIT on the event loop, and bounded throughput by the disk's fsync rate.
 *
 * Here the changes that are waiting when the store gets its turn on the event loop (every request whose
 * statement or transaction arrived meanwhile) run one after the other inside ONE SQLite transaction, each
 * inside its own SAVEPOINT, and the group ends with one COMMIT (one fsync). Guarantees:
 *
 * - Each member gets its own result: a member that throws (a constraint, a refusal thrown by the work)
 *   is rolled back to its savepoint and gets its own error; its neighbours are not touched.
 * - No answer before the data is on disk: every member, successful or not, is settled only after the
 *   group's COMMIT returned. A COMMIT that fails fails every member (none of them was answered).
 * - Serial as before: members run one at a time in arrival order, so a member sees the members before
 *   it, and of two approvers deciding the same task the second sees the first's update (a conflict).
 * - An error after which SQLite abandons the whole transaction (a full disk, an I/O error) cannot be
 *   confined to one savepoint: the member that hit it gets its error, the members before it get
 *   {@link GroupRolledBackError} (their changes are not stored; nothing was answered), and the next group
 *   starts afresh.
 *
 * Work that is not a change runs outside the groups: a script (`alone`, e.g. a migration's DDL or a
 * PRAGMA) between two groups, and a read (`SELECT …`) at once when no group is open.
 */

interface Job {
  work: () => unknown;
  alone: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A member's change was rolled back with its whole group, because SQLite abandoned the group's transaction. */
export class GroupRolledBackError extends Error {
  constructor(cause: unknown) {
    super(
      `本次更改未保存：与它一起提交的这一批更改被数据库整体撤销（${(cause as Error)?.message ?? cause}），请重试。/ ` +
        `this change was not saved: SQLite rolled back the group of changes it was committed with (${(cause as Error)?.message ?? cause}); please try again.`,
    );
    this.name = 'GroupRolledBackError';
    this.cause = cause;
  }
}

/** Most members in one group: bounds how long the first member of a group waits for the last one. */
export const MAX_GROUP = 256;

export class CommitGroups {
  private readonly queue: Job[] = [];
  private state: 'idle' | 'scheduled' | 'running' = 'idle';
  private readonly statements: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', () => StatementSync>;
  /** Groups committed and their members, since the store opened (for tests and the bench's report). */
  readonly counts = { groups: 0, members: 0 };

  private readonly db: DatabaseSync;
  private readonly maxGroup: number;

  constructor(db: DatabaseSync, maxGroup = MAX_GROUP) {
    this.db = db;
    this.maxGroup = maxGroup;
    const cached = new Map<string, StatementSync>();
    const statement = (sql: string) => () => {
      let s = cached.get(sql);
      if (!s) cached.set(sql, (s = db.prepare(sql)));
      return s;
    };
    this.statements = {
      begin: statement('BEGIN IMMEDIATE'),
      commit: statement('COMMIT'),
      rollback: statement('ROLLBACK'),
      savepoint: statement('SAVEPOINT hall_member'),
      release: statement('RELEASE hall_member'),
      rollbackTo: statement('ROLLBACK TO hall_member'),
    };
  }

  /** No group is open: a read may run at once and sees only committed data. */
  get open(): boolean {
    return this.state === 'running';
  }

  /** A change (a transaction, or one statement): run in the next group, settled after its COMMIT. */
  member<T>(work: () => T | Promise<T>): Promise<T> {
    return this.enqueue(work, false);
  }

  /** Work that must run outside any transaction (a script, closing): alone, between two groups. */
  alone<T>(work: () => T | Promise<T>): Promise<T> {
    return this.enqueue(work, true);
  }

  private enqueue<T>(work: () => T | Promise<T>, alone: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, alone, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /**
   * The next group starts on the event loop's next turn (setImmediate), after the requests whose data
   * arrived in this turn have queued their changes: they join it instead of each paying a COMMIT.
   */
  private schedule(): void {
    if (this.state !== 'idle' || !this.queue.length) return;
    this.state = 'scheduled';
    setImmediate(() => void this.turn());
  }

  private async turn(): Promise<void> {
    this.state = 'running';
    try {
      if (this.queue[0].alone) await this.runAlone(this.queue.shift()!);
      else await this.runGroup();
    } finally {
      this.state = 'idle';
      this.schedule();
    }
  }

  private async runAlone(job: Job): Promise<void> {
    try {
      job.resolve(await job.work());
    } catch (error) {
      job.reject(error);
    }
  }

  private async runGroup(): Promise<void> {
    const s = this.statements;
    const settled: { job: Job; ok: boolean; value: unknown }[] = [];
    /** Set when nothing of the group can be committed. */
    let lost: unknown;
    /** The member whose own error made SQLite abandon the group's transaction: it keeps that error. */
    let culprit: Job | undefined;
    try {
      s.begin().run();
      while (this.queue.length && !this.queue[0].alone && settled.length < this.maxGroup) {
        const job = this.queue.shift()!;
        s.savepoint().run();
        let ok = true;
        let value: unknown;
        try {
          value = await job.work();
        } catch (error) {
          ok = false;
          value = error;
        }
        settled.push({ job, ok, value });
        if (!this.db.isTransaction) {
          // SQLite rolled the whole transaction back (SQLITE_FULL, SQLITE_IOERR …): the members before lost their changes too.
          lost = ok ? new Error('the transaction ended inside a member') : value;
          if (!ok) culprit = job;
          break;
        }
        if (!ok) s.rollbackTo().run();
        s.release().run();
      }
      if (lost === undefined) s.commit().run();
    } catch (error) {
      // BEGIN, a savepoint or the COMMIT itself failed: nothing of the group is stored.
      lost = error;
      if (this.db.isTransaction) {
        try {
          s.rollback().run();
        } catch {
          // The connection is unusable; the next group reports it.
        }
      }
    }
    if (lost === undefined) {
      this.counts.groups++;
      this.counts.members += settled.length;
    }
    for (const { job, ok, value } of settled) {
      // When the group is lost, every answer computed in it is void (a refusal too: it may rest on a neighbour's change).
      if (lost !== undefined) job.reject(job === culprit ? value : new GroupRolledBackError(lost));
      else if (ok) job.resolve(value);
      else job.reject(value);
    }
  }
}
