import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { formatDiagnostics } from '../../cli/diagnostics/format/index.ts';
import { renderDiagnostic } from '../../cli/diagnostics/registry.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { compileCalendar } from '../../cli/compile/compile-runtime.ts';
import { parseServiceFile } from '../../cli/load/parse-file.ts';
import type { Service } from '../../cli/model/catalog.ts';
import { checkEdited, copyBaseline, findingsOf, NODE, REPO, runHall, STACK_TRACE, sub } from './helpers.ts';

/** Issue 12 (items 1, 3, 4, 5) and issue 11 (items 12, 13): input that must never hang, crash or pass unseen. */

const LEAVE = 'xgc/student-leave.yaml';
const DESTINATION = 'visibleIf: leaveCampus = true';
const withPattern = (pattern: string) => sub(LEAVE, DESTINATION, `${DESTINATION}\n          pattern: '${pattern}'`);
const LEAVE_SCENARIO_DATA = 'data: { studentName: 张晓明, days: 5, leaveCampus: false }';

/** Run a module snippet in its own Node process, so code that hangs is killed by the timeout instead of hanging the test run. */
async function isolated(code: string, timeout = 30_000) {
  return execa(NODE, ['--input-type=module', '-e', code], { cwd: REPO, reject: false, timeout, all: true });
}

describe('12.1 form patterns run within a budget', () => {
  it('validateSubmission refuses a 35-character value against ^(a+)+$ at once instead of hanging', async () => {
    const result = await checkEdited([withPattern('^(a+)+$')]);
    const service = result.catalog.services.get('student-leave')!.value as Service;
    const definition = compileDefinition(service, 1, 'test');
    const run = await isolated(`
      import { validateSubmission } from './lib/runtime/index.ts';
      const definition = ${JSON.stringify(definition)};
      const data = { studentName: '张晓明', days: 5, leaveCampus: true, destination: 'a'.repeat(34) + 'b' };
      const started = process.cpuUsage();
      const errors = validateSubmission(definition, data, { name: '张晓明' });
      const used = process.cpuUsage(started);
      console.log(JSON.stringify({ ms: (used.user + used.system) / 1000, errors }));
    `);
    expect(run.timedOut, run.all).toBe(false);
    const out = JSON.parse(run.stdout) as { ms: number; errors: { field: string; message: { zh: string } }[] };
    expect(out.errors).toEqual([{ field: 'destination', label: '去往地点', message: { zh: '格式不正确', en: 'has the wrong format' } }]);
    // CPU time, not the wall clock, so a loaded machine does not fail it; the process timeout catches a hang.
    expect(out.ms).toBeLessThan(5_000);
  });

  it('enforces each pattern of a form, not the first one compiled for all', async () => {
    const result = await checkEdited([withPattern('^[a-z]+$'), sub(LEAVE, '          prefill: applicant.name', "          prefill: applicant.name\n          pattern: '^张'")]);
    const definition = compileDefinition(result.catalog.services.get('student-leave')!.value as Service, 1, 'test');
    const { validateSubmission } = await import('../../lib/interpret/validate-submission.ts');
    const errors = validateSubmission(definition, { studentName: '李四', days: 5, leaveCampus: true, destination: 'abc' }, {});
    expect(errors.map((e) => e.field)).toEqual(['studentName']);
    expect(validateSubmission(definition, { studentName: '张三', days: 5, leaveCampus: true, destination: 'ab1' }, {}).map((e) => e.field)).toEqual(['destination']);
  });

  it('evaluates a pattern as JavaScript would: . and \\s keep their JavaScript meaning on RE2', async () => {
    const { linearRegExp } = await import('../../lib/interpret/pattern.ts');
    const cases: [string, string][] = [['^\\s$', '\u3000'], ['^.$', '\r'], ['^.$', '\u2028'], ['^[\\s]+$', '\u00a0 '], ['^\\S+$', 'a\u3000'], ['^[\\u4e00-\\u9fa5]{2}$', '中文'], ['(/.*)?$', 'x/\r']];
    for (const [pattern, value] of cases) expect(linearRegExp(pattern).test(value), `${pattern} on ${JSON.stringify(value)}`).toBe(new RegExp(pattern, 'u').test(value));
  });

  it('refuses an over-long value before any pattern reads it', async () => {
    const result = await checkEdited([withPattern('^[a-z]+$')]);
    const definition = compileDefinition(result.catalog.services.get('student-leave')!.value as Service, 1, 'test');
    const { validateSubmission } = await import('../../lib/interpret/validate-submission.ts');
    const errors = validateSubmission(definition, { studentName: '张晓明', days: 5, leaveCampus: true, destination: 'a'.repeat(20_000) }, {});
    expect(errors.map((e) => [e.field, e.message.en])).toEqual([['destination', 'is too long: at most 10000 characters']]);
  });

  it('hall test on a catalog with a backtracking pattern ends promptly: check refuses it first', async () => {
    const repo = await copyBaseline();
    try {
      const file = path.join(repo.root, 'catalog', LEAVE);
      let text = await readFile(file, 'utf8');
      text = text.replace(DESTINATION, () => `${DESTINATION}\n          pattern: '^(a+)+$'`).replace(LEAVE_SCENARIO_DATA, () => `data: { studentName: 张晓明, days: 5, leaveCampus: true, destination: ${'a'.repeat(34)}b }`);
      await writeFile(file, text);
      const run = await runHall(['test'], { cwd: repo.root, env: { NO_COLOR: '1' } });
      expect(run.timedOut).toBe(false);
      expect(run.exitCode).toBe(1);
      expect(run.stdout + run.stderr, run.stdout + run.stderr).toMatch(/pattern\/super-linear/);
      expect(run.stdout + run.stderr).not.toMatch(STACK_TRACE);
    } finally {
      await repo.dispose();
    }
  });
});

