import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { parseServiceFile } from '../load/parse-file.ts';
import type { ParsedFile } from '../load/parse-file.ts';
import { schemaDiagnostics } from './validate-documents.ts';

/**
 * One YAML file checked against one JSON Schema, the way `hall check` checks a catalog file: the same
 * file and YAML diagnostics (encoding, tabs, duplicate keys, tags …), and every schema error located at
 * its line and column with the same codes (`schema/unknown-property` with the closest name, …). The
 * catalog, `hall serve --config` and the directory export all read their YAML through this, so an office
 * sees one kind of message whichever file it got wrong.
 */
export function readYamlDocument<T>(bytes: Uint8Array, file: string, validate: ValidateFunction<T>): { parsed: ParsedFile; value?: T; diagnostics: Diagnostic[] } {
  const { parsed, diagnostics } = parseServiceFile(bytes, file);
  if (diagnostics.some((d) => d.severity === 'error') || !parsed.value) return { parsed, diagnostics };
  if (!validate(parsed.value)) return { parsed, diagnostics: [...diagnostics, ...schemaDiagnostics(validate.errors ?? [], parsed)] };
  return { parsed, value: parsed.value as T, diagnostics };
}
