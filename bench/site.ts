import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
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
 * (model, Astro, attachments, Pagefind); `floor` builds a bare Astro site with the same pages and
 * indexes it with bare Pagefind, in the same way (an `astro build` child process), so the ratio is what
 * the guide costs over what any static site of that many pages and words costs. Run alone, `node bench/site.ts [--services 1000] [--query 请假]` also reports the bytes a
 * reader's browser fetches for one search (Pagefind loads index chunks on demand) and page sizes.
 */
const TODAY = '2026-10-01';
const ASTRO_BUILD = path.join(import.meta.dirname, '../cli/site/astro-build.ts');

/** Build the guide site of a generated catalog into `out`. */
export async function buildGuide(catalogDir: string, out: string) {
  const root = path.dirname(catalogDir);
  const { catalog, diagnostics } = checkSource(await readCatalog(path.basename(catalogDir), root), { today: TODAY });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`the generated catalog has ${errors.length} error(s), first ${errors[0].code} in ${errors[0].file}`);
  return buildSite(catalog, NO_HISTORY, { variant: 'public', out, root, logLevel: 'error' });
}

/** One page of a built site, as the floor rebuilds it: its path, and the words Pagefind indexed on it (or none). */
export interface PageOfSite {
  path: string;
  text?: string;
}

