import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOf, diffJson, makeRepo } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

/** Issue 15.2: hall diff says a publicity period's length and what an objection leads to in words, both languages. */
const LEAVE = 'catalog/xgc/student-leave.yaml';
const ADD = ['  notifications:\n    approved', '    - id: publicity\n      name: 学院公示\n      publicity: { days: 5 }\n      objections:\n        - { id: recheck, name: 复核异议, group: office-staff, scope: department, department: xgc, deadline: 3, actions: [approve, reject] }\n  notifications:\n    approved'] as const;

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
});
afterEach(() => repo.dispose());

describe('hall diff: publicity periods', () => {
  it('a period added is named among the steps', async () => {
    await repo.edit(LEAVE, ...ADD);
    const { diff } = await diffJson(repo);
    expect(JSON.stringify(diff)).toContain('学院公示');
  });

  it('a longer period is said in words, with the review an objection leads to', async () => {
    await repo.edit(LEAVE, ...ADD);
    await repo.commit('add 公示');
    await repo.edit(LEAVE, 'publicity: { days: 5 }', 'publicity: { days: 7 }');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'step', 'publicity')).toMatchObject({
      from: { zh: '公示 5 个工作日；有异议时，公示期满后由“复核异议”复核', en: 'published for 5 work days; objections are reviewed after the period by 复核异议' },
      to: { zh: '公示 7 个工作日；有异议时，公示期满后由“复核异议”复核', en: 'published for 7 work days; objections are reviewed after the period by 复核异议' },
    });
  });

  it('a review step changed inside the objections is reported as that step', async () => {
    await repo.edit(LEAVE, ...ADD);
    await repo.commit('add 公示');
    await repo.edit(LEAVE, 'department: xgc, deadline: 3, actions: [approve, reject] }', 'department: xgc, deadline: 2, actions: [approve, reject] }');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'step', 'recheck')).toMatchObject({ from: { zh: '时限 3 个工作日' }, to: { zh: '时限 2 个工作日' } });
  });
});
