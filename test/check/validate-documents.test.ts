import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../../cli/diagnostics/registry.ts';
import { parseServiceFile } from '../../cli/load/parse-file.ts';
import { kindOf, validateDocuments } from '../../cli/validate/validate-documents.ts';
import type { BrokenCase } from './helpers.ts';
import { checkEdited, findingsOf, sub } from './helpers.ts';

const LEAVE = 'xgc/student-leave.yaml';
const LINK = 'jsj/teaching-platform.yaml';

describe('validateDocuments: schema errors point at the YAML node', () => {
  const cases: BrokenCase[] = [
    // A missing key points at its parent's key, where it must be added.
    { name: 'a missing guide.reviewed', edits: [sub(LEAVE, '  reviewed: 2026-09-01\n', '')], expected: ['schema/required xgc/student-leave.yaml:17:1'] },
    { name: 'a link service without link', edits: [sub(LINK, 'link:\n  system: 网络教学平台\n  url: https://lms.test.edu.cn\n  sso: true\n', '')], expected: ['schema/required jsj/teaching-platform.yaml:1:1'] },
    { name: 'a misspelt key', edits: [sub(LEAVE, '  summary: 学生因病', '  sumary: 学生因病')], expected: ['schema/required xgc/student-leave.yaml:17:1', 'schema/unknown-property xgc/student-leave.yaml:18:3'] },
    { name: 'a step key renamed', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]', '      deadline: 1\n      action: [approve, reject, return]')], expected: ['schema/required xgc/student-leave.yaml:89:7', 'schema/unknown-property xgc/student-leave.yaml:95:7'] },
    // A deadline is work days or hours (issue 15.7): words for it are a format problem that names both forms.
    { name: 'words for a deadline', edits: [sub(LEAVE, 'deadline: 1\n      actions: [approve, reject, return]', 'deadline: 一天\n      actions: [approve, reject, return]')], expected: ['schema/pattern xgc/student-leave.yaml:94:17'] },
    { name: 'hours past the bound, or minutes', edits: [sub(LEAVE, 'deadline: 1\n      actions: [approve, reject, return]', 'deadline: 120h\n      actions: [approve, reject, return]'), sub(LEAVE, '              deadline: 2\n', '              deadline: 30min\n')], expected: ['schema/pattern xgc/student-leave.yaml:94:17', 'schema/pattern xgc/student-leave.yaml:111:25'] },
    { name: 'too many work days', edits: [sub(LEAVE, 'deadline: 1\n      actions: [approve, reject, return]', 'deadline: 61\n      actions: [approve, reject, return]')], expected: ['schema/range xgc/student-leave.yaml:94:17'] },
    { name: 'hours written as 2h, 2 h or 2小时 are fine', edits: [sub(LEAVE, 'deadline: 1\n      actions: [approve, reject, return]', 'deadline: 2h\n      actions: [approve, reject, return]'), sub(LEAVE, '              deadline: 2\n', '              deadline: 2 h\n'), sub(LEAVE, '              deadline: 1\n              actions: [approve, reject]\n', '              deadline: 2小时\n              actions: [approve, reject]\n')], expected: [] },
    { name: 'a single value for a list', edits: [sub(LEAVE, 'topics: [student-affairs]', 'topics: student-affairs')], expected: ['schema/type xgc/student-leave.yaml:13:9'] },
    { name: 'a number for text', edits: [sub('xgc/department.yaml', 'phone: 010-88880201', 'phone: 88880201')], expected: ['schema/type xgc/department.yaml:18:8'] },
    { name: 'a number in a text list', edits: [sub(LEAVE, '    - 在校本科生。', '    - 3')], expected: ['schema/type xgc/student-leave.yaml:20:7'] },
    { name: 'a list for localized text', edits: [sub(LINK, 'name: 网络教学平台\ntype', 'name: [a]\ntype')], expected: ['schema/type jsj/teaching-platform.yaml:4:7'] },
    { name: 'a number for localized text', edits: [sub(LINK, 'name: 网络教学平台\ntype', 'name: 12\ntype')], expected: ['schema/type jsj/teaching-platform.yaml:4:7'] },
    { name: 'a third language in localized text', edits: [sub(LEAVE, '  en: Student leave request', '  fr: Demande de congé')], expected: ['schema/unknown-property xgc/student-leave.yaml:6:3'] },
    { name: 'empty localized text', edits: [sub(LEAVE, '  en: Student leave request', "  en: ''")], expected: ['schema/range xgc/student-leave.yaml:6:7'] },
    { name: 'a misspelt status', edits: [sub(LEAVE, 'status: online', 'status: onlin')], expected: ['schema/enum xgc/student-leave.yaml:8:9'] },
    { name: 'a status in Chinese', edits: [sub(LEAVE, 'status: online', 'status: 上线')], expected: ['schema/enum xgc/student-leave.yaml:8:9'] },
    { name: 'a phone with words', edits: [sub('xgc/department.yaml', 'phone: 010-88880201', 'phone: 电话 88880201')], expected: ['schema/pattern xgc/department.yaml:18:8'] },
    { name: 'an ftp link', edits: [sub(LINK, 'url: https://lms.test.edu.cn', 'url: ftp://lms.test.edu.cn')], expected: ['schema/pattern jsj/teaching-platform.yaml:35:8'] },
    { name: 'a javascript: link', edits: [sub(LINK, 'url: https://lms.test.edu.cn', 'url: javascript:alert(1)')], expected: ['text/unsafe-link jsj/teaching-platform.yaml:35:8'] },
    { name: 'a data: link', edits: [sub(LINK, 'url: https://lms.test.edu.cn', 'url: data:text/html;base64,PHNjcmlwdD4=')], expected: ['text/unsafe-link jsj/teaching-platform.yaml:35:8'] },
    { name: 'a date with slashes', edits: [sub(LEAVE, 'reviewed: 2026-09-01', 'reviewed: 2026/9/1')], expected: ['schema/format xgc/student-leave.yaml:61:13'] },
    { name: 'a broken e-mail', edits: [sub(LEAVE, '      phone: 010-88880202', '      email: not-an-email')], expected: ['schema/format xgc/student-leave.yaml:57:14'] },
    { name: 'another format version', edits: [sub(LEAVE, 'apiVersion: servicehall/v1', 'apiVersion: servicehall/v2')], expected: ['schema/const xgc/student-leave.yaml:1:13'] },
    { name: 'a negative count', edits: [sub(LEAVE, '    count: 0', '    count: -1')], expected: ['schema/range xgc/student-leave.yaml:43:12'] },
    { name: 'an empty audience list', edits: [sub(LEAVE, 'audiences: [undergraduate]', 'audiences: []')], expected: ['schema/range xgc/student-leave.yaml:12:12'] },
    {
      name: 'a countersign of one step',
      edits: [sub(LEAVE, '            - id: xgc-review\n              name: 学工处审批\n              group: department-deputy\n              scope: department\n              department: xgc\n              deadline: 1\n              actions: [approve, reject]\n', '')],
      expected: ['schema/range xgc/student-leave.yaml:106:13'],
    },
    { name: 'an unknown kind', edits: [sub('jsj/exchange-guide.yaml', 'kind: Service', 'kind: Servise')], expected: ['catalog/unknown-kind jsj/exchange-guide.yaml:2:7'] },
  ];

  it.each(cases)('$name', async ({ edits, expected }) => {
    expect(await findingsOf(edits)).toEqual(expected);
  });

  it('says what is missing or wrong in both languages, with a suggestion', async () => {
    const { diagnostics } = await checkEdited([sub(LEAVE, '  summary: 学生因病', '  sumary: 学生因病'), sub(LEAVE, 'status: online', 'status: onlin')]);
    expect(diagnostics.map((d) => renderDiagnostic(d, 'en').message)).toEqual([
      '"onlin" is not an allowed value. Did you mean "online"?',
      'The required field "summary" is missing (What it is and who may apply, in a sentence).',
      'Unknown field "sumary". Did you mean "summary"?',
    ]);
    expect(diagnostics.map((d) => renderDiagnostic(d, 'zh').message)).toEqual([
      '“onlin”不是允许的取值。是不是想写“online”？',
      '缺少必填项“summary”（一句话说明这是什么、谁可以办）。',
      '不认识字段“sumary”。是不是想写“summary”？',
    ]);
    expect(renderDiagnostic(diagnostics[0], 'en').hint).toBe('Allowed values: draft, pilot, online, suspended, retired.');
  });

  it('says how to write a deadline, both forms, when it is neither', async () => {
    const { diagnostics } = await checkEdited([sub(LEAVE, 'deadline: 1\n      actions: [approve, reject, return]', 'deadline: 两天\n      actions: [approve, reject, return]')]);
    expect(renderDiagnostic(diagnostics[0], 'zh')).toMatchObject({
      message: '“两天”的格式不对：时限写工作日数（阿拉伯数字，如 3，0 表示当日），或小时数（1 到 99，写成 2h 或 2小时，从环节开始连续计算）',
      hint: '按说明改写，例如：2h',
    });
  });
});