describe('12.3 notification templates are a closed language', () => {
  const cases: [string, string, string, number][] = [
    ['a partial', '{{> footer}}', '片段引用（partial）', 4],
    ['a hash argument reaching for the constructor', '{{applicant.name x=constructor.constructor}}', '命名参数', 4],
    ['a helper we do not define', '{{lookup applicant "name"}}', '未定义的助手函数', 4],
    ['a subexpression', '{{#if (lookup applicant "name")}}x{{/if}}', '子表达式', 10],
    ['each', '{{#each form}}{{form.days}}{{/each}}', '不支持的块', 4],
    ['a raw block', '{{{{raw}}}}{{x}}{{{{/raw}}}}', '不支持的块', 4],
    ['a decorator', '{{#*inline "p"}}x{{/inline}}', '装饰器', 4],
    ['a comment hiding a partial', '{{!-- {{> footer}} --}}', '模板注释', 4],
    ['@root', '{{@root.applicant}}', '@ 数据变量', 4],
    ['a parent reference', '{{../applicant.name}}', 'this 或 ../ 上下文引用', 4],
    ['this', '{{this}}', 'this 或 ../ 上下文引用', 4],
    ['a prototype name', '{{applicant.constructor}}', '不允许的变量名', 4],
    ['a literal', '{{"x"}}', '字面量', 4],
  ];
  it.each(cases)('%s is a positioned check error', async (_, template, kind, column) => {
    const result = await checkEdited([sub(LEAVE, '"{{applicant.name}}同学，您的请假已批准。"', `'同学 ${template}'`)]);
    const found = result.diagnostics.filter((d) => d.code === 'template/not-allowed');
    expect(found.map((d) => `${d.line}:${d.column}`)).toEqual(['121:15']);
    expect(renderDiagnostic(found[0], 'zh').message).toContain(`第 1 行第 ${column} 列`);
    expect(renderDiagnostic(found[0], 'zh').message).toContain(kind);
  });

  it('if/else on a known variable stays allowed', async () => {
    expect(await findingsOf([sub(LEAVE, '"{{applicant.name}}同学，您的请假已批准。"', '"{{#if form.leaveCampus}}离校{{else}}在校{{/if}}{{applicant.name}}"')])).toEqual([]);
  });

  it('the interpreter ends a run whose template cannot be rendered with outcome error, never an exception', async () => {
    const result = await checkEdited([sub(LEAVE, '"{{applicant.name}}同学，您的请假已批准。"', '"{{> footer}}{{applicant.name x=constructor.constructor}}"')]);
    const service = result.catalog.services.get('student-leave')!.value as Service;
    const calendar = new WorkCalendar(compileCalendar(result.catalog.hall!.value));
    const run = runWorkflow(compileDefinition(service, 1, 'test'), calendar, {
      applicant: { name: '张晓明', college: 'jsj', class: 'jsj-2301' }, data: { studentName: '张晓明', days: 1, leaveCampus: false },
      decisions: [{ step: 'counselor-review', action: 'approve' }], submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'student-leave', name: '学生请假' },
    });
    expect(run.outcome).toBe('error');
    expect(run.problem?.en).toContain('a partial');
  });
});

