import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOf, diffJson, makeRepo } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

/** Issue 15.1: hall diff says an applicant step's deadline and where it counts from in words, both languages. */
const LEAVE = 'catalog/xgc/student-leave.yaml';
const ADD = ['  notifications:\n    approved', '    - id: cancel-leave\n      name: 销假\n      by: applicant\n      deadline: 1\n  notifications:\n    approved'] as const;

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
});
afterEach(() => repo.dispose());

describe('hall diff: applicant steps', () => {
  it('an applicant step added is named among the steps', async () => {
    await repo.edit(LEAVE, ...ADD);
    const { diff } = await diffJson(repo);
    expect(JSON.stringify(diff)).toContain('销假');
  });

  it('a changed deadline and dueAfter are said in words', async () => {
    await repo.edit(LEAVE, ...ADD);
    await repo.commit('add 销假');
    await repo.edit(LEAVE, '      by: applicant\n      deadline: 1\n', '      by: applicant\n      deadline: 2\n      dueAfter: days\n');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'step', 'cancel-leave')).toMatchObject({
      from: { zh: '申请人 1 个工作日内完成，期限从环节开始起算', en: "the applicant completes it within 1 work day, counted from the step's start" },
      to: { zh: '申请人 2 个工作日内完成，期限从“days”之后起算', en: 'the applicant completes it within 2 work days, counted from after days' },
    });
  });
});
