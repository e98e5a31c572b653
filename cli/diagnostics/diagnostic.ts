/** A problem found in the catalog: plain data, collected across every file and never thrown. */
export type Severity = 'error' | 'warning' | 'info';

export type Lang = 'zh' | 'en';

export interface Position {
  line: number;
  column: number;
}

export interface Diagnostic {
  /** Permanent name from the registry, e.g. `ref/unknown-group`. */
  code: string;
  severity: Severity;
  /** Arguments the registry's message and hint templates are filled with. */
  args: Record<string, string | number | { zh: string; en: string }>;
  /** Path relative to the catalog's parent folder (the repository root), with forward slashes. */
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Key path of the YAML node inside the document, for JSON consumers. */
  path?: (string | number)[];
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Stable order: by file, then position, then code, so every output format is deterministic. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}
