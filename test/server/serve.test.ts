import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { HALL, NODE, ROOT } from '../helpers/cli.ts';
import { DIRECTORY, hallProcesses } from './processes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

const stores = storeFactory();
const { serve } = hallProcesses();

/** A signed-in browser-like client: keeps the session cookie and sends the CSRF token on changes. */
async function client(base: string, person: string) {
  const login = await fetch(`${base}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person }) });
  expect(login.status).toBe(200);
  const setCookie = login.headers.get('set-cookie')!;
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Lax/i);
  const cookie = setCookie.split(';')[0];
  const { csrf } = (await login.json()) as { csrf: string };
  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  return { get: (url: string) => call('GET', url), post: (url: string, body: unknown, headers?: Record<string, string>) => call('POST', url, body, headers) };
}

const leave = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' };

describe.each(STORE_KINDS)('hall serve on %s', (kind) => {
  it('takes 学生请假 from submission to approval over HTTP, and keeps each person to their own cases', async () => {
    const events = mkdtempSync(path.join(tmpdir(), 'hall-events-'));
    const { url, process: server } = await serve(['--dev', '--directory', DIRECTORY, '--events', events, '--store', await stores.location(kind)]);
    const student = await client(url, '2022020315');
    const other = await client(url, '2023010101');
    const counselor = await client(url, 't-wang');
    const wrongCounselor = await client(url, 't-liu');
    const deputy = await client(url, 't-chen');

    const bad = await student.post('/api/applications', { service: 'student-leave', data: { ...leave, days: 100 } });
    expect(bad.status).toBe(422);
    expect(bad.body.fieldErrors[0]).toMatchObject({ field: 'days' });

    const created = await student.post('/api/applications', { service: 'student-leave', data: leave, channel: 'wechat' });
    expect(created.status).toBe(201);
    const id = created.body.application.id as string;
    expect((await other.get(`/api/applications/${id}`)).status).toBe(404);
    expect((await wrongCounselor.get(`/api/applications/${id}`)).status).toBe(404);
    expect((await wrongCounselor.get('/api/tasks')).body.tasks).toEqual([]);

    const [task] = (await counselor.get('/api/tasks')).body.tasks;
    expect(task).toMatchObject({ application: id, step: 'counselor-review' });
    expect((await counselor.get(`/api/applications/${id}`)).status).toBe(200);
    expect((await wrongCounselor.post(`/api/tasks/${task.id}/decision`, { action: 'approve' })).status).toBe(403);
    expect((await counselor.post(`/api/tasks/${task.id}/decision`, { action: 'approve' }, { 'x-csrf-token': 'forged' })).status).toBe(403);
    expect((await counselor.post(`/api/tasks/${task.id}/decision`, { action: 'approve', extra: 1 })).status).toBe(400);

    const approved = await counselor.post(`/api/tasks/${task.id}/decision`, { action: 'approve', comment: '<script>alert(1)</script>' });
    expect(approved.status).toBe(200);
    const again = await counselor.post(`/api/tasks/${task.id}/decision`, { action: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ kind: 'conflict', actedBy: 't-wang' });

    const [college] = (await deputy.get('/api/tasks')).body.tasks;
    expect((await deputy.post(`/api/tasks/${college.id}/decision`, { action: 'approve' })).body.application.status).toBe('approved');
    const view = await student.get(`/api/applications/${id}`);
    expect(view.body.application.status).toBe('approved');
    expect(view.body.events.map((e: { type: string }) => e.type)).toEqual(['submitted', 'assigned', 'acted', 'copied', 'assigned', 'acted', 'completed']);
    expect(view.body.events[2].comment).toBe('<script>alert(1)</script>');
    expect((await student.get('/api/applications')).body.applications.map((a: { id: string }) => a.id)).toEqual([id]);

    server.kill('SIGTERM');
    const ended = await server;
    expect(ended.exitCode).toBe(0);
    expect(ended.all).toContain('已停止');

    // The event log it wrote is what `hall report` reads: the application is counted, once, as approved.
    const out = mkdtempSync(path.join(tmpdir(), 'hall-report-'));
    const report = await execa(NODE, [HALL, 'report', path.join(ROOT, 'catalog'), '--events', events, '--out', out], { reject: false, all: true, env: { NO_COLOR: '1' } });
    expect(report.exitCode).toBe(0);
    const figures = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    const service = figures.services.find((s: { id: string }) => s.id === 'student-leave');
    expect(service).toMatchObject({ applications: 1, approved: 1 });
  });
});

describe('hall serve refuses what it must', () => {
  it('has no persona login without --dev, and no session means 401', async () => {
    const { url } = await serve(['--directory', DIRECTORY, '--store', await stores.location('sqlite')]);
    const res = await fetch(`${url}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person: 't-wang' }) });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: { zh: string } }).message.zh).toContain('只在 hall serve --dev 下可用');
    expect((await fetch(`${url}/api/tasks`)).status).toBe(401);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('refuses an oversized body with 413 and a clear message', async () => {
    const { url } = await serve(['--dev', '--directory', DIRECTORY, '--store', await stores.location('sqlite')]);
    const student = await client(url, '2022020315');
    const res = await student.post('/api/applications', { service: 'student-leave', data: { ...leave, reason: 'x'.repeat(600 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.message.zh).toContain('太大');
  });

  it('will not start when applications in flight use a version generated/ no longer holds', async () => {
    const location = await stores.location('sqlite');
    const first = await serve(['--dev', '--directory', DIRECTORY, '--store', location]);
    const student = await client(first.url, '2022020315');
    const created = await student.post('/api/applications', { service: 'student-leave', data: leave });
    expect(created.status).toBe(201);
    first.process.kill('SIGTERM');
    await first.process;
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(location.replace(/^sqlite:/, ''));
    db.prepare('UPDATE application SET version = 42').run();
    db.close();
    const second = await execa(NODE, [HALL, 'serve', path.join(ROOT, 'catalog'), '--port', '0', '--store', location], { reject: false, env: { NO_COLOR: '1' }, all: true, timeout: 60_000 });
    expect(second.exitCode).toBe(1);
    expect(second.all).toContain('student-leave v42：1 个申请');
    expect(second.all).not.toMatch(/at .*\.ts:\d+/);
  });

  it('says which problems a broken directory export has, and does not start', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-dir-'));
    const file = path.join(dir, 'people.yaml');
    writeFileSync(file, 'people:\n  - id: a\n    name: 甲\n  - id: a\n    name: 乙\n  - id: "b c"\n    name: 丙\n');
    const result = await execa(NODE, [HALL, 'serve', path.join(ROOT, 'catalog'), '--port', '0', '--directory', file, '--store', await stores.location('sqlite')], { reject: false, all: true, timeout: 60_000 });
    expect(result.exitCode).toBe(1);
    // The same coded, positioned diagnostics as `hall directory check`, never a stack trace.
    expect(result.all).toContain(`${file}:4:9  错误  directory/duplicate-id`);
    expect(result.all).toContain('“a”在目录中出现了两次（第一次在第 2 行）');
    expect(result.all).toContain(`${file}:6:9  错误  directory/invalid-id`);
    expect(result.all).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('two hall serve processes on one PostgreSQL', () => {
  it('share sessions, tasks and the event log, and let exactly one of two approvers win', async () => {
    const location = await stores.location('postgres');
    const events = mkdtempSync(path.join(tmpdir(), 'hall-events-'));
    const a = await serve(['--dev', '--directory', DIRECTORY, '--events', events, '--store', location]);
    const b = await serve(['--dev', '--events', events, '--store', location]);
    const student = await client(a.url, '2022020315');
    const created = await student.post('/api/applications', { service: 'student-leave', data: leave });
    expect(created.status).toBe(201);
    const onA = await client(a.url, 't-wang');
    const onB = await client(b.url, 't-wang');
    const [task] = (await onB.get('/api/tasks')).body.tasks;
    const results = await Promise.all([onA.post(`/api/tasks/${task.id}/decision`, { action: 'approve' }), onB.post(`/api/tasks/${task.id}/decision`, { action: 'approve' })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    a.process.kill('SIGTERM');
    b.process.kill('SIGTERM');
    await Promise.all([a.process, b.process]);
    const lines = readdirSync(events).flatMap((f) => readFileSync(path.join(events, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['submitted', 'assigned', 'acted', 'copied', 'assigned']);
    expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
  });
});
