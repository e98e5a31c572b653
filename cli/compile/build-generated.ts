import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../model/catalog.ts';
import { planBpmn } from '../bpmn/plan-bpmn.ts';
import { generateTypes } from '../codegen/types.ts';
import { NO_CACHE, diskCache, toolchainFingerprint } from './cache.ts';
import type { Cache } from './cache.ts';
import { sha256 } from '../../lib/shared/canonical.ts';
import { listFiles, readPreviousRuntime, under } from './generated-io.ts';
import type { OutputSink } from './generated-io.ts';
import { planRuntime } from './plan-runtime.ts';
import type { Removal, RuntimePlan } from './plan-runtime.ts';
import { generatedReadme } from './readme.ts';

export interface GeneratedPlan {
  /** Every file of generated/, relative to it. */
  files: Map<string, string>;
  runtime: RuntimePlan;
}

/**
 * Everything generated/ should contain for this catalog, computed in memory (tests, and small
 * catalogs). The build itself streams the same files to disk with `emitGenerated`.
 */
export async function planGenerated(catalog: Catalog, generatedDir: string, schemasDir: string, cacheDir?: string, removals: Removal[] = []): Promise<GeneratedPlan> {
  const files = new Map<string, string>();
  const runtime = await emitGenerated(catalog, generatedDir, schemasDir, files, cacheDir, removals);
  return { files, runtime };
}

/**
 * Produce every file of generated/ into `out`, one at a time, in a fixed order: README, runtime/ (the
 * previous versions read from `generatedDir` as needed), bpmn/ (read back from `out`), types/. With a
 * `cacheDir`, type generation is reused from earlier builds when its inputs are unchanged, and an unchanged
 * BPMN version's files are carried over by the output index (`out.memo`, see planBpmn). Nothing is held
 * beyond the file being produced, the manifest and the deploy list.
 */
export async function emitGenerated(catalog: Catalog, generatedDir: string, schemasDir: string, out: OutputSink, cacheDir?: string, removals: Removal[] = []): Promise<RuntimePlan> {
  const typesCache = cacheDir ? diskCache(cacheDir, 'types') : NO_CACHE;
  out.set('README.md', generatedReadme());
  const runtime = planRuntime(catalog, await readPreviousRuntime(path.join(generatedDir, 'runtime')), removals, under(out, 'runtime/'));
  const bpmnKey = cacheDir ? toolchainFingerprint(['cli/bpmn', 'lib'], []) : '';
  await planBpmn(runtime.files, runtime.manifest, bpmnKey, under(out, 'bpmn/'), out.memo);
  // Builds before the export wrote its own XML kept every compile here, forever (see planBpmn).
  if (cacheDir) rmSync(path.join(cacheDir, 'bpmn'), { recursive: true, force: true });
  for (const [rel, content] of await cachedTypes(schemasDir, typesCache, cacheDir !== undefined)) out.set(`types/${rel}`, content);
  return runtime;
}

/** Types depend only on the schemas and the generator: cached under a hash of both. */
async function cachedTypes(schemasDir: string, cache: Cache, enabled: boolean): Promise<Map<string, string>> {
  if (!enabled) return generateTypes(schemasDir);
  const schemas: string[] = [];
  for (const rel of await listFiles(schemasDir)) schemas.push(rel, await readFile(path.join(schemasDir, rel), 'utf8'));
  const key = sha256([toolchainFingerprint(['cli/codegen'], ['json-schema-to-typescript']), ...schemas].join('\0'));
  const hit = cache.get(key);
  if (hit !== undefined) return new Map(JSON.parse(hit) as [string, string][]);
  const types = await generateTypes(schemasDir);
  cache.set(key, JSON.stringify([...types]));
  return types;
}
