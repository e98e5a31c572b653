import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../cli/site/serve.ts';
import type { StaticServer } from '../../cli/site/serve.ts';
import { BASELINE, HALL, NODE, REPO } from '../check/helpers.ts';
import { filesOf, launchChromium, layoutShift, linksOf, screenshots, searchFor, seriousViolations, waitForResults, watchLayoutShifts, watchedPage } from './helpers.ts';

/** The example catalog's site, built by `hall site` as a process, as `npm run build` does. */
let work: string;
let out: string;
let server: StaticServer;
let browser: Browser;
let buildOutput: string;
const problems: string[] = [];

/** The page budget (issue 6, item 7): a service page's HTML + CSS, gzipped. */
const PAGE_BUDGET = 30 * 1024;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'hall-site-example-'));
  out = path.join(work, 'dist');
  const result = await execa(NODE, [HALL, 'site', 'catalog', '--out', out], { cwd: REPO, reject: false, env: { HALL_LANG: 'zh' } });
  buildOutput = `${result.stdout}\n${result.stderr}`;
  expect(result.exitCode, buildOutput).toBe(0);
  server = await serveStatic({ root: () => out });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('hall site on the example catalog', () => {
  it('reports what it built', () => {
    expect(buildOutput).toMatch(/✔ 已生成网站 .*（公开版）：\d+ 个页面，\d+ 个事项/);
  });

  it('keeps every service page within the budget of 30 KB gzipped HTML + CSS', async () => {
    const pages = (await filesOf(out)).filter((f) => /^(en\/)?services\/[^/]+\/index\.html$/.test(f));
    expect(pages.length).toBeGreaterThan(40);
    const sizes: { page: string; bytes: number }[] = [];
    for (const page of pages) {
      const html = await readFile(path.join(out, page), 'utf8');
      // Stylesheets are inlined; any linked one counts too.
      let css = '';
      for (const m of html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)) css += await readFile(path.join(out, m[1]), 'utf8');
      sizes.push({ page, bytes: gzipSync(html + css, { level: 9 }).length });
    }
    sizes.sort((a, b) => b.bytes - a.bytes);
    console.info(`largest service page: ${sizes[0].page} ${(sizes[0].bytes / 1024).toFixed(1)} KB gzipped (budget 30 KB)`);
    expect(sizes.filter((s) => s.bytes > PAGE_BUDGET)).toEqual([]);
  });

  it('states the booking quotas and the cancellation notice the hall enforces, in both languages', async () => {
    const text = async (page: string) => (await readFile(path.join(out, page), 'utf8')).replace(/<[^>]+>/g, '');
    expect(await text('services/art-hall-classroom-booking/index.html')).toContain('每周每人最多预约 4 次；如需取消，请在开始前 2 小时以前撤回申请。');
    expect(await text('services/recording-classroom-booking/index.html')).toContain('每周每个单位（教职工按所在单位，学生按学院）最多预约 6 次；如需取消，请在开始前 24 小时以前撤回申请。');
    expect(await text('en/services/art-hall-classroom-booking/index.html')).toContain('At most 4 bookings per person a week; to cancel, withdraw the application at least 2 hours before it begins.');
  });
});

describe('deadlines in hours on the step cards (issue 15.7)', () => {
  const text = async (page: string) => (await readFile(path.join(out, page), 'utf8')).replace(/<[^>]+>/g, '');
  it('say 1 小时内 / 2 小时内 for the urgent repair and within 4 hours for a network fault, beside the work days otherwise', async () => {
    expect(await text('services/logistics-repair/index.html')).toMatch(/若「紧急故障」为“是”：1 小时内\s*其他情况：1 个工作日/);
    expect(await text('services/logistics-repair/index.html')).toMatch(/若「紧急故障」为“是”：2 小时内\s*其他情况：1 个工作日/);
    expect(await text('en/services/it-repair/index.html')).toMatch(/within 4 hours\s*otherwise: 1 work day/);
    // The path's length counts an hours step as the day it may run into at most, and as nothing at least.
    expect(await text('services/logistics-repair/index.html')).toContain('各环节时限合计 2–6 个工作日');
  });
});

