import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { loadAndCheck } from '../../cli/commands/check/run.ts';
import { buildReport } from '../../cli/report/build-report.ts';
import { reportContext } from '../../cli/report/context.ts';
import { generateEvents } from '../../cli/report/generate.ts';
import { findEventFiles, listEventFiles } from '../../cli/report/read-events.ts';
import { writeEventLog } from '../../cli/report/write-log.ts';
import { REPO, STACK_TRACE, runHall } from '../check/helpers.ts';
import { tempDir, testContext, writeLines } from './helpers.ts';

// Issue 12, items 11–13: the report counts each event once, rejects what cannot be true, and says so.

const ev = (instance: string, extra: object = {}) => ({ type: 'submitted', at: '2026-10-09T10:00:00+08:00', instance, service: 'leave', version: 1, ...extra });
/** The moment the library-level reports below are made: fixed, so "the future" is too. */
const NOW = Date.parse('2026-12-01T00:00:00Z');

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('hall-report-integrity-');
});
afterAll(() => tmp.cleanup());

async function reportOf(target: string) {
  return buildReport(await listEventFiles(target), testContext(), { now: NOW, label: (f) => path.relative(tmp.dir, f) });
}

describe('12.11 each event is counted once', () => {
  let month: string;
  let single: Awaited<ReturnType<typeof buildReport>>;
  let both: string;

  beforeAll(async () => {
    const { catalog } = await loadAndCheck(path.join(REPO, 'catalog'), { today: '2026-09-01' });
    const manifest = JSON.parse(await readFile(path.join(REPO, 'generated/runtime/manifest.json'), 'utf8')) as RuntimeManifest;
    const versions = new Map(manifest.services.map((s) => [s.id, s.current]));
    month = path.join(tmp.dir, 'one', '2026-03.jsonl');
    await writeEventLog(generateEvents(catalog, { events: 3000, seed: 11, versions }), month);
    single = await buildReport(await listEventFiles(month), reportContext(catalog, manifest));
    both = path.join(tmp.dir, 'both');
    await mkdir(both);
    await copyFile(month, path.join(both, '2026-03.jsonl'));
    await writeFile(path.join(both, '2026-03.jsonl.gz'), gzipSync(await readFile(month)));
  }, 300_000); // a few seconds alone; minutes when the machine's cores are shared

  it('the same month as .jsonl and .jsonl.gz gives the figures of one copy, and the console names the copy', async () => {
    expect(single.total.applications).toBeGreaterThan(100);
    const out = path.join(tmp.dir, 'both-out');
    const run = await runHall(['report', '--events', both, '--out', out], { cwd: REPO });
    expect(run.exitCode).toBe(0);
    const data = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(data.total).toEqual(JSON.parse(JSON.stringify(single.total)));
    expect(data.problems.byKind).toEqual({ duplicate: single.input.events });
    expect(data.problems.first.duplicate).toEqual({ file: '2026-03.jsonl.gz', line: 1 });
    expect(data.input.repeated).toEqual([{ file: '2026-03.jsonl.gz', of: '2026-03.jsonl', events: single.input.events }]);
    expect(run.stdout).toContain(`重复的事件 ${single.input.events.toLocaleString('en')} 行，首个在 2026-03.jsonl.gz:1`);
    expect(run.stdout).toContain(`2026-03.jsonl.gz 的 ${single.input.events.toLocaleString('en')} 条事件全部与 2026-03.jsonl 相同：同一份日志读了两次`);
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toContain('同一份日志读了两次');
  });

  it('an event repeated with its keys in another order, or under the same id, counts once', async () => {
    const file = path.join(tmp.dir, 'reordered.jsonl');
    const a = ev('R1', { applicant: { type: '本科生' } });
    const reordered = Object.fromEntries(Object.entries(a).reverse());
    await writeLines(file, [
      a,
      { ...ev('R1', { type: 'completed', outcome: 'approved', at: '2026-10-10T10:00:00+08:00' }) },
      reordered,
      ev('R2', { id: 'e-1' }),
      ev('R2', { id: 'e-1', channel: 'wechat' }), // same id: the same event, whatever else it says
    ]);
    const data = await reportOf(file);
    expect(data.total.applications).toBe(2);
    expect(data.problems.listed.map((p) => [p.line, p.problem.kind])).toEqual([
      [3, 'duplicate'],
      [5, 'duplicate'],
    ]);
    expect(data.input.repeated).toEqual([]);
  });

  it('events that only look alike are all counted: two steps assigned at one instant, two ratings, two ids', async () => {
    const file = path.join(tmp.dir, 'alike.jsonl');
    const at = '2026-10-09T11:00:00+08:00';
    await writeLines(file, [
      ev('S1'),
      ev('S1', { type: 'assigned', at, step: 'a', group: 'counselor' }),
      ev('S1', { type: 'assigned', at, step: 'b', group: 'counselor' }),
      ev('S1', { type: 'assigned', at, step: 'b', group: 'office-staff' }),
      ev('S1', { type: 'rated', at, rating: '满意' }),
      ev('S1', { type: 'rated', at, rating: '不满意' }),
      ev('S2', { id: 'x-1' }),
      ev('S3', { id: 'x-2' }),
    ]);
    const data = await reportOf(file);
    expect(data.input.problems).toBe(0);
    expect(data.total.stepsAssigned).toBe(3);
    expect(data.total.ratings).toEqual([0, 1, 0, 1, 0]);
    expect(data.total.applications).toBe(3);
  });
});

