import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeManifest } from '../generated/types/runtime/manifest.ts';
import { loadAndCheck } from '../cli/commands/check/run.ts';
import { generateEvents } from '../cli/report/generate.ts';
import { writeEventLog } from '../cli/report/write-log.ts';

/**
 * A synthetic year of the example catalog's event log, for trying `hall report` on something large:
 *
 *   node bench/generate-events.ts --out /tmp/year.jsonl.gz [--events 1000000] [--seed 2026] [--split month] [--start 2025-09-01]
 *   hall report --events /tmp/year.jsonl.gz --out /tmp/year-report
 *
 * `--split month` writes a folder with one file per month, as a rotating runtime log would be kept
 * (gzipped when --out ends in .gz or --gzip is given). Never write large logs into the repository.
 */
function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const out = option('--out');
if (!out) {
  process.stderr.write('usage: node bench/generate-events.ts --out <file.jsonl[.gz] | folder> [--events 1000000] [--seed 2026] [--split month] [--gzip] [--start 2025-09-01]\n');
  process.exit(2);
}
const repo = path.resolve(import.meta.dirname, '..');
const { catalog } = await loadAndCheck(path.join(repo, 'catalog'), {});
const manifest = JSON.parse(await readFile(path.join(repo, 'generated/runtime/manifest.json'), 'utf8')) as RuntimeManifest;
const started = performance.now();
const written = await writeEventLog(
  generateEvents(catalog, { events: Number(option('--events') ?? 1_000_000), seed: Number(option('--seed') ?? 2026), start: option('--start'), versions: new Map(manifest.services.map((s) => [s.id, s.current])) }),
  out,
  { ...(option('--split') === 'month' ? { split: 'month' as const } : {}), ...(process.argv.includes('--gzip') ? { gzip: true } : {}) },
);
process.stderr.write(`wrote ${written.toLocaleString('en')} events to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
