import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRepo, TODAY } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
});
afterEach(() => repo.dispose());

const EXPECTED_RULES = [
  '* @zhou-min @wu-qiang',
  '/schemas/ @zhou-min @wu-qiang',
  '/cli/ @zhou-min @wu-qiang',
  '/site/ @zhou-min @wu-qiang',
  '/.github/ @zhou-min @wu-qiang',
  '/generated/ @zhou-min @wu-qiang',
  '/catalog/hall.yaml @zhou-min @wu-qiang',
  // Role groups: the departments maintaining them (counselor … by xgc, office-staff by jsj).
  '/catalog/roles.yaml @li-ming @zhang-wei',
  '/catalog/jsj/ @zhang-wei',
  '/catalog/xgc/ @li-ming',
  '/catalog/xxzx/ @zhou-min @wu-qiang',
  // A cross-department service: its owner and every participant.
  '/catalog/xgc/student-leave.yaml @li-ming @zhang-wei',
];

const rulesOf = (text: string) => text.split('\n').filter((line) => line && !line.startsWith('#'));

describe('hall codeowners', () => {
  it('writes .github/CODEOWNERS from the departments, groups and cross-department services', async () => {
    const run = await repo.hall(['codeowners', '--today', TODAY]);
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(String(run.stdout)).toContain('已写入 .github/CODEOWNERS（12 条规则）');
    const text = await repo.read('.github/CODEOWNERS');
    expect(rulesOf(text)).toEqual(EXPECTED_RULES);
    expect(text.startsWith('# 本文件由 `hall codeowners` 根据各部门 department.yaml 中的管理员生成')).toBe(true);
    // Deterministic: the same catalog gives the same bytes.
    expect(String((await repo.hall(['codeowners', '--stdout', '--today', TODAY])).stdout)).toBe(text.trimEnd());
  });

  it('routes a service filed in another department\'s subfolder to the folder\'s department and the declared owner', async () => {
    const guide = await repo.read('catalog/jsj/exchange-guide.yaml');
    await repo.write('catalog/xgc/more/jsj-extra.yaml', guide.replace('id: exchange-guide', 'id: jsj-extra'));
    await repo.write('catalog/xgc/more/files/booking-sample.pdf', await repo.read('catalog/jsj/files/booking-sample.pdf'));
    const run = await repo.hall(['codeowners', '--today', TODAY]);
    expect(run.exitCode, String(run.stdout) + String(run.stderr)).toBe(0);
    expect(rulesOf(await repo.read('.github/CODEOWNERS'))).toContain('/catalog/xgc/more/jsj-extra.yaml @zhang-wei @li-ming');
  });

  it('refuses to write from a catalog with errors', async () => {
    await repo.edit('catalog/jsj/department.yaml', 'github: zhang-wei', 'github: "zhang wei"');
    const run = await repo.hall(['codeowners', '--today', TODAY]);
    expect(run.exitCode).toBe(1);
    expect(String(run.stderr)).toContain('请先改正上面的错误');
  });
});

describe('hall check: stale CODEOWNERS', () => {
  it('says nothing when the repository has no CODEOWNERS', async () => {
    expect((await repo.hall(['check', '--today', TODAY])).exitCode).toBe(0);
  });

  // Line 19 is roles.yaml's rule (jsj maintains a group), the first rule that names jsj's admins.
  it.each([
    { name: 'an admin added to a department', file: 'catalog/jsj/department.yaml', find: '    github: zhang-wei', replace: '    github: zhang-wei\n  - name: 刘洋\n    github: liu-yang', line: 19 },
    { name: 'a participant added to a service', file: 'catalog/jsj/lab-booking.yaml', find: 'owner: jsj', replace: 'owner: jsj\nparticipants: [xgc]', line: 27 },
    { name: 'a group maintained by another department', file: 'catalog/roles.yaml', find: '    maintainer: jsj', replace: '    maintainer: xxzx', line: 19 },
  ])('reports it after $name, at the first differing line', async ({ file, find, replace, line }) => {
    expect((await repo.hall(['codeowners', '--today', TODAY])).exitCode).toBe(0);
    expect((await repo.hall(['check', '--today', TODAY])).exitCode).toBe(0);
    await repo.edit(file, find, replace);
    const check = await repo.hall(['check', '--today', TODAY, '--format', 'json']);
    expect(check.exitCode).toBe(1);
    const found = (JSON.parse(String(check.stdout)) as { diagnostics: { code: string; file: string; line: number }[] }).diagnostics;
    expect(found.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual([`codeowners/stale .github/CODEOWNERS:${line}`]);
    expect((await repo.hall(['codeowners', '--check', '--today', TODAY])).exitCode).toBe(1);
    expect((await repo.hall(['codeowners', '--today', TODAY])).exitCode).toBe(0);
    expect((await repo.hall(['check', '--today', TODAY])).exitCode).toBe(0);
    expect((await repo.hall(['codeowners', '--check', '--today', TODAY])).exitCode).toBe(0);
  });

  it('reports a hand edit', async () => {
    await repo.hall(['codeowners', '--today', TODAY]);
    await repo.edit('.github/CODEOWNERS', '/catalog/jsj/ @zhang-wei', '/catalog/jsj/ @someone-else');
    const check = await repo.hall(['check', '--today', TODAY]);
    expect(check.exitCode).toBe(1);
    expect(String(check.stdout)).toContain('.github/CODEOWNERS 与部门管理员不一致');
    expect(String(check.stdout)).toContain('运行 npx hall codeowners 重新生成并提交');
  });
});
