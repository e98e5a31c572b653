import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { Engine } from '../../server/engine/engine.ts';
import type { FiredTimer } from '../../server/engine/engine.ts';
import { buildApp } from '../../server/http/app.ts';
import { migrate } from '../../server/store/migrate.ts';
import { openStore } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { DIRECTORY, hallProcesses, exampleDirectory } from './processes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

const stores = storeFactory();
const { serve } = hallProcesses();

const leave = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '事假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '参加亲属婚礼一天' };

/** A CAS 3.0 server that vouches for anyone: enough to send a real ticket through the hall's callback. */
let cas: Server;
let casUrl = '';
beforeAll(async () => {
  cas = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' });
    res.end('<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>2022020315</cas:user><cas:attributes><cas:cn>李雨桐</cas:cn></cas:attributes></cas:authenticationSuccess></cas:serviceResponse>');
  });
  await new Promise<void>((resolve) => cas.listen(0, '127.0.0.1', () => resolve()));
  casUrl = `http://127.0.0.1:${(cas.address() as { port: number }).port}/cas`;
});
afterAll(() => cas.close());

function writeConfig(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'hall-config-')), 'hall-serve.yaml');
  writeFileSync(file, text);
  return file;
}

async function signIn(base: string, person: string) {
  const res = await fetch(`${base}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person }) });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const { csrf } = (await res.json()) as { csrf: string };
  const post = async (url: string, body: unknown) => {
    const r = await fetch(`${base}${url}`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, any> };
  };
  const get = async (url: string) => (await (await fetch(`${base}${url}`, { headers: { cookie } })).json()) as Record<string, any>;
  return { cookie, csrf, post, get };
}

/** Prometheus text format → `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) samples.set(m[1], Number(m[2]));
  }
  return samples;
}

