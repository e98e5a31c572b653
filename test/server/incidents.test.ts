import { cpSync, mkdtempSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import eventSchema from '../../schemas/runtime/event.schema.json' with { type: 'json' };
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { checkDirectory } from '../../server/directory/check.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { readVocabulary } from '../../server/directory/vocabulary.ts';
import { Engine } from '../../server/engine/engine.ts';
import { Reloader } from '../../server/reload.ts';
import { migrate } from '../../server/store/migrate.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import { steppingClock } from './flow-hall.ts';

vi.setConfig({ testTimeout: 180_000 });
const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const validEvent = addFormats(new Ajv2020({ allErrors: true, strict: false })).compile(eventSchema);

const applicant = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } };
const data = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' };


const people = (csv: string) => checkDirectory(new TextEncoder().encode(csv), 'people.csv', vocabularyNow).directory!;
let vocabularyNow: Awaited<ReturnType<typeof readVocabulary>>;
beforeAll(async () => {
  vocabularyNow = await readVocabulary(path.join(ROOT, 'catalog'));
});
/** The example directory without 学生请假's counselor for wxy-2203. */
const NO_COUNSELOR = 'id,name,holds,college,class\n2022020315,李雨桐,,wxy,wxy-2203\nt-chen,陈书记,department-deputy@wxy,wxy,\nt-it,信息化办,office-staff@xxzx,xxzx,\n';
const WITH_COUNSELOR = `${NO_COUNSELOR}t-wang,王老师,counselor@wxy-2203,wxy,\n`;

async function hall(kind: (typeof STORE_KINDS)[number]): Promise<{ engine: Engine; store: Store }> {
  const store = await stores.open(await stores.location(kind));
  await migrate(store);
  return { engine: new Engine({ store, runtime, now: steppingClock() }), store };
}

describe.each(STORE_KINDS)('unassigned incidents on %s', (kind) => {
  it('a step whose group@scope nobody holds is an incident with its event, resolved when a directory import brings a holder', async () => {
    const { engine, store } = await hall(kind);
    await importDirectory(store, people(NO_COUNSELOR));
    const submitted = await engine.submit({ service: 'student-leave', applicant, data });
    if (!submitted.ok) throw new Error(submitted.message.zh);
    const id = submitted.application.id;
    // Written with the submission: the application is an incident, its log says why, the IT office sees it.
    expect(submitted.application.status).toBe('incident');
    const events = await engine.events(id);
    expect(events.map((e) => e.type)).toEqual(['submitted', 'assigned', 'unassigned']);
    expect(events[2]).toMatchObject({ type: 'unassigned', step: 'counselor-review', group: 'counselor', scope: 'wxy-2203', reason: 'no-holder' });
    for (const e of events) expect(validEvent(e), JSON.stringify(validEvent.errors)).toBe(true);
    const [incident] = await engine.incidents();
    expect(incident).toMatchObject({ application: id, service: 'student-leave', step: 'counselor-review', group: 'counselor', scope: 'wxy-2203', reason: 'no-holder', since: events[1].at });
    expect(await engine.reconcileIncidents()).toEqual({ resolved: 0, raised: 0 });

    // The data centre's next export has the counselor: the task becomes assignable and the case goes on.
    await importDirectory(store, people(WITH_COUNSELOR));
    expect(await engine.reconcileIncidents()).toEqual({ resolved: 1, raised: 0 });
    expect(await engine.reconcileIncidents()).toEqual({ resolved: 0, raised: 0 });
    expect(await engine.incidents()).toEqual([]);
    expect((await engine.incidents({ all: true }))[0]).toMatchObject({ resolution: 'holder' });
    expect((await engine.application(id))!.status).toBe('pending');
    const told = await store.query<{ recipient: string }>("SELECT recipient FROM outbox WHERE application_id = $1 AND event = 'assigned' ORDER BY created_at, id", [id]);
    expect(told.map((r) => r.recipient)).toEqual(['counselor@wxy-2203', 'counselor@wxy-2203']);
    const [task] = await engine.todo('t-wang');
    expect(task).toMatchObject({ application: id, step: 'counselor-review' });
    const acted = await engine.act({ task: task.id, person: 't-wang', action: 'approve' });
    expect(acted.ok && acted.application.status).toBe('pending');
    const [college] = await engine.todo('t-chen');
    const done = await engine.act({ task: college.id, person: 't-chen', action: 'approve' });
    expect(done.ok && done.application.status).toBe('approved');
    expect((await engine.events(id)).filter((e) => e.type === 'unassigned')).toHaveLength(1);
  });

  it('a task whose holder left the directory becomes an incident; a withdrawn application closes its incident', async () => {
    const { engine, store } = await hall(kind);
    await importDirectory(store, people(WITH_COUNSELOR));
    const submitted = await engine.submit({ service: 'student-leave', applicant, data });
    if (!submitted.ok) throw new Error(submitted.message.zh);
    expect(submitted.application.status).toBe('pending');
    await importDirectory(store, people(NO_COUNSELOR));
    const both = await Promise.all([engine.reconcileIncidents(), engine.reconcileIncidents()]);
    expect(both.reduce((n, r) => n + r.raised, 0)).toBe(1);
    expect((await engine.application(submitted.application.id))!.status).toBe('incident');
    expect((await engine.events(submitted.application.id)).map((e) => e.type)).toEqual(['submitted', 'assigned', 'unassigned']);
    const withdrawn = await engine.withdraw({ application: submitted.application.id, applicant: applicant.id });
    expect(withdrawn.ok).toBe(true);
    expect(await engine.incidents()).toEqual([]);
    expect((await engine.incidents({ all: true }))[0]).toMatchObject({ resolution: 'withdrawn' });
  });

  it('a step whose scope reads a missing applicant attribute logs an unassigned event the schema accepts, and is listed', async () => {
    const { engine, store } = await hall(kind);
    await importDirectory(store, people(WITH_COUNSELOR));
    const { class: _class, ...noClass } = applicant.attributes;
    const submitted = await engine.submit({ service: 'student-leave', applicant: { id: applicant.id, attributes: noClass }, data });
    if (!submitted.ok) throw new Error(submitted.message.zh);
    expect(submitted.application.status).toBe('incident');
    const events = await engine.events(submitted.application.id);
    expect(events.at(-1)).toMatchObject({ type: 'unassigned', step: 'counselor-review', group: 'counselor', missing: 'applicant.class' });
    for (const e of events) expect(validEvent(e), JSON.stringify(validEvent.errors)).toBe(true);
    expect(await engine.incidents()).toEqual([expect.objectContaining({ reason: 'missing-value', missing: 'applicant.class', step: 'counselor-review' })]);
  });

  it('checks a routing field against the directory on submission (the interpreter gets the departments and people)', async () => {
    const { engine, store } = await hall(kind);
    const reloader = new Reloader({ engine, generated: path.join(ROOT, 'generated'), catalog: path.join(ROOT, 'catalog'), vocabulary: vocabularyNow });
    await importDirectory(store, people(WITH_COUNSELOR));
    await reloader.refreshEngineDirectory();
    const exemption = { studentName: '张晓明', studentNumber: '2023010101', major: '软件工程', phone: '13800000001', term: '2025-2026学年第二学期', courseCode: 'GX210031', courseName: '办公软件高级应用', credits: 2, teachingCollege: 'jsjxy', teacher: 'T2011052', courseNature: '选修课', exemptionType: '已取得相应证书或成绩', certificate: '全国计算机等级考试二级', evidence: ['计算机二级证书.pdf'], statement: '已取得证书。' };
    const student = { id: '2023010101', attributes: { name: '张晓明', number: '2023010101', college: 'jsj', class: 'jsj-2301', type: '本科生' } };
    const refused = await engine.submit({ service: 'course-exemption', applicant: student, data: exemption });
    expect(refused).toMatchObject({ ok: false, kind: 'invalid' });
    expect(!refused.ok && refused.kind === 'invalid' && refused.fieldErrors.map((e) => e.field)).toEqual(expect.arrayContaining(['teachingCollege', 'teacher']));
  });
});

