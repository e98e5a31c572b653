import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { HALL, NODE, ROOT, hall } from '../helpers/cli.ts';

/**
 * Issue 14.5: `hall dev` — try a flow in the browser before go-live (002号文第九条: a flow test before a
 * service goes live). The CLI as a real process on a real git repository holding a copy of the example
 * catalog; the flow driven through the HTTP API as the personas would drive it in the browser.
 */

// A leave on campus: approved by the counselor, it is finished (an off-campus one adds the door sync and 销假).
const LEAVE = { studentName: '张晓明', studentNumber: '2023010101', phone: '13800000001', leaveType: '事假', period: { start: '2026-03-03', end: '2026-03-04' }, days: 2, leaveCampus: false, reason: '在校复习备考' };
const FILE = 'catalog/bwc/student-leave.yaml';

const cleanup: string[] = [];
const children: ResultPromise[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

/** A git repository with the example catalog, its generated/ and the example directory, committed. */
async function exampleRepo(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'hall-devtool-'));
  cleanup.push(root);
  for (const part of ['catalog', 'examples', 'generated']) await cp(path.join(ROOT, part), path.join(root, part), { recursive: true });
  const git = (...args: string[]) => execa('git', args, { cwd: root });
  await git('init', '-q', '-b', 'main');
  await git('-c', 'user.name=test', '-c', 'user.email=test@example.edu.cn', 'add', '-A');
  await git('-c', 'user.name=test', '-c', 'user.email=test@example.edu.cn', 'commit', '-q', '-m', 'example');
  return root;
}

