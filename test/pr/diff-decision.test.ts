import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOf, diffJson, makeRepo } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

/** `hall diff` says a decision table's changes (issue 15.8, docs/routing.md) row by row, in the guide's words. */
const LEAVE = 'catalog/xgc/student-leave.yaml';
const TABLE = 'workflow:\n  decisions:\n    - id: leaveLevel\n      name: 审批级别\n      input: days\n      rules:\n        - { when: "<= 3", result: 辅导员 }\n        - { when: "> 3", result: 学院 }\n  steps:\n';

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
});
afterEach(() => repo.dispose());

describe('hall diff: decision tables', () => {
  it('says a table added', async () => {
    await repo.edit(LEAVE, 'workflow:\n  steps:\n', TABLE);
    await repo.edit(LEAVE, 'if: days > 3', 'if: leaveLevel != "辅导员"');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'decisions')).toMatchObject({ added: [{ zh: 'leaveLevel「审批级别」' }] });
  });

  it('says a band, a result and a default that changed, and a row added, in Chinese and English', async () => {
    await repo.edit(LEAVE, 'workflow:\n  steps:\n', TABLE);
    await repo.edit(LEAVE, 'if: days > 3', 'if: leaveLevel != "辅导员"');
    await repo.commit('a table');
    await repo.edit(LEAVE, '        - { when: "<= 3", result: 辅导员 }\n        - { when: "> 3", result: 学院 }\n', '        - { when: "<= 5", result: 辅导员 }\n        - { when: "(5..30]", result: 学院审批 }\n        - { when: "> 30", result: 学工处 }\n      default: 辅导员\n');
    const { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'decision', '第 1 行的区间')).toMatchObject({ from: { zh: '不超过 3', en: 'is at most 3' }, to: { zh: '不超过 5', en: 'is at most 5' } });
    expect(changeOf(diff, 'student-leave', 'decision', '第 2 行的结果')).toMatchObject({ subject: { zh: '“审批级别” › 第 2 行的结果' }, from: { zh: '学院' }, to: { zh: '学院审批' } });
    expect(changeOf(diff, 'student-leave', 'decision', '第 3 行')).toMatchObject({ added: [{ zh: '大于 30 → 学工处' }] });
    expect(changeOf(diff, 'student-leave', 'decision', '其他情况')).toMatchObject({ from: { zh: '没有（结果为空，条件不成立）' }, to: { zh: '辅导员' } });
    expect(diff.services.find((s) => s.id === 'student-leave')!.runtime).toBeDefined();
    const md = String((await repo.hall(['diff', '--base', 'main', '--no-build-check'])).stdout);
    expect(md).toContain('大于 5 且不超过 30');
    expect(md).toContain('不超过 3 → 不超过 5');
    const en = String((await repo.hall(['diff', '--base', 'main', '--no-build-check', '--lang', 'en'])).stdout);
    expect(md).toContain('**决策表 “审批级别” › 第 2 行的结果**：学院 → 学院审批');
    expect(en).toContain('is at most 3 → is at most 5');
  });

  it('says a row of a two-input table by its columns, and the inputs that changed', async () => {
    const two = (inputs: string, rows: string) => `workflow:\n  decisions:\n    - id: leaveLevel\n      name: 审批级别\n      inputs:\n${inputs}      rules:\n${rows}  steps:\n`;
    const inputs = '        - { input: leaveCampus, label: { zh: 是否离校, en: Leaving campus } }\n        - input: days\n';
    await repo.edit(LEAVE, 'workflow:\n  steps:\n', two(inputs, '        - { when: ["-", "<= 3"], result: 辅导员 }\n        - { when: ["-", "> 3"], result: 学院 }\n'));
    await repo.edit(LEAVE, 'if: days > 3', 'if: leaveLevel != "辅导员"');
    await repo.commit('a table of two inputs');
    await repo.edit(LEAVE, '        - { when: ["-", "<= 3"], result: 辅导员 }\n        - { when: ["-", "> 3"], result: 学院 }\n', '        - { when: ["-", "<= 5"], result: 辅导员 }\n        - { when: ["-", "> 5"], result: 学院 }\n');
    let { diff } = await diffJson(repo);
    expect(changeOf(diff, 'student-leave', 'decision', '第 1 行的条件')).toMatchObject({ from: { zh: '是否离校：任何值；请假天数：不超过 3', en: 'Leaving campus: any value; 请假天数: is at most 3' }, to: { zh: '是否离校：任何值；请假天数：不超过 5' } });
    expect(changeOf(diff, 'student-leave', 'decision', '第 2 行的条件')).toMatchObject({ from: { zh: '是否离校：任何值；请假天数：大于 3' }, to: { zh: '是否离校：任何值；请假天数：大于 5' } });
    await repo.edit(LEAVE, inputs, '        - { input: leaveCampus, label: { zh: 是否离校, en: Leaving campus } }\n        - input: days\n        - input: destination\n');
    ({ diff } = await diffJson(repo));
    expect(changeOf(diff, 'student-leave', 'decision', '输入')).toMatchObject({ from: { zh: 'leaveCampus × days' }, to: { zh: 'leaveCampus × days × destination' } });
  });
});
