import { describe, expect, it } from 'vitest';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { compileSiteModel, pathWorkdays } from '../../cli/site/compile-site-model.ts';
import { NO_HISTORY } from '../../cli/site/git-history.ts';
import { TODAY, baselineSource, editSource, sub } from '../check/helpers.ts';

/** The site's step diagram shows a payment step (issue 15.9b): the platform, the period, and what follows when unpaid. */
describe('the step diagram with a payment step', () => {
  const edits = (unpaid: string) => [
    sub('hall.yaml', 'itOffice: xgc\n', 'itOffice: xgc\nconnectors:\n  - { id: campus-pay, name: { zh: 统一支付平台, en: Campus payment platform }, department: xgc }\n'),
    sub('xgc/student-leave.yaml', '  fees:\n    free: true\n', '  fees:\n    free: false\n    items:\n      - name: 工本费\n        standard: 每天 2 元\n        basis: 测试\n        amount:\n          rate: 2\n          quantity: days\n'),
    sub('xgc/student-leave.yaml', '  notifications:\n    approved', `    - id: pay\n      name: 缴纳工本费\n      payment: { connector: campus-pay, days: 3 }\n${unpaid}  notifications:\n    approved`),
  ];
  const model = async (unpaid: string) => {
    const { catalog, diagnostics } = checkSource(editSource(await baselineSource(), edits(unpaid)), { today: TODAY });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY).services.find((s) => s.id === 'student-leave')!.workflow!.nodes;
  };

  it('names the platform and the days, and is not counted in the promised time', async () => {
    const nodes = await model('');
    expect(nodes.at(-1)).toEqual({ kind: 'payment', id: 'pay', name: { zh: '缴纳工本费' }, days: 3, platform: { zh: '统一支付平台', en: 'Campus payment platform' }, unpaid: [] });
    // 缴费期另计: the applicant's time to pay adds nothing to the offices' work days.
    expect(pathWorkdays(nodes)).toEqual(pathWorkdays(nodes.slice(0, -1)));
  });

  it('holds the unpaid steps, as steps', async () => {
    const nodes = await model('      unpaid:\n        - { id: release, name: 确认放弃, group: office-staff, scope: department, department: xgc, deadline: 1, actions: [approve] }\n');
    expect(nodes.at(-1)).toMatchObject({ kind: 'payment', unpaid: [{ kind: 'step', id: 'release', deadline: 1 }] });
  });
});
