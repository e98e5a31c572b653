import type { RuntimeManifest, ManifestService } from '../../generated/types/runtime/manifest.ts';
import type { Catalog } from '../model/catalog.ts';
import { textEn, textZh } from '../model/catalog.ts';
import { canonicalJson, sha256 } from './canonical.ts';
import { compileCalendar, compileDefinition, hasRuntimeDefinition } from './compile-runtime.ts';
import { runtimeFingerprint } from './fingerprint.ts';

/** What the committed generated/runtime/ holds: its manifest and a way to read a kept file. */
export interface PreviousRuntime {
  manifest?: RuntimeManifest;
  read(file: string): string | undefined;
}

export interface RuntimePlan {
  /** Output files relative to generated/runtime/. */
  files: Map<string, string>;
  manifest: RuntimeManifest;
  /** Services that got a new version in this build. */
  newVersions: { id: string; version: number }[];
  /** Kept versions whose bytes no longer match the manifest (edited by hand). */
  tampered: string[];
}

/**
 * Decide versions and produce generated/runtime/. A service keeps its current version while its
 * runtime fingerprint is unchanged; a changed fingerprint adds version N+1 and keeps every earlier
 * version byte-for-byte (applications already running continue on the version they started with).
 * Retention: versions are never dropped by a build. Pure.
 */
export function planRuntime(catalog: Catalog, previous: PreviousRuntime): RuntimePlan {
  const files = new Map<string, string>();
  const newVersions: { id: string; version: number }[] = [];
  const tampered: string[] = [];
  const prevById = new Map((previous.manifest?.services ?? []).map((s) => [s.id, s]));
  const calendar = canonicalJson(compileCalendar(catalog.hall!.value));
  files.set('calendar.json', calendar);

  const services: ManifestService[] = [];
  for (const id of [...catalog.services.keys()].sort()) {
    const service = catalog.services.get(id)!.value;
    if (!hasRuntimeDefinition(service)) continue;
    const fingerprint = runtimeFingerprint(service);
    const prev = prevById.get(id);
    const kept = [...(prev?.versions ?? [])].sort((a, b) => a.version - b.version);
    const unchanged = kept.find((v) => v.fingerprint === fingerprint && v.version === prev?.current);
    // Older versions cannot be rebuilt from today's catalog: they are carried over byte-for-byte.
    for (const v of kept) {
      if (v === unchanged) continue;
      const bytes = previous.read(v.file);
      if (bytes === undefined || sha256(bytes) !== v.sha256) tampered.push(v.file);
      else files.set(v.file, bytes);
    }
    let current = unchanged;
    if (current) {
      // The current version is rebuilt from the catalog, so a hand edit of it shows up as a difference.
      const bytes = canonicalJson(compileDefinition(service, current.version, fingerprint));
      files.set(current.file, bytes);
      current = { ...current, sha256: sha256(bytes) };
      kept[kept.indexOf(unchanged!)] = current;
    } else {
      const version = (kept.at(-1)?.version ?? 0) + 1;
      const file = `${id}/v${version}.json`;
      const bytes = canonicalJson(compileDefinition(service, version, fingerprint));
      files.set(file, bytes);
      current = { version, file, sha256: sha256(bytes), fingerprint };
      kept.push(current);
      newVersions.push({ id, version });
    }
    const en = textEn(service.name);
    services.push({
      id,
      name: { zh: textZh(service.name), ...(en ? { en } : {}) },
      type: service.type as ManifestService['type'],
      status: service.status as ManifestService['status'],
      owner: service.owner,
      ...(service.participants?.length ? { participants: [...service.participants] } : {}),
      channels: [...(service.channels ?? [])],
      ...(service.retired ? { retired: { date: service.retired.date, ...(service.retired.successor ? { successor: service.retired.successor } : {}) } } : {}),
      current: current.version,
      fingerprint,
      versions: kept as ManifestService["versions"],
    });
  }
  const manifest: RuntimeManifest = {
    $schema: '../../schemas/runtime/manifest.schema.json',
    format: 'servicehall-runtime/v1',
    hall: { name: textZh(catalog.hall!.value.name), calendar: 'calendar.json', sha256: sha256(calendar) },
    services,
  };
  files.set('manifest.json', canonicalJson(manifest));
  return { files, manifest, newVersions, tampered };
}
