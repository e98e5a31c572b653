import { describe, expect, it } from 'vitest';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { DIAGNOSTICS } from '../../cli/diagnostics/registry.ts';
import { compileSiteModel, pathWorkdays } from '../../cli/site/compile-site-model.ts';
import { conditionInWords } from '../../cli/site/condition-words.ts';
import { NO_HISTORY, parseGitLog } from '../../cli/site/git-history.ts';
import type { GitHistory } from '../../cli/site/git-history.ts';
import { parseInline, parseMarkdown } from '../../cli/site/markdown.ts';
import { urlOfPage } from '../../cli/site/pagefind.ts';
import { pinyinKeys, pinyinSortKey } from '../../cli/site/pinyin.ts';
import { compileDiagnosticReference, compileFormatReference, splitDescription } from '../../cli/site/reference.ts';
import { resolveRequest } from '../../cli/site/serve.ts';
import type { SiteNode } from '../../cli/site/types.ts';
import { readHandbook, unsafeOutput } from '../../cli/site/build-site.ts';
import { REPO, TODAY, baselineSource, editSource } from '../check/helpers.ts';
import { CANARIES, RECLASSIFY, SITE_EDITS } from './fixture.ts';

async function siteCatalog() {
  const result = checkSource(editSource(await baselineSource(), [...SITE_EDITS, RECLASSIFY]), { today: TODAY });
  return result;
}

const history: GitHistory = {
  available: true,
  shallow: false,
  commits: [
    { hash: 'c'.repeat(40), time: '2026-09-30T23:30:00Z', subject: 'Touch a confidential service too', files: ['catalog/xgc/student-leave.yaml', 'catalog/xgc/secret-review.yaml'] },
    { hash: 'b'.repeat(40), time: '2026-09-02T02:00:00Z', subject: 'Clarify leave materials', files: ['catalog/xgc/student-leave.yaml'] },
    { hash: 'a'.repeat(40), time: '2026-09-01T02:00:00Z', subject: 'Add the campus canary', files: ['catalog/jsj/campus-canary.yaml'] },
  ],
};

