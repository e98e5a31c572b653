import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emitGenerated } from '../cli/compile/build-generated.ts';
import { StagedGenerated } from '../cli/compile/generated-io.ts';
import { checkCacheIn, checkSource } from '../cli/check/check-catalog.ts';
import { readCatalog } from '../cli/load/read-catalog.ts';
import { SCHEMAS_DIR } from '../cli/shared/paths.ts';
import type { BenchStage } from './stages.ts';

/**
 * `hall build` in three states, each against the checking floor (read + parse + validate the same
 * files), because checking is the part no build can skip:
 * - cold: no generated/ and an empty cache — everything compiled, BPMN laid out;
 * - warm: generated/ and the cache from a previous build — nothing has changed;
 * - one change: as warm, after one service's workflow changed — only that service is compiled again.
 * `prepare` runs in its own untimed process and leaves a scratch repository beside the catalog.
 */
const TODAY = '2026-10-01';

/** The scratch repository of a stage: <catalog's parent>-<slug>/ with catalog/, generated/ and a cache. */
const scratchOf = (catalogDir: string, slug: string) => `${path.dirname(catalogDir)}-${slug}`;

async function build(repo: string): Promise<number> {
  const source = await readCatalog('catalog', repo);
  // As `hall build` checks: with the build cache, so unchanged files are not parsed, validated or linted again.
  const { catalog, diagnostics } = checkSource(source, { today: TODAY, cache: checkCacheIn(path.join(repo, '.cache')) });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${errors.length} error(s), first ${errors[0].code} in ${errors[0].file}`);
  // As `hall build` writes: streamed into a staged folder beside generated/, swapped in whole.
  const staged = StagedGenerated.open(path.join(repo, 'generated'), { cacheDir: path.join(repo, '.cache') });
  try {
    await emitGenerated(catalog, path.join(repo, 'generated'), SCHEMAS_DIR, staged, path.join(repo, '.cache'));
    await staged.commit();
    return staged.size;
  } finally {
    staged.discard();
  }
}

async function freshScratch(catalogDir: string, slug: string): Promise<string> {
  const repo = scratchOf(catalogDir, slug);
  await rm(repo, { recursive: true, force: true });
  await cp(catalogDir, path.join(repo, 'catalog'), { recursive: true });
  return repo;
}

/** Change the first step deadline of the first workflow service found: a runtime change of one service. */
async function changeOneService(repo: string): Promise<void> {
  const source = await readCatalog('catalog', repo);
  const file = source.yaml.map((y) => y.file).sort().find((f) => !/(hall|roles|department)\.yaml$/.test(f) && /deadline: \d/.test(new TextDecoder().decode(source.yaml.find((y) => y.file === f)!.bytes)));
  if (!file) throw new Error('no workflow service to change');
  const abs = path.join(repo, file);
  const text = await readFile(abs, 'utf8');
  await writeFile(abs, text.replace(/deadline: (\d+)/, (_, n: string) => `deadline: ${Number(n) === 0 ? 1 : Number(n) - 1}`));
}

// Issue 16's targets, at 10,000 services. Cold: everything checked and compiled, BPMN laid out, within
// 3× checking and 1 GiB (the build streams generated/ to a staged folder, so memory does not grow with
// its files). Warm and one change: the check cache skips parsing, validating and linting unchanged files
// (and compiling the schemas), the output index linking unchanged outputs unread (no BPMN compile, no
// cache read), so a one-service change should cost a quarter of checking from scratch.
const COLD: BenchStage['target'] = { ratio: 3, atServices: 10_000, memoryMB: 1024 };
const WARM: BenchStage['target'] = { ratio: 0.25, atServices: 10_000, memoryMB: 1024 };

type Prepared = BenchStage & { prepare(catalogDir: string): Promise<unknown> };

function stage(name: string, slug: string, prepare: (catalogDir: string) => Promise<void>, floor: BenchStage['floor'], target: BenchStage['target']): Prepared {
  return {
    name,
    prepare,
    async run(catalogDir) {
      const repo = scratchOf(catalogDir, slug);
      // cold: the scratch holds only the catalog; warm and one-change: also generated/ and .cache/.
      return build(repo);
    },
    floor,
    target,
  };
}

/** Build stages; `floor` is the checking floor from stages.ts, passed in to avoid a cycle. */
export function buildStages(floor: BenchStage['floor']): Prepared[] {
  return [
    stage('hall build (cold)', 'cold', async (dir) => {
      await freshScratch(dir, 'cold');
    }, floor, COLD),
    stage('hall build (warm)', 'warm', async (dir) => {
      await build(await freshScratch(dir, 'warm'));
    }, floor, WARM),
    stage('hall build (one change)', 'one', async (dir) => {
      const repo = await freshScratch(dir, 'one');
      await build(repo);
      await changeOneService(repo);
    }, floor, WARM),
  ];
}
