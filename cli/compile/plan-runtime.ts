import type { RuntimeManifest, ManifestService, ManifestVersion, ManifestRemoval } from '../../generated/types/runtime/manifest.ts';
import type { Catalog, Service } from '../model/catalog.ts';
import { textEn, textZh } from '../model/catalog.ts';
import { canonicalJson, sha256 } from '../../lib/shared/canonical.ts';
import { compileCalendar, compileDefinition, hasRuntimeDefinition } from './compile-runtime.ts';
import { pinnedName, runtimeFingerprint } from './fingerprint.ts';
import type { OutputSink } from './generated-io.ts';

/** What the committed generated/runtime/ holds: its manifest and a way to read a kept file. */
export interface PreviousRuntime {
  manifest?: RuntimeManifest;
  read(file: string): string | undefined;
}

/** A kept version the IT office removes (`hall build --remove <id>@<n>`, or every version with `--remove <id>`). */
export interface Removal {
  id: string;
  version?: number;
}

export interface RuntimePlan<Files extends OutputSink = OutputSink> {
  /** Output files relative to generated/runtime/ (where the caller asked them written). */
  files: Files;
  manifest: RuntimeManifest;
  /** Services that got a new version in this build. */
  newVersions: { id: string; version: number }[];
  /** Kept versions whose bytes no longer match the manifest (edited by hand). */
  tampered: string[];
  /**
   * Services with kept versions that the catalog no longer builds (file deleted, made a draft, a guide or
   * confidential). Their versions and manifest entry are carried over unchanged: a build never drops them.
   */
  orphaned: { id: string; versions: number[] }[];
  /** `--remove` requests that cannot be carried out, as messages for the IT office. */
  refusedRemovals: string[];
  /** How many versions this build removed (at the IT office's request). */
  removedNow: number;
}

const byVersion = (a: { version: number }, b: { version: number }) => a.version - b.version;

/**
 * Decide versions and produce generated/runtime/. A service keeps its current version while its
 * runtime fingerprint and pinned name are unchanged; otherwise it gets version N+1. Every kept version —
 * the current one too — is carried over byte-for-byte, verified against its sha256: a version's bytes are
 * written once, when it is created, and never again (so a toolchain change alters new versions only).
 * Retention: a build never drops a version; only a `removals` entry (the IT office's documented
 * procedure) does, and it leaves a record in the manifest's `removed` list so that version numbers are
 * never reused and the loader can tell a removal from a loss. Files go to `files` one by one as they are
 * decided (a Map by default; the build streams them to disk). Pure but for `files`.
 */
