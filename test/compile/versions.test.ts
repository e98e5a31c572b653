import { appendFile, cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planGenerated } from '../../cli/compile/build-generated.ts';
import { canonicalJson } from '../../lib/shared/canonical.ts';
import { compileDefinition, hasRuntimeDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import { writeGenerated } from '../../cli/compile/generated-io.ts';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import { loadRuntime, manifestProblems, RuntimeLoadError } from '../../lib/runtime/index.ts';
import { SCHEMAS_DIR } from '../../cli/shared/paths.ts';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { hall, ROOT, scratchCopy } from '../helpers/cli.ts';
import { FLOWS } from '../helpers/flows.ts';
import { oneEditPerPath } from './edits.ts';
import { diffJson, makeRepo } from '../pr/helpers.ts';
import { filesBelow } from './tree.ts';

const BASELINE = path.join(ROOT, 'test/fixtures/baseline/catalog');
const TODAY = '2026-10-01';


async function edit(file: string, from: string | RegExp, to: string) {
  const text = await readFile(file, 'utf8');
  const next = text.replace(from, to);
  expect(next, `edit of ${file} must change it`).not.toBe(text);
  await writeFile(file, next);
}

/** A scratch repository with `fixture` at catalog/ and generated/ built in process (the CLI's own plan and writer). */
async function builtCopy(fixture: string): Promise<{ dir: string; cache: string }> {
  const dir = await scratchCopy(fixture);
  const cache = await mkdtemp(path.join(os.tmpdir(), 'hall-cache-'));
  const source = await readCatalog(path.join(dir, 'catalog'), dir);
  const checked = checkSource(source, { today: TODAY });
  expect(checked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  await writeGenerated(path.join(dir, 'generated'), (await planGenerated(checked.catalog, path.join(dir, 'generated'), SCHEMAS_DIR, cache)).files);
  return { dir, cache };
}

const manifestOf = async (generated: string) => JSON.parse(await readFile(path.join(generated, 'runtime/manifest.json'), 'utf8')) as RuntimeManifest;

describe('a kept version is immutable (issue 11 item 6)', () => {
  it('no edit of any field of a service rewrites a file of a kept version; whatever changes what a version holds makes a new one', async () => {
    const { dir, cache } = await builtCopy(BASELINE);
    const generated = path.join(dir, 'generated');
    const before = await filesBelow(generated, 'utf8');
    const manifest = await manifestOf(generated);
    // Every file of a kept version: runtime JSON, BPMN and Camunda forms (not the lists that name them).
    const kept = Object.keys(before).filter((f) => /^(runtime|bpmn)\/[a-z0-9-]+\/v\d+(\.json|\.bpmn|\/.+\.form)$/.test(f));
    expect(kept.filter((f) => f.endsWith('.bpmn')).length).toBeGreaterThan(0);
    expect(kept.filter((f) => f.endsWith('.form')).length).toBeGreaterThan(0);
    const source = await readCatalog(path.join(dir, 'catalog'), dir);
    const serviceFiles = source.yaml.filter((y) => manifest.services.some((s) => y.file.endsWith(`/${s.id}.yaml`)));
    expect(serviceFiles).toHaveLength(manifest.services.length);

    let valid = 0;
    const versioned = new Set<string>();
    for (const file of serviceFiles) {
      const id = path.basename(file.file, '.yaml');
      const entry = manifest.services.find((s) => s.id === id)!;
      for (const e of oneEditPerPath(new TextDecoder().decode(file.bytes))) {
        const edited = { ...source, yaml: source.yaml.map((y) => (y === file ? { file: y.file, bytes: new TextEncoder().encode(e.text) } : y)) };
        const checked = checkSource(edited, { today: TODAY });
        if (checked.diagnostics.some((d) => d.severity === 'error')) continue;
        valid++;
        const plan = await planGenerated(checked.catalog, generated, SCHEMAS_DIR, cache);
        for (const f of kept) expect(plan.files.get(f), `${id}: ${e.label} rewrote ${f}`).toBe(before[f]);
        const service = checked.catalog.services.get(id)?.value;
        if (!service || !hasRuntimeDefinition(service)) continue;
        // What the catalog now compiles to at the current version number: if it differs from the kept bytes, a new version must exist.
        const again = canonicalJson(compileDefinition(service, entry.current, runtimeFingerprint(service)));
        const isNew = plan.runtime.newVersions.some((v) => v.id === id);
        if (again !== before[`runtime/${entry.versions.at(-1)!.file}`]) expect(isNew, `${id}: ${e.label} changed the runtime definition without a new version`).toBe(true);
        if (isNew) versioned.add(`${id} ${e.label}`);
      }
    }
    // The walk must reach far: many valid edits, and the ones that matter made new versions, a rename among them.
    expect(valid).toBeGreaterThan(150);
    expect(versioned.size).toBeGreaterThan(20);
    expect(versioned).toContain('student-leave change name.zh');
    expect(versioned).not.toContain('student-leave change name.en');
  }, 600_000);
});

describe('kept versions are never dropped (issue 11 item 7, issue 12 item 7)', () => {
  it('a deleted published service: check reports its kept versions at its manifest entry, and build refuses and writes nothing', async () => {
    const { dir } = await builtCopy(BASELINE);
    const before = await filesBelow(path.join(dir, 'generated'), 'utf8');
    const line = before['runtime/manifest.json'].split('\n').findIndex((l) => l.includes('"id": "lab-booking"')) + 1;
    await rm(path.join(dir, 'catalog/jsj/lab-booking.yaml'));
    const check = await hall(['check'], { cwd: dir });
    expect(check.exitCode, check.all).toBe(1);
    expect(check.all).toContain(`generated/runtime/manifest.json:${line}:7  错误  runtime/kept-versions-no-file`);
    expect(check.all).toContain('事项“实验室预约”（lab-booking）在 generated/runtime 中保留着运行版本 v1，但目录中已经没有它的文件');
    const build = await hall(['build'], { cwd: dir });
    expect(build.exitCode, build.all).toBe(1);
    expect(build.all).toContain('构建不会删除已发布的运行版本（lab-booking）');
    expect(await filesBelow(path.join(dir, 'generated'), 'utf8')).toEqual(before);
  });

  it.each([
    ['a draft', 'status: online', 'status: draft', 'status', '状态改成了草稿（draft）'],
    ['a guide', 'type: online', 'type: guide', 'type', '办理方式改成了仅办事指南（guide）'],
    ['confidential', 'classification: public', 'classification: confidential', 'classification', '公开范围改成了涉密（confidential）'],
  ])('a published service made %s: check reports it at that field, and build keeps every file', async (_what, from, to, key, change) => {
    const { dir } = await builtCopy(BASELINE);
    const before = await filesBelow(path.join(dir, 'generated'), 'utf8');
    const file = path.join(dir, 'catalog/xgc/enrolment-certificate.yaml');
    await edit(file, from, to);
    const line = (await readFile(file, 'utf8')).split('\n').findIndex((l) => l.startsWith(`${key}:`)) + 1;
    const check = await hall(['check', '--format', 'json'], { cwd: dir });
    expect(check.exitCode, check.all).toBe(1);
    const found = (JSON.parse(check.stdout) as { diagnostics: { code: string; file: string; line: number; message: string }[] }).diagnostics.filter((d) => d.code === 'runtime/kept-versions-dropped');
    expect(found).toMatchObject([{ file: 'catalog/xgc/enrolment-certificate.yaml', line }]);
    expect(found[0].message).toContain(change);
    const build = await hall(['build'], { cwd: dir });
    expect(build.exitCode, build.all).toBe(1);
    expect(await filesBelow(path.join(dir, 'generated'), 'utf8')).toEqual(before);
  });

  it('the IT office removes kept versions only by the documented procedure, which leaves a record, and version numbers are never reused', async () => {
    const { dir } = await builtCopy(BASELINE);
    const refused = await hall(['build', '--remove', 'student-leave'], { cwd: dir });
    expect(refused.exitCode).toBe(1);
    expect(refused.all).toContain('student-leave：v1 是当前版本');
    const service = await readFile(path.join(dir, 'catalog/jsj/lab-booking.yaml'), 'utf8');
    await rm(path.join(dir, 'catalog/jsj/lab-booking.yaml'));
    const removed = await hall(['build', '--remove', 'lab-booking'], { cwd: dir });
    expect(removed.exitCode, removed.all).toBe(0);
    const generated = path.join(dir, 'generated');
    expect((await manifestOf(generated)).removed).toEqual([{ id: 'lab-booking', version: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(Object.keys(await filesBelow(generated, 'utf8')).filter((f) => f.includes('lab-booking'))).toEqual([]);
    expect((await hall(['check'], { cwd: dir })).exitCode).toBe(0);
    await loadRuntime(generated);
    // The id comes back: it continues at v2, so no two different definitions ever share a number.
    await writeFile(path.join(dir, 'catalog/jsj/lab-booking.yaml'), service);
    const back = await hall(['build'], { cwd: dir });
    expect(back.stdout).toContain('lab-booking v2');
    expect((await loadRuntime(generated)).current('lab-booking').version).toBe(2);
  });
});

describe('the loader refuses what it cannot vouch for (issue 11 item 8)', () => {
  /** FLOWS built twice, so `flow` keeps v1 and v2. */
  async function twoVersions() {
    const { dir, cache } = await builtCopy(FLOWS);
    await edit(path.join(dir, 'catalog/ops/flow.yaml'), 'if: amount > 100000', 'if: amount > 50000');
    const checked = checkSource(await readCatalog(path.join(dir, 'catalog'), dir), { today: TODAY });
    const generated = path.join(dir, 'generated');
    await writeGenerated(generated, (await planGenerated(checked.catalog, generated, SCHEMAS_DIR, cache)).files);
    return generated;
  }
  const problemsOf = (e: unknown) => (expect(e).toBeInstanceOf(RuntimeLoadError), (e as RuntimeLoadError).problems);
  async function rewriteManifest(generated: string, change: (m: RuntimeManifest) => void) {
    const manifest = await manifestOf(generated);
    change(manifest);
    await writeFile(path.join(generated, 'runtime/manifest.json'), canonicalJson(manifest));
  }

  it('lists every file under runtime/ that the manifest does not name', async () => {
    const generated = await twoVersions();
    await writeFile(path.join(generated, 'runtime/notes.txt'), 'mine');
    await cp(path.join(generated, 'runtime/flow/v1.json'), path.join(generated, 'runtime/flow/v9.json'));
    await symlink(path.join(generated, 'runtime/flow/v1.json'), path.join(generated, 'runtime/flow/v1-copy.json'));
    const problems = problemsOf(await loadRuntime(generated).catch((e: unknown) => e));
    expect(problems.filter((p) => p.includes('清单中没有这个文件'))).toEqual([
      'flow/v1-copy.json: 清单中没有这个文件（不明文件）/ a file the manifest does not name',
      'flow/v9.json: 清单中没有这个文件（不明文件）/ a file the manifest does not name',
      'notes.txt: 清单中没有这个文件（不明文件）/ a file the manifest does not name',
    ]);
  });

  it('accepts an older version removed by the IT office\'s procedure: the record closes the gap', async () => {
    const generated = await twoVersions();
    const dir = path.dirname(generated);
    const checked = checkSource(await readCatalog(path.join(dir, 'catalog'), dir), { today: TODAY });
    const plan = await planGenerated(checked.catalog, generated, SCHEMAS_DIR, undefined, [{ id: 'flow', version: 1 }]);
    expect(plan.runtime.refusedRemovals).toEqual([]);
    await writeGenerated(generated, plan.files);
    const runtime = await loadRuntime(generated);
    expect([...runtime.definitions.get('flow')!.keys()]).toEqual([2]);
    expect(runtime.manifest.removed).toMatchObject([{ id: 'flow', version: 1 }]);
  });

  it('refuses a current version that went backwards', async () => {
    const generated = await twoVersions();
    await rewriteManifest(generated, (m) => {
      const flow = m.services.find((s) => s.id === 'flow')!;
      flow.current = 1;
      flow.fingerprint = flow.versions[0].fingerprint;
    });
    expect(problemsOf(await loadRuntime(generated).catch((e: unknown) => e))).toContain('flow: 当前版本 v1 不是保留的最高版本 v2（当前版本只能前进）/ current version is not the highest kept version (it may only move forward)');
  });

  it('refuses a kept version removed from the manifest without a record, and reports every problem at once', async () => {
    const generated = await twoVersions();
    await rewriteManifest(generated, (m) => {
      const flow = m.services.find((s) => s.id === 'flow')!;
      flow.versions = [flow.versions[1]];
    });
    await rm(path.join(generated, 'runtime/flow/v1.json'));
    await writeFile(path.join(generated, 'runtime/extra.json'), '{}');
    await appendFile(path.join(generated, 'runtime/calendar.json'), '\n');
    const problems = problemsOf(await loadRuntime(generated).catch((e: unknown) => e));
    expect(problems).toEqual([
      'flow: 版本 v1 既不在保留版本中，也没有删除记录（保留版本被删掉了？）/ neither kept nor recorded as removed (was a kept version dropped?)',
      'extra.json: 清单中没有这个文件（不明文件）/ a file the manifest does not name',
      'calendar.json: sha256 与清单不符（文件被修改）/ sha256 differs from the manifest (file was modified)',
    ]);
  });

  it('checks a manifest on its own, for the PR gate: repeats, gaps, misnamed files, records of removed services', () => {
    const v = (n: number, id = 'a') => ({ version: n, file: `${id}/v${n}.json`, sha256: '0'.repeat(64), fingerprint: String(n).repeat(64) });
    const manifest: RuntimeManifest = {
      format: 'servicehall-runtime/v1',
      hall: { name: 'h', calendar: 'calendar.json', sha256: '0'.repeat(64) },
      services: [{ id: 'a', name: { zh: 'a' }, type: 'online', status: 'online', owner: 'x', current: 3, fingerprint: '3'.repeat(64), versions: [v(1), { ...v(3), file: 'a/v4.json' }] }],
      removed: [{ id: 'a', version: 1, sha256: '0'.repeat(64) }, { id: 'gone', version: 2, sha256: '0'.repeat(64) }],
    };
    expect(manifestProblems(manifest, ['manifest.json', 'calendar.json', 'a/v1.json', 'a/v4.json'])).toEqual([
      'a/v4.json: 文件名与事项或版本号不符，应为 a/v3.json / file name does not match the service and version',
      'a: 版本 v1 重复出现（既保留又删除，或列了两次）/ listed more than once (kept and removed, or twice)',
      'a: 版本 v2 既不在保留版本中，也没有删除记录（保留版本被删掉了？）/ neither kept nor recorded as removed (was a kept version dropped?)',
      'gone: 版本 v1 既不在保留版本中，也没有删除记录（保留版本被删掉了？）/ neither kept nor recorded as removed (was a kept version dropped?)',
    ]);
  });
});

describe('hall diff agrees with the build about renames (issue 11 item 6)', () => {
  it('a renamed service with a form is announced at the version number the build then gives it', async () => {
    const repo = await makeRepo();
    try {
      expect((await repo.hall(['build'])).exitCode).toBe(0);
      await repo.commit('built');
      const before = JSON.parse(await repo.read('generated/runtime/manifest.json')) as RuntimeManifest;
      const current = before.services.find((s) => s.id === 'student-leave')!.current;
      await repo.edit('catalog/xgc/student-leave.yaml', '  zh: 学生请假审批\n', '  zh: 学生请假申请\n');
      const { diff } = await diffJson(repo);
      expect(diff.services.find((s) => s.id === 'student-leave')).toMatchObject({ runtime: { version: { from: current, to: current + 1 } } });
      const built = await repo.hall(['build']);
      expect(String(built.stdout)).toContain(`student-leave v${current + 1}`);
    } finally {
      await repo.dispose();
    }
  });
});
