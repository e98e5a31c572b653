import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { Engine } from '../../server/engine/engine.ts';
import { migrate } from '../../server/store/migrate.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import { steppingClock } from './flow-hall.ts';

const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

/** 李雨桐's five-day sick leave: seed 004's 学生请假, the example catalog's second scenario. */
const applicant = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } };
const data = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' };

/** A clock that starts on Monday 2 March 2026, 09:00 in Beijing, and moves on ten minutes per reading. */

async function hall(kind: (typeof STORE_KINDS)[number], rt = runtime): Promise<{ engine: Engine; store: Store }> {
  const store = await stores.open(await stores.location(kind));
  await migrate(store);
  for (const [person, group, scope] of [
    ['t-counselor-1', 'counselor', 'wxy-2203'],
    ['t-counselor-2', 'counselor', 'wxy-2203'],
    ['t-deputy', 'department-deputy', 'wxy'],
    ['t-other-counselor', 'counselor', 'jsj-2301'],
  ]) {
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [person, group, scope]);
  }
  return { engine: new Engine({ store, runtime: rt, now: steppingClock(), hallUrl: 'https://ehall.example.edu.cn' }), store };
}

describe.each(STORE_KINDS)('the engine on %s', (kind) => {
  it('runs 学生请假 through a return, a resubmission and two approvals, as the interpreter does', async () => {
    const { engine, store } = await hall(kind);
    const submitted = await engine.submit({ service: 'student-leave', applicant, data, channel: 'wechat' });
    if (!submitted.ok) throw new Error(submitted.message.zh);
    const app = submitted.application;
    expect(app.version).toBe(runtime.current('student-leave').version);
    let [task] = await engine.todo('t-counselor-1');
    expect(task).toMatchObject({ application: app.id, step: 'counselor-review', round: 1, group: 'counselor', scope: 'wxy-2203', status: 'open', due: '2026-03-03' });
    expect(await engine.todo('t-other-counselor')).toEqual([]);

    const returned = await engine.act({ task: task.id, person: 't-counselor-1', action: 'return', comment: '请上传医院诊断证明' });
    expect(returned.ok && returned.application.status).toBe('returned');
    expect(await engine.todo('t-counselor-1')).toEqual([]);
    const late = await engine.act({ task: task.id, person: 't-counselor-2', action: 'approve' });
    expect(late).toMatchObject({ ok: false, kind: 'conflict', actedBy: 't-counselor-1' });

    const again = await engine.resubmit({ application: app.id, applicant: applicant.id, changes: { reason: '急性肠胃炎住院治疗，已上传诊断证明' } });
    expect(again.ok && again.application.status).toBe('pending');
    [task] = await engine.todo('t-counselor-2');
    expect(task).toMatchObject({ step: 'counselor-review', round: 2 });

    // Two counselors press 同意 at once: exactly one wins, the other is told who acted and when.
    const both = await Promise.all([
      engine.act({ task: task.id, person: 't-counselor-1', action: 'approve' }),
      engine.act({ task: task.id, person: 't-counselor-2', action: 'approve' }),
    ]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    const loser = both.find((r) => !r.ok)!;
    expect(loser).toMatchObject({ ok: false, kind: 'conflict' });
    expect(!loser.ok && loser.kind === 'conflict' && loser.message.zh).toMatch(/已于 .* 办理了这个环节/);

    const [college] = await engine.todo('t-deputy');
    expect(college).toMatchObject({ step: 'college-review', group: 'department-deputy', scope: 'wxy' });
    const done = await engine.act({ task: college.id, person: 't-deputy', action: 'approve', comment: '同意' });
    expect(done.ok && done.application.status).toBe('approved');

    // One semantics: the events written step by step are the interpreter's timeline for the same decisions.
    const decisions = (await engine.application(app.id))!.decisions;
    const reference = runWorkflow(runtime.current('student-leave'), runtime.calendar, { applicant: applicant.attributes, data, decisions, submittedAt: app.submittedAt, service: { id: 'student-leave', name: '学生请假' } });
    expect(reference.outcome).toBe('approved');
    const events = await engine.events(app.id);
    expect(events.map((e) => [e.type, e.step ?? '', e.action ?? e.outcome ?? ''])).toEqual(reference.timeline.map((t) => [t.type, t.step ?? '', t.action ?? t.outcome ?? '']));
    expect(events.every((e) => e.instance === app.id && e.version === app.version && e.channel === 'wechat' && e.applicant?.college === 'wxy')).toBe(true);
    expect(JSON.stringify(events)).not.toContain('李雨桐');

    const outbox = await store.query<{ event: string; recipient: string; body: string }>('SELECT event, recipient, body FROM outbox WHERE application_id = $1 ORDER BY id', [app.id]);
    expect(outbox.map((o) => o.event)).toEqual(reference.notifications.map((n) => n.event));
    expect(outbox.find((o) => o.event === 'returned')?.body).toContain('请上传医院诊断证明');
    expect((await engine.tasksOf(app.id)).map((t) => [t.step, t.round, t.status])).toEqual([
      ['counselor-review', 1, 'done'],
      ['counselor-review', 2, 'done'],
      ['college-review', 1, 'done'],
    ]);
  });

  it('refuses an invalid submission field by field, in Chinese, and stores nothing', async () => {
    const { engine, store } = await hall(kind);
    const result = await engine.submit({ service: 'student-leave', applicant, data: { ...data, days: 100, reason: '短' } });
    expect(result.ok).toBe(false);
    if (result.ok || result.kind !== 'invalid') throw new Error('expected invalid');
    expect(result.fieldErrors.map((e) => e.field).sort()).toEqual(['days', 'reason']);
    expect(await store.query('SELECT id FROM application')).toEqual([]);
  });

  it('lets only a holder of group@scope act, and lets the applicant withdraw only until someone acts', async () => {
    const { engine } = await hall(kind);
    const first = await engine.submit({ service: 'student-leave', applicant, data });
    const second = await engine.submit({ service: 'student-leave', applicant, data });
    if (!first.ok || !second.ok) throw new Error('submit failed');
    const [task] = (await engine.tasksOf(first.application.id)).filter((t) => t.status === 'open');
    expect(await engine.act({ task: task.id, person: 't-other-counselor', action: 'approve' })).toMatchObject({ ok: false, kind: 'forbidden' });
    expect(await engine.withdraw({ application: second.application.id, applicant: 'someone-else' })).toMatchObject({ ok: false, kind: 'not-found' });
    const withdrawn = await engine.withdraw({ application: second.application.id, applicant: applicant.id, reason: '病已好' });
    expect(withdrawn.ok && withdrawn.application.status).toBe('withdrawn');
    expect((await engine.tasksOf(second.application.id)).map((t) => t.status)).toEqual(['cancelled']);
    expect((await engine.events(second.application.id)).at(-1)).toMatchObject({ type: 'withdrawn', comment: '病已好' });
    await engine.act({ task: task.id, person: 't-counselor-1', action: 'approve' });
    expect(await engine.withdraw({ application: first.application.id, applicant: applicant.id })).toMatchObject({ ok: false, kind: 'conflict' });
  });

  it('refuses new applications to a retired service with its date and successor, and keeps in-flight ones running', async () => {
    const { engine, store } = await hall(kind);
    const inFlight = await engine.submit({ service: 'student-leave', applicant, data });
    if (!inFlight.ok) throw new Error('submit failed');
    const retired: LoadedRuntime = {
      ...runtime,
      manifest: { ...runtime.manifest, services: runtime.manifest.services.map((s) => (s.id === 'student-leave' ? { ...s, status: 'retired', retired: { date: '2026-03-01', successor: 'student-leave-v2' } } : s)) },
    };
    const later = new Engine({ store, runtime: retired, now: steppingClock() });
    const refused = await later.submit({ service: 'student-leave', applicant, data });
    expect(refused).toMatchObject({ ok: false, kind: 'refused' });
    expect(!refused.ok && refused.message.zh).toContain('已于 2026-03-01 停办，不再受理新申请，请改为申请接替事项“student-leave-v2”');
    const [task] = await later.todo('t-counselor-1');
    expect(await later.act({ task: task.id, person: 't-counselor-1', action: 'approve' })).toMatchObject({ ok: true });
  });

  it('names every pinned version that generated/ no longer holds, so the server can refuse to start', async () => {
    const { engine, store } = await hall(kind);
    const submitted = await engine.submit({ service: 'student-leave', applicant, data });
    if (!submitted.ok) throw new Error('submit failed');
    expect(await engine.missingVersions()).toEqual([]);
    await store.run('UPDATE application SET version = 99 WHERE id = $1', [submitted.application.id]);
    expect(await engine.missingVersions()).toEqual([{ service: 'student-leave', version: 99, applications: 1 }]);
  });
});
