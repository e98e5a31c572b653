import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOf, diffJson, makeRepo } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

/** `hall diff` says a return to a chosen step (issue 15.5) in words a reviewer reads. */
const LEAVE = 'catalog/xgc/student-leave.yaml';

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
});
afterEach(() => repo.dispose());

describe('hall diff: return to a chosen step', () => {
  it('says which earlier steps a step may return to, in Chinese and English', async () => {
    await repo.edit(LEAVE, '              deadline: 1\n              actions: [approve, reject]\n', '              deadline: 1\n              actions: [approve, reject, return]\n              returnTo: [counselor-review]\n');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'step', 'xgc-review')).toMatchObject({ from: { zh: '操作 approve/reject，不退回到其他环节', en: 'actions approve/reject, returns to no other step' }, to: { zh: '操作 approve/reject/return，可退回到环节 counselor-review（或申请人）', en: 'actions approve/reject/return, may return to step counselor-review (or the applicant)' } });
  });

  it('says a return to an earlier member of a 依次审批 as resuming the sequence there', async () => {
    await repo.edit(LEAVE, '          parallel: all\n', '          parallel: sequence\n');
    await repo.commit('the countersign in turn');
    await repo.edit(LEAVE, '              deadline: 1\n              actions: [approve, reject]\n', '              deadline: 1\n              actions: [approve, reject, return]\n              returnTo: [counselor-review, college-review]\n');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'step', 'xgc-review')).toMatchObject({
      to: {
        zh: '操作 approve/reject/return，可退回到环节 counselor-review、college-review（依次审批中前面的一位，从这一位起依次重新审批）（或申请人）',
        en: 'actions approve/reject/return, may return to step counselor-review, college-review (an earlier member of the sequence, which resumes there) (or the applicant)',
      },
    });
  });
});
