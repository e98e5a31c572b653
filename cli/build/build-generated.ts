import path from 'node:path';
import type { Catalog } from '../model/catalog.ts';
import { planBpmn } from '../bpmn/plan-bpmn.ts';
import { generateTypes } from '../codegen/types.ts';
import { readPreviousRuntime } from './generated-io.ts';
import { planRuntime } from './plan-runtime.ts';
import type { RuntimePlan } from './plan-runtime.ts';
import { generatedReadme } from './readme.ts';

export interface GeneratedPlan {
  /** Every file of generated/, relative to it. */
  files: Map<string, string>;
  runtime: RuntimePlan;
}

/** Everything generated/ should contain for this catalog, computed in memory. */
export async function planGenerated(catalog: Catalog, generatedDir: string, schemasDir: string): Promise<GeneratedPlan> {
  const files = new Map<string, string>();
  files.set('README.md', generatedReadme());
  const runtime = planRuntime(catalog, await readPreviousRuntime(path.join(generatedDir, 'runtime')));
  for (const [rel, content] of runtime.files) files.set(`runtime/${rel}`, content);
  for (const [rel, content] of await planBpmn(runtime.files, runtime.manifest)) files.set(`bpmn/${rel}`, content);
  for (const [rel, content] of await generateTypes(schemasDir)) files.set(`types/${rel}`, content);
  return { files, runtime };
}
