/**
 * The runtime implementer's kit: load and verify a generated/ folder, validate submissions, and run a
 * workflow on the reference interpreter. Import as `servicehall/runtime`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import calendarSchema from '../../schemas/runtime/calendar.schema.json' with { type: 'json' };
import definitionSchema from '../../schemas/runtime/definition.schema.json' with { type: 'json' };
import manifestSchema from '../../schemas/runtime/manifest.schema.json' with { type: 'json' };
import type { RuntimeCalendar } from '../../generated/types/runtime/calendar.ts';
import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import type { ManifestService, RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { sha256 } from '../build/canonical.ts';
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

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

/**
 * Read `generatedDir/runtime/`, verify the manifest and every file it names against its schema and its
 * sha256, and return typed definitions. Any problem — a missing, tampered or invalid file — rejects
 * with a RuntimeLoadError that lists all of them; nothing partial is returned.
 */
export async function loadRuntime(generatedDir: string): Promise<LoadedRuntime> {
  const dir = path.join(generatedDir, 'runtime');
  const v = schemaValidators();
  const problems: string[] = [];
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
  const calendarText = await readText(path.join(dir, manifest.hall.calendar));
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
    if (!versions.has(service.current) && !problems.some((p) => p.startsWith(`${service.id}/`))) problems.push(`${service.id}: 当前版本 v${service.current} 不在 versions 中 / current version is not among versions`);
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
