import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, expect } from 'vitest';
import { ROOT } from '../helpers/cli.ts';
import { hallProcesses } from '../server/processes.ts';
import { startSmtpReceiver } from '../helpers/smtp.ts';
import { ARTIFACTS, seriousViolations } from '../site/helpers.ts';

/**
 * A real `hall serve` for the page tests: the example directory plus e-mail addresses and a second
 * counselor (for conflicts), a real SMTP server on loopback, and helpers to act in Chromium as a persona.
 */
export const EXTRA_PEOPLE = `
  - id: t-wang2
    name: 吴老师（外国语学院辅导员）
    attributes: { type: 教职工, department: wxy, email: wu@example.edu.cn }
    holds: [counselor@wxy-2203]
  - id: T2011052
    name: 周老师（任课教师）
    attributes: { type: 教职工, department: wxy, email: zhou@example.edu.cn }
    holds: [course-teacher@T2011052]
  - id: t-sec
    name: 外国语学院教务秘书 孙老师
    attributes: { type: 教职工, department: wxy }
    holds: [academic-secretary@wxy]
  - id: t-jwc
    name: 教务处 冯老师
    attributes: { type: 教职工, department: jwc }
    holds: [office-staff@jwc]
  - id: t-dzb
    name: 党政办公室 郑老师
    attributes: { type: 教职工, department: dzb }
    holds: [office-staff@dzb]
  - id: t-zzb
    name: 组织部 钱老师
    attributes: { type: 教职工, department: zzb }
    holds: [office-staff@zzb]
`;

export function testDirectory(): string {
  const base = readFileSync(path.join(ROOT, 'examples/directory.yaml'), 'utf8')
    .replace('attributes: { type: 本科生, college: wxy, class: wxy-2203, phone: "13800000002" }', 'attributes: { type: 本科生, college: wxy, class: wxy-2203, phone: "13800000002", email: liyutong@example.edu.cn }')
    .replace('attributes: { type: 教职工, department: wxy }\n    holds: [counselor@wxy-2203]', 'attributes: { type: 教职工, department: wxy, email: wang@example.edu.cn }\n    holds: [counselor@wxy-2203]');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'hall-pages-dir-')), 'directory.yaml');
  writeFileSync(file, base.trimEnd() + '\n' + EXTRA_PEOPLE);
  return file;
}

export async function smtpReceiver() {
  const receiver = await startSmtpReceiver();
  afterAll(receiver.close);
  return { mails: receiver.mails, port: receiver.port };
}

export async function startHall(args: string[] = [], dev = true) {
  const { serve } = hallProcesses();
  const dir = mkdtempSync(path.join(tmpdir(), 'hall-pages-'));
  const events = path.join(dir, 'events');
  const directory = testDirectory();
  const started = await serve([...(dev ? ['--dev'] : []), '--directory', directory, '--store', `sqlite:${path.join(dir, 'hall.db')}`, '--files', path.join(dir, 'files'), '--events', events, ...args]);
  return { ...started, events, dir };
}

/** A browser context signed in as `person` through the dev persona picker, as a person would. */
export async function as(browser: Browser, url: string, person: string, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP only so the test can inject axe-core; the pages themselves allow no script.
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${url}/dev/personas`);
  await Promise.all([page.waitForURL(/\/(tasks|applications)$/), page.locator(`form:has(input[name="person"][value="${person}"]) button`).click()]);
  return { context, page };
}

/** Record a page's script dialogs (an executed XSS payload would open one) and errors into `problems`. */
export function watch(page: Page, problems: string[]): Page {
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()} at ${page.url()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return page;
}

/** axe on the page as it is, then screenshots at 360 and 1280 px (same cookies) into test/artifacts/pages-<name>-<width>.png. */
export async function inspect(page: Page, name: string): Promise<string[]> {
  const found = await seriousViolations(page);
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: path.join(ARTIFACTS, `pages-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  return found.map((v) => `${name}: ${v}`);
}

/** A persona's session with the pages over plain HTTP (for flows and refusals where a browser adds nothing). */
export interface PageSession {
  cookie: string;
  get(path: string): Promise<{ status: number; text: string; headers: Headers }>;
  /** The session's CSRF token, read once from a form page. */
  csrf(): Promise<string>;
  /** A POST with the session's CSRF token; `token` another one, or `null` for none. Files travel in a FormData. */
  post(path: string, body: Record<string, string | string[]> | URLSearchParams | FormData, token?: string | null): Promise<{ status: number; text: string; location: string }>;
  form(fields: Record<string, string>): URLSearchParams;
  /** The first task in the persona's 待办, if any. */
  firstTask(): Promise<string | undefined>;
}

/** Sign in as `person` through the preview's persona picker; the CSRF token comes from the form at `formPage`. */
export async function pageSession(url: string, person: string, formPage = '/apply/student-leave'): Promise<PageSession> {
  const login = await fetch(`${url}/dev/personas`, { method: 'POST', body: new URLSearchParams({ person }), redirect: 'manual' });
  expect(login.status).toBe(303);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  let token: string | undefined;
  const session: PageSession = {
    cookie,
    async get(p) {
      const res = await fetch(`${url}${p}`, { headers: { cookie }, redirect: 'manual' });
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
    async csrf() {
      token ??= /name="_csrf" value="([^"]+)"/.exec((await session.get(formPage)).text)![1];
      return token;
    },
    async post(p, fields, csrf) {
      let body: URLSearchParams | FormData;
      if (fields instanceof URLSearchParams || fields instanceof FormData) body = fields;
      else {
        body = new URLSearchParams();
        for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
      }
      if (csrf !== null) body.append('_csrf', csrf ?? (await session.csrf()));
      const res = await fetch(`${url}${p}`, { method: 'POST', headers: { cookie }, body, redirect: 'manual' });
      return { status: res.status, text: await res.text(), location: res.headers.get('location') ?? '' };
    },
    form: (fields) => new URLSearchParams(fields),
    firstTask: async () => /href="\/tasks\/([^"]+)"/.exec((await session.get('/tasks')).text)?.[1],
  };
  return session;
}
