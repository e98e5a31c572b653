import { writeFile } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { checkSource } from '../../check/check-catalog.ts';
import { repositoryRootOf, staleCodeownersDiagnostics } from '../../codeowners/stale.ts';
import { keptVersionDiagnosticsIn } from '../../build/kept-versions.ts';
import type { CheckResult } from '../../check/check-catalog.ts';
import { SEVERITY_RANK } from '../../diagnostics/diagnostic.ts';
import { formatDiagnostics } from '../../diagnostics/format/index.ts';
import { readCatalog } from '../../load/read-catalog.ts';
import { UsageError } from '../../shared/errors.ts';
import { todayIn, useColor } from '../../shared/options.ts';
import type { OutputOptions } from '../../shared/options.ts';
import type { Lang } from '../../diagnostics/diagnostic.ts';

/** Read and check a catalog folder; usage problems (no such folder, bad date) throw UsageError. */
export async function loadAndCheck(dir: string, options: { today?: string }): Promise<CheckResult> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`找不到目录文件夹“${dir}” / no catalog folder "${dir}"`);
  if (options.today && !/^\d{4}-\d{2}-\d{2}$/.test(options.today)) throw new UsageError(`--today 应写成 YYYY-MM-DD / --today must be YYYY-MM-DD`);
  const source = await readCatalog(dir);
  return checkSource(source, { today: options.today ?? todayIn() });
}

/** Print a check's diagnostics and return the exit code for `failOn`. */
export async function printAndScore(result: CheckResult, options: OutputOptions & { output?: string }): Promise<number> {
  const sources = new Map(result.files.map((f) => [f.file, f.text]));
  const text = formatDiagnostics(options.format, result.diagnostics, {
    lang: options.lang,
    color: !options.output && options.format === 'pretty' && useColor(process.stdout),
    sources,
    filesChecked: result.files.length,
  });
  if (options.output) await writeFile(options.output, text);
  else process.stdout.write(text);
  const threshold = SEVERITY_RANK[options.failOn];
  return result.diagnostics.some((d) => SEVERITY_RANK[d.severity] >= threshold) ? 1 : 0;
}

/** A checked catalog with no errors and a valid hall.yaml: what every command that compiles needs. */
export type SoundCheck = CheckResult & { catalog: CheckResult['catalog'] & { hall: NonNullable<CheckResult['catalog']['hall']> } };

/**
 * The gate of every command that compiles the catalog: check it, and when it has errors print them
 * (with warnings too unless `errorsOnly`), say why the command stops, and return undefined (exit 1).
 */
export async function checkOrStop(
  dir: string,
  options: { lang: Lang; today?: string; format?: OutputOptions['format'] },
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

export async function runCheck(dir: string, options: OutputOptions & { output?: string; today?: string }): Promise<number> {
  const result = await loadAndCheck(dir, options);
  result.diagnostics.push(...(await staleCodeownersDiagnostics(result, dir)));
  const root = repositoryRootOf(dir);
  result.diagnostics.push(...(await keptVersionDiagnosticsIn(result, path.join(root, 'generated'), root)));
  return printAndScore(result, options);
}
