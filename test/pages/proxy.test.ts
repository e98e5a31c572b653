import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium } from '../site/helpers.ts';
import { as, inspect, smtpReceiver, startHall } from './hall.ts';

/**
 * 代理申请 and privacy through the pages in a real Chromium against a real `hall serve --dev`: 学生工作处's
 * case officer applies for 李雨桐 (the form prefilled from her directory entry), she sees it in 我的申请
 * with the proxy named and gets an e-mail, the counselor sees her phone masked on the task page, shows it
 * in full (recorded) and approves; the trail, the 审批单 and the event log name the proxy, and the IT
 * office's view log lists the counselor's view. Each new page passes axe and is photographed at 360 and 1280.
 */
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('代理申请 through the pages', () => {
  it('the office applies for a student; she sees who did; the counselor reads her phone masked, reveals it (recorded) and approves', async () => {
    const smtp = await smtpReceiver();
    const hall = await startHall(['--smtp', `smtp://127.0.0.1:${smtp.port}`, '--mail-from', 'ehall@example.edu.cn']);
    const { url } = hall;
    const a11y: string[] = [];

    const office = (await as(browser, url, 't-zhao')).page;
    await office.goto(`${url}/proxy`);
    a11y.push(...(await inspect(office, 'proxy-list')));
    await Promise.all([office.waitForURL(/\/proxy\/student-leave$/), office.click('a[href="/proxy/student-leave"]')]);
    // An unknown person: said so, in Chinese, with the number kept for correcting.
    await office.fill('#person', '2022029999');
    await Promise.all([office.waitForLoadState(), office.click('button[type="submit"]')]);
    expect(await office.textContent('[role="alert"]')).toContain('人员目录中没有学号/工号为“2022029999”的人员');
    a11y.push(...(await inspect(office, 'proxy-person-unknown')));
    await office.fill('#person', '2022020315');
    await Promise.all([office.waitForURL(/person=2022020315/), office.click('button[type="submit"]')]);
    // Prefilled from the student's directory entry, not the officer's.
    expect(await office.inputValue('#f-studentName')).toBe('李雨桐');
    expect(await office.inputValue('#f-studentNumber')).toBe('2022020315');
    expect(await office.inputValue('#f-phone')).toBe('13800000002');
    expect(await office.textContent('.proxy-for')).toContain('您正在代 李雨桐（2022020315）申请');
    // No file control that would lose its files: attachments are the applicant's own to upload.
    expect(await office.locator('input[type="file"]').count()).toBe(0);
    a11y.push(...(await inspect(office, 'proxy-form')));
    await office.selectOption('#f-leaveType', '病假');
    await office.fill('#f-period', '2026-03-02');
    await office.fill('input[name="f.period.end"]', '2026-03-03');
    await office.fill('#f-days', '2');
    await office.check('input[name="f.leaveCampus"][value="false"]');
    await office.fill('#f-reason', '急性阑尾炎住院，本人无法登录，学生工作处代为登记');
    await Promise.all([office.waitForURL(/\/applications\/[^/?]+\?done=submitted$/), office.click('button[type="submit"]')]);
    const id = /\/applications\/([^/?]+)/.exec(office.url())![1];
    expect(await office.textContent('.facts')).toContain('由 赵老师（学生工作处） 代为申请');
    await office.goto(`${url}/proxy`);
    expect(await office.textContent('main')).toContain('李雨桐（2022020315）');

    // The student: 我的申请 names the proxy; so does the trail; an e-mail told her.
    const student = (await as(browser, url, '2022020315')).page;
    await student.goto(`${url}/applications`);
    expect(await student.textContent('.cards')).toContain('由 赵老师（学生工作处） 代为申请');
    a11y.push(...(await inspect(student, 'my-applications-proxy')));
    await student.goto(`${url}/applications/${id}`);
    expect(await student.textContent('.timeline')).toContain('提交申请（由 赵老师（学生工作处） 代为申请）');
    // The notice's text is encoded in the mail (quoted-printable or base64): decoded before reading.
    const decoded = (data: string) => {
      const [, body = ''] = data.split(/\r?\n\r?\n/, 2).length > 1 ? [null, data.slice(data.search(/\r?\n\r?\n/))] : [null, data];
      const qp = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
      const b64 = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8');
      return `${qp}\n${b64}`;
    };
    await expect.poll(() => smtp.mails.filter((m) => m.to.includes('liyutong@example.edu.cn') && decoded(m.data).includes('代您提交')).length, { timeout: 30_000 }).toBe(1);

    // The counselor: the phone masked, the button, the full view (recorded), then the decision.
    const counselor = (await as(browser, url, 't-wang')).page;
    await counselor.goto(`${url}/tasks`);
    await Promise.all([counselor.waitForURL(/\/tasks\/[^/?]+$/), counselor.click(`a[href^="/tasks/"]`)]);
    const main = await counselor.textContent('main');
    expect(main).toContain('138****0002');
    expect(main).not.toContain('13800000002');
    expect(main).toContain('由 赵老师（学生工作处） 代为申请');
    a11y.push(...(await inspect(counselor, 'task-masked')));
    await Promise.all([counselor.waitForLoadState(), counselor.click('form.reveal button')]);
    expect(await counselor.textContent('main')).toContain('13800000002');
    a11y.push(...(await inspect(counselor, 'task-full')));
    await Promise.all([counselor.waitForURL(/\/tasks\?acted=/), counselor.click('button[value="approve"]')]);

    await student.goto(`${url}/applications/${id}`);
    expect(await student.textContent('.facts')).toContain('已办结');
    expect(await student.textContent('.facts')).toContain('由 赵老师（学生工作处） 代为申请');
    a11y.push(...(await inspect(student, 'application-proxy')));
    await student.goto(`${url}/applications/${id}/record`);
    expect(await student.textContent('body')).toContain('由 赵老师（学生工作处）（t-zhao）代为申请');
    await student.screenshot({ path: path.join(ARTIFACTS, 'pages-record-proxy-1280.png'), fullPage: true });

    // The IT office's view log: the counselor's full view of the task page.
    const itOffice = (await as(browser, url, 't-it')).page;
    await itOffice.goto(`${url}/admin/field-views`);
    const log = await itOffice.textContent('main');
    expect(log).toContain('王老师（外国语学院辅导员）');
    expect(log).toContain('POST /tasks/:id/full');
    expect(log).toContain('phone');
    a11y.push(...(await inspect(itOffice, 'field-views')));
    expect(a11y).toEqual([]);

    hall.process.kill('SIGTERM');
    await hall.process;
    const file = readdirSync(hall.events).find((f) => f.endsWith('.jsonl'))!;
    const events = readFileSync(path.join(hall.events, file), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; instance: string; proxy?: string });
    const mine = events.filter((e) => e.instance === id);
    expect(mine.find((e) => e.type === 'submitted')).toMatchObject({ proxy: 't-zhao' });
    expect(mine.map((e) => e.type)).toContain('completed');
  }, 180_000);
});
