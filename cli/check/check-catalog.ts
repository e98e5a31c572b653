import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { sortDiagnostics } from '../diagnostics/diagnostic.ts';
import { lintCatalog } from '../lint/lint-catalog.ts';
import { parseServiceFile, withDocumentOnDemand } from '../load/parse-file.ts';
import { CheckCache } from './check-cache.ts';
import { toolchainFingerprint } from '../compile/cache.ts';
import { knownFingerprint, runtimeFingerprint } from '../compile/fingerprint.ts';
import type { Located, Service } from '../model/catalog.ts';
import type { DocumentKind } from '../validate/schemas.ts';
import type { ParsedFile } from '../load/parse-file.ts';
import type { CatalogSource } from '../load/read-catalog.ts';
import type { Catalog } from '../model/catalog.ts';
import { resolveCatalog } from '../resolve/resolve-catalog.ts';
import { validateDocuments } from '../validate/validate-documents.ts';
import { useValidatorCache } from '../validate/schemas.ts';
import type { CatalogDocument } from '../validate/validate-documents.ts';

export interface CheckResult {
  catalog: Catalog;
  documents: CatalogDocument[];
  files: ParsedFile[];
  diagnostics: Diagnostic[];
}

/**
 * load → validate → resolve → lint over a catalog already read from disk. Pure, but for `cache` (the
 * build's memory between runs, see CheckCache): with it, an unchanged clean file is not parsed or
 * validated again and an unchanged service is not linted again, for the same result. Commands that only
 * read the catalog's model — `hall report` names services and departments from it — pass `lint: false`:
 * lint findings are `hall check`'s business and most of a check's time (pattern safety, scenario runs).
 */
export function checkSource(source: CatalogSource, options: { today: string; cache?: CheckCache; lint?: boolean }): CheckResult {
  const { cache } = options;
  // With the build's cache, the schema validators are compiled once and loaded from it afterwards.
  if (cache) useValidatorCache(cache.dir);
  const diagnostics: Diagnostic[] = [...source.diagnostics];
  const files: ParsedFile[] = [];
  const known = new Map<ParsedFile, DocumentKind>();
  const fresh: { parsed: ParsedFile; bytes: Uint8Array }[] = [];
  for (const { file, bytes } of source.yaml) {
    const hit = cache?.parsed(file, bytes);
    if (hit) {
      // A clean file's text is its bytes as UTF-8 (no BOM, nothing invalid: else it had a finding).
      const parsed = withDocumentOnDemand(file, new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes), hit.value);
      files.push(parsed);
      known.set(parsed, hit.kind);
      if (hit.fingerprint !== undefined) knownFingerprint(hit.value, hit.fingerprint);
      continue;
    }
    const { parsed, diagnostics: found } = parseServiceFile(bytes, file);
    files.push(parsed);
    const crlf = crlfLineEnds(parsed.text, file);
    diagnostics.push(...found, ...crlf);
    if (cache && !found.length && !crlf.length && parsed.value) fresh.push({ parsed, bytes });
  }
  const validated = validateDocuments(files, known);
  diagnostics.push(...validated.diagnostics);
  if (cache && fresh.length) {
    const documents = new Map(validated.documents.map((d) => [d.parsed, d]));
    for (const { parsed, bytes } of fresh) {
      const d = documents.get(parsed);
      // A service's runtime fingerprint is a function of its value: remembered with it, for the build.
      if (d?.valid) cache.rememberParsed(parsed.file, bytes, { kind: d.kind, value: d.value, ...(d.kind === 'Service' ? { fingerprint: runtimeFingerprint(d.value as unknown as Service) } : {}) });
    }
  }
  const resolved = resolveCatalog(validated.documents, source.dir, source.files);
  diagnostics.push(...resolved.diagnostics);
  if (options.lint !== false) diagnostics.push(...(cache ? lintCached(resolved.catalog, source, options.today, cache) : lintCatalog(resolved.catalog, { today: options.today })));
  cache?.save();
  return { catalog: resolved.catalog, documents: validated.documents, files, diagnostics: capPerFile(sortDiagnostics(diagnostics)) };
}

/** The check cache of the build (`hall build`, unless --no-cache), for the current toolchain. */
export function checkCacheIn(cacheDir: string): CheckCache {
  return new CheckCache(cacheDir, toolchainFingerprint(['cli', 'lib', 'schemas'], ['yaml', 'ajv', 'ajv-formats', 'feelin', '@lezer/common', 'handlebars', 're2js']));
}

/**
 * lintCatalog, redone only for the services whose file or context changed. Every rule looks at one
 * service at a time (with hall.yaml's settings and the department codes as context) or at the files
 * that are not services alone, so the findings in a service's file are a function of that file and the
 * context: the rules run over the changed services plus those files, and the findings of the others
 * are remembered.
 */
function lintCached(catalog: Catalog, source: CatalogSource, today: string, cache: CheckCache): Diagnostic[] {
  const context = CheckCache.lintContext(catalog, today);
  const bytesOf = new Map(source.yaml.map((y) => [y.file, y.bytes]));
  const out: Diagnostic[] = [];
  const redo = new Map<string, Located<Service>>();
  const keys = new Map<string, string>();
  for (const [id, located] of catalog.services) {
    const file = located.parsed.file;
    const key = `${context}:${cache.fileKey(file, bytesOf.get(file)!)}`;
    const remembered = cache.linted(file, key);
    if (remembered) out.push(...remembered);
    else {
      redo.set(id, located);
      keys.set(file, key);
    }
  }
  const found = lintCatalog({ ...catalog, services: redo }, { today });
  const byFile = new Map<string, Diagnostic[]>([...keys.keys()].map((file) => [file, []]));
  for (const d of found) (byFile.get(d.file) ?? out).push(d);
  for (const [file, list] of byFile) {
    // A finding that depends on the machine's speed (a regex the checker could not prove in its time
    // budget) is not a function of the files: it is never remembered, so the next run tries again.
    if (!list.some((d) => UNREPEATABLE.has(d.code))) cache.rememberLinted(file, keys.get(file)!, list);
    out.push(...list);
  }
  return out;
}

/** Findings whose outcome depends on a time budget, not only on the files. */
const UNREPEATABLE = new Set(['pattern/unproven']);

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
