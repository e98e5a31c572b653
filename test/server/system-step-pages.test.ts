import { describe, expect, it } from 'vitest';
import { SystemCaller } from '../../server/engine/system-calls.ts';
import { LEAVE, call, inProcessHall, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * A system step on the applicant's page (issue 15.3): while the campus system is being called the case says
 * 系统处理中, when the retries are used up 系统处理失败，信息化办正在处理, and once done the trail says the
 * system processed it — never that somebody 同意'd it. The in-process hall runs no caller of its own, so each
 * state holds until the test moves it; the call itself goes to the preview's stand-in over HTTP.
 */
const stores = storeFactory();

describe.each(STORE_KINDS)('a system step on the pages (%s)', (kind) => {
  it('shows 系统处理中, then 系统处理失败, then 系统已处理 and the student\'s 销假', async () => {
    const hall = await inProcessHall(stores, kind, { pages: true });
    const { url } = hall;
    const li = await signIn(url, '2022020315');
    // Two days off campus: the counselor alone approves, then the door sync is called.
    const submitted = await call(url, 'POST', '/api/applications', { ...li, body: { service: 'student-leave', data: { ...LEAVE, period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: true, destination: '湖北武汉' } } });
    expect(submitted.status).toBe(201);
    const id = submitted.body.application.id as string;
    const counselor = await signIn(url, 't-wang');
    const task = ((await call(url, 'GET', '/api/tasks', counselor)).body.tasks as { id: string; application: string }[]).find((x) => x.application === id)!;
    expect((await call(url, 'POST', `/api/tasks/${task.id}/decision`, { ...counselor, body: { action: 'approve' } })).status).toBe(200);

    const timeline = async () => {
      const res = await fetch(`${url}/applications/${id}`, { headers: { cookie: li.cookie } });
      expect(res.status).toBe(200);
      const text = await res.text();
      return text.slice(text.indexOf('<ol class="timeline">'), text.indexOf('</ol>', text.indexOf('<ol class="timeline">')));
    };
    const pending = await timeline();
    expect(pending).toContain('当前环节：同步门禁');
    expect(pending).toContain('系统处理中');
    expect(pending).not.toContain('销假');

    await hall.store.run("UPDATE system_call SET status = 'failed' WHERE application_id = $1", [id]);
    expect(await timeline()).toContain('系统处理失败，信息化办正在处理');

    await hall.store.run("UPDATE system_call SET status = 'pending', attempts = 0 WHERE application_id = $1", [id]);
    const caller = new SystemCaller(hall.engine, () => ({ url: `${url}/api/dev/connectors/door-access?path=` }), { now: () => new Date(Date.now() + 60_000) });
    expect(await caller.callDue()).toEqual({ done: 1, retrying: 0, failed: 0 });
    const done = await timeline();
    expect(done).toContain('“同步门禁”：<strong>系统已处理</strong>');
    expect(done).not.toMatch(/同步门禁”：<strong>同意/);
    expect(done).not.toContain('系统处理中');
    expect(done).toContain('当前环节：销假');
  });
});
