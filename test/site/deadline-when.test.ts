import { describe, expect, it } from 'vitest';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { compileSiteModel, pathWorkdays } from '../../cli/site/compile-site-model.ts';
import { NO_HISTORY } from '../../cli/site/git-history.ts';
import type { SiteNode } from '../../cli/site/types.ts';
import { TODAY, baselineSource, editSource, sub } from '../check/helpers.ts';

/** Issue 15.7: the guide says a deadline that depends on the form, and counts it in the path's length. */
describe('form-dependent deadlines in the guide', () => {
  const step = (deadline: number, rules: number[] = []): SiteNode => ({
    kind: 'step', id: `s${deadline}`, name: { zh: 's' }, department: { zh: 'd' }, role: { zh: 'r' }, deadline, actions: ['approve'],
    ...(rules.length ? { deadlineWhen: rules.map((d) => ({ condition: { zh: 'c' }, deadline: d })) } : {}),
  });

  it.each([
    { name: 'an urgent case shortens the shortest path', nodes: [step(3, [1]), step(2)], expected: { longest: 5, shortest: 3, steps: 2 } },
    { name: 'a large case lengthens the longest path', nodes: [step(1, [5, 0])], expected: { longest: 5, shortest: 0, steps: 1 } },
    { name: 'a countersign waits for its slowest possible member', nodes: [{ kind: 'parallel', id: 'p', mode: 'all', steps: [step(2, [4]), step(3)] }], expected: { longest: 4, shortest: 3, steps: 2 } },
  ] as { name: string; nodes: SiteNode[]; expected: ReturnType<typeof pathWorkdays> }[])('$name', ({ nodes, expected }) => {
    expect(pathWorkdays(nodes)).toEqual(expected);
  });

  it('a step card carries each rule with its condition in words', async () => {
    const edit = sub('xgc/student-leave.yaml', '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 1\n      deadlineWhen:\n        - if: days <= 1\n          deadline: 0\n      actions: [approve, reject, return]\n      notify:');
    const { catalog } = checkSource(editSource(await baselineSource(), [edit]), { today: TODAY });
    const model = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY);
    const cards: { id?: string; deadline?: number; deadlineWhen?: unknown }[] = [];
    JSON.stringify(model, (_key, value: { kind?: string; id?: string }) => (value?.kind === 'step' && value.id === 'counselor-review' && cards.push(value), value));
    expect(cards[0]).toMatchObject({ deadline: 1, deadlineWhen: [{ condition: { zh: '「请假天数」不超过 1', en: '“请假天数” is at most 1' }, deadline: 0 }] });
  });
});
