import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import type { CheckResult } from '../check/check-catalog.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnosticAt } from '../diagnostics/report.ts';
import { definitionOf } from '../diagnostics/registry.ts';
import type { Service } from '../model/catalog.ts';
import { hasRuntimeDefinition } from './compile-runtime.ts';

/** Why a build would stop producing a service's runtime definition. */
type Loss = { path: string[]; zh: string; en: string };

/** What in a valid service keeps the build from producing its runtime definition, or undefined. */
function lossOf(service: Service): Loss | undefined {
  if (hasRuntimeDefinition(service)) return undefined;
  if (service.status === 'draft') return { path: ['status'], zh: '状态改成了草稿（draft）', en: 'its status was set to draft' };
  if (service.type === 'guide') return { path: ['type'], zh: '办理方式改成了仅办事指南（guide）', en: 'its type was set to guide' };
  return { path: ['classification'], zh: '公开范围改成了涉密（confidential）', en: 'it was classified confidential' };
}

const versionList = (versions: { version: number }[]) => versions.map((v) => `v${v.version}`).join('、');

/**
 * `runtime/kept-versions-no-file` and `runtime/kept-versions-dropped`: every service of `manifest` (the
 * committed generated/runtime/manifest.json) whose kept versions the catalog would no longer build —
 * its file is gone, or it became a draft, a guide or confidential. A service file that failed
 * validation is left to its own errors. `manifestFile` is the manifest's repository-relative path and
 * `manifestText` its text, to point at the service's entry. Pure.
 */
export function keptVersionDiagnostics(result: Pick<CheckResult, 'catalog' | 'documents'>, manifest: RuntimeManifest, manifestFile: string, manifestText: string): Diagnostic[] {
  const declared = new Set(result.documents.filter((d) => d.kind === 'Service' && typeof d.value.id === 'string').map((d) => d.value.id as string));
  const out: Diagnostic[] = [];
  for (const entry of manifest.services ?? []) {
    const versions = versionList(entry.versions ?? []);
    const located = result.catalog.services.get(entry.id);
    if (located) {
      const loss = lossOf(located.value);
      if (loss) out.push(diagnosticAt(located.parsed, 'runtime/kept-versions-dropped', loss.path, { id: entry.id, versions, change: { zh: loss.zh, en: loss.en } }));
    } else if (!declared.has(entry.id)) {
      const at = positionOf(manifestText, entry.id);
      out.push({ code: 'runtime/kept-versions-no-file', severity: definitionOf('runtime/kept-versions-no-file').severity, args: { id: entry.id, name: entry.name?.zh ?? entry.id, versions }, file: manifestFile, ...at });
    }
  }
  return out;
}

/** Line and column of a service's `"id": "<id>"` in the manifest text (1-based), or its first line. */
function positionOf(text: string, id: string): { line: number; column: number } {
  const lines = text.split('\n');
  const needle = `"id": ${JSON.stringify(id)}`;
  const index = lines.findIndex((l) => l.includes(needle));
  return index < 0 ? { line: 1, column: 1 } : { line: index + 1, column: lines[index].indexOf(needle) + 1 };
}

/**
 * The kept-version diagnostics for the manifest in `generatedDir` (nothing when it has none, or it is
 * not readable JSON: the build and the loader report that). `repositoryRoot` makes the path relative.
 */
export async function keptVersionDiagnosticsIn(result: Pick<CheckResult, 'catalog' | 'documents'>, generatedDir: string, repositoryRoot: string): Promise<Diagnostic[]> {
  const abs = path.join(generatedDir, 'runtime', 'manifest.json');
  const text = await readFile(abs, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  let manifest: RuntimeManifest;
  try {
    manifest = JSON.parse(text) as RuntimeManifest;
  } catch {
    return [];
  }
  if (!manifest || !Array.isArray(manifest.services)) return [];
  return keptVersionDiagnostics(result, manifest, path.relative(repositoryRoot, abs).split(path.sep).join('/'), text);
}
