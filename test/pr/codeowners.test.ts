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
  '/lib/ @zhou-min @wu-qiang',
  '/cli/ @zhou-min @wu-qiang',
  '/server/ @zhou-min @wu-qiang',
  '/site/ @zhou-min @wu-qiang',
  '/.github/ @zhou-min @wu-qiang',
  '/.ci/ @zhou-min @wu-qiang',
  '/test/ @zhou-min @wu-qiang',
  '/bench/ @zhou-min @wu-qiang',
  '/package.json @zhou-min @wu-qiang',
  '/package-lock.json @zhou-min @wu-qiang',
  '/.nvmrc @zhou-min @wu-qiang',
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
    expect(String(run.stdout)).toContain('已写入 .github/CODEOWNERS（20 条规则）');
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
  const found = async () => {
    const check = await repo.hall(['check', '--today', TODAY, '--format', 'json']);
    return { exitCode: check.exitCode, diagnostics: (JSON.parse(String(check.stdout)) as { diagnostics: { code: string; file: string; line: number; message: string }[] }).diagnostics };
  };

  it('is clean with the generated CODEOWNERS in place', async () => {
    expect((await repo.hall(['check', '--today', TODAY])).exitCode).toBe(0);
  });

  it('reports a deleted CODEOWNERS as missing', async () => {
    await repo.remove('.github/CODEOWNERS');
    const { exitCode, diagnostics } = await found();
    expect(exitCode).toBe(1);
    expect(diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual(['codeowners/missing .github/CODEOWNERS:1']);
    expect(diagnostics[0].message).toContain('仓库中没有 .github/CODEOWNERS');
  });

  it.each(['CODEOWNERS', 'docs/CODEOWNERS'])('reports CODEOWNERS moved to %s as misplaced', async (place) => {
    await repo.write(place, await repo.read('.github/CODEOWNERS'));
    await repo.remove('.github/CODEOWNERS');
    const { exitCode, diagnostics } = await found();
    expect(exitCode).toBe(1);
    expect(diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual([`codeowners/misplaced ${place}:1`]);
    expect(diagnostics[0].message).toContain(`评审分派文件在 ${place}`);
  });

  // Line 27 is roles.yaml's rule (jsj maintains a group), the first rule that names jsj's admins.
  it.each([
    { name: 'an admin added to a department', file: 'catalog/jsj/department.yaml', find: '    github: zhang-wei', replace: '    github: zhang-wei\n  - name: 刘洋\n    github: liu-yang', line: 27, said: '第 27 行应为「/catalog/roles.yaml @li-ming @zhang-wei @liu-yang」，现为「/catalog/roles.yaml @li-ming @zhang-wei」' },
    { name: 'a participant added to a service', file: 'catalog/jsj/lab-booking.yaml', find: 'owner: jsj', replace: 'owner: jsj\nparticipants: [xgc]', line: 35, said: '第 35 行前缺少「/catalog/jsj/lab-booking.yaml @zhang-wei @li-ming」' },
    { name: 'a group maintained by another department', file: 'catalog/roles.yaml', find: '    maintainer: jsj', replace: '    maintainer: xxzx', line: 27, said: '第 27 行应为「/catalog/roles.yaml @li-ming @zhou-min @wu-qiang」' },
  ])('reports it after $name, at the first differing line, saying which lines differ', async ({ file, find, replace, line, said }) => {
    expect((await repo.hall(['codeowners', '--today', TODAY])).exitCode).toBe(0);
    expect((await repo.hall(['check', '--today', TODAY])).exitCode).toBe(0);
    await repo.edit(file, find, replace);
    const check = await repo.hall(['check', '--today', TODAY, '--format', 'json']);
    expect(check.exitCode).toBe(1);
    const found = (JSON.parse(String(check.stdout)) as { diagnostics: { code: string; file: string; line: number; message: string }[] }).diagnostics;
    expect(found.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual([`codeowners/stale .github/CODEOWNERS:${line}`]);
    expect(found[0].message).toContain(said);
    expect((await repo.hall(['codeowners', '--check', '--today', TODAY])).exitCode).toBe(1);
    expect((await repo.hall(['codeowners', '--today', TODAY])).exitCode).toBe(0);
    expect((await repo.hall(['check', '--today', TODAY])).exitCode).toBe(0);
    expect((await repo.hall(['codeowners', '--check', '--today', TODAY])).exitCode).toBe(0);
  }, 180_000);

  it('reports a hand edit', async () => {
    await repo.hall(['codeowners', '--today', TODAY]);
    await repo.edit('.github/CODEOWNERS', '/catalog/jsj/ @zhang-wei', '/catalog/jsj/ @someone-else');
    const check = await repo.hall(['check', '--today', TODAY]);
    expect(check.exitCode).toBe(1);
    expect(String(check.stdout)).toContain('.github/CODEOWNERS 与部门管理员不一致：第 30 行应为「/catalog/jsj/ @zhang-wei」，现为「/catalog/jsj/ @someone-else」。');
    expect(String(check.stdout)).toContain('运行 npx hall codeowners 重新生成并提交');
  });
});
