import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOf, diffJson, makeRepo } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

/** `hall diff` says the countersign variants (issue 15.4) in words a reviewer reads: n of m, a member's condition. */
const LEAVE = 'catalog/xgc/student-leave.yaml';

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
});
afterEach(() => repo.dispose());

describe('hall diff: countersign variants', () => {
  it('says n of m and a member condition, in Chinese and English', async () => {
    await repo.edit(LEAVE, '          parallel: all\n', '          parallel: all\n          atLeast: 1\n');
    await repo.edit(LEAVE, '              department: xgc\n', '              department: xgc\n              when: days > 5\n');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'parallel')).toMatchObject({ from: { zh: '全部同意', en: 'all must approve' }, to: { zh: '2 人中 1 人同意即通过', en: '1 of 2 must approve' } });
    expect(changeOf(diff, 'student-leave', 'step', 'xgc-review')).toMatchObject({ from: { zh: '总是参加会签' }, to: { zh: '满足“days > 5”时参加会签', en: 'takes part in the countersign when days > 5' } });
    expect(diff.services.find((s) => s.id === 'student-leave')!.runtime).toBeDefined();
    const md = String((await repo.hall(['diff', '--base', 'main', '--no-build-check'])).stdout);
    expect(md).toContain('全部同意 → 2 人中 1 人同意即通过');
    const en = String((await repo.hall(['diff', '--base', 'main', '--no-build-check', '--lang', 'en'])).stdout);
    expect(en).toContain('all must approve → 1 of 2 must approve');
  });

  it('says a switch to 依次审批 with its order, and a reordering of its members', async () => {
    await repo.edit(LEAVE, '          parallel: all\n', '          parallel: sequence\n');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'parallel')).toMatchObject({ from: { zh: '全部同意', en: 'all must approve' }, to: { zh: '依次审批：学院审批 → 学工处审批', en: 'in turn: 学院审批 → 学工处审批' } });
    const md = String((await repo.hall(['diff', '--base', 'main', '--no-build-check'])).stdout);
    expect(md).toContain('全部同意 → 依次审批：学院审批 → 学工处审批');
    await repo.commit('in turn');
    // The 学工处 member first: the same members, another order, said as the new order.
    const text = await repo.read(LEAVE);
    const college = text.slice(text.indexOf('            - id: college-review\n'), text.indexOf('            - id: xgc-review\n'));
    await repo.write(LEAVE, text.replace(college, '').replace(/( {12}- id: xgc-review\n(?: {14}.*\n)+)/, `$1${college}`));
    const reordered = await diffJson(repo);
    expect(changeOf(reordered.diff, 'student-leave', 'parallel')).toMatchObject({ from: { zh: '依次审批：学院审批 → 学工处审批' }, to: { zh: '依次审批：学工处审批 → 学院审批' } });
    expect(reordered.diff.services.find((s) => s.id === 'student-leave')!.runtime).toBeDefined();
  });

  it('says a fallback scope (routing)', async () => {
    await repo.edit(LEAVE, '      scope: applicant.class\n', '      scope: applicant.class\n      fallback: applicant.college\n');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'step', 'counselor-review')).toMatchObject({ from: { zh: '没有备用范围' }, to: { zh: '备用范围 applicant.college', en: 'fallback scope applicant.college' } });
  });
});
