import type { Sql } from '../store/store.ts';

/**
 * Reads a change sends behind its lock without waiting for the lock's answer (issue 13): on PostgreSQL the
 * transaction's statements are pipelined (server/store/pg-pipeline.ts) and run in order, so the read runs once
 * the lock is held and both answers come back in one round trip; on SQLite the write transaction is already
 * exclusive.
 */

/** One of an application's open tasks, or (id '') the count of its open incidents in `overdue_at`. */
export interface AroundRow {
  id: string;
  step: string;
  status: string;
  overdue_at: string | null;
}

/**
 * The open tasks of the task's application, and (the last row, id '') how many of its incidents are open:
 * what Engine.apply reads after a decision, read by the task's id so it can travel with the lock.
 */
export function readAround(tx: Sql, task: string): Promise<AroundRow[]> {
  const rows = tx.query<AroundRow & Record<string, unknown>>(
    "SELECT id, step, status, overdue_at FROM task WHERE application_id = (SELECT application_id FROM task WHERE id = $1) AND status = 'open' UNION ALL SELECT '', '', '', CAST(COUNT(*) AS TEXT) FROM incident WHERE application_id = (SELECT application_id FROM task WHERE id = $1) AND resolved_at IS NULL AND reason NOT LIKE 'payment-%'",
    [task],
  );
  // A change that returns early (no such task, a conflict) never waits for it: its failure is not unhandled.
  rows.catch(() => undefined);
  return rows;
}

/** The rows read before the decision, as they stand after it: the decided task is done (a task passed on stays open). */
export function aroundAfter(rows: AroundRow[], task: string, passedOn: boolean): AroundRow[] {
  return passedOn ? rows : rows.map((r) => (r.id === task ? { ...r, status: 'done' } : r));
}
