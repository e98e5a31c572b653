import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../server/engine/engine.ts';
import { SIGNATURE_HEADER, signBody } from '../../server/engine/payment.ts';
import { SystemCaller } from '../../server/engine/system-calls.ts';
import type { Store } from '../../server/store/store.ts';
import { call, inProcessHall, signIn } from './routes.ts';
import { submitStall } from './stall.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * Payment steps in `hall serve` (issue 15.9b), on both stores and over HTTP: the example catalog's 临时商业活动,
 * approved by the host unit's head and the countersign, orders its site fee (2 stalls × 5 days, with power:
 * 2200 元) on the campus payment platform — a loopback receiver here, taking the order as the platform would —
 * and waits for the platform's callback, signed with HMAC-SHA256 under the connector's secret. The callback
 * needs no session; a bad signature is 401, an unknown order 404, a wrong amount 422 (an incident for the
 * IT office), a replay of the same transaction is answered without recording twice. Unpaid at the end of
 * the third work day, the sweep ends the application once, as 未缴费; a payment reported after that is
 * refused as a refund case.
 */
const stores = storeFactory();
const SECRET = 'campus-pay-callback-secret-for-tests';
const PAY_URL = 'https://pay.example.edu.cn/cashier?order={orderId}';
const platform = (connector: string) => (connector === 'campus-pay' ? { secret: SECRET, payUrl: PAY_URL } : undefined);


