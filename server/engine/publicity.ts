import type { Sql } from '../store/store.ts';
import type { RunResult } from '../../lib/runtime/index.ts';

/**
 * Publicity periods (issue 15.2, docs/publicity.md) in `hall serve`: the period an application is published
 * in is a row of `publicity` (migration 0013), written in the transaction that reaches it; the sweep ends it
 * once (a conditional update), and the engine records the end on the application in the same transaction.
 */

/** One entry of the 公示 list: what is published, until when. */
export interface PublicityEntry {
  application: string;
  service: string;
  version: number;
  step: string;
  until: string;
  /** The applicant's name and college: the result being published. */
  applicant: { name: string; college?: string };
  /** The applicant's id: the pages offer no objection form on one's own application (never sent by the API). */
  applicantId: string;
  openedAt: string;
}

/** The period the run now waits in, written once (when the run reached it in this transaction). */
export async function openPublicity(tx: Sql, application: string, publicizing: NonNullable<RunResult['publicizing']>, at: string, id: string): Promise<void> {
  await tx.run('INSERT INTO publicity (id, application_id, step, opened_at, until, ends_at) VALUES ($1, $2, $3, $4, $5, $6)', [id, application, publicizing.step, at, publicizing.until, new Date(publicizing.endsAt).toISOString()]);
}

/** Periods whose end has come and that no sweep has closed yet. */
export async function duePublicity(sql: Sql, now: string): Promise<{ id: string }[]> {
  return sql.query<{ id: string }>('SELECT id FROM publicity WHERE closed_at IS NULL AND ends_at <= $1 ORDER BY ends_at, id', [now]);
}

/** Take one period for closing: true for exactly one caller however many sweep at once. */
export async function claimPublicity(tx: Sql, id: string, at: string): Promise<{ application: string; step: string } | undefined> {
  if ((await tx.run('UPDATE publicity SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL', [at, id])) !== 1) return undefined;
  const [row] = await tx.query<{ application_id: string; step: string }>('SELECT application_id, step FROM publicity WHERE id = $1', [id]);
  return { application: row.application_id, step: row.step };
}

/** Every open period of an application still in progress, soonest end first: the 公示 list. */
export async function openPublicityEntries(sql: Sql): Promise<PublicityEntry[]> {
  const rows = await sql.query<{ application_id: string; service: string; version: number | string; step: string; until: string; applicant: string; applicant_id: string; opened_at: string }>(
    "SELECT p.application_id, a.service, a.version, p.step, p.until, a.applicant, a.applicant_id, p.opened_at FROM publicity p JOIN application a ON a.id = p.application_id WHERE p.closed_at IS NULL AND a.status = 'pending' ORDER BY p.until, p.opened_at, p.id",
  );
  return rows.map((r) => {
    const applicant = JSON.parse(r.applicant) as Record<string, unknown>;
    return { application: r.application_id, service: r.service, version: Number(r.version), step: r.step, until: r.until, openedAt: r.opened_at, applicantId: r.applicant_id, applicant: { name: String(applicant.name ?? ''), ...(typeof applicant.college === 'string' ? { college: applicant.college } : {}) } };
  });
}
