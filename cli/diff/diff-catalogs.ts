import { hasRuntimeDefinition } from '../compile/compile-runtime.ts';
import { pinnedName, runtimeFingerprint, sameRuntimeVersion } from '../compile/fingerprint.ts';
import { canonicalJson } from '../../lib/shared/canonical.ts';
import type { CheckResult } from '../check/check-catalog.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnosticAt } from '../diagnostics/report.ts';
import type { ParsedFile } from '../load/parse-file.ts';
import type { Department, Hall, RoleGroup, Service } from '../model/catalog.ts';
import * as describe from './describe.ts';
import { bi, text } from './describe.ts';
import { guideChanges, otherRuntimeChanges, runtimeChanges, serviceChanges } from './compare-service.ts';
import type { BaseManifest } from './read-base.ts';
import { keptVersionChanges } from './kept-versions.ts';
import type { KeptVersionsInput } from './kept-versions.ts';
import type { Bi, CatalogDiff, Change, GeneratedCheck, OtherDiff, ReviewingDepartment, RuntimeVersion, ServiceDiff, Status } from './model.ts';

export interface DiffInput {
  base: CheckResult;
  head: CheckResult;
  baseRef: { ref: string; commit: string };
  /** The base's runtime manifest, when it has one. */
  manifest?: BaseManifest;
  /** Every path that differs between the base and the working tree, repository-relative. */
  changedPaths: string[];
  generated: GeneratedCheck;
  /** Both runtime manifests and the generated files changed since the base, for the append-only rule. */
  keptVersions?: KeptVersionsInput;
}

/** A document of one kind as found in a check result, valid or not. */
interface Found<T> {
  value: T;
  parsed: ParsedFile;
  valid: boolean;
}

const PUBLISHED_LIVE: Status[] = ['pilot', 'online', 'suspended'];
const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

function documentsOf<T>(result: CheckResult, kind: string, key: string): Map<string, Found<T>> {
  const out = new Map<string, Found<T>>();
  for (const doc of result.documents) {
    const id = doc.value[key];
    if (doc.kind !== kind || typeof id !== 'string' || out.has(id)) continue;
    out.set(id, { value: doc.value as T, parsed: doc.parsed, valid: doc.valid });
  }
  return out;
}

const statusOf = (s: { status?: unknown } | undefined): Status | undefined => (typeof s?.status === 'string' ? (s.status as Status) : undefined);
/**
 * The departments a service file concerns: the owner it declares, its participants, and the department
 * whose folder holds the file (its admins own that folder in CODEOWNERS, whatever the file says).
 */
function departmentsOf(found: Found<Service>, catalogDir: string): string[] {
  const s = found.value as Partial<Service>;
  const inCatalog = catalogDir === '.' ? found.parsed.file : found.parsed.file.slice(catalogDir.length + 1);
  const parts = inCatalog.split('/');
  const folder = parts.length >= 2 ? parts[0] : undefined;
  const declared = [s.owner, ...(Array.isArray(s.participants) ? s.participants : [])].filter((x): x is string => typeof x === 'string');
  return [...new Set([...declared, ...(folder ? [folder] : [])])];
}
const nameOf = (s: Partial<Service>): Bi => (s.name !== undefined && (typeof s.name === 'string' || typeof s.name === 'object') ? text(s.name) : bi(String(s.id)));

/**
 * Compare the catalog at the base with the working tree. Pure: both sides are already checked, and
 * every fact from git (manifest, changed paths, the generated/ check) is passed in.
 */
