import type { Diagnostic, Lang, Severity } from '../diagnostic.ts';
import { formatGithub } from './github.ts';
import { formatJson } from './json.ts';
import { formatPretty } from './pretty.ts';
import { formatSarif } from './sarif.ts';

export type OutputFormat = 'pretty' | 'json' | 'github' | 'sarif';
export const OUTPUT_FORMATS: OutputFormat[] = ['pretty', 'json', 'github', 'sarif'];

export interface FormatOptions {
  lang: Lang;
  color: boolean;
  /** File text by path, for code frames. */
  sources: Map<string, string>;
  filesChecked: number;
  /** The guide site (hall.yaml urls.site), whose reference page explains each code; omitted when unknown. */
  siteUrl?: string;
}

export function formatDiagnostics(format: OutputFormat, diagnostics: Diagnostic[], options: FormatOptions): string {
  switch (format) {
    case 'json': return formatJson(diagnostics, options);
    case 'github': return formatGithub(diagnostics, options);
    case 'sarif': return formatSarif(diagnostics, options);
    default: return formatPretty(diagnostics, options);
  }
}

export function countBySeverity(diagnostics: Diagnostic[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  return counts;
}
