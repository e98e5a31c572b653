import type { CatalogSource } from '../load/read-catalog.ts';
import { MAX_FILE_BYTES } from '../load/parse-file.ts';
import { listTree, readBlobs, readFileAt } from './git.ts';

/** The runtime manifest fields `hall diff` reads: each service's current version and fingerprint. */
export interface BaseManifest {
  services: Map<string, { current: number; fingerprint?: string }>;
}

/** The manifest `hall build` writes, relative to the repository root. */
export const MANIFEST_FILE = 'generated/runtime/manifest.json';

/**
 * A catalog as it was at `commit`, in the same shape `readCatalog` gives for the working tree, so
 * both sides go through the same pure check pipeline. Only YAML blobs are read; attachments are listed.
 */
export async function readCatalogAt(root: string, commit: string, catalogDir: string): Promise<CatalogSource> {
  const tree = await listTree(root, commit, catalogDir);
  const hidden = (p: string) => p.split('/').some((part) => part.startsWith('.'));
  const visible = tree.filter((f) => !hidden(f.path.slice(catalogDir.length + 1)));
  const yamlFiles = visible.filter((f) => /\.ya?ml$/i.test(f.path));
  const blobs = await readBlobs(root, yamlFiles.map((f) => f.object));
  const source: CatalogSource = { dir: catalogDir, root, yaml: [], files: new Set(visible.map((f) => f.path)), diagnostics: [] };
  for (const f of yamlFiles) {
    const bytes = blobs.get(f.object);
    if (bytes && bytes.length <= MAX_FILE_BYTES) source.yaml.push({ file: f.path, bytes });
  }
  source.yaml.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return source;
}

/** The base's runtime manifest, or undefined when the base has none (or it cannot be read). */
export async function readManifestAt(root: string, commit: string, file = MANIFEST_FILE): Promise<BaseManifest | undefined> {
  const text = await readFileAt(root, commit, file);
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as { services?: { id?: unknown; current?: unknown; fingerprint?: unknown }[] };
    const services = new Map<string, { current: number; fingerprint?: string }>();
    for (const s of json.services ?? []) {
      if (typeof s.id === 'string' && typeof s.current === 'number') services.set(s.id, { current: s.current, fingerprint: typeof s.fingerprint === 'string' ? s.fingerprint : undefined });
    }
    return { services };
  } catch {
    return undefined;
  }
}
