import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime, RuntimeDefinition } from '../../lib/runtime/index.ts';
import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { Engine } from '../../server/engine/engine.ts';
import { acknowledge, addPhrase, addStandIn, batchApprove, copiesOf, phrasesOf, urge } from '../../server/engine/approver-work.ts';
import { migrate } from '../../server/store/migrate.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { exampleDirectory, hallProcesses } from './processes.ts';
import { LEAVE, call, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * Approver actions on the hall runtime (issues 15.6, 14.6), on both stores: 转办 within the post, 委派 and
 * its hand-back, 抄送 to the dorm manager with 知悉, 催办 once a day, 委托 while away, 批量审批 where a step
 * allows it, 常用意见; then one real `hall serve` over HTTP taking a leave through 转办, 抄送给我 and 知悉.
 */
const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

const applicant = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } };
const SHORT = { ...LEAVE, period: { start: '2026-03-03', end: '2026-03-04' }, days: 2 };

/** Monday 2 March 2026, 09:00 Beijing, ten minutes on per reading; `jump` moves it. */
function clock() {
  let t = Date.parse('2026-03-02T01:00:00Z');
  return { now: () => new Date((t += 600_000)), jump: (ms: number) => void (t += ms), at: () => new Date(t) };
}

async function hall(kind: (typeof STORE_KINDS)[number]) {
  const store: Store = await stores.open(await stores.location(kind));
  await migrate(store);
  for (const [person, holds] of [
    ['t-counselor-1', 'counselor@wxy-2203'],
    ['t-counselor-2', 'counselor@wxy-2203'],
    ['t-other-wxy', 'counselor@wxy-2203'],
    ['t-other', 'counselor@jsj-2301'],
    ['t-dorm', 'dorm-manager@wxy'],
    ['t-deputy', 'department-deputy@wxy'],
  ]) {
    const [group, scope] = holds.split('@');
    await store.run('INSERT INTO person (id, name, attributes, updated_at) VALUES ($1, $2, $3, $4)', [person, person, '{}', '2026-01-01T00:00:00Z']);
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [person, group, scope]);
  }
  const c = clock();
  const engine = new Engine({ store, runtime: withAllActions(runtime), now: c.now });
  const submit = async () => {
    const r = await engine.submit({ service: 'student-leave', applicant, data: SHORT });
    if (!r.ok) throw new Error(r.message.zh);
    const [task] = (await engine.tasksOf(r.application.id)).filter((t) => t.status === 'open');
    return { app: r.application.id, task: task.id };
  };
  return { store, engine, clock: c, submit };
}

/** 学生请假 as compiled, its counselor step also allowing 加签 and 委派 (the catalog's allows 转办 only). */
function withAllActions(loaded: LoadedRuntime): LoadedRuntime {
  const patch = (d: RuntimeDefinition): RuntimeDefinition => {
    if (d.id !== 'student-leave') return d;
    const copy = structuredClone(d);
    (copy.workflow!.steps[0] as RuntimeStep).actions = ['approve', 'reject', 'return', 'transfer', 'add-approver', 'delegate'];
    return copy;
  };
  return { ...loaded, current: (id: string) => patch(loaded.current(id)), version: (id: string, v: number) => patch(loaded.version(id, v)) } as LoadedRuntime;
}