/** The platform's stand-in: records each order it is sent. */
const orders: { key: string | undefined; body: { application: string; step: string; payload: Record<string, unknown> } }[] = [];
let platformUrl = '';
const receiver = createServer((request, response) => {
  let text = '';
  request.on('data', (chunk) => (text += chunk));
  request.on('end', () => {
    orders.push({ key: request.headers['idempotency-key'] as string | undefined, body: JSON.parse(text) });
    response.writeHead(201, { 'content-type': 'application/json' }).end('{"accepted":true}');
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  platformUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pay`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

/** 孙老师 (t-it) applies; the host unit's head, 资产管理处 and 保卫处 approve. */
async function approvedStall(store: Store, engine: Engine, fill: string): Promise<string> {
  for (const [person, group, scope] of [['p-head', 'department-head', 'xxzx'], ['p-zcc', 'office-staff', 'zcc'], ['p-bwc', 'office-staff', 'bwc']]) {
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [person, group, scope]);
  }
  // Not aimed at students: 学生工作处 stays out of the countersign.
  const submitted = await submitStall(store, engine, fill, { targetsStudents: false });
  const id = submitted.application.id;
  for (const person of ['p-head', 'p-zcc', 'p-bwc']) {
    for (const task of (await engine.todo(person)).filter((t) => t.application === id)) {
      const acted = await engine.act({ task: task.id, person, action: 'approve' });
      if (!acted.ok) throw new Error(JSON.stringify(acted));
    }
  }
  return id;
}

const signed = (body: unknown, secret = SECRET) => {
  const raw = JSON.stringify(body);
  return { raw, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(secret, raw) } };
};
const post = async (url: string, path: string, raw: string, headers: Record<string, string>) => {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: raw });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const CALLBACK = '/api/payments/campus-pay/callback';

describe.each(STORE_KINDS)('payment steps in hall serve on %s', (kind) => {
  it('orders the fee once approved, sends the order, and goes on at the signed callback; refusals and replays', async () => {
    const { store, engine, url } = await inProcessHall(stores, kind, { pages: true, paymentPlatform: platform });
    const id = await approvedStall(store, engine, '2');
    const orderId = `${id}.pay-site-fee`;
    expect((await engine.application(id))?.status).toBe('pending');
    const [payment] = await engine.paymentsOf(id);
    const until = engine.runtime.calendar.addWorkdays(engine.runtime.calendar.localDate(payment.openedAt), 3);
    expect(payment).toMatchObject({ orderId, step: 'pay-site-fee', connector: 'campus-pay', amountFen: 220_000, amount: '2200', until, status: 'open' });
    expect((await engine.events(id)).filter((e) => e.type === 'ordered').map((e) => [e.step, e.amountFen, e.order, e.until])).toEqual([['pay-site-fee', 220_000, orderId, until]]);

    // The order goes to the platform after the commit, once, with a stable Idempotency-Key.
    const caller = new SystemCaller(engine, (c) => (c === 'campus-pay' ? { url: platformUrl } : undefined));
    expect(await caller.callDue()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(await caller.callDue()).toEqual({ done: 0, retrying: 0, failed: 0 });
    const sent = orders.filter((o) => o.body.application === id);
    expect(sent).toHaveLength(1);
    expect(sent[0].key).toMatch(/^[0-9a-z]+$/);
    expect(sent[0].body.payload).toMatchObject({ orderId, amountFen: 220_000, until, subject: '临时商业活动摆摊设点申请：缴纳场地使用费' });
    expect(String(sent[0].body.payload.notifyUrl)).toMatch(/\/api\/payments\/campus-pay\/callback$/);
    expect((await engine.application(id))?.status).toBe('pending');

    // The applicant sees what to pay and 去缴费; the API says the same.
    const it_ = await signIn(url, 't-it');
    const pageText = (await call(url, 'GET', `/applications/${id}`, it_)).text;
    expect(pageText).toContain('去缴费');
    expect(pageText).toContain(`href="https://pay.example.edu.cn/cashier?order=${encodeURIComponent(orderId)}"`);
    expect(pageText.replace(/<[^>]+>/g, '')).toContain(`应缴金额：2200 元 · 请于 ${until} 前缴费`);
    const answer = await call(url, 'GET', `/api/applications/${id}/payment`, it_);
    expect(answer.body.payments).toEqual([{ step: 'pay-site-fee', orderId, amountFen: 220_000, amount: '2200', until, status: 'open', payUrl: `https://pay.example.edu.cn/cashier?order=${encodeURIComponent(orderId)}` }]);
    expect((await call(url, 'GET', `/api/applications/${id}/payment`, await signIn(url, '2022020315'))).status).toBe(404);

    // Refused: no signature, another secret's, a body changed after signing, an unknown connector or order, a wrong amount.
    const good = { orderId, amountFen: 220_000, transactionId: 'T20261204-0001', paidAt: new Date().toISOString() };
    expect((await post(url, CALLBACK, JSON.stringify(good), { 'content-type': 'application/json' })).status).toBe(401);
    const forged = signed(good, 'another-secret');
    expect((await post(url, CALLBACK, forged.raw, forged.headers)).status).toBe(401);
    const tampered = signed({ ...good, amountFen: 1 });
    expect((await post(url, CALLBACK, JSON.stringify(good).replace('220000', '1'), { ...tampered.headers, [SIGNATURE_HEADER]: signed(good).headers[SIGNATURE_HEADER] })).status).toBe(401);
    const other = signed(good);
    expect((await post(url, '/api/payments/door-access/callback', other.raw, other.headers)).status).toBe(404);
    const unknown = signed({ ...good, orderId: `${id}.no-such-step` });
    expect((await post(url, CALLBACK, unknown.raw, unknown.headers)).status).toBe(404);
    const malformed = signed({ orderId, amountFen: '2200' });
    expect((await post(url, CALLBACK, malformed.raw, malformed.headers)).status).toBe(400);
    const wrong = signed({ ...good, amountFen: 22_000 });
    const refused = await post(url, CALLBACK, wrong.raw, wrong.headers);
    expect([refused.status, refused.body.error]).toEqual([422, 'invalid']);
    // The platform retries what was refused: still one incident.
    expect((await post(url, CALLBACK, wrong.raw, wrong.headers)).status).toBe(422);
    expect((await engine.incidents()).filter((i) => i.application === id).map((i) => i.reason)).toEqual(['payment-mismatch']);
    expect((await engine.application(id))?.status).toBe('pending');

    // Confirmed once; a replay of the same transaction answers done and records nothing more; another transaction is a refund case.
    const paid = signed(good);
    expect(await post(url, CALLBACK, paid.raw, paid.headers)).toEqual({ status: 200, body: { ok: true, duplicate: false, orderId, status: 'paid' } });
    expect(await post(url, CALLBACK, paid.raw, paid.headers)).toEqual({ status: 200, body: { ok: true, duplicate: true, orderId, status: 'paid' } });
    const second = signed({ ...good, transactionId: 'T20261204-0002' });
    expect((await post(url, CALLBACK, second.raw, second.headers)).status).toBe(409);
    const after = await engine.application(id);
    expect(after?.status).toBe('approved');
    expect(after?.decisions.filter((d) => d.action === 'paid')).toHaveLength(1);
    const events = await engine.events(id);
    expect(events.filter((e) => e.type === 'paid').map((e) => [e.step, e.amountFen, e.order, e.transaction])).toEqual([['pay-site-fee', 220_000, orderId, 'T20261204-0001']]);
    expect(events.at(-1)).toMatchObject({ type: 'completed', outcome: 'approved' });
    expect((await engine.incidents()).filter((i) => i.application === id).map((i) => i.reason).sort()).toEqual(['payment-duplicate', 'payment-mismatch']);
    expect((await call(url, 'GET', `/applications/${id}`, it_)).text).not.toContain('去缴费');
  });

  it('times out once at the end of the third work day: 未缴费, on the page; a payment reported later is refused as a refund case', async () => {
    const { store, engine, url } = await inProcessHall(stores, kind, { pages: true, paymentPlatform: platform });
    const id = await approvedStall(store, engine, '3');
    const [payment] = await engine.paymentsOf(id);
    const endsAt = engine.runtime.calendar.endOfDay(payment.until);
    expect(await engine.sweep(new Date(Date.parse(endsAt) - 60_000))).not.toHaveProperty('unpaid');
    const late = new Date(Date.parse(endsAt) + 60_000);
    const [first, second] = await Promise.all([engine.sweep(late), engine.sweep(late)]);
    expect((first.unpaid ?? 0) + (second.unpaid ?? 0)).toBe(1);
    expect((await engine.events(id)).filter((e) => e.type === 'unpaid').map((e) => [e.step, e.at])).toEqual([['pay-site-fee', endsAt]]);
    const app = await engine.application(id);
    expect(app?.status).toBe('unpaid');
    expect(app?.decisions.at(-1)).toMatchObject({ step: 'pay-site-fee', action: 'timeout', at: endsAt });
    expect((await engine.events(id)).at(-1)).toMatchObject({ type: 'completed', outcome: 'unpaid' });
    const told = await store.query<{ body: string }>("SELECT body FROM outbox WHERE application_id = $1 AND event = 'unpaid'", [id]);
    expect(told.map((m) => m.body)).toEqual([`【缴费】您申请的“临时商业活动摆摊设点申请”未在 ${payment.until} 前完成“缴纳场地使用费”，视为未缴费。`]);
    const page = (await call(url, 'GET', `/applications/${id}`, await signIn(url, 't-it'))).text.replace(/<[^>]+>/g, '');
    expect(page).toContain('已办结（逾期未缴费）');
    expect(page).toContain('已办结：逾期未缴费，视为放弃');
    const paid = signed({ orderId: payment.orderId, amountFen: 220_000, transactionId: 'T-late' });
    expect((await post(url, CALLBACK, paid.raw, paid.headers)).status).toBe(409);
    expect((await engine.incidents()).filter((i) => i.application === id).map((i) => i.reason)).toEqual(['payment-late']);
    expect((await engine.application(id))?.status).toBe('unpaid');
  });

  it('the preview pays at its stand-in cashier: 模拟支付成功 goes on through the same engine path', async () => {
    const { store, engine, url } = await inProcessHall(stores, kind, { pages: true, paymentPlatform: (c) => (c === 'campus-pay' ? { payUrl: '/dev/pay/{orderId}' } : undefined) });
    const id = await approvedStall(store, engine, '4');
    const orderId = `${id}.pay-site-fee`;
    const it_ = await signIn(url, 't-it');
    expect((await call(url, 'GET', `/applications/${id}`, it_)).text).toContain(`href="/dev/pay/${encodeURIComponent(orderId)}"`);
    const cashier = await call(url, 'GET', `/dev/pay/${encodeURIComponent(orderId)}`, it_);
    expect([cashier.status, cashier.text.includes('模拟支付成功')]).toEqual([200, true]);
    const stranger = await call(url, 'GET', `/dev/pay/${encodeURIComponent(orderId)}`, await signIn(url, '2022020315'));
    expect([stranger.status, stranger.text.includes('2200')]).toEqual([404, false]);
    // No secret configured: the platform's callback route takes nothing.
    const unsigned = signed({ orderId, amountFen: 220_000, transactionId: 'x' });
    expect((await post(url, CALLBACK, unsigned.raw, unsigned.headers)).status).toBe(404);
    expect((await call(url, 'POST', `/api/dev/payments/${encodeURIComponent(orderId)}/pay`, { cookie: it_.cookie })).status).toBe(403);
    expect((await call(url, 'POST', `/api/dev/payments/${encodeURIComponent(orderId)}/pay`, await signIn(url, '2022020315'))).status).toBe(404);
    const simulated = await call(url, 'POST', `/api/dev/payments/${encodeURIComponent(orderId)}/pay`, it_);
    expect([simulated.status, simulated.body.status]).toEqual([200, 'paid']);
    expect((await engine.application(id))?.status).toBe('approved');
  });
});
