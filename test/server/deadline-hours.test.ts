import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { Engine } from '../../server/engine/engine.ts';
import { buildApp } from '../../server/http/app.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { flowHall } from './flow-hall.ts';
import { exampleDirectory } from './processes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * Issue 15.7 on `hall serve`: a deadline in hours. 后勤报修 (logistics-repair) dispatches an urgent fault within
 * 1 hour and surveys it within 2; on both stores the task carries its due time, the sweep reminds its holders
 * half way through (at any hour) and marks it overdue once the time has passed, once however many processes
 * sweep, and the late decision's replay agrees with the interpreter. Work-day tasks keep the due-day rules.
 */
const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

const applicant = { id: '2023020418', attributes: { name: '吴子轩', number: '2023020418', type: '本科生', college: 'jsj', class: 'jsj-2302', phone: '13800500003' } };
const repair = (urgent: boolean) => ({ applicantName: '吴子轩', phone: '13800500003', campus: '南校区', building: '学生公寓3栋', room: '512室', category: '水电', description: '卫生间洗手台下水管漏水，地面积水', urgent });
const minutes = (instant: string, n: number) => new Date(Date.parse(instant) + n * 60_000);

describe.each(STORE_KINDS)('hours deadlines on %s', (kind) => {
  it('an urgent repair is due an hour after dispatch opens: reminded at half time, overdue after it, each once', async () => {
    const { engine, store } = await flowHall(stores, kind, runtime, [['t-hqc', 'office-staff', 'hqc']]);
    const other = new Engine({ store, runtime, now: () => new Date() });
    const submitted = await engine.submit({ service: 'logistics-repair', applicant, data: repair(true) });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    const [task] = await engine.todo('t-hqc');
    expect(task.step).toBe('dispatch');
    // One clock hour after the task opened, kept in UTC; `due` is its date in Beijing.
    expect(Date.parse(task.dueAt!) - Date.parse(task.openedAt)).toBe(3_600_000);
    expect(task.dueAt).toBe(new Date(task.dueAt!).toISOString());
    expect(task.due).toBe(runtime.calendar.localDate(task.dueAt!));
    const [assigned] = (await engine.events(submitted.application.id)).filter((e) => e.type === 'assigned');
    expect(assigned.dueAt).toBe(runtime.calendar.addHours(task.dueAt!, 0));

    expect(await engine.sweep(minutes(task.openedAt, 29))).toEqual({ overdue: 0, reminded: 0 });
    const reminded = await Promise.all([engine.sweep(minutes(task.openedAt, 31)), other.sweep(minutes(task.openedAt, 31))]);
    expect(reminded.reduce((n, r) => n + r.reminded, 0)).toBe(1);
    const local = runtime.calendar.addHours(task.dueAt!, 0);
    const [reminder] = await store.query<{ recipient: string; body: string }>("SELECT recipient, body FROM outbox WHERE event = 'reminder'");
    expect(reminder).toEqual({ recipient: 'office-staff@hqc', body: `【催办】“后勤报修流程”的“后勤服务中心受理派单”将于 ${local.slice(0, 10)} ${local.slice(11, 16)} 到期，请及时办理。` });

    expect(await engine.sweep(minutes(task.openedAt, 60))).toEqual({ overdue: 0, reminded: 0 });
    const marked = await Promise.all([engine.sweep(minutes(task.openedAt, 61)), other.sweep(minutes(task.openedAt, 61))]);
    expect(marked.reduce((n, r) => n + r.overdue, 0)).toBe(1);
    expect(await engine.sweep(minutes(task.openedAt, 600))).toEqual({ overdue: 0, reminded: 0 });
    const overdue = (await engine.events(submitted.application.id)).filter((e) => e.type === 'overdue');
    expect(overdue).toEqual([expect.objectContaining({ step: 'dispatch', at: local, due: task.due, dueAt: local })]);

    // The late dispatch replays the interpreter, which also sees the step overdue: announced once only.
    expect((await engine.act({ task: task.id, person: 't-hqc', action: 'approve' })).ok).toBe(true);
    const app = (await engine.application(submitted.application.id))!;
    const reference = runWorkflow(runtime.version('logistics-repair', app.version), runtime.calendar, { applicant: applicant.attributes, data: repair(true), decisions: app.decisions, submittedAt: app.submittedAt, service: { id: 'logistics-repair', name: '后勤报修' } });
    expect((await engine.events(app.id)).map((e) => e.type)).toEqual(reference.timeline.map((t) => t.type));
    expect((await engine.events(app.id)).filter((e) => e.type === 'overdue')).toHaveLength(1);
    // The survey that follows is due two hours after it opens.
    const [survey] = await engine.todo('t-hqc');
    expect([survey.step, Date.parse(survey.dueAt!) - Date.parse(survey.openedAt)]).toEqual(['survey', 7_200_000]);
    // A sweep that first runs after the survey's due time marks it overdue and sends no "due soon" reminder.
    expect(await engine.sweep(minutes(survey.openedAt, 150))).toEqual({ overdue: 1, reminded: 0 });
    await store.close();
  });

  it('a normal repair keeps the work-day rules: no due time, nothing fires within the day, reminded on its due day from 09:00', async () => {
    const { engine, store } = await flowHall(stores, kind, runtime, [['t-hqc', 'office-staff', 'hqc']]);
    const submitted = await engine.submit({ service: 'logistics-repair', applicant, data: repair(false) });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    const [task] = await engine.todo('t-hqc');
    expect(task.dueAt).toBeUndefined();
    expect(task.due).toBe('2026-03-03');
    expect(await engine.sweep(minutes(task.openedAt, 61))).toEqual({ overdue: 0, reminded: 0 });
    expect(await engine.sweep(new Date('2026-03-03T09:30:00+08:00'))).toEqual({ overdue: 0, reminded: 1 });
    expect(await engine.sweep(new Date('2026-03-04T00:05:00+08:00'))).toEqual({ overdue: 1, reminded: 0 });
    const [row] = await store.query<{ due_at: string | null; remind_at: string | null }>('SELECT due_at, remind_at FROM task WHERE id = $1', [task.id]);
    expect(row).toEqual({ due_at: null, remind_at: null });
    await store.close();
  });

  it('lists an hours task before a work-day task due the same day, which runs to the day\'s end', async () => {
    const { engine, store } = await flowHall(stores, kind, runtime, [['t-hqc', 'office-staff', 'hqc']]);
    const normal = await engine.submit({ service: 'logistics-repair', applicant, data: repair(false) });
    const urgent = await engine.submit({ service: 'logistics-repair', applicant, data: repair(true) });
    if (!normal.ok || !urgent.ok) throw new Error('submit failed');
    // The normal repair made due today, as a 0-work-day step would be: opened first, yet listed after the urgent one.
    await store.run('UPDATE task SET due = $1 WHERE application_id = $2', ['2026-03-02', normal.application.id]);
    expect((await engine.todo('t-hqc')).map((t) => t.application)).toEqual([urgent.application.id, normal.application.id]);
    await store.close();
  });
});

