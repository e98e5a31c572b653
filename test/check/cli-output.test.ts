import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE, REPO, STACK_TRACE, TODAY, copyBaseline, replaceOnce, runHall } from './helpers.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv | Ajv2020) => void;
const ESC = '\u001b[';

/** A copy of the baseline with two errors and two warnings, one of them with text that needs escaping. */
let broken: { root: string; dispose(): Promise<void> };
const check = (args: string[], env?: Record<string, string>) => runHall(['check', 'catalog', '--today', TODAY, ...args], { cwd: broken.root, env });
const checkBaseline = (args: string[], env?: Record<string, string>) => runHall(['check', 'catalog', ...args], { cwd: BASELINE, env });

beforeAll(async () => {
  broken = await copyBaseline();
  const edit = async (file: string, find: string, replace: string) => {
    const abs = path.join(broken.root, 'catalog', file);
    await writeFile(abs, replaceOnce(await readFile(abs, 'utf8'), find, replace, file));
  };
  await edit('xgc/student-leave.yaml', 'group: counselor', 'group: counsellor');
  await edit('xgc/student-leave.yaml', 'reviewed: 2026-09-01', 'reviewed: 2025-01-01');
  await edit('jsj/lab-booking.yaml', 'capacity: 40', 'capacity: 40\n      note: "TODO: 100%, 待定"');
  // A comma in a file name must be escaped in GitHub's property syntax.
  await writeFile(path.join(broken.root, 'catalog/jsj/draft,old.yaml'), '');
});

afterAll(async () => {
  await broken.dispose();
});

