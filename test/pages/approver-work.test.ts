import { gzipSync } from 'node:zlib';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HALL, NODE, ROOT } from '../helpers/cli.ts';
import { launchChromium } from '../site/helpers.ts';
import { as, inspect as inspectPage, pageSession, smtpReceiver, testDirectory, watch as watchFor } from './hall.ts';

/**
 * Issue 14.6 as pages (no script), in a real Chromium against a real `hall serve --dev`: 常用意见 picked
 * into the comment and managed, 批注 beside the field for approvers only, 转办 → 委派 → 交回 on the task
 * page, 抄送给我 and 知悉, 委托 (a stand-in acts; "由 X 代 Y 办理" in the trail and the 审批单, `onBehalfOf`
 * in the event log, counted by `hall report`), 批量审批 with one task taken by someone else first, 催办
 * rate-limited and mailed to the holder. Every new route refuses another user's session and a missing
 * CSRF token; XSS payloads typed into phrases and notes are shown as text. 学生请假's counselor step is
 * given `batch: true` and 加签/委派 in a copy of the catalog (the example's allows 转办 only).
 */
const XSS = `<script>alert('x')</script><img src=x onerror=alert('y')>"'&`;
const children: ResultPromise[] = [];
const cleanup: string[] = [];
let browser: Browser;
const problems: string[] = [];
const watch = (page: Page) => watchFor(page, problems);
/** Screenshots named pages-work-<name>-<width>.png. */
const inspect = (page: Page, name: string) => inspectPage(page, `work-${name}`);

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  for (const c of children) c.kill('SIGKILL');
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

/** A git repository with the example catalog, 学生请假's counselor step allowing batch, 加签 and 委派; built. */
async function catalogCopy(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'hall-apages-'));
  cleanup.push(root);
  for (const part of ['catalog', 'examples', 'generated']) await cp(path.join(ROOT, part), path.join(root, part), { recursive: true });
  const file = path.join(root, 'catalog/bwc/student-leave.yaml');
  const yaml = await readFile(file, 'utf8');
  const changed = yaml.replace('      actions: [approve, reject, return, transfer]\n', '      actions: [approve, reject, return, transfer, add-approver, delegate]\n      batch: true\n');
  expect(changed).not.toBe(yaml);
  await (await import('node:fs/promises')).writeFile(file, changed);
  const git = (...args: string[]) => execa('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.edu.cn', ...args], { cwd: root });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'example');
  const built = await execa(NODE, [HALL, 'build'], { cwd: root, reject: false, all: true, env: { NO_COLOR: '1' } });
  expect(built.exitCode, built.all).toBe(0);
  return root;
}

async function serve(root: string, smtpPort: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'hall-apages-run-'));
  cleanup.push(dir);
  const events = path.join(dir, 'events');
  const child = execa(NODE, [HALL, 'serve', path.join(root, 'catalog'), '--port', '0', '--dev', '--directory', testDirectory(), '--store', `sqlite:${path.join(dir, 'hall.db')}`, '--files', path.join(dir, 'files'), '--events', events, '--smtp', `smtp://127.0.0.1:${smtpPort}`, '--mail-from', 'ehall@example.edu.cn'], { reject: false, all: true, env: { NO_COLOR: '1' } });
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.all!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void child.then(() => reject(new Error(`hall serve exited: ${out}`)));
  });
  return { url, events, child };
}

/** A session over plain HTTP (for what is not the feature under test, and for the refusals). */
const session = (url: string, person: string) => pageSession(url, person);

const LEAVE = (reason: string) => ({
  'f.studentName': '李雨桐', 'f.studentNumber': '2022020315', 'f.phone': '13800000002', 'f.leaveType': '事假',
  'f.period.start': '2026-03-03', 'f.period.end': '2026-03-04', 'f.days': '2', 'f.leaveCampus': 'false', 'f.reason': reason, _action: 'submit',
});

