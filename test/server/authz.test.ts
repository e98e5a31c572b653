import { describe, expect, it } from 'vitest';
import { LEAVE, call, inProcessHall, routesOf, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import type { StoreKind } from './stores.ts';

/**
 * Authorisation per route (issue 13.6), with the example directory's people: 李雨桐 (wxy-2203) and 张晓明
 * (jsj-2301) apply; 王老师 is counselor@wxy-2203, 刘老师 counselor@jsj-2301, 陈书记 department-deputy@wxy,
 * 赵老师 office-staff@xgc. For every route taking an id, somebody else's id is tried by everyone who should
 * not reach it: the answer reveals nothing, and nothing changes.
 */

const stores = storeFactory();
const listing = await inProcessHall(stores, 'sqlite');
const ID_ROUTES = routesOf(listing.app).filter((r) => r.url.includes(':'));

/** Which test below covers each route that takes an id. */
const COVERED: Record<string, string> = {
  'GET /api/applications/:id': 'sees only their own applications, and an approver only what they acted on or may act on',
  'POST /api/applications/:id/resubmit': "cannot resubmit or withdraw another person's application",
  'POST /api/applications/:id/withdraw': "cannot resubmit or withdraw another person's application",
  'POST /api/tasks/:id/decision': 'acts only on tasks of the groups@scopes they hold',
  // Downloads: the uploader and those who may see the application; everyone else 404 (both stores, real process).
  'GET /api/attachments/:id': 'test/server/attachments.test.ts › uploads, submits with the ids, and lets the approvers who may see the application download — nobody else',
  // Privacy: the full view, the 审批单 and a service's readers (both stores); each mark served to its owner only.
  'GET /api/applications/:id/full': 'test/server/privacy.test.ts › records every full view for the IT office, and refuses it to approvers outside the service readers',
  'GET /applications/:id/record': 'test/server/privacy.test.ts › records every full view for the IT office, and refuses it to approvers outside the service readers',
  'GET /api/signatures/:id': 'test/server/record.test.ts › uses only the owner’s signature and seal on the steps that ask for one, records each use, and prints the finished case on one A4 page',
  // The preview's routes: only someone who may see the application saves or sees its run; everyone else 404.
  'POST /api/dev/applications/:id/scenario': "test/server/dev.test.ts › saves a finished run into the service file; refuses runs that are not finished, withdrawn, or not the asker's to see",
  'GET /dev/applications/:id': "test/server/dev.test.ts › serves the pages as escaped HTML marked as the preview; the run page needs a session and hides others' runs",
  'POST /api/tasks/:id/hand-over': 'hands over, notes, reminds and acknowledges only what is theirs; phrases and stand-ins are their own',
  'POST /api/tasks/:id/annotations': 'hands over, notes, reminds and acknowledges only what is theirs; phrases and stand-ins are their own',
  'GET /api/applications/:id/annotations': 'hands over, notes, reminds and acknowledges only what is theirs; phrases and stand-ins are their own',
  'POST /api/applications/:id/urge': 'hands over, notes, reminds and acknowledges only what is theirs; phrases and stand-ins are their own',
  'POST /api/copies/:id/acknowledge': 'hands over, notes, reminds and acknowledges only what is theirs; phrases and stand-ins are their own',
  // The preview's stand-in for campus systems takes a connector id, not a person's data: it exists only with --dev and answers every caller alike.
  'POST /api/dev/connectors/:connector': 'test/dev/hall-dev.test.ts › runs 学生请假 on the working tree, shows the outbox, saves the run as a scenario hall test passes, rebuilds on save, and exits 130 on Ctrl-C',
  'POST /api/applications/:id/complete': "completes, reads system calls and return targets only where theirs; retrying a call is the IT office's",
  'GET /api/applications/:id/system-calls': "completes, reads system calls and return targets only where theirs; retrying a call is the IT office's",
  'GET /api/tasks/:id/return-targets': "completes, reads system calls and return targets only where theirs; retrying a call is the IT office's",
  'POST /api/admin/system-calls/:id/retry': "completes, reads system calls and return targets only where theirs; retrying a call is the IT office's",
  // 公示 (issue 15.2): objections in a period, and the engine's rules for them, are test/server/publicity.test.ts.
  'POST /api/applications/:id/objections': 'objects only to a result being published, never revealing another application; sees the 公示 list when signed in',
  'POST /api/dev/applications/:id/end-publicity': 'objects only to a result being published, never revealing another application; sees the 公示 list when signed in',
  // 缴费 (issue 15.9b): an application's orders to those who may see it; the platform's callback has no session but
  // its connector's HMAC signature; the preview's cashier and 模拟支付成功 only for those who may see the order's application.
  'GET /api/applications/:id/payment': 'test/server/payment.test.ts › orders the fee once approved, sends the order, and goes on at the signed callback; refusals and replays',
  'POST /api/payments/:connector/callback': 'test/server/payment.test.ts › orders the fee once approved, sends the order, and goes on at the signed callback; refusals and replays',
  'POST /api/dev/payments/:id/pay': 'test/server/payment.test.ts › the preview pays at its stand-in cashier: 模拟支付成功 goes on through the same engine path',
  'GET /dev/pay/:id': 'test/server/payment.test.ts › the preview pays at its stand-in cashier: 模拟支付成功 goes on through the same engine path',
  'DELETE /api/phrases/:id': 'hands over, notes, reminds and acknowledges only what is theirs; phrases and stand-ins are their own',
  'DELETE /api/stand-ins/:id': 'hands over, notes, reminds and acknowledges only what is theirs; phrases and stand-ins are their own',
};

describe('the routes that take an id', () => {
  it('each has an authorisation test', () => {
    expect(ID_ROUTES.length).toBeGreaterThan(3);
    expect(ID_ROUTES.map((r) => `${r.method} ${r.url}`).filter((k) => !COVERED[k]), 'routes taking an id without an authorisation test: add one to test/server/authz.test.ts').toEqual([]);
  });
});

describe.each(STORE_KINDS)('authorisation per route (%s)', (kind: StoreKind) => {
  async function cast() {
    const hall = kind === 'sqlite' ? listing : await inProcessHall(stores, kind);
    const url = hall.url;
    const people = Object.fromEntries(await Promise.all(['2022020315', '2023010101', 't-wang', 't-liu', 't-chen', 't-zhao'].map(async (p) => [p, await signIn(url, p)] as const)));
    const li = people['2022020315'];
    const zhang = people['2023010101'];
    const submit = async (who: typeof li, data: Record<string, unknown>) => {
      const res = await call(url, 'POST', '/api/applications', { ...who, body: { service: 'student-leave', data } });
      expect(res.status).toBe(201);
      return res.body.application.id as string;
    };
    const a = await submit(li, LEAVE);
    const b = await submit(zhang, { ...LEAVE, studentName: '张晓明', studentNumber: '2023010101', phone: '13800000001', reason: '参加省数学建模竞赛集训' });
    const openTask = async (who: typeof li, application: string) =>
      ((await call(url, 'GET', '/api/tasks', who)).body.tasks as { id: string; application: string }[]).find((t) => t.application === application)?.id;
    return { url, hall, people, li, zhang, a, b, openTask };
  }

  it('sees only their own applications, and an approver only what they acted on or may act on', async () => {
    const { url, people, li, zhang, a, b, openTask } = await cast();
    const get = (who: keyof typeof people, id: string) => call(url, 'GET', `/api/applications/${id}`, people[who]);
    const nothing = await call(url, 'GET', '/api/applications/0000000000000000000000', li);
    expect(nothing.status).toBe(404);
    const hidden = async (who: string, id: string) => {
      const res = await get(who, id);
      expect(res.status, `${who} → ${id}`).toBe(404);
      // Indistinguishable from an id that does not exist: no data, no hint that it exists.
      expect(res.body, `${who} → ${id}`).toEqual(nothing.body);
    };
    expect((await get('2022020315', a)).status).toBe(200);
    await hidden('2022020315', b);
    await hidden('2023010101', a);
    await hidden('t-liu', a); // a counselor of another class
    await hidden('t-chen', a); // not at the college's step yet
    await hidden('t-zhao', a);
    await hidden('t-wang', b);
    expect((await get('t-wang', a)).status).toBe(200); // may act on it now
    expect((await get('t-liu', b)).status).toBe(200);

    // Lists: each applicant their own, each approver the tasks of what they hold.
    expect(((await call(url, 'GET', '/api/applications', zhang)).body.applications as { id: string }[]).map((x) => x.id)).toEqual([b]);
    expect(((await call(url, 'GET', '/api/applications', people['t-wang'])).body.applications as unknown[]).length).toBe(0);
    expect(((await call(url, 'GET', '/api/tasks', people['t-liu'])).body.tasks as { application: string }[]).map((t) => t.application)).toEqual([b]);
    expect((await call(url, 'GET', '/api/tasks', people['t-zhao'])).body.tasks).toEqual([]);
    expect((await call(url, 'GET', '/api/tasks', li)).body.tasks).toEqual([]);

    // 王老师 approves: he still sees what he acted on, 陈书记 now may act; nobody else gained sight.
    const task = (await openTask(people['t-wang'], a))!;
    expect((await call(url, 'POST', `/api/tasks/${task}/decision`, { ...people['t-wang'], body: { action: 'approve' } })).status).toBe(200);
    expect((await get('t-wang', a)).status).toBe(200);
    expect((await get('t-chen', a)).status).toBe(200);
    await hidden('t-liu', a);
    await hidden('2023010101', a);
    await hidden('t-zhao', a);
  });

  it("cannot resubmit or withdraw another person's application", async () => {
    const { url, people, li, a, openTask } = await cast();
    const task = (await openTask(people['t-wang'], a))!;
    expect((await call(url, 'POST', `/api/tasks/${task}/decision`, { ...people['t-wang'], body: { action: 'return', comment: '请补诊断证明' } })).status).toBe(200);
    for (const who of ['2023010101', 't-wang', 't-chen', 't-liu'] as const) {
      const resubmit = await call(url, 'POST', `/api/applications/${a}/resubmit`, { ...people[who], body: { changes: { reason: '被他人篡改的请假理由' } } });
      expect(resubmit.status, `${who} resubmits`).toBe(404);
      expect(resubmit.text).not.toContain('李雨桐');
      const withdraw = await call(url, 'POST', `/api/applications/${a}/withdraw`, { ...people[who], body: { reason: '他人代撤' } });
      expect(withdraw.status, `${who} withdraws`).toBe(404);
    }
    const view = await call(url, 'GET', `/api/applications/${a}`, li);
    expect(view.body.application.status).toBe('returned');
    expect(view.body.application.decisions.at(-1).revise).toBeUndefined();
    expect(view.body.events.map((e: { type: string }) => e.type)).not.toContain('withdrawn');
    // The owner can.
    expect((await call(url, 'POST', `/api/applications/${a}/resubmit`, { ...li, body: { changes: { reason: '急性肠胃炎住院治疗，已补诊断证明' } } })).status).toBe(200);
  });

  it('acts only on tasks of the groups@scopes they hold', async () => {
    const { url, people, li, a, b, openTask } = await cast();
    const taskA = (await openTask(people['t-wang'], a))!;
    const taskB = (await openTask(people['t-liu'], b))!;
    for (const [who, task] of [
      ['t-liu', taskA],
      ['t-chen', taskA],
      ['t-zhao', taskA],
      ['2022020315', taskA], // the applicant on her own application
      ['2023010101', taskA],
      ['t-wang', taskB],
    ] as const) {
      for (const action of ['approve', 'reject', 'return']) {
        const res = await call(url, 'POST', `/api/tasks/${task}/decision`, { ...people[who], body: { action, comment: '越权' } });
        expect(res.status, `${who} ${action}s ${task === taskA ? 'A' : 'B'}`).toBe(403);
        expect(res.body.error).toBe('forbidden');
        expect(res.text).not.toMatch(/李雨桐|张晓明|急性肠胃炎|数学建模/);
      }
    }
    // Nothing happened: both tasks are still open for their holders, with no decision recorded.
    expect(await openTask(people['t-wang'], a)).toBe(taskA);
    expect(await openTask(people['t-liu'], b)).toBe(taskB);
    expect((await call(url, 'GET', `/api/applications/${a}`, li)).body.application.decisions).toEqual([]);
  });
  it('hands over, notes, reminds and acknowledges only what is theirs; phrases and stand-ins are their own', async () => {
    const { url, people, li, zhang, a, openTask } = await cast();
    const taskA = (await openTask(people['t-wang'], a))!;
    // Not the holder: no hand-over, no note; a hand-over to someone outside the post is refused.
    for (const who of ['t-liu', 't-chen', '2022020315'] as const) {
      expect((await call(url, 'POST', `/api/tasks/${taskA}/hand-over`, { ...people[who], body: { action: 'delegate', to: 't-zhao' } })).status, `${who} hands over`).toBe(403);
      expect((await call(url, 'POST', `/api/tasks/${taskA}/annotations`, { ...people[who], body: { field: 'reason', text: '越权批注' } })).status, `${who} notes`).toBe(403);
    }
    const outside = await call(url, 'POST', `/api/tasks/${taskA}/hand-over`, { ...people['t-wang'], body: { action: 'transfer', to: 't-liu' } });
    expect(outside.status).toBe(422);
    expect(outside.body.fieldErrors[0].field).toBe('to');
    // Notes are seen by the approvers who may see the application: not by the applicant (the page tells her so), nor anyone else.
    expect((await call(url, 'POST', `/api/tasks/${taskA}/annotations`, { ...people['t-wang'], body: { field: 'reason', text: '住院证明已核实' } })).status).toBe(201);
    expect((await call(url, 'GET', `/api/applications/${a}/annotations`, people['t-wang'])).body.annotations).toHaveLength(1);
    const own = await call(url, 'GET', `/api/applications/${a}/annotations`, li);
    expect(own.status).toBe(403);
    expect(own.text).not.toContain('住院证明已核实');
    for (const who of ['t-liu', '2023010101'] as const) expect((await call(url, 'GET', `/api/applications/${a}/annotations`, people[who])).status).toBe(404);
    // Only the applicant reminds.
    for (const who of ['2023010101', 't-wang'] as const) expect((await call(url, 'POST', `/api/applications/${a}/urge`, people[who])).status, `${who} urges`).toBe(404);
    // Transferred to 周老师: 王老师 may no longer act (409: who handed it on, when); 刘老师 never.
    expect((await call(url, 'POST', `/api/tasks/${taskA}/hand-over`, { ...people['t-wang'], body: { action: 'transfer', to: 't-zhou' } })).status).toBe(200);
    const again = await call(url, 'POST', `/api/tasks/${taskA}/decision`, { ...people['t-wang'], body: { action: 'approve' } });
    expect(again.status).toBe(409);
    expect(again.body.actedBy).toBe('t-wang');
    expect((await call(url, 'POST', `/api/tasks/${taskA}/decision`, { ...people['t-liu'], body: { action: 'approve' } })).status).toBe(403);
    // Phrases and stand-ins: someone else's id is a 404 and changes nothing.
    const phrase = await call(url, 'POST', '/api/phrases', { ...people['t-wang'], body: { text: '情况属实，同意。' } });
    expect((await call(url, 'DELETE', `/api/phrases/${phrase.body.phrase.id}`, people['t-liu'])).status).toBe(404);
    expect((await call(url, 'GET', '/api/phrases', people['t-wang'])).body.phrases).toHaveLength(1);
    const away = await call(url, 'POST', '/api/stand-ins', { ...people['t-wang'], body: { standIn: 't-liu', starts: '2099-01-01', ends: '2099-01-05' } });
    expect(away.status).toBe(201);
    for (const who of ['t-liu', 't-chen'] as const) expect((await call(url, 'DELETE', `/api/stand-ins/${away.body.standIn.id}`, people[who])).status).toBe(404);
    // A copy is acknowledged only by a holder of the group@scope it went to.
    expect((await call(url, 'POST', '/api/copies/no-such-copy/acknowledge', zhang)).status).toBe(404);
  });

  it('objects only to a result being published, never revealing another application; sees the 公示 list when signed in', async () => {
    const { url, people, a } = await cast();
    // A leave is never published: an objection to it is a 404 for everyone, its applicant included, and says nothing of it.
    for (const who of ['2022020315', '2023010101', 't-wang', 't-zhao'] as const) {
      const objection = await call(url, 'POST', `/api/applications/${a}/objections`, { ...people[who], body: { reason: '名单有误' } });
      expect(objection.status, `${who} objects`).toBe(404);
      expect(objection.text).not.toMatch(/李雨桐|急性肠胃炎|student-leave/);
      expect((await call(url, 'GET', '/api/publicity', people[who])).body, `${who} lists`).toEqual({ entries: [] });
    }
    expect((await call(url, 'GET', '/api/publicity')).status).toBe(401);
    expect((await call(url, 'POST', `/api/applications/${a}/objections`, { body: { reason: '名单有误' } })).status).toBe(401);
    // The preview's early end of a period: only for an application the person may see (404 otherwise), and only in one.
    for (const who of ['2023010101', 't-liu', 't-zhao'] as const) {
      const ended = await call(url, 'POST', `/api/dev/applications/${a}/end-publicity`, people[who]);
      expect(ended.status, `${who} ends the period`).toBe(404);
      expect(ended.text).not.toMatch(/李雨桐|急性肠胃炎/);
    }
    expect((await call(url, 'POST', `/api/dev/applications/${a}/end-publicity`, people['2022020315'])).status).toBe(409);
  });

  it("completes, reads system calls and return targets only where theirs; retrying a call is the IT office's", async () => {
    const { url, people, li, a, openTask } = await cast();
    const taskA = (await openTask(people['t-wang'], a))!;
    // Another person's application: completing a step on it is a 404 (not "nothing waits for you", which
    // would say it exists), and so is reading its system calls.
    for (const who of ['2023010101', 't-wang', 't-chen', 't-liu'] as const) {
      const complete = await call(url, 'POST', `/api/applications/${a}/complete`, { ...people[who], body: { data: { returnedOn: '2026-03-10' } } });
      expect(complete.status, `${who} completes`).toBe(404);
      expect(complete.text).not.toContain('李雨桐');
    }
    for (const who of ['2023010101', 't-liu', 't-zhao'] as const) {
      expect((await call(url, 'GET', `/api/applications/${a}/system-calls`, people[who])).status, `${who} reads the calls`).toBe(404);
    }
    expect((await call(url, 'GET', `/api/applications/${a}/system-calls`, li)).status).toBe(200);
    // Return targets: only for a task the person holds now.
    for (const who of ['t-liu', 't-chen', 't-zhao', '2022020315'] as const) {
      const targets = await call(url, 'GET', `/api/tasks/${taskA}/return-targets`, people[who]);
      expect(targets.status, `${who} reads the return targets`).toBe(404);
      expect(targets.text).not.toMatch(/李雨桐|急性肠胃炎/);
    }
    expect((await call(url, 'GET', `/api/tasks/${taskA}/return-targets`, people['t-wang'])).status).toBe(200);
    // The calls' admin list and a retry: nobody outside the IT office (xxzx), whatever the id.
    for (const who of ['2022020315', 't-wang', 't-zhao'] as const) {
      expect((await call(url, 'GET', '/api/admin/system-calls', people[who])).status, `${who} lists the calls`).toBe(403);
      expect((await call(url, 'POST', '/api/admin/system-calls/no-such-call/retry', people[who])).status, `${who} retries`).toBe(403);
    }
    // Nothing changed: the application still waits for 王老师 with no decision.
    expect(await openTask(people['t-wang'], a)).toBe(taskA);
    expect((await call(url, 'GET', `/api/applications/${a}`, li)).body.application.decisions).toEqual([]);
  });
});
