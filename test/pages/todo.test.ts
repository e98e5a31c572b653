import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { Engine } from '../../server/engine/engine.ts';
import { buildApp } from '../../server/http/app.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { exampleDirectory } from '../server/processes.ts';
import { STORE_KINDS, storeFactory } from '../server/stores.ts';

const stores = storeFactory();
const leave = (reason: string) => ({ studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason });
const applicant = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } };

/** 待办 on both stores: soonest due first, an overdue task marked as such; 已办 lists what the person decided. */
describe.each(STORE_KINDS)('the to-do page on %s', (kind) => {
  it('sorts by due date, marks the overdue, and lists what was done', async () => {
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    await importDirectory(store, await exampleDirectory());
    const engine = new Engine({ store, runtime: await loadRuntime(`${ROOT}/generated`) });
    const app = await buildApp({ engine, dev: true, pages: true, secureCookies: false, rateLimits: { login: { max: 0, seconds: 1 }, submission: { max: 0, seconds: 1 } } });
    const ids: string[] = [];
    for (const reason of ['第一份请假申请事由', '第二份请假申请事由', '第三份请假申请事由']) {
      const done = await engine.submit({ service: 'student-leave', applicant, data: leave(reason) });
      if (!done.ok) throw new Error(JSON.stringify(done));
      ids.push(done.application.id);
    }
    // The second is long overdue, the first due later than the third.
    await store.run('UPDATE task SET due = $1 WHERE application_id = $2', ['2099-01-02', ids[0]]);
    await store.run('UPDATE task SET due = $1 WHERE application_id = $2', ['2020-01-01', ids[1]]);
    await store.run('UPDATE task SET due = $1 WHERE application_id = $2', ['2099-01-01', ids[2]]);
    const login = await app.inject({ method: 'POST', url: '/dev/personas', payload: 'person=t-wang', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(login.statusCode).toBe(303);
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const todo = await app.inject({ url: '/tasks', headers: { cookie } });
    expect(todo.statusCode).toBe(200);
    const dues = [...todo.body.matchAll(/期限 <span class="([^"]*)">(\d{4}-\d{2}-\d{2})/g)].map((m) => `${m[2]}${m[1] ? ' overdue' : ''}`);
    expect(dues).toEqual(['2020-01-01 overdue', '2099-01-01', '2099-01-02']);
    expect(todo.body).toContain('2020-01-01（已超期）');

    const taskId = /href="\/tasks\/([^"]+)"/.exec(todo.body)![1];
    const page = await app.inject({ url: `/tasks/${taskId}`, headers: { cookie } });
    expect(page.body).toContain('（已超期）');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const acted = await app.inject({ method: 'POST', url: `/tasks/${taskId}`, payload: new URLSearchParams({ _csrf: csrf, action: 'approve' }).toString(), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(acted.statusCode).toBe(303);
    const done = await app.inject({ url: '/tasks?view=done', headers: { cookie } });
    expect(done.body).toContain(`/applications/${ids[1]}`);
    expect(done.body).toContain('同意');
    expect(done.body).not.toContain(`/applications/${ids[0]}`);
    await app.close();
    await store.close();
  }, 60_000);
});