describe('compileSiteModel', () => {
  it('publishes public services on the public site, campus ones only on campus, never confidential or drafts', async () => {
    const { catalog } = await siteCatalog();
    const ids = (variant: 'public' | 'campus') => compileSiteModel(catalog, { variant }, NO_HISTORY).services.map((s) => s.id).sort();
    expect(ids('public')).toEqual(['enrolment-certificate', 'exchange-guide', 'old-campus-proof', 'paper-leave', 'student-leave', 'teaching-platform', 'xss-probe']);
    expect(ids('campus')).toEqual(['campus-canary', 'enrolment-certificate', 'exchange-guide', 'lab-booking', 'moved-canary', 'old-campus-proof', 'paper-leave', 'student-leave', 'teaching-platform', 'xss-probe']);
  });

  it('never carries internal notes, forms, scenarios or notification templates, in either variant; responsible persons only on campus', async () => {
    const { catalog } = await siteCatalog();
    for (const variant of ['public', 'campus'] as const) {
      const json = JSON.stringify(compileSiteModel(catalog, { variant }, history));
      for (const canary of [CANARIES.internalNote, CANARIES.confidentialName, CANARIES.draftName]) expect(json).not.toContain(canary);
      // seed 004: the campus edition names who handles each step; the public one never (DESIGN: internal data).
      for (const canary of [CANARIES.internalName, CANARIES.internalOffice]) expect(json.includes(canary), `${canary} in ${variant}`).toBe(variant === 'campus');
      expect(json).not.toContain('notify');
      expect(json).not.toContain('scenarios');
      expect(json).not.toContain('提交了{{form.days}}');
    }
  });

  it('keeps a retired service as a tombstone with its successor, out of counts', async () => {
    const { catalog } = await siteCatalog();
    const model = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY);
    const tomb = model.services.find((s) => s.id === 'paper-leave')!;
    expect(tomb.retired).toEqual({ date: '2026-03-01', reason: { zh: '已改为网上办理。' }, successor: { id: 'student-leave', name: { zh: '学生请假审批', en: 'Student leave request' }, url: '/services/student-leave/' } });
    expect(tomb.guide).toBeUndefined();
    expect(model.departments.find((d) => d.code === 'xgc')!.services).not.toContain('paper-leave');
    expect(model.topics.find((t) => t.id === 'student-affairs')!.count).toBe(2);
  });

  it('says a retired service has a successor on campus when its successor is campus-only, without naming it', async () => {
    const { catalog } = await siteCatalog();
    const tomb = (variant: 'public' | 'campus') => compileSiteModel(catalog, { variant }, NO_HISTORY).services.find((s) => s.id === 'old-campus-proof')!.retired!;
    expect(tomb('public')).toEqual({ date: '2026-05-01', reason: { zh: '已由校内电子证明接替。' }, successorOnCampus: true });
    expect(tomb('campus')).toMatchObject({ successor: { id: 'campus-canary', url: '/services/campus-canary/' } });
    expect(tomb('campus').successorOnCampus).toBeUndefined();
    // A successor that is confidential (published nowhere) is not announced at all.
    const { catalog: secret } = checkSource(editSource(await baselineSource(), [...SITE_EDITS, RECLASSIFY, { file: 'jsj/campus-canary.yaml', find: 'classification: campus', replace: 'classification: confidential' }, { file: 'jsj/campus-canary.yaml', find: 'status: online', replace: 'status: draft' }]), { today: TODAY });
    expect(compileSiteModel(secret, { variant: 'public' }, NO_HISTORY).services.find((s) => s.id === 'old-campus-proof')!.retired!.successorOnCampus).toBeUndefined();
  });

  it('keeps the public address of a service that was public once and is campus-only now, from git history', async () => {
    const { catalog } = await siteCatalog();
    const withHistory: GitHistory = { ...history, oncePublic: ['catalog/xgc/moved-canary.yaml', 'catalog/xgc/student-leave.yaml'] };
    expect(compileSiteModel(catalog, { variant: 'public' }, withHistory).campusOnly).toEqual(['moved-canary']);
    expect(compileSiteModel(catalog, { variant: 'campus' }, withHistory).campusOnly).toEqual([]);
    // Campus-only services that never were public keep no public trace (not even their id).
    expect(compileSiteModel(catalog, { variant: 'public' }, { ...history, oncePublic: [] }).campusOnly).toEqual([]);
  });

  it('names an e-certificate issuer only when the issuer is published in the variant', async () => {
    const { catalog } = await siteCatalog();
    const material = (variant: 'public' | 'campus') =>
      compileSiteModel(catalog, { variant }, NO_HISTORY).services.find((s) => s.id === 'student-leave')!.guide!.materials.find((m) => m.eCertificate)!;
    expect(material('public').eCertificate).toEqual({});
    expect(material('campus').eCertificate!.issuer!.id).toBe('campus-canary');
  });

  it('copies only attachments that published services link to', async () => {
    const { catalog } = await siteCatalog();
    const files = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY).files.map((f) => f.source);
    expect(files).toEqual(['catalog/jsj/files/booking-sample.pdf', 'catalog/xgc/files/certificate-sample.pdf', 'catalog/xgc/files/leave-form.docx']);
    expect(files.join()).not.toMatch(/secret|campus-canary/);
  });

  it('shows a commit subject only when everything the commit touched is published', async () => {
    const { catalog } = await siteCatalog();
    const model = compileSiteModel(catalog, { variant: 'public' }, history);
    const leave = model.services.find((s) => s.id === 'student-leave')!;
    expect(leave.history).toEqual([
      { date: '2026-10-01', commit: 'c'.repeat(40) },
      { date: '2026-09-02', commit: 'b'.repeat(40), subject: 'Clarify leave materials' },
    ]);
    expect(JSON.stringify(model)).not.toContain('campus canary');
    expect(model.changes.map((c) => c.service)).toEqual(['student-leave', 'student-leave']);
    // Dates are in the hall's time zone, and alerts are judged on the newest commit's date.
    expect(model.asOf).toBe('2026-10-01');
  });

  it('draws the workflow with departments, roles, conditions in words and total time', async () => {
    const { catalog } = await siteCatalog();
    const leave = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY).services.find((s) => s.id === 'student-leave')!;
    const [first, branch] = leave.workflow!.nodes;
    expect(first).toMatchObject({ kind: 'step', department: { zh: '申请人所在学院' }, role: { zh: '辅导员（申请人所在班级）' }, deadline: 1 });
    expect(branch).toMatchObject({ kind: 'branch', condition: { zh: '「请假天数」大于 3', en: '“请假天数” is more than 3' }, else: [] });
    expect(leave.workflow).toMatchObject({ longestWorkdays: 3, shortestWorkdays: 1, steps: 3 });
  });

  it('says a fallback scope after the scope it stands in for, and a countersign member\'s condition (issue 15)', async () => {
    const source = editSource(await baselineSource(), [
      ...SITE_EDITS,
      RECLASSIFY,
      { file: 'xgc/student-leave.yaml', find: '      scope: applicant.class\n', replace: '      scope: applicant.class\n      fallback: applicant.college\n' },
      { file: 'xgc/student-leave.yaml', find: '              department: xgc\n', replace: '              department: xgc\n              when: days > 5\n' },
    ]);
    const { catalog } = checkSource(source, { today: TODAY });
    const leave = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY).services.find((s) => s.id === 'student-leave')!;
    const [first, branch] = leave.workflow!.nodes;
    expect(first).toMatchObject({ role: { zh: '辅导员（申请人所在班级；没有时为申请人所在学院）' } });
    const countersign = (branch as Extract<SiteNode, { kind: 'branch' }>).then[0] as Extract<SiteNode, { kind: 'parallel' }>;
    expect(countersign.steps[1].when).toEqual({ zh: '「请假天数」大于 5', en: '“请假天数” is more than 5' });
  });

  it('shows a decision table as a table (请假天数 | 审批级别) and a branch reading it as 按“审批级别”表 (issue 15.8)', async () => {
    const source = editSource(await baselineSource(), [
      ...SITE_EDITS,
      RECLASSIFY,
      { file: 'xgc/student-leave.yaml', find: 'workflow:\n  steps:\n', replace: 'workflow:\n  decisions:\n    - id: leaveLevel\n      name: 审批级别\n      input: days\n      rules:\n        - { when: "<= 3", result: 辅导员 }\n        - { when: "(3..15)", result: 学院 }\n        - { when: ">= 15", result: 学工处 }\n  steps:\n' },
      { file: 'xgc/student-leave.yaml', find: 'if: days > 3', replace: 'if: leaveLevel != "辅导员"' },
    ]);
    const { catalog } = checkSource(source, { today: TODAY });
    const leave = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY).services.find((s) => s.id === 'student-leave')!;
    expect(leave.workflow!.decisions).toEqual([{
      id: 'leaveLevel',
      name: { zh: '审批级别' },
      inputs: [{ zh: '请假天数' }],
      rows: [
        { when: [{ zh: '不超过 3', en: 'is at most 3' }], result: '辅导员' },
        { when: [{ zh: '大于 3 且小于 15', en: 'is more than 3 and is less than 15' }], result: '学院' },
        { when: [{ zh: '不少于 15', en: 'is at least 15' }], result: '学工处' },
      ],
    }]);
    const branch = leave.workflow!.nodes[1] as Extract<SiteNode, { kind: 'branch' }>;
    expect(branch.condition).toEqual({ zh: '按“审批级别”表，结果不为“辅导员”', en: 'by the “审批级别” table, the result is not "辅导员"' });
  });

  it('shows a table of two inputs with one column per input, headed by the field or the given label (issue 15)', async () => {
    const source = editSource(await baselineSource(), [
      ...SITE_EDITS,
      RECLASSIFY,
      { file: 'xgc/student-leave.yaml', find: 'workflow:\n  steps:\n', replace: 'workflow:\n  decisions:\n    - id: leaveLevel\n      name: 审批级别\n      inputs:\n        - input: leaveCampus\n          label: { zh: 是否离校, en: Leaving campus }\n        - input: days\n      rules:\n        - { when: ["-", "<= 3"], result: 辅导员 }\n        - { when: ["-", "> 3"], result: 学院 }\n  steps:\n' },
      { file: 'xgc/student-leave.yaml', find: 'if: days > 3', replace: 'if: leaveLevel != "辅导员"' },
    ]);
    const { catalog } = checkSource(source, { today: TODAY });
    const leave = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY).services.find((s) => s.id === 'student-leave')!;
    expect(leave.workflow!.decisions).toEqual([{
      id: 'leaveLevel',
      name: { zh: '审批级别' },
      inputs: [{ zh: '是否离校', en: 'Leaving campus' }, { zh: '请假天数' }],
      rows: [
        { when: [{ zh: '任何值', en: 'any value' }, { zh: '不超过 3', en: 'is at most 3' }], result: '辅导员' },
        { when: [{ zh: '任何值', en: 'any value' }, { zh: '大于 3', en: 'is more than 3' }], result: '学院' },
      ],
    }]);
  });

  it('says of a 依次审批 whose later member may return to an earlier one that it resumes there, and of no other', async () => {
    const inTurn = { file: 'xgc/student-leave.yaml', find: '          parallel: all\n', replace: '          parallel: sequence\n' };
    const modelOf = async (edits: { file: string; find: string; replace: string }[]) => {
      const { catalog } = checkSource(editSource(await baselineSource(), [...SITE_EDITS, RECLASSIFY, inTurn, ...edits]), { today: TODAY });
      const leave = compileSiteModel(catalog, { variant: 'public' }, NO_HISTORY).services.find((s) => s.id === 'student-leave')!;
      return ((leave.workflow!.nodes[1] as Extract<SiteNode, { kind: 'branch' }>).then[0] as Extract<SiteNode, { kind: 'parallel' }>);
    };
    expect((await modelOf([])).returnsWithin).toBeUndefined();
    const within = await modelOf([{ file: 'xgc/student-leave.yaml', find: '              deadline: 1\n              actions: [approve, reject]\n', replace: '              deadline: 1\n              actions: [approve, reject, return]\n              returnTo: [college-review]\n' }]);
    expect(within).toMatchObject({ mode: 'sequence', returnsWithin: true });
    expect(within.steps[1].returnTo).toEqual([{ zh: '学院审批' }]);
  });

  it('is deterministic: the same input gives the same JSON', async () => {
    const { catalog } = await siteCatalog();
    const a = JSON.stringify(compileSiteModel(catalog, { variant: 'public' }, history));
    const b = JSON.stringify(compileSiteModel(catalog, { variant: 'public' }, history));
    expect(a).toBe(b);
  });
});