export function diffCatalogs(input: DiffInput): CatalogDiff {
  const { base, head, manifest } = input;
  const baseServices = documentsOf<Service>(base, 'Service', 'id');
  const headServices = documentsOf<Service>(head, 'Service', 'id');
  const headByFile = new Map([...headServices.values()].map((s) => [s.parsed.file, s]));
  const headUnreadable = new Set(head.files.filter((f) => !f.value).map((f) => f.file));
  const forbidden: Diagnostic[] = [];
  const services: ServiceDiff[] = [];
  const claimed = new Set<string>();

  // Services gone from the head: deleted, renamed (id changed), or unreadable there.
  for (const [id, old] of baseServices) {
    if (headServices.has(id)) continue;
    const atSamePath = headByFile.get(old.parsed.file);
    const renamedTo = atSamePath && !baseServices.has(atSamePath.value.id)
      ? atSamePath
      : [...headServices.values()].find((s) => !baseServices.has(s.value.id) && !claimed.has(s.value.id) && nameOf(s.value).zh === nameOf(old.value).zh);
    const published = statusOf(old.value) !== 'draft';
    if (renamedTo) {
      claimed.add(renamedTo.value.id);
      if (published) forbidden.push(diagnosticAt(renamedTo.parsed, 'pr/id-changed', ['id'], { name: nameOf(old.value).zh, from: id, to: renamedTo.value.id }));
      services.push({ ...compareService(old, renamedTo, manifest, head.catalog.dir), previousId: id });
    } else if (headUnreadable.has(old.parsed.file)) {
      services.push({ id, name: nameOf(old.value), file: old.parsed.file, change: 'changed', status: { from: statusOf(old.value) }, service: [], guide: [], departments: departmentsOf(old, base.catalog.dir), incomplete: true });
    } else {
      if (published) {
        forbidden.push({
          code: 'pr/published-deleted', severity: 'error', file: old.parsed.file, line: 1, column: 1,
          args: { name: nameOf(old.value).zh, id, status: describe.status(statusOf(old.value)), file: old.parsed.file },
        });
      }
      services.push({ id, name: nameOf(old.value), file: old.parsed.file, change: 'removed', status: { from: statusOf(old.value) }, service: [], guide: [], departments: departmentsOf(old, base.catalog.dir) });
    }
  }

  for (const [id, now] of headServices) {
    if (claimed.has(id)) continue;
    const old = baseServices.get(id);
    if (!old) {
      services.push({
        id, name: nameOf(now.value), file: now.parsed.file, change: 'added', status: { to: statusOf(now.value) }, service: [], guide: [],
        ...(now.valid ? runtimeOf(undefined, now.value, manifest) : {}),
        departments: departmentsOf(now, head.catalog.dir),
        ...(now.valid ? {} : { incomplete: true }),
      });
      continue;
    }
    const diff = compareService(old, now, manifest, head.catalog.dir);
    const moved = old.parsed.file !== now.parsed.file;
    if (moved || diff.status.from !== diff.status.to || diff.service.length || diff.guide.length || diff.runtime || diff.incomplete) services.push(diff);
    const kept = manifest?.services.get(id);
    if (kept && now.valid && !hasRuntimeDefinition(now.value)) {
      // Kept versions serve applications in flight and statistics: no status or type change may drop them.
      forbidden.push(diagnosticAt(now.parsed, 'pr/kept-versions-dropped', statusOf(now.value) === 'draft' ? ['status'] : now.value.classification === 'confidential' ? ['classification'] : ['type'], {
        name: nameOf(now.value).zh, id, current: kept.current, status: describe.status(statusOf(now.value)),
      }));
    } else if (statusOf(old.value) !== 'draft' && statusOf(old.value) !== undefined && statusOf(now.value) === 'draft') {
      forbidden.push(diagnosticAt(now.parsed, 'pr/published-to-draft', ['status'], { name: nameOf(now.value).zh, id, status: describe.status(statusOf(old.value)) }));
    }
    if (now.value.classification === 'confidential' && old.value.classification !== 'confidential' && PUBLISHED_LIVE.includes(statusOf(old.value)!)) {
      forbidden.push(diagnosticAt(now.parsed, 'pr/confidential-while-online', ['classification'], { name: nameOf(now.value).zh, id, status: describe.status(statusOf(old.value)) }));
    }
  }
  services.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.id < b.id ? -1 : 1));

  const other = [...departmentDiffs(base, head), ...roleDiffs(base, head), ...hallDiffs(base, head)];
  const catalogPrefix = `${head.catalog.dir}/`;
  const toolchain = input.changedPaths.filter((p) => !p.startsWith(catalogPrefix) && !p.startsWith('generated/'));
  if (input.keptVersions) forbidden.push(...keptVersionChanges(input.keptVersions));
  if (input.generated.status === 'stale') {
    forbidden.push({ code: 'pr/generated-stale', severity: 'error', file: 'generated', line: 1, column: 1, args: { files: (input.generated.files ?? []).join(', ') || 'generated/' } });
  }
  return {
    base: input.baseRef,
    services,
    other,
    toolchain,
    departments: reviewingDepartments(services, other, toolchain, base, head, manifest),
    forbidden,
    generated: input.generated,
  };
}

function compareService(old: Found<Service>, now: Found<Service>, manifest: BaseManifest | undefined, catalogDir: string): ServiceDiff {
  const departments = [...new Set([...departmentsOf(old, catalogDir), ...departmentsOf(now, catalogDir)])];
  const status = { from: statusOf(old.value), to: statusOf(now.value) };
  const common = { id: now.value.id, name: nameOf(now.value), file: now.parsed.file, change: 'changed' as const, status, departments };
  if (!old.valid || !now.valid) return { ...common, service: [], guide: [], incomplete: !now.valid || undefined };
  return {
    ...common,
    service: serviceChanges(old.value, now.value),
    guide: guideChanges(old.value.guide, now.value.guide),
    ...runtimeOf(old.value, now.value, manifest),
  };
}

