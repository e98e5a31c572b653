import type { Engine, ApplicationRecord, Message, Outcome, TaskRecord } from './engine.ts';
import { applicationOf, findStep, newId, taskOf } from './engine.ts';
import { mayAct } from './actions.ts';

/**
 * The approver's and applicant's work around a case (issue 14.6), each change one transaction with its
 * event: 抄送给我 and 知悉, 常用意见, 批注, 批量审批, 催办, 委托 (out of office). Seed 000 §7 and seed 003 ask
 * the hall to carry approvers' work online with reminders and progress tracking.
 */

/** At most one 催办 per application per this many hours: a reminder, not a flood. */
export const URGE_EVERY_HOURS = 24;
/** Saved phrases per person, and their length. */
export const MAX_PHRASES = 50;
export const MAX_PHRASE_LENGTH = 200;
/** Tasks in one batch approval. */
export const MAX_BATCH = 50;

export interface CopyRecord {
  id: string;
  application: string;
  service: string;
  step: string;
  group: string;
  scope: string;
  at: string;
  acknowledgedAt?: string;
}

const notFound = (zh: string, en: string) => ({ ok: false as const, kind: 'not-found' as const, message: { zh, en } });

/** 抄送给我: copies to the groups@scopes a person holds, newest first, with whether they acknowledged each. */
export async function copiesOf(engine: Engine, person: string): Promise<CopyRecord[]> {
  const rows = await engine.store.query(
    'SELECT c.id, c.application_id, a.service, c.step, c.group_id, c.scope, c.at, k.at AS ack_at FROM membership m CROSS JOIN copy c JOIN application a ON a.id = c.application_id LEFT JOIN copy_ack k ON k.copy_id = c.id AND k.person_id = $1 WHERE m.person_id = $1 AND c.group_id = m.group_id AND c.scope = m.scope ORDER BY c.at DESC, c.id DESC',
    [person],
  );
  return rows.map((r) => ({
    id: String(r.id),
    application: String(r.application_id),
    service: String(r.service),
    step: String(r.step),
    group: String(r.group_id),
    scope: String(r.scope),
    at: String(r.at),
    ...(r.ack_at ? { acknowledgedAt: String(r.ack_at) } : {}),
  }));
}

/** 知悉: a recipient of a copy acknowledges it, once (again: the first acknowledgement is kept and returned). */
export async function acknowledge(engine: Engine, copy: string, person: string, now: Date): Promise<Outcome<{ copy: string; acknowledgedAt: string }>> {
  return engine.store.transaction(async (tx) => {
    const [row] = await tx.query('SELECT c.*, a.id AS app FROM copy c JOIN application a ON a.id = c.application_id JOIN membership m ON m.group_id = c.group_id AND m.scope = c.scope AND m.person_id = $2 WHERE c.id = $1', [copy, person]);
    if (!row) return notFound('没有这份抄送', 'no such copy');
    const [done] = await tx.query<{ at: string }>('SELECT at FROM copy_ack WHERE copy_id = $1 AND person_id = $2', [copy, person]);
    if (done) return { ok: true, copy, acknowledgedAt: done.at };
    const at = now.toISOString();
    await tx.run('INSERT INTO copy_ack (copy_id, person_id, at) VALUES ($1, $2, $3)', [copy, person, at]);
    const app = applicationOf((await tx.query('SELECT * FROM application WHERE id = $1', [row.application_id]))[0]);
    await engine.appendEvent(tx, app, { type: 'acknowledged', at, step: String(row.step), group: String(row.group_id), ...(row.scope ? { scope: String(row.scope) } : {}), person });
    return { ok: true, copy, acknowledgedAt: at };
  });
}

export interface PhraseRecord {
  id: string;
  text: string;
  createdAt: string;
}