describe.each(STORE_KINDS)('reloading generated/ on %s', (kind) => {
  it('refuses a tampered generated/ and one that lacks a version in use, keeping the running definitions', async () => {
    const { engine, store } = await hall(kind);
    const repo = mkdtempSync(path.join(tmpdir(), 'hall-reload-'));
    cpSync(path.join(ROOT, 'generated'), path.join(repo, 'generated'), { recursive: true });
    const reloader = new Reloader({ engine, generated: path.join(repo, 'generated'), catalog: path.join(ROOT, 'catalog'), vocabulary: vocabularyNow });
    const before = engine.runtime;
    expect((await reloader.reload()).definitions).toMatchObject({ ok: true, services: runtime.manifest.services.length });
    expect(engine.runtime).not.toBe(before);

    const kept = engine.runtime;
    appendFileSync(path.join(repo, 'generated/runtime/student-leave/v1.json'), ' ');
    const tampered = await reloader.reload();
    expect(tampered.ok).toBe(false);
    expect(tampered.definitions.problems.join('\n')).toContain('student-leave/v1.json: sha256 与清单不符');
    expect(engine.runtime).toBe(kept);

    cpSync(path.join(ROOT, 'generated/runtime/student-leave/v1.json'), path.join(repo, 'generated/runtime/student-leave/v1.json'));
    await importDirectory(store, people(WITH_COUNSELOR));
    const submitted = await engine.submit({ service: 'student-leave', applicant, data });
    if (!submitted.ok) throw new Error(submitted.message.zh);
    await store.run('UPDATE application SET version = 42 WHERE id = $1', [submitted.application.id]);
    const missing = await reloader.reload();
    expect(missing.definitions.ok).toBe(false);
    expect(missing.definitions.problems).toEqual([expect.stringContaining('student-leave v42：1 个办理中的申请使用这个版本')]);
    expect(engine.runtime).toBe(kept);
  });
});
