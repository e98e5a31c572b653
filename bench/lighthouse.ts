import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { serveStatic } from '../cli/site/serve.ts';

/**
 * Lighthouse scores of the guide site, one page of every kind, as a phone sees it (Lighthouse's
 * default mobile emulation and simulated throttling). Not a test: scores move with the load on shared
 * cores, so this prints them and asserts nothing. The target (issue 11, item 17) is performance ≥ 98
 * and 100 for accessibility, best practices and SEO on every page kind.
 *
 * Runs offline: Debian's Chromium through chrome-launcher (never a downloaded browser), the site
 * served from a local folder, no Lighthouse error reporting.
 *
 *   node bench/lighthouse.ts                 build the example catalog's public site, then measure
 *   node bench/lighthouse.ts --dist site/dist measure an existing build
 *   node bench/lighthouse.ts --runs 3         median of three runs per page (default 1)
 *   node bench/lighthouse.ts --only /search/  one page
 */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.join(import.meta.dirname, '..');
const NODE = process.execPath;

/** One page of every kind the site has, on the example catalog. */
const PAGES: [kind: string, url: string][] = [
  ['home', '/'],
  ['service', '/services/suspend-studies/'],
  ['service (en)', '/en/services/suspend-studies/'],
  ['countersign service', '/services/campus-activity-stall/'],
  ['tombstone', '/services/transcript-paper/'],
  ['search', '/search/'],
  ['search with results', '/search/?q=%E4%BC%91%E5%AD%A6'],
  ['departments', '/departments/'],
  ['department', '/departments/jwc/'],
  ['topic', '/topics/student-affairs/'],
  ['audience', '/audiences/undergraduate/'],
  ['handbook', '/handbook/'],
  ['format reference', '/handbook/format/'],
  ['diagnostics reference', '/handbook/diagnostics/'],
  ['statistics', '/stats/'],
  ['embed', '/embed/suspend-studies/'],
  // Lighthouse refuses to score a page answered with 404, so the 404 page is measured at its own file.
  ['404 page', '/404.html'],
];

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const runs = Number(option('--runs') ?? 1);
  const only = option('--only');
  let dist = option('--dist');
  let work: string | undefined;
  if (!dist) {
    work = await mkdtemp(path.join(tmpdir(), 'hall-lighthouse-'));
    dist = path.join(work, 'dist');
    console.info('building the example catalog’s public site …');
    await execa(NODE, [path.join(ROOT, 'cli/hall.ts'), 'site', 'catalog', '--out', dist], { cwd: ROOT, env: { HALL_LANG: 'en' } });
  }
  const server = await serveStatic({ root: () => path.resolve(dist) });
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-extensions'],
  });
  const rows: { kind: string; url: string; scores: Record<string, number>; cls: number; failed: string[] }[] = [];
  try {
    for (const [kind, url] of PAGES.filter(([, u]) => !only || u === only)) {
      const samples: { scores: Record<string, number>; cls: number; failed: string[] }[] = [];
      for (let i = 0; i < runs; i++) {
        const result = await lighthouse(`${server.url}${url}`, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] });
        if (!result) throw new Error(`lighthouse gave no result for ${url}`);
        const { lhr } = result;
        const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]));
        // Audits that cost points outside performance, named so they can be fixed.
        const failed: string[] = CATEGORIES.filter((c) => c !== 'performance').flatMap((c) =>
          lhr.categories[c].auditRefs.filter((ref) => ref.weight > 0 && (lhr.audits[ref.id].score ?? 1) < 1).map((ref) => `${c}:${ref.id}`),
        );
        // Below the performance target: which metrics cost the points.
        if (scores.performance < 98) {
          for (const id of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'speed-index', 'cumulative-layout-shift']) {
            const audit = lhr.audits[id];
            if ((audit?.score ?? 1) < 0.9) failed.push(`performance:${id}=${audit.displayValue ?? audit.numericValue}`);
          }
        }
        samples.push({ scores, cls: Number(lhr.audits['cumulative-layout-shift']?.numericValue ?? 0), failed });
      }
      const scores = Object.fromEntries(CATEGORIES.map((c) => [c, median(samples.map((s) => s.scores[c]))]));
      rows.push({ kind, url, scores, cls: median(samples.map((s) => s.cls)), failed: [...new Set(samples.flatMap((s) => s.failed))] });
      const r = rows.at(-1)!;
      console.info(`${kind.padEnd(22)} perf ${String(r.scores.performance).padStart(3)}  a11y ${String(r.scores.accessibility).padStart(3)}  bp ${String(r.scores['best-practices']).padStart(3)}  seo ${String(r.scores.seo).padStart(3)}  CLS ${r.cls.toFixed(3)}  ${url}${r.failed.length ? `  ✗ ${r.failed.join(', ')}` : ''}`);
    }
  } finally {
    await chrome.kill();
    await server.close();
    if (work) await rm(work, { recursive: true, force: true });
  }
  const below = rows.filter((r) => r.scores.performance < 98 || CATEGORIES.some((c) => c !== 'performance' && r.scores[c] < 100));
  console.info(below.length ? `\nbelow target (performance ≥ 98, others 100): ${below.map((r) => r.kind).join(', ')}` : '\nevery page kind meets the target');
}

await main();
