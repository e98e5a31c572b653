import type { RunResult, TimelineEntry } from '../../lib/runtime/index.ts';
import { isHandOver } from '../../lib/interpret/actions.ts';
import type { Sql, Store } from '../store/store.ts';
import type { Message, Refusal, TaskRecord } from './engine.ts';
import { later } from './writes.ts';

/**
 * The runtime's side of the approver actions (issues 15.6, 14.6): who may act on a task that was handed
 * to a person (转办, 加签, 委派) or that a colleague stands in for (委托), who a hand-over may go to, and
 * the copies (抄送) a run writes. The engine calls these from small hooks; the flow itself stays the
 * interpreter's (a hand-over is a decision it replays).
 */

/** Who is acting on a task, and for whom when they stand in for a colleague who is away. */
export interface Actor {
  person: string;
  /** The absent colleague whose task this is (委托), recorded on the task. */
  onBehalfOf?: string;
}

/** The local date (school time zone) an instant falls on, for out-of-office periods (dates inclusive). */
export type LocalDate = (instant: string) => string;

/**
 * May `person` act on `task` now? A task handed to a person is theirs alone (or their stand-in's); any
 * other task is for holders of its group@scope (or a stand-in of one). Someone who held the task before
 * it was handed on gets a conflict that says who passed it on and when, as for a decision taken twice.
 */
export async function mayAct(tx: Sql, task: TaskRecord & { person?: string; handedBy?: string; handedAt?: string }, person: string, today: string): Promise<{ ok: true; actor: Actor } | ({ ok: false } & Refusal)> {
  if (task.person) {
    if (task.person === person) return { ok: true, actor: { person } };
    if (await standsInFor(tx, person, task.person, today)) return { ok: true, actor: { person, onBehalfOf: task.person } };
    if (task.status === 'open' && (await holdsScope(tx, person, task.group, task.scope))) {
      return {
        ok: false,
        kind: 'conflict',
        status: 'handed-over',
        ...(task.handedBy ? { actedBy: task.handedBy } : {}),
        ...(task.handedAt ? { actedAt: task.handedAt } : {}),
        message: { zh: `这个待办已由 ${task.handedBy ?? '其他办理人'} 于 ${task.handedAt ?? ''} 交给 ${task.person} 办理`, en: `${task.handedBy ?? 'another approver'} handed this task to ${task.person} at ${task.handedAt ?? ''}` },
      };
    }
    return forbidden();
  }
  if (await holdsScope(tx, person, task.group, task.scope)) return { ok: true, actor: { person } };
  const absent = await tx.query<{ person_id: string }>(
    'SELECT s.person_id FROM stand_in s JOIN membership m ON m.person_id = s.person_id WHERE s.stand_in_id = $1 AND s.cancelled_at IS NULL AND s.starts <= $2 AND s.ends >= $2 AND m.group_id = $3 AND m.scope = $4 ORDER BY s.created_at LIMIT 1',
    [person, today, task.group, task.scope],
  );
  if (absent.length) return { ok: true, actor: { person, onBehalfOf: absent[0].person_id } };
  return forbidden();
}

function forbidden(): { ok: false } & Refusal {
  return { ok: false, kind: 'forbidden', message: { zh: '您不是这个环节的办理人', en: 'you do not hold this step' } };
}

/**
 * Whom a hand-over may go to: a transferee must hold the step's group@scope (转办 stays within the post);
 * an added approver or a delegate must be a person in the directory. The answer is a refusal, or undefined.
 */
export async function handOverRefusal(tx: Sql, task: TaskRecord, action: string, to: string | undefined): Promise<({ ok: false } & Refusal) | undefined> {
  if (!isHandOver(action) || action === 'resolve') return undefined;
  const field = (message: Message) => ({ ok: false as const, kind: 'invalid' as const, message, fieldErrors: [{ field: 'to', label: 'to', message }] });
  if (!to) return field({ zh: '请选择交给谁', en: 'choose whom to hand the task to' });
  if (action === 'transfer') {
    if (await holdsScope(tx, to, task.group, task.scope)) return undefined;
    const assignee = task.scope ? `${task.group}@${task.scope}` : task.group;
    return field({ zh: `转办只能交给同一岗位（${assignee}）的人，${to} 不在其中`, en: `a transfer goes to another holder of ${assignee}; ${to} is not one` });
  }
  if ((await tx.query('SELECT 1 AS yes FROM person WHERE id = $1', [to])).length) return undefined;
  return field({ zh: `人员目录中没有“${to}”`, en: `no person "${to}" in the directory` });
}

