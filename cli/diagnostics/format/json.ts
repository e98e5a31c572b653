import type { Diagnostic } from '../diagnostic.ts';
import { renderDiagnostic } from '../registry.ts';
import type { FormatOptions } from './index.ts';
import { countBySeverity } from './index.ts';

/** Machine-readable output: one object with a summary and every diagnostic, messages in `lang`. */
export function formatJson(diagnostics: Diagnostic[], options: FormatOptions): string {
  const counts = countBySeverity(diagnostics);
  return JSON.stringify({
    version: 1,
    summary: { errors: counts.error, warnings: counts.warning, files: options.filesChecked },
    diagnostics: diagnostics.map((d) => {
      const r = renderDiagnostic(d, options.lang);
      return { code: d.code, severity: d.severity, title: r.title, message: r.message, hint: r.hint, file: d.file, line: d.line, column: d.column, endLine: d.endLine ?? d.line, endColumn: d.endColumn ?? d.column, path: d.path ?? [] };
    }),
  }, null, 2) + '\n';
}
