import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateCatalog } from './generate.ts';
import { siteReport } from './site.ts';
import { memory, memoryReport, throughput, throughputTable } from './serve.ts';
import { STAGES as ALL_STAGES } from './stages.ts';
import type { BenchStage } from './stages.ts';

/**
 * `npm run bench`: generate catalogs of 1,000 and 10,000 services in a temp dir, time every stage in
 * STAGES and its floor in separate child processes, several rounds interleaved, and print the medians
 * with their ratio against each stage's target. Not a test: it asserts nothing and never fails CI.
 *
 * The ratio is taken on CPU time: on a machine whose cores other work shares, wall time says more
 * about the neighbours than about us. Wall times are printed beside it.
 *
 * Then the hall runtime's own figures (bench/serve.ts): submissions and approvals at 100 concurrent clients
 * against a real `hall serve` on both stores beside a Fastify + one INSERT floor ('serve load'), and its peak
 * RSS with 100,000 open applications ('serve memory').
 *
 * Options: --sizes 1000,10000  --rounds 5  --keep (leave the generated catalogs in place)
 *          --site-10000 (the guide site at 10,000 services too, beside its floor, and its own figures at
 *          10,000 after those at 1,000: minutes per build, so not in the default run)
 *          --stages check,serve  (only the stages whose name contains one of these words; default all;
 *          'serve load' and 'serve memory' name the two hall serve reports)
 *          --seconds 10 (each hall serve load run)  --stores sqlite,postgres  --applications 100000
 *          HALL_BENCH_PROFILE=<dir> in the environment: every process the serve stages start writes a V8 CPU profile there
 */
const SIZES = (option('--sizes') ?? '1000,10000').split(',').map(Number);
const ROUNDS = Number(option('--rounds') ?? 5);
const KEEP = process.argv.includes('--keep');
const SELECTED = option('--stages')?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
const selected = (name: string) => !SELECTED || SELECTED.some((s) => name.toLowerCase().includes(s));
const SITE_10000 = process.argv.includes('--site-10000');
const STAGES = ALL_STAGES.filter((s) => selected(s.name)).map((s) => (SITE_10000 && s.name === 'hall site' ? { ...s, sizes: [...(s.sizes ?? []), 10_000] } : s));

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

interface Sample {
  ms: number;
  cpuMs: number;
  peakMB: number;
}

const run = promisify(execFile);

/** One measurement in a fresh Node process, so neither timing nor peak memory carries over. */
async function measure(stage: BenchStage, mode: 'run' | 'floor', dir: string): Promise<Sample> {
  const child = (m: string) => run(process.execPath, [path.join(import.meta.dirname, 'measure.ts'), stage.name, m, dir], { maxBuffer: 1 << 20 });
  if (mode === 'run' && stage.prepare) await child('prepare');
  const { stdout } = await child(mode);
  return JSON.parse(stdout) as Sample;
}

const ratioOf = (stage: BenchStage, r: { ms: number; cpuMs: number; floorMs: number; floorCpuMs: number }) =>
  stage.ratioOn === 'wall' ? r.ms / r.floorMs : r.cpuMs / r.floorCpuMs;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Row {
  stage: string;
  services: number;
  ms: number;
  cpuMs: number;
  peakMB: number;
  floorMs: number;
  floorCpuMs: number;
  floorMB: number;
  target: string;
  ratio: number;
  on: 'cpu' | 'wall';
}