describe('pathWorkdays', () => {
  const step = (deadline: number): SiteNode => ({ kind: 'step', id: `s${deadline}`, name: { zh: 's' }, department: { zh: 'd' }, role: { zh: 'r' }, deadline, actions: ['approve'] });
  it.each([
    { name: 'sequence', nodes: [step(1), step(2)], expected: { longest: 3, shortest: 3, steps: 2 } },
    { name: 'countersign all', nodes: [{ kind: 'parallel', id: 'p', mode: 'all', steps: [step(2), step(5)] }], expected: { longest: 5, shortest: 5, steps: 2 } },
    { name: 'countersign any', nodes: [{ kind: 'parallel', id: 'p', mode: 'any', steps: [step(2), step(5)] }], expected: { longest: 5, shortest: 2, steps: 2 } },
    // Countersign variants (issue 15.4): n of m passes with the n quickest; a member with a condition may not take part.
    { name: 'countersign 2 of 3', nodes: [{ kind: 'parallel', id: 'p', mode: 'all', atLeast: 2, steps: [step(5), step(1), step(3)] }], expected: { longest: 5, shortest: 3, steps: 3 } },
    { name: 'countersign in turn: the members one after another, a conditional one may not take part', nodes: [{ kind: 'parallel', id: 'p', mode: 'sequence', steps: [step(1), step(2), { ...step(3), when: { zh: '条件' } }] }], expected: { longest: 6, shortest: 3, steps: 3 } },
    { name: 'countersign with a conditional member', nodes: [{ kind: 'parallel', id: 'p', mode: 'all', steps: [{ ...step(5), when: { zh: '条件' } }, step(2)] }], expected: { longest: 5, shortest: 2, steps: 2 } },
    { name: 'branch with else', nodes: [{ kind: 'branch', id: 'b', condition: { zh: '' }, expression: 'x', then: [step(4)], else: [step(1), step(1)] }], expected: { longest: 4, shortest: 2, steps: 3 } },
  ] as { name: string; nodes: SiteNode[]; expected: ReturnType<typeof pathWorkdays> }[])('$name', ({ nodes, expected }) => {
    expect(pathWorkdays(nodes)).toEqual(expected);
  });
});

