import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RuntimeManifest } from '../generated/types/runtime/manifest.ts';
import { loadAndCheck } from '../cli/commands/check/run.ts';
import { buildReport } from '../cli/report/build-report.ts';
import { reportContext } from '../cli/report/context.ts';
import { generateEvents } from '../cli/report/generate.ts';
import { listEventFiles, readLines } from '../cli/report/read-events.ts';
import { renderReportCsv, renderReportMarkdown, renderReportPage } from '../cli/report/render-report.ts';
import { writeEventLog } from '../cli/report/write-log.ts';
import type { BenchStage } from './stages.ts';

/**
 * Benchmark of `hall report`. `run` does what the command does on a synthetic year of the example
 * catalog's event log: check the catalog (through the check cache `hall build` leaves, warmed untimed), read the manifest, stream and aggregate every line, render
 * and write the page, Markdown, JSON and CSV. `floor` reads the same file and JSON-parses every line,
 * nothing else. Both run in child processes (bench/measure.ts, or this file with --child), so peak
 * memory (process.resourceUsage().maxRSS) is each one's alone.
 *
 * Register it in bench/stages.ts: `import { REPORT_STAGE } from './report.ts';` and add REPORT_STAGE to
 * STAGES. There the log has EVENTS_PER_SERVICE events per service of the size measured (100,000 at
 * 1,000 services, 1,000,000 at 10,000), generated once next to the catalog. If bench/run.ts calls an
 * optional `prepare(catalogDir)` once before its rounds, generation stays out of every timing;
 * without it the first round's sample includes generation and the median leaves it out.
 *
 * Standalone: `node bench/report.ts [--events 250000,1000000] [--rounds 3]` prints time and peak memory
 * at each log size beside the floor: the ratio, and whether memory stays flat as the log grows (peak
 * RSS, and the heap after a full GC at each quarter of the log). Logs are kept in
 * $TMPDIR/servicehall-bench-report between runs (same size, seed, generator and manifest ⇒ same file).
 */
export const EVENTS_PER_SERVICE = 100;
/** Issue 16: at 1,000,000 events (10,000 services), at most 2× read + JSON.parse on CPU time, in flat memory under 512 MB. */
export const REPORT_TARGET = { ratio: 2, atServices: 10_000, memoryMB: 512 };
const TARGET_EVENTS = REPORT_TARGET.atServices * EVENTS_PER_SERVICE;
const REPO = path.resolve(import.meta.dirname, '..');
const CATALOG = path.join(REPO, 'catalog');
const MANIFEST = path.join(REPO, 'generated/runtime/manifest.json');
const SEED = 2026;

/**
 * The check cache a report of `file` reads the catalog through: as `hall report` reads it through the cache
 * `hall build` leaves (node_modules/.cache/servicehall), here one beside the log so runs share nothing else.
 */
const checkCacheOf = (file: string) => `${file}.check-cache`;

/** Generate (or reuse) a log of `events` events for the example catalog at `file`, and warm its check cache. */
export async function prepareEventLog(file: string, events: number): Promise<string> {
  const done = `${file}.done`;
  // Untimed, as `hall build` before the report: the catalog's files parsed and validated into the cache.
  await loadAndCheck(CATALOG, { lint: false, cacheDir: checkCacheOf(file) });
  if (await stat(done).catch(() => undefined)) return file;
  await mkdir(path.dirname(file), { recursive: true });
  const { catalog } = await loadAndCheck(CATALOG, {});
  const manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as RuntimeManifest;
  const versions = new Map(manifest.services.map((s) => [s.id, s.current]));
  const written = await writeEventLog(generateEvents(catalog, { events, seed: SEED, versions }), file);
  await writeFile(done, `${written}\n`);
  return file;
}

