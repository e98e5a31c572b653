import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSource } from '../../cli/check/check-catalog.ts';
import type { Catalog } from '../../cli/model/catalog.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import { buildSite } from '../../cli/site/build-site.ts';
import { readGitHistory } from '../../cli/site/git-history.ts';
import type { GitHistory } from '../../cli/site/git-history.ts';
import { serveStatic } from '../../cli/site/serve.ts';
import type { StaticServer } from '../../cli/site/serve.ts';
import { TODAY } from '../check/helpers.ts';
import { CAMPUS_VISIBLE, CANARIES, XSS, siteFixtureRepo } from './fixture.ts';
import { filesOf, findCanaries, hashesOf, launchChromium, linksOf, screenshots, searchFor, seriousViolations, waitForResults, watchedPage } from './helpers.ts';

/**
 * The site built from the fixture (the check baseline plus planted canaries, a confidential, a
 * campus-only, a draft and a script-injecting service), in both variants, and read in Chromium.
 */
let fixture: { root: string; dispose(): Promise<void> };
let catalog: Catalog;
let history: GitHistory;
let publicDir: string;
let campusDir: string;
let server: StaticServer;
let browser: Browser;
const problems: string[] = [];

/** HTML with double-quoted attribute values emptied (Astro escapes `"` inside them), `type` kept. */
const withoutAttributeValues = (html: string) => html.replace(/(?<!\btype)="[^"]*"/g, '=""');

