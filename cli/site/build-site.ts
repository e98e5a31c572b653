import { copyFile, cp, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import path from 'node:path';
import type { Catalog } from '../model/catalog.ts';
import { DIAGNOSTICS } from '../diagnostics/registry.ts';
import { SCHEMAS_DIR, TOOLCHAIN_ROOT } from '../shared/paths.ts';
import { compileSiteModel } from './compile-site-model.ts';
import type { GitHistory } from './git-history.ts';
import { parseMarkdown } from './markdown.ts';
import { indexSite } from './pagefind.ts';
import { compileDiagnosticReference, compileFormatReference } from './reference.ts';
import type { Handbook, SiteModel, Variant } from './types.ts';

/** The Astro project. */
export const SITE_DIR = path.join(TOOLCHAIN_ROOT, 'site');
const ASTRO_BUILD = path.join(import.meta.dirname, 'astro-build.ts');
const BUILDS_DIR = path.join(SITE_DIR, '.astro', 'builds');

export interface SiteBuildOptions {
  variant: Variant;
  /** Output folder; emptied first. */
  out: string;
  /** Repository root the catalog's paths are relative to (attachments are copied from here). */
  root: string;
  /** Judge alerts on this date instead of the newest commit's. */
  asOf?: string;
  /** Astro's log level; builds are quiet unless something goes wrong. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export interface SiteBuildStats {
  pages: number;
  services: number;
  /** Services in listings and search (not retired). */
  listed: number;
  indexed: number;
  files: number;
  ms: { model: number; astro: number; pagefind: number };
}

/** Read what the handbook is generated from: the schemas, the diagnostic registry and docs/pr-process.md. */
export async function readHandbook(root: string): Promise<Handbook> {
  const schemas: Record<string, unknown> = {};
  for (const name of (await readdir(SCHEMAS_DIR)).sort()) {
    if (name.endsWith('.schema.json')) schemas[name] = JSON.parse(await readFile(path.join(SCHEMAS_DIR, name), 'utf8'));
  }
  const { formats, commonTypes } = compileFormatReference(schemas);
  let prProcess: Handbook['prProcess'];
  // The catalog repository's own process document wins over the toolchain's.
  for (const dir of [root, TOOLCHAIN_ROOT]) {
    const text = await readFile(path.join(dir, 'docs/pr-process.md'), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      prProcess = parseMarkdown(text);
      break;
    }
  }
  return { ...(prProcess ? { prProcess } : {}), formats, commonTypes, diagnostics: compileDiagnosticReference(DIAGNOSTICS) };
}

/** Run `astro build` on the site project in a child process whose working directory is `work`. */
async function runAstro(modelFile: string, outDir: string, work: string, logLevel: SiteBuildOptions['logLevel']): Promise<void> {
  const result = await execa(process.execPath, ['--disable-warning=ExperimentalWarning', ASTRO_BUILD, SITE_DIR, outDir, logLevel ?? 'warn'], {
    cwd: work,
    env: { HALL_SITE_MODEL: modelFile, ASTRO_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0) throw new SiteBuildError(`astro build failed (exit ${result.exitCode}):\n${result.all ?? ''}`);
  if (logLevel && logLevel !== 'silent' && logLevel !== 'error' && result.all) process.stderr.write(`${result.all}\n`);
}

/**
 * Why `out` must not be replaced by a build, or undefined when it may: a build empties its output
 * folder, so it refuses folders that hold the repository, the catalog, or anything but a built site.
 */
export async function unsafeOutput(out: string, protect: string[]): Promise<string | undefined> {
  const target = path.resolve(out);
  for (const p of protect.map((x) => path.resolve(x))) {
    if (target === p || p.startsWith(target + path.sep)) return `${out} contains ${p}`;
  }
  const entries = await readdir(target).catch(() => undefined);
  if (entries?.length && !(entries.includes('index.html') && entries.includes('pagefind'))) return `${out} is not empty and is not a built site`;
  return undefined;
}

/** Astro or Pagefind failed on a model that passed the checks: a bug in the site, reported as such. */
export class SiteBuildError extends Error {}

/** Move a finished build into place; across file systems, copy. */
async function moveInto(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await cp(from, to, { recursive: true });
  }
}

async function countPages(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.html')).length;
}

/**
 * Build the guide site for a checked catalog: compile the model, render it with Astro, copy the
 * attachments published services link to, and index the service pages with Pagefind.
 * The same catalog, history and options give byte-identical output.
 */
export async function buildSite(catalog: Catalog, history: GitHistory, options: SiteBuildOptions): Promise<{ model: SiteModel; stats: SiteBuildStats }> {
  const t0 = performance.now();
  const handbook = await readHandbook(options.root);
  const model = compileSiteModel(catalog, { variant: options.variant, asOf: options.asOf, handbook }, history);
  const t1 = performance.now();

  const out = path.resolve(options.out);
  // Scratch inside the site project (gitignored): Astro's prerender chunks import packages from the
  // nearest node_modules, so the build must happen below the toolchain's folder.
  await mkdir(BUILDS_DIR, { recursive: true });
  const work = await mkdtemp(path.join(BUILDS_DIR, 'build-'));
  try {
    const modelFile = path.join(work, 'model.json');
    await writeFile(modelFile, JSON.stringify(model));
    const dist = path.join(work, 'dist');
    await runAstro(modelFile, dist, work, options.logLevel);
    for (const file of model.files) {
      const target = path.join(dist, ...decodeURI(file.url).split('/').filter(Boolean));
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(path.resolve(options.root, file.source), target);
    }
    const t2 = performance.now();
    const indexed = await indexSite(dist);
    const t3 = performance.now();
    const pages = await countPages(dist);
    await moveInto(dist, out);
    return {
      model,
      stats: {
        pages,
        services: model.services.length,
        listed: model.services.filter((x) => x.status !== 'retired').length,
        indexed,
        files: model.files.length,
        ms: { model: Math.round(t1 - t0), astro: Math.round(t2 - t1), pagefind: Math.round(t3 - t2) },
      },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