/** Everything `hall report` does, on one log file, writing into a scratch folder. */
export async function runReport(file: string): Promise<number> {
  const { catalog, diagnostics } = await loadAndCheck(CATALOG, { lint: false, cacheDir: checkCacheOf(file) });
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error('the example catalog has errors');
  const manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as RuntimeManifest;
  const data = await buildReport(await listEventFiles(file), reportContext(catalog, manifest));
  const out = await mkdtemp(path.join(tmpdir(), 'hall-bench-report-out-'));
  try {
    await writeFile(path.join(out, 'index.html'), renderReportPage(data, 'zh'));
    await writeFile(path.join(out, 'report.md'), renderReportMarkdown(data, 'zh'));
    await writeFile(path.join(out, 'report.json'), JSON.stringify(data, null, 2));
    for (const [name, content] of Object.entries(renderReportCsv(data, 'zh'))) await writeFile(path.join(out, name), content);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  if (data.input.problems) throw new Error(`${data.input.problems} problem lines in a generated log`);
  return data.input.events;
}

/** The floor: read every line and JSON.parse it, nothing else. */
export async function parseEveryLine(file: string): Promise<number> {
  let lines = 0;
  await readLines(file, {
    line(text) {
      JSON.parse(text);
      lines++;
    },
    tooLong() {},
    blank() {},
    badUtf8() {},
  });
  return lines;
}

/** A short hash of the generator and the example catalog's manifest: a changed one makes a new cached log. */
async function generatorVersion(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [path.join(REPO, 'cli/report/generate.ts'), MANIFEST]) hash.update(await readFile(file));
  return hash.digest('hex').slice(0, 10);
}

async function servicesIn(catalogDir: string): Promise<number> {
  const entries = await readdir(catalogDir, { recursive: true });
  return entries.filter((e) => e.endsWith('.yaml') && !/(^|\/)(department|hall|roles)\.yaml$/.test(e)).length;
}

/** The log for a benchmark catalog: EVENTS_PER_SERVICE per service, kept beside the catalog. */
async function logFor(catalogDir: string): Promise<string> {
  const events = (await servicesIn(catalogDir)) * EVENTS_PER_SERVICE;
  return prepareEventLog(path.join(path.dirname(catalogDir), `events-${events}.jsonl`), events);
}

export const REPORT_STAGE: BenchStage & { prepare(catalogDir: string): Promise<unknown> } = {
  name: 'hall report',
  prepare: logFor,
  async run(catalogDir) {
    return runReport(await logFor(catalogDir));
  },
  async floor(catalogDir) {
    return parseEveryLine(await logFor(catalogDir));
  },
  target: REPORT_TARGET,
};

// ————— standalone —————

interface Sample {
  ms: number;
  cpuMs: number;
  peakMB: number;
}

/**
 * What the report holds, apart from V8's slack: the heap after a full collection, at each quarter of the
 * log (process started with --expose-gc; not timed). Flat when memory does not grow with the log.
 */
async function retained(file: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const { catalog } = await loadAndCheck(CATALOG, {});
  const manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as RuntimeManifest;
  const files = await listEventFiles(file);
  const quarters: number[] = [];
  let next = 0.25;
  await buildReport(files, reportContext(catalog, manifest), {
    onProgress(done, total) {
      if (done / total < next) return;
      next += 0.25;
      gc();
      // The heap, and the typed arrays outside it (the table of events seen once lives there).
      const m = process.memoryUsage();
      quarters.push((m.heapUsed + m.arrayBuffers) / 1048576);
    },
  });
  process.stdout.write(`${JSON.stringify({ quarters })}\n`);
}

async function child(mode: 'report' | 'floor', file: string): Promise<void> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (mode === 'report') await runReport(file);
  else await parseEveryLine(file);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, peakMB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

