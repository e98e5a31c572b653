import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { hall } from '../helpers/cli.ts';
import { hallProcesses } from './processes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

vi.setConfig({ testTimeout: 240_000 });
const stores = storeFactory();
const { serve } = hallProcesses();

async function client(base: string, person?: string) {
  let cookie = '';
  let csrf = '';
  if (person) {
    const login = await fetch(`${base}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person }) });
    expect(login.status).toBe(200);
    cookie = login.headers.get('set-cookie')!.split(';')[0];
    csrf = ((await login.json()) as { csrf: string }).csrf;
  }
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  return { get: (url: string) => call('GET', url), post: (url: string, body: unknown = {}) => call('POST', url, body) };
}

const leave = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' };
/** The example directory without a counselor for wxy-2203, and with an IT-office member (office-staff@xxzx). */
const NO_COUNSELOR = 'id,name,holds,college,class\n2022020315,李雨桐,,wxy,wxy-2203\nt-chen,陈书记,department-deputy@wxy,wxy,\nt-it,信息化办,office-staff@xxzx,xxzx,\n';

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 120; i++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('timed out');
}

describe.each(STORE_KINDS)('hall serve on %s: directory reload, incidents, and the report', (kind) => {
  it('shows incidents to the IT office only, refuses a bad reload keeping the directory, resolves them on SIGHUP, and hall report counts them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-reload-'));
    const file = path.join(dir, 'people.csv');
    const events = path.join(dir, 'events');
    writeFileSync(file, NO_COUNSELOR);
    const { url, process: server } = await serve(['--dev', '--directory', file, '--events', events, '--store', await stores.location(kind)]);
    const student = await client(url, '2022020315');
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const created = await student.post('/api/applications', { service: 'student-leave', data: leave });
      expect(created.status).toBe(201);
      expect(created.body.application.status).toBe('incident');
      ids.push(created.body.application.id);
    }

    const it_ = await client(url, 't-it');
    expect((await (await client(url)).get('/api/admin/incidents')).status).toBe(401);
    expect((await (await client(url, 't-chen')).get('/api/admin/incidents')).status).toBe(403);
    expect((await (await client(url, 't-chen')).post('/api/admin/reload')).status).toBe(403);
    const listed = await it_.get('/api/admin/incidents');
    expect(listed.status).toBe(200);
    expect(listed.body.incidents.map((i: { application: string }) => i.application).sort()).toEqual([...ids].sort());
    expect(listed.body.incidents[0]).toMatchObject({ step: 'counselor-review', assignee: 'counselor@wxy-2203', reason: 'no-holder', since: expect.stringMatching(/^\d{4}-/) });

    // A bad export: refused with its diagnostics in the answer and in the log; the running directory stays.
    writeFileSync(file, `${NO_COUNSELOR}t-wang,王老师,counselr@wxy-2203,wxy,\n`);
    const refused = await it_.post('/api/admin/reload');
    expect(refused.status).toBe(422);
    expect(refused.body.definitions.ok).toBe(true);
    expect(refused.body.directory).toMatchObject({ ok: false, diagnostics: [{ code: 'directory/unknown-group', line: 5, column: 12, message: { zh: expect.stringContaining('是不是想写“counselor”') } }] });
    expect((await it_.get('/api/admin/incidents')).body.incidents).toHaveLength(2);
    expect((await fetch(`${url}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person: 't-wang' }) })).status).toBe(404);

    // The fixed export, on SIGHUP: the counselor holds the step, the incidents resolve, the cases go on.
    writeFileSync(file, `${NO_COUNSELOR}t-wang,王老师,counselor@wxy-2203,wxy,\n`);
    server.kill('SIGHUP');
    await until(() => it_.get('/api/admin/incidents'), (r) => r.body.incidents?.length === 0);
    const counselor = await client(url, 't-wang');
    const tasks = (await counselor.get('/api/tasks')).body.tasks as { id: string; application: string }[];
    expect(tasks.map((t) => t.application).sort()).toEqual([...ids].sort());
    expect((await counselor.post(`/api/tasks/${tasks[0].id}/decision`, { action: 'approve' })).status).toBe(200);
    expect((await student.get(`/api/applications/${ids[1]}`)).body.application.status).toBe('pending');

    server.kill('SIGTERM');
    const ended = await server;
    expect(ended.exitCode).toBe(0);
    expect(ended.all).toContain('directory/unknown-group');
    expect(ended.all).toContain('人员目录已导入');

    // The exported event log, read by hall report as a process: two steps nobody could be assigned.
    const out = path.join(dir, 'report');
    const report = await hall(['report', '--events', events, '--out', out, '--no-progress']);
    expect(report.exitCode, report.all).toBe(0);
    const data = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as { total: { stepsUnassigned: number; applications: number } };
    expect(data.total).toMatchObject({ applications: 2, stepsUnassigned: 2 });
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/无法分派的环节（事故） \| 2/);
  });
});
