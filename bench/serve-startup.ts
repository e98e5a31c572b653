import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkSource } from '../cli/check/check-catalog.ts';
import { readPreviousRuntime, writeGenerated } from '../cli/compile/generated-io.ts';
import { planRuntime } from '../cli/compile/plan-runtime.ts';
import { readCatalog } from '../cli/load/read-catalog.ts';
import { loadRuntime } from '../lib/runtime/index.ts';
import { HALL, startProcess } from './serve-process.ts';
import type { BenchStage } from './stages.ts';

// ————— startup on a large catalog —————

/** The scratch repository of the startup stage: the generated catalog and its generated/, built once. */
const startupRepo = (catalogDir: string) => `${path.dirname(catalogDir)}-serve`;

async function prepareStartup(catalogDir: string): Promise<string> {
  const repo = startupRepo(catalogDir);
  if (existsSync(path.join(repo, 'generated/runtime/manifest.json'))) return repo;
  await rm(repo, { recursive: true, force: true });
  await cp(catalogDir, path.join(repo, 'catalog'), { recursive: true });
  // Only generated/runtime/: what the hall loads (BPMN layout of 10,000 services would take many minutes).
  const { catalog, diagnostics } = checkSource(await readCatalog('catalog', repo), { today: '2026-10-01' });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${errors.length} error(s), first ${errors[0].code} in ${errors[0].file}`);
  const runtimeDir = path.join(repo, 'generated/runtime');
  await writeGenerated(runtimeDir, planRuntime(catalog, await readPreviousRuntime(runtimeDir)).files);
  return repo;
}

/**
 * `hall serve` starting on a generated catalog (10,000 services): from launching the process to its
 * answering /readyz, on a fresh embedded store. The floor is the public loader verifying the same
 * generated/ (lib/runtime/index.ts, in process, modules already loaded): the part no start can skip.
 * Wall time, since the work runs in a child process (the table's peak MB is the measuring process's, not
 * the hall's: bench/serve.ts reports the hall's own resident set).
 */
export const SERVE_STARTUP_STAGE: BenchStage = {
  name: 'hall serve startup',
  ratioOn: 'wall',
  prepare: prepareStartup,
  async run(catalogDir) {
    const repo = await prepareStartup(catalogDir);
    const work = await mkdtemp(path.join(tmpdir(), 'hall-bench-start-'));
    try {
      const hall = await startProcess([HALL, 'serve', path.join(repo, 'catalog'), '--port', '0', '--store', `sqlite:${path.join(work, 'hall.db')}`, '--events', path.join(work, 'events')]);
      const ready = await fetch(`${hall.url}/readyz`);
      hall.child.kill('SIGKILL');
      if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
  async floor(catalogDir) {
    const runtime = await loadRuntime(path.join(startupRepo(catalogDir), 'generated'));
    return runtime.manifest.services.length;
  },
  target: { ratio: 2, atServices: 10_000, memoryMB: 1024 },
};