/** The bytes of every file under a folder, as one digest. */
async function digest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (at: string) => {
    for (const entry of (await readdir(at, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else hash.update(`${path.relative(dir, full)}\0`).update(await readFile(full));
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

/** `hall dev` as a process, with its output collected and a way to wait for a line. */
function startDev(root: string, args: string[] = []) {
  const child = execa(NODE, [HALL, 'dev', '--port', '0', ...args], { cwd: root, reject: false, all: true, env: { NO_COLOR: '1' } });
  children.push(child);
  let output = '';
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  child.all!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const waitFor = async (pattern: RegExp, after = 0, ms = 180_000): Promise<RegExpMatchArray> => {
    const until = Date.now() + ms;
    for (;;) {
      const m = output.slice(after).match(pattern);
      if (m) return m;
      if (exited || Date.now() > until) throw new Error(`waiting for ${pattern}; output:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, waitFor, output: () => output };
}

/** A persona's session, as the preview's persona picker opens it. */
async function as(url: string, person: string) {
  const login = await fetch(`${url}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person }) });
  expect(login.status).toBe(200);
  const cookie = String(login.headers.get('set-cookie')).split(';')[0];
  const { csrf } = (await login.json()) as { csrf: string };
  return {
    get: (p: string) => fetch(`${url}${p}`, { headers: { cookie } }),
    post: (p: string, body: object) => fetch(`${url}${p}`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  };
}

describe('hall dev: try a flow before go-live', () => {
  it('runs 学生请假 on the working tree, shows the outbox, saves the run as a scenario hall test passes, rebuilds on save, and exits 130 on Ctrl-C', async () => {
    const root = await exampleRepo();
    const generatedBefore = await digest(path.join(root, 'generated'));
    const dev = startDev(root, ['--lang', 'en']);
    const [, url] = await dev.waitFor(/\(preview; seed 002 §9[^)]*\): (http:\/\/127\.0\.0\.1:\d+)\//);
    const [, temp] = await dev.waitFor(/temporary folder (\S+)\/generated /);
    await dev.waitFor(/Press Ctrl\+C to stop\./);
    // The personas are printed with their suggested roles, in English under --lang en.
    expect(dev.output()).toMatch(/counselor\s+t-liu\s+刘老师（计算机学院辅导员）\s+counselor@jsj-2301/);
    expect(dev.output()).toMatch(/applicant\s+2023010101\s+张晓明/);

    // The personas the picker offers, each with group@scope and a suggested role.
    const personas = (await (await fetch(`${url}/api/dev/personas`)).json()) as { personas: { id: string; holds: string[]; role: { zh: string } }[] };
    const role = Object.fromEntries(personas.personas.map((p) => [p.id, [p.role.zh, p.holds]]));
    expect(role).toMatchObject({ '2023010101': ['申请人', []], 't-liu': ['辅导员', ['counselor@jsj-2301']], 't-chen': ['学院', ['department-deputy@wxy']], 't-zhao': ['部门', ['office-staff@xgc']] });

    // The applicant submits; a run that has not finished cannot be a scenario yet.
    const student = await as(url, '2023010101');
    const submitted = await student.post('/api/applications', { service: 'student-leave', data: LEAVE });
    expect(submitted.status).toBe(201);
    const id = ((await submitted.json()) as { application: { id: string } }).application.id;
    const early = await student.post(`/api/dev/applications/${id}/scenario`, {});
    expect(early.status).toBe(409);
    expect(((await early.json()) as { message: { zh: string } }).message.zh).toContain('还没有办结');

    // The counselor decides.
    const counselor = await as(url, 't-liu');
    const tasks = (await (await counselor.get('/api/tasks')).json()) as { tasks: { id: string; application: string }[] };
    const task = tasks.tasks.find((t) => t.application === id)!;
    const decided = await counselor.post(`/api/tasks/${task.id}/decision`, { action: 'approve', comment: '同意，注意安全' });
    expect(decided.status).toBe(200);

    // What would have been sent: nothing left the machine, every message is listed.
    const outbox = (await (await fetch(`${url}/api/dev/outbox`)).json()) as { messages: { application: string; recipient: string; channel: string; subject: string; body: string; at: string; people: { id: string }[] }[] };
    const mine = outbox.messages.filter((m) => m.application === id);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const toCounselor = mine.find((m) => m.recipient === 'counselor@jsj-2301')!;
    expect(toCounselor).toMatchObject({ channel: 'email', subject: expect.stringContaining('学生请假'), people: [{ id: 't-liu' }], at: expect.any(String) });
    expect(toCounselor.body.length).toBeGreaterThan(0);
    expect(mine.some((m) => m.recipient.startsWith('applicant:'))).toBe(true);
    const outboxPage = await (await fetch(`${url}/dev/outbox`)).text();
    expect(outboxPage).toContain('预览');
    expect(outboxPage).toContain(toCounselor.subject);
    const runPage = await (await student.get(`/dev/applications/${id}`)).text();
    expect(runPage).toContain('保存为测试场景 / Save as scenario');

    // An off-campus leave: its door sync is called over HTTP on the preview's stand-in (the preview calls no
    // campus system; without it the call would fail into an incident), then the student's own 销假 ends it.
    const away = await student.post('/api/applications', { service: 'student-leave', data: { ...LEAVE, leaveCampus: true, destination: '湖南长沙', reason: '回家参加亲属婚礼' } });
    expect(away.status).toBe(201);
    const awayId = ((await away.json()) as { application: { id: string } }).application.id;
    const awayTask = ((await (await counselor.get('/api/tasks')).json()) as { tasks: { id: string; application: string }[] }).tasks.find((t) => t.application === awayId)!;
    expect((await counselor.post(`/api/tasks/${awayTask.id}/decision`, { action: 'approve' })).status).toBe(200);
    type View = { application: { status: string }; tasks: { step: string; status: string }[] };
    let view: View | undefined;
    for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      view = (await (await student.get(`/api/applications/${awayId}`)).json()) as View;
      if (view.tasks.some((t) => t.step === 'cancel-leave' && t.status === 'open') || view.application.status !== 'pending') break;
    }
    expect(view!.application.status).toBe('pending');
    expect(view!.tasks.find((t) => t.step === 'cancel-leave')?.status).toBe('open');
    const completed = await student.post(`/api/applications/${awayId}/complete`, { data: { returnedOn: '2026-03-04' } });
    expect(completed.status).toBe(200);
    expect(((await completed.json()) as { application: { status: string } }).application.status).toBe('approved');
    const calls = ((await (await fetch(`${url}/api/dev/outbox`)).json()) as { systemCalls: { application: string; connector: string; path: string; status: string; payload: Record<string, unknown> }[] }).systemCalls;
    expect(calls.filter((c) => c.application === awayId)).toEqual([
      expect.objectContaining({ connector: 'door-access', path: '/leave-permits', status: 'done', payload: { number: '2023010101', from: '2026-03-03', until: '2026-03-04', destination: '湖南长沙' } }),
    ]);
    expect(await (await fetch(`${url}/dev/outbox`)).text()).toContain('系统环节调用 / System calls');

    // Saved as a scenario: the file's diff is exactly the added block, and hall test passes it.
    const mark = dev.output().length;
    const saved = await student.post(`/api/dev/applications/${id}/scenario`, { name: '试办：两天事假，辅导员同意' });
    expect(saved.status).toBe(201);
    expect(((await saved.json()) as { file: string }).file).toBe(path.join(root, FILE));
    const diff = (await execa('git', ['diff', '-U0', '--', FILE], { cwd: root })).stdout;
    const changed = diff.split('\n').filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
    expect(changed.filter((l) => l.startsWith('-'))).toEqual([]);
    expect(diff.match(/^@@/gm)).toHaveLength(1);
    expect(changed[0]).toBe('+  - name: 试办：两天事假，辅导员同意');
    expect(changed).toContain('+      - { step: counselor-review, action: approve, comment: 同意，注意安全, at: ' + changed.find((l) => l.includes('at: '))!.split('at: ')[1]);
    expect(changed.join('\n')).toMatch(/outcome: approved\n\+\s+assignees: \{ counselor-review: counselor@jsj-2301 \}/);
    const tested = await hall(['test', '--lang', 'en'], { cwd: root });
    expect(tested.exitCode, tested.all).toBe(0);
    expect(tested.all).toContain('试办：两天事假，辅导员同意');
    // The same name again is refused, and the file is left as it is.
    const before = await readFile(path.join(root, FILE), 'utf8');
    const twice = await student.post(`/api/dev/applications/${id}/scenario`, { name: '试办：两天事假，辅导员同意' });
    expect(twice.status).toBe(409);
    expect(await readFile(path.join(root, FILE), 'utf8')).toBe(before);

    // The watcher picked the save up; an edit of the service is rebuilt and reloaded.
    await dev.waitFor(/Rebuilt and reloaded/, mark);
    const mark2 = dev.output().length;
    // The edit also sends a two-day leave on to the college: the run saved above no longer replays as it ran.
    await writeFile(path.join(root, FILE), before.replace('zh: 学生请假审批', 'zh: 学生请假审批（试办）').replace('if: days > 3', 'if: days > 1'));
    await dev.waitFor(/Rebuilt and reloaded/, mark2);
    const stale = await student.post(`/api/dev/applications/${id}/scenario`, { name: '试办：改过流程之后' });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { message: { zh: string } }).message.zh).toMatch(/无法写成测试场景：按场景重放时结果不同（路径：预期 counselor-review，实际 counselor-review|结果：预期 approved，实际 pending/);
    const again = await student.post('/api/applications', { service: 'student-leave', data: LEAVE });
    expect(again.status).toBe(201);
    const second = ((await again.json()) as { application: { id: string } }).application.id;
    const latest = (await (await fetch(`${url}/api/dev/outbox`)).json()) as { messages: { application: string; subject: string }[] };
    expect(latest.messages.find((m) => m.application === second)!.subject).toContain('学生请假审批（试办）');

    // An edit that fails hall check prints positioned diagnostics and keeps the running definitions.
    const mark3 = dev.output().length;
    await writeFile(path.join(root, FILE), before.replace('owner: bwc', 'owner: nobody'));
    await dev.waitFor(/the last good definitions keep running/, mark3);
    expect(dev.output().slice(mark3)).toMatch(/catalog\/bwc\/student-leave\.yaml:\d+:\d+/);
    expect((await fetch(`${url}/api/dev/outbox`)).status).toBe(200);

    // The repository's generated/ was never written; Ctrl-C exits 130 and removes the temporary folder.
    expect(await digest(path.join(root, 'generated'))).toBe(generatedBefore);
    expect(existsSync(temp)).toBe(true);
    dev.child.kill('SIGINT');
    const result = await dev.child;
    expect(result.exitCode).toBe(130);
    expect(existsSync(temp)).toBe(false);
  }, 600_000);

  it('refuses to start on a catalog with errors, listing them as hall check does', async () => {
    const root = await exampleRepo();
    const file = path.join(root, FILE);
    await writeFile(file, (await readFile(file, 'utf8')).replace('owner: bwc', 'owner: nobody'));
    const check = await hall(['check', '--lang', 'en'], { cwd: root });
    const result = await hall(['dev', '--port', '0', '--lang', 'en'], { cwd: root });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('The catalog has errors; the preview cannot start.');
    const located = check.stdout.match(/catalog\/bwc\/student-leave\.yaml:\d+:\d+\s+\S+\s+\S+/)![0];
    expect(result.stdout).toContain(located);
    expect(result.stdout).not.toMatch(/\n\s+at .*\.ts:\d+/);
  }, 180_000);

  it('with --service marks the personas its flow needs: any holder of a group scoped by the application, the named department\'s for a fixed one', async () => {
    const root = await exampleRepo();
    const dev = startDev(root, ['--service', 'student-leave']);
    await dev.waitFor(/按 Ctrl\+C 结束。/);
    const out = dev.output();
    expect(out).toContain('试办事项：学生请假审批（student-leave）');
    expect(out).toMatch(/\* 辅导员\S*\s+t-liu /);
    expect(out).toMatch(/\* 学院\S*\s+t-chen /);
    expect(out).toMatch(/\* 部门\S*\s+t-zhao /);
    expect(out).toMatch(/\* 申请人\S*\s+2022020315 /);
    // office-staff@xxzx (the IT office) holds the group but not the department xgc-review names.
    expect(out).toMatch(/\n {4}部门\S*\s+t-it /);
    dev.child.kill('SIGINT');
    expect((await dev.child).exitCode).toBe(130);
  }, 300_000);

  it('refuses a directory export with errors before building anything, positioned as hall directory check prints it', async () => {
    const root = await exampleRepo();
    const bad = path.join(root, 'examples/bad-directory.yaml');
    await writeFile(bad, 'people:\n  - id: t-x\n    name: 某老师\n    holds: [fudaoyuan@wxy-2203]\n');
    const result = await hall(['dev', '--port', '0', '--directory', bad, '--lang', 'en'], { cwd: root });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('hall dev: the directory export has errors; cannot start');
    expect(result.stdout).toMatch(/bad-directory\.yaml:4:\d+/);
    expect(result.stdout).toContain('fudaoyuan');
    expect(result.all).not.toMatch(/\n\s+at .*\.ts:\d+/);
  }, 180_000);

  it('refuses an unknown --service with the closest name, and a bad --port, before starting anything', async () => {
    const root = await exampleRepo();
    const unknown = await hall(['dev', '--service', 'student-leav', '--lang', 'en'], { cwd: root });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.all).toContain('No service "student-leav" in the catalog. Did you mean "student-leave"?');
    const port = await hall(['dev', '--port', '70000'], { cwd: root });
    expect(port.exitCode).toBe(2);
    expect(port.all).toContain('--port 应为 0–65535');
  }, 180_000);
});
