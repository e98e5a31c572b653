import { lstat, open, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { MAX_FILE_BYTES } from './parse-file.ts';

/** The raw files of a catalog, read from disk: the only I/O of the check pipeline. */
export interface CatalogSource {
  /** The catalog folder, relative to `root`, forward slashes (usually `catalog`). */
  dir: string;
  /** The folder paths are reported relative to (the repository root). */
  root: string;
  /** YAML files with their bytes. */
  yaml: { file: string; bytes: Uint8Array }[];
  /** Every regular file inside the catalog (attachments included), repository-relative. */
  files: Set<string>;
  diagnostics: Diagnostic[];
}

const toPosix = (p: string) => p.split(path.sep).join('/');

/** Read every file below `catalogDir`. Links that leave the catalog are reported, never followed. */
export async function readCatalog(catalogDir: string, root = process.cwd()): Promise<CatalogSource> {
  const absRoot = path.resolve(root);
  const absDir = path.resolve(absRoot, catalogDir);
  const realDir = await realpath(absDir);
  const source: CatalogSource = { dir: toPosix(path.relative(absRoot, absDir)) || '.', root: absRoot, yaml: [], files: new Set(), diagnostics: [] };

  // First the tree, in name order (which fixes the order of everything after), then the YAML files'
  // bytes, several at a time: a province-wide catalog has tens of thousands of files.
  const yamlFiles: { abs: string; rel: string }[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const abs = path.join(dir, entry.name);
      const rel = toPosix(path.relative(absRoot, abs));
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(abs);
        } catch {
          source.diagnostics.push({ code: 'file/unreadable', severity: 'error', args: { reason: 'broken link' }, file: rel, line: 1, column: 1 });
          continue;
        }
        if (target !== realDir && !target.startsWith(realDir + path.sep)) {
          source.diagnostics.push({ code: 'file/symlink-outside', severity: 'error', args: { target: toPosix(target) }, file: rel, line: 1, column: 1 });
          continue;
        }
        // A link to a folder inside the catalog is already walked there.
        isFile = (await lstat(target)).isFile();
      } else if (entry.isDirectory()) {
        await walk(abs);
        continue;
      }
      if (!isFile) continue;
      source.files.add(rel);
      if (/\.ya?ml$/i.test(entry.name)) yamlFiles.push({ abs, rel });
    }
  }
  await walk(absDir);

  const read = await mapLimited(yamlFiles, 32, ({ abs, rel }) => readYaml(abs, rel));
  for (const r of read) {
    if ('bytes' in r) source.yaml.push(r);
    else source.diagnostics.push(r);
  }
  return source;
}

/** One YAML file's bytes, or why they were not read. */
async function readYaml(abs: string, rel: string): Promise<{ file: string; bytes: Uint8Array } | Diagnostic> {
  const at = (code: string, args: Diagnostic['args']): Diagnostic => ({ code, severity: 'error', args, file: rel, line: 1, column: 1 });
  let handle;
  try {
    handle = await open(abs, 'r');
    const { size } = await handle.stat();
    // Never read an oversized file into memory: report it from its size alone.
    if (size > MAX_FILE_BYTES) return at('file/too-large', { size, limit: MAX_FILE_BYTES });
    return { file: rel, bytes: await handle.readFile() };
  } catch (error) {
    return at('file/unreadable', { reason: (error as NodeJS.ErrnoException).code ?? String(error) });
  } finally {
    await handle?.close();
  }
}

/** `fn` over `items` with at most `limit` running at once; results in the order of `items`. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
