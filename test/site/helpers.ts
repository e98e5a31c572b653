import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { REPO } from '../check/helpers.ts';

/** Debian's Chromium, as CI installs it (.ci/run); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO, 'test/artifacts');

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the CI script .ci/run does this)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Every file below `dir`, relative, sorted. */
export async function filesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** sha256 of every file below `dir`, keyed by relative path. */
export async function hashesOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of await filesOf(dir)) out[file] = createHash('sha256').update(await readFile(path.join(dir, file))).digest('hex');
  return out;
}

/**
 * A built file's text as a reader (or a crawler) could recover it: gzip-compressed files (Pagefind's
 * index, fragments and metadata) are decompressed first. Lower-cased, because Pagefind's index is.
 */
export async function searchableText(file: string): Promise<string> {
  let bytes: Buffer = await readFile(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString('utf8').toLowerCase();
}

/** Which canaries occur in which built files. */
export async function findCanaries(dir: string, canaries: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of await filesOf(dir)) {
    const text = await searchableText(path.join(dir, file));
    for (const canary of canaries) if (text.includes(canary.toLowerCase())) found.push(`${canary} in ${file}`);
  }
  return found;
}

const AXE = readFile(path.join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the loaded page. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: await AXE });
  // A string, so this file needs no DOM types: it runs in the page.
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`)) as { id: string; impact: string; targets: string[] }[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.targets.join(', ')}`);
}

/** Full-page screenshots at 360 px (phones, WeChat) and 1280 px, into test/artifacts/. */
export async function screenshots(browser: Browser, url: string, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  for (const width of [360, 1280]) {
    const page = await browser.newPage({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
    await page.goto(url);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
    await page.close();
  }
}

/** A page that records console errors, uncaught exceptions and dialogs (an executed alert would be one). */
export async function watchedPage(browser: Browser, problems: string[], width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${page.url()})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message} (${page.url()})`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()} (${page.url()})`);
    void d.dismiss();
  });
  return page;
}

/** Run a Pagefind query through the search page and return the result links. */
export async function searchFor(page: Page, base: string, query: string, lang: '' | '/en' = ''): Promise<string[]> {
  await page.goto(`${base}${lang}/search/?q=${encodeURIComponent(query)}`);
  await waitForResults(page);
  return linksOf(page, '#results a');
}

/** Until the search page's status line reports a finished search. */
export async function waitForResults(page: Page): Promise<void> {
  await page.waitForFunction(`((t) => /\\d|没有|Nothing/.test(t) && !t.includes('…'))(document.getElementById('status')?.textContent ?? '')`);
}

/** The paths (or absolute URLs, with `absolute`) the matching links point to. */
export async function linksOf(page: Page, selector: string, absolute = false): Promise<string[]> {
  const hrefs = await page.locator(selector).evaluateAll((links) => links.map((a) => (a as unknown as { href: string }).href));
  return hrefs.map((h) => (absolute ? h : new URL(h).pathname));
}
