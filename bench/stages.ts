import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { checkSource } from '../cli/check/check-catalog.ts';
import { readCatalog } from '../cli/load/read-catalog.ts';
import { validators } from '../cli/validate/schemas.ts';
import type { DocumentKind } from '../cli/validate/schemas.ts';
import { BPMN_STAGE } from './bpmn.ts';
import { buildStages } from './build.ts';
import { REPORT_STAGE } from './report.ts';
import { SERVE_STARTUP_STAGE } from './serve-startup.ts';
import { SITE_STAGE } from './site.ts';

/** What a stage must meet: its time at most `ratio` × its floor's, at `atServices`, within `memoryMB`. */
export interface Target {
  ratio: number;
  atServices: number;
  memoryMB: number;
}

/**
 * One row group of the benchmark table. `run` does the stage's real work on a generated catalog folder;
 * `floor` does the least any implementation must (for `hall check`: read, parse and validate the same
 * files). Both run in a child process of their own, so peak memory is the stage's alone. Later stages
 * (hall build, BPMN, site, report) add an entry here.
 */
export interface BenchStage {
  name: string;
  /** Catalog sizes this stage runs at (default: every size); a stage too slow at 10,000 says so here. */
  sizes?: number[];
  /** Untimed setup in a process of its own before each timed run (e.g. a previous build for a warm one). */
  prepare?(catalogDir: string): Promise<unknown>;
  /** What the ratio compares: CPU time (default) or wall time, for stages whose work runs in child processes. */
  ratioOn?: 'cpu' | 'wall';
  run(catalogDir: string): Promise<unknown>;
  floor(catalogDir: string): Promise<unknown>;
  target: Target;
}

/** The judging date of the benchmark's catalogs, so the freshness rule finds nothing. */
const TODAY = '2026-10-01';

/** Every YAML file below `dir`, sorted. */
async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name)).map((e) => path.join(e.parentPath, e.name)).sort();
}

const KIND_BY_NAME: Record<string, DocumentKind> = { 'hall.yaml': 'Hall', 'roles.yaml': 'RoleGroups', 'department.yaml': 'Department' };

/** The floor of checking: read every YAML file, parse it with `yaml`, validate it with ajv. Nothing else. */
async function parseAndValidate(catalogDir: string): Promise<number> {
  const validate = validators();
  let invalid = 0;
  for (const file of await yamlFiles(catalogDir)) {
    const value = parse(await readFile(file, 'utf8'));
    if (!validate[KIND_BY_NAME[path.basename(file)] ?? 'Service'](value)) invalid++;
  }
  return invalid;
}

const CHECK_STAGE: BenchStage = 
  {
    name: 'hall check',
    async run(catalogDir) {
      const source = await readCatalog(path.basename(catalogDir), path.dirname(catalogDir));
      const result = checkSource(source, { today: TODAY });
      if (result.diagnostics.length) throw new Error(`the generated catalog has ${result.diagnostics.length} finding(s), first ${result.diagnostics[0].code} in ${result.diagnostics[0].file}`);
      return result.files.length;
    },
    floor: parseAndValidate,
    target: { ratio: 1.5, atServices: 10_000, memoryMB: 1024 },
};

/** Every stage of `npm run bench`, in pipeline order. */
export const STAGES: BenchStage[] = [
  CHECK_STAGE,
  ...buildStages(parseAndValidate),
  BPMN_STAGE,
  { ...SITE_STAGE, ratioOn: 'wall' },
  REPORT_STAGE,
  SERVE_STARTUP_STAGE,
];
