import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkCacheIn, checkSource } from '../../check/check-catalog.ts';
import { repositoryRootOf, staleCodeownersDiagnostics } from '../../codeowners/stale.ts';
import { keptVersionDiagnosticsIn } from '../../compile/kept-versions.ts';
import type { CheckResult } from '../../check/check-catalog.ts';
import { SEVERITY_RANK } from '../../diagnostics/diagnostic.ts';
import { formatDiagnostics } from '../../diagnostics/format/index.ts';
import { inScope, locateCatalog } from '../../load/locate-catalog.ts';
import type { CatalogLocation } from '../../load/locate-catalog.ts';
import { readCatalog } from '../../load/read-catalog.ts';
import { UsageError } from '../../shared/errors.ts';
import { todayIn, useColor } from '../../shared/options.ts';
import type { OutputOptions } from '../../shared/options.ts';
import type { Lang } from '../../diagnostics/diagnostic.ts';

/** A check of a whole catalog, with where it was found. */
export type LocatedCheck = CheckResult & { location: CatalogLocation };

/**
 * Find (see locateCatalog), read and check a catalog; usage problems (no such folder, bad date) throw
 * UsageError. Only `hall check` may be pointed at a part of a catalog (`scoped`); the rest work on a whole one.
 */
export async function loadAndCheck(dir: string | undefined, options: { today?: string; scoped?: boolean; cacheDir?: string; lint?: boolean }): Promise<LocatedCheck> {
  const location = await locateCatalog(dir);
  if (location.scope && !options.scoped) {
    throw new UsageError(`这个命令作用于整个目录，请给出目录文件夹（${location.dir}），而不是其中的“${dir}” / this command works on a whole catalog: give its folder (${location.dir}), not "${dir}" inside it`);
  }
  if (!(await stat(location.abs).catch(() => undefined))?.isDirectory()) throw new UsageError(`找不到目录文件夹“${location.dir}” / no catalog folder "${location.dir}"`);
  if (options.today && !/^\d{4}-\d{2}-\d{2}$/.test(options.today)) throw new UsageError(`--today 应写成 YYYY-MM-DD / --today must be YYYY-MM-DD`);
  const source = await readCatalog(path.relative(location.root, location.abs) || '.', location.root);
  // `cacheDir` (hall build): unchanged files are not parsed, validated or linted again (check-cache.ts).
  return { ...checkSource(source, { today: options.today ?? todayIn(), lint: options.lint, ...(options.cacheDir ? { cache: checkCacheIn(options.cacheDir) } : {}) }), location };
}

/** Print a check's diagnostics and return the exit code for `failOn`. */
export async function printAndScore(result: CheckResult, options: OutputOptions & { out?: string }): Promise<number> {
  const sources = new Map(result.files.map((f) => [f.file, f.text]));
  const text = formatDiagnostics(options.format, result.diagnostics, {
    lang: options.lang,
    color: !options.out && options.format === 'pretty' && useColor(process.stdout),
    sources,
    filesChecked: result.files.length,
    siteUrl: result.catalog.hall?.value.urls?.site,
  });
  if (options.out) await writeFile(options.out, text);
  else process.stdout.write(text);
  const threshold = SEVERITY_RANK[options.failOn];
  return result.diagnostics.some((d) => SEVERITY_RANK[d.severity] >= threshold) ? 1 : 0;
}

/** A checked catalog with no errors and a valid hall.yaml: what every command that compiles needs. */
export type SoundCheck = LocatedCheck & { catalog: CheckResult['catalog'] & { hall: NonNullable<CheckResult['catalog']['hall']> } };

/**
 * The gate of every command that compiles the catalog: check it, and when it has errors print them
 * (with warnings too unless `errorsOnly`), say why the command stops, and return undefined (exit 1).
 */
export async function checkOrStop(
  dir: string | undefined,
  options: { lang: Lang; today?: string; format?: OutputOptions['format']; cacheDir?: string; lint?: boolean },
  stop: { zh: string; en: string } | undefined,
  show: { errorsOnly?: boolean; warningsWhenSound?: boolean } = {},
): Promise<SoundCheck | undefined> {
  const result = await loadAndCheck(dir, options);
  const hasErrors = result.diagnostics.some((d) => d.severity === 'error');
  if (hasErrors || !result.catalog.hall) {
    const shown = show.errorsOnly ? { ...result, diagnostics: result.diagnostics.filter((d) => d.severity === 'error') } : result;
    await printAndScore(shown, { format: options.format ?? 'pretty', lang: options.lang, failOn: 'error' });
    if (stop) process.stderr.write(`${stop[options.lang]}\n`);
    return undefined;
  }
  if (show.warningsWhenSound && result.diagnostics.length) await printAndScore(result, { format: options.format ?? 'pretty', lang: options.lang, failOn: 'error' });
  return result as SoundCheck;
}

/** `hall check [dir]`: the whole catalog, or (given a folder or file inside it) only what is reported there. */
export async function runCheck(dir: string | undefined, options: OutputOptions & { out?: string; today?: string }): Promise<number> {
  const result = await loadAndCheck(dir, { ...options, scoped: true });
  const root = result.location.root;
  result.diagnostics.push(...(await staleCodeownersDiagnostics(result, result.location.abs, root)));
  // The generated/ beside the catalog folder (a fixture catalog has none: nothing is kept for it).
  result.diagnostics.push(...(await keptVersionDiagnosticsIn(result, path.join(repositoryRootOf(result.location.abs), 'generated'), root)));
  const { scope } = result.location;
  if (!scope) return printAndScore(result, options);
  const files = result.files.filter((f) => inScope(f.file, scope));
  return printAndScore({ ...result, files, diagnostics: result.diagnostics.filter((d) => inScope(d.file, scope)) }, options);
}
