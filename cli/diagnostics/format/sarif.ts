import type { Diagnostic } from '../diagnostic.ts';
import { diagnosticReferenceUrl } from '../../site/reference.ts';
import { DIAGNOSTICS, renderDiagnostic } from '../registry.ts';
import type { FormatOptions } from './index.ts';

/**
 * SARIF 2.1.0, for code-scanning dashboards. Rules list only the codes that occur, in a stable order; each
 * rule's helpUri is the code's entry on the guide site's reference page (a result cannot carry helpUri
 * itself in SARIF 2.1.0: it reaches it through ruleIndex).
 */
export function formatSarif(diagnostics: Diagnostic[], options: FormatOptions): string {
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort();
  const defs = DIAGNOSTICS as Record<string, (typeof DIAGNOSTICS)[keyof typeof DIAGNOSTICS]>;
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'hall',
          informationUri: 'https://servicehall.dev',
          rules: codes.map((code) => ({
            id: code,
            name: code.replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase()),
            shortDescription: { text: defs[code].title[options.lang] },
            help: { text: defs[code].hint[options.lang].replace(/\{\w+\}/g, '…') },
            ...(options.siteUrl ? { helpUri: diagnosticReferenceUrl(options.siteUrl, code, options.lang) } : {}),
            defaultConfiguration: { level: defs[code].severity === 'error' ? 'error' : defs[code].severity === 'warning' ? 'warning' : 'note' },
          })),
        },
      },
      results: diagnostics.map((d) => {
        const r = renderDiagnostic(d, options.lang);
        return {
          ruleId: d.code,
          ruleIndex: codes.indexOf(d.code),
          level: d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'note',
          message: { text: `${r.message} ${r.hint}` },
          locations: [{
            physicalLocation: {
              artifactLocation: { uri: d.file },
              region: { startLine: d.line, startColumn: d.column, endLine: d.endLine ?? d.line, endColumn: d.endColumn ?? d.column },
            },
          }],
        };
      }),
    }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
