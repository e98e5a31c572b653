import { writeFile } from 'node:fs/promises';
import { SEVERITY_RANK } from '../../diagnostics/diagnostic.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatDiagnostics } from '../../diagnostics/format/index.ts';
import type { OutputFormat } from '../../diagnostics/format/index.ts';
import { locateCatalog } from '../../load/locate-catalog.ts';
import { useColor } from '../../shared/options.ts';
import type { OutputOptions } from '../../shared/options.ts';
import type { Lang } from '../../diagnostics/diagnostic.ts';

/** The diagnostics of a directory export as `hall check` prints them. */
export function formatDirectoryDiagnostics(diagnostics: Diagnostic[], sources: Map<string, string>, options: { format?: OutputFormat; lang: Lang; color?: boolean }): string {
  return formatDiagnostics(options.format ?? 'pretty', diagnostics, { lang: options.lang, color: options.color ?? false, sources, filesChecked: 1 });
}

/** `hall directory check <file> [dir]`: exit 0 when the export can be loaded, 1 when it has findings. */
export async function runDirectoryCheck(file: string, dir: string | undefined, options: OutputOptions & { out?: string }): Promise<number> {
  const location = await locateCatalog(dir);
  const { checkDirectoryFile } = await import('../../../server/directory/check.ts');
  const { readVocabulary } = await import('../../../server/directory/vocabulary.ts');
  const { diagnostics, sources } = await checkDirectoryFile(file, await readVocabulary(location.abs));
  const text = formatDirectoryDiagnostics(diagnostics, sources, { format: options.format, lang: options.lang, color: !options.out && options.format === 'pretty' && useColor(process.stdout) });
  if (options.out) await writeFile(options.out, text);
  else process.stdout.write(text);
  const threshold = SEVERITY_RANK[options.failOn];
  return diagnostics.some((d) => SEVERITY_RANK[d.severity] >= threshold) ? 1 : 0;
}
