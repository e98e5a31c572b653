/**
 * The runtime implementer's kit: load and verify a generated/ folder, validate submissions, and run a
 * workflow on the reference interpreter. Import as `servicehall/runtime`.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import calendarSchema from '../../schemas/runtime/calendar.schema.json' with { type: 'json' };
import definitionSchema from '../../schemas/runtime/definition.schema.json' with { type: 'json' };
import manifestSchema from '../../schemas/runtime/manifest.schema.json' with { type: 'json' };
import type { RuntimeCalendar } from '../../generated/types/runtime/calendar.ts';
import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import type { ManifestService, RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { sha256 } from '../shared/canonical.ts';
import { WorkCalendar } from '../interpret/calendar.ts';

export type { RuntimeCalendar, RuntimeDefinition, RuntimeManifest, ManifestService };
export type { RuntimeEvent } from '../../generated/types/runtime/event.ts';
export { WorkCalendar } from '../interpret/calendar.ts';
export { runWorkflow, resolveScope } from '../interpret/interpret.ts';
export type { Decision, RunInput, RunResult, TimelineEntry, Notification } from '../interpret/interpret.ts';
export { validateSubmission } from '../interpret/validate-submission.ts';
export type { FieldError } from '../interpret/validate-submission.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** A generated/ folder that failed verification; `problems` lists every file and what is wrong with it. */
export class RuntimeLoadError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`运行定义校验失败 / runtime definitions failed verification:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RuntimeLoadError';
    this.problems = problems;
  }
}

export interface LoadedRuntime {
  manifest: RuntimeManifest;
  calendar: WorkCalendar;
  /** Every kept version of every service, verified. */
  definitions: Map<string, Map<number, RuntimeDefinition>>;
  /** The version new applications of `id` use. */
  current(id: string): RuntimeDefinition;
  /** A specific version (for applications started on it). */
  version(id: string, version: number): RuntimeDefinition;
}

let validators: { manifest: ReturnType<Ajv2020['compile']>; definition: ReturnType<Ajv2020['compile']>; calendar: ReturnType<Ajv2020['compile']> } | undefined;

function schemaValidators() {
  if (!validators) {
    const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
    validators = { manifest: ajv.compile(manifestSchema), definition: ajv.compile(definitionSchema), calendar: ajv.compile(calendarSchema) };
  }
  return validators;
}

/** Everything below `dir` but folders (files, links, anything else), relative with forward slashes. */
async function entriesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')).sort();
}

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

/**
 * What the manifest itself promises, checked without reading a definition: `files` (every file under
 * runtime/, relative to it) are exactly the ones it names; each service's kept and removed versions are
 * 1..N without gaps or repeats, each in its own `<id>/v<n>.json`; `current` is the highest kept version
 * and its fingerprint the service's. Returns every problem found (empty when none). Pure, so the PR gate
 * can run it on any manifest it reads.
 */
export function manifestProblems(manifest: RuntimeManifest, files: readonly string[]): string[] {
  const problems: string[] = [];
  const named = new Set(['manifest.json', manifest.hall.calendar]);
  if (!/^[a-z0-9-]+\.json$/.test(manifest.hall.calendar)) problems.push(`manifest.json: 工作日历文件名“${manifest.hall.calendar}”不是 runtime/ 中的文件名 / the calendar must be a file name in runtime/`);
  const ids = new Set<string>();
  const removedBy = new Map<string, number[]>();
  for (const r of manifest.removed ?? []) removedBy.set(r.id, [...(removedBy.get(r.id) ?? []), r.version]);
  for (const service of manifest.services) {
    if (ids.has(service.id)) problems.push(`${service.id}: 清单中出现了两次 / listed twice in the manifest`);
    ids.add(service.id);
    const kept = service.versions.map((v) => v.version);
    const removed = removedBy.get(service.id) ?? [];
    for (const v of service.versions) {
      named.add(v.file);
      if (v.file !== `${service.id}/v${v.version}.json`) problems.push(`${v.file}: 文件名与事项或版本号不符，应为 ${service.id}/v${v.version}.json / file name does not match the service and version`);
    }
    const highest = Math.max(...kept);
    if (service.current !== highest) problems.push(`${service.id}: 当前版本 v${service.current} 不是保留的最高版本 v${highest}（当前版本只能前进）/ current version is not the highest kept version (it may only move forward)`);
    const current = service.versions.find((v) => v.version === service.current);
    if (current && current.fingerprint !== service.fingerprint) problems.push(`${service.id}: 事项指纹与当前版本 v${service.current} 的指纹不符 / the service's fingerprint differs from its current version's`);
    problems.push(...sequenceProblems(service.id, kept, removed));
  }
  for (const [id, removed] of removedBy) if (!ids.has(id)) problems.push(...sequenceProblems(id, [], removed));
  for (const file of files) if (!named.has(file)) problems.push(`${file}: 清单中没有这个文件（不明文件）/ a file the manifest does not name`);
  return problems;
}

/** Kept and removed versions of one service together are 1..N, each once. */
function sequenceProblems(id: string, kept: number[], removed: number[]): string[] {
  const problems: string[] = [];
  const all = [...kept, ...removed].sort((a, b) => a - b);
  const repeated = [...new Set(all.filter((v, i) => all.indexOf(v) !== i))];
  if (repeated.length) problems.push(`${id}: 版本 ${repeated.map((v) => `v${v}`).join('、')} 重复出现（既保留又删除，或列了两次）/ listed more than once (kept and removed, or twice)`);
  const missing: number[] = [];
  for (let v = 1; v <= (all.at(-1) ?? 0); v++) if (!all.includes(v)) missing.push(v);
  if (missing.length) problems.push(`${id}: 版本 ${missing.map((v) => `v${v}`).join('、')} 既不在保留版本中，也没有删除记录（保留版本被删掉了？）/ neither kept nor recorded as removed (was a kept version dropped?)`);
  return problems;
}

/**
 * Read `generatedDir/runtime/`, verify the manifest (schema, version sequence, current version, no
 * unnamed file) and every file it names against its schema and its sha256, and return typed
 * definitions. Any problem — a missing, tampered, invalid or unknown file, a gap in the versions, a
 * current version that went backwards — rejects with a RuntimeLoadError that lists all of them;
 * nothing partial is returned.
 */
export async function loadRuntime(generatedDir: string): Promise<LoadedRuntime> {
  // `hall build` commits a few changed files in place from a journal (`<generated>.apply-*` beside it): until
  // that folder is gone, generated/ may hold new files beside the old manifest. Say so, rather than list them.
  const base = path.basename(path.resolve(generatedDir));
  const applying = (await readdir(path.dirname(path.resolve(generatedDir))).catch(() => [] as string[])).filter((name) => name.startsWith(`${base}.apply-`));
  if (applying.length) {
    throw new RuntimeLoadError([
      `${base}/ 正在由 hall build 提交，或提交时被中断（${applying.join('、')}）：请等它完成，或再运行一次 hall build 补完 / ${base}/ is being committed by hall build, or a commit was interrupted (${applying.join(', ')}): wait for it, or run hall build again to complete it`,
    ]);
  }
  const dir = path.join(generatedDir, 'runtime');
  const v = schemaValidators();
  const manifestText = await readText(path.join(dir, 'manifest.json'));
  if (manifestText === undefined) throw new RuntimeLoadError([`缺少 manifest.json / manifest.json is missing in ${dir}`]);
  let manifest: RuntimeManifest;
  try {
    manifest = JSON.parse(manifestText) as RuntimeManifest;
  } catch (error) {
    throw new RuntimeLoadError([`manifest.json 不是有效的 JSON / is not valid JSON: ${(error as Error).message}`]);
  }
  if (!v.manifest(manifest)) {
    throw new RuntimeLoadError((v.manifest.errors ?? []).map((e) => `manifest.json${e.instancePath} ${e.message}`));
  }
  const problems = manifestProblems(manifest, await entriesBelow(dir));
  const calendarText = /^[a-z0-9-]+\.json$/.test(manifest.hall.calendar) ? await readText(path.join(dir, manifest.hall.calendar)) : undefined;
  let calendar: RuntimeCalendar | undefined;
  if (calendarText === undefined) problems.push(`缺少工作日历 / missing calendar ${manifest.hall.calendar}`);
  else if (sha256(calendarText) !== manifest.hall.sha256) problems.push(`${manifest.hall.calendar}: sha256 与清单不符（文件被修改）/ sha256 differs from the manifest (file was modified)`);
  else {
    calendar = JSON.parse(calendarText) as RuntimeCalendar;
    if (!v.calendar(calendar)) problems.push(`${manifest.hall.calendar}: ${(v.calendar.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('; ')}`);
  }
  const definitions = new Map<string, Map<number, RuntimeDefinition>>();
  for (const service of manifest.services) {
    const versions = new Map<number, RuntimeDefinition>();
    for (const entry of service.versions) {
      const text = await readText(path.join(dir, entry.file));
      if (text === undefined) {
        problems.push(`${entry.file}: 文件缺失 / file is missing`);
        continue;
      }
      if (sha256(text) !== entry.sha256) {
        problems.push(`${entry.file}: sha256 与清单不符（文件被修改）/ sha256 differs from the manifest (file was modified)`);
        continue;
      }
      let definition: RuntimeDefinition;
      try {
        definition = JSON.parse(text) as RuntimeDefinition;
      } catch {
        problems.push(`${entry.file}: 不是有效的 JSON / not valid JSON`);
        continue;
      }
      if (!v.definition(definition)) {
        problems.push(`${entry.file}: ${(v.definition.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`).join('; ')}`);
        continue;
      }
      if (definition.id !== service.id || definition.version !== entry.version || definition.fingerprint !== entry.fingerprint) {
        problems.push(`${entry.file}: 标识、版本或指纹与清单不一致 / id, version or fingerprint differs from the manifest`);
        continue;
      }
      versions.set(entry.version, definition);
    }
    definitions.set(service.id, versions);
  }
  if (problems.length) throw new RuntimeLoadError(problems);
  const get = (id: string, version: number) => {
    const d = definitions.get(id)?.get(version);
    if (!d) throw new RangeError(`没有事项 ${id} 的版本 ${version} / no version ${version} of ${id}`);
    return d;
  };
  return {
    manifest,
    calendar: new WorkCalendar(calendar!),
    definitions,
    current: (id) => get(id, manifest.services.find((s) => s.id === id)?.current ?? -1),
    version: get,
  };
}
