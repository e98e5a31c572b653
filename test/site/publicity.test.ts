import { describe, expect, it } from 'vitest';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { compileSiteModel, pathWorkdays } from '../../cli/site/compile-site-model.ts';
import { NO_HISTORY } from '../../cli/site/git-history.ts';
import { TODAY, baselineSource, editSource, sub } from '../check/helpers.ts';

/** The site's step diagram shows a publicity period (issue 15.2): how long, and the review an objection leads to. */
describe('the step diagram with a publicity period', () => {
  it('is a framed group with its work days and its objection steps, counted apart from the promised time', async () => {
    const edits = [
      sub('xgc/student-leave.yaml', '  notifications:\n    approved', '    - id: publicity\n      name: 学院公示\n      publicity: { days: 5 }\n      objections:\n        - { id: recheck, name: 复核异议, group: office-staff, scope: department, department: xgc, deadline: 3, actions: [approve, reject] }\n  notifications:\n    approved'),
    ];
    const { catalog, diagnostics } = checkSource(editSource(await baselineSource(), edits), { today: TODAY });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const leave = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY).services.find((s) => s.id === 'student-leave')!;
    const nodes = leave.workflow!.nodes;
    expect(nodes.at(-1)).toMatchObject({ kind: 'publicity', id: 'publicity', name: { zh: '学院公示' }, days: 5, objections: [{ kind: 'step', id: 'recheck', deadline: 3 }] });
    // 公示期另计: neither the period nor the review adds to the path's work days.
    expect(pathWorkdays(nodes)).toEqual(pathWorkdays(nodes.slice(0, -1)));
  });
});
