import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HALL, NODE, ROOT } from '../helpers/cli.ts';
import { launchChromium } from '../site/helpers.ts';
import { as, inspect, smtpReceiver, startHall, watch as watchFor } from './hall.ts';

/**
 * 学生请假 through the hall's pages in a real Chromium against a real `hall serve --dev`, in three roles:
 * the student applies for 5 days, the counselor returns it, the student revises and resubmits, the
 * counselor approves (a second counselor who acted late is told who came first), the college approves,
 * the student sees 已办结 and rates it. Every page kind passes axe and is photographed at 360 and 1280 px;
 * the mails reach the test's SMTP server, the event log has every step, and `hall report` counts the rating.
 */
const XSS = `<script>alert('x')</script><img src=x onerror=alert('y')>"'&`;
let browser: Browser;
const problems: string[] = [];
const watch = (page: Page) => watchFor(page, problems);

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('学生请假 through the pages, in three roles', () => {
  it('applies, is returned, revises, is approved twice, and is rated; mails, events and the report agree', async () => {
    const smtp = await smtpReceiver();
    const hall = await startHall(['--smtp', `smtp://127.0.0.1:${smtp.port}`, '--mail-from', 'ehall@example.edu.cn']);
    const { url } = hall;
    const a11y: string[] = [];

    const student = await as(browser, url, '2022020315');
    const s = watch(student.page);
    await s.goto(`${url}/apply/student-leave`);
    // Prefilled from the directory: name, number, phone.
    expect(await s.inputValue('#f-studentName')).toBe('李雨桐');
    expect(await s.inputValue('#f-studentNumber')).toBe('2022020315');
    expect(await s.inputValue('#f-phone')).toBe('13800000002');
    a11y.push(...(await inspect(s, 'apply')));
    // Keyboard: the first Tab reaches the skip link; every control is a native one, reachable in order.
    await s.keyboard.press('Tab');
    expect(await s.evaluate('document.activeElement.className')).toBe('skip');
    const stops: string[] = [];
    for (let i = 0; i < 40 && !stops.includes('draft'); i++) {
      await s.keyboard.press('Tab');
      stops.push(String(await s.evaluate('document.activeElement.name === "_action" ? document.activeElement.value : document.activeElement.name || document.activeElement.tagName')));
    }
    expect(stops).toEqual(expect.arrayContaining(['f.leaveType', 'f.period.start', 'f.period.end', 'f.days', 'f.reason', 'u.proof', 'submit', 'draft']));

    // A draft survives a closed tab.
    await s.selectOption('#f-leaveType', '病假');
    await s.fill('#f-reason', '草稿：急性肠胃炎');
    await Promise.all([s.waitForLoadState(), s.click('button[value="draft"]')]);
    await expect.poll(() => s.textContent('[role="status"]')).toContain('草稿已于');
    const again = watch(await student.context.newPage());
    await again.goto(`${url}/apply/student-leave`);
    expect(await again.inputValue('#f-reason')).toBe('草稿：急性肠胃炎');
    expect(await again.inputValue('#f-leaveType')).toBe('病假');
    await again.close();

    // Field-level Chinese errors: days out of range, the period missing.
    await s.fill('#f-days', '100');
    await Promise.all([s.waitForLoadState(), s.click('button[value="submit"]')]);
    expect(await s.textContent('#errors')).toContain('处需要修改');
    expect(await s.textContent('.field.bad')).toBeTruthy();
    expect(await s.locator('#f-days').getAttribute('aria-invalid')).toBe('true');
    expect(await s.textContent('#f-days-err')).toMatch(/不能大于|最大|60/);
    a11y.push(...(await inspect(s, 'apply-errors')));

    await s.fill('#f-period', '2026-03-02');
    await s.fill('input[name="f.period.end"]', '2026-03-06');
    await s.fill('#f-days', '5');
    await s.check('input[name="f.leaveCampus"][value="false"]');
    // Typed into a field the answers hide (not leaving campus): dropped, not refused.
    await s.fill('#f-destination', '武汉');
    await s.fill('#f-reason', `急性肠胃炎住院治疗 ${XSS}`);
    await Promise.all([s.waitForURL(/\/applications\/[^/?]+\?done=submitted$/), s.click('button[value="submit"]')]);
    const id = /\/applications\/([^/?]+)/.exec(s.url())![1];
    expect(await s.textContent('[role="status"]')).toContain('申请已提交');
    expect(await s.textContent('main')).toContain(XSS);
    expect(await s.textContent('.timeline')).toContain('辅导员审核');
    expect(await s.textContent('.timeline')).toContain('王老师');
    a11y.push(...(await inspect(s, 'application')));
    await s.goto(`${url}/applications`);
    expect(await s.textContent('main')).toContain('办理中');
    a11y.push(...(await inspect(s, 'my-applications')));

    // The counselor returns it with a comment; the second counselor opens the same task meanwhile.
    const counselor = await as(browser, url, 't-wang');
    const c = watch(counselor.page);
    expect(await c.textContent('main')).toContain('学生请假');
    a11y.push(...(await inspect(c, 'todo')));
    await c.click('.cards a');
    expect(await c.textContent('main')).toContain(XSS);
    a11y.push(...(await inspect(c, 'task')));
    await c.fill('#comment', `请附上医院证明 ${XSS}`);
    await Promise.all([c.waitForURL(/\/tasks\?acted=/), c.click('button[value="return"]')]);

    await s.goto(`${url}/applications/${id}`);
    expect(await s.textContent('.status')).toContain('已退回');
    expect(await s.textContent('.alert')).toContain(`请附上医院证明 ${XSS}`);
    a11y.push(...(await inspect(s, 'returned')));
    await s.fill('#f-reason', `急性肠胃炎住院治疗，已附医院证明 ${XSS}`);
    // Revised to a leave off campus (回家休养): the destination shows and is asked for; approved, the door system
    // is synced (a system step, answered by the preview's stand-in) and the student must 销假.
    await s.check('input[name="f.leaveCampus"][value="true"]');
    await s.fill('#f-destination', '湖北武汉家中');
    await Promise.all([s.waitForURL(/done=resubmitted/), s.click('form[action$="/resubmit"] button[type="submit"]')]);
    expect(await s.textContent('.timeline')).toContain('修改后重新提交');

    const late = await as(browser, url, 't-wang2');
    const l = watch(late.page);
    await l.click('.cards a');
    await l.fill('#comment', '同意');

    await c.goto(`${url}/tasks`);
    await c.click('.cards a');
    await Promise.all([c.waitForURL(/\/tasks\?acted=/), c.click('button[value="approve"]')]);
    const conflict = await Promise.all([l.waitForLoadState(), l.click('button[value="approve"]')]);
    void conflict;
    expect(await l.textContent('[role="alert"]')).toContain('王老师（外国语学院辅导员） 于');
    expect(await l.textContent('[role="alert"]')).toContain('您的决定没有保存');
    a11y.push(...(await inspect(l, 'conflict')));
    await c.goto(`${url}/tasks?view=done`);
    expect(await c.textContent('main')).toContain('学生请假');
    a11y.push(...(await inspect(c, 'done')));

    // 5 days > 3: the college's deputy secretary approves.
    const deputy = await as(browser, url, 't-chen');
    const d = watch(deputy.page);
    await d.click('.cards a');
    await Promise.all([d.waitForURL(/\/tasks\?acted=/), d.click('button[value="approve"]')]);

    // 销假 (issue 15.1): approved, the leave waits for the student's own step; 我的申请 says so with its due date.
    // The door sync is called after the commit (within the hall's 5-second round), then 销假 is the student's.
    await expect
      .poll(async () => {
        await s.goto(`${url}/applications`);
        return s.textContent('.cards');
      }, { timeout: 30_000 })
      .toMatch(/待您办理：销假 · 期限 \d{4}-\d{2}-\d{2}/);
    await s.goto(`${url}/applications/${id}`);
    expect(await s.textContent('.status')).not.toContain('已办结');
    expect(await s.textContent('#own-step-title')).toBe('待您办理：销假');
    a11y.push(...(await inspect(s, 'own-step')));
    // The step's required field is required.
    await s.click('form[action$="/complete"] button');
    expect(await s.textContent('.errors')).toContain('实际返校日期');
    await s.fill('#f-returnedOn', '2026-03-06');
    await Promise.all([s.waitForURL(/done=completed/), s.click('form[action$="/complete"] button')]);
    expect(await s.textContent('.status')).toContain('已办结');
    expect(await s.textContent('.timeline')).toContain('“销假”：已完成');
    a11y.push(...(await inspect(s, 'finished')));
    await s.check('input[name="rating"][value="满意"]');
    await s.fill('#rate-comment', `办理很快 ${XSS}`);
    await Promise.all([s.waitForURL(/done=rated/), s.click('form[action$="/evaluate"] button')]);
    expect(await s.textContent('main')).toContain(`办理很快 ${XSS}`);
    // A second rating is refused.
    expect(await s.locator('form[action$="/evaluate"]').count()).toBe(0);

    const personas = watch(await browser.newPage({ bypassCSP: true }));
    await personas.goto(`${url}/dev/personas`);
    expect(await personas.textContent('.preview')).toContain('预览 / preview');
    a11y.push(...(await inspect(personas, 'personas')));
    // English mirror.
    await s.click('a[href^="/lang/en"]');
    expect(await s.textContent('h2')).toBeTruthy();
    expect(await s.textContent('main')).toContain('Completed (approved)');
    // The English pages name the hall in English (hall.yaml's name.en, carried in the runtime manifest).
    expect(await s.textContent('.brand')).toBe('Jiangcheng University Online Service Hall');
    expect(await s.title()).toContain('Jiangcheng University Online Service Hall');
    a11y.push(...(await inspect(s, 'finished-en')));

    expect(problems).toEqual([]);
    expect(a11y).toEqual([]);

    // The mails reach the SMTP server: the student's (submitted, returned, approved) and the counselors'.
    await expect.poll(() => smtp.mails.filter((m) => m.to.includes('liyutong@example.edu.cn')).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    expect(smtp.mails.some((m) => m.to.includes('wang@example.edu.cn'))).toBe(true);

    hall.process.kill('SIGTERM');
    await hall.process;
    const events = readFileSync(path.join(hall.events, (await import('node:fs')).readdirSync(hall.events).find((f) => f.endsWith('.jsonl'))!), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; instance: string; rating?: string; step?: string; action?: string });
    const mine = events.filter((e) => e.instance === id);
    expect(mine.map((e) => (e.type === 'acted' ? `${e.type}:${e.step}:${e.action}` : e.type))).toEqual([
      'submitted',
      'assigned',
      'acted:counselor-review:return',
      'returned',
      'resubmitted',
      'assigned',
      'acted:counselor-review:approve',
      // 学生请假 copies the college's 宿管 when the counselor approves (抄送, issue 15.6).
      'copied',
      'assigned',
      'acted:college-review:approve',
      // The door sync (a system step, issue 15.3): called, then recorded done.
      'called',
      'acted:door-sync:approve',
      // 销假, the student's own step (issue 15.1).
      'assigned',
      'acted:cancel-leave:complete',
      'completed',
      'rated',
    ]);
    expect(mine.at(-1)?.rating).toBe('满意');
    const out = mkdtempSync(path.join(tmpdir(), 'hall-pages-report-'));
    const report = await execa(NODE, [HALL, 'report', path.join(ROOT, 'catalog'), '--events', hall.events, '--out', out, '--no-progress'], { reject: false, all: true, env: { NO_COLOR: '1' } });
    expect(report.exitCode, report.all).toBe(0);
    const figures = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    const service = figures.services.find((x: { id: string }) => x.id === 'student-leave');
    expect(service).toMatchObject({ applications: 1, approved: 1 });
    expect(JSON.stringify(service)).toMatch(/"ratings":\[0,1,0,0,0\]|"满意":1/);
  }, 480_000);
});
