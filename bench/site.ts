import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { checkSource } from '../cli/check/check-catalog.ts';
import { readCatalog } from '../cli/load/read-catalog.ts';
import { SITE_DIR, buildSite } from '../cli/site/build-site.ts';
import { NO_HISTORY } from '../cli/site/git-history.ts';
import { serveStatic } from '../cli/site/serve.ts';
import { generateCatalog } from './generate.ts';
import type { BenchStage } from './stages.ts';

/**
 * Benchmark stage of the guide site. `run` checks a generated catalog and builds its public site
 * (model, Astro, attachments, Pagefind); `floor` builds a bare Astro site with one trivial page per
 * service, in the same way (an `astro build` child process), so the ratio is what the guide costs
 * over Astro's own per-page price.
 *
 * Register it in bench/stages.ts: `import { SITE_STAGE } from './site.ts';` and add `SITE_STAGE` to
 * STAGES. Run alone, `node bench/site.ts [--services 1000] [--query 请假]` also reports the bytes a
 * reader's browser fetches for one search (Pagefind loads index chunks on demand) and page sizes.
 */
const TODAY = '2026-10-01';
const ASTRO_BUILD = path.join(import.meta.dirname, '../cli/site/astro-build.ts');

async function countServices(catalogDir: string): Promise<number> {
  const entries = await readdir(catalogDir, { recursive: true });
  return entries.filter((e) => e.endsWith('.yaml') && !/(^|\/)(department|hall|roles)\.yaml$/.test(e)).length;
}

/** Build the guide site of a generated catalog into `out`. */
export async function buildGuide(catalogDir: string, out: string) {
  const root = path.dirname(catalogDir);
  const { catalog, diagnostics } = checkSource(await readCatalog(path.basename(catalogDir), root), { today: TODAY });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`the generated catalog has ${errors.length} error(s), first ${errors[0].code} in ${errors[0].file}`);
  return buildSite(catalog, NO_HISTORY, { variant: 'public', out, root, logLevel: 'error' });
}