export function planRuntime<Files extends OutputSink = Map<string, string>>(catalog: Catalog, previous: PreviousRuntime, removals: Removal[] = [], files: Files = new Map<string, string>() as unknown as Files): RuntimePlan<Files> {
  const newVersions: { id: string; version: number }[] = [];
  const tampered: string[] = [];
  const orphaned: RuntimePlan['orphaned'] = [];
  const prevServices = previous.manifest?.services ?? [];
  const prevById = new Map(prevServices.map((s) => [s.id, s]));
  const calendar = canonicalJson(compileCalendar(catalog.hall!.value));
  files.set('calendar.json', calendar);

  const built = new Map<string, Service>();
  for (const [id, entry] of catalog.services) if (hasRuntimeDefinition(entry.value)) built.set(id, entry.value);
  const { removed, refused } = applyRemovals(previous.manifest, removals, built);

  /** Carry a kept file over, or report it; `restore` gives the bytes the catalog compiles to, for the current version. */
  const carried = new Set<string>();
  const carry = (v: ManifestVersion, restore?: () => string) => {
    // Unread when the output index vouches for the committed file's bytes (a build's outputs are its own).
    if (carried.has(v.file) || files.carry?.(v.file, v.sha256)) return carried.add(v.file);
    const bytes = previous.read(v.file);
    if (bytes !== undefined && sha256(bytes) === v.sha256) return files.set(v.file, bytes);
    // A hand-edited or deleted current version is restored when the catalog still compiles to its recorded bytes.
    const again = restore?.();
    if (again !== undefined && sha256(again) === v.sha256) return files.set(v.file, again);
    tampered.push(v.file);
  };

  const services: ManifestService[] = [];
  for (const id of [...new Set([...built.keys(), ...prevById.keys()])].sort()) {
    const prev = prevById.get(id);
    const gone = new Set(removed.filter((r) => r.id === id).map((r) => r.version));
    const kept = (prev?.versions ?? []).filter((v) => !gone.has(v.version)).sort(byVersion);
    const service = built.get(id);
    if (!service || (service.status === 'retired' && prev && kept.length === 0)) {
      // Not built any more: keep what was published, untouched (hall check reports it), unless all of it was removed.
      if (!prev || kept.length === 0) continue;
      orphaned.push({ id, versions: kept.map((v) => v.version) });
      for (const v of kept) carry(v);
      services.push({ ...prev, versions: kept as ManifestService['versions'] });
      continue;
    }
    const fingerprint = runtimeFingerprint(service);
    const last = kept.at(-1);
    const compileAt = (version: number) => canonicalJson(compileDefinition(service, version, fingerprint));
    // The name pinned in the last kept version; remembered by its hash when its committed file is carried unread.
    const lastPinned = (v: ManifestVersion) => {
      const key = `pinned-name:${v.sha256}`;
      const intact = carried.has(v.file) || (files.carry?.(v.file, v.sha256) && carried.add(v.file));
      const known = intact ? files.memo?.recall(key) : undefined;
      if (known !== undefined) return known === '' ? undefined : (JSON.parse(known) as string);
      const bytes = previous.read(v.file);
      const name = pinnedNameOf(bytes ?? compileAt(v.version));
      if (bytes !== undefined && sha256(bytes) === v.sha256) files.memo?.remember(key, name === undefined ? '' : JSON.stringify(name));
      return name;
    };
    const unchanged = last && last.version === prev?.current && last.fingerprint === fingerprint && lastPinned(last) === pinnedName(service) ? last : undefined;
    for (const v of kept) carry(v, v === unchanged ? () => compileAt(v.version) : undefined);
    let current = unchanged;
    if (!current) {
      const version = Math.max(0, ...(prev?.versions ?? []).map((v) => v.version), ...removed.filter((r) => r.id === id).map((r) => r.version)) + 1;
      const file = `${id}/v${version}.json`;
      const definition = compileDefinition(service, version, fingerprint);
      const bytes = canonicalJson(definition);
      files.set(file, bytes);
      current = { version, file, sha256: sha256(bytes), fingerprint };
      // The next build asks for this version's pinned name (lastPinned): known now, so it is never read back.
      const title = (definition.form?.schema as { title?: unknown } | undefined)?.title;
      files.memo?.remember(`pinned-name:${current.sha256}`, typeof title === 'string' ? JSON.stringify(title) : '');
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
      fingerprint: current.fingerprint,
      versions: kept as ManifestService['versions'],
    });
  }
  const manifest: RuntimeManifest = {
    $schema: '../../schemas/runtime/manifest.schema.json',
    format: 'servicehall-runtime/v1',
    hall: { name: textZh(catalog.hall!.value.name), ...(textEn(catalog.hall!.value.name) ? { nameEn: textEn(catalog.hall!.value.name) } : {}), calendar: 'calendar.json', sha256: sha256(calendar) },
    services,
    ...(removed.length ? { removed } : {}),
  };
  files.set('manifest.json', canonicalJson(manifest));
  return { files, manifest, newVersions, tampered, orphaned, refusedRemovals: refused, removedNow: removed.length - (previous.manifest?.removed?.length ?? 0) };
}

/** The name pinned in a kept definition's bytes (its form's title), as `pinnedName` gives it for a service. */
function pinnedNameOf(bytes: string): string | undefined {
  try {
    const title = (JSON.parse(bytes) as { form?: { schema?: { title?: unknown } } }).form?.schema?.title;
    return typeof title === 'string' ? title : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The manifest's removal records after this build: the earlier ones plus the requested removals that are
 * allowed. An older version may be removed; the current one only together with all the others, and only
 * when the service is retired or no longer built (so a removal never changes where new applications start). Whether instances still run on it is
 * the runtime's to confirm before the IT office asks (generated/README.md).
 */
function applyRemovals(manifest: RuntimeManifest | undefined, removals: Removal[], built: Map<string, Service>): { removed: ManifestRemoval[]; refused: string[] } {
  const removed = [...(manifest?.removed ?? [])];
  const refused: string[] = [];
  for (const request of removals) {
    const entry = manifest?.services.find((s) => s.id === request.id);
    const label = request.version === undefined ? request.id : `${request.id}@${request.version}`;
    const targets = entry?.versions.filter((v) => request.version === undefined || v.version === request.version) ?? [];
    if (!entry || targets.length === 0) {
      refused.push(`${label}：清单中没有这个保留版本 / no such kept version in the manifest`);
      continue;
    }
    const service = built.get(request.id);
    if (targets.some((v) => v.version === entry.current) && (targets.length < entry.versions.length || (service && service.status !== 'retired'))) {
      refused.push(
        `${label}：v${entry.current} 是当前版本，只能在事项已停办或已不再生成运行定义时与全部版本一起删除（--remove ${request.id}）/ v${entry.current} is the current version: it goes only with all versions (--remove ${request.id}), and only when the service is retired or no longer built`,
      );
      continue;
    }
    for (const v of targets) if (!removed.some((r) => r.id === request.id && r.version === v.version)) removed.push({ id: request.id, version: v.version, sha256: v.sha256 });
  }
  removed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.version - b.version));
  return { removed, refused };
}