/** 常用意见: a person's saved phrases, oldest first (the order they built up). */
export async function phrasesOf(engine: Engine, person: string): Promise<PhraseRecord[]> {
  const rows = await engine.store.query('SELECT id, text, created_at FROM phrase WHERE person_id = $1 ORDER BY created_at, id', [person]);
  return rows.map((r) => ({ id: String(r.id), text: String(r.text), createdAt: String(r.created_at) }));
}

export async function addPhrase(engine: Engine, person: string, text: string, now: Date): Promise<Outcome<{ phrase: PhraseRecord }>> {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, kind: 'invalid', message: { zh: '常用意见不能为空', en: 'a phrase cannot be empty' }, fieldErrors: [{ field: 'text', label: 'text', message: { zh: '不能为空', en: 'is empty' } }] };
  return engine.store.transaction(async (tx) => {
    const existing = await tx.query<{ id: string; text: string; created_at: string }>('SELECT id, text, created_at FROM phrase WHERE person_id = $1', [person]);
    const same = existing.find((p) => p.text === trimmed);
    if (same) return { ok: true, phrase: { id: same.id, text: same.text, createdAt: same.created_at } };
    if (existing.length >= MAX_PHRASES) return { ok: false, kind: 'refused', message: { zh: `常用意见最多 ${MAX_PHRASES} 条，请先删除不用的`, en: `at most ${MAX_PHRASES} phrases; delete some first` } };
    const phrase = { id: newId(now), text: trimmed, createdAt: now.toISOString() };
    await tx.run('INSERT INTO phrase (id, person_id, text, created_at) VALUES ($1, $2, $3, $4)', [phrase.id, person, phrase.text, phrase.createdAt]);
    return { ok: true, phrase };
  });
}

export async function deletePhrase(engine: Engine, person: string, id: string): Promise<Outcome<{ deleted: string }>> {
  const n = await engine.store.run('DELETE FROM phrase WHERE id = $1 AND person_id = $2', [id, person]);
  return n === 1 ? { ok: true, deleted: id } : notFound('没有这条常用意见', 'no such phrase');
}

export interface AnnotationRecord {
  id: string;
  step: string;
  field: string;
  text: string;
  person: string;
  at: string;
}

