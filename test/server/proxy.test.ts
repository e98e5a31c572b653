import { describe, expect, it } from 'vitest';
import { privacyHall } from './privacy-hall.ts';
import { LEAVE, call, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import type { StoreKind } from './stores.ts';

/**
 * 代理申请 (issue 14.6): 学生工作处's case officer (t-zhao, office-staff@xgc, named by 学生请假's proxy.by)
 * applies for a student; the student is the applicant of record, sees who applied for them and is
 * notified; the event log names the proxy; the counselor decides as usual; everyone else is refused.
 */

const stores = storeFactory();
const STUDENT = '2022020315';

/** A page form post: urlencoded fields with the session's CSRF token. */
async function post(url: string, path: string, who: { cookie: string; csrf: string }, fields: Record<string, string>) {
  const res = await fetch(`${url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: who.csrf, ...fields }) });
  return { status: res.status, location: res.headers.get('location') ?? '', text: await res.text() };
}

const LEAVE_FIELDS = { 'f.leaveType': LEAVE.leaveType, 'f.period.start': LEAVE.period.start, 'f.period.end': LEAVE.period.end, 'f.days': String(LEAVE.days), 'f.leaveCampus': 'false', 'f.reason': LEAVE.reason, 'f.phone': LEAVE.phone };

describe.each(STORE_KINDS)('代理申请 (%s)', (kind: StoreKind) => {
  it('over the API: the office applies for a student, recorded as such, the student notified and deciding as usual', async () => {
    const hall = await privacyHall(stores, kind);
    const [zhao, student, wang] = await Promise.all(['t-zhao', STUDENT, 't-wang'].map((p) => signIn(hall.url, p)));
    const created = await call(hall.url, 'POST', '/api/proxy/applications', { ...zhao, body: { service: 'student-leave', person: STUDENT, data: LEAVE } });
    expect(created.status, created.text).toBe(201);
    const app = created.body.application;
    expect(app.applicantId).toBe(STUDENT);
    expect(app.proxy).toBe('t-zhao');
    // The person's directory attributes are the applicant's (the counselor's step routes on their class).
    expect(app.applicant).toMatchObject({ name: '李雨桐', class: 'wxy-2203', college: 'wxy' });
    const events = await hall.engine.events(app.id);
    expect(events[0]).toMatchObject({ type: 'submitted', proxy: 't-zhao' });
    expect(events.filter((e) => e.proxy).length).toBe(1);
    const outbox = await hall.store.query<{ recipient: string; body: string }>("SELECT recipient, body FROM outbox WHERE application_id = $1 AND event = 'proxy'", [app.id]);
    expect(outbox).toHaveLength(1);
    expect(outbox[0].recipient).toBe(`applicant:${STUDENT}`);
    expect(outbox[0].body).toContain('代您提交');
    // The student's own list has it, naming the proxy; the office's list of cases submitted for others too.
    const mine = await call(hall.url, 'GET', '/api/applications', student);
    expect(mine.body.applications.map((a: { id: string; proxy?: string }) => [a.id, a.proxy])).toContainEqual([app.id, 't-zhao']);
    const theirs = await call(hall.url, 'GET', '/api/proxy/applications', zhao);
    expect(theirs.body.services).toEqual(['student-leave']);
    expect(theirs.body.applications.map((a: { id: string }) => a.id)).toEqual([app.id]);
    expect((await call(hall.url, 'GET', `/api/applications/${app.id}`, zhao)).status).toBe(200);
    // The counselor of the student's class decides it like any other.
    const task = (await call(hall.url, 'GET', '/api/tasks', wang)).body.tasks.find((x: { application: string }) => x.application === app.id);
    expect((await call(hall.url, 'POST', `/api/tasks/${task.id}/decision`, { ...wang, body: { action: 'approve' } })).status).toBe(200);
  });

  it('is refused to someone the service does not name (403), for an unknown person (404), in a service without proxy.by (403), and for oneself', async () => {
    const hall = await privacyHall(stores, kind);
    const [zhao, wang, student] = await Promise.all(['t-zhao', 't-wang', STUDENT].map((p) => signIn(hall.url, p)));
    const apply = (who: typeof zhao, service: string, person: string) => call(hall.url, 'POST', '/api/proxy/applications', { ...who, body: { service, person, data: LEAVE } });
    const notNamed = await apply(wang, 'student-leave', STUDENT);
    expect(notNamed.status).toBe(403);
    expect(notNamed.body.message.zh).toContain('只允许 office-staff@xgc 的人员代为申请');
    expect((await apply(student, 'student-leave', '2023010101')).status).toBe(403);
    const unknown = await apply(zhao, 'student-leave', 'nobody-0001');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message.zh).toContain('人员目录中没有学号/工号为“nobody-0001”的人员');
    const without = await apply(zhao, 'transcript', STUDENT);
    expect(without.status).toBe(403);
    expect(without.body.message.zh).toContain('不接受代理申请');
    expect((await apply(zhao, 'student-leave', 't-zhao')).status).toBe(409);
    expect((await apply(zhao, 'no-such-service', STUDENT)).status).toBe(404);
    const count = await hall.store.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM application');
    expect(Number(count[0].n)).toBe(0);
  });

  it('in the pages: form prefilled from the person, submitted with CSRF, 我的申请 and the 审批单 name the proxy; refusals explained', async () => {
    const hall = await privacyHall(stores, kind, { pages: true });
    const [zhao, wang, student] = await Promise.all(['t-zhao', 't-wang', STUDENT].map((p) => signIn(hall.url, p)));
    const get = async (path: string, who: { cookie: string }) => {
      const res = await fetch(`${hall.url}${path}`, { headers: { cookie: who.cookie }, redirect: 'manual' });
      return { status: res.status, text: await res.text() };
    };
    const list = await get('/proxy', zhao);
    expect(list.text).toContain('href="/proxy/student-leave"');
    const form = await get(`/proxy/student-leave?person=${STUDENT}`, zhao);
    expect(form.status).toBe(200);
    expect(form.text).toContain('您正在代 李雨桐（2022020315）申请');
    expect(form.text).toMatch(/name="f\.studentName"[^>]*value="李雨桐"|value="李雨桐"[^>]*name="f\.studentName"/);
    // Refused: not named by proxy.by (403, said in Chinese), an unknown person (404), no CSRF token (403).
    const refused = await get(`/proxy/student-leave?person=${STUDENT}`, wang);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('您不能代他人申请“学生请假审批”');
    const unknown = await get('/proxy/student-leave?person=nobody-0001', zhao);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('人员目录中没有学号/工号为“nobody-0001”的人员');
    expect((await post(hall.url, '/proxy/student-leave', { ...zhao, csrf: 'wrong' }, { person: STUDENT, ...LEAVE_FIELDS })).status).toBe(403);
    expect((await post(hall.url, '/proxy/student-leave', wang, { person: STUDENT, ...LEAVE_FIELDS })).status).toBe(403);

    const sent = await post(hall.url, '/proxy/student-leave', zhao, { person: STUDENT, 'f.studentName': '李雨桐', 'f.studentNumber': STUDENT, ...LEAVE_FIELDS });
    expect(sent.status, sent.text).toBe(303);
    const id = /\/applications\/([^?]+)/.exec(sent.location)![1];
    const mine = await get('/applications', student);
    expect(mine.text).toContain('由 赵老师（学生工作处） 代为申请');
    const own = await get(`/applications/${id}`, student);
    expect(own.text).toContain('由 赵老师（学生工作处） 代为申请');
    expect((await get('/proxy', zhao)).text).toContain(`/applications/${id}`);
    // The counselor's task names the proxy; approving finishes it; the trail and the 审批单 still say who applied.
    const task = (await call(hall.url, 'GET', '/api/tasks', wang)).body.tasks.find((x: { application: string }) => x.application === id);
    expect((await get(`/tasks/${task.id}`, wang)).text).toContain('由 赵老师（学生工作处） 代为申请');
    expect((await post(hall.url, `/tasks/${task.id}`, wang, { action: 'approve', comment: '' })).status).toBe(303);
    // Five days: the college's deputy secretary decides too.
    const chen = await signIn(hall.url, 't-chen');
    const second = (await call(hall.url, 'GET', '/api/tasks', chen)).body.tasks.find((x: { application: string }) => x.application === id);
    expect((await post(hall.url, `/tasks/${second.id}`, chen, { action: 'approve', comment: '' })).status).toBe(303);
    const trail = await get(`/applications/${id}`, student);
    expect(trail.text).toContain('提交申请（由 赵老师（学生工作处） 代为申请）');
    expect(trail.text).toContain('已办结');
    const record = await get(`/applications/${id}/record`, student);
    expect(record.text).toContain('由 赵老师（学生工作处）（t-zhao）代为申请');
  });
});
