import { describe, expect, it } from 'vitest';
import { call, inProcessHall, signIn } from './routes.ts';
import { submitStall } from './stall.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * The computed fee in `hall serve`'s answers (issue 15.9a): the example catalog's 临时商业活动 charges per
 * stall and day; the application's JSON says what it owes, as `hall test` computes it (its scenario expects
 * 2200 元). A service that computes no fee answers as before, without a `fee` key.
 */
const stores = storeFactory();



describe.each(STORE_KINDS)('the computed fee in the application answer on %s', (kind) => {
  it('GET /api/applications/:id carries the fee of a service that computes one, and none otherwise', async () => {
    const { store, engine, url } = await inProcessHall(stores, kind);
    const submitted = await submitStall(store, engine, '0');
    const it = await signIn(url, 't-it');
    const answer = await call(url, 'GET', `/api/applications/${submitted.application.id}`, { cookie: it.cookie });
    expect(answer.status).toBe(200);
    // 场地使用费 2 摊位 × 5 天 × 200 元 + 临时用电费 2 × 5 × 20 元.
    expect(answer.body.fee).toEqual({ items: [{ name: '场地使用费', quantity: 10, fen: 200000 }, { name: '临时用电费', quantity: 10, fen: 20000 }], totalFen: 220000, total: '2200' });

    const leave = await engine.submit({ service: 'student-leave', applicant: { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } }, data: { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' } });
    if (!leave.ok) throw new Error(JSON.stringify(leave));
    const li = await signIn(url, '2022020315');
    const plain = await call(url, 'GET', `/api/applications/${leave.application.id}`, { cookie: li.cookie });
    expect(plain.status).toBe(200);
    expect('fee' in plain.body).toBe(false);
  });

  it('the application page says what is owed, item by item, and a free service says nothing of fees', async () => {
    const { store, engine, url } = await inProcessHall(stores, kind, { pages: true });
    const submitted = await submitStall(store, engine, '1');
    const it = await signIn(url, 't-it');
    const page = await fetch(`${url}/applications/${submitted.application.id}`, { headers: { cookie: it.cookie } });
    expect(page.status).toBe(200);
    const text = (await page.text()).replace(/<[^>]+>/g, '');
    expect(text).toContain('应缴费用场地使用费 × 10：2000 元；临时用电费 × 10：200 元；合计 2200 元');
    const english = (await (await fetch(`${url}/applications/${submitted.application.id}`, { headers: { cookie: `${it.cookie}; hall_lang=en` } })).text()).replace(/<[^>]+>/g, '');
    expect(english).toContain('Fee场地使用费 × 10: ¥2000; 临时用电费 × 10: ¥200; total ¥2200');

    const leave = await engine.submit({ service: 'student-leave', applicant: { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } }, data: { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' } });
    if (!leave.ok) throw new Error(JSON.stringify(leave));
    const li = await signIn(url, '2022020315');
    expect(await (await fetch(`${url}/applications/${leave.application.id}`, { headers: { cookie: li.cookie } })).text()).not.toContain('应缴费用');
  });
});