async function scrape(base: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

const outboxTotal = (m: Map<string, number>) => ['pending', 'failed', 'undeliverable'].reduce((sum, s) => sum + (m.get(`hall_outbox_messages{status="${s}"}`) ?? 0), 0);

describe.each(STORE_KINDS)('logs and metrics of a running hall on %s', (kind) => {
  it('logs JSON lines with a request id, never a session cookie or a ticket, and engine events with their ids', async () => {
    const events = mkdtempSync(path.join(tmpdir(), 'hall-events-'));
    // The file says warn; HALL_LOG_LEVEL overrides it, so request lines (info) are written.
    const config = writeConfig(`log: { level: warn }\nidentity:\n  cas:\n    url: ${casUrl}\n    attributes: { name: cn }\n`);
    const { url, process: server } = await serve(['--dev', '--directory', DIRECTORY, '--events', events, '--store', await stores.location(kind), '--config', config], { HALL_LOG_LEVEL: 'info' });
    const collected: string[] = [];
    server.stdout!.on('data', (chunk: Buffer) => collected.push(chunk.toString()));
    const student = await signIn(url, '2022020315');
    const counselor = await signIn(url, 't-wang');
    const created = await student.post('/api/applications', { service: 'student-leave', data: leave });
    expect(created.status).toBe(201);
    const application = created.body.application.id as string;
    const [task] = (await counselor.get('/api/tasks')).tasks.filter((t: { application: string }) => t.application === application);
    expect((await counselor.post(`/api/tasks/${task.id}/decision`, { action: 'approve' })).status).toBe(200);
    const ticket = 'ST-4242-SECRETTICKET';
    const callback = await fetch(`${url}/auth/cas/callback?ticket=${ticket}`, { redirect: 'manual', headers: { authorization: 'Basic c2VjcmV0OnNlY3JldA==' } });
    expect(callback.status).toBe(302);
    const casCookie = callback.headers.get('set-cookie')!.split(';')[0].split('=')[1];
    const probe = await fetch(`${url}/api/me`, { headers: { cookie: student.cookie, 'x-request-id': 'proxy-req-000123' } });
    expect(probe.headers.get('x-request-id')).toBe('proxy-req-000123');
    // Messages without a reachable address fail on the next delivery round (every 5 s): logged, with ids.
    const deadline = Date.now() + 30_000;
    /** Complete lines only: a chunk may end inside one. */
    const lines = () => collected.join('').split('\n').slice(0, -1);
    while (!lines().some((l) => l.includes('"delivery-failed"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const parsed = lines().map((l) => JSON.parse(l) as Record<string, any>);
    // One line per request, with the request and its answer (server/http/logging.ts).
    const requests = parsed.filter((l) => l.msg === 'request completed');
    expect(requests.length).toBeGreaterThan(5);
    expect(parsed.filter((l) => l.msg === 'incoming request')).toEqual([]);
    for (const line of parsed.filter((l) => l.req || l.res)) expect(line.reqId, JSON.stringify(line)).toMatch(/^[\w.:-]{8,64}$/);
    expect(requests.find((l) => l.req.url === '/api/me' && l.reqId === 'proxy-req-000123')).toMatchObject({ req: { method: 'GET' }, res: { statusCode: 200 }, responseTime: expect.any(Number) });
    expect(new Set(requests.map((l) => l.reqId)).size).toBe(requests.length);
    expect(requests.find((l) => l.req.url.startsWith('/auth/cas/callback'))).toMatchObject({ req: { url: '/auth/cas/callback?ticket=[redacted]' }, res: { statusCode: 302 } });
    const text = collected.join('');
    for (const secret of [student.cookie.split('=')[1], counselor.cookie.split('=')[1], casCookie, student.csrf, counselor.csrf, ticket, 'c2VjcmV0OnNlY3JldA==']) expect(text).not.toContain(secret);
    expect(parsed.find((l) => l.event === 'submitted')).toMatchObject({ application, service: 'student-leave', reqId: expect.any(String) });
    expect(parsed.find((l) => l.event === 'decided')).toMatchObject({ application, task: task.id, action: 'approve' });
    expect(parsed.find((l) => l.event === 'delivery-failed')).toMatchObject({ level: 40, application: expect.any(String), message: expect.any(String), attempts: 1 });
    server.kill('SIGTERM');
    await server;
  }, 120_000);

  it('counts submissions and decisions, and reads open, overdue, outbox and incident figures from the store', async () => {
    const location = await stores.location(kind);
    const events = mkdtempSync(path.join(tmpdir(), 'hall-events-'));
    const { url, process: server } = await serve(['--dev', '--directory', DIRECTORY, '--events', events, '--store', location]);
    const before = await scrape(url);
    expect(before.get('hall_store_up')).toBe(1);
    expect(before.get('hall_tasks_open')).toBe(0);
    expect(before.get('hall_applications_submitted_total{service="student-leave"}') ?? 0).toBe(0);
    expect(before.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    const student = await signIn(url, '2022020315');
    const counselor = await signIn(url, 't-wang');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await student.post('/api/applications', { service: 'student-leave', data: leave })).body.application.id);
    const refused = await student.post('/api/applications', { service: 'student-leave', data: { ...leave, days: 100 } });
    expect(refused.status).toBe(422);
    const task = (await counselor.get('/api/tasks')).tasks.find((t: { application: string }) => t.application === ids[0]);
    expect((await counselor.post(`/api/tasks/${task.id}/decision`, { action: 'approve' })).status).toBe(200);
    expect((await student.post(`/api/applications/${ids[2]}/withdraw`, {})).status).toBe(200);

    const after = await scrape(url);
    expect(after.get('hall_applications_submitted_total{service="student-leave"}')).toBe(3);
    expect(after.get('hall_decisions_total{action="approve"}')).toBe(1);
    expect(after.get('hall_tasks_open')).toBe(1);
    expect(after.get('hall_tasks_overdue')).toBe(0);
    expect(after.get('hall_incidents_unassigned')).toBe(0);
    expect(outboxTotal(after)).toBeGreaterThan(outboxTotal(before));
    expect(after.get('hall_http_request_duration_seconds_count{method="POST",route="/api/applications",status="201"}')).toBe(3);
    expect(after.get('hall_http_request_duration_seconds_count{method="POST",route="/api/applications",status="422"}')).toBe(1);
    expect(after.get('hall_http_request_duration_seconds_count{method="POST",route="/api/tasks/:id/decision",status="200"}')).toBe(1);

    // Not from this machine directly: a request a proxy forwarded is refused without the token.
    const forwarded = await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(forwarded.status).toBe(403);
    expect(((await forwarded.json()) as { message: { zh: string } }).message.zh).toContain('metrics.token');

    if (kind === 'postgres') {
      // Several processes share PostgreSQL: the gauges are the database's, whatever changed them.
      const store = await stores.open(location);
      await store.run("UPDATE task SET due = '2020-01-06' WHERE status = 'open'");
      await store.run('UPDATE application SET status = $1 WHERE id = $2', ['incident', ids[1]]);
      const changed = await scrape(url);
      expect(changed.get('hall_tasks_overdue')).toBe(1);
      expect(changed.get('hall_incidents_unassigned')).toBe(1);
    }
    const last = outboxTotal(await scrape(url));
    server.kill('SIGTERM');
    await server;
    const store = await stores.open(location);
    const [{ n }] = await store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'failed', 'undeliverable')");
    expect(last).toBe(Number(n));
  }, 120_000);

  it('needs the configured bearer token for /metrics when one is set', async () => {
    const token = 'scrape-token-0123456789';
    const config = writeConfig(`metrics: { token: ${token} }\n`);
    const { url, process: server } = await serve(['--store', await stores.location(kind), '--config', config]);
    expect((await fetch(`${url}/metrics`)).status).toBe(403);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong-token-000000000' } })).status).toBe(403);
    const metrics = await scrape(url, { authorization: `Bearer ${token}` });
    expect(metrics.get('hall_store_up')).toBe(1);
    server.kill('SIGTERM');
    await server;
  }, 120_000);

  it('reports a task past its due date as overdue, and tells the log which timers the sweep fired', async () => {
    const runtime = await loadRuntime(path.join(ROOT, 'generated'));
    const store = await openStore(await stores.location(kind));
    try {
      await migrate(store);
      await importDirectory(store, await exampleDirectory());
      const fired: FiredTimer[] = [];
      // Submitted on 2026-03-02: its task was due days later, long before today.
      const engine = new Engine({ store, runtime, now: () => new Date('2026-03-02T01:00:00Z'), onTimer: (t) => fired.push(t) });
      const app = await buildApp({ engine, dev: true, secureCookies: false });
      const submitted = await engine.submit({ service: 'student-leave', applicant: { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } }, data: leave });
      expect(submitted.ok).toBe(true);
      const metrics = parseMetrics((await app.inject({ method: 'GET', url: '/metrics' })).body);
      expect(metrics.get('hall_tasks_open')).toBe(1);
      expect(metrics.get('hall_tasks_overdue')).toBe(1);
      await engine.sweep(new Date('2026-03-20T02:00:00Z'));
      const [task] = await engine.tasksOf(submitted.ok ? submitted.application.id : '');
      expect(fired).toEqual([{ kind: 'overdue', task: task.id, application: task.application }]);
      await app.close();
    } finally {
      await store.close();
    }
  }, 120_000);
});