/** The runtime side of a change: what changed and the version number the next build gives it. */
function runtimeOf(a: Service | undefined, b: Service, manifest: BaseManifest | undefined): Pick<ServiceDiff, 'runtime'> {
  if (!hasRuntimeDefinition(b)) {
    // No runtime definition (a draft, a guide, confidential): its form and workflow edits are still said.
    const changes = a ? runtimeChanges(a, b) : [];
    return changes.length ? { runtime: { changes } } : {};
  }
  const before = a && hasRuntimeDefinition(a) ? a : undefined;
  const fingerprint = runtimeFingerprint(b);
  if (before && sameRuntimeVersion(before, b)) return {};
  const entry = manifest?.services.get(b.id);
  // A renamed service with a form gets a new version although its behaviour is the same: the name is pinned in it.
  const same = entry?.fingerprint === fingerprint && (!before || pinnedName(before) === pinnedName(b));
  const version: RuntimeVersion = entry
    ? { from: entry.current, to: same ? entry.current : entry.current + 1, fromManifest: true, newDefinition: !before }
    : { to: 1, fromManifest: false, newDefinition: !before };
  const changes = before ? runtimeChanges(before, b) : [];
  return { runtime: { changes: before && changes.length === 0 ? otherRuntimeChanges(before, b) : changes, version } };
}

function departmentDiffs(base: CheckResult, head: CheckResult): OtherDiff[] {
  const a = documentsOf<Department>(base, 'Department', 'code');
  const b = documentsOf<Department>(head, 'Department', 'code');
  const out: OtherDiff[] = [];
  for (const code of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const old = a.get(code);
    const now = b.get(code);
    const what = bi(`部门 ${now ? text(now.value.name).zh : text(old!.value.name).zh}（${code}）`, `department ${now ? text(now.value.name).en : text(old!.value.name).en} (${code})`);
    const file = (now ?? old)!.parsed.file;
    if (!old || !now) {
      out.push({ file, what, change: old ? 'removed' : 'added', changes: [], departments: [code] });
      continue;
    }
    if (same(old.value, now.value)) continue;
    const changes: Change[] = [];
    if (old.valid && now.valid) {
      const admins = (d: Department) => d.admins.map((x) => bi(`${x.name}（${x.github}）`, `${x.name} (${x.github})`));
      const leader = (d: Department) => bi(`${d.leader.name}${d.leader.title ? ` ${text(d.leader.title).zh}` : ''}`, `${d.leader.name}${d.leader.title ? ` ${text(d.leader.title).en}` : ''}`);
      if (!same(old.value.name, now.value.name)) changes.push({ topic: 'name', from: text(old.value.name), to: text(now.value.name) });
      if (!same(old.value.leader, now.value.leader)) changes.push({ topic: 'leader', from: leader(old.value), to: leader(now.value) });
      const adminChange = admins(old.value).map((x) => x.zh).join() !== admins(now.value).map((x) => x.zh).join();
      if (adminChange) changes.push({ topic: 'admins', from: describe.list(admins(old.value)), to: describe.list(admins(now.value)) });
      if (!same(old.value.office, now.value.office)) changes.push({ topic: 'locations', from: describe.place(old.value.office), to: describe.place(now.value.office) });
      if (old.value.phone !== now.value.phone || old.value.email !== now.value.email) {
        changes.push({ topic: 'consultation', from: describe.contact({ phone: old.value.phone, email: old.value.email }), to: describe.contact({ phone: now.value.phone, email: now.value.email }) });
      }
    }
    out.push({ file, what, change: 'changed', changes: changes.length ? changes : [{ topic: 'department' }], departments: [code] });
  }
  return out;
}