function table(rows: Row[]): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const head = ['stage', 'services', 'time (cpu)', 'time (wall)', 'peak MB', 'floor (cpu)', 'floor (wall)', 'floor MB', 'ratio', 'target'];
  const body = rows.map((r) => [
    r.stage,
    r.services.toLocaleString('en'),
    seconds(r.cpuMs),
    seconds(r.ms),
    r.peakMB.toFixed(0),
    seconds(r.floorCpuMs),
    seconds(r.floorMs),
    r.floorMB.toFixed(0),
    `${r.ratio.toFixed(2)}×${r.on === 'wall' ? ' (wall)' : ''}`,
    r.target,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function verdict(stage: BenchStage, row: Row): string {
  const { ratio, atServices, memoryMB } = stage.target;
  const goal = `≤ ${ratio}×, < ${memoryMB >= 1024 ? `${memoryMB / 1024} GiB` : `${memoryMB} MB`}`;
  if (row.services !== atServices) return goal;
  const met = row.ratio <= ratio && row.peakMB < memoryMB;
  return `${goal}: ${met ? 'met' : 'MISSED'}`;
}

/**
 * Issue 16.6: each stage's time at the two catalog sizes and its growth exponent k, with time ∝ services^k
 * (log of the time ratio over log of the size ratio), on the same measure as the stage's ratio.
 * Near-linear is k ≤ 1.1.
 */
const GROWTH_TARGET = 1.1;

function growthTable(rows: Row[]): string {
  const head = ['stage', 'sizes', 'time at each', 'exponent', 'target'];
  const body: string[][] = [];
  for (const name of [...new Set(rows.map((r) => r.stage))]) {
    const at = rows.filter((r) => r.stage === name).sort((a, b) => a.services - b.services);
    if (at.length < 2) continue;
    const [small, large] = [at[0], at[at.length - 1]];
    const time = (r: Row) => (r.on === 'wall' ? r.ms : r.cpuMs);
    const k = Math.log(time(large) / time(small)) / Math.log(large.services / small.services);
    body.push([
      name,
      `${small.services.toLocaleString('en')} → ${large.services.toLocaleString('en')}`,
      `${(time(small) / 1000).toFixed(2)} s → ${(time(large) / 1000).toFixed(2)} s (${large.on})`,
      k.toFixed(2),
      `≤ ${GROWTH_TARGET}: ${k <= GROWTH_TARGET ? 'met' : 'MISSED'}`,
    ]);
  }
  if (!body.length) return '';
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return ['growth with the catalog', '', line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const root = await mkdtemp(path.join(tmpdir(), 'hall-bench-'));
try {
  const catalogs = new Map<number, string>();
  for (const size of SIZES.filter((n) => STAGES.some((stage) => !stage.sizes || stage.sizes.includes(n)))) {
    const started = performance.now();
    catalogs.set(size, await generateCatalog(path.join(root, String(size)), size));
    process.stderr.write(`generated ${size.toLocaleString('en')} services in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const samples = new Map<string, { run: Sample[]; floor: Sample[] }>();
  for (let round = 0; round < ROUNDS; round++) {
    process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
    for (const stage of STAGES) {
      for (const size of SIZES.filter((n) => !stage.sizes || stage.sizes.includes(n))) {
        const key = `${stage.name}@${size}`;
        const entry = samples.get(key) ?? { run: [], floor: [] };
        samples.set(key, entry);
        // Alternate which goes first, so neither always meets a warm or a cold disk cache.
        const order: ('run' | 'floor')[] = round % 2 ? ['floor', 'run'] : ['run', 'floor'];
        for (const mode of order) entry[mode].push(await measure(stage, mode, catalogs.get(size)!));
      }
    }
  }
  const rows: Row[] = [];
  for (const stage of STAGES) {
    for (const size of SIZES.filter((n) => !stage.sizes || stage.sizes.includes(n))) {
      const { run: r, floor: f } = samples.get(`${stage.name}@${size}`)!;
      const row: Row = {
        stage: stage.name,
        services: size,
        ms: median(r.map((s) => s.ms)),
        cpuMs: median(r.map((s) => s.cpuMs)),
        peakMB: median(r.map((s) => s.peakMB)),
        floorMs: median(f.map((s) => s.ms)),
        floorCpuMs: median(f.map((s) => s.cpuMs)),
        floorMB: median(f.map((s) => s.peakMB)),
        target: '',
        ratio: 0,
        on: stage.ratioOn ?? 'cpu',
      };
      row.ratio = ratioOf(stage, row);
      row.target = verdict(stage, row);
      rows.push(row);
    }
  }
  if (rows.length) process.stdout.write(`\nmedians of ${ROUNDS} rounds, Node ${process.version}\n\n${table(rows)}\n`);
  const growth = growthTable(rows);
  if (growth) process.stdout.write(`\n${growth}\n`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (selected('serve load')) {
    log('hall serve: submissions and approvals at 100 clients');
    const stores = (option('--stores') ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
    process.stdout.write(`\n${throughputTable(await throughput({ stores, seconds: Number(option('--seconds') ?? 10), log }))}\n`);
  }
  if (selected('serve memory')) {
    log('hall serve: memory with open applications');
    process.stdout.write(`\n${memoryReport(await memory({ applications: Number(option('--applications') ?? 100_000), seconds: Number(option('--seconds') ?? 10), log }))}\n`);
  }
  if (selected('hall site') && !process.argv.includes('--no-search')) {
    // The site's own figures: guide vs a bare Astro site built in this run, and bytes one search fetches.
    for (const size of [1000, ...(SITE_10000 ? [10_000] : [])].filter((n) => SIZES.includes(n))) process.stdout.write(`\n${await siteReport(size)}\n`);
    if (!SITE_10000) process.stdout.write('\nguide site at 10,000 services: not run by default (minutes per build); npm run bench -- --site-10000\n');
  }
} finally {
  if (KEEP) process.stderr.write(`catalogs kept in ${root}\n`);
  else await rm(root, { recursive: true, force: true });
}