/** 批注: the person acting on an open task notes one form field, for the steps after theirs. */
export async function annotate(engine: Engine, input: { task: string; person: string; field: string; text: string }, now: Date): Promise<Outcome<{ annotation: AnnotationRecord }>> {
  return engine.store.transaction(async (tx) => {
    const [row] = await tx.query(`SELECT * FROM task WHERE id = $1 ${tx.lockRow}`, [input.task]);
    if (!row) return notFound('没有这个待办', 'no such task');
    const task = taskOf(row);
    const may = await mayAct(tx, task, input.person, engine.runtime.calendar.localDate(now.toISOString()));
    if (!may.ok) return may;
    if (task.status !== 'open') return { ok: false, kind: 'conflict', status: task.status, message: { zh: '这个待办已办理，不能再批注', en: 'this task is closed; it takes no more notes' } };
    const app = applicationOf((await tx.query('SELECT * FROM application WHERE id = $1', [task.application]))[0]);
    const fields = engine.runtime.version(app.service, app.version).form?.sections.flatMap((s) => s.fields) ?? [];
    if (!fields.some((f) => f.id === input.field)) {
      const message: Message = { zh: `表单中没有字段“${input.field}”`, en: `the form has no field "${input.field}"` };
      return { ok: false, kind: 'invalid', message, fieldErrors: [{ field: 'field', label: 'field', message }] };
    }
    const annotation = { id: newId(now), step: task.step, field: input.field, text: input.text, person: input.person, at: now.toISOString() };
    await tx.run('INSERT INTO annotation (id, application_id, task_id, step, field, text, person_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [annotation.id, app.id, task.id, annotation.step, annotation.field, annotation.text, annotation.person, annotation.at]);
    return { ok: true, annotation };
  });
}

export async function annotationsOf(engine: Engine, application: string): Promise<AnnotationRecord[]> {
  const rows = await engine.store.query('SELECT id, step, field, text, person_id, at FROM annotation WHERE application_id = $1 ORDER BY at, id', [application]);
  return rows.map((r) => ({ id: String(r.id), step: String(r.step), field: String(r.field), text: String(r.text), person: String(r.person_id), at: String(r.at) }));
}

/**
 * 批量审批: approve several tasks with one request, where each task's step allows it (`batch: true`). Each
 * task is its own transaction (engine.act) and its own result: one refused task never undoes the others.
 */
export async function batchApprove(engine: Engine, input: { tasks: string[]; person: string; comment?: string }): Promise<{ task: string; ok: boolean; status?: string; error?: string; message?: Message }[]> {
  const results = [];
  for (const id of [...new Set(input.tasks)]) {
    const [row] = await engine.store.query('SELECT t.step, a.service, a.version FROM task t JOIN application a ON a.id = t.application_id WHERE t.id = $1', [id]);
    const step = row ? findStep(engine.runtime.version(String(row.service), Number(row.version)).workflow?.steps ?? [], String(row.step)) : undefined;
    if (row && step && !step.batch) {
      results.push({ task: id, ok: false, error: 'refused', message: { zh: `环节“${step.name.zh}”不允许批量审批，请逐件办理`, en: `step "${step.id}" does not allow batch approval; decide it on its own` } });
      continue;
    }
    const outcome = await engine.act({ task: id, person: input.person, action: 'approve', ...(input.comment ? { comment: input.comment } : {}) });
    results.push(outcome.ok ? { task: id, ok: true, status: outcome.application.status } : { task: id, ok: false, error: outcome.kind, message: outcome.message });
  }
  return results;
}


/**
 * 催办: the applicant reminds whoever holds the application's open tasks: once per URGE_EVERY_HOURS per
 * application (a refusal says when the next is possible), an `urged` event (counted in `hall report`) and
 * a message to each holder.
 */
export async function urge(engine: Engine, input: { application: string; applicant: string }, now: Date): Promise<Outcome<{ urged: number; count: number }> | { ok: false; kind: 'too-many'; retryAfter: number; message: Message }> {
  return engine.store.transaction(async (tx) => {
    const [row] = await tx.query(`SELECT * FROM application WHERE id = $1 ${tx.lockRow}`, [input.application]);
    const app: ApplicationRecord | undefined = row ? applicationOf(row) : undefined;
    if (!app || app.applicantId !== input.applicant) return notFound('没有这个申请', 'no such application');
    const open = (await tx.query("SELECT * FROM task WHERE application_id = $1 AND status = 'open' ORDER BY step", [app.id])).map(taskOf);
    if (app.status !== 'pending' || !open.length) return { ok: false, kind: 'conflict', status: app.status, message: { zh: '这个申请没有等待审批人办理的环节，无需催办', en: 'no step of this application waits for an approver' } };
    const [last] = await tx.query<{ last_at: string; count: number | string }>('SELECT last_at, count FROM urge WHERE application_id = $1', [app.id]);
    const next = last ? Date.parse(last.last_at) + URGE_EVERY_HOURS * 3600_000 : 0;
    if (next > now.getTime()) {
      const retryAfter = Math.ceil((next - now.getTime()) / 1000);
      return { ok: false, kind: 'too-many', retryAfter, message: { zh: `每个申请每 ${URGE_EVERY_HOURS} 小时只能催办一次，请在 ${Math.ceil(retryAfter / 3600)} 小时后再试`, en: `one reminder per application every ${URGE_EVERY_HOURS} hours; try again in ${Math.ceil(retryAfter / 3600)} h` } };
    }
    const at = now.toISOString();
    const count = Number(last?.count ?? 0) + 1;
    if (last) await tx.run('UPDATE urge SET last_at = $1, count = $2 WHERE application_id = $3', [at, count, app.id]);
    else await tx.run('INSERT INTO urge (application_id, last_at, count) VALUES ($1, $2, $3)', [app.id, at, count]);
    const service = engine.runtime.manifest.services.find((s) => s.id === app.service)?.name.zh ?? app.service;
    for (const task of open) {
      const to = task.person ? `person:${task.person}` : task.scope ? `${task.group}@${task.scope}` : task.group;
      await engine.appendEvent(tx, app, { type: 'urged', at, step: task.step, group: task.group, ...(task.scope ? { scope: task.scope } : {}) });
      await engine.enqueue(tx, app.id, 'urged', to, `【催办】申请人催办“${service}”的待办（期限 ${engine.dueText(task)}），请尽快办理。`, at);
    }
    return { ok: true, urged: open.length, count };
  });
}

export interface StandInRecord {
  id: string;
  person: string;
  standIn: string;
  starts: string;
  ends: string;
  createdAt: string;
  cancelledAt?: string;
}

/**
 * 委托: a person away hands all their tasks to a colleague for a period (local dates, inclusive). The
 * colleague sees them in their to-do list and acts as themself; each task they act on records whom they
 * stood in for (task.onBehalfOf).
 */
export async function addStandIn(engine: Engine, input: { person: string; standIn: string; starts: string; ends: string }, now: Date): Promise<Outcome<{ standIn: StandInRecord }>> {
  const invalidField = (field: string, message: Message) => ({ ok: false as const, kind: 'invalid' as const, message, fieldErrors: [{ field, label: field, message }] });
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (!date.test(input.starts) || Number.isNaN(Date.parse(input.starts))) return invalidField('starts', { zh: '开始日期应为 YYYY-MM-DD', en: 'starts must be YYYY-MM-DD' });
  if (!date.test(input.ends) || Number.isNaN(Date.parse(input.ends))) return invalidField('ends', { zh: '结束日期应为 YYYY-MM-DD', en: 'ends must be YYYY-MM-DD' });
  if (input.ends < input.starts) return invalidField('ends', { zh: '结束日期不能早于开始日期', en: 'ends is before starts' });
  if (input.ends < engine.runtime.calendar.localDate(now.toISOString())) return invalidField('ends', { zh: '结束日期已经过去', en: 'ends is in the past' });
  if (input.standIn === input.person) return invalidField('standIn', { zh: '不能委托给自己', en: 'you cannot stand in for yourself' });
  if (!(await engine.store.query('SELECT 1 AS yes FROM person WHERE id = $1', [input.standIn])).length) return invalidField('standIn', { zh: `人员目录中没有“${input.standIn}”`, en: `no person "${input.standIn}" in the directory` });
  const record: StandInRecord = { id: newId(now), person: input.person, standIn: input.standIn, starts: input.starts, ends: input.ends, createdAt: now.toISOString() };
  await engine.store.run('INSERT INTO stand_in (id, person_id, stand_in_id, starts, ends, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [record.id, record.person, record.standIn, record.starts, record.ends, record.createdAt]);
  return { ok: true, standIn: record };
}

/** A person's stand-ins: those they set (`person`) and those they serve (`standIn`), newest first. */
export async function standInsOf(engine: Engine, person: string): Promise<StandInRecord[]> {
  const rows = await engine.store.query('SELECT * FROM stand_in WHERE person_id = $1 OR stand_in_id = $1 ORDER BY created_at DESC, id DESC', [person]);
  return rows.map((r) => ({ id: String(r.id), person: String(r.person_id), standIn: String(r.stand_in_id), starts: String(r.starts), ends: String(r.ends), createdAt: String(r.created_at), ...(r.cancelled_at ? { cancelledAt: String(r.cancelled_at) } : {}) }));
}

export async function cancelStandIn(engine: Engine, person: string, id: string, now: Date): Promise<Outcome<{ cancelled: string }>> {
  const n = await engine.store.run('UPDATE stand_in SET cancelled_at = $1 WHERE id = $2 AND person_id = $3 AND cancelled_at IS NULL', [now.toISOString(), id, person]);
  return n === 1 ? { ok: true, cancelled: id } : notFound('没有这项委托', 'no such stand-in');
}

export type { TaskRecord };
