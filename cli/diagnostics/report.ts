import type { ParsedFile } from '../load/parse-file.ts';
import { locate } from '../load/parse-file.ts';
import type { Diagnostic } from './diagnostic.ts';
import { definitionOf } from './registry.ts';
import type { DiagnosticCode } from './registry.ts';

/** A diagnostic pointing at the YAML node at `path` in `parsed`, with the registry's severity. */
export function diagnosticAt(
  parsed: ParsedFile,
  code: DiagnosticCode,
  path: (string | number)[],
  args: Diagnostic['args'] = {},
  options: { key?: boolean } = {},
): Diagnostic {
  const range = locate(parsed, path, options);
  return { code, severity: definitionOf(code).severity, args, file: parsed.file, ...range, path };
}