describe.each(STORE_KINDS)('approver actions on the runtime (%s)', (kind) => {
  it('转办 goes only to a holder of the post; the transferee alone acts, the due date stays; two at once: one wins', async () => {
    const { engine, store, submit } = await hall(kind);
    const { app, task } = await submit();
    const outside = await engine.act({ task, person: 't-counselor-1', action: 'transfer', to: 't-other' });
    expect(outside).toMatchObject({ ok: false, kind: 'invalid' });
    const [before] = await engine.todo('t-counselor-2');
    // Two holders at once, one handing the task on and one deciding it: exactly one wins.
    const race = await hall(kind);
    const raced = await race.submit();
    const both = await Promise.all([
      race.engine.act({ task: raced.task, person: 't-counselor-1', action: 'transfer', to: 't-other-wxy', comment: '出差' }),
      race.engine.act({ task: raced.task, person: 't-counselor-2', action: 'approve' }),
    ]);
    expect(both.filter((r) => r.ok).length, JSON.stringify(both.map((r) => (r.ok ? 'ok' : r.kind)))).toBe(1);
    expect(both.find((r) => !r.ok)).toMatchObject({ ok: false, kind: 'conflict' });
    {
      expect((await engine.act({ task, person: 't-counselor-1', action: 'transfer', to: 't-counselor-2', comment: '出差' })).ok).toBe(true);
      expect(await engine.todo('t-counselor-1')).toEqual([]);
      const [mine] = await engine.todo('t-counselor-2');
      expect(mine).toMatchObject({ id: task, person: 't-counselor-2', due: before.due, handedBy: 't-counselor-1' });
      expect(await engine.act({ task, person: 't-counselor-1', action: 'approve' })).toMatchObject({ ok: false, kind: 'conflict', actedBy: 't-counselor-1' });
      // The due-day reminder goes to the transferee, not to the whole post.
      expect((await engine.sweep(new Date('2026-03-03T02:00:00Z'))).reminded).toBe(1);
      const [reminder] = await store.query<{ recipient: string }>("SELECT recipient FROM outbox WHERE application_id = $1 AND event = 'reminder'", [app]);
      expect(reminder.recipient).toBe('person:t-counselor-2');
      const done = await engine.act({ task, person: 't-counselor-2', action: 'approve' });
      expect(done.ok && done.application.status).toBe('approved');
      const events = await engine.events(app);
      expect(events.find((e) => e.type === 'transferred')).toMatchObject({ step: 'counselor-review', to: 't-counselor-2', comment: '出差' });
      expect(events.find((e) => e.type === 'acted')).toMatchObject({ person: 't-counselor-2', action: 'approve' });
    }
  });

  it('委派 and hand-back: the delegate only resolves, the holder then decides; 抄送 reaches the dorm manager, who acknowledges once', async () => {
    const { engine, store, submit, clock: c } = await hall(kind);
    const { app, task } = await submit();
    expect((await engine.act({ task, person: 't-counselor-1', action: 'delegate', to: 't-deputy' })).ok).toBe(true);
    expect(await engine.act({ task, person: 't-deputy', action: 'approve' })).toMatchObject({ ok: false, kind: 'refused' });
    expect((await engine.act({ task, person: 't-deputy', action: 'resolve', comment: '已电话核实' })).ok).toBe(true);
    const [back] = await engine.todo('t-counselor-2');
    expect(back.person).toBeUndefined();
    expect((await engine.act({ task, person: 't-counselor-2', action: 'approve' })).ok).toBe(true);
    const [copy] = await copiesOf(engine, 't-dorm');
    expect(copy).toMatchObject({ application: app, step: 'counselor-review', group: 'dorm-manager', scope: 'wxy' });
    expect(await copiesOf(engine, 't-counselor-1')).toEqual([]);
    expect(await engine.maySee('t-dorm', (await engine.application(app))!)).toBe(true);
    expect(await acknowledge(engine, copy.id, 't-other', c.at())).toMatchObject({ ok: false, kind: 'not-found' });
    const first = await acknowledge(engine, copy.id, 't-dorm', c.now());
    const second = await acknowledge(engine, copy.id, 't-dorm', c.now());
    expect(first.ok && second.ok && second.acknowledgedAt).toBe(first.ok && first.acknowledgedAt);
    const types = (await engine.events(app)).map((e) => e.type);
    expect(types).toEqual(['submitted', 'assigned', 'delegated', 'resolved', 'acted', 'copied', 'completed', 'acknowledged']);
    const [note] = await store.query<{ recipient: string }>("SELECT recipient FROM outbox WHERE application_id = $1 AND event = 'copied'", [app]);
    expect(note.recipient).toBe('dorm-manager@wxy');
  });

  it('催办 once a day per application, to the holders, counted as events; only while someone must act', async () => {
    const { engine, store, submit, clock: c } = await hall(kind);
    const { app } = await submit();
    expect(await urge(engine, { application: app, applicant: 't-counselor-1' }, c.now())).toMatchObject({ ok: false, kind: 'not-found' });
    expect(await urge(engine, { application: app, applicant: applicant.id }, c.now())).toMatchObject({ ok: true, urged: 1, count: 1 });
    const refused = await urge(engine, { application: app, applicant: applicant.id }, c.now());
    expect(refused).toMatchObject({ ok: false, kind: 'too-many' });
    c.jump(25 * 3600_000);
    expect(await urge(engine, { application: app, applicant: applicant.id }, c.now())).toMatchObject({ ok: true, count: 2 });
    expect((await engine.events(app)).filter((e) => e.type === 'urged')).toHaveLength(2);
    const notes = await store.query<{ recipient: string; body: string }>("SELECT recipient, body FROM outbox WHERE application_id = $1 AND event = 'urged'", [app]);
    expect(notes.map((n) => n.recipient)).toEqual(['counselor@wxy-2203', 'counselor@wxy-2203']);
    expect(notes[0].body).toMatch(/催办/);
  });

  it('委托: the stand-in sees and decides the absent holder’s tasks within the period, recorded on the task', async () => {
    const { engine, submit, clock: c } = await hall(kind);
    const { task } = await submit();
    expect(await engine.todo('t-deputy')).toEqual([]);
    expect((await addStandIn(engine, { person: 't-counselor-1', standIn: 't-deputy', starts: '2026-03-02', ends: '2026-03-06' }, c.now())).ok).toBe(true);
    expect((await engine.todo('t-deputy')).map((t) => t.id)).toEqual([task]);
    const done = await engine.act({ task, person: 't-deputy', action: 'approve' });
    expect(done.ok && done.task).toMatchObject({ actedBy: 't-deputy', onBehalfOf: 't-counselor-1' });
    expect(await addStandIn(engine, { person: 't-counselor-1', standIn: 't-counselor-1', starts: '2026-03-02', ends: '2026-03-06' }, c.now())).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('批量审批 only where the step allows it, each task its own result; 常用意见 are kept once each', async () => {
    const { engine, submit, clock: c } = await hall(kind);
    const one = await submit();
    const results = await batchApprove(engine, { tasks: [one.task, 'no-such-task'], person: 't-counselor-1' });
    expect(results[0]).toMatchObject({ task: one.task, ok: false, error: 'refused' });
    expect(results[1]).toMatchObject({ ok: false, error: 'not-found' });
    expect((await engine.tasksOf(one.app)).filter((t) => t.status === 'open')).toHaveLength(1);
    await addPhrase(engine, 't-counselor-1', '情况属实，同意。', c.now());
    await addPhrase(engine, 't-counselor-1', ' 情况属实，同意。 ', c.now());
    expect((await phrasesOf(engine, 't-counselor-1')).map((p) => p.text)).toEqual(['情况属实，同意。']);
  });
});

const { serve } = hallProcesses();

describe('approver actions through hall serve over HTTP', () => {
  it('转办, 抄送给我 and 知悉, 常用意见 and 催办 in a real process', async () => {
    const directory = await exampleDirectory();
    const people = [
      ...directory.people,
      { id: 't-sun', name: '孙老师', attributes: { type: '教职工', department: 'wxy' }, holds: ['counselor@wxy-2203'] },
      { id: 't-dorm', name: '宿管周阿姨', attributes: { type: '教职工', department: 'wxy' }, holds: ['dorm-manager@wxy'] },
    ];
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hall-actions-')), 'directory.yaml');
    writeFileSync(file, stringify({ people }));
    const { url } = await serve(['--dev', '--directory', file, '--store', await stores.location('sqlite')]);
    const li = await signIn(url, '2022020315');
    const wang = await signIn(url, 't-wang');
    const sun = await signIn(url, 't-sun');
    const dorm = await signIn(url, 't-dorm');
    const created = await call(url, 'POST', '/api/applications', { ...li, body: { service: 'student-leave', data: { ...LEAVE, period: { start: '2026-03-03', end: '2026-03-04' }, days: 2 } } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.application.id as string;
    const [task] = (await call(url, 'GET', '/api/tasks', wang)).body.tasks as { id: string }[];
    expect((await call(url, 'POST', `/api/applications/${id}/urge`, li)).status).toBe(200);
    expect((await call(url, 'POST', `/api/applications/${id}/urge`, li)).status).toBe(429);
    const phrase = await call(url, 'POST', '/api/phrases', { ...sun, body: { text: '情况属实，同意。' } });
    expect(phrase.status).toBe(201);
    const handed = await call(url, 'POST', `/api/tasks/${task.id}/hand-over`, { ...wang, body: { action: 'transfer', to: 't-sun', comment: '本周出差' } });
    expect(handed.status, handed.text).toBe(200);
    expect(handed.body.task).toMatchObject({ person: 't-sun', handedBy: 't-wang' });
    expect((await call(url, 'GET', '/api/tasks', wang)).body.tasks).toEqual([]);
    const approved = await call(url, 'POST', `/api/tasks/${task.id}/decision`, { ...sun, body: { action: 'approve', comment: phrase.body.phrase.text } });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.application.status).toBe('approved');
    const copies = (await call(url, 'GET', '/api/copies', dorm)).body.copies as { id: string; application: string; acknowledgedAt?: string }[];
    expect(copies).toEqual([expect.objectContaining({ application: id, step: 'counselor-review' })]);
    expect((await call(url, 'GET', `/api/applications/${id}`, dorm)).status).toBe(200);
    const ack = await call(url, 'POST', `/api/copies/${copies[0].id}/acknowledge`, dorm);
    expect(ack.status).toBe(200);
    expect(((await call(url, 'GET', '/api/copies', dorm)).body.copies as { acknowledgedAt?: string }[])[0].acknowledgedAt).toBe(ack.body.acknowledgedAt);
    const events = (await call(url, 'GET', `/api/applications/${id}`, li)).body.events as { type: string }[];
    expect(events.map((e) => e.type)).toEqual(['submitted', 'assigned', 'urged', 'transferred', 'acted', 'copied', 'completed', 'acknowledged']);
  });
});