describe('conditionInWords', () => {
  const labels = (name: string, lang: 'zh' | 'en') => ({ days: { zh: '请假天数', en: 'days' }, fields: { zh: '修改项目', en: 'fields' }, 'applicant.rank': { zh: '申请人的职级', en: "applicant's rank" } })[name]?.[lang];
  it.each([
    ['days > 3', '「请假天数」大于 3', '“days” is more than 3'],
    ['applicant.rank = "副处级" and days >= 3', '「申请人的职级」为“副处级”并且「请假天数」不少于 3', '“applicant\'s rank” is "副处级" and “days” is at least 3'],
    ['list contains(fields, "姓名") or days != 2', '「修改项目」包含“姓名”或者「请假天数」不为 2', '“fields” includes "姓名" or “days” is not 2'],
    ['(days > 3) or flag = true', '(「请假天数」大于 3)或者 flag 为“是”', '(“days” is more than 3) or flag is "yes"'],
  ])('%s', (expression, zh, en) => {
    const words = conditionInWords(expression, labels);
    if (expression.includes('flag')) {
      // An unknown name: shown as written rather than guessed.
      expect(words).toEqual({ zh: expression, en: expression });
    } else {
      expect(words).toEqual({ zh, en });
    }
  });
});

describe('pinyin', () => {
  it('gives full pinyin and initials per word and joined', () => {
    expect(pinyinKeys('休学申请')).toEqual(['xiuxue', 'shenqing', 'xx', 'sq', 'xiuxueshenqing', 'xxsq']);
    expect(pinyinKeys('OA系统')).toEqual(['xitong', 'xt']);
  });
  it('sorts by reading', () => {
    expect(['学生请假审批', '保留学籍申请', '在读证明'].sort((a, b) => (pinyinSortKey(a) < pinyinSortKey(b) ? -1 : 1))).toEqual(['保留学籍申请', '学生请假审批', '在读证明']);
  });
});