/** A bare Astro project with `pages` trivial pages, built the way the guide is. */
export async function buildBareAstro(pages: number, out: string): Promise<void> {
  // Inside the toolchain, so its Astro resolves from node_modules like the guide's does.
  await mkdir(path.join(SITE_DIR, '.astro'), { recursive: true });
  const work = await mkdtemp(path.join(SITE_DIR, '.astro', 'bench-bare-'));
  try {
    await mkdir(path.join(work, 'project/src/pages'), { recursive: true });
    await writeFile(path.join(work, 'project/astro.config.mjs'), "import { defineConfig } from 'astro/config';\nexport default defineConfig({ output: 'static', devToolbar: { enabled: false } });\n");
    await writeFile(
      path.join(work, 'project/src/pages/[n].astro'),
      `---\nexport function getStaticPaths() {\n  return Array.from({ length: ${pages} }, (_, i) => ({ params: { n: String(i) } }));\n}\nconst { n } = Astro.params;\n---\n<html lang="en"><head><title>Page {n}</title></head><body><h1>Page {n}</h1></body></html>\n`,
    );
    const result = await execa(process.execPath, ['--disable-warning=ExperimentalWarning', ASTRO_BUILD, path.join(work, 'project'), path.join(work, 'dist'), 'error'], { cwd: work, reject: false, all: true });
    if (result.exitCode !== 0) throw new Error(`bare astro build failed:\n${result.all}`);
    await rm(out, { recursive: true, force: true });
    await mkdir(path.dirname(out), { recursive: true });
    await execa('cp', ['-r', path.join(work, 'dist'), out]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The site stage; `sizes` asks the runner to skip other catalog sizes (10,000 services take minutes per build). */
export const SITE_STAGE: BenchStage & { sizes: number[] } = {
  sizes: [1_000],
  name: 'hall site',
  async run(catalogDir) {
    const out = await mkdtemp(path.join(tmpdir(), 'hall-bench-site-'));
    try {
      return (await buildGuide(catalogDir, out)).stats.pages;
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
  async floor(catalogDir) {
    const out = await mkdtemp(path.join(tmpdir(), 'hall-bench-astro-'));
    try {
      await buildBareAstro(await countServices(catalogDir), out);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
  // The guide renders ~4 pages per service (zh and en page, zh and en embed) plus an index: 10× a bare page is the budget.
  target: { ratio: 10, atServices: 1_000, memoryMB: 1024 },
};

/** Bytes a browser fetches from /pagefind/ to answer one query on the search page. */
export async function searchBytes(siteDir: string, query: string): Promise<{ total: number; requests: number; byKind: Record<string, number>; results: number }> {
  const { chromium } = await import('playwright-core');
  const server = await serveStatic({ root: () => siteDir });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    const byKind: Record<string, number> = {};
    let total = 0;
    let requests = 0;
    page.on('response', async (response) => {
      const url = new URL(response.url());
      if (!url.pathname.startsWith('/pagefind/')) return;
      const bytes = (await response.body()).length;
      const kind = /\.pf_fragment$/.test(url.pathname) ? 'fragments' : /\.pf_index$/.test(url.pathname) ? 'index chunks' : /\.pf_filter$/.test(url.pathname) ? 'filters' : /\.pf_meta$/.test(url.pathname) ? 'metadata' : /wasm/.test(url.pathname) ? 'wasm' : 'script';
      byKind[kind] = (byKind[kind] ?? 0) + bytes;
      total += bytes;
      requests++;
    });
    await page.goto(`${server.url}/search/?q=${encodeURIComponent(query)}`);
    await page.waitForFunction(`/\\d|没有/.test(document.getElementById('status')?.textContent ?? '') && !document.getElementById('status').textContent.includes('…')`);
    await page.waitForLoadState('networkidle');
    const results = await page.locator('#results li').count();
    return { total, requests, byKind, results };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function sizeOf(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

/**
 * The stage's own report for `npm run bench`: guide vs bare Astro built in the same run, their ratio,
 * and the bytes one search fetches. Returns printable lines.
 */
export async function siteReport(services = 1000, query = '请假'): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'hall-bench-site-'));
  try {
    const catalogDir = await generateCatalog(path.join(root, 'repo'), services);
    const guideOut = path.join(root, 'guide');
    const bareOut = path.join(root, 'bare');
    const t0 = performance.now();
    const { stats } = await buildGuide(catalogDir, guideOut);
    const t1 = performance.now();
    await buildBareAstro(services, bareOut);
    const t2 = performance.now();
    const guide = await sizeOf(guideOut);
    const bare = await sizeOf(bareOut);
    const search = await searchBytes(guideOut, query);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    return [
      `guide site, ${services.toLocaleString('en')} services: ${((t1 - t0) / 1000).toFixed(2)} s (model ${stats.ms.model} ms, astro ${stats.ms.astro} ms, pagefind ${stats.ms.pagefind} ms), ${stats.pages.toLocaleString('en')} pages, ${guide.files.toLocaleString('en')} files, ${(guide.bytes / 1048576).toFixed(1)} MB`,
      `bare Astro, ${services.toLocaleString('en')} trivial pages: ${((t2 - t1) / 1000).toFixed(2)} s, ${bare.files.toLocaleString('en')} files`,
      `ratio: ${((t1 - t0) / (t2 - t1)).toFixed(2)}× the bare site (${((t1 - t0) / stats.pages).toFixed(1)} ms per guide page vs ${((t2 - t1) / services).toFixed(1)} ms per bare page)`,
      `search "${query}": ${search.results} results shown, ${kb(search.total)} fetched from /pagefind/ in ${search.requests} requests (${Object.entries(search.byKind).sort().map(([k, v]) => `${k} ${kb(v)}`).join(', ')})`,
      '',
    ].join('\n');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const option = (name: string) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  process.stdout.write(await siteReport(Number(option('--services') ?? 1000), option('--query') ?? '请假'));
}
