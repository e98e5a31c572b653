import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
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

/** Every JSON-LD object in the built HTML files below `dir`, with the file it came from. */
export async function jsonLdOf(dir: string): Promise<{ file: string; value: Record<string, unknown> }[]> {
  const found: { file: string; value: Record<string, unknown> }[] = [];
  for (const file of (await filesOf(dir)).filter((f) => f.endsWith('.html'))) {
    const html = await readFile(path.join(dir, file), 'utf8');
    for (const m of html.matchAll(/<script type="application\/ld\+json">(.*?)<\/script>/gs)) found.push({ file, value: JSON.parse(m[1]) as Record<string, unknown> });
  }
  return found;
}

/**
 * Type-check JSON-LD objects against schema.org as schema-dts types it (`WithContext<T>`), with the
 * TypeScript compiler on a generated file: an unknown property, a wrong @type or a value of the wrong
 * kind is a compile error. Returns the compiler's error lines, empty when every object fits.
 */
export async function typeCheckJsonLd(objects: { name: string; value: unknown }[], type = 'GovernmentService'): Promise<string[]> {
  const dir = path.join(ARTIFACTS, `jsonld-${process.pid}-${Math.random().toString(36).slice(2)}`);
  await mkdir(dir, { recursive: true });
  try {
    const body = objects.map((o, i) => `// ${o.name}\nexport const ld${i}: WithContext<${type}> = ${JSON.stringify(o.value, null, 1)};\n`).join('\n');
    await writeFile(path.join(dir, 'check.ts'), `import type { ${type}, WithContext } from 'schema-dts';\n\n${body}`);
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', types: [] }, files: ['check.ts'] }));
    const result = await execa(path.join(REPO, 'node_modules/.bin/tsc'), ['-p', path.join(dir, 'tsconfig.json')], { reject: false, cwd: REPO });
    if (result.exitCode !== 0 && !/error TS/.test(result.stdout)) throw new Error(`tsc failed to run: ${result.stderr || result.stdout}`);
    return result.stdout.split('\n').filter((l) => /error TS/.test(l));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sum of layout shifts (CLS) the page has seen so far; needs {@link watchLayoutShifts} before navigation. */
export async function layoutShift(page: Page): Promise<number> {
  return (await page.evaluate('window.__cls ?? 0')) as number;
}

/** Record layout shifts not caused by input from the first paint on, in `window.__cls`. */
export async function watchLayoutShifts(page: Page): Promise<void> {
  await page.addInitScript(`window.__cls = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })
      .observe({ type: 'layout-shift', buffered: true });`);
}