describe('the example catalog in Chromium', () => {
  it('finds 休学申请 by Chinese, by full pinyin and by initials', async () => {
    const page = await watchedPage(browser, problems);
    expect(await searchFor(page, server.url, '休学')).toContain('/services/suspend-studies/');
    expect(await searchFor(page, server.url, 'xiuxue')).toContain('/services/suspend-studies/');
    expect(await searchFor(page, server.url, 'xx')).toContain('/services/suspend-studies/');
    expect(await searchFor(page, server.url, 'xxsq')).toContain('/services/suspend-studies/');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    const shot = await browser.newPage({ viewport: { width: 360, height: 800 } });
    await searchFor(shot, server.url, 'xiuxue');
    await shot.screenshot({ path: path.join(REPO, 'test/artifacts/site-example-search-360.png'), fullPage: true });
    await shot.close();
  });

  it('finds 休学申请 from a one-character slip (休学申清, 休学请, 休学申请请) and asks "您要找的是不是"', async () => {
    const page = await watchedPage(browser, problems);
    for (const slip of ['休学申清', '休学请', '休学申请请']) {
      expect((await searchFor(page, server.url, slip))[0], slip).toBe('/services/suspend-studies/');
      expect(await page.locator('#hint').innerText(), slip).toBe('您要找的是不是：休学申请');
      expect(await linksOf(page, '#hint a')).toEqual(['/search/']);
      expect(new URL(await page.locator('#hint a').evaluate((a) => (a as unknown as { href: string }).href)).searchParams.get('q')).toBe('休学申请');
    }
    // An exact name asks nothing.
    expect((await searchFor(page, server.url, '休学申请'))[0]).toBe('/services/suspend-studies/');
    expect(await page.locator('#hint').isHidden()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    const shot = await browser.newPage({ viewport: { width: 360, height: 800 } });
    await searchFor(shot, server.url, '休学申清');
    await shot.screenshot({ path: path.join(REPO, 'test/artifacts/site-example-search-typo-360.png'), fullPage: true });
    await shot.setViewportSize({ width: 1280, height: 800 });
    await shot.screenshot({ path: path.join(REPO, 'test/artifacts/site-example-search-typo-1280.png'), fullPage: true });
    await shot.close();
  });

  it('shows 横向合同\'s 审批层级 decision table as a table, and its branches as 按“审批层级”表, at 360 and 1280 px (issue 15.8)', async () => {
    for (const width of [360, 1280]) {
      const page = await watchedPage(browser, problems, width);
      await page.goto(`${server.url}/services/industry-research-contract/`);
      const table = page.locator('table.decision');
      expect(await table.locator('th').allInnerTexts()).toEqual(['合同金额（元）', '审批层级']);
      expect(await table.locator('tbody tr').allInnerTexts()).toEqual(['小于 500,000\t科研处审批', '不少于 500,000 且小于 2,000,000\t财务处和资产管理处会签', '不少于 2,000,000\t分管校领导审批']);
      expect(await page.locator('.cond').first().innerText()).toContain('按“审批层级”表，结果不为“科研处审批”');
      // The table fits a phone's width: nothing scrolls sideways.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
      expect(await seriousViolations(page)).toEqual([]);
      const box = (await table.boundingBox())!;
      const top = box.y + (await page.evaluate('window.scrollY') as number);
      await page.screenshot({ path: path.join(REPO, `test/artifacts/site-decision-table-${width}.png`), fullPage: true, clip: { x: 0, y: Math.max(0, top - 16), width, height: width === 360 ? 1200 : 800 } });
      await page.close();
    }
  });

  it('points an English query on the Chinese search to the English search, and a Chinese one on the English search back', async () => {
    const page = await watchedPage(browser, problems);
    expect(await searchFor(page, server.url, 'leave request')).toEqual([]);
    expect(await page.locator('#hint').innerText()).toContain('在英文版中搜索“leave request”');
    const [target] = await linksOf(page, '#hint a', true);
    expect(new URL(target).pathname).toBe('/en/search/');
    await page.goto(target);
    await waitForResults(page);
    expect(await linksOf(page, '#results a')).toContain('/en/services/student-leave/');
    // Pinyin is Latin too, but it finds something, so no pointer.
    expect(await searchFor(page, server.url, 'xiuxue')).toContain('/services/suspend-studies/');
    expect(await page.locator('#hint').isHidden()).toBe(true);
    expect(await searchFor(page, server.url, '不存在的事项名', '/en')).toEqual([]);
    expect(await linksOf(page, '#hint a')).toEqual(['/search/']);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    const shot = await browser.newPage({ viewport: { width: 360, height: 800 } });
    await searchFor(shot, server.url, 'leave request');
    await shot.screenshot({ path: path.join(REPO, 'test/artifacts/site-example-search-english-360.png'), fullPage: true });
    await shot.close();
  });

  it('does not shift the search page\'s layout when results arrive (phone viewport)', async () => {
    for (const query of ['休学', '休学申清', 'leave request']) {
      const page = await browser.newPage({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1 });
      await watchLayoutShifts(page);
      await searchFor(page, server.url, query);
      await page.waitForTimeout(300);
      expect({ query, cls: await layoutShift(page) }).toEqual({ query, cls: 0 });
      await page.close();
    }
  });

  it('renders rich service pages accessibly, with working downloads', async () => {
    const page = await watchedPage(browser, problems);
    for (const url of ['/', '/services/suspend-studies/', '/services/campus-activity-stall/', '/en/services/suspend-studies/', '/services/transcript-paper/', '/departments/jwc/']) {
      const response = await page.goto(`${server.url}${url}`);
      expect(response!.status(), url).toBe(200);
      expect({ url, violations: await seriousViolations(page) }).toEqual({ url, violations: [] });
      for (const href of await linksOf(page, 'a[href^="/attachments/"]', true)) {
        expect((await fetch(href)).status, href).toBe(200);
      }
    }
    await page.close();
  });

  it('shows a countersign in turn (依次审批) as its order, the members one after another, accessibly', async () => {
    const page = await watchedPage(browser, problems, 360);
    for (const [url, order] of [
      ['/services/textbook-selection/', '依次审批：学院教学秘书初审 → 学院教学副院长审核 → 教务处教材科审核 → 党委宣传统战部审核（境外教材）'],
      ['/en/services/textbook-selection/', 'In turn: 学院教学秘书初审 → 学院教学副院长审核 → 教务处教材科审核 → 党委宣传统战部审核（境外教材）'],
    ]) {
      await page.goto(`${server.url}${url}`);
      const group = page.locator('.in-turn');
      await expect(group.getAttribute('aria-label')).resolves.toBe(order);
      await expect(group.locator('.cond').first().textContent()).resolves.toBe(order);
      expect(await group.locator(':scope > ol > li .card > .title').allTextContents()).toEqual(['学院教学秘书初审', '学院教学副院长审核', '教务处教材科审核', '党委宣传统战部审核（境外教材）']);
      expect({ url, violations: await seriousViolations(page) }).toEqual({ url, violations: [] });
    }
    await page.close();
  });

  it('prints the richest guide as a one-page checklist', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/services/suspend-studies/`);
    const pdf = (await page.pdf({ format: 'A4' })).toString('latin1');
    expect(pdf.match(/\/Type\s*\/Page[^s]/g)!.length).toBe(1);
    await page.close();
  });

  it('writes screenshots at 360 px and 1280 px to test/artifacts/', async () => {
    for (const [url, name] of [
      ['/', 'home'],
      ['/services/suspend-studies/', 'service'],
      ['/services/campus-activity-stall/', 'countersign'],
      ['/services/textbook-selection/', 'in-turn'],
      ['/services/transcript-paper/', 'tombstone'],
      ['/en/services/suspend-studies/', 'service-en'],
      ['/departments/jwc/', 'department'],
      ['/handbook/', 'handbook'],
      ['/no-such-page/', '404'],
    ]) {
      await screenshots(browser, `${server.url}${url}`, `site-example-${name}`);
    }
  }, 300_000);

  it('logged no console errors on any page above', () => {
    expect(problems).toEqual([]);
  });
});

describe('hall site and hall dev as commands', () => {
  it('refuses to build a catalog with errors', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'hall-site-broken-'));
    try {
      await cp(BASELINE, root, { recursive: true });
      const file = path.join(root, 'catalog/xgc/student-leave.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('owner: xgc', 'owner: nobody'));
      const result = await execa(NODE, [HALL, 'site', '--out', 'dist'], { cwd: root, reject: false, env: { HALL_LANG: 'en' } });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('The catalog has errors; the site was not built.');
      expect(await filesOf(root)).not.toContain('dist/index.html');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('hall dev --site serves a preview and rebuilds it when a file is saved', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'hall-dev-'));
    await cp(BASELINE, root, { recursive: true });
    const dev = execa(NODE, [HALL, 'dev', '--site', '--port', '0'], { cwd: root, reject: false, env: { HALL_LANG: 'en' } });
    let output = '';
    const waitFor = (pattern: RegExp, after = 0) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`)), 90_000);
        const check = () => {
          const m = output.slice(after).match(pattern);
          if (m) {
            clearTimeout(timer);
            dev.stdout!.off('data', onData);
            resolve(m);
          }
        };
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          check();
        };
        dev.stdout!.on('data', onData);
        check();
      });
    try {
      const [, url] = await waitFor(/Guide preview: (http:\/\/127\.0\.0\.1:\d+)\//);
      const first = await (await fetch(`${url}/services/student-leave/`)).text();
      expect(first).toContain('学生请假审批');
      expect(first).toContain("new EventSource('/__hall/events')");
      const mark = output.length;
      const file = path.join(root, 'catalog/xgc/student-leave.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('zh: 学生请假审批', 'zh: 学生请假审批（已修改）'));
      await waitFor(/Rebuilt in/, mark);
      expect(await (await fetch(`${url}/services/student-leave/`)).text()).toContain('学生请假审批（已修改）');
    } finally {
      dev.kill('SIGINT');
      const result = await dev;
      await rm(root, { recursive: true, force: true });
      expect(result.exitCode).toBe(0);
    }
  }, 180_000);
});
