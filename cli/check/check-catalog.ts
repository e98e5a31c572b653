import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { sortDiagnostics } from '../diagnostics/diagnostic.ts';
import { lintCatalog } from '../lint/lint-catalog.ts';
import { parseServiceFile } from '../load/parse-file.ts';
import type { ParsedFile } from '../load/parse-file.ts';
import type { CatalogSource } from '../load/read-catalog.ts';
import type { Catalog } from '../model/catalog.ts';
import { resolveCatalog } from '../resolve/resolve-catalog.ts';
import { validateDocuments } from '../validate/validate-documents.ts';
import type { CatalogDocument } from '../validate/validate-documents.ts';

export interface CheckResult {
  catalog: Catalog;
  documents: CatalogDocument[];
  files: ParsedFile[];
  diagnostics: Diagnostic[];
}

/** load → validate → resolve → lint over a catalog already read from disk. Pure. */
/**
 * Load, validate, resolve and (unless `lint: false`) lint a catalog. Commands that only read the catalog's
 * model — `hall report` names services and departments from it — skip the lint rules: their findings are
 * `hall check`'s business and they are most of a check's time (pattern safety analysis, scenario runs).
 */
export function checkSource(source: CatalogSource, options: { today: string; lint?: boolean }): CheckResult {
  const diagnostics: Diagnostic[] = [...source.diagnostics];
  const files: ParsedFile[] = [];
  for (const { file, bytes } of source.yaml) {
    const { parsed, diagnostics: found } = parseServiceFile(bytes, file);
    files.push(parsed);
    diagnostics.push(...found, ...crlfLineEnds(parsed.text, file));
  }
  const validated = validateDocuments(files);
  diagnostics.push(...validated.diagnostics);
  const resolved = resolveCatalog(validated.documents, source.dir, source.files);
  diagnostics.push(...resolved.diagnostics);
  if (options.lint !== false) diagnostics.push(...lintCatalog(resolved.catalog, { today: options.today }));
  return { catalog: resolved.catalog, documents: validated.documents, files, diagnostics: capPerFile(sortDiagnostics(diagnostics)) };
}

/**
 * A file saved with Windows line ends (CRLF): YAML reads it the same, but git shows every line changed
 * and the PR summary nothing. Reported once per file, at the first such line.
 */
function crlfLineEnds(text: string, file: string): Diagnostic[] {
  // Only a file that was read as text (not binary, not mis-encoded) has line ends worth naming.
  const at = text.indexOf('\r\n');
  if (at === -1) return [];
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return [{ code: 'file/crlf', severity: 'warning', args: {}, file, line, column: at - before.lastIndexOf('\n') }];
}

/** Most diagnostics listed per file; the rest are counted in one `file/more-problems`. */
export const MAX_DIAGNOSTICS_PER_FILE = 100;

/**
 * Keep the first MAX_DIAGNOSTICS_PER_FILE findings of each file (in position order) and say how many
 * more there are: 10,000 findings for one broken file help nobody and once exhausted the memory.
 * Stages that stopped early may already have left a `file/more-problems` with a count; counts add up.
 */
function capPerFile(sorted: Diagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j < sorted.length && sorted[j].file === sorted[i].file) j++;
    const own = sorted.slice(i, j).filter((d) => d.code !== 'file/more-problems');
    let more = sorted.slice(i, j).reduce((sum, d) => sum + (d.code === 'file/more-problems' ? Number(d.args.count ?? 0) : 0), 0);
    const kept = own.slice(0, MAX_DIAGNOSTICS_PER_FILE);
    const dropped = own.slice(MAX_DIAGNOSTICS_PER_FILE);
    more += dropped.length;
    out.push(...kept);
    if (more > 0) {
      const at = dropped[0] ?? kept[kept.length - 1] ?? sorted[i];
      const severity = dropped.some((d) => d.severity === 'error') || !dropped.length ? 'error' : dropped.some((d) => d.severity === 'warning') ? 'warning' : 'info';
      out.push({ code: 'file/more-problems', severity, args: { count: more.toLocaleString('en-US') }, file: at.file, line: at.line, column: at.column });
    }
    i = j;
  }
  return out;
}
