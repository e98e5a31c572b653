import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { LoadedRuntime, RuntimeDefinition } from '../../lib/runtime/index.ts';
import { Engine } from '../../server/engine/engine.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

const applicant = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } };
const data = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '事假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '参加亲属婚礼一天' };
/** Beijing time, as the hall's calendar reads it. */
const beijing = (local: string) => new Date(`${local}+08:00`);

describe.each(STORE_KINDS)('timers on %s', (kind) => {
  it('reminds on the due day from 09:00 and marks overdue after it, once across processes and replays', async () => {
    const location = await stores.location(kind);
    const store = await stores.open(location);
    await migrate(store);
    await store.run("INSERT INTO membership (person_id, group_id, scope) VALUES ('t-wang', 'counselor', 'wxy-2203')");
    let now = beijing('2026-03-02T09:10:00');
    const engine = new Engine({ store, runtime, now: () => now });
    const other = new Engine({ store: kind === 'postgres' ? await stores.open(location) : store, runtime, now: () => now });
    const submitted = await engine.submit({ service: 'student-leave', applicant, data });
    if (!submitted.ok) throw new Error('submit failed');
    const [task] = await engine.todo('t-wang');
    expect(task.due).toBe('2026-03-03');

    expect(await engine.sweep(beijing('2026-03-02T18:00:00'))).toEqual({ overdue: 0, reminded: 0 });
    expect(await engine.sweep(beijing('2026-03-03T08:59:00'))).toEqual({ overdue: 0, reminded: 0 });
    const reminded = await Promise.all([engine.sweep(beijing('2026-03-03T09:30:00')), other.sweep(beijing('2026-03-03T09:30:00'))]);
    expect(reminded.reduce((n, r) => n + r.reminded, 0)).toBe(1);
    const [reminder] = await store.query<{ recipient: string; body: string }>("SELECT recipient, body FROM outbox WHERE event = 'reminder'");
    expect(reminder).toEqual({ recipient: 'counselor@wxy-2203', body: '【催办】“学生请假审批”的“辅导员审核”今天（2026-03-03）到期，请及时办理。' });

    const marked = await Promise.all([engine.sweep(beijing('2026-03-04T00:05:00')), other.sweep(beijing('2026-03-04T00:05:00'))]);
    expect(marked.reduce((n, r) => n + r.overdue, 0)).toBe(1);
    expect(await engine.sweep(beijing('2026-03-05T10:00:00'))).toEqual({ overdue: 0, reminded: 0 });
    expect((await engine.events(submitted.application.id)).map((e) => e.type)).toEqual(['submitted', 'assigned', 'overdue']);

    // The late approval replays the interpreter, which also sees the step overdue: announced once only.
    now = beijing('2026-03-05T10:00:00');
    expect((await engine.act({ task: task.id, person: 't-wang', action: 'approve' })).ok).toBe(true);
    const app = (await engine.application(submitted.application.id))!;
    const reference = runWorkflow(runtime.current('student-leave'), runtime.calendar, { applicant: applicant.attributes, data, decisions: app.decisions, submittedAt: app.submittedAt, service: { id: 'student-leave', name: '学生请假' } });
    expect((await engine.events(app.id)).map((e) => e.type)).toEqual(reference.timeline.map((t) => t.type));
    expect((await engine.events(app.id)).filter((e) => e.type === 'overdue')).toHaveLength(1);
    const overdueNotes = await store.query("SELECT id FROM outbox WHERE event = 'overdue'");
    expect(overdueNotes).toHaveLength(reference.notifications.filter((n) => n.event === 'overdue').length);
  });
});

/** The example runtime with one step given another deadline and a `reminder` (no example service writes one above 0). */
function withReminder(base: LoadedRuntime, service: string, step: string, deadline: number, reminder: number): LoadedRuntime {
  const patch = (d: RuntimeDefinition): RuntimeDefinition =>
    d.id !== service || !d.workflow ? d : { ...d, workflow: { ...d.workflow, steps: d.workflow.steps.map((n) => (n.kind === 'step' && n.id === step ? { ...n, deadline, reminder } : n)) } };
  return { ...base, current: (id) => patch(base.current(id)), version: (id, v) => patch(base.version(id, v)) };
}