beforeAll(async () => {
  fixture = await siteFixtureRepo();
  const result = checkSource(await readCatalog('catalog', fixture.root), { today: TODAY });
  // The check refuses the probe's HTML; the site is built anyway to prove it escapes what slips through.
  expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.file}`)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^text\/html catalog\/xgc\/xss-probe\.yaml$/)]),
  );
  expect(result.diagnostics.filter((d) => d.severity === 'error' && !d.file.endsWith('xss-probe.yaml'))).toEqual([]);
  catalog = result.catalog;
  history = await readGitHistory(fixture.root, 'catalog');
  publicDir = path.join(fixture.root, 'out/public');
  campusDir = path.join(fixture.root, 'out/campus');
  await buildSite(catalog, history, { variant: 'public', out: publicDir, root: fixture.root, logLevel: 'error' });
  await buildSite(catalog, history, { variant: 'campus', out: campusDir, root: fixture.root, logLevel: 'error' });
  server = await serveStatic({ root: () => publicDir });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fixture?.dispose();
});

describe('what a build publishes', () => {
  const secret = [CANARIES.internalName, CANARIES.internalNote, CANARIES.internalOffice, CANARIES.confidentialName, CANARIES.confidentialFile, CANARIES.draftName, CANARIES.commitMessage];

  it('puts no internal, confidential, campus-only or draft text in any file of the public build, the search index included', async () => {
    expect(await findCanaries(publicDir, [...secret, ...CAMPUS_VISIBLE])).toEqual([]);
  });

  it('puts campus-only services in the campus build (so the search above can find what it looks for) but still nothing internal or confidential', async () => {
    const found = await findCanaries(campusDir, [...secret, ...CAMPUS_VISIBLE]);
    expect(found.filter((f) => !f.startsWith(CANARIES.campusName) && !f.startsWith(CANARIES.campusFile))).toEqual([]);
    expect(found).toEqual(expect.arrayContaining([`${CANARIES.campusName} in services/campus-canary/index.html`, `${CANARIES.campusFile} in attachments/jsj/files/campus-canary.pdf`]));
    // …and inside Pagefind's compressed index, which the public check above decompresses too.
    expect(found.some((f) => f.startsWith(`${CANARIES.campusName} in pagefind/`))).toBe(true);
  });

  it('has no page, API record or embed for services the variant does not publish', async () => {
    const files = await filesOf(publicDir);
    for (const id of ['secret-review', 'campus-canary', 'draft-canary', 'lab-booking']) expect(files.filter((f) => f.includes(id))).toEqual([]);
    const api = JSON.parse(await readFile(path.join(publicDir, 'api/services.json'), 'utf8')) as { services: { id: string; status: string }[] };
    expect(api.services.map((s) => s.id).sort()).toEqual(['enrolment-certificate', 'exchange-guide', 'paper-leave', 'student-leave', 'teaching-platform', 'xss-probe']);
    expect(api.services.find((s) => s.id === 'paper-leave')!.status).toBe('retired');
    expect(files).toEqual(expect.arrayContaining(['api/services/student-leave.json', 'embed/student-leave/index.html', 'en/embed/student-leave/index.html', 'feed.xml', 'en/feed.xml', '404.html']));
  });

  it('needs no client script to read a page: only the search page has one', async () => {
    const withScript: string[] = [];
    for (const file of (await filesOf(publicDir)).filter((f) => f.endsWith('.html'))) {
      const html = withoutAttributeValues(await readFile(path.join(publicDir, file), 'utf8'));
      const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].filter((m) => !/type="application\/ld\+json"/.test(m[1]));
      if (scripts.length) withScript.push(file);
    }
    expect(withScript).toEqual(['en/search/index.html', 'search/index.html']);
  });

  it('is byte-identical when built again, whatever the time zone and locale (Pagefind index included)', async () => {
    const again = path.join(fixture.root, 'out/public-again');
    const saved = { TZ: process.env.TZ, LANG: process.env.LANG, LC_ALL: process.env.LC_ALL };
    Object.assign(process.env, { TZ: 'America/Los_Angeles', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' });
    try {
      await buildSite(catalog, history, { variant: 'public', out: again, root: fixture.root, logLevel: 'error' });
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const [a, b] = [await hashesOf(publicDir), await hashesOf(again)];
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect(Object.keys(a).filter((f) => f.startsWith('pagefind/')).length).toBeGreaterThan(10);
    expect(b).toEqual(a);
  }, 120_000);

  it('serializes JSON-LD safely and escapes catalog text everywhere', async () => {
    const raw = await readFile(path.join(publicDir, 'services/xss-probe/index.html'), 'utf8');
    // Inside a quoted attribute value markup is inert; everywhere else it must be escaped.
    const html = withoutAttributeValues(raw);
    expect(html).not.toContain('<script>window.__xss');
    expect(html).not.toContain('<img src=x');
    expect(raw).not.toContain('" onerror="');
    const ld = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(raw)![1];
    expect(JSON.parse(ld)).toMatchObject({ '@type': 'GovernmentService', name: XSS.name, description: XSS.summary });
  });

  it('writes an Atom feed from git history without leaking unpublished commit messages', async () => {
    const feed = await readFile(path.join(publicDir, 'feed.xml'), 'utf8');
    expect(feed).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">');
    expect(feed).toContain('<updated>2026-09-25T10:00:00+08:00</updated>');
    expect(feed).toContain('<title>学生请假审批：Extend counter hours</title>');
    // The baseline commit also added a campus-only service, so its subject is not shown.
    expect(feed).toContain('<title>学生请假审批：更新了办事指南</title>');
    expect(feed).not.toContain('Baseline catalog');
  });
});

describe('in Chromium', () => {
  it('renders the home page with search, listings and counts', async () => {
    const page = await watchedPage(browser, problems, 360);
    await page.goto(`${server.url}/`);
    expect(await page.title()).toBe('测试大学网上办事大厅');
    expect(await page.locator('form[role=search] input[name=q]').count()).toBe(1);
    expect(await page.locator('main').innerText()).toContain('共 5 个事项');
    expect(await page.locator('main').innerText()).not.toContain('纸质请假登记');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    await screenshots(browser, `${server.url}/`, 'site-fixture-home');
  });

  it('finds a service by a Chinese query and by pinyin, full and initials, and filters by department', async () => {
    const page = await watchedPage(browser, problems);
    expect(await searchFor(page, server.url, '请假')).toContain('/services/student-leave/');
    expect(await searchFor(page, server.url, 'qingjia')).toContain('/services/student-leave/');
    expect((await searchFor(page, server.url, 'xsqjsp'))[0]).toBe('/services/student-leave/');
    expect(await searchFor(page, server.url, 'Student leave', '/en')).toContain('/en/services/student-leave/');
    await page.goto(`${server.url}/search/?department=${encodeURIComponent('计算机学院')}`);
    await waitForResults(page);
    const links = (await linksOf(page, '#results a')).sort();
    expect(links).toEqual(['/services/exchange-guide/', '/services/teaching-platform/']);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('keeps retired services out of search and shows their tombstone at the old URL', async () => {
    const page = await watchedPage(browser, problems);
    expect(await searchFor(page, server.url, '纸质请假登记')).not.toContain('/services/paper-leave/');
    const response = await page.goto(`${server.url}/services/paper-leave/`);
    expect(response!.status()).toBe(200);
    const text = await page.locator('main').innerText();
    expect(text).toContain('已停办');
    expect(text).toContain('2026-03-01');
    expect(text).toContain('已改为网上办理。');
    expect(await page.getAttribute('.tomb a', 'href')).toBe('/services/student-leave/');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    await screenshots(browser, `${server.url}/services/paper-leave/`, 'site-fixture-tombstone');
  });

  it('shows a service page whose downloads resolve, with its flow, alert and history', async () => {
    const page = await watchedPage(browser, problems);
    await page.goto(`${server.url}/services/student-leave/`);
    const text = await page.locator('main').innerText();
    for (const expected of ['假期期间审批顺延。', '辅导员（申请人所在班级）', '学院与学工处会签（全部同意才通过）', '如果「请假天数」大于 3', '各环节时限合计 1–3 个工作日', '可直接使用电子证照', 'Extend counter hours', '2026-09-25']) expect(text).toContain(expected);
    // The campus-only issuer of the accepted e-certificate is not named on the public site.
    expect(text).not.toContain(CANARIES.campusName);
    const downloads = await linksOf(page, 'a[href^="/attachments/"]', true);
    expect(downloads.length).toBe(2);
    for (const href of downloads) expect((await fetch(href)).status).toBe(200);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    await screenshots(browser, `${server.url}/services/student-leave/`, 'site-fixture-service');
  });

  it('prints a service page as one page', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/services/student-leave/`);
    const pdf = (await page.pdf({ format: 'A4' })).toString('latin1');
    expect(pdf.match(/\/Type\s*\/Page[^s]/g)!.length).toBe(1);
    await page.close();
  });

  it('shows catalog text containing <script> or onerror= as text and runs nothing', async () => {
    const page = await watchedPage(browser, problems);
    for (const url of ['/services/xss-probe/', '/en/services/xss-probe/', '/embed/xss-probe/', '/departments/xgc/']) {
      await page.goto(`${server.url}${url}`);
      expect(await page.evaluate('window.__xss')).toBeUndefined();
    }
    await page.goto(`${server.url}/services/xss-probe/`);
    expect(await page.locator('h1').innerText()).toBe(XSS.name);
    expect(await page.locator('.lead').innerText()).toBe(XSS.summary);
    expect(await page.locator('.faq dt').innerText()).toBe(XSS.faq);
    expect(await searchFor(page, server.url, '恶意名称')).toEqual(['/services/xss-probe/']);
    expect(await page.locator('#results a').innerText()).toBe(XSS.name);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await page.close();
  });

  it('answers an unknown address with the 404 page', async () => {
    const page = await watchedPage(browser, problems);
    const response = await page.goto(`${server.url}/no/such/page/`);
    expect(response!.status()).toBe(404);
    expect(await page.locator('h1').innerText()).toBe('页面不存在');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    problems.splice(0, problems.length, ...problems.filter((p) => !(p.includes('404') && p.includes('/no/such/page/'))));
  });

  it('passes the accessibility scan on department, topic, handbook, English and embed pages', async () => {
    const page = await watchedPage(browser, problems);
    for (const url of ['/departments/', '/departments/xgc/', '/topics/student-affairs/', '/audiences/undergraduate/', '/handbook/', '/handbook/format/', '/handbook/diagnostics/', '/en/', '/en/services/student-leave/', '/embed/student-leave/']) {
      await page.goto(`${server.url}${url}`);
      expect({ url, violations: await seriousViolations(page) }).toEqual({ url, violations: [] });
    }
    await page.close();
  });

  it('logged no console errors and opened no dialogs on any page above', () => {
    expect(problems).toEqual([]);
  });
});
