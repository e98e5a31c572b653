import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileBpmn } from '../cli/bpmn/compile-bpmn.ts';
import { compileForms } from '../cli/bpmn/compile-forms.ts';
import { compileProcess } from '../cli/bpmn/compile-process.ts';
import { layoutDefinitions } from '../cli/bpmn/layout.ts';
import { bpmnModel, writeBpmnXml } from '../cli/bpmn/xml.ts';
import { planBpmn } from '../cli/bpmn/plan-bpmn.ts';
import { planRuntime } from '../cli/compile/plan-runtime.ts';
import { StagedGenerated, under } from '../cli/compile/generated-io.ts';
import type { OutputSink } from '../cli/compile/generated-io.ts';
import { checkSource } from '../cli/check/check-catalog.ts';
import { readCatalog } from '../cli/load/read-catalog.ts';
import type { RuntimeDefinition } from '../generated/types/runtime/definition.ts';
import { sha256 } from '../lib/shared/canonical.ts';
import { generateCatalog } from './generate.ts';
import type { BenchStage } from './stages.ts';

/**
 * Benchmark stage of the Camunda export. `run` checks the catalog, compiles the runtime definitions and
 * then every BPMN file and form (model, layout from the workflow tree, XML, forms); `floor` does everything but the
 * BPMN, so `run − floor` is the export's own cost and the ratio shows what it adds to a build.
 *
 * Register it in bench/stages.ts: `import { BPMN_STAGE } from './bpmn.ts';` and add `BPMN_STAGE` to
 * STAGES. Run alone, `node bench/bpmn.ts [--services 1000]` prints the export's time per service,
 * split into model, layout, XML and forms.
 */
const TODAY = '2026-10-01';

/**
 * Check the catalog and plan its runtime definitions into `files`: for the stage, as `hall build` does,
 * streamed into a staged folder and read back one version at a time by the export, never all in memory.
 * The catalog's bytes are not kept past the check, nor its model past the plan (the export reads neither).
 */
async function runtimeOf<Files extends OutputSink>(catalogDir: string, files: Files) {
  const { catalog, diagnostics } = checkSource(await readCatalog(path.basename(catalogDir), path.dirname(catalogDir)), { today: TODAY });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`the generated catalog has ${errors.length} error(s), first ${errors[0].code} in ${errors[0].file}`);
  return planRuntime(catalog, { read: () => undefined }, [], files);
}

/** A staged generated/ in a scratch folder beside the catalog, removed (never committed) afterwards. */
async function inScratch<T>(catalogDir: string, work: (staged: StagedGenerated) => Promise<T>): Promise<T> {
  const scratch = `${path.dirname(catalogDir)}-bpmn`;
  await rm(scratch, { recursive: true, force: true });
  const staged = StagedGenerated.open(path.join(scratch, 'generated'));
  try {
    return await work(staged);
  } finally {
    staged.discard();
    await rm(scratch, { recursive: true, force: true });
  }
}

export const BPMN_STAGE: BenchStage = {
  name: 'bpmn export',
  // Run and floor do the same up to the export: check, then the runtime definitions written to a staged
  // folder as the build writes them. So `run − floor` is the export's own cost in time and memory, and
  // neither holds the catalog's definitions all at once (the build never does).
  run: (catalogDir) =>
    inScratch(catalogDir, async (staged) => {
      const runtime = await runtimeOf(catalogDir, under(staged, 'runtime/'));
      // As the build takes them: each file as it is done, hashed (for the output index) and let go, so a
      // province's diagrams are never all in memory (the build writes them to its staged folder).
      const hashes = new Map<string, string>();
      await planBpmn(runtime.files, runtime.manifest, '', { set: (rel: string, content: string) => hashes.set(rel, sha256(content)) });
      return hashes.size;
    }),
  floor: (catalogDir) => inScratch(catalogDir, async (staged) => (await runtimeOf(catalogDir, under(staged, 'runtime/')), staged.size)),
  // The layout is computed from the workflow tree (cli/bpmn/layout.ts), linear in the workflow; the
  // XML is written by the export's own writer (cli/bpmn/xml.ts). Memory: files are streamed, as the build does.
  target: { ratio: 2.5, atServices: 10_000, memoryMB: 1024 },
};

/** Time per service of each part of the export, over every workflow of a generated catalog. */
async function profile(services: number): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'hall-bench-bpmn-'));
  try {
    const dir = await generateCatalog(path.join(root, String(services)), services);
    const runtime = await runtimeOf(dir, new Map<string, string>());
    const definitions = [...runtime.files]
      .filter(([file]) => file.endsWith('.json') && file.includes('/'))
      .map(([, text]) => JSON.parse(text) as RuntimeDefinition)
      .filter((d) => d.workflow);
    let model = 0;
    let layout = 0;
    let xml = 0;
    let forms = 0;
    for (const definition of definitions) {
      let t = performance.now();
      const { definitions } = compileProcess(bpmnModel, definition, definition.id);
      model += performance.now() - t;
      t = performance.now();
      layoutDefinitions(bpmnModel, definitions, definition);
      layout += performance.now() - t;
      t = performance.now();
      writeBpmnXml(definitions);
      xml += performance.now() - t;
      t = performance.now();
      compileForms(definition, definition.id);
      forms += performance.now() - t;
    }
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (const definition of definitions) await compileBpmn(definition, definition.id);
    const total = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    const per = (ms: number) => `${(ms / definitions.length).toFixed(2)} ms`;
    process.stdout.write(
      `${services.toLocaleString('en')} services, ${definitions.length.toLocaleString('en')} with a workflow, Node ${process.version}\n` +
        `per service: model ${per(model)}, layout ${per(layout)}, XML ${per(xml)}, forms ${per(forms)}\n` +
        `compileBpmn end to end: ${per(total)} wall, ${per((user + system) / 1000)} CPU (${(total / 1000).toFixed(2)} s in all)\n`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const i = process.argv.indexOf('--services');
  await profile(i === -1 ? 1_000 : Number(process.argv[i + 1]));
}
