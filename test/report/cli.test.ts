import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { loadAndCheck } from '../../cli/commands/check/run.ts';
import { buildReport } from '../../cli/report/build-report.ts';
import { reportContext } from '../../cli/report/context.ts';
import { generateEvents } from '../../cli/report/generate.ts';
import { listEventFiles } from '../../cli/report/read-events.ts';
import { writeEventLog } from '../../cli/report/write-log.ts';
import { HALL, NODE, REPO, STACK_TRACE, runHall } from '../check/helpers.ts';
import { tempDir } from './helpers.ts';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let logs: string;
/** How many log files the folder holds, the damaged one included. */
let files: number;

beforeAll(async () => {
  tmp = await tempDir('hall-report-cli-');
  logs = path.join(tmp.dir, 'logs');
  const { catalog } = await loadAndCheck(path.join(REPO, 'catalog'), { today: '2026-09-01' });
  const manifest = JSON.parse(await readFile(path.join(REPO, 'generated/runtime/manifest.json'), 'utf8')) as RuntimeManifest;
  const versions = new Map(manifest.services.map((s) => [s.id, s.current]));
  // A small year, rotated by (UTC) month and gzipped as a runtime would keep it (about a dozen files: how many
  // months 6,000 events fill depends on the catalog's services), and one damaged file.
  await writeEventLog(generateEvents(catalog, { events: 6000, seed: 5, versions }), logs, { split: 'month', gzip: true });
  files = (await readdir(logs)).length + 1;
  await writeFile(path.join(logs, 'zz-damaged.jsonl'), '{"type":"submitted"\n{"type":"rated","at":"2026-03-02T10:00:00Z","instance":"x","service":"no-such-service","version":1,"rating":"满意"}\n');
});
afterAll(() => tmp.cleanup());

describe('hall report as a process', () => {
  it('reads a folder of gzipped monthly logs and writes the page, Markdown, JSON and CSV', async () => {
    const out = path.join(tmp.dir, 'out');
    const run = await runHall(['report', '--events', logs, '--out', out], { cwd: REPO });
    expect(run.exitCode).toBe(0);
    expect(files).toBeGreaterThan(10);
    expect(run.stdout).toContain(`✔ 读取 ${files} 个文件 6,002 行：有效事件 6,001，未计入 1`);
    expect(run.stdout).toContain('⚠ 1 行未计入');
    expect(run.stdout).toContain('⚠ 目录中没有的事项 1 个');
    expect(run.stderr).toBe(''); // no progress bar without a terminal
    expect((await readdir(out)).sort()).toEqual(['days.csv', 'departments.csv', 'hours.csv', 'index.html', 'overdue.csv', 'problems.csv', 'report.json', 'report.md', 'services.csv']);
    const html = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|src=/i);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('zz-damaged.jsonl');
    // The same figures as the library computes in this process.
    const data = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const { catalog } = await loadAndCheck(path.join(REPO, 'catalog'), {});
    const manifest = JSON.parse(await readFile(path.join(REPO, 'generated/runtime/manifest.json'), 'utf8')) as RuntimeManifest;
    const expected = await buildReport(await listEventFiles(logs), reportContext(catalog, manifest), { label: (f) => path.relative(logs, f) });
    expect(data.total).toEqual(expected.total);
    expect(data.problems.listed).toEqual([{ file: 'zz-damaged.jsonl', line: 1, problem: expect.objectContaining({ kind: 'not-json' }) }]);
    expect(data.unknownServices).toEqual([{ service: 'no-such-service', events: 1, first: { file: 'zz-damaged.jsonl', line: 2 } }]);
    const services = await readFile(path.join(out, 'services.csv'), 'utf8');
    expect(services.startsWith('\ufeff标识,事项,部门,目录中有,承诺时限,申请,')).toBe(true);
  });

  it('limits the figures to a period, in English on request', async () => {
    const out = path.join(tmp.dir, 'march');
    const run = await runHall(['report', '--events', logs, '--from', '2026-03-01', '--to', '2026-03-31', '--out', out, '--lang', 'en'], { cwd: REPO });
    expect(run.exitCode).toBe(0);
    const data = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(data.period).toEqual({ from: '2026-03-01', to: '2026-03-31' });
    expect(data.days).toHaveLength(31);
    expect(data.total.applications).toBe(data.days.reduce((n: number, d: { applications: number }) => n + d.applications, 0));
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toContain('<html lang="en">');
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('Period: 2026-03-01 to 2026-03-31');
  });

  it.each([
    [['--events', 'no/such/log.jsonl'], '找不到事件日志'],
    [['--events', 'catalog'], '没有 .jsonl 或 .jsonl.gz 文件'],
    [['--events', '.', '--from', '2026-13-01'], '--from 应写成 YYYY-MM-DD'],
    [['--events', '.', '--from', '2026-03-02', '--to', '2026-03-01'], '--from 不能晚于 --to'],
    [['--events', '.', '--manifest', 'nope.json'], '读不到运行清单'],
  ])('%j is a usage error: exit 2, a plain message, no stack trace', async (args, message) => {
    const target = args.map((a) => (a === '.' ? logs : a));
    const run = await runHall(['report', ...target, '--out', path.join(tmp.dir, 'unused')], { cwd: REPO });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });

  it('shows a progress bar on a terminal', async () => {
    const out = path.join(tmp.dir, 'tty');
    // `script` gives the process a real pseudo-terminal.
    const command = [NODE, HALL, 'report', '--events', logs, '--out', out].map((a) => `'${a}'`).join(' ');
    const run = await execa('script', ['-qec', command, '/dev/null'], { cwd: REPO, reject: false, timeout: 60_000 });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/读取事件日志 \[[█░]+\] +\d+%/);
    expect(run.stdout).toContain(`✔ 读取 ${files} 个文件`);
  });

  it("reads the catalog through hall build's check cache: an edited file is read afresh, and the bytes equal a run without the cache", async () => {
    // A copy of the repository's catalog and manifest, so the edit below touches nothing shared.
    const repo = path.join(tmp.dir, 'cached-repo');
    await cp(path.join(REPO, 'catalog'), path.join(repo, 'catalog'), { recursive: true });
    await cp(path.join(REPO, 'generated/runtime/manifest.json'), path.join(repo, 'generated/runtime/manifest.json'));
    const report = async (out: string, ...extra: string[]) => {
      const run = await runHall(['report', 'catalog', '--events', logs, '--out', path.join(tmp.dir, out), ...extra], { cwd: repo });
      expect(run.exitCode, run.stderr).toBe(0);
      return readFile(path.join(tmp.dir, out, 'services.csv'), 'utf8');
    };
    const before = await report('cache-1');
    expect(before).toContain('本科生在读证明');
    const file = path.join(repo, 'catalog/jwc/enrollment-certificate.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('zh: 本科生在读证明', 'zh: 本科生在读证明（改名）'));
    // The first run filled the cache with the old file; the second must not be served the old name from it.
    const cached = await report('cache-2');
    expect(cached).toContain('本科生在读证明（改名）');
    const uncached = await report('cache-3', '--no-cache');
    expect(cached).toBe(uncached);
    for (const name of ['report.json', 'report.md', 'index.html']) {
      expect(await readFile(path.join(tmp.dir, 'cache-2', name), 'utf8')).toBe(await readFile(path.join(tmp.dir, 'cache-3', name), 'utf8'));
    }
  });
});