describe.each(STORE_KINDS)('a step\'s reminder on %s', (kind) => {
  it('reminds `reminder` work days before the due date from 09:00 — across a weekend — once, and the overdue mark still comes after the due day', async () => {
    const location = await stores.location(kind);
    const store = await stores.open(location);
    await migrate(store);
    await store.run("INSERT INTO membership (person_id, group_id, scope) VALUES ('t-wang', 'counselor', 'wxy-2203')");
    // Opened Thursday 2026-03-05 with 3 work days: due Tuesday 03-10; 2 work days before it is Friday 03-06 (the weekend is not counted).
    const engine = new Engine({ store, runtime: withReminder(runtime, 'student-leave', 'counselor-review', 3, 2), now: () => beijing('2026-03-05T10:00:00') });
    const submitted = await engine.submit({ service: 'student-leave', applicant, data });
    if (!submitted.ok) throw new Error('submit failed');
    const [task] = await engine.todo('t-wang');
    expect(task.due).toBe('2026-03-10');
    expect(await engine.sweep(beijing('2026-03-05T18:00:00'))).toEqual({ overdue: 0, reminded: 0 });
    expect(await engine.sweep(beijing('2026-03-06T08:59:00'))).toEqual({ overdue: 0, reminded: 0 });
    expect(await engine.sweep(beijing('2026-03-06T09:00:00'))).toEqual({ overdue: 0, reminded: 1 });
    // Not again on the due day, where a step without `reminder` is reminded.
    expect(await engine.sweep(beijing('2026-03-10T09:30:00'))).toEqual({ overdue: 0, reminded: 0 });
    const reminders = await store.query<{ recipient: string; body: string }>("SELECT recipient, body FROM outbox WHERE event = 'reminder'");
    expect(reminders).toEqual([{ recipient: 'counselor@wxy-2203', body: '【催办】“学生请假审批”的“辅导员审核”将于 2026-03-10 到期，请及时办理。' }]);
    expect(await engine.sweep(beijing('2026-03-10T23:00:00'))).toEqual({ overdue: 0, reminded: 0 });
    expect(await engine.sweep(beijing('2026-03-11T00:01:00'))).toEqual({ overdue: 1, reminded: 0 });
  });

  it('reminds at once when the reminder reaches back before the task opened (as the BPMN timer "deadline minus reminder, never below zero")', async () => {
    const location = await stores.location(kind);
    const store = await stores.open(location);
    await migrate(store);
    await store.run("INSERT INTO membership (person_id, group_id, scope) VALUES ('t-wang', 'counselor', 'wxy-2203')");
    const engine = new Engine({ store, runtime: withReminder(runtime, 'student-leave', 'counselor-review', 1, 3), now: () => beijing('2026-03-05T20:00:00') });
    const submitted = await engine.submit({ service: 'student-leave', applicant, data });
    if (!submitted.ok) throw new Error('submit failed');
    expect(await engine.sweep(beijing('2026-03-05T19:59:00'))).toEqual({ overdue: 0, reminded: 0 });
    expect(await engine.sweep(beijing('2026-03-05T20:01:00'))).toEqual({ overdue: 0, reminded: 1 });
    expect(await engine.sweep(beijing('2026-03-06T09:30:00'))).toEqual({ overdue: 0, reminded: 0 });
  });
});

describe('timers under hall serve on PostgreSQL', () => {
  it('run through pg-boss: a sweep job marks an overdue task, and the server stops cleanly', async () => {
    const { execa } = await import('execa');
    const { PgBoss } = await import('pg-boss');
    const { HALL, NODE } = await import('../helpers/cli.ts');
    const location = await stores.location('postgres');
    const store = await stores.open(location);
    await migrate(store);
    const engine = new Engine({ store, runtime, now: () => beijing('2026-03-02T09:10:00') });
    // Someone holds the step: a task without a holder would (rightly) be an `unassigned` incident first.
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-wang', 'counselor', 'wxy-2203']);
    const submitted = await engine.submit({ service: 'student-leave', applicant, data });
    if (!submitted.ok) throw new Error('submit failed');
    const child = execa(NODE, [HALL, 'serve', path.join(ROOT, 'catalog'), '--port', '0', '--store', location], { reject: false, all: true });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.all!.on('data', (c: Buffer) => {
          out += c.toString();
          if (/http:\/\/127\.0\.0\.1:\d+/.test(out)) resolve();
        });
        void child.then(() => reject(new Error(out)));
      });
      const boss = new PgBoss({ connectionString: location, schema: 'pgboss' });
      await boss.start();
      expect((await boss.getSchedules('hall-sweep')).map((s) => s.cron)).toEqual(['* * * * *']);
      await boss.send('hall-sweep');
      await boss.stop({ graceful: false });
      let marked: { overdue_at: string | null }[] = [];
      for (let i = 0; i < 60 && !marked[0]?.overdue_at; i++) {
        await new Promise((r) => setTimeout(r, 500));
        marked = await store.query<{ overdue_at: string | null }>('SELECT overdue_at FROM task WHERE application_id = $1', [submitted.application.id]);
      }
      expect(marked[0].overdue_at).not.toBeNull();
      expect((await engine.events(submitted.application.id)).map((e) => e.type)).toEqual(['submitted', 'assigned', 'overdue']);
    } finally {
      child.kill('SIGTERM');
    }
    expect((await child).exitCode).toBe(0);
  });
});