describe.concurrent('hall check exit codes', () => {
  it('exits 0 on a clean catalog and says so', async () => {
    const r = await checkBaseline(['--today', TODAY]);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe('✔ 没有发现问题（检查了 10 个文件）。\n');
  });

  it('exits 1 on findings, after every finding and a summary', async () => {
    const r = await check([]);
    expect([r.exitCode, r.stderr]).toEqual([1, '']);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('共 2 个错误，2 个警告（检查了 11 个文件）。');
  });

  it.each([
    { name: 'a missing folder', args: ['check', 'nowhere'], stderr: 'hall: 找不到目录文件夹“nowhere” / no catalog folder "nowhere"\n' },
    { name: 'a file outside any catalog', args: ['check', path.join(REPO, 'package.json')], stderr: `hall: “${path.join(REPO, 'package.json')}”不在任何目录（含 hall.yaml 的文件夹）之内 / "${path.join(REPO, 'package.json')}" is not inside a catalog (a folder with hall.yaml)\n` },
    { name: 'a bad --today', args: ['check', 'catalog', '--today', '2026/10/01'], stderr: 'hall: --today 应写成 YYYY-MM-DD / --today must be YYYY-MM-DD\n' },
    { name: 'a bad --format', args: ['check', 'catalog', '--format', 'xml'], stderr: '错误：选项“--format <format>”的值“xml”无效，可选：pretty、json、github、sarif\n' },
    { name: 'a bad --fail-on', args: ['check', 'catalog', '--fail-on', 'info'], stderr: '错误：选项“--fail-on <severity>”的值“info”无效，可选：error、warning\n' },
    { name: 'a bad --lang', args: ['check', 'catalog', '--lang', 'fr'], stderr: '错误：选项“--lang <lang>”的值“fr”无效，可选：zh、en\n' },
    { name: 'an unknown option', args: ['check', 'catalog', '--colour'], stderr: /^错误：没有选项“--colour”/ },
    { name: 'an unknown option in English', args: ['check', 'catalog', '--colour', '--lang', 'en'], stderr: /^error: unknown option '--colour'/ },
    { name: 'an unknown command', args: ['chek'], stderr: '错误：没有命令“chek”\n（是不是想写 check？）\n' },
  ])('exits 2 on $name, without a stack trace', async ({ args, stderr }) => {
    const r = await runHall(args, { cwd: BASELINE });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    if (typeof stderr === 'string') expect(r.stderr).toBe(stderr);
    else expect(r.stderr).toMatch(stderr);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('exits 1 on warnings only with --fail-on warning', async () => {
    const late = ['--today', '2027-09-02'];
    const [lenient, strict] = await Promise.all([checkBaseline(late), checkBaseline([...late, '--fail-on', 'warning'])]);
    expect(lenient.exitCode).toBe(0);
    expect(lenient.stdout).toContain('共 0 个错误，5 个警告');
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toBe(lenient.stdout);
  });
});

describe.concurrent('hall check language and colour', () => {
  it('writes Chinese by default and English with --lang en or HALL_LANG=en', async () => {
    const [zh, en, fromEnv] = await Promise.all([check([]), check(['--lang', 'en']), check([], { HALL_LANG: 'en' })]);
    expect(zh.stdout).toContain('roles.yaml 中没有群组“counsellor”。是不是想写“counselor”？');
    expect(zh.stdout).toContain('  怎么改：');
    expect(en.stdout).toContain('roles.yaml has no group "counsellor". Did you mean "counselor"?');
    expect(en.stdout).toContain('  How to fix: ');
    expect(en.stdout).toContain('2 errors, 2 warnings in 11 files.');
    expect(en.stdout).not.toMatch(/怎么改|错误|警告/);
    expect(fromEnv.stdout).toBe(en.stdout);
  });

  it('shows the line with a caret under the finding', async () => {
    const r = await check(['--lang', 'en']);
    expect(r.stdout).toContain([
      'catalog/xgc/student-leave.yaml:91:14  error  ref/unknown-group',
      '  roles.yaml has no group "counsellor". Did you mean "counselor"?',
      '    89 |     - id: counselor-review',
      '    90 |       name: 辅导员审核',
      '  > 91 |       group: counsellor',
      '       |              ^^^^^^^^^^',
      '    92 |       scope: applicant.class',
      '    93 |       department: applicant.college',
      '  How to fix: Use a group from roles.yaml, or add one there with its maintainer.',
    ].join('\n'));
  });

  it.each([
    { env: {}, colour: false },
    { env: { FORCE_COLOR: '1' }, colour: true },
    { env: { FORCE_COLOR: '0' }, colour: false },
    { env: { NO_COLOR: '1' }, colour: false },
    { env: { NO_COLOR: '1', FORCE_COLOR: '1' }, colour: false },
  ] as { env: Record<string, string>; colour: boolean }[])('colours pretty output: $env → $colour', async ({ env, colour }) => {
    const r = await check([], env);
    expect(r.stdout.includes(ESC)).toBe(colour);
  });

  it('never colours machine formats or --out', async () => {
    const out = path.join(broken.root, 'coloured.txt');
    const results = await Promise.all([...['json', 'github', 'sarif'].map((f) => check(['--format', f], { FORCE_COLOR: '1' })), check(['--out', out], { FORCE_COLOR: '1' })]);
    for (const r of results) expect(r.stdout.includes(ESC)).toBe(false);
    expect((await readFile(out, 'utf8')).includes(ESC)).toBe(false);
  });
});

describe.concurrent('hall check --out', () => {
  it.each(['pretty', 'json', 'github', 'sarif'])('writes the %s report to the file, not to stdout, and keeps the exit code', async (format) => {
    const out = path.join(broken.root, `report.${format}`);
    const [written, printed] = await Promise.all([check(['--format', format, '--out', out]), check(['--format', format])]);
    expect([written.exitCode, written.stdout, written.stderr]).toEqual([1, '', '']);
    expect(await readFile(out, 'utf8')).toBe(printed.stdout);
  });
});

describe.concurrent('hall check --format json', () => {
  /** The documented shape of `--format json` (cli/diagnostics/format/json.ts). */
  const REPORT_SCHEMA = {
    type: 'object',
    additionalProperties: false,
    required: ['version', 'summary', 'diagnostics'],
    properties: {
      version: { const: 1 },
      summary: {
        type: 'object',
        additionalProperties: false,
        required: ['errors', 'warnings', 'files'],
        properties: { errors: { type: 'integer', minimum: 0 }, warnings: { type: 'integer', minimum: 0 }, files: { type: 'integer', minimum: 0 } },
      },
      diagnostics: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['code', 'severity', 'title', 'message', 'hint', 'file', 'line', 'column', 'endLine', 'endColumn', 'path'],
          properties: {
            code: { type: 'string', pattern: '^[a-z]+/[a-z-]+$' },
            severity: { enum: ['error', 'warning', 'info'] },
            title: { type: 'string', minLength: 1 },
            message: { type: 'string', minLength: 1, not: { pattern: '\\{\\w+\\}' } },
            hint: { type: 'string' },
            file: { type: 'string', pattern: '^catalog/' },
            line: { type: 'integer', minimum: 1 },
            column: { type: 'integer', minimum: 1 },
            endLine: { type: 'integer', minimum: 1 },
            endColumn: { type: 'integer', minimum: 1 },
            path: { type: 'array', items: { type: ['string', 'integer'] } },
          },
        },
      },
    },
  };

  it('parses and has the documented shape', async () => {
    const r = await check(['--format', 'json', '--lang', 'en']);
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout);
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(REPORT_SCHEMA);
    const valid = validate(report);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(report.summary).toEqual({ errors: 2, warnings: 2, files: 11 });
    expect(report.diagnostics.map((d: { code: string; file: string; line: number; column: number }) => `${d.code} ${d.file}:${d.line}:${d.column}`)).toEqual([
      'file/empty catalog/jsj/draft,old.yaml:1:1',
      'policy/todo catalog/jsj/lab-booking.yaml:44:13',
      'policy/review-overdue catalog/xgc/student-leave.yaml:61:13',
      'ref/unknown-group catalog/xgc/student-leave.yaml:91:14',
    ]);
    expect(report.diagnostics[3]).toMatchObject({ severity: 'error', title: 'Unknown role group', path: ['workflow', 'steps', 0, 'group'], endLine: 91, endColumn: 24 });
  });

  it('is an empty list on a clean catalog', async () => {
    const r = await checkBaseline(['--format', 'json', '--today', TODAY]);
    expect(JSON.parse(r.stdout)).toEqual({ version: 1, summary: { errors: 0, warnings: 0, files: 10 }, diagnostics: [] });
  });
});