describe('hall stats as a process', () => {
  it('prints Markdown by default and writes JSON and CSV', async () => {
    const md = await runHall(['stats', '--today', '2026-10-01'], { cwd: REPO });
    expect(md.exitCode).toBe(0);
    expect(md.stdout).toContain('# 江城大学网上办事大厅 · 事项目录统计');
    const json = await runHall(['stats', '--format', 'json', '--scope', 'public', '--today', '2026-10-01'], { cwd: REPO });
    const stats = JSON.parse(json.stdout);
    expect(stats).toMatchObject({ format: 'servicehall-stats/v1', scope: 'public', asOf: '2026-10-01' });
    expect(stats.services.every((s: { classification: string }) => s.classification === 'public')).toBe(true);
    const file = path.join(tmp.dir, 'stats', 'stats.csv');
    const csv = await runHall(['stats', '--format', 'csv', '--out', file, '--lang', 'en'], { cwd: REPO });
    expect(csv.exitCode).toBe(0);
    expect(csv.stderr).toContain(`✔ Wrote ${file}`);
    expect((await readFile(file, 'utf8')).split('\r\n')[0]).toMatch(/^\ufeffCode,Department,Services/);
  });

  it('reports on a catalog with lint findings, but refuses one that does not load (the model is what it reads)', async () => {
    const repo = path.join(tmp.dir, 'lint-repo');
    await cp(path.join(REPO, 'catalog'), path.join(repo, 'catalog'), { recursive: true });
    await cp(path.join(REPO, 'generated'), path.join(repo, 'generated'), { recursive: true });
    const service = path.join(repo, 'catalog/bwc/student-leave.yaml');
    const text = await readFile(service, 'utf8');
    // Without its scenarios the service fails `hall check` (scenario/too-few, a lint rule) …
    await writeFile(service, text.slice(0, text.indexOf('\nscenarios:') + 1));
    const check = await runHall(['check', 'catalog', '--format', 'json'], { cwd: repo });
    expect(check.exitCode).toBe(1);
    expect(JSON.parse(check.stdout).diagnostics.map((d: { code: string }) => d.code)).toContain('scenario/too-few');
    // … but what happened is still reported.
    const out = path.join(tmp.dir, 'lint-out');
    const run = await runHall(['report', 'catalog', '--events', logs, '--out', out], { cwd: repo });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')).input.events).toBe(6001);
    // A catalog whose files do not load or resolve gives no report.
    await writeFile(service, `${text.slice(0, text.indexOf('\nscenarios:') + 1)}owner: no-such-department\n`);
    const refused = await runHall(['report', 'catalog', '--events', logs, '--out', path.join(tmp.dir, 'refused-out')], { cwd: repo });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('目录有错误，无法生成运行报告');
    expect(refused.stderr + refused.stdout).not.toMatch(STACK_TRACE);
  }, 240_000);

  it('exits 2 for a missing catalog folder', async () => {
    const run = await runHall(['stats', 'no-such-folder'], { cwd: REPO });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('找不到目录文件夹');
  });
});