describe('the pages show an hours deadline with its time', () => {
  it('on the to-do list, the task page and the applicant\'s timeline; marked overdue once the time has passed', async () => {
    const store = await stores.open(await stores.location('sqlite'));
    await migrate(store);
    await importDirectory(store, await exampleDirectory());
    const engine = new Engine({ store, runtime });
    const app = await buildApp({ engine, dev: true, pages: true, secureCookies: false, rateLimits: { login: { max: 0, seconds: 1 }, submission: { max: 0, seconds: 1 } } });
    const student = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生', phone: '13800000002' } };
    const network = { applicantName: '李雨桐', phone: '13800000002', category: '校园网或无线网络', campus: '南校区', location: '学生公寓3栋', description: '整栋楼无线网络都连不上' };
    const done = await engine.submit({ service: 'it-repair', applicant: student, data: network });
    if (!done.ok) throw new Error(JSON.stringify(done));
    const [task] = await engine.tasksOf(done.application.id);
    const local = runtime.calendar.addHours(task.dueAt!, 0);
    const shown = `${local.slice(0, 10)} ${local.slice(11, 16)}`;
    expect(Date.parse(task.dueAt!) - Date.parse(task.openedAt)).toBe(4 * 3_600_000);

    const signIn = async (person: string) => {
      const login = await app.inject({ method: 'POST', url: '/dev/personas', payload: `person=${person}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      return login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    };
    const staff = await signIn('t-it');
    const todo = await app.inject({ url: '/tasks', headers: { cookie: staff } });
    expect(todo.body).toContain(`期限 <span class="">${shown}</span>`);
    const page = await app.inject({ url: `/tasks/${task.id}`, headers: { cookie: staff } });
    expect(page.body).toContain(`<dd class="">${shown}</dd>`);
    const mine = await app.inject({ url: `/applications/${done.application.id}`, headers: { cookie: await signIn('2022020315') } });
    expect(mine.body).toContain(`期限 ${shown}`);

    // Four hours on, though still the same day: overdue on every page.
    await store.run('UPDATE task SET due_at = $1 WHERE id = $2', [new Date(Date.now() - 60_000).toISOString(), task.id]);
    const late = await app.inject({ url: '/tasks', headers: { cookie: staff } });
    expect(late.body).toMatch(/期限 <span class="status overdue">\d{4}-\d{2}-\d{2} \d{2}:\d{2}（已超期）<\/span>/);
    expect((await app.inject({ url: `/tasks/${task.id}`, headers: { cookie: staff } })).body).toContain('（已超期）');
    await app.close();
    await store.close();
  }, 60_000);
});
