import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOf, diffJson, makeRepo } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

/** Issue 15.9b: hall diff says a payment step in words — where, within how long, what follows when unpaid — both languages. */
const LEAVE = 'catalog/xgc/student-leave.yaml';
const ADD = ['  notifications:\n    approved', '    - id: pay\n      name: 缴纳工本费\n      payment: { connector: campus-pay, days: 3 }\n  notifications:\n    approved'] as const;

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
});
afterEach(() => repo.dispose());

describe('hall diff: payment steps', () => {
  it('a payment step added is named among the steps', async () => {
    await repo.edit(LEAVE, ...ADD);
    const { diff } = await diffJson(repo);
    expect(JSON.stringify(diff)).toContain('缴纳工本费');
  });

  it('a longer period, and unpaid steps added, are said in words', async () => {
    await repo.edit(LEAVE, ...ADD);
    await repo.commit('add 缴费');
    await repo.edit(LEAVE, 'payment: { connector: campus-pay, days: 3 }\n', 'payment: { connector: campus-pay, days: 5 }\n      unpaid:\n        - { id: release, name: 确认放弃, group: office-staff, scope: department, department: xgc, deadline: 1, actions: [approve] }\n');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'step', 'pay')).toMatchObject({
      from: { zh: '在 campus-pay 下单缴费，3 个工作日内缴清；逾期未缴费视为放弃（申请以未缴费结束）', en: 'pay through campus-pay within 3 work days; if unpaid, the application ends as unpaid' },
      to: { zh: '在 campus-pay 下单缴费，5 个工作日内缴清；逾期未缴费的转“确认放弃”', en: 'pay through campus-pay within 5 work days; if unpaid, then 确认放弃' },
    });
  });
});
