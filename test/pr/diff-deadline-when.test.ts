import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOf, diffJson, makeRepo } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

/** Issue 15.7: hall diff says a form-dependent deadline in both languages, rule by rule, and a deadline in hours as hours. */
const LEAVE = 'catalog/xgc/student-leave.yaml';

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
});
afterEach(() => repo.dispose());

describe('hall diff: form-dependent deadlines', () => {
  it('names each rule with its condition and deadline', async () => {
    await repo.edit(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 1\n      deadlineWhen:\n        - if: days <= 1\n          deadline: 0\n      actions: [approve, reject, return]\n      notify:');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'step', 'counselor-review')).toMatchObject({
      from: { zh: '时限不随表单变化', en: 'deadline does not depend on the form' },
      to: { zh: '随表单的时限：days <= 1 时 0 个工作日', en: 'form-dependent deadline: 0 work days if days <= 1' },
    });
  });
});

describe('hall diff: deadlines in hours', () => {
  it('says 时限 1 个工作日 → 时限 2 小时, in both languages, on the PR comment too', async () => {
    await repo.edit(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 2h\n      actions: [approve, reject, return]\n      notify:');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'step', 'counselor-review')).toMatchObject({
      from: { zh: '时限 1 个工作日', en: 'deadline 1 work day' },
      to: { zh: '时限 2 小时', en: 'deadline 2 hours' },
    });
    const md = String((await repo.hall(['diff', '--base', 'main', '--no-build-check'])).stdout);
    expect(md).toContain('**环节 counselor-review「辅导员审核」**：时限 1 个工作日 → 时限 2 小时');
  });

  it('names an hours rule with its condition, and 2小时 written the other way is no change of deadline', async () => {
    await repo.edit(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 1\n      deadlineWhen:\n        - if: days <= 1\n          deadline: 4小时\n      actions: [approve, reject, return]\n      notify:');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'step', 'counselor-review')).toMatchObject({
      to: { zh: '随表单的时限：days <= 1 时 4 小时', en: 'form-dependent deadline: 4 hours if days <= 1' },
    });    await repo.commit('an hours rule');
    await repo.edit(LEAVE, '          deadline: 4小时\n', '          deadline: 4h\n');
    const respelt = await diffJson(repo);
    expect(changeOf(respelt.diff, 'student-leave', 'step', 'counselor-review')).toBeUndefined();
  });
});