describe('kindOf', () => {
  const kind = (file: string, text: string) => kindOf(parseServiceFile(new TextEncoder().encode(text), file).parsed);
  it.each([
    { file: 'catalog/hall.yaml', text: 'a: 1', expected: 'Hall' },
    { file: 'catalog/roles.yaml', text: 'a: 1', expected: 'RoleGroups' },
    { file: 'catalog/xgc/department.yaml', text: 'a: 1', expected: 'Department' },
    { file: 'catalog/xgc/leave.yaml', text: 'a: 1', expected: 'Service' },
    { file: 'catalog/xgc/leave.yaml', text: 'kind: Department', expected: 'Department' },
    { file: 'catalog/xgc/leave.yaml', text: 'kind: Servise', expected: undefined },
  ])('$file with $text is $expected', ({ file, text, expected }) => {
    expect(kind(file, text)).toBe(expected);
  });

  it('skips files that did not parse and validates the rest', () => {
    const files = ['', 'apiVersion: servicehall/v1\nkind: RoleGroups\ngroups:\n  - { id: counselor, name: 辅导员, maintainer: xgc, scope: class }\n'].map((t, i) => parseServiceFile(new TextEncoder().encode(t), `catalog/${i}.yaml`).parsed);
    const { documents, diagnostics } = validateDocuments(files);
    expect(documents.map((d) => [d.parsed.file, d.kind, d.valid])).toEqual([['catalog/1.yaml', 'RoleGroups', true]]);
    expect(diagnostics).toEqual([]);
  });
});