const run = promisify(execFile);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(mode: 'report' | 'floor', file: string): Promise<Sample> {
  const { stdout } = await run(process.execPath, [import.meta.filename, '--child', mode, file], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Sample;
}

async function main(): Promise<void> {
  const option = (name: string) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const sizes = (option('--events') ?? '250000,1000000').split(',').map(Number);
  const rounds = Number(option('--rounds') ?? 3);
  const cache = path.join(tmpdir(), 'servicehall-bench-report');
  const rows: { events: number; mb: number; report: Sample; floor: Sample; retained: number[] }[] = [];
  for (const events of sizes) {
    const started = performance.now();
    const file = await prepareEventLog(path.join(cache, `events-${events}-seed${SEED}-${await generatorVersion()}.jsonl`), events);
    const mb = (await stat(file)).size / 1048576;
    process.stderr.write(`log of ${events.toLocaleString('en')} events (${mb.toFixed(0)} MB) ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    const samples = { report: [] as Sample[], floor: [] as Sample[] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 ? (['floor', 'report'] as const) : (['report', 'floor'] as const)) samples[mode].push(await measure(mode, file));
    }
    const pick = (xs: Sample[]): Sample => ({ ms: median(xs.map((x) => x.ms)), cpuMs: median(xs.map((x) => x.cpuMs)), peakMB: median(xs.map((x) => x.peakMB)) });
    const { stdout } = await run(process.execPath, ['--expose-gc', import.meta.filename, '--child', 'retained', file], { maxBuffer: 1 << 20 });
    rows.push({ events, mb, report: pick(samples.report), floor: pick(samples.floor), retained: (JSON.parse(stdout) as { quarters: number[] }).quarters });
  }
  const head = ['events', 'log MB', 'report', 'CPU', 'peak MB', 'floor', 'CPU', 'peak MB', 'ratio', 'CPU ratio'];
  const body = rows.map((r) => [
    r.events.toLocaleString('en'),
    r.mb.toFixed(0),
    `${(r.report.ms / 1000).toFixed(2)} s`,
    `${(r.report.cpuMs / 1000).toFixed(2)} s`,
    r.report.peakMB.toFixed(0),
    `${(r.floor.ms / 1000).toFixed(2)} s`,
    `${(r.floor.cpuMs / 1000).toFixed(2)} s`,
    r.floor.peakMB.toFixed(0),
    `${(r.report.ms / r.floor.ms).toFixed(2)}×`,
    `${(r.report.cpuMs / r.floor.cpuMs).toFixed(2)}×`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  process.stdout.write(`\nhall report vs floor (read + JSON.parse every line), medians of ${rounds} rounds, Node ${process.version}\n\n${[line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n')}\n`);
  if (rows.length > 1) {
    const [small, large] = [rows[0], rows[rows.length - 1]];
    process.stdout.write(`\npeak memory ×${(large.events / small.events).toFixed(1)} events: report ${small.report.peakMB.toFixed(0)} → ${large.report.peakMB.toFixed(0)} MB (×${(large.report.peakMB / small.report.peakMB).toFixed(2)}), floor ${small.floor.peakMB.toFixed(0)} → ${large.floor.peakMB.toFixed(0)} MB\n`);
  }
  process.stdout.write('\nheap + array buffers after a full GC at each quarter of the log (what the report holds, catalog included):\n');
  for (const r of rows) process.stdout.write(`  ${r.events.toLocaleString('en').padStart(9)} events: ${r.retained.map((q) => `${q.toFixed(1)} MB`).join(' → ')}\n`);
  const at = rows.find((r) => r.events === TARGET_EVENTS);
  const goal = `target (issue 16): at ${TARGET_EVENTS.toLocaleString('en')} events, CPU ≤ ${REPORT_TARGET.ratio}× the floor and peak < ${REPORT_TARGET.memoryMB} MB`;
  if (!at) process.stdout.write(`\n${goal}: not measured (run with --events ${TARGET_EVENTS})\n`);
  else {
    const ratio = at.report.cpuMs / at.floor.cpuMs;
    const met = ratio <= REPORT_TARGET.ratio && at.report.peakMB < REPORT_TARGET.memoryMB;
    process.stdout.write(`\n${goal}: ${ratio.toFixed(2)}×, ${at.report.peakMB.toFixed(0)} MB: ${met ? 'met' : 'NOT met'}\n`);
  }
}

if (process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--child');
  if (i !== -1 && process.argv[i + 1] === 'retained') await retained(process.argv[i + 2]);
  else if (i !== -1) await child(process.argv[i + 1] as 'report' | 'floor', process.argv[i + 2]);
  else await main();
}
