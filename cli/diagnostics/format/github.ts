import type { Diagnostic } from '../diagnostic.ts';
import { renderDiagnostic } from '../registry.ts';
import type { FormatOptions } from './index.ts';

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions workflow commands: each diagnostic becomes an annotation on the PR's diff. */
export function formatGithub(diagnostics: Diagnostic[], options: FormatOptions): string {
  return diagnostics.map((d) => {
    const r = renderDiagnostic(d, options.lang);
    const level = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
    const props = [`file=${escapeProperty(d.file)}`, `line=${d.line}`, `col=${d.column}`];
    if (d.endLine) props.push(`endLine=${d.endLine}`);
    if (d.endColumn && d.endLine === d.line) props.push(`endColumn=${d.endColumn}`);
    props.push(`title=${escapeProperty(`${d.code} ${r.title}`)}`);
    return `::${level} ${props.join(',')}::${escapeData(`${r.message}\n${r.hint}`)}`;
  }).join('\n') + (diagnostics.length ? '\n' : '');
}
