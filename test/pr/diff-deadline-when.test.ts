import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOf, diffJson, makeRepo } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

/** Issue 15.7: hall diff says a form-dependent deadline in both languages, rule by rule. */
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
