import { appendFile, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuntime, RuntimeLoadError } from '../../lib/runtime/index.ts';
import { hall, scratchCopy } from '../helpers/cli.ts';
import { FLOWS } from '../helpers/flows.ts';

async function tree(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, await tree(dir, rel));
    else out[rel] = await readFile(path.join(dir, rel), 'utf8');
  }
  return out;
}

async function edit(file: string, from: string | RegExp, to: string) {
  const text = await readFile(file, 'utf8');
  const next = text.replace(from, to);
  expect(next, `edit of ${file} must change it`).not.toBe(text);
  await writeFile(file, next);
}

describe('hall build', () => {
  it('is deterministic across runs, working directories, time zones and locales', async () => {
    const a = await scratchCopy(FLOWS);
    const b = await scratchCopy(FLOWS);
    expect((await hall(['build'], { cwd: a })).exitCode).toBe(0);
    // Second build from elsewhere, with absolute paths, another time zone and locale.
    const r = await hall(['build', path.join(b, 'catalog'), '--out', path.join(b, 'generated')], { cwd: '/', env: { TZ: 'America/Los_Angeles', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' } });
    expect(r.exitCode, r.all).toBe(0);
    const first = await tree(path.join(a, 'generated'));
    expect(await tree(path.join(b, 'generated'))).toEqual(first);
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['README.md', 'runtime/manifest.json', 'runtime/calendar.json', 'runtime/flow/v1.json', 'types/service.ts', 'types/runtime/definition.ts']));
    expect((await hall(['build'], { cwd: a })).exitCode).toBe(0);
    expect(await tree(path.join(a, 'generated'))).toEqual(first);
  });

  it('writes nothing when the catalog has errors', async () => {
    const dir = await scratchCopy(FLOWS);
    await edit(path.join(dir, 'catalog/ops/flow.yaml'), 'group: university-leader', 'group: university-leadr');
    const r = await hall(['build'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.all).toContain('ref/unknown-group');
    expect(r.all).toContain('目录有错误，未生成任何文件');
    await expect(readdir(path.join(dir, 'generated'))).rejects.toThrow();
  });

  it('a guide-only edit changes no runtime version and no runtime bytes', async () => {
    const dir = await scratchCopy(FLOWS);
    await hall(['build'], { cwd: dir });
    const before = await tree(path.join(dir, 'generated/runtime'));
    await edit(path.join(dir, 'catalog/ops/flow.yaml'), '用于测试流程结构的事项。', '用于测试流程结构的事项（指南已更新）。');
    expect((await hall(['build', '--check'], { cwd: dir })).exitCode).toBe(0);
    expect((await hall(['build'], { cwd: dir })).stdout).toContain('没有新版本');
    expect(await tree(path.join(dir, 'generated/runtime'))).toEqual(before);
  });

  it('a workflow edit adds version 2 and keeps version 1 byte-for-byte', async () => {
    const dir = await scratchCopy(FLOWS);
    await hall(['build'], { cwd: dir });
    const v1 = await readFile(path.join(dir, 'generated/runtime/flow/v1.json'), 'utf8');
    await edit(path.join(dir, 'catalog/ops/flow.yaml'), 'if: amount > 100000', 'if: amount > 50000');
    const stale = await hall(['build', '--check'], { cwd: dir });
    expect(stale.exitCode).toBe(1);
    expect(stale.all).toContain('generated/runtime/flow/v2.json');
    const built = await hall(['build'], { cwd: dir });
    expect(built.stdout).toContain('flow v2');
    expect(await readFile(path.join(dir, 'generated/runtime/flow/v1.json'), 'utf8')).toBe(v1);
    const manifest = JSON.parse(await readFile(path.join(dir, 'generated/runtime/manifest.json'), 'utf8'));
    const flow = manifest.services.find((s: { id: string }) => s.id === 'flow');
    expect(flow).toMatchObject({ id: 'flow', current: 2 });
    expect(flow.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const runtime = await loadRuntime(path.join(dir, 'generated'));
    expect(runtime.current('flow').version).toBe(2);
    expect(runtime.version('flow', 1).workflow?.steps[1]).toMatchObject({ kind: 'branch', condition: 'amount > 100000' });
  });

  it('--check catches a hand edit of the current definition, and build repairs it', async () => {
    const dir = await scratchCopy(FLOWS);
    await hall(['build'], { cwd: dir });
    await edit(path.join(dir, 'generated/runtime/flow/v1.json'), '"deadline": 1', '"deadline": 9');
    const r = await hall(['build', '--check'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.all).toMatch(/内容不同\s+generated\/runtime\/flow\/v1\.json/);
    expect((await hall(['build'], { cwd: dir })).exitCode).toBe(0);
    expect((await hall(['build', '--check'], { cwd: dir })).exitCode).toBe(0);
  });

  it('--check catches extra files and hand-edited types', async () => {
    const dir = await scratchCopy(FLOWS);
    await hall(['build'], { cwd: dir });
    await writeFile(path.join(dir, 'generated/runtime/notes.txt'), 'mine');
    await appendFile(path.join(dir, 'generated/types/service.ts'), '\nexport type Extra = 1;\n');
    const r = await hall(['build', '--check', '--lang', 'en'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.all).toMatch(/unexpected\s+generated\/runtime\/notes\.txt/);
    expect(r.all).toMatch(/differs\s+generated\/types\/service\.ts/);
  });

  it('refuses to rebuild over a hand-edited older version', async () => {
    const dir = await scratchCopy(FLOWS);
    await hall(['build'], { cwd: dir });
    await edit(path.join(dir, 'catalog/ops/flow.yaml'), 'if: amount > 100000', 'if: amount > 50000');
    await hall(['build'], { cwd: dir });
    await appendFile(path.join(dir, 'generated/runtime/flow/v1.json'), ' ');
    const r = await hall(['build'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.all).toContain('generated/runtime/flow/v1.json');
    expect(r.all).toContain('从 git 恢复');
  });
});

describe('runtime loader', () => {
  async function built() {
    const dir = await scratchCopy(FLOWS);
    await hall(['build'], { cwd: dir });
    return path.join(dir, 'generated');
  }

  it('returns typed, verified definitions', async () => {
    const runtime = await loadRuntime(await built());
    expect(runtime.current('flow')).toMatchObject({ id: 'flow', version: 1, type: 'online', owner: 'ops' });
    expect(runtime.calendar.isWorkday('2026-10-10')).toBe(true);
  });

  it('rejects a definition whose bytes no longer match the manifest', async () => {
    const generated = await built();
    await edit(path.join(generated, 'runtime/flow/v1.json'), '"deadline": 1', '"deadline": 2');
    await expect(loadRuntime(generated)).rejects.toThrow(/flow\/v1\.json: sha256 与清单不符/);
  });

  it('rejects a missing definition and a modified calendar, listing both', async () => {
    const generated = await built();
    await rm(path.join(generated, 'runtime/flow/v1.json'));
    await appendFile(path.join(generated, 'runtime/calendar.json'), '\n');
    const error = await loadRuntime(generated).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeLoadError);
    expect((error as RuntimeLoadError).problems).toEqual([
      'calendar.json: sha256 与清单不符（文件被修改）/ sha256 differs from the manifest (file was modified)',
      'flow/v1.json: 文件缺失 / file is missing',
    ]);
  });

  it('rejects a manifest that is not valid', async () => {
    const generated = await built();
    await writeFile(path.join(generated, 'runtime/manifest.json'), '{"format": "other"}');
    await expect(loadRuntime(generated)).rejects.toThrow(RuntimeLoadError);
  });
});

describe('hall test', () => {
  it('passes the fixture scenarios', async () => {
    const r = await hall(['test', 'test/fixtures/flows/catalog']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('21 passed, 0 failed'); // flow, booking, and the countersign-variant and routing fixtures (votes, in-turn, routed, banded)
  });

  it('reports a failing scenario with expected vs actual and the scenario\'s line', async () => {
    const dir = await scratchCopy(FLOWS);
    await edit(path.join(dir, 'catalog/ops/flow.yaml'), 'path: [unit-review, b-quick, ops-done]', 'path: [unit-review, a-quick, ops-done]');
    const text = await readFile(path.join(dir, 'catalog/ops/flow.yaml'), 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('- name: 小额，任一部门审核')) + 1;
    const r = await hall(['test'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`catalog/ops/flow.yaml:${line}:5`);
    expect(r.stdout).toContain('路径：预期 unit-review → a-quick → ops-done，实际 unit-review → b-quick → ops-done');
    expect(r.stdout).toContain('20 passed, 1 failed');
  });
});

describe('hall simulate', () => {
  it('prints a timeline with due dates, decisions and notifications from files', async () => {
    const dir = await scratchCopy(FLOWS);
    await writeFile(path.join(dir, 'a.yaml'), 'name: 赵一\ndepartment: dept-a\n');
    await writeFile(path.join(dir, 'd.yaml'), 'amount: 5000\nurgent: false\ncategory: 设备\nunit: dept-a\n');
    await writeFile(path.join(dir, 'x.yaml'), '- { step: unit-review, action: approve }\n- { step: a-quick, action: approve }\n- { step: ops-done, action: approve }\n');
    const r = await hall(['simulate', 'flow', '--as', 'a.yaml', '--data', 'd.yaml', '--decisions', 'x.yaml'], { cwd: dir });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain('待办  使用单位审核  → department-head@dept-a  （期限 2026-03-03）');
    expect(r.stdout).toContain('办理  使用单位审核  → department-head@dept-a  同意');
    expect(r.stdout).toContain('结果：通过');
    expect(r.stdout).toContain('赵一，您的流程测试事项已办结。');
  });

  it('shows field-by-field errors for a bad submission and exits 1', async () => {
    const dir = await scratchCopy(FLOWS);
    await writeFile(path.join(dir, 'a.yaml'), 'name: 赵一\n');
    await writeFile(path.join(dir, 'd.yaml'), 'amount: -1\nurgent: true\ncategory: 设备\nunit: dept-a\n');
    const r = await hall(['simulate', 'flow', '--as', 'a.yaml', '--data', 'd.yaml'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('✘ 金额（amount）：不能小于 0');
    expect(r.stdout).toContain('✘ 加急原因（urgentReason）：必填');
  });

  it('suggests the closest service id for a typo', async () => {
    const r = await hall(['simulate', 'flwo', '--as', 'x', '--data', 'y', 'test/fixtures/flows/catalog']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('是不是“flow”');
  });
});
