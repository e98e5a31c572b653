import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import type { Service } from '../../cli/model/catalog.ts';
import { changeOf, diffJson, makeRepo, TODAY } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

const LEAVE = 'catalog/xgc/student-leave.yaml';

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
});
afterEach(() => repo.dispose());

describe('hall diff: what changed', () => {
  it('reports nothing for an unchanged catalog and exits 0', async () => {
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(0);
    expect(diff.services).toEqual([]);
    expect(diff.forbidden).toEqual([]);
    const md = await repo.hall(['diff', '--base', 'main', '--no-build-check']);
    expect(md.exitCode).toBe(0);
    expect(String(md.stdout)).toContain('本 PR 没有修改任何事项。');
  });

  it('reports an added service with its status, and a new runtime definition at v1', async () => {
    const created = await repo.hall(['new', '--id', 'seminar-room', '--name', '研讨室预约', '--type', 'appointment', '--department', 'jsj', '--audiences', 'undergraduate', '--topics', 'teaching', '--today', TODAY]);
    expect(created.exitCode, String(created.stderr)).toBe(0);
    await repo.edit('catalog/jsj/seminar-room.yaml', '\nstatus: draft\n', '\nstatus: pilot\n');
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(0);
    const added = diff.services.find((s) => s.id === 'seminar-room')!;
    expect(added).toMatchObject({ change: 'added', status: { to: 'pilot' }, departments: ['jsj'], runtime: { version: { to: 1, newDefinition: true } } });
  });

  it('describes guide changes users will notice, old → new', async () => {
    await repo.edit(LEAVE, '    - name: 病历或诊断证明', '    - name: 辅导员意见\n      form: electronic\n    - name: 病历或诊断证明');
    await repo.edit(LEAVE, '      copies: 1\n', '      copies: 2\n');
    await repo.edit(LEAVE, '    promised:\n      value: 5', '    promised:\n      value: 3');
    await repo.edit(LEAVE, '  fees:\n    free: true', '  fees:\n    free: false\n    items:\n      - name: 工本费\n        standard: 每份 5 元\n        basis: 湘价费〔2020〕1号');
    await repo.edit(LEAVE, '    - address: 学生活动中心\n      room: 103室', '    - address: 学生活动中心\n      room: 105室');
    await repo.edit(LEAVE, '    complaint:\n      phone: 010-88880012', '    complaint:\n      phone: 010-88880099');
    await repo.edit(LEAVE, 'hot: true', 'hot: false');
    await repo.edit(LEAVE, '  reviewed: 2026-09-01', '  reviewed: 2026-09-01\n  internal:\n    notes: CANARY-内部负责人王五');
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(0);
    expect(changeOf(diff, 'student-leave', 'materials')?.added?.map((x) => x.zh)).toEqual(['辅导员意见（电子版，必需）']);
    expect(changeOf(diff, 'student-leave', 'material', '纸质请假单')).toMatchObject({ from: { zh: '原件，1 份，非必需' }, to: { zh: '原件，2 份，非必需' } });
    expect(changeOf(diff, 'student-leave', 'promisedLimit')).toMatchObject({ from: { zh: '5 个工作日' }, to: { zh: '3 个工作日', en: '3 work days' } });
    expect(changeOf(diff, 'student-leave', 'fees')).toMatchObject({ from: { zh: '免费' }, to: { zh: '工本费：每份 5 元' } });
    // A location that moved reads old → new, not removed + added.
    expect(changeOf(diff, 'student-leave', 'locations')).toEqual({ topic: 'locations', from: { zh: '学生活动中心 103室（工作日 8:30-17:00）', en: '学生活动中心, 103室 (工作日 8:30-17:00)' }, to: { zh: '学生活动中心 105室（工作日 8:30-17:00）', en: '学生活动中心, 105室 (工作日 8:30-17:00)' } });
    expect(changeOf(diff, 'student-leave', 'complaint')).toMatchObject({ from: { zh: '010-88880012' }, to: { zh: '010-88880099' } });
    expect(changeOf(diff, 'student-leave', 'listingOther')?.to?.zh).toBe('热门：是 → 否');
    // Internal-only notes are named, never quoted: the PR comment is no place for them.
    expect(changeOf(diff, 'student-leave', 'guideOther')?.to?.zh).toBe('内部信息');
    expect(JSON.stringify(diff)).not.toContain('CANARY');
    const leave = diff.services.find((s) => s.id === 'student-leave')!;
    expect(leave.runtime).toBeUndefined(); // guide-only: no new runtime version
    expect(leave.departments).toEqual(['xgc', 'jsj']);

    const md = String((await repo.hall(['diff', '--base', 'main', '--no-build-check'])).stdout);
    expect(md.split('\n')[0]).toBe('<!-- servicehall:diff -->');
    expect(md).toContain('| 学生请假审批<br>`student-leave` | `xgc` | 名称与分类、指南 | 已上线 | — |');
    expect(md).toContain('**承诺时限**：5 个工作日 → 3 个工作日');
    expect(md).toContain('**申请材料**：新增 辅导员意见（电子版，必需）');
    expect(md).not.toContain('CANARY');
  });

  it('reports status changes, and retirement through hall retire', async () => {
    await repo.edit('catalog/jsj/lab-booking.yaml', 'status: online', 'status: suspended\nalert:\n  text: 实验室装修，暂停预约。');
    const retired = await repo.hall(['retire', 'exchange-guide', '--reason', '改由国际处统一办理', '--date', TODAY]);
    expect(retired.exitCode, String(retired.stderr)).toBe(0);
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(0);
    expect(diff.services.find((s) => s.id === 'lab-booking')).toMatchObject({ change: 'changed', status: { from: 'online', to: 'suspended' } });
    expect(changeOf(diff, 'lab-booking', 'alert')).toMatchObject({ from: { zh: '无' }, to: { zh: '实验室装修，暂停预约。' } });
    expect(diff.services.find((s) => s.id === 'exchange-guide')).toMatchObject({ status: { from: 'online', to: 'retired' } });
    expect(changeOf(diff, 'exchange-guide', 'retired')?.to?.zh).toBe(`${TODAY} 停办：改由国际处统一办理`);
    const md = String((await repo.hall(['diff', '--base', 'main', '--no-build-check'])).stdout);
    expect(md).toContain('| 交换生项目申请指南<br>`exchange-guide` | `jsj` | 停办 | 已上线 → 已停办 | — |');
    // The IT office reviews every status change: a retirement and a suspension alike.
    expect(diff.departments.find((d) => d.code === 'xxzx')?.reasons).toEqual(['exchange-guide', 'lab-booking']);
    expect(md).toContain('| 实验室预约<br>`lab-booking` | `jsj` | 状态、名称与分类 | 已上线 → 暂停办理 | — |');
  });

  it('says every named case of issue 11.11: a time-limit note, a deleted contingency, a retirement alone', async () => {
    await repo.edit(LEAVE, '    promised:\n      value: 5\n      unit: workday', '    promised:\n      value: 5\n      unit: workday\n      note: 不含寒暑假');
    await repo.edit(LEAVE, '  contingency: 系统无法使用时，到学生活动中心 103室填写纸质请假单。\n', '');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'promisedLimit')).toMatchObject({ from: { zh: '5 个工作日' }, to: { zh: '5 个工作日（不含寒暑假）' } });
    expect(changeOf(diff, 'student-leave', 'contingency')).toEqual({ topic: 'contingency', removed: [{ zh: '系统无法使用时，到学生活动中心 103室填写纸质请假单。', en: '系统无法使用时，到学生活动中心 103室填写纸质请假单。' }] });
    const md = String((await repo.hall(['diff', '--base', 'main', '--no-build-check'])).stdout);
    expect(md).toContain('**线下应急预案**：删除 系统无法使用时，到学生活动中心 103室填写纸质请假单。');
    expect(md).toContain('**承诺时限**：5 个工作日 → 5 个工作日（不含寒暑假）');
  });

  it('describes form and workflow changes with the runtime version they produce', async () => {
    await repo.edit(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]', '      deadline: 2\n      actions: [approve, reject, return]');
    await repo.edit(LEAVE, 'if: days > 3', 'if: days > 5');
    await repo.edit(LEAVE, '          max: 60\n', '          max: 30\n        - id: reason\n          label: 请假事由\n          type: textarea\n          required: true\n');
    const withoutManifest = await diffJson(repo);
    expect(withoutManifest.diff.services[0].runtime?.version).toEqual({ to: 1, fromManifest: false, newDefinition: false });

    // The base's manifest says v2 is current: a behaviour change gives v3.
    await repo.git('stash', '-u');
    const base = parse(await repo.read(LEAVE)) as Service;
    await repo.write('generated/runtime/manifest.json', JSON.stringify({ format: 'servicehall-runtime/v1', services: [{ id: 'student-leave', status: 'online', current: 2, fingerprint: runtimeFingerprint(base), versions: [] }] }));
    await repo.commit('manifest at v2');
    await repo.git('stash', 'pop');
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(0);
    const leave = diff.services.find((s) => s.id === 'student-leave')!;
    expect(leave.runtime?.version).toEqual({ from: 2, to: 3, fromManifest: true, newDefinition: false });
    expect(changeOf(diff, 'student-leave', 'step', 'counselor-review')).toMatchObject({ from: { zh: '时限 1 个工作日' }, to: { zh: '时限 2 个工作日' } });
    expect(changeOf(diff, 'student-leave', 'branch', 'long-leave')).toMatchObject({ from: { zh: 'days > 3' }, to: { zh: 'days > 5' } });
    expect(changeOf(diff, 'student-leave', 'fields')?.added?.[0].zh).toBe('reason「请假事由」');
    expect(changeOf(diff, 'student-leave', 'field', 'days')?.to?.zh).toBe('最大值：60 → 30');
    // The IT office reviews every runtime change.
    expect(diff.departments.map((d) => d.code)).toEqual(['jsj', 'xgc', 'xxzx']);
    const md = String((await repo.hall(['diff', '--base', 'main', '--no-build-check'])).stdout);
    expect(md).toContain('| 学生请假审批<br>`student-leave` | `xgc` | 表单与流程 | 已上线 | v2 → v3 |');
    expect(md).toContain('**环节 counselor-review「辅导员审核」**：时限 1 个工作日 → 时限 2 个工作日');
  });

  it('reports department, role-group and toolchain changes with the reviewers they need', async () => {
    await repo.edit('catalog/jsj/department.yaml', '    github: zhang-wei', '    github: zhang-wei\n  - name: 刘洋\n    github: liu-yang');
    await repo.edit('catalog/roles.yaml', '  - id: counselor\n    name: 辅导员\n    maintainer: xgc', '  - id: counselor\n    name: 辅导员\n    maintainer: jsj');
    await repo.write('cli/extra.ts', 'export {};\n');
    const { diff } = await diffJson(repo);
    expect(diff.other.find((o) => o.file === 'catalog/jsj/department.yaml')?.changes[0]).toMatchObject({ topic: 'admins', to: { zh: '张伟（zhang-wei）、刘洋（liu-yang）' } });
    expect(diff.other.find((o) => o.file === 'catalog/roles.yaml')).toMatchObject({ departments: ['jsj', 'xgc'] });
    expect(diff.toolchain).toEqual(['cli/extra.ts']);
    expect(diff.departments).toEqual([
      { code: 'jsj', name: { zh: '计算机学院', en: '计算机学院' }, admins: ['zhang-wei', 'liu-yang'], reasons: ['catalog/jsj/department.yaml', 'catalog/roles.yaml'] },
      { code: 'xgc', name: { zh: '学生工作处', en: 'Student Affairs Office' }, admins: ['li-ming'], reasons: ['catalog/roles.yaml'] },
      { code: 'xxzx', name: { zh: '信息化办公室', en: 'IT Office' }, admins: ['zhou-min', 'wu-qiang'], reasons: ['cli/extra.ts'] },
    ]);
  });

  it('asks the department whose folder holds a new service, not only the owner the file declares', async () => {
    const guide = await repo.read('catalog/jsj/exchange-guide.yaml');
    // A jsj admin adds services in xgc's folder (one directly, one in a subfolder): xgc's admins own those folders.
    await repo.write('catalog/xgc/jsj-notice.yaml', guide.replace('id: exchange-guide', 'id: jsj-notice'));
    await repo.write('catalog/xgc/more/jsj-extra.yaml', guide.replace('id: exchange-guide', 'id: jsj-extra'));
    const { diff } = await diffJson(repo);
    expect(diff.services.find((s) => s.id === 'jsj-notice')?.departments.sort()).toEqual(['jsj', 'xgc']);
    expect(diff.services.find((s) => s.id === 'jsj-extra')?.departments.sort()).toEqual(['jsj', 'xgc']);
    expect(diff.departments.find((d) => d.code === 'xgc')?.reasons).toEqual(['jsj-extra', 'jsj-notice']);
    expect(diff.departments.find((d) => d.code === 'jsj')?.reasons).toEqual(['jsj-extra', 'jsj-notice']);
  });

  it('writes English with --lang en', async () => {
    await repo.edit(LEAVE, '    promised:\n      value: 5', '    promised:\n      value: 3');
    const md = String((await repo.hall(['diff', '--base', 'main', '--no-build-check', '--lang', 'en'])).stdout);
    expect(md).toContain('### 📋 Catalog changes');
    expect(md).toContain('| Student leave request<br>`student-leave` | `xgc` | guide | online | — |');
    expect(md).toContain('**Promised time limit**: 5 work days → 3 work days');
  });
});