describe.concurrent('hall check --format github', () => {
  /** GitHub's workflow command grammar: `::level key=value,…::message`, one per line. */
  const COMMAND = /^::(error|warning|notice) file=([^,:\n]+),line=(\d+),col=(\d+)(?:,endLine=(\d+))?(?:,endColumn=(\d+))?,title=([^,:\n]+)::([^\n\r]*)$/;

  it('prints one well-formed workflow command per finding', async () => {
    const r = await check(['--format', 'github']);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(COMMAND);
    const parsed = lines.map((l) => COMMAND.exec(l)!);
    expect(parsed.map((m) => `${m[1]} ${m[2]}:${m[3]}:${m[4]}`)).toEqual([
      'error catalog/jsj/draft%2Cold.yaml:1:1',
      'warning catalog/jsj/lab-booking.yaml:44:13',
      'warning catalog/xgc/student-leave.yaml:61:13',
      'error catalog/xgc/student-leave.yaml:91:14',
    ]);
  });

  it('escapes %, line breaks, and : and , in properties', async () => {
    const r = await check(['--format', 'github', '--lang', 'en']);
    const todo = r.stdout.split('\n').find((l) => l.includes('lab-booking'))!;
    expect(todo).toBe('::warning file=catalog/jsj/lab-booking.yaml,line=44,col=13,endLine=44,endColumn=29,title=policy/todo Left as TODO::This is still a placeholder: "TODO: 100%25, 待定".%0AFill it in before going online.');
    const unknown = r.stdout.split('\n').find((l) => l.includes('unknown-group'))!;
    expect(unknown).toContain('::roles.yaml has no group "counsellor". Did you mean "counselor"?%0AUse a group from roles.yaml');
  });

  it('prints nothing on a clean catalog', async () => {
    const r = await checkBaseline(['--format', 'github', '--today', TODAY]);
    expect([r.exitCode, r.stdout]).toEqual([0, '']);
  });
});

describe.concurrent('hall check --format sarif', () => {
  const loadSchema = async () => {
    const schema = JSON.parse(await readFile(path.join(REPO, 'test/fixtures/sarif/sarif-2.1.0-rtm.5.json'), 'utf8'));
    // Written for draft-04: its `id` and `$schema` are the only parts ajv's draft-07 class rejects.
    delete schema.$schema;
    delete schema.id;
    // Its patterns predate ES unicode mode (one has a stray `]`), so they are compiled without the u flag.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    return ajv.compile(schema);
  };

  it.each([
    { name: 'with findings', run: () => check(['--format', 'sarif']), results: 4 },
    { name: 'in English', run: () => check(['--format', 'sarif', '--lang', 'en']), results: 4 },
    { name: 'on a clean catalog', run: () => checkBaseline(['--format', 'sarif', '--today', TODAY]), results: 0 },
  ])('validates against the SARIF 2.1.0 schema $name', async ({ run, results }) => {
    const [validate, r] = await Promise.all([loadSchema(), run()]);
    const log = JSON.parse(r.stdout);
    validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results).toHaveLength(results);
  });

  it('points each result at its rule and its place', async () => {
    const log = JSON.parse((await check(['--format', 'sarif', '--lang', 'en'])).stdout);
    const { rules } = log.runs[0].tool.driver;
    for (const result of log.runs[0].results) expect(rules[result.ruleIndex].id).toBe(result.ruleId);
    expect(rules.map((r: { id: string }) => r.id)).toEqual(['file/empty', 'policy/review-overdue', 'policy/todo', 'ref/unknown-group']);
    expect(log.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'ref/unknown-group')).toMatchObject({
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'catalog/xgc/student-leave.yaml' }, region: { startLine: 91, startColumn: 14, endLine: 91, endColumn: 24 } } }],
    });
  });
});