describe('markdown for the handbook', () => {
  it('parses blocks and keeps unsafe links as text', () => {
    const blocks = parseMarkdown('# 流程\n\n第一行\n第二行\n\n- 一 `code`\n- [二](https://x.test) [坏](javascript:alert(1))\n\n```yaml\nid: x\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n');
    expect(blocks.map((b) => b.type)).toEqual(['heading', 'paragraph', 'list', 'code', 'table']);
    expect(blocks[1]).toEqual({ type: 'paragraph', inline: [{ type: 'text', text: '第一行第二行' }] });
    expect(parseInline('[坏](javascript:alert(1))')).toEqual([{ type: 'text', text: '坏' }]);
  });
  it('drops an unsafe link whole: its label stays, no stray bracket or parenthesis', () => {
    for (const href of ['javascript:alert(1)', 'javascript:alert((1))', 'data:text/html,<b>(x)</b>', ' vbscript:msgbox(1)', 'JAVASCRIPT:void(0)']) {
      expect(parseInline(`前[坏](${href})后`)).toEqual([{ type: 'text', text: '前坏后' }]);
    }
    // A safe link whose address has parentheses keeps all of it.
    expect(parseInline('[维基](https://x.test/a_(b))。')).toEqual([{ type: 'link', text: '维基', href: 'https://x.test/a_(b)' }, { type: 'text', text: '。' }]);
  });
  it('renders thematic breaks, setext headings, escapes and character references as Markdown means them', () => {
    const blocks = parseMarkdown('甲\n\n---\n\n乙\n\n***\n\n___\n\n标题\n===\n\n\\*不是强调\\* &amp; 1 &lt; 2\n\n<div onclick="x()">原样</div>\n');
    expect(blocks).toEqual([
      { type: 'paragraph', inline: [{ type: 'text', text: '甲' }] },
      { type: 'rule' },
      { type: 'paragraph', inline: [{ type: 'text', text: '乙' }] },
      { type: 'rule' },
      { type: 'rule' },
      { type: 'heading', level: 1, id: '标题', inline: [{ type: 'text', text: '标题' }] },
      { type: 'paragraph', inline: [{ type: 'text', text: '*不是强调* & 1 < 2' }] },
      { type: 'paragraph', inline: [{ type: 'text', text: '<div onclick="x()">原样</div>' }] },
    ]);
    // No block of the handbook's source is left as literal Markdown syntax.
    expect(JSON.stringify(parseMarkdown('一\n\n---\n\n二\n'))).not.toContain('---');
  });
  it('keeps loose numbered lists together, with their nested items', () => {
    const [list] = parseMarkdown('1. **一。** 第一步\n\n2. 第二步：\n   - 甲\n   - 乙\n     续行\n\n3. 第三步\n');
    expect(list).toEqual({
      type: 'list',
      ordered: true,
      items: [
        { inline: [{ type: 'strong', text: '一。' }, { type: 'text', text: ' 第一步' }] },
        { inline: [{ type: 'text', text: '第二步：' }], sub: { ordered: false, items: [[{ type: 'text', text: '甲' }], [{ type: 'text', text: '乙续行' }]] } },
        { inline: [{ type: 'text', text: '第三步' }] },
      ],
    });
  });
  it('makes GitHub-style heading anchors', () => {
    const blocks = parseMarkdown('# 用拉取请求（PR）新增\n\n# Adding, changing and retiring a service\n\n## FAQ\n\n## FAQ\n');
    expect(blocks.map((b) => (b.type === 'heading' ? b.id : ''))).toEqual(['用拉取请求pr新增', 'adding-changing-and-retiring-a-service', 'faq', 'faq-1']);
  });
});

