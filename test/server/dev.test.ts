import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { Engine } from '../../server/engine/engine.ts';
import { buildApp } from '../../server/http/app.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { DIRECTORY, exampleDirectory, hallProcesses } from './processes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/** Issue 14.5: the preview's own routes (server/http/dev.ts) exist only in the preview. */
const stores = storeFactory();
const { serve } = hallProcesses();
let runtime: LoadedRuntime;
const temps: string[] = [];
beforeAll(async () => {
  runtime = await loadRuntime(path.join(ROOT, 'generated'));
});
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

const LEAVE = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' };
const DEV_ADDRESSES: [string, string][] = [
  ['GET', '/api/dev/personas'],
  ['GET', '/api/dev/outbox'],
  ['POST', '/api/dev/applications/0000000001/scenario'],
  ['GET', '/dev/outbox'],
  ['GET', '/dev/applications/0000000001'],
  ['GET', '/dev'],
];

describe('hall serve --dev without --directory (the README quick start)', () => {
  it('imports the example directory, so the persona picker lists the applicant and the counselor of 学生请假', async () => {
    const events = await mkdtemp(path.join(tmpdir(), 'hall-events-'));
    const files = await mkdtemp(path.join(tmpdir(), 'hall-files-'));
    temps.push(events, files);
    const { url, process: dev } = await serve(['--dev', '--events', events, '--files', files, '--store', await stores.location('sqlite')]);
    const { personas } = (await (await fetch(`${url}/api/dev/personas`)).json()) as { personas: { id: string }[] };
    dev.kill('SIGTERM');
    await dev;
    const ids = personas.map((p) => p.id);
    // 2022020315 applies; t-wang is the counselor of wxy-2203 (examples/directory.yaml).
    expect(ids).toContain('2022020315');
    expect(ids).toContain('t-wang');
  });
});

