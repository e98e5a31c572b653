import { canonicalJson } from '../../lib/shared/canonical.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';

/**
 * Kept runtime versions are append-only (generated/README.md, "Retention"): a PR may add versions, never
 * change or remove one. Pure: the caller passes both manifests' text and the paths git reports.
 */

/** A file that belongs to one version: runtime/<id>/v<n>.json, bpmn/<id>/v<n>.bpmn, bpmn/<id>/v<n>/<form>. */
const VERSION_FILE = /^generated\/(?:runtime|bpmn)\/[^/]+\/v\d+(?:\.[A-Za-z]+|\/.+)$/;

export interface KeptVersionsInput {
  manifestFile: string;
  /** The manifest at the base and in the working tree, as text (undefined: no such file). */
  baseManifest?: string;
  headManifest?: string;
  /** Paths that exist at the base and differ in the working tree (changed or deleted), repository-relative. */
  changedAtBase: { path: string; deleted: boolean }[];
}

interface ManifestService {
  id: string;
  current?: number;
  versions: Record<string, unknown>[];
}

function servicesOf(text: string | undefined): Map<string, ManifestService> | undefined {
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as { services?: unknown };
    if (!Array.isArray(json.services)) return undefined;
    const out = new Map<string, ManifestService>();
    for (const s of json.services as Record<string, unknown>[]) {
      if (typeof s?.id !== 'string') continue;
      const versions = Array.isArray(s.versions) ? (s.versions as Record<string, unknown>[]).filter((v) => typeof v?.version === 'number') : [];
      out.set(s.id, { id: s.id, current: typeof s.current === 'number' ? s.current : undefined, versions });
    }
    return out;
  } catch {
    return undefined;
  }
}

/** The 1-based line of the first occurrence of `needle` in `text`, or 1. */
function lineOf(text: string | undefined, needle: string): number {
  const at = text?.indexOf(needle) ?? -1;
  return at < 0 ? 1 : text!.slice(0, at).split('\n').length;
}

export function keptVersionChanges(input: KeptVersionsInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { path, deleted } of input.changedAtBase) {
    if (!VERSION_FILE.test(path)) continue;
    out.push({ code: deleted ? 'pr/kept-version-removed' : 'pr/kept-version-changed', severity: 'error', file: path, line: 1, column: 1, args: { file: path } });
  }
  const base = servicesOf(input.baseManifest);
  if (!base) return out;
  const head = servicesOf(input.headManifest) ?? new Map<string, ManifestService>();
  const file = input.manifestFile;
  for (const [id, before] of base) {
    const after = head.get(id);
    for (const version of before.versions) {
      const label = `${id} v${String(version.version)}`;
      const now = after?.versions.find((v) => v.version === version.version);
      if (!now) {
        out.push({ code: 'pr/kept-version-removed', severity: 'error', file, line: lineOf(input.headManifest, `"id": "${id}"`), column: 1, args: { file: `${file}（${label}）` } });
        continue;
      }
      // Every property the base entry had keeps its value; a new property may be added beside them.
      const changed = Object.keys(version).filter((k) => canonicalJson(version[k]) !== canonicalJson(now[k]));
      if (changed.length) {
        const where = typeof now.file === 'string' ? `"file": "${now.file}"` : `"id": "${id}"`;
        out.push({ code: 'pr/kept-version-changed', severity: 'error', file, line: lineOf(input.headManifest, where), column: 1, args: { file: `${file}（${label}：${changed.join(', ')}）` } });
      }
    }
    if (after && before.current !== undefined && after.current !== undefined && after.current < before.current) {
      out.push({ code: 'pr/kept-version-changed', severity: 'error', file, line: lineOf(input.headManifest, `"id": "${id}"`), column: 1, args: { file: `${file}（${id} current v${before.current} → v${after.current}）` } });
    }
  }
  return out;
}
