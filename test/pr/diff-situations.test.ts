import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOf, diffJson, makeRepo } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

/** Issue 15 item 10: `hall diff` names each situation and says what it states differently, old → new. */
const LEAVE = 'catalog/xgc/student-leave.yaml';

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
  // Sick leave needs the doctor's note; leave for personal reasons needs a visit to explain.
  await repo.edit(LEAVE, '  onlineDepth:\n    grade: 4\n', '  onlineDepth:\n    grade: 3\n');
  await repo.edit(LEAVE, '  visits:\n    count: 0\n', '  visits:\n    count: 0\n  situations:\n    - id: sick\n      name: 病假\n    - id: personal\n      name: { zh: 事假, en: Personal leave }\n      visits:\n        count: 1\n        reason: 当面说明事由。\n');
  await repo.edit(LEAVE, '      form: electronic\n      source: applicant\n', '      form: electronic\n      source: applicant\n      situations: [sick]\n');
  await repo.commit('Leave by situation');
});
afterEach(() => repo.dispose());

describe('hall diff on guide situations', () => {
  it('says a situation\'s changed visits and time limit, an added situation, and a material\'s changed situations', async () => {
    await repo.edit(LEAVE, '        count: 1\n        reason: 当面说明事由。\n', '        count: 1\n        reason: 当面说明事由。\n      timeLimit:\n        type: promised\n        promised: { value: 2, unit: workday }\n');
    await repo.edit(LEAVE, '      situations: [sick]\n', '      situations: [sick, funeral]\n');
    await repo.edit(LEAVE, '    - id: personal\n', '    - id: funeral\n      name: 丧假\n      description: 直系亲属丧事。\n    - id: personal\n');
    const { exitCode, diff } = await diffJson(repo);
    expect(exitCode).toBe(0);
    expect(changeOf(diff, 'student-leave', 'situation', '事假')).toMatchObject({
      from: { zh: '到现场 1 次（当面说明事由。）' },
      to: { zh: '到现场 1 次（当面说明事由。），承诺时限 2 个工作日', en: 'visits 1 (当面说明事由。), promised 2 work days' },
    });
    expect(changeOf(diff, 'student-leave', 'situations')?.added?.map((x) => x.zh)).toEqual(['funeral「丧假」（到现场次数和时限与指南相同，说明：直系亲属丧事。）']);
    expect(changeOf(diff, 'student-leave', 'material', '病历')).toMatchObject({ from: { zh: '电子版，非必需，仅限情形 sick' }, to: { zh: '电子版，非必需，仅限情形 sick、funeral' } });
    // Said by the situation lines, not again as raw "other guide content".
    expect(changeOf(diff, 'student-leave', 'guideOther')).toBeUndefined();
  });

  it('says a situation that starts stating its own visits', async () => {
    await repo.edit(LEAVE, '      situations: [sick]\n', '');
    await repo.edit(LEAVE, '    - id: sick\n      name: 病假\n', '    - id: sick\n      name: 病假\n      visits: { count: 0 }\n');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'situation', '病假')).toMatchObject({ from: { zh: '到现场次数和时限与指南相同' }, to: { zh: '到现场 0 次' } });
  });
});

/** Issue 15 item 9: a fee the hall computes from the form reads in words, old → new. */
describe('hall diff on computed fees', () => {
  it('says how a fee is computed and what changed in it', async () => {
    await repo.edit(LEAVE, '  fees:\n    free: true\n', '  fees:\n    free: false\n    items:\n      - name: 工本费\n        standard: 每天 2 元\n        basis: 测试依据\n        amount: { rate: 2, quantity: days }\n');
    await repo.commit('A computed fee');
    await repo.edit(LEAVE, '        amount: { rate: 2, quantity: days }\n', '        amount:\n          quantity: days\n          when: leaveCampus = true\n          tiers:\n            - { upTo: 3, rate: 2 }\n            - { rate: 1.5 }\n');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'fees')).toMatchObject({
      from: { zh: '工本费：每天 2 元（按表单计算：数量 days，每件 2 元）' },
      to: { zh: '工本费：每天 2 元（按表单计算：数量 days，至第 3 件每件 2 元、其余每件 1.5 元，条件 leaveCampus = true）', en: '工本费: 每天 2 元 (computed from the form: quantity days, up to 3 at 2 yuan, beyond at 1.5 yuan, when leaveCampus = true)' },
    });
  });
});