describe('hall diff: what is not allowed (exit 1)', () => {
  it('forbids deleting a published service file, and allows deleting a draft', async () => {
    await repo.remove('catalog/xgc/paper-leave.yaml'); // retired: still published, its URL stays
    await repo.remove('catalog/xxzx/vpn-guide.yaml'); // a draft: never published
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(1);
    expect(diff.forbidden.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual(['pr/published-deleted catalog/xgc/paper-leave.yaml:1']);
    expect(diff.forbidden[0].message).toContain('已发布的事项“纸质请假登记”（paper-leave，状态：已停办）');
    expect(diff.services.map((s) => `${s.id} ${s.change}`)).toEqual(['paper-leave removed', 'vpn-guide removed']);
    const md = await repo.hall(['diff', '--base', 'main', '--no-build-check']);
    expect(md.exitCode).toBe(1);
    expect(String(md.stdout)).toContain('#### 🚫 不允许的变更（合并前必须改正）');
    expect(String(md.stdout)).toContain('npx hall retire paper-leave');
  });

  it('forbids changing a published service id, in place or with a renamed file', async () => {
    await repo.edit('catalog/jsj/lab-booking.yaml', 'id: lab-booking', 'id: lab-reservation');
    await repo.git('mv', 'catalog/jsj/teaching-platform.yaml', 'catalog/jsj/online-teaching.yaml');
    await repo.edit('catalog/jsj/online-teaching.yaml', 'id: teaching-platform', 'id: online-teaching');
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(1);
    expect(diff.forbidden.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual([
      'pr/id-changed catalog/jsj/lab-booking.yaml:3',
      'pr/id-changed catalog/jsj/online-teaching.yaml:3',
    ]);
    expect(diff.services.find((s) => s.id === 'lab-reservation')).toMatchObject({ previousId: 'lab-booking', change: 'changed' });
  });

  it('allows changing the id of a draft', async () => {
    await repo.edit('catalog/xxzx/vpn-guide.yaml', 'id: vpn-guide', 'id: vpn');
    await repo.git('mv', 'catalog/xxzx/vpn-guide.yaml', 'catalog/xxzx/vpn.yaml');
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(0);
    expect(diff.services).toMatchObject([{ id: 'vpn', previousId: 'vpn-guide' }]);
  });

  it('forbids making an online service confidential', async () => {
    await repo.edit('catalog/jsj/exchange-guide.yaml', 'classification: public', 'classification: confidential');
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(1);
    expect(diff.forbidden.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual(['pr/confidential-while-online catalog/jsj/exchange-guide.yaml:7']);
  });

  it('forbids a stale generated/ when hall build exists', async () => {
    const run = await repo.hall(['diff', '--base', 'main', '--format', 'json', '--today', TODAY]);
    const diff = JSON.parse(String(run.stdout)) as { generated: { status: string; files?: string[] }; forbidden: { code: string }[] };
    expect(diff.generated.status).toBe('stale');
    {
      // The fixture repository has no generated/ at all, so every file is missing.
      expect(run.exitCode).toBe(1);
      expect(diff.forbidden.map((d) => d.code)).toEqual(['pr/generated-stale']);
      expect(diff.generated.files).toContain('generated/runtime/manifest.json');
      const built = await repo.hall(['build', '--today', TODAY]);
      expect(built.exitCode, String(built.stderr)).toBe(0);
      const fresh = await repo.hall(['diff', '--base', 'main', '--format', 'json', '--today', TODAY]);
      expect(JSON.parse(String(fresh.stdout)).generated.status).toBe('fresh');
      expect(fresh.exitCode).toBe(0);
    }
  });
});

describe('hall diff: kept runtime versions are append-only (exit 1)', () => {
  const codes = (diff: { forbidden: { code: string; file: string; line: number }[] }) => diff.forbidden.map((d) => `${d.code} ${d.file}`);

  it('forbids editing a kept version file even with its sha256 fixed, removing one, or changing its manifest entry', async () => {
    expect((await repo.hall(['build', '--today', TODAY])).exitCode).toBe(0);
    await repo.commit('built');
    const manifestFile = 'generated/runtime/manifest.json';
    const v1 = 'generated/runtime/student-leave/v1.json';

    // 1. The exploit of issue 12.6: edit v1.json, put its new sha256 into the manifest.
    const edited = (await repo.read(v1)).replace('"deadline": 1', '"deadline": 9');
    expect(edited).not.toBe(await repo.read(v1));
    await repo.write(v1, edited);
    const manifest = JSON.parse(await repo.read(manifestFile)) as { services: { id: string; versions: { file: string; sha256: string }[] }[] };
    const entry = manifest.services.find((s) => s.id === 'student-leave')!.versions[0];
    entry.sha256 = createHash('sha256').update(edited).digest('hex');
    await repo.write(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
    let run = await diffJson(repo);
    expect(run.exitCode).toBe(1);
    expect(codes(run.diff).sort()).toEqual([`pr/kept-version-changed ${manifestFile}`, `pr/kept-version-changed ${v1}`].sort());
    const md = await repo.hall(['diff', '--base', 'main', '--no-build-check']);
    expect(md.exitCode).toBe(1);
    expect(String(md.stdout)).not.toContain('本 PR 没有修改任何事项');
    expect(String(md.stdout)).toContain('已发布的运行版本不能修改，本 PR 改动了 generated/runtime/student-leave/v1.json。');
    await repo.git('checkout', '--', 'generated');

    // 2. A BPMN form of a kept version deleted, and a version dropped from the manifest.
    const forms = (await repo.git('ls-files', 'generated/bpmn/student-leave')).split('\n').filter((f) => f.endsWith('.form'));
    expect(forms.length).toBeGreaterThan(0);
    await repo.remove(forms[0]);
    const dropped = JSON.parse(await repo.read(manifestFile)) as { services: { id: string; versions: unknown[] }[] };
    dropped.services.find((s) => s.id === 'student-leave')!.versions = [];
    await repo.write(manifestFile, JSON.stringify(dropped, null, 2) + '\n');
    run = await diffJson(repo);
    expect(run.exitCode).toBe(1);
    expect(codes(run.diff).sort()).toEqual([`pr/kept-version-removed ${forms[0]}`, `pr/kept-version-removed ${manifestFile}`].sort());
    await repo.git('checkout', '--', 'generated');

    // 3. A behaviour change builds v2 beside v1: allowed.
    await repo.edit(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]', '      deadline: 2\n      actions: [approve, reject, return]');
    expect((await repo.hall(['build', '--today', TODAY])).exitCode).toBe(0);
    run = await diffJson(repo);
    expect(codes(run.diff)).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.diff.services.find((s) => s.id === 'student-leave')?.runtime?.version).toMatchObject({ from: 1, to: 2 });
  }, 240_000);

  it('forbids a status change that would drop kept versions, names the IT office, and forbids published → draft', async () => {
    expect((await repo.hall(['build', '--today', TODAY])).exitCode).toBe(0);
    await repo.commit('built');
    await repo.edit(LEAVE, 'status: online', 'status: draft');
    await repo.edit('catalog/jsj/exchange-guide.yaml', 'status: online', 'status: draft');
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(1);
    expect(diff.forbidden.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual([
      'pr/published-to-draft catalog/jsj/exchange-guide.yaml:6',
      'pr/kept-versions-dropped catalog/xgc/student-leave.yaml:9',
    ]);
    expect(diff.forbidden[1].message).toContain('保留着到 v1 的版本');
    expect(diff.departments.find((d) => d.code === 'xxzx')?.reasons).toEqual(['exchange-guide', 'student-leave']);
  }, 120_000);
});

describe('hall diff: usage', () => {
  it('exits 2 with a plain message for an unknown base or outside git', async () => {
    const unknown = await repo.hall(['diff', '--base', 'no-such-branch', '--no-build-check']);
    expect(unknown.exitCode).toBe(2);
    expect(String(unknown.stderr)).toContain('找不到基准“no-such-branch”');
    const dash = await repo.hall(['diff', '--base=--output=x', '--no-build-check']);
    expect(dash.exitCode).toBe(2);
    await rm(path.join(repo.root, '.git'), { recursive: true, force: true });
    const outside = await repo.hall(['diff', '--base', 'main', '--no-build-check']);
    expect(outside.exitCode).toBe(2);
    expect(String(outside.stderr)).toContain('不在 git 仓库中');
  });
});
