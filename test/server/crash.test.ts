import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import { openStore } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { DIRECTORY, hallProcesses } from './processes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

const stores = storeFactory();
const { serve } = hallProcesses();

async function signIn(base: string, person: string) {
  const res = await fetch(`${base}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person }) });
  const { csrf } = (await res.json()) as { csrf: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0], csrf };
}

const leave = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '事假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '参加亲属婚礼一天' };

describe.each(STORE_KINDS)('kill -9 under load on %s', (kind) => {
  it('keeps every acknowledged submission and approval exactly once, with its events', async () => {
    const location = await stores.location(kind);
    const events = mkdtempSync(path.join(tmpdir(), 'hall-events-'));
    const first = await serve(['--dev', '--directory', DIRECTORY, '--events', events, '--store', location]);
    const student = await signIn(first.url, '2022020315');
    const counselor = await signIn(first.url, 't-wang');
    const acknowledged: string[] = [];
    const approved: string[] = [];
    let stop = false;
    const post = (who: { cookie: string; csrf: string }, url: string, body: unknown) =>
      fetch(`${first.url}${url}`, { method: 'POST', headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const submitter = async () => {
      while (!stop) {
        try {
          const res = await post(student, '/api/applications', { service: 'student-leave', data: leave });
          if (res.status === 201) acknowledged.push(((await res.json()) as { application: { id: string } }).application.id);
        } catch {
          return; // the server is gone
        }
      }
    };
    const approver = async () => {
      while (!stop) {
        try {
          const tasks = ((await (await fetch(`${first.url}/api/tasks`, { headers: { cookie: counselor.cookie } })).json()) as { tasks: { id: string; application: string }[] }).tasks;
          for (const t of tasks.slice(0, 3)) {
            const res = await post(counselor, `/api/tasks/${t.id}/decision`, { action: 'approve' });
            if (res.status === 200) approved.push(t.application);
          }
        } catch {
          return;
        }
      }
    };
    const load = Promise.all([submitter(), submitter(), approver()]);
    // Kill once the load has done real work (was a fixed 2.5 s, too short on a busy machine): at least six
    // acknowledged submissions and one approval, then half a second more so the kill lands mid-write.
    for (const started = Date.now(); (acknowledged.length <= 5 || approved.length === 0) && Date.now() - started < 60_000; ) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    first.process.kill('SIGKILL');
    await first.process;
    stop = true;
    await load;
    expect(acknowledged.length).toBeGreaterThan(5);
    expect(approved.length).toBeGreaterThan(0);

    // Restart on the same store: it starts, and it holds everything it acknowledged, once.
    const second = await serve(['--events', events, '--store', location]);
    second.process.kill('SIGTERM');
    await second.process;
    const store = await openStore(location);
    try {
      const apps = await store.query<{ id: string; status: string; decisions: string; submitted_at: string; applicant: string; data: string }>('SELECT id, status, decisions, submitted_at, applicant, data FROM application');
      const byId = new Map(apps.map((a) => [a.id, a]));
      for (const id of acknowledged) expect(byId.has(id), `acknowledged ${id}`).toBe(true);
      for (const id of approved) expect(byId.get(id)?.status, `approved ${id}`).toBe('approved');
      expect(new Set(acknowledged).size).toBe(acknowledged.length);
      // Each application's events are exactly its interpreter run: nothing lost, nothing doubled.
      const runtime = await loadRuntime(path.join(ROOT, 'generated'));
      for (const a of apps) {
        const run = runWorkflow(runtime.current('student-leave'), runtime.calendar, { applicant: JSON.parse(a.applicant), data: JSON.parse(a.data), decisions: JSON.parse(a.decisions), submittedAt: a.submitted_at, service: { id: 'student-leave', name: '学生请假' } });
        const types = (await store.query<{ type: string }>('SELECT type FROM event WHERE application_id = $1 ORDER BY id', [a.id])).map((e) => e.type);
        expect(types).toEqual(run.timeline.map((t) => t.type));
        const tasks = await store.query<{ status: string }>('SELECT status FROM task WHERE application_id = $1', [a.id]);
        expect(tasks.filter((t) => t.status === 'open')).toHaveLength(a.status === 'pending' ? 1 : 0);
      }
    } finally {
      await store.close();
    }
  });
});
