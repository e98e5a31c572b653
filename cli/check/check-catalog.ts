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
export function checkSource(source: CatalogSource, options: { today: string }): CheckResult {
  const diagnostics: Diagnostic[] = [...source.diagnostics];
  const files: ParsedFile[] = [];
  for (const { file, bytes } of source.yaml) {
    const { parsed, diagnostics: found } = parseServiceFile(bytes, file);
    files.push(parsed);
    diagnostics.push(...found);
  }
  const validated = validateDocuments(files);
  diagnostics.push(...validated.diagnostics);
  const resolved = resolveCatalog(validated.documents, source.dir, source.files);
  diagnostics.push(...resolved.diagnostics);
  diagnostics.push(...lintCatalog(resolved.catalog, { today: options.today }));
  return { catalog: resolved.catalog, documents: validated.documents, files, diagnostics: sortDiagnostics(diagnostics) };
}