function roleDiffs(base: CheckResult, head: CheckResult): OtherDiff[] {
  const groups = (r: CheckResult) => new Map([...r.catalog.groups].map(([id, g]) => [id, g.value]));
  const a = groups(base);
  const b = groups(head);
  const file = [...head.catalog.groups.values()][0]?.parsed.file ?? [...base.catalog.groups.values()][0]?.parsed.file;
  if (!file) return [];
  const name = (g: RoleGroup) => bi(`${g.id}「${text(g.name).zh}」`, `${g.id} "${text(g.name).en}"`);
  const added = [...b.values()].filter((g) => !a.has(g.id));
  const removed = [...a.values()].filter((g) => !b.has(g.id));
  const changed = [...b.values()].filter((g) => a.has(g.id) && !same(a.get(g.id), g));
  if (!added.length && !removed.length && !changed.length) return [];
  const changes: Change[] = [];
  if (added.length || removed.length) changes.push({ topic: 'groups', ...(added.length ? { added: added.map(name) } : {}), ...(removed.length ? { removed: removed.map(name) } : {}) });
  for (const g of changed) {
    const old = a.get(g.id)!;
    const terms = (x: RoleGroup) => bi(`维护部门 ${x.maintainer}，范围 ${x.scope}`, `maintained by ${x.maintainer}, scope ${x.scope}`);
    changes.push(same(terms(old), terms(g)) ? { topic: 'group', subject: name(g) } : { topic: 'group', subject: name(g), from: terms(old), to: terms(g) });
  }
  const departments = [...new Set([...added, ...removed, ...changed, ...changed.map((g) => a.get(g.id)!)].map((g) => g.maintainer))];
  return [{ file, what: bi('人员群组', 'role groups'), change: 'changed', changes, departments }];
}

function hallDiffs(base: CheckResult, head: CheckResult): OtherDiff[] {
  const a = base.catalog.hall;
  const b = head.catalog.hall;
  if (!a || !b || same(a.value, b.value)) return [];
  const vocab = (h: Hall, key: 'topics' | 'audiences' | 'channels' | 'dataSources') => h[key].map((x) => bi(`${x.id}「${text(x.name).zh}」`, `${x.id} "${text(x.name).en}"`));
  const changes: Change[] = [];
  for (const key of ['topics', 'audiences', 'channels', 'dataSources'] as const) {
    const before = new Set(vocab(a.value, key).map((x) => x.zh));
    const after = new Set(vocab(b.value, key).map((x) => x.zh));
    const added = vocab(b.value, key).filter((x) => !before.has(x.zh));
    const removed = vocab(a.value, key).filter((x) => !after.has(x.zh));
    if (added.length || removed.length) changes.push({ topic: 'hall', subject: bi(key), ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) });
  }
  if (!same(a.value.calendar, b.value.calendar)) changes.push({ topic: 'hall', subject: bi('工作日历', 'work calendar') });
  if (!same(a.value.urls, b.value.urls) || !same(a.value.name, b.value.name)) changes.push({ topic: 'hall', subject: bi('名称或网址', 'name or URLs') });
  return [{ file: b.parsed.file, what: bi('大厅设置', 'hall settings'), change: 'changed', changes: changes.length ? changes : [{ topic: 'hall' }], departments: [b.value.itOffice] }];
}

/** Every department whose review the PR needs, with its admins and the reasons, the IT office included. */
function reviewingDepartments(services: ServiceDiff[], other: OtherDiff[], toolchain: string[], base: CheckResult, head: CheckResult, manifest: BaseManifest | undefined): ReviewingDepartment[] {
  const reasons = new Map<string, Set<string>>();
  const add = (code: string, reason: string) => reasons.set(code, (reasons.get(code) ?? new Set()).add(reason));
  for (const s of services) for (const code of s.departments) add(code, s.id);
  for (const o of other) for (const code of o.departments) add(code, o.file);
  const itOffice = head.catalog.hall?.value.itOffice ?? base.catalog.hall?.value.itOffice;
  if (itOffice) {
    for (const s of services) {
      // Every status change (going online, suspending, retiring, back to draft — kept runtime versions or not)
      // is the IT office's to review, besides runtime changes, deletions and a kind change of a service with kept versions.
      const statusChange = s.status.from !== s.status.to && s.change === 'changed';
      const keptLost = manifest?.services.has(s.previousId ?? s.id) === true && s.service.some((c) => c.topic === 'type' || c.topic === 'classification');
      const publishing = s.change === 'added' && s.status.to !== undefined && PUBLISHED_LIVE.includes(s.status.to);
      if (s.runtime?.version || statusChange || keptLost || publishing || s.change === 'removed') add(itOffice, s.id);
    }
    if (toolchain.length) add(itOffice, toolchain.length === 1 ? toolchain[0] : `${toolchain[0]} …`);
  }
  const lookup = (code: string) => head.catalog.departments.get(code)?.value ?? base.catalog.departments.get(code)?.value;
  return [...reasons.keys()].sort().map((code) => {
    const d = lookup(code);
    return { code, name: d ? text(d.name) : bi(code), admins: d?.admins.map((a) => a.github) ?? [], reasons: [...reasons.get(code)!].sort() };
  });
}