describe('12.4 YAML tags outside the core schema', () => {
  it('are errors at the tag, in service, department, roles and hall files', async () => {
    const found = await findingsOf([
      sub(LEAVE, '  summary: 学生因病', '  summary: !evil 学生因病'),
      sub('xgc/department.yaml', '  name: 王校长', '  name: !!js/function 王校长'),
      sub('roles.yaml', '  - id: counselor\n', '  - id: !!js/regexp counselor\n'),
      sub('hall.yaml', 'apiVersion: servicehall/v1', 'apiVersion: !!binary c2VydmljZWhhbGwvdjE='),
    ]);
    expect(found.filter((f) => f.startsWith('yaml/unknown-tag'))).toEqual([
      'yaml/unknown-tag hall.yaml:2:13',
      'yaml/unknown-tag roles.yaml:4:9',
      'yaml/unknown-tag xgc/department.yaml:9:9',
      'yaml/unknown-tag xgc/student-leave.yaml:18:12',
    ]);
  });

  it('core tags (!!str, !!int) are fine', async () => {
    expect(await findingsOf([sub(LEAVE, '  summary: 学生因病', '  summary: !!str 学生因病')])).toEqual([]);
  });
});

describe('12.5 the work per file is bounded', () => {
  const flowMap = (n: number) => `apiVersion: servicehall/v1\nkind: Service\nid: big\nextra: {${Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join(', ')}}\n`;
  const timeParse = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    // CPU time of this process, best of three: other processes on a busy machine (a parallel test file, another
    // build) stretch wall time, which is what made this ratio fail under load, but not the work done here.
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = process.cpuUsage();
      parseServiceFile(bytes, 'catalog/x/big.yaml');
      const used = process.cpuUsage(started);
      best = Math.min(best, used.user + used.system);
    }
    return best;
  };

  it('parsing grows linearly with the keys of one flow mapping (2,000 → 16,000 keys: under 24×; linear is 8×, square 64×)', () => {
    timeParse(flowMap(1_000));
    const small = timeParse(flowMap(2_000));
    const large = timeParse(flowMap(16_000));
    expect(large / small).toBeLessThan(24);
  }, 180_000);

  it('a file of 200,000 keys in one flow mapping is refused quickly with one finding', async () => {
    const repo = await copyBaseline();
    try {
      const keys: string[] = [];
      const a = 'abcdefghijklmnopqrstuvwxyz';
      for (let i = 0; keys.length < 200_000; i++) keys.push(a[i % 26] + a[Math.floor(i / 26) % 26] + a[Math.floor(i / 676) % 26] + a[Math.floor(i / 17576) % 26]);
      await writeFile(path.join(repo.root, 'catalog/xgc/big.yaml'), `{${keys.join(',')}}\n`);
      const started = Date.now();
      const run = await runHall(['check'], { cwd: repo.root, env: { NO_COLOR: '1' } });
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toContain('file/too-complex');
      expect(run.stdout.length).toBeLessThan(5_000);
    } finally {
      await repo.dispose();
    }
  }, 120_000);

  it('lists 100 findings per file and counts the rest', async () => {
    const keys = Array.from({ length: 900 }, (_, i) => `k${i}: 1`).join(', ');
    const result = await checkEdited([{ file: 'xgc/big.yaml', write: `{apiVersion: servicehall/v1, kind: Service, id: big, ${keys}}\n` }]);
    const own = result.diagnostics.filter((d) => d.file === 'catalog/xgc/big.yaml');
    expect(own).toHaveLength(101);
    expect(own.at(-1)!.code).toBe('file/more-problems');
    expect(renderDiagnostic(own.at(-1)!, 'zh').message).toMatch(/^这个文件还有 \d{3} 个问题没有列出。$/);
    expect(renderDiagnostic(own.at(-1)!, 'en').message).toMatch(/^And \d{3} more problems in this file, not listed\.$/);
  });

  it('a code frame shows the part of a long line around the column, never the whole line', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}: 1`).join(', ');
    const result = await checkEdited([{ file: 'xgc/big.yaml', write: `{apiVersion: servicehall/v1, kind: Service, id: big, ${keys}}\n` }]);
    const text = `{apiVersion: servicehall/v1, kind: Service, id: big, ${keys}}\n`;
    const out = formatDiagnostics('pretty', result.diagnostics.filter((d) => d.file === 'catalog/xgc/big.yaml').slice(0, 3), { lang: 'zh', color: false, filesChecked: 1, sources: new Map([['catalog/xgc/big.yaml', text]]) });
    for (const line of out.split('\n')) expect(line.length).toBeLessThan(400);
    expect(out).toContain('…');
  });
});

describe('11.12 line endings', () => {
  it('a catalog file with CRLF line ends is a positioned warning', async () => {
    const result = await checkEdited([{ file: 'xgc/department.yaml', write: (await readFile(path.join(REPO, 'test/fixtures/baseline/catalog/xgc/department.yaml'), 'utf8')).replace(/\n/g, '\r\n') }]);
    const found = result.diagnostics.filter((d) => d.file.endsWith('xgc/department.yaml')).map((d) => `${d.code} ${d.severity} ${d.line}:${d.column}`);
    expect(found).toEqual(['file/crlf warning 1:27']);
  });

  it('.gitattributes stores catalog text with LF', () => {
    for (const file of ['catalog/bwc/student-leave.yaml', 'catalog/hall.yaml', 'docs/x.md', 'catalog/a.yml']) {
      expect(execFileSync('git', ['check-attr', 'eol', '--', file], { cwd: REPO, encoding: 'utf8' }).trim()).toBe(`${file}: eol: lf`);
    }
    expect(execFileSync('git', ['check-attr', 'binary', '--', 'catalog/bwc/files/x.pdf'], { cwd: REPO, encoding: 'utf8' }).trim()).toBe('catalog/bwc/files/x.pdf: binary: set');
  });
});

describe('11.13 slips of Chinese keyboards', () => {
  it('a full-width colon after a key is named, at the colon', async () => {
    const result = await checkEdited([sub(LEAVE, '  contingency: 系统无法使用时', '  contingency：系统无法使用时')]);
    const found = result.diagnostics.filter((d) => d.file.endsWith(LEAVE));
    expect(found.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual(['yaml/fullwidth-colon 60:14']);
    expect(renderDiagnostic(found[0], 'zh').message).toContain('“contingency”后面是中文（全角）冒号“：”');
  });

  it.each([
    ['a zero-width space in an id', sub(LEAVE, 'group: counselor', 'group: counse\u200blor'), 'U+200B', '零宽空格', '91:20'],
    ['a no-break space in a key', sub(LEAVE, '  contingency: 系统', '  contin\u00a0gency: 系统'), 'U+00A0', '不换行空格', '60:9'],
    ['a full-width space after an id', sub(LEAVE, 'owner: xgc', 'owner: xgc\u3000'), 'U+3000', '全角空格', '10:11'],
    ['a BOM in the middle of the file', sub(LEAVE, 'scope: applicant.class', 'scope: \ufeffapplicant.class'), 'U+FEFF', '零宽不换行空格', '92:14'],
  ])('%s is named and shown', async (_, edit, code, name, position) => {
    const result = await checkEdited([edit]);
    const found = result.diagnostics.filter((d) => d.code === 'text/invisible-char');
    expect(found.map((d) => `${d.line}:${d.column}`)).toEqual([position]);
    const message = renderDiagnostic(found[0], 'zh').message;
    expect(message).toContain(code);
    expect(message).toContain(name);
    expect(message).toContain(`<${code}>`);
  });

  it('a full-width space inside prose is fine', async () => {
    expect(await findingsOf([sub(LEAVE, '  contingency: 系统无法使用时', '  contingency: 系统无法使用时\u3000')])).toEqual([]);
  });

  it('group: 辅导员 suggests the group whose Chinese name it is', async () => {
    const result = await checkEdited([sub(LEAVE, 'group: counselor', 'group: 辅导员')]);
    const found = result.diagnostics.filter((d) => d.code === 'ref/unknown-group');
    expect(found).toHaveLength(1);
    expect(renderDiagnostic(found[0], 'zh').message).toBe('roles.yaml 中没有群组“辅导员”。是不是想写“counselor”？');
  });
});