/** Every HTML page of a built site, with the text of those Pagefind indexes (they carry data-pagefind-body). */
export async function pagesOfSite(dir: string): Promise<PageOfSite[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.html')).sort();
  const pages: PageOfSite[] = [];
  for (const file of files) {
    const html = await readFile(path.join(dir, file), 'utf8');
    const page: PageOfSite = { path: file.split(path.sep).join('/') };
    if (html.includes('data-pagefind-body')) {
      const body = html.replace(/^[\s\S]*?<body[^>]*>/, '').replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ');
      page.text = body.replace(/<[^>]+>/g, ' ').replace(/&[a-z#0-9]+;/g, ' ').replace(/\s+/g, ' ').trim();
    }
    pages.push(page);
  }
  return pages;
}

/**
 * Issue 16.4's floor: a bare Astro project with one trivial page per page of the guide (same paths), the
 * pages Pagefind indexes in the guide carrying the same words as plain paragraphs, then bare Pagefind
 * (`addDirectory`, default settings) over all of them. No layout, components, model or search keys: what
 * any static guide of that many pages and words must cost at least.
 */
export async function buildBareAstro(pages: PageOfSite[], out: string): Promise<void> {
  // Inside the toolchain, so its Astro resolves from node_modules like the guide's does.
  await mkdir(path.join(SITE_DIR, '.astro'), { recursive: true });
  const work = await mkdtemp(path.join(SITE_DIR, '.astro', 'bench-bare-'));
  try {
    await mkdir(path.join(work, 'project/src/pages'), { recursive: true });
    await writeFile(path.join(work, 'project/astro.config.mjs'), "import { defineConfig } from 'astro/config';\nexport default defineConfig({ output: 'static', devToolbar: { enabled: false }});\n");
    await writeFile(path.join(work, 'project/pages.json'), JSON.stringify(pages.map((p) => ({ path: p.path.replace(/\.html$/, ''), text: p.text ?? '' }))));
    await writeFile(
      path.join(work, 'project/src/pages/[...path].astro'),
      `---\nimport pages from '../../pages.json';\nexport function getStaticPaths() {\n  return pages.map((p) => ({ params: { path: p.path }, props: { text: p.text } }));\n}\nconst { text } = Astro.props;\n---\n<html lang="zh"><head><meta charset="utf-8"><title>{Astro.params.path}</title></head><body><h1>{Astro.params.path}</h1>{text && <p>{text}</p>}</body></html>\n`,
    );
    const result = await execa(process.execPath, ['--disable-warning=ExperimentalWarning', ASTRO_BUILD, path.join(work, 'project'), path.join(work, 'dist'), 'error'], { cwd: work, reject: false, all: true });
    if (result.exitCode !== 0) throw new Error(`bare astro build failed:\n${result.all}`);
    const pagefind = await import('pagefind');
    const { index, errors } = await pagefind.createIndex({});
    if (!index) throw new Error(`pagefind: ${errors.join('; ')}`);
    try {
      const added = await index.addDirectory({ path: path.join(work, 'dist') });
      if (added.errors.length) throw new Error(`pagefind: ${added.errors.join('; ')}`);
      const written = await index.writeFiles({ outputPath: path.join(work, 'dist/pagefind') });
      if (written.errors.length) throw new Error(`pagefind: ${written.errors.join('; ')}`);
    } finally {
      await index.deleteIndex();
      await pagefind.close();
    }
    await rm(out, { recursive: true, force: true });
    await mkdir(path.dirname(out), { recursive: true });
    await execa('cp', ['-r', path.join(work, 'dist'), out]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Where the stage keeps the guide's page list for its floor (written by an untimed prepare). */
const pagesFile = (catalogDir: string) => `${path.dirname(catalogDir)}-site-pages.json`;

async function preparePages(catalogDir: string): Promise<void> {
  if (existsSync(pagesFile(catalogDir))) return;
  const out = await mkdtemp(path.join(tmpdir(), 'hall-bench-site-'));
  try {
    await buildGuide(catalogDir, out);
    await writeFile(pagesFile(catalogDir), JSON.stringify(await pagesOfSite(out)));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/**
 * Catalog sizes the site stage runs at by default. At 10,000 services one guide build and one bare build
 * take minutes each (some 27,000 pages through Astro and Pagefind), so the default `npm run bench` (five
 * rounds of every stage) leaves it out; `npm run bench -- --site-10000` adds it (see bench/run.ts).
 */
export const SITE_SIZES = [1000];

/**
 * The site stage at 1,000 services (and 10,000 with --site-10000). The floor is bare Astro plus bare
 * Pagefind over the same pages and words as the guide (buildBareAstro); its page list comes from one
 * untimed guide build.
 */
export const SITE_STAGE: BenchStage = {
  name: 'hall site',
  sizes: SITE_SIZES,
  prepare: preparePages,
  async run(catalogDir) {
    const out = await mkdtemp(path.join(tmpdir(), 'hall-bench-site-'));
    try {
      return (await buildGuide(catalogDir, out)).stats.pages;
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
  async floor(catalogDir) {
    if (!existsSync(pagesFile(catalogDir))) await preparePages(catalogDir);
    const pages = JSON.parse(await readFile(pagesFile(catalogDir), 'utf8')) as PageOfSite[];
    const out = await mkdtemp(path.join(tmpdir(), 'hall-bench-astro-'));
    try {
      await buildBareAstro(pages, out);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
  // Issue 16: ≤ 2× a bare Astro site plus bare Pagefind over the same number of pages, at 1,000 services.
  target: { ratio: 2, atServices: 1_000, memoryMB: 1024 },
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
    const pages = await pagesOfSite(guideOut);
    const t3 = performance.now();
    await buildBareAstro(pages, bareOut);
    const t4 = performance.now();
    const guide = await sizeOf(guideOut);
    const bare = await sizeOf(bareOut);
    const search = await searchBytes(guideOut, query);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    return [
      `guide site, ${services.toLocaleString('en')} services: ${((t1 - t0) / 1000).toFixed(2)} s (model ${stats.ms.model} ms, astro ${stats.ms.astro} ms, pagefind ${stats.ms.pagefind} ms), ${stats.pages.toLocaleString('en')} pages, ${guide.files.toLocaleString('en')} files, ${(guide.bytes / 1048576).toFixed(1)} MB`,
      `bare Astro + bare Pagefind, the same ${pages.length.toLocaleString('en')} pages (${pages.filter((p) => p.text).length.toLocaleString('en')} with the guide's indexed words): ${((t4 - t3) / 1000).toFixed(2)} s, ${bare.files.toLocaleString('en')} files`,
      `ratio: ${((t1 - t0) / (t4 - t3)).toFixed(2)}× the bare site (${((t1 - t0) / stats.pages).toFixed(1)} ms per guide page vs ${((t4 - t3) / pages.length).toFixed(1)} ms per bare page); ${(stats.pages / services).toFixed(2)} pages per service, ${stats.indexed.toLocaleString('en')} indexed`,
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