/**
 * After a run is applied: each waiting task is the person's the run says (or its group's again), and the
 * copies the new timeline entries made are recorded for "copied to me" (抄送给我).
 */
export async function applyActions(tx: Sql, application: string, fresh: TimelineEntry[], waiting: RunResult['waiting'], newId: () => string, assignPeople = true): Promise<void> {
  // Who holds each open task: only when a hand-over is in play (otherwise every task is its group@scope's).
  if (assignPeople) for (const w of waiting) {
    await later(tx, "UPDATE task SET person_id = $1 WHERE application_id = $2 AND step = $3 AND status = 'open'", [w.person ?? null, application, w.step]);
  }
  for (const entry of fresh) {
    if (entry.type !== 'copied' || !entry.assignee || !entry.step) continue;
    const at = entry.assignee.indexOf('@');
    const [group, scope] = at < 0 ? [entry.assignee, ''] : [entry.assignee.slice(0, at), entry.assignee.slice(at + 1)];
    await later(tx, 'INSERT INTO copy (id, application_id, step, group_id, scope, at) VALUES ($1, $2, $3, $4, $5, $6)', [newId(), application, entry.step, group, scope, entry.at]);
  }
}

/**
 * The open tasks a person must act on: their groups' (not handed to someone), those handed to them, and those of
 * colleagues they stand in for today. Soonest due first: on one day, hours tasks (issue 15.7) by their due time,
 * before the day's work-day tasks, which run to its end.
 */
export async function openTasksOf(store: Sql, person: string, today: string): Promise<Record<string, unknown>[]> {
  return store.query(
    `SELECT t.* FROM membership m CROSS JOIN task t WHERE t.group_id = m.group_id AND t.scope = m.scope AND m.person_id = $1 AND t.status = 'open' AND t.person_id IS NULL
     UNION SELECT t.* FROM task t WHERE t.person_id = $1 AND t.status = 'open'
     UNION SELECT t.* FROM stand_in s CROSS JOIN membership m CROSS JOIN task t WHERE s.stand_in_id = $1 AND s.cancelled_at IS NULL AND s.starts <= $2 AND s.ends >= $2 AND m.person_id = s.person_id AND t.group_id = m.group_id AND t.scope = m.scope AND t.status = 'open' AND t.person_id IS NULL
     UNION SELECT t.* FROM stand_in s CROSS JOIN task t WHERE s.stand_in_id = $1 AND s.cancelled_at IS NULL AND s.starts <= $2 AND s.ends >= $2 AND t.person_id = s.person_id AND t.status = 'open'
     ORDER BY due, due_at NULLS LAST, opened_at, id`,
    [person, today],
  );
}

/** Whether a person may see an application beyond the engine's rule: a task handed to them, or a copy to a group@scope they hold. */
export async function seesThroughActions(store: Sql, person: string, application: string): Promise<boolean> {
  const rows = await store.query(
    'SELECT 1 AS yes FROM task t WHERE t.application_id = $2 AND (t.person_id = $1 OR t.handed_by = $1) UNION SELECT 1 AS yes FROM copy c JOIN membership m ON m.group_id = c.group_id AND m.scope = c.scope WHERE c.application_id = $2 AND m.person_id = $1',
    [person, application],
  );
  return rows.length > 0;
}

async function holdsScope(tx: Sql, person: string, group: string, scope: string): Promise<boolean> {
  return (await tx.query('SELECT 1 AS yes FROM membership WHERE person_id = $1 AND group_id = $2 AND scope = $3', [person, group, scope])).length > 0;
}

async function standsInFor(tx: Sql, person: string, absent: string, today: string): Promise<boolean> {
  return (await tx.query('SELECT 1 AS yes FROM stand_in WHERE stand_in_id = $1 AND person_id = $2 AND cancelled_at IS NULL AND starts <= $3 AND ends >= $3', [person, absent, today])).length > 0;
}

export type { Store };