describe('the approver work pages (issue 14.6)', () => {
  it('常用意见, 批注, 转办/委派/交回, 抄送给我, 委托, 批量审批 and 催办 through the pages; refusals on every new route', async () => {
    const smtp = await smtpReceiver();
    const root = await catalogCopy();
    const hall = await serve(root, smtp.port);
    const { url } = hall;
    const a11y: string[] = [];
    const student = await session(url, '2022020315');
    const submit = async (reason: string) => {
      const r = await student.post('/apply/student-leave', LEAVE(reason));
      expect(r.status, r.text.slice(0, 2000)).toBe(303);
      return /\/applications\/([^/?]+)/.exec(r.location)![1];
    };
    const apps = { noted: await submit('家中有事 A'), standIn: await submit('家中有事 B'), handed: await submit('家中有事 C'), batch1: await submit('家中有事 D'), batch2: await submit('家中有事 E'), urged: await submit('家中有事 F') };
    const wangHttp = await session(url, 't-wang');
    const reasons = new Map(Object.entries(apps).map(([k, v]) => [v, `家中有事 ${'ABCDEF'['noted standIn handed batch1 batch2 urged'.split(' ').indexOf(k)]}`]));
    /** The open task of an application in a person's 待办 (found by its 请假事由). */
    const taskOf = async (app: string, who = wangHttp) => {
      const todo = (await who.get('/tasks')).text;
      const ids = [...new Set([...todo.matchAll(/href="\/tasks\/([^"?/]+)"/g)].map((m) => m[1]))];
      for (const id of ids) if ((await who.get(`/tasks/${id}`)).text.includes(reasons.get(app)!)) return id;
      return undefined;
    };

    // ---- 常用意见: added on its page (one of them an XSS payload, shown as text), picked into the comment by a link.
    const wang = await as(browser, url, 't-wang');
    const w = watch(wang.page);
    await w.goto(`${url}/phrases`);
    await w.fill('#phrase-text', `情况属实，同意。`);
    await Promise.all([w.waitForURL(/done=added/), w.click('form[action^="/phrases"] button[type="submit"]:not([aria-label])')]);
    await w.fill('#phrase-text', `核实 ${XSS}`);
    await Promise.all([w.waitForURL(/done=added/), w.click('form[action^="/phrases"] button[type="submit"]:not([aria-label])')]);
    expect(await w.textContent('main')).toContain(`核实 ${XSS}`);
    a11y.push(...(await inspect(w, 'phrases')));
    const phraseId = /action="\/phrases\/([^/"]+)\/delete/.exec(await w.content())![1];

    const notedTask = (await taskOf(apps.noted))!;
    expect(notedTask).toBeTruthy();
    await w.goto(`${url}/tasks/${notedTask}`);
    await Promise.all([w.waitForLoadState(), w.click('.phrases a:has-text("情况属实")')]);
    expect(await w.inputValue('#comment')).toBe('情况属实，同意。');
    await Promise.all([w.waitForLoadState(), w.click(`.phrases a:has-text("核实")`)]);
    expect(await w.inputValue('#comment')).toBe(`核实 ${XSS}`);

    // ---- 批注: a note on 请假事由, shown beside it on the task page; the applicant's page does not show it.
    await w.selectOption('#note-field', 'reason');
    await w.fill('#note-text', `请核实病历 ${XSS}`);
    await Promise.all([w.waitForURL(/done=noted/), w.click('form[action$="/annotate"] button')]);
    const reasonRow = w.locator('.facts > div', { has: w.locator('dt', { hasText: '请假事由' }) });
    expect(await reasonRow.locator('dd.annotations').textContent()).toContain(`请核实病历 ${XSS}`);
    a11y.push(...(await inspect(w, 'task-tools')));
    expect((await student.get(`/applications/${apps.noted}`)).text).not.toContain('请核实病历');

    // ---- 转办 to a colleague of the post, who 委派s to the secretary, who hands it back; then approves (抄送 to 宿管).
    const handed = (await taskOf(apps.handed))!;
    await w.goto(`${url}/tasks/${handed}`);
    // The hand-overs are folded (<details>): opened from the keyboard.
    await w.focus('details:has(#transfer-to) > summary');
    await w.keyboard.press('Enter');
    await w.selectOption('#transfer-to', 't-wang2');
    await w.fill('#transfer-comment', '本周外出，请吴老师办理');
    await Promise.all([w.waitForURL(/\/tasks\?acted=/), w.click('form[action$="/hand-over"] button[value="transfer"]')]);
    expect((await wangHttp.get(`/tasks/${handed}`)).text).toContain('转办给 吴老师');
    // The trail names the person now holding it, not the whole post.
    expect((await student.get(`/applications/${apps.handed}`)).text).toContain('办理人：吴老师（外国语学院辅导员） · ');
    const wu = await as(browser, url, 't-wang2');
    const u = watch(wu.page);
    await u.goto(`${url}/tasks/${handed}`);
    await u.click('details:has(#delegate-to) > summary');
    await u.fill('#delegate-to', 't-sec');
    await Promise.all([u.waitForURL(/\/tasks\?acted=/), u.click('form[action$="/hand-over"] button[value="delegate"]')]);
    const sec = await as(browser, url, 't-sec');
    const sp = watch(sec.page);
    await sp.goto(`${url}/tasks/${handed}`);
    // A delegate only hands back: no decision buttons.
    expect(await sp.locator('button[value="approve"]').count()).toBe(0);
    await sp.fill('#resolve-comment', '已电话核实');
    a11y.push(...(await inspect(sp, 'delegated-task')));
    await Promise.all([sp.waitForURL(/\/tasks\?acted=/), sp.click('button[value="resolve"]')]);
    await u.goto(`${url}/tasks/${handed}`);
    await Promise.all([u.waitForURL(/\/tasks\?acted=/), u.click('button[value="approve"]')]);
    const trail = (await student.get(`/applications/${apps.handed}`)).text;
    expect(trail).toContain('转办给 吴老师');
    expect(trail).toContain('委派给 外国语学院教务秘书 孙老师');
    expect(trail).toContain('办完交回');

    // ---- 抄送给我: the dorm manager sees the copy and acknowledges it.
    const dorm = await as(browser, url, 't-su');
    const dp = watch(dorm.page);
    await dp.goto(`${url}/copies`);
    expect(await dp.textContent('main')).toContain('学生请假');
    const copyId = /action="\/copies\/([^/"]+)\/acknowledge/.exec(await dp.content())![1];
    a11y.push(...(await inspect(dp, 'copies')));
    await Promise.all([dp.waitForURL(/done=acknowledged/), dp.click(`form[action="/copies/${copyId}/acknowledge"] button`)]);
    expect(await dp.textContent('main')).toContain('已知悉');

    // ---- 委托: 王老师 hands his tasks to 刘老师 (a counselor of another class) for four days; 刘老师 acts for him.
    await w.goto(`${url}/stand-ins`);
    await w.selectOption('#s-standIn', 't-liu');
    const today = await w.inputValue('#s-starts');
    const end = new Date(Date.parse(`${today}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
    await w.fill('#s-ends', end);
    await Promise.all([w.waitForURL(/done=added/), w.click('form[action="/stand-ins"] button')]);
    expect(await w.textContent('main')).toContain('生效中');
    a11y.push(...(await inspect(w, 'stand-ins')));
    const standInId = /action="\/stand-ins\/([^/"]+)\/end/.exec(await w.content())![1];
    const liu = await as(browser, url, 't-liu');
    const lp = watch(liu.page);
    const liuHttp = await session(url, 't-liu');
    const standInTask = (await taskOf(apps.standIn, liuHttp))!;
    expect(standInTask).toBeTruthy();
    await lp.goto(`${url}/tasks/${standInTask}`);
    expect(await lp.textContent('main')).toContain('您正在代 王老师');
    await lp.fill('#comment', '代王老师审核，同意');
    await Promise.all([lp.waitForURL(/\/tasks\?acted=/), lp.click('button[value="approve"]')]);
    const standTrail = (await student.get(`/applications/${apps.standIn}`)).text;
    expect(standTrail).toMatch(/由 刘老师[^<]* 代 王老师[^<]* 办理/);
    const record = (await student.get(`/applications/${apps.standIn}/record`)).text;
    expect(record).toMatch(/刘老师[^<]*（代 王老师[^<]* 办理）/);
    // 王老师 ends it on the page.
    await w.goto(`${url}/stand-ins`);
    await Promise.all([w.waitForURL(/done=ended/), w.click(`form[action="/stand-ins/${standInId}/end"] button`)]);
    expect(await w.textContent('main')).toContain('已于');

    // ---- 批量审批: two tasks ticked; 吴老师 approves one of them first, which is explained as such.
    const b2 = (await taskOf(apps.batch2))!;
    await w.goto(`${url}/tasks`);
    const boxes = w.locator('form[action="/tasks/batch"] input[name="task"]');
    expect(await boxes.count()).toBeGreaterThanOrEqual(2);
    const b1 = (await taskOf(apps.batch1))!;
    await w.check(`input[name="task"][value="${b1}"]`);
    await w.check(`input[name="task"][value="${b2}"]`);
    await w.fill('#batch-comment', '同意');
    const wuHttp = await session(url, 't-wang2');
    const wuPage = (await wuHttp.get(`/tasks/${b2}`)).text;
    expect(wuPage).toContain('办理');
    expect((await wuHttp.post(`/tasks/${b2}`, { action: 'approve' })).status).toBe(303);
    await Promise.all([w.waitForLoadState(), w.click('form[action="/tasks/batch"] button[type="submit"]')]);
    expect(await w.textContent('[role="status"]')).toContain('已同意 1 件');
    expect(await w.textContent('.batch-failed')).toContain('吴老师（外国语学院辅导员） 已于');
    expect(await w.textContent('.batch-failed')).toContain('学生请假审批 · 辅导员审核');
    a11y.push(...(await inspect(w, 'batch-result')));

    // ---- 催办: once, then refused with when it is possible again; the holder is mailed.
    const stu = await as(browser, url, '2022020315');
    const st = watch(stu.page);
    await st.goto(`${url}/applications/${apps.urged}`);
    await Promise.all([st.waitForURL(/done=urged/), st.click('form[action$="/urge"] button')]);
    expect(await st.textContent('#urge-next')).toMatch(/后可再次催办/);
    a11y.push(...(await inspect(st, 'urged')));
    const again = await student.post(`/applications/${apps.urged}/urge`, {});
    expect(again.status).toBe(429);
    expect(again.text).toContain('后可以再次催办');
    await expect.poll(() => smtp.mails.filter((m) => m.to.includes('wang@example.edu.cn') && Buffer.from(m.data).toString().includes('催办')).length + smtp.mails.filter((m) => m.to.includes('wang@example.edu.cn') && /=E5=82=AC=E5=8A=9E|5YKs5Yqe/.test(m.data)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);

    // English mirror of a new page.
    await w.goto(`${url}/lang/en?next=/copies`);
    await w.goto(`${url}/stand-ins`);
    expect(await w.textContent('h1')).toBe('Stand-ins');
    a11y.push(...(await inspect(w, 'stand-ins-en')));

    // Page weight: the task page with its tools, HTML + CSS gzipped.
    const taskHtml = (await wangHttp.get(`/tasks/${notedTask}`)).text;
    const css = await (await fetch(`${url}${/href="(\/assets\/hall-[^"]+\.css)"/.exec(taskHtml)![1]}`)).text();
    const weight = gzipSync(taskHtml).length + gzipSync(css).length;
    expect(weight).toBeLessThanOrEqual(30 * 1024);

    // ---- Another user's session (IDOR) and a missing or wrong CSRF token, on every new route.
    const other = await session(url, '2023010101');
    const openTask = (await taskOf(apps.noted))!;
    const refusals: [string, Record<string, string | string[]>, number[]][] = [
      [`/phrases/${phraseId}/delete`, {}, [404]],
      [`/stand-ins/${standInId}/end`, {}, [404]],
      [`/copies/${copyId}/acknowledge`, {}, [404]],
      [`/tasks/${openTask}/annotate`, { field: 'reason', text: 'x' }, [404]],
      [`/tasks/${openTask}/hand-over`, { action: 'transfer', to: '2023010101' }, [403, 404]],
      [`/applications/${apps.urged}/urge`, {}, [404]],
      ['/tasks/batch', { task: openTask }, [409]],
    ];
    for (const [route, fields, codes] of refusals) {
      const r = await other.post(route, fields);
      expect(codes, `${route}: ${r.status}`).toContain(r.status);
      expect(r.text).not.toContain('李雨桐');
      expect((await other.post(route, fields, null)).status, route).toBe(403);
      expect((await other.post(route, fields, 'forged')).status, route).toBe(403);
    }
    expect((await other.get(`/tasks/${openTask}`)).status).toBe(404);
    // The owner's phrase and stand-in are still there; the copy still acknowledged once; the task still open.
    expect((await wangHttp.get('/phrases')).text).toContain(`/phrases/${phraseId}/delete`);
    expect((await wangHttp.get(`/tasks/${openTask}`)).text).toContain('button class="button" type="submit" name="action" value="approve"');
    // Also the right person without the token: refused, nothing changed.
    expect((await wangHttp.post(`/phrases/${phraseId}/delete`, {}, null)).status).toBe(403);
    expect((await wangHttp.get('/phrases')).text).toContain(`/phrases/${phraseId}/delete`);

    expect(problems).toEqual([]);
    expect(a11y).toEqual([]);

    // ---- The event log and the report.
    hall.child.kill('SIGTERM');
    await hall.child;
    const files = (await readdir(hall.events)).filter((f) => f.endsWith('.jsonl'));
    const events = (await Promise.all(files.map((f) => readFile(path.join(hall.events, f), 'utf8'))))
      .join('\n')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, string>);
    const of = (app: string) => events.filter((e) => e.instance === app);
    expect(of(apps.standIn).find((e) => e.type === 'acted')).toMatchObject({ action: 'approve', person: 't-liu', onBehalfOf: 't-wang' });
    expect(of(apps.handed).map((e) => e.type)).toEqual(expect.arrayContaining(['transferred', 'delegated', 'resolved', 'acted', 'copied', 'acknowledged']));
    expect(of(apps.handed).find((e) => e.type === 'transferred')).toMatchObject({ to: 't-wang2', comment: '本周外出，请吴老师办理' });
    expect(of(apps.batch1).find((e) => e.type === 'acted')).toMatchObject({ action: 'approve', comment: '同意' });
    expect(of(apps.urged).filter((e) => e.type === 'urged')).toHaveLength(1);
    const out = await mkdtemp(path.join(tmpdir(), 'hall-apages-report-'));
    cleanup.push(out);
    const report = await execa(NODE, [HALL, 'report', path.join(root, 'catalog'), '--events', hall.events, '--out', out, '--no-progress'], { reject: false, all: true, env: { NO_COLOR: '1' } });
    expect(report.exitCode, report.all).toBe(0);
    const figures = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(figures.total.urged).toBe(1);
    expect(figures.total.standIns).toBe(1);
    const html = await readFile(path.join(out, 'index.html'), 'utf8').catch(async () => readFile(path.join(out, (await readdir(out)).find((f) => f.endsWith('.html'))!), 'utf8'));
    expect(html).toContain('委托代办');
  }, 600_000);
});
