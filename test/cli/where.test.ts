import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FLOWS } from '../helpers/flows.ts';
import { HALL, NODE, ROOT, hall } from '../helpers/cli.ts';

/** Issue 11.14: check a part of a catalog, run from any folder of the repository, cancel with Ctrl-C. */
const BASELINE = path.join(ROOT, 'test/fixtures/baseline/catalog');
const TODAY = '2026-10-01';
const INTERNAL = /内部错误|internal error/;
// Every test starts real processes, on shared cores.
vi.setConfig({ testTimeout: 180_000 });

/** A repository copy of the baseline with one error in each department: xgc (an unknown group) and jsj (a TODO). */
let repo: string;
/** `hall check` of the whole broken catalog from the repository root, the reference for every other run. */
let whole: Awaited<ReturnType<typeof hall>>;
beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), 'hall-where-'));
  await cp(BASELINE, path.join(repo, 'catalog'), { recursive: true });
  const edit = async (file: string, find: string, replace: string) => {
    const abs = path.join(repo, 'catalog', file);
    const text = await readFile(abs, 'utf8');
    if (!text.includes(find)) throw new Error(`${file}: "${find}" not found`);
    await writeFile(abs, text.replace(find, replace));
  };
  await edit('xgc/student-leave.yaml', 'group: counselor', 'group: counsellor');
  await edit('jsj/lab-booking.yaml', 'capacity: 40', 'capacity: 40\n      note: "TODO: 待定"');
  await mkdir(path.join(repo, 'docs/deep'), { recursive: true });
  whole = await hall(['check', '--format', 'json', '--today', TODAY], { cwd: repo });
}, 240_000);
afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

const findings = (json: string) => (JSON.parse(json) as { summary: { files: number }; diagnostics: { code: string; file: string }[] });

describe('hall check on a part of the catalog', () => {
  it('checks a department folder: only its findings, its files counted, the catalog read whole', async () => {
    const part = await hall(['check', 'catalog/xgc', '--format', 'json', '--today', TODAY], { cwd: repo });
    const all = findings(whole.stdout);
    expect(new Set(all.diagnostics.map((d) => d.file.split('/')[1]))).toEqual(new Set(['xgc', 'jsj']));
    const xgc = findings(part.stdout);
    expect(part.exitCode, part.all).toBe(1);
    expect(xgc.diagnostics.length).toBeGreaterThan(0);
    expect(xgc.diagnostics.every((d) => d.file.startsWith('catalog/xgc/'))).toBe(true);
    expect(xgc.diagnostics).toEqual(all.diagnostics.filter((d) => d.file.startsWith('catalog/xgc/')));
    expect(xgc.summary.files).toBe(4);
  });

  it('checks a single file, resolving its references against the whole catalog', async () => {
    const [broken, clean] = await Promise.all([
      hall(['check', 'catalog/xgc/student-leave.yaml', '--today', TODAY, '--lang', 'en'], { cwd: repo }),
      hall(['check', 'catalog/jsj/exchange-guide.yaml', '--today', TODAY, '--lang', 'en'], { cwd: repo }),
    ]);
    expect(broken.exitCode, broken.all).toBe(1);
    expect(broken.stdout).toContain('catalog/xgc/student-leave.yaml:');
    expect(broken.stdout).toContain('ref/unknown-group');
    expect(broken.stdout).not.toContain('catalog/jsj/');
    expect(broken.stdout.trimEnd().split('\n').at(-1)).toBe('1 error, 0 warnings in 1 file.');
    expect([clean.exitCode, clean.stdout]).toEqual([0, '✔ No problems found in 1 file.']);
  });

  it('takes a part named from inside the catalog, relative to where it runs', async () => {
    const r = await hall(['check', '.', '--format', 'json', '--today', TODAY], { cwd: path.join(repo, 'catalog/jsj') });
    const jsj = findings(r.stdout);
    expect(jsj.diagnostics.length).toBeGreaterThan(0);
    expect(jsj.diagnostics.every((d) => d.file.startsWith('catalog/jsj/'))).toBe(true);
  });
});

describe('hall from any folder of the repository', () => {
  it.each(['catalog', 'catalog/xgc', 'docs/deep'])('checks the whole catalog from %s, with the same report as from the root', async (sub) => {
    const fromSub = await hall(['check', '--format', 'json', '--today', TODAY], { cwd: path.join(repo, sub) });
    expect(fromSub.exitCode, fromSub.all).toBe(1);
    expect(fromSub.stdout).toBe(whole.stdout);
  });

  it('builds from a subfolder into generated/ at the repository root, not beside it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hall-where-build-'));
    await cp(FLOWS, path.join(dir, 'catalog'), { recursive: true });
    const sub = path.join(dir, 'catalog/ops');
    const r = await hall(['build', '--today', TODAY], { cwd: sub });
    expect(r.exitCode, r.all).toBe(0);
    await expect(readFile(path.join(dir, 'generated/runtime/manifest.json'), 'utf8')).resolves.toContain('"services"');
    await expect(readFile(path.join(sub, 'generated/runtime/manifest.json'), 'utf8')).rejects.toThrow();
    const again = await hall(['build', '--check', '--today', TODAY], { cwd: sub });
    expect(again.exitCode, again.all).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a part of the catalog for a command that works on a whole one', async () => {
    const r = await hall(['stats', 'catalog/xgc'], { cwd: repo });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('请给出目录文件夹（catalog）');
    expect(r.all).not.toMatch(INTERNAL);
  });
});

/**
 * Press Ctrl-C at hall's first question, on a real terminal: `script` (util-linux) runs hall on a
 * pseudo-terminal, so @inquirer/prompts reads raw keys and the byte 0x03 reaches it as Ctrl-C.
 */
function pressCtrlC(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  const command = [NODE, HALL, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env: { ...process.env, NO_COLOR: '1', TERM: 'dumb' } });
    let output = '';
    let pressed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no question appeared:\n${output}`));
    }, 50_000);
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      // A question is on screen once inquirer has drawn its "? " line; then it reads keys raw.
      if (!pressed && /^\? /m.test(output)) {
        pressed = true;
        setTimeout(() => child.stdin.write('\x03'), 300);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('Ctrl-C at a question', () => {
  it('hall simulate exits 130 and says it was cancelled, never an internal error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hall-ctrlc-'));
    await cp(FLOWS, path.join(dir, 'catalog'), { recursive: true });
    await writeFile(path.join(dir, 'a.yaml'), 'name: 赵一\ndepartment: dept-a\n');
    await writeFile(path.join(dir, 'd.yaml'), 'amount: 5000\nurgent: false\ncategory: 设备\nunit: dept-a\n');
    const r = await pressCtrlC(['simulate', 'flow', '--as', 'a.yaml', '--data', 'd.yaml'], dir);
    expect(r.output).toContain('下一步由谁做出什么决定');
    expect(r.code, r.output).toBe(130);
    expect(r.output).toContain('已取消');
    expect(r.output).not.toMatch(INTERNAL);
    await rm(dir, { recursive: true, force: true });
  });

  it('hall new exits 130, writes nothing and reports no internal error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hall-ctrlc-'));
    await cp(BASELINE, path.join(dir, 'catalog'), { recursive: true });
    const r = await pressCtrlC(['new', '--today', TODAY], dir);
    expect(r.code, r.output).toBe(130);
    expect(r.output).toContain('已取消');
    expect(r.output).not.toMatch(INTERNAL);
    await rm(dir, { recursive: true, force: true });
  });
});
