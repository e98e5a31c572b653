import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { Engine } from '../../server/engine/engine.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * Publicity periods (公示, issue 15.2) in `hall serve`'s engine, on both stores: the example catalog's 奖学金
 * is published by the college for 5 work days after the college countersign. Approved on Monday 2 March
 * 2026, it is published until Monday the 9th; the sweep ends the period once, after the end of that day.
 * Anyone signed in but the applicant may object, once, with a reason, while it is open; with objections the
 * college panel rechecks once the period has ended.
 */
const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

const beijing = (local: string) => new Date(`${local}+08:00`);
const applicant = { id: '2023010101', attributes: { name: '张晓明', number: '2023010101', college: 'jsj', class: 'jsj-2301', type: '本科生', major: '计算机科学与技术', phone: '13800000001' } };
const data = { studentName: '张晓明', studentNumber: '2023010101', major: '计算机科学与技术', phone: '13800000001', academicYear: '2025-2026学年', scholarshipType: '校级一等奖学金', gpa: 3.82, gradeRank: 3, majorSize: 96, failedCourse: false, statement: '本学年我认真完成各门课程学习，学分绩点 3.82，专业排名第 3；担任班级学习委员，组织课程互助小组 12 次；参加全国大学生数学建模竞赛获省级二等奖，参与校级大学生创新训练项目一项，利用暑期到社区开展信息技术志愿服务 40 小时。' };

async function published(kind: (typeof STORE_KINDS)[number]) {
  const store = await stores.open(await stores.location(kind));
  await migrate(store);
  for (const [person, group, scope] of [['t-counselor', 'counselor', 'jsj-2301'], ['t-deputy', 'department-deputy', 'jsj'], ['t-secretary', 'academic-secretary', 'jsj'], ['t-xgc', 'office-staff', 'xgc']]) {
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [person, group, scope]);
  }
  let now = beijing('2026-03-02T09:00:00');
  const fired: string[] = [];
  const engine = new Engine({ store, runtime, now: () => now, onTimer: (t) => fired.push(t.kind) });
  const at = (local: string) => (now = beijing(local));
  const submitted = await engine.submit({ service: 'scholarship-application', applicant, data });
  if (!submitted.ok) throw new Error(JSON.stringify(submitted));
  const id = submitted.application.id;
  for (const [person, local] of [['t-counselor', '2026-03-02T10:00:00'], ['t-deputy', '2026-03-02T10:30:00'], ['t-secretary', '2026-03-02T11:00:00']]) {
    at(local);
    const [task] = await engine.todo(person);
    const decided = await engine.act({ task: task.id, person, action: 'approve' });
    if (!decided.ok) throw new Error(JSON.stringify(decided));
  }
  return { engine, store, id, at, fired };
}

describe.each(STORE_KINDS)('publicity periods in the engine on %s', (kind) => {
  it('publishes after the college countersign until the fifth work day; the sweep ends it once, and the flow goes on', async () => {
    const { engine, store, id, fired } = await published(kind);
    expect(await engine.tasksOf(id).then((ts) => ts.filter((t) => t.status === 'open'))).toEqual([]);
    expect((await engine.publicity()).map((p) => [p.application, p.step, p.until, p.applicant.name, p.stepName.zh])).toEqual([[id, 'college-publicity', '2026-03-09', '张晓明', '学院公示']]);
    expect(await engine.sweep(beijing('2026-03-09T23:00:00'))).not.toHaveProperty('publicized');
    const [first, second] = await Promise.all([engine.sweep(beijing('2026-03-10T00:30:00')), engine.sweep(beijing('2026-03-10T00:30:00'))]);
    expect((first.publicized ?? 0) + (second.publicized ?? 0)).toBe(1);
    expect(fired.filter((k) => k === 'publicity')).toHaveLength(1);
    expect((await engine.tasksOf(id)).filter((t) => t.status === 'open').map((t) => [t.step, t.group, t.scope])).toEqual([['xgc-review', 'office-staff', 'xgc']]);
    expect(await engine.publicity()).toEqual([]);
    const events = await engine.events(id);
    expect(events.filter((e) => ['published', 'publicized'].includes(e.type)).map((e) => [e.type, e.step, e.until ?? e.objections])).toEqual([['published', 'college-publicity', '2026-03-09'], ['publicized', 'college-publicity', 0]]);
    const told = await store.query<{ body: string }>("SELECT body FROM outbox WHERE application_id = $1 AND event = 'published'", [id]);
    expect(told.map((m) => m.body)).toEqual(['【公示】您申请的“本科生奖学金申请”已进入“学院公示”，公示至 2026-03-09；公示期满无异议后继续办理。']);
  });

  it('takes objections from others, once each, with a reason, while open; after the end the college panel rechecks and may reject', async () => {
    const { engine, id, at } = await published(kind);
    at('2026-03-04T15:00:00');
    expect(await engine.object({ application: id, person: applicant.id, reason: '不服' })).toMatchObject({ ok: false, kind: 'forbidden' });
    expect(await engine.object({ application: id, person: '2022020315', reason: '   ' })).toMatchObject({ ok: false, kind: 'invalid' });
    expect(await engine.object({ application: id, person: '2022020315', reason: 'x'.repeat(501) })).toMatchObject({ ok: false, kind: 'invalid' });
    expect(await engine.object({ application: 'no-such-application', person: '2022020315', reason: '竞赛奖项是团队奖' })).toMatchObject({ ok: false, kind: 'not-found' });
    expect(await engine.object({ application: id, person: '2022020315', reason: '竞赛奖项是团队奖' })).toMatchObject({ ok: true });
    expect(await engine.object({ application: id, person: '2022020315', reason: '再说一次' })).toMatchObject({ ok: false, kind: 'conflict' });
    at('2026-03-09T20:00:00');
    expect(await engine.object({ application: id, person: 't-xgc', reason: '排名有误' })).toMatchObject({ ok: true });
    at('2026-03-10T08:00:00');
    expect(await engine.object({ application: id, person: 't-counselor', reason: '太晚了' })).toMatchObject({ ok: false, kind: 'conflict' });
    expect((await engine.tasksOf(id)).filter((t) => t.status === 'open')).toEqual([]);
    expect(await engine.sweep(beijing('2026-03-10T08:00:00'))).toMatchObject({ publicized: 1 });
    const [recheck] = await engine.todo('t-deputy');
    expect(recheck).toMatchObject({ step: 'college-recheck', due: '2026-03-16' });
    const events = await engine.events(id);
    expect(events.filter((e) => e.type === 'objected').map((e) => [e.person, e.comment])).toEqual([['2022020315', '竞赛奖项是团队奖'], ['t-xgc', '排名有误']]);
    expect(events.find((e) => e.type === 'publicized')).toMatchObject({ objections: 2 });
    at('2026-03-11T10:00:00');
    const rejected = await engine.act({ task: recheck.id, person: 't-deputy', action: 'reject', comment: '异议成立：竞赛奖项为团队奖，按细则折算后排名不在前 5%' });
    expect(rejected.ok && rejected.application.status).toBe('rejected');
    expect(await engine.object({ application: id, person: 't-xgc', reason: '补充' })).toMatchObject({ ok: false, kind: 'not-found' });
  });
});