describe('hall serve without --dev', () => {
  it('refuses every dev route and page with 404 and says they exist only in the preview; with --dev they answer', async () => {
    const events = await mkdtemp(path.join(tmpdir(), 'hall-events-'));
    const files = await mkdtemp(path.join(tmpdir(), 'hall-files-'));
    temps.push(events, files);
    const common = ['--directory', DIRECTORY, '--events', events, '--files', files];
    const { url, process: live } = await serve([...common, '--store', await stores.location('sqlite')]);
    for (const [method, address] of DEV_ADDRESSES) {
      const res = await fetch(`${url}${address}`, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
      expect([address, res.status]).toEqual([address, 404]);
      expect([address, ((await res.json()) as { message: { zh: string; en: string } }).message]).toEqual([
        address,
        { zh: '这个地址只在预览（hall dev 或 hall serve --dev）中存在。', en: 'This address exists only in the preview (hall dev or hall serve --dev).' },
      ]);
    }
    live.kill('SIGTERM');
    await live;
    const { url: preview, process: dev } = await serve(['--dev', ...common, '--store', await stores.location('sqlite')]);
    expect((await fetch(`${preview}/api/dev/personas`)).status).toBe(200);
    expect((await fetch(`${preview}/dev/outbox`)).status).toBe(200);
    dev.kill('SIGTERM');
    await dev;
  }, 120_000);
});

describe.each(STORE_KINDS)('the preview on %s', (kind) => {
  let app: FastifyInstance;
  let engine: Engine;
  let catalog: string;
  beforeAll(async () => {
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    await importDirectory(store, await exampleDirectory());
    engine = new Engine({ store, runtime });
    const copy = await mkdtemp(path.join(tmpdir(), 'hall-dev-catalog-'));
    temps.push(copy);
    catalog = path.join(copy, 'catalog');
    await cp(path.join(ROOT, 'catalog'), catalog, { recursive: true });
    app = await buildApp({ engine, dev: true, secureCookies: false, catalog });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function as(person: string) {
    const login = await app.inject({ method: 'POST', url: '/api/dev/login', payload: { person } });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const { csrf } = login.json() as { csrf: string };
    return {
      get: (url: string) => app.inject({ method: 'GET', url, headers: { cookie } }),
      post: (url: string, payload: object, token = csrf) => app.inject({ method: 'POST', url, payload, headers: { cookie, 'x-csrf-token': token } }),
    };
  }

  it('lists the personas with group@scope and a suggested role, and the outbox with what would have been sent', async () => {
    const personas = app.inject({ method: 'GET', url: '/api/dev/personas' });
    const list = (await personas).json().personas as { id: string; name: string; holds: string[]; role: { zh: string; en: string } }[];
    expect(list.map((p) => [p.id, p.role.zh, p.holds])).toEqual([
      ['2022020315', '申请人', []],
      ['2023010101', '申请人', []],
      ['L001', '校领导', ['party-secretary']],
      ['L002', '校领导', ['president']],
      ['L003', '校领导', ['leader-in-charge@jsj', 'leader-in-charge@jwc', 'leader-in-charge@kyc']],
      ['L004', '校领导', ['leader-in-charge@gjc', 'leader-in-charge@rsc', 'leader-in-charge@sjc']],
      ['T2004012', '部门', ['department-head@sjc']],
      ['T2005009', '部门', ['department-head@xcb']],
      ['T2005097', '部门', ['department-head@dzb']],
      ['T2006002', '部门', ['department-head@xgc']],
      ['T2006021', '部门', ['department-head@hqc']],
      ['T2007015', '部门', ['department-deputy@jwc']],
      ['T2007119', '部门', ['department-head@kyc']],
      ['T2008011', '学院', ['department-head@jsj']],
      ['T2008026', '部门', ['department-deputy@xcb']],
      ['T2008090', '部门', ['department-deputy@yjsy']],
      ['T2009017', '部门', ['supervisor@jsj-ds01']],
      ['T2009033', '部门', ['department-deputy@bwc']],
      ['T2009104', '部门', ['department-deputy@cwc']],
      ['T2010023', '学院', ['department-deputy@jsj']],
      ['T2010040', '部门', ['department-head@tw']],
      ['T2011019', '部门', ['department-deputy@xgc']],
      ['T2011061', '部门', ['office-staff@zzb']],
      ['T2011110', '部门', ['office-staff@rsc']],
      ['T2012031', '部门', ['office-staff@jwc']],
      ['T2012048', '部门', ['office-staff@sjc']],
      ['T2012094', '部门', ['office-staff@dzb']],
      ['T2012116', '部门', ['office-staff@kyc']],
      ['T2013042', '部门', ['office-staff@xcb']],
      ['T2013050', '部门', ['office-staff@bwc']],
      ['T2013088', '部门', ['office-staff@yjsy']],
      ['T2014036', '学院', ['foreign-affairs-secretary@jsj', 'office-staff@jsj', 'research-secretary@jsj']],
      ['T2014067', '部门', ['office-staff@hqc']],
      ['T2014101', '部门', ['office-staff@cwc']],
      ['T2015032', '申请人', []],
      ['T2015077', '部门', ['club-advisor@T2015077', 'course-teacher@T2015077']],
      ['T2015083', '部门', ['office-staff@gjc']],
      ['T2015113', '部门', ['office-staff@tsg']],
      ['T2016045', '学院', ['academic-secretary@jsj', 'graduate-secretary@jsj']],
      ['T2016072', '部门', ['office-staff@tw']],
      ['T2016107', '部门', ['office-staff@zcc']],
      ['T2017058', '学院', ['league-secretary@jsj']],
      ['Y2023080105', '申请人', []],
      ['t-chen', '学院', ['department-deputy@wxy']],
      ['t-it', '部门', ['office-staff@xxzx']],
      ['t-liu', '辅导员', ['counselor@jsj-2301']],
      ['t-su', '学院', ['dorm-manager@wxy']],
      ['t-wang', '辅导员', ['counselor@wxy-2203']],
      ['t-zhao', '部门', ['office-staff@xgc']],
      ['t-zhou', '辅导员', ['counselor@wxy-2203']],
    ]);
    const student = await as('2022020315');
    const created = await student.post('/api/applications', { service: 'student-leave', data: LEAVE });
    expect(created.statusCode).toBe(201);
    const id = created.json().application.id as string;
    const outbox = (await app.inject({ method: 'GET', url: '/api/dev/outbox' })).json().messages as { application: string; recipient: string; people: { id: string; name: string }[]; subject: string; body: string }[];
    const mine = outbox.filter((m) => m.application === id);
    expect(mine.map((m) => m.recipient).sort()).toEqual(['applicant:李雨桐', 'counselor@wxy-2203']);
    expect(mine.find((m) => m.recipient === 'counselor@wxy-2203')).toMatchObject({ people: [{ id: 't-wang' }, { id: 't-zhou' }], subject: `【${runtime.manifest.hall.name}】学生请假审批`, body: expect.stringContaining('李雨桐同学提交了5天的请假申请') });
  });

  it('walks 本科课程教材选用审批 to its end with the personas: 教务处 returns it to the college\'s deputy, who and 教务处 then act again', async () => {
    const teacher = await as('T2015032');
    const data = { teacherName: '周文斌', teacherUnit: 'jsj', term: '2026-2027学年第一学期', courseName: '操作系统', classes: '计科2401-2404', copies: 158, bookTitle: '操作系统概念（第十版）', isbn: '9787111604365', origin: '国内出版', reason: '本教材为计算机专业核心课程经典教材，与课程教学大纲一致。' };
    const created = await teacher.post('/api/applications', { service: 'textbook-selection', data });
    expect(created.statusCode).toBe(201);
    const id = created.json().application.id as string;
    const decide = async (person: string, body: object) => {
      const task = (await engine.tasksOf(id)).find((t) => t.status === 'open');
      expect(task, `a task open for ${person}`).toBeDefined();
      const res = await (await as(person)).post(`/api/tasks/${task!.id}/decision`, body);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    await decide('T2016045', { action: 'approve' });
    await decide('T2010023', { action: 'approve' });
    await decide('T2012031', { action: 'return', returnTo: 'deputy-review', comment: '请附学院教材选用委员会的审核意见' });
    await decide('T2010023', { action: 'approve', comment: '已附审核意见' });
    const last = await decide('T2012031', { action: 'approve' });
    expect(last.application.status).toBe('approved');
  });

  it('serves the pages as escaped HTML marked as the preview; the run page needs a session and hides others\' runs', async () => {
    const student = await as('2022020315');
    const counselor = await as('t-wang');
    const id = (await student.post('/api/applications', { service: 'student-leave', data: LEAVE })).json().application.id as string;
    const script = '<script>alert(1)</script>';
    const task = (await engine.tasksOf(id)).find((t) => t.status === 'open')!.id;
    expect((await counselor.post(`/api/tasks/${task}/decision`, { action: 'return', comment: `请补诊断证明${script}` })).statusCode).toBe(200);

    const outboxPage = await app.inject({ method: 'GET', url: '/dev/outbox' });
    expect(outboxPage.headers['content-type']).toMatch(/^text\/html/);
    expect(outboxPage.headers['x-content-type-options']).toBe('nosniff');
    expect(outboxPage.body).toContain('预览');
    expect(outboxPage.body).toContain('请补诊断证明&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(outboxPage.body).not.toContain(script);

    expect((await app.inject({ method: 'GET', url: `/dev/applications/${id}` })).statusCode).toBe(401);
    expect((await (await as('2023010101')).get(`/dev/applications/${id}`)).statusCode).toBe(404);
    for (const hostile of ['..%2F..', '%00', 'a'.repeat(5000), "1'%20OR%20'1'%3D'1"]) {
      const res = await student.get(`/dev/applications/${hostile}`);
      expect([400, 404, 414]).toContain(res.statusCode);
      expect(res.body).not.toContain('李雨桐');
    }
    const run = await student.get(`/dev/applications/${id}`);
    expect(run.statusCode).toBe(200);
    expect(run.body).toContain('预览');
    expect(run.body).toContain('保存为测试场景 / Save as scenario');
    expect(run.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(run.body).not.toContain(script);
  });

  it('saves a finished run into the service file; refuses runs that are not finished, withdrawn, or not the asker\'s to see', async () => {
    const student = await as('2022020315');
    const counselor = await as('t-wang');
    const deputy = await as('t-chen');
    const submit = async () => (await student.post('/api/applications', { service: 'student-leave', data: LEAVE })).json().application.id as string;
    const taskOf = async (id: string) => (await engine.tasksOf(id)).find((t) => t.status === 'open')!.id;

    // Returned and waiting for the applicant: not finished.
    const returned = await submit();
    await counselor.post(`/api/tasks/${await taskOf(returned)}/decision`, { action: 'return', comment: '请上传医院诊断证明' });
    const notYet = await student.post(`/api/dev/applications/${returned}/scenario`, {});
    expect([notYet.statusCode, notYet.json().message.zh]).toEqual([409, expect.stringContaining('已退回，等待申请人修改')]);

    // Withdrawn: no scenario outcome says so.
    const withdrawn = await submit();
    await student.post(`/api/applications/${withdrawn}/withdraw`, { reason: '病已好' });
    const gone = await student.post(`/api/dev/applications/${withdrawn}/scenario`, {});
    expect([gone.statusCode, gone.json().message.zh]).toEqual([409, expect.stringContaining('撤回')]);

    // The returned run finished: resubmitted, then approved by the counselor and the college.
    await student.post(`/api/applications/${returned}/resubmit`, { changes: { reason: '急性肠胃炎住院治疗，附医院证明' } });
    await counselor.post(`/api/tasks/${await taskOf(returned)}/decision`, { action: 'approve' });
    await deputy.post(`/api/tasks/${await taskOf(returned)}/decision`, { action: 'approve', comment: '同意' });

    // Session and CSRF as for every change; someone who may not see the application gets 404.
    expect((await app.inject({ method: 'POST', url: `/api/dev/applications/${returned}/scenario`, payload: {} })).statusCode).toBe(401);
    expect((await student.post(`/api/dev/applications/${returned}/scenario`, {}, 'wrong')).statusCode).toBe(403);
    expect((await (await as('2023010101')).post(`/api/dev/applications/${returned}/scenario`, {})).statusCode).toBe(404);
    expect((await student.post(`/api/dev/applications/${returned}/scenario`, { name: '' })).statusCode).toBe(400);

    const file = path.join(catalog, 'bwc/student-leave.yaml');
    const before = await readFile(file, 'utf8');
    const saved = await student.post(`/api/dev/applications/${returned}/scenario`, { name: '退回补证明后学院同意（试办）' });
    expect(saved.statusCode).toBe(201);
    const after = await readFile(file, 'utf8');
    // Only lines were added, all at the end of the scenarios list, which ends the file.
    expect(after.startsWith(before)).toBe(true);
    const scenarios = (parse(after) as { scenarios: Record<string, any>[] }).scenarios;
    const last = scenarios.at(-1)!;
    expect(last).toMatchObject({
      name: '退回补证明后学院同意（试办）',
      applicant: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' },
      data: LEAVE,
      decisions: [
        { step: 'counselor-review', action: 'return', comment: '请上传医院诊断证明', revise: { reason: '急性肠胃炎住院治疗，附医院证明' } },
        { step: 'counselor-review', action: 'approve' },
        { step: 'college-review', action: 'approve', comment: '同意' },
      ],
      expect: { path: ['counselor-review', 'counselor-review', 'college-review'], outcome: 'approved', assignees: { 'counselor-review': 'counselor@wxy-2203', 'college-review': 'department-deputy@wxy' } },
    });
    // The applicant's attributes as the hall held them, in a stable order.
    expect(Object.keys(last.applicant)).toEqual(['class', 'college', 'name', 'number', 'phone', 'type']);
    expect(last.submittedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    for (const d of last.decisions) expect(d.at).toMatch(/\+08:00$/);
  });
});
