import { lstat, readFile, readdir, realpath } from 'node:fs/promises';
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

  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const abs = path.join(dir, entry.name);
      const rel = toPosix(path.relative(absRoot, abs));
      let stat = await lstat(abs);
      if (stat.isSymbolicLink()) {
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
        stat = await lstat(target);
        if (stat.isDirectory()) continue; // a link to a folder inside the catalog is already walked there
      }
      if (stat.isDirectory()) {
        await walk(abs);
      } else if (stat.isFile()) {
        source.files.add(rel);
        if (/\.ya?ml$/i.test(entry.name)) {
          if (stat.size > MAX_FILE_BYTES) {
            // Never read an oversized file into memory: report it from its size alone.
            source.diagnostics.push({ code: 'file/too-large', severity: 'error', args: { size: stat.size, limit: MAX_FILE_BYTES }, file: rel, line: 1, column: 1 });
          } else {
            source.yaml.push({ file: rel, bytes: await readFile(abs) });
          }
        }
      }
    }
  }
  await walk(absDir);
  return source;
}
