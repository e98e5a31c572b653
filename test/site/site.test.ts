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
import { CAMPUS_SITE, CAMPUS_VISIBLE, CANARIES, XSS, siteFixtureRepo } from './fixture.ts';
import { filesOf, findCanaries, hashesOf, jsonLdOf, launchChromium, linksOf, screenshots, searchFor, seriousViolations, typeCheckJsonLd, waitForResults, watchedPage } from './helpers.ts';

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
    // Responsible persons (guide.internal.responsible) are for the campus edition's pages: checked below.
    const found = await findCanaries(campusDir, [...secret.filter((c) => c !== CANARIES.internalName && c !== CANARIES.internalOffice), ...CAMPUS_VISIBLE]);
    expect(found.filter((f) => ![...CAMPUS_VISIBLE].some((c) => f.startsWith(c)))).toEqual([]);
    expect(found).toEqual(expect.arrayContaining([`${CANARIES.campusName} in services/campus-canary/index.html`, `${CANARIES.campusFile} in attachments/jsj/files/campus-canary.pdf`]));
    // …and inside Pagefind's compressed index, which the public check above decompresses too.
    expect(found.some((f) => f.startsWith(`${CANARIES.campusName} in pagefind/`))).toBe(true);
  });

  it('shows the responsible persons of guide.internal on the campus edition\'s service page only, and its notes nowhere (seed 004)', async () => {
    const campusPage = await readFile(path.join(campusDir, 'services/student-leave/index.html'), 'utf8');
    expect(campusPage).toContain(CANARIES.internalName);
    expect(campusPage).toContain(CANARIES.internalOffice);
    // Only there: not in the campus search index, API or feed either.
    const elsewhere = (await findCanaries(campusDir, [CANARIES.internalName, CANARIES.internalOffice, CANARIES.internalNote])).filter((f) => !/ in (en\/)?services\/student-leave\/index\.html$/.test(f));
    expect(elsewhere).toEqual([]);
    expect(await findCanaries(publicDir, [CANARIES.internalName, CANARIES.internalOffice, CANARIES.internalNote])).toEqual([]);
  });

  it('has no page, API record or embed for services the variant does not publish', async () => {
    const files = await filesOf(publicDir);
    for (const id of ['secret-review', 'campus-canary', 'draft-canary', 'lab-booking']) expect(files.filter((f) => f.includes(id))).toEqual([]);
    const api = JSON.parse(await readFile(path.join(publicDir, 'api/services.json'), 'utf8')) as { services: { id: string; status: string }[] };
    expect(api.services.map((s) => s.id).sort()).toEqual(['enrolment-certificate', 'exchange-guide', 'old-campus-proof', 'paper-leave', 'student-leave', 'teaching-platform', 'xss-probe']);
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

  it('keeps the public address of a service reclassified from public to campus, with a page that names nothing', async () => {
    const files = await filesOf(publicDir);
    for (const file of ['services/moved-canary/index.html', 'en/services/moved-canary/index.html', 'embed/moved-canary/index.html', 'en/embed/moved-canary/index.html', 'api/services/moved-canary.json']) expect(files).toContain(file);
    const html = await readFile(path.join(publicDir, 'services/moved-canary/index.html'), 'utf8');
    expect(html).toContain('该事项仅校内可见');
    expect(html).toContain(`href="${CAMPUS_SITE}/services/moved-canary/"`);
    expect(html).not.toContain('data-pagefind-body');
    // The campus edition has the service itself.
    expect(await readFile(path.join(campusDir, 'services/moved-canary/index.html'), 'utf8')).toContain(CANARIES.reclassifiedName);
  });

  it('emits JSON-LD that type-checks as schema.org GovernmentService (schema-dts), in both editions', async () => {
    const objects = [...(await jsonLdOf(publicDir)).map((o) => ({ ...o, file: `public/${o.file}` })), ...(await jsonLdOf(campusDir)).map((o) => ({ ...o, file: `campus/${o.file}` }))];
    expect(objects.length).toBeGreaterThan(20);
    expect(await typeCheckJsonLd(objects.map((o) => ({ name: o.file, value: o.value })))).toEqual([]);
    // The check fires: the properties the old JSON-LD put on the service are errors.
    const leave = objects.find((o) => o.file === 'public/services/student-leave/index.html')!.value;
    const errors = await typeCheckJsonLd([{ name: 'bad', value: { ...leave, inLanguage: 'zh-CN', dateModified: '2026-09-01' } }]);
    expect(errors.join('\n')).toMatch(/inLanguage\W* does not exist in type 'WithContext<GovernmentService/);
    // Language and dates describe the page; the service's time limit is in work days, so no calendar duration.
    expect(leave.mainEntityOfPage).toMatchObject({ '@type': 'WebPage', inLanguage: 'zh-CN', lastReviewed: '2026-09-01', dateModified: '2026-09-25' });
    const channel = (leave.availableChannel as Record<string, unknown>[])[0];
    expect(channel.processingTime).toBeUndefined();
    expect(channel.description).toBe('承诺时限：5 个工作日');
    // Calendar days are an ISO 8601 duration.
    const exchange = objects.find((o) => o.file === 'public/services/exchange-guide/index.html')!.value;
    expect((exchange.availableChannel as Record<string, unknown>[])[0]).toMatchObject({ processingTime: 'P10D' });
  }, 120_000);

  it('gives every page a meta description', async () => {
    const without: string[] = [];
    for (const dir of [publicDir, campusDir]) {
      for (const file of (await filesOf(dir)).filter((f) => f.endsWith('.html'))) {
        const html = await readFile(path.join(dir, file), 'utf8');
        if (!/<meta name="description" content="[^"]+"/.test(html)) without.push(`${path.basename(dir)}/${file}`);
      }
    }
    expect(without).toEqual([]);
  });

  it('gives each Atom entry its own summary, and the Chinese and English feeds different entry ids', async () => {
    const entries = async (file: string) => {
      const xml = await readFile(path.join(publicDir, file), 'utf8');
      return [...xml.matchAll(/<entry>.*?<id>(.*?)<\/id>.*?<summary>(.*?)<\/summary>.*?<\/entry>/gs)].map((m) => ({ id: m[1], summary: m[2] }));
    };
    const [zh, en] = [await entries('feed.xml'), await entries('en/feed.xml')];
    expect(zh.length).toBeGreaterThan(2);
    expect(en.length).toBe(zh.length);
    for (const feed of [zh, en]) expect(new Set(feed.map((e) => e.summary)).size).toBe(feed.length);
    expect(zh.filter((e) => en.some((x) => x.id === e.id))).toEqual([]);
    expect(zh[0].summary).toMatch(/^2026-09-25，「学生请假审批」的办事指南有更新：Extend counter hours（提交 [0-9a-f]{7}）$/);
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

  it('answers the old public address of a reclassified service with a "仅校内可见" page, not a 404', async () => {
    const page = await watchedPage(browser, problems, 360);
    for (const [url, text] of [['/services/moved-canary/', '该事项仅校内可见'], ['/en/services/moved-canary/', 'visible on campus only'], ['/embed/moved-canary/', '该事项仅校内可见']] as const) {
      const response = await page.goto(`${server.url}${url}`);
      expect(response!.status(), url).toBe(200);
      expect(await page.locator('h1').innerText()).toContain(text);
      expect(await page.locator('body').innerText()).not.toContain(CANARIES.reclassifiedName);
    }
    await page.goto(`${server.url}/services/moved-canary/`);
    expect(await linksOf(page, 'main a.button', true)).toEqual([`${CAMPUS_SITE}/services/moved-canary/`]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    await screenshots(browser, `${server.url}/services/moved-canary/`, 'site-fixture-campus-only');
  });

  it('says a retired service has a successor on campus when the successor is campus-only, never "没有接替事项"', async () => {
    const page = await watchedPage(browser, problems, 360);
    await page.goto(`${server.url}/services/old-campus-proof/`);
    const text = await page.locator('.tomb').innerText();
    expect(text).toContain('有接替事项，但它只在校内版办事指南中公开');
    expect(text).not.toContain('没有接替事项');
    expect(text).not.toContain(CANARIES.campusName);
    expect(await linksOf(page, '.tomb a', true)).toEqual([`${CAMPUS_SITE}/services/old-campus-proof/`]);
    await page.goto(`${server.url}/en/services/old-campus-proof/`);
    expect(await page.locator('.tomb').innerText()).toContain('There is a successor');
    await page.goto(`${server.url}/embed/old-campus-proof/`);
    expect(await page.locator('main').innerText()).toContain('有接替事项');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    // The campus edition names the successor and links to it.
    const campus = await readFile(path.join(campusDir, 'services/old-campus-proof/index.html'), 'utf8');
    expect(campus).toContain('href="/services/campus-canary/"');
    expect(campus).not.toContain('没有接替事项');
    await screenshots(browser, `${server.url}/services/old-campus-proof/`, 'site-fixture-tombstone-campus-successor');
  });

  it('renders the handbook\'s Markdown: thematic breaks as rules, setext headings as headings, dropped links without a stray bracket', async () => {
    const page = await watchedPage(browser, problems, 360);
    await page.goto(`${server.url}/handbook/`);
    const main = page.locator('main');
    expect(await main.locator('hr').count()).toBe(2);
    const text = await main.innerText();
    expect(text).not.toMatch(/^\s*(---|\*\*\*)\s*$/m);
    expect(text).toContain('被丢弃的链接：坏链接之后的文字。');
    expect(await main.locator('h3, h4').allInnerTexts()).toContain('第二部分');
    expect(await linksOf(main.page(), 'main a[href^="https://x.test"]', true)).toEqual(['https://x.test/a_(b)']);
    expect(await main.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    await screenshots(browser, `${server.url}/handbook/`, 'site-fixture-handbook');
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
  }, 180_000);

  it('logged no console errors and opened no dialogs on any page above', () => {
    expect(problems).toEqual([]);
  });
});