describe('12.12 dates that cannot be true, and data problems named on the console', () => {
  it('an event in year 9999 or before the calendar is rejected with its line; the period and daily series stand', async () => {
    const file = path.join(tmp.dir, 'far.jsonl');
    await writeLines(file, [ev('T1', { at: '2026-09-01T10:00:00+08:00' }), ev('T2', { at: '9999-12-31T10:00:00+08:00' }), ev('T3', { at: '1999-05-01T10:00:00+08:00' }), ev('T4', { at: '2026-12-01T12:00:00+08:00' }), ev('T5', { at: '2026-12-05T00:00:00Z' }), ev('T6', { at: '2026-10-09T10:00:00+08:00' })]);
    const data = await reportOf(file);
    expect(data.problems.listed).toEqual([
      { file: 'far.jsonl', line: 2, problem: { kind: 'out-of-window', at: '9999-12-31T10:00:00+08:00', bound: 'after', limit: '2026-12-02' } },
      { file: 'far.jsonl', line: 3, problem: { kind: 'out-of-window', at: '1999-05-01T10:00:00+08:00', bound: 'before', limit: '2026-01-01' } },
      { file: 'far.jsonl', line: 5, problem: { kind: 'out-of-window', at: '2026-12-05T00:00:00Z', bound: 'after', limit: '2026-12-02' } },
    ]);
    expect(data.window).toEqual({ notBefore: '2026-01-01', notAfter: '2026-12-02' });
    expect(data.logSpan).toEqual({ first: '2026-09-01', last: '2026-12-01' });
    expect(data.days).toHaveLength(92);
    expect(data.total.applications).toBe(3);
  });

  it('the console names each kind of problem with its count and first file:line, a broken gzip with where it broke', async () => {
    const logs = path.join(tmp.dir, 'troubled');
    await mkdir(logs);
    const good = (i: number) => JSON.stringify(ev(`U${i}`, { service: 'student-leave', at: '2026-03-02T10:00:00+08:00' }));
    await writeFile(path.join(logs, 'a.jsonl'), [good(1), '{"type":', good(2), JSON.stringify({ type: 'submitted' }), good(1), JSON.stringify(ev('U3', { service: 'student-leave', at: '9999-01-01T00:00:00Z' }))].join('\n') + '\n');
    await writeFile(path.join(logs, 'b.jsonl'), Buffer.concat([Buffer.from(`${good(4)}\n{"type":"submitted","instance":"U5","comment":"`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}\n')]));
    const zipped = gzipSync(Array.from({ length: 3000 }, (_, i) => good(100 + i)).join('\n'));
    await writeFile(path.join(logs, 'c.jsonl.gz'), zipped.subarray(0, Math.floor(zipped.length / 2)));
    await writeFile(path.join(logs, 'd.jsonl'), '\n'.repeat(50_000));
    const out = path.join(tmp.dir, 'troubled-out');
    const run = await runHall(['report', '--events', logs, '--out', out], { cwd: REPO });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toMatch(STACK_TRACE);
    const data = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const cut = data.problems.listed.find((p: { problem: { kind: string } }) => p.problem.kind === 'unreadable');
    expect(cut.file).toBe('c.jsonl.gz');
    expect(cut.line).toBe(data.input.files.find((f: { file: string }) => f.file === 'c.jsonl.gz').lines + 1);
    expect(cut.problem.byte).toBeGreaterThan(10_000);
    const stdout = run.stdout;
    expect(stdout).toContain('⚠ 数据问题');
    expect(stdout).toContain(`文件中断 1 行，首个在 c.jsonl.gz:${cut.line}（文件在此处中断（解压后第 ${cut.problem.byte.toLocaleString('en')} 字节）`);
    expect(stdout).toContain('不是 UTF-8 文本 1 行，首个在 b.jsonl:2');
    expect(stdout).toContain('不是 JSON 1 行，首个在 a.jsonl:2');
    expect(stdout).toContain('缺少字段 1 行，首个在 a.jsonl:4');
    expect(stdout).toContain('时间超出范围 1 行，首个在 a.jsonl:6');
    expect(stdout).toContain('重复的事件 1 行，首个在 a.jsonl:5');
    expect(stdout).toContain('空行 50,000 行（首个在 d.jsonl:1）');
    expect(run.stdout + run.stderr).not.toContain('读取 0 行');
  });

  it('in English too', async () => {
    const file = path.join(tmp.dir, 'en', 'x.jsonl');
    await mkdir(path.dirname(file));
    await writeLines(file, ['', JSON.stringify(ev('V1', { service: 'student-leave', at: '9999-01-01T00:00:00Z' }))]);
    const run = await runHall(['report', '--events', file, '--out', path.join(tmp.dir, 'en-out'), '--lang', 'en'], { cwd: REPO });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('date out of range: 1 lines, the first at x.jsonl:2');
    expect(run.stdout).toContain('blank lines: 1, the first at x.jsonl:1');
  });
});

describe('12.13 bytes that are not text, folders that loop', () => {
  it('a line with invalid UTF-8 is rejected, not counted with U+FFFD; a real U+FFFD is fine', async () => {
    const file = path.join(tmp.dir, 'utf8.jsonl');
    const bad = Buffer.concat([Buffer.from('{"type":"submitted","at":"2026-10-09T10:00:00+08:00","instance":"W1","service":"leave","version":1,"comment":"ab'), Buffer.from([0xe4, 0xbd]), Buffer.from('"}\n')]);
    const overlong = Buffer.concat([Buffer.from('{"type":"submitted","at":"2026-10-09T10:00:00+08:00","instance":"W2","service":"leave","version":1,"comment":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}\n')]);
    await writeFile(file, Buffer.concat([bad, overlong, Buffer.from(`${JSON.stringify(ev('W3', { comment: 'a\ufffdb' }))}\n`)]));
    const data = await reportOf(file);
    expect(data.problems.listed).toEqual([
      { file: 'utf8.jsonl', line: 1, problem: { kind: 'bad-utf8', column: 113 } },
      { file: 'utf8.jsonl', line: 2, problem: { kind: 'bad-utf8', column: 111 } },
    ]);
    expect(data.total.applications).toBe(1);
  });

  it('a folder with a symlink loop is read once, whole, and the loop is named', async () => {
    const logs = path.join(tmp.dir, 'looping');
    await mkdir(path.join(logs, '2026', 'q4'), { recursive: true });
    await writeLines(path.join(logs, '2026', 'q4', 'oct.jsonl'), [ev('X1', { service: 'student-leave' })]);
    await writeLines(path.join(logs, 'top.jsonl'), [ev('X2', { service: 'student-leave' })]);
    await symlink('..', path.join(logs, '2026', 'q4', 'up'));
    await symlink('2026', path.join(logs, 'again')); // a second way into a folder, not a loop
    await symlink('self.jsonl', path.join(logs, 'self.jsonl'));
    const found = await findEventFiles(logs);
    expect(found.files.map((f) => path.relative(logs, f.path))).toEqual(['2026/q4/oct.jsonl', 'top.jsonl']);
    expect(found.loops).toEqual([
      { link: '2026/q4/up', target: '2026' },
      { link: 'self.jsonl', target: 'self.jsonl' },
    ]);
    const run = await runHall(['report', '--events', logs, '--out', path.join(tmp.dir, 'loop-out')], { cwd: REPO });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('✔ 读取 2 个文件 2 行');
    expect(run.stdout).toContain(`⚠ 符号链接循环：${path.join(logs, '2026/q4/up')} 指回上级文件夹 ${path.join(logs, '2026')}`);
  });

  it('a log path that is itself a looping link says so, not "no event log"', async () => {
    const link = path.join(tmp.dir, 'loop.jsonl');
    await symlink('loop.jsonl', link);
    const run = await runHall(['report', '--events', link, '--out', path.join(tmp.dir, 'loop2-out')], { cwd: REPO });
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr + run.stdout).toContain('是一个指向自身的符号链接（循环）');
    expect(run.stderr + run.stdout).not.toContain('找不到事件日志');
    expect(run.stderr + run.stdout).not.toMatch(STACK_TRACE);
  });
});
