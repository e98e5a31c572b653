import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckResult } from '../check/check-catalog.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { CODEOWNERS_FILE, compareCodeowners, generateCodeowners } from './codeowners.ts';

/** The repository root of a catalog folder: its parent, where `.github/` sits. */
export function repositoryRootOf(catalogDir: string): string {
  return path.dirname(path.resolve(catalogDir));
}

/**
 * `codeowners/stale` for `hall check`, only when `.github/CODEOWNERS` exists beside the catalog
 * folder, and only for a catalog without errors (a broken department would make every line look stale);
 * its path is relative to `root`, like every other finding's.
 */
export async function staleCodeownersDiagnostics(result: CheckResult, catalogDir: string, root = process.cwd()): Promise<Diagnostic[]> {
  const abs = path.join(repositoryRootOf(catalogDir), CODEOWNERS_FILE);
  const actual = await readFile(abs, 'utf8').catch(() => undefined);
  if (actual === undefined || result.diagnostics.some((d) => d.severity === 'error')) return [];
  const found = compareCodeowners(generateCodeowners(result.catalog, path.basename(path.resolve(catalogDir))).text, actual, path.relative(root, abs).split(path.sep).join('/'));
  return found ? [found] : [];
}
