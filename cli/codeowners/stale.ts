import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckResult } from '../check/check-catalog.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { CODEOWNERS_FILE, compareCodeowners, generateCodeowners } from './codeowners.ts';

/** The repository root of a catalog folder: its parent, where `.github/` sits. */
export function repositoryRootOf(catalogDir: string): string {
  return path.dirname(path.resolve(catalogDir));
}

/** Where else GitHub looks for CODEOWNERS when .github/ has none (its documented order). */
const OTHER_PLACES = ['CODEOWNERS', 'docs/CODEOWNERS'];

/**
 * CODEOWNERS for `hall check`, in a catalog whose parent folder is a git repository's root: missing
 * (`codeowners/missing`), somewhere GitHub reads but hall does not (`codeowners/misplaced`), or stale
 * (`codeowners/stale`, for a catalog without errors: a broken department would make every line look stale).
 */
export async function staleCodeownersDiagnostics(result: CheckResult, catalogDir: string, shownFrom = process.cwd()): Promise<Diagnostic[]> {
  const root = repositoryRootOf(catalogDir);
  // Paths are shown relative to `shownFrom` (the repository root in hall check), like every other finding's.
  const shown = (file: string) => path.relative(shownFrom, path.join(root, file)).split(path.sep).join('/');
  const actual = await readFile(path.join(root, CODEOWNERS_FILE), 'utf8').catch(() => undefined);
  if (actual === undefined) {
    if (!existsSync(path.join(root, '.git'))) return [];
    const elsewhere = OTHER_PLACES.find((p) => existsSync(path.join(root, p)));
    return [elsewhere
      ? { code: 'codeowners/misplaced', severity: 'error', args: { file: elsewhere }, file: shown(elsewhere), line: 1, column: 1 }
      : { code: 'codeowners/missing', severity: 'error', args: {}, file: shown(CODEOWNERS_FILE), line: 1, column: 1 }];
  }
  if (result.diagnostics.some((d) => d.severity === 'error')) return [];
  const found = compareCodeowners(generateCodeowners(result.catalog, path.basename(path.resolve(catalogDir))).text, actual, shown(CODEOWNERS_FILE));
  return found ? [found] : [];
}
