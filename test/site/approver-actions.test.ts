import { describe, expect, it } from 'vitest';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { compileSiteModel } from '../../cli/site/compile-site-model.ts';
import { NO_HISTORY } from '../../cli/site/git-history.ts';
import { TODAY, baselineSource, editSource, sub } from '../check/helpers.ts';

/** The site's step diagram says which hand-overs a step allows, whom it copies, and whether it is batched (issue 15.6). */
describe('the step diagram with approver actions', () => {
  it('lists 转办 and 加签 with the decisions, the copied groups in words, and batch approval', async () => {
    const edits = [
      sub('xgc/student-leave.yaml', '      actions: [approve, reject, return]\n', '      actions: [approve, reject, return, transfer, add-approver]\n      batch: true\n      cc:\n        - { group: counselor, scope: applicant.class }\n'),
    ];
    const { catalog, diagnostics } = checkSource(editSource(await baselineSource(), edits), { today: TODAY });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const leave = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY).services.find((s) => s.id === 'student-leave')!;
    const [first] = leave.workflow!.nodes;
    expect(first).toMatchObject({ kind: 'step', actions: ['approve', 'reject', 'return', 'transfer', 'add-approver'], batch: true, cc: [{ zh: '辅导员（申请人所在班级）' }] });
  });

  it('adds nothing to a step without them', async () => {
    const { catalog } = checkSource(await baselineSource(), { today: TODAY });
    const [first] = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY).services.find((s) => s.id === 'student-leave')!.workflow!.nodes;
    expect(first).not.toHaveProperty('cc');
    expect(first).not.toHaveProperty('batch');
  });
});