describe('handbook references', () => {
  it('documents every key of the service schema with both languages', async () => {
    const handbook = await readHandbook(REPO);
    const service = handbook.formats.find((f) => f.title === 'Service')!;
    expect(service.properties.map((p) => p.path)).toEqual(expect.arrayContaining(['id', 'name', 'type', 'status', 'classification', 'guide', 'workflow']));
    const material = handbook.formats.find((f) => f.title === 'Material')!;
    const blank = material.properties.find((p) => p.path === 'blankForm')!;
    expect(blank.description.zh).toBeTruthy();
    expect(blank.description.en).toBeTruthy();
    expect(handbook.formats.map((f) => f.title)).toEqual(expect.arrayContaining(['Department', 'RoleGroups', 'Hall', 'Step', 'Branch', 'Parallel']));
    expect(handbook.commonTypes.map((t) => t.title)).toEqual(expect.arrayContaining(['Id', 'LocalizedText', 'IsoDate']));
  });
  it('generates the format reference deterministically', async () => {
    const a = await readHandbook(REPO);
    const b = await readHandbook(REPO);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
  it('lists every registered diagnostic code', () => {
    const reference = compileDiagnosticReference(DIAGNOSTICS);
    expect(reference.map((d) => d.code)).toEqual(Object.keys(DIAGNOSTICS).sort());
    expect(reference.find((d) => d.code === 'yaml/duplicate-key')!.example).toBeDefined();
  });
  it('splits bilingual descriptions', () => {
    expect(splitDescription('学号/工号。/ Student or staff number / more')).toEqual({ zh: '学号/工号。', en: 'Student or staff number / more' });
    expect(splitDescription('只有中文')).toEqual({ zh: '只有中文' });
    expect(compileFormatReference({}).formats).toEqual([]);
  });
});

describe('plumbing', () => {
  it('parses git log records', () => {
    const out = '\u001eabc\u001f2026-01-02T03:04:05+08:00\u001fFix a typo\n\nsub/catalog/a.yaml\nsub/other.txt\n\u001edef\u001f2026-01-01T00:00:00+08:00\u001fInit\n\nsub/catalog/a.yaml\n';
    expect(parseGitLog(out, 'sub/')).toEqual([
      { hash: 'abc', time: '2026-01-02T03:04:05+08:00', subject: 'Fix a typo', files: ['sub/catalog/a.yaml', 'sub/other.txt'] },
      { hash: 'def', time: '2026-01-01T00:00:00+08:00', subject: 'Init', files: ['sub/catalog/a.yaml'] },
    ]);
  });
  it('maps built pages to URLs', () => {
    expect(urlOfPage('services/x/index.html')).toBe('/services/x/');
    expect(urlOfPage('index.html')).toBe('/');
  });
  it('refuses to empty a folder that is not a built site', async () => {
    expect(await unsafeOutput(REPO, [REPO])).toMatch(/contains/);
    expect(await unsafeOutput(`${REPO}/cli`, [])).toMatch(/not a built site/);
    expect(await unsafeOutput(`${REPO}/no-such-folder`, [`${REPO}/catalog`])).toBeUndefined();
  });
  it('never serves a file outside the site folder', () => {
    expect(resolveRequest('/srv/site', '/../etc/passwd')).toBe('/srv/site/etc/passwd');
    expect(resolveRequest('/srv/site', '/%2e%2e/%2e%2e/etc/passwd')).toBe('/srv/site/etc/passwd');
    expect(resolveRequest('/srv/site', '/a%00b')).toBeUndefined();
    expect(resolveRequest('/srv/site', '/%E4%BC%91.pdf')).toBe('/srv/site/休.pdf');
  });
});
