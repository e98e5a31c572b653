import { describe, expect, it } from 'vitest';
import { LEAVE, call, inProcessHall, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * 预填后不可修改 (`readonly` on a prefilled field) holds on the server: the browser's readonly attribute
 * stops nobody who posts the form or calls the API. 学生请假's 姓名 and 学号 are prefilled from the directory
 * and readonly; a submission, a resubmission or an office's 代理申请 carrying other values is refused at the
 * field, and nothing is stored.
 */
const stores = storeFactory();

describe.each(STORE_KINDS)('readonly prefilled fields on the server (%s)', (kind) => {
  it('refuses another name or number on submit, resubmit and 代理申请; accepts the directory\'s own', async () => {
    const { url, store } = await inProcessHall(stores, kind);
    const li = await signIn(url, '2022020315');
    const before = Number((await store.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM application'))[0].n);

    const forged = await call(url, 'POST', '/api/applications', { ...li, body: { service: 'student-leave', data: { ...LEAVE, studentNumber: '2023010101' } } });
    expect(forged.status).toBe(422);
    expect(forged.body.fieldErrors).toEqual([expect.objectContaining({ field: 'studentNumber', message: expect.objectContaining({ zh: expect.stringContaining('不能修改') }) })]);
    expect(Number((await store.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM application'))[0].n)).toBe(before);

    const own = await call(url, 'POST', '/api/applications', { ...li, body: { service: 'student-leave', data: LEAVE } });
    expect(own.status).toBe(201);
    const id = own.body.application.id as string;

    const counselor = await signIn(url, 't-wang');
    const task = ((await call(url, 'GET', '/api/tasks', counselor)).body.tasks as { id: string; application: string }[]).find((x) => x.application === id)!;
    expect((await call(url, 'POST', `/api/tasks/${task.id}/decision`, { ...counselor, body: { action: 'return', comment: '请补诊断证明' } })).status).toBe(200);
    const renamed = await call(url, 'POST', `/api/applications/${id}/resubmit`, { ...li, body: { changes: { studentName: '张晓明' } } });
    expect(renamed.status).toBe(422);
    expect(renamed.body.fieldErrors.map((e: { field: string }) => e.field)).toEqual(['studentName']);
    expect((await call(url, 'GET', `/api/applications/${id}`, li)).body.application.status).toBe('returned');
    expect((await call(url, 'POST', `/api/applications/${id}/resubmit`, { ...li, body: { changes: { reason: '急性肠胃炎住院治疗，已补诊断证明' } } })).status).toBe(200);

    // 学生工作处 applies for her: the form is prefilled from her directory entry, and stays so.
    const office = await signIn(url, 't-zhao');
    const proxied = await call(url, 'POST', '/api/proxy/applications', { ...office, body: { service: 'student-leave', person: '2022020315', data: { ...LEAVE, studentName: '赵老师' } } });
    expect(proxied.status).toBe(422);
    expect(proxied.body.fieldErrors.map((e: { field: string }) => e.field)).toEqual(['studentName']);
    expect((await call(url, 'POST', '/api/proxy/applications', { ...office, body: { service: 'student-leave', person: '2022020315', data: LEAVE } })).status).toBe(201);
  });
});
