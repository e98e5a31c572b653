import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNew } from '../../cli/commands/new/run.ts';
import type { Prompter } from '../../cli/scaffold/answers.ts';
import { yamlScalar } from '../../cli/scaffold/scaffold.ts';
import { makeRepo, TODAY } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeRepo();
});
afterEach(() => repo.dispose());

interface CheckJson {
  diagnostics: { code: string; severity: string; file: string }[];
}

async function checkJson(): Promise<{ exitCode: number; diagnostics: CheckJson['diagnostics'] }> {
  const run = await repo.hall(['check', '--format', 'json', '--today', TODAY]);
  return { exitCode: run.exitCode ?? -1, diagnostics: (JSON.parse(String(run.stdout)) as CheckJson).diagnostics };
}

const FLAGS = ['--name', '测试事项', '--department', 'jsj', '--audiences', 'undergraduate,staff', '--topics', 'teaching', '--today', TODAY];

describe('hall new from flags', () => {
  it.each([
    { type: 'online', extra: [] },
    { type: 'guide', extra: [] },
    { type: 'link', extra: ['--url', 'https://lab.test.edu.cn', '--system', '实验室管理系统'] },
    { type: 'appointment', extra: ['--group', 'university-leader'] },
  ])('scaffolds a $type service that passes hall check with only "fill this in" warnings', async ({ type, extra }) => {
    const id = `new-${type}`;
    const run = await repo.hall(['new', '--id', id, '--type', type, ...FLAGS, ...extra]);
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(String(run.stdout)).toContain(`✔ 已创建 catalog/jsj/${id}.yaml（草稿，status: draft）。`);
    const { exitCode, diagnostics } = await checkJson();
    expect(exitCode).toBe(0);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(new Set(diagnostics.map((d) => `${d.code} ${d.severity} ${d.file}`))).toEqual(new Set([`policy/todo warning catalog/jsj/${id}.yaml`]));
    const service = parse(await repo.read(`catalog/jsj/${id}.yaml`)) as Record<string, unknown>;
    expect(service).toMatchObject({ id, type, status: 'draft', owner: 'jsj', audiences: ['undergraduate', 'staff'], topics: ['teaching'] });
    if (type !== 'guide') expect(service.channels).toEqual(['pc', 'wechat']); // every channel of the hall
  });

  it('fills in the department\'s office and the schema line, and keeps odd names intact', async () => {
    const name = '“一站式”服务: #1 * 测试';
    const run = await repo.hall(['new', '--id', 'odd-name', '--type', 'online', ...FLAGS.map((f) => (f === '测试事项' ? name : f)), '--name-en', "Tom's: service", '--participants', 'xgc']);
    expect(run.exitCode, String(run.stderr)).toBe(0);
    const text = await repo.read('catalog/jsj/odd-name.yaml');
    const service = parse(text) as { name: unknown; participants: string[]; guide: { locations: unknown[] }; workflow: { steps: { department: string; group: string; scope: string }[] } };
    expect(service.name).toEqual({ zh: name, en: "Tom's: service" });
    expect(service.participants).toEqual(['xgc']);
    expect(service.guide.locations).toEqual([{ name: '计算机学院', address: '计算机楼', room: '305室' }]);
    expect(service.workflow.steps[0]).toMatchObject({ group: 'department-deputy', scope: 'department', department: 'jsj' });
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${path.relative(path.join(repo.root, 'catalog/jsj'), path.join(import.meta.dirname, '../../schemas/service.schema.json')).split(path.sep).join('/')}`);
    // A cross-department service changes review routing: CODEOWNERS is regenerated with it.
    expect(new Set((await checkJson()).diagnostics.map((d) => d.code))).toContain('codeowners/stale');
    expect((await repo.hall(['codeowners', '--today', TODAY])).exitCode).toBe(0);
    expect((await checkJson()).exitCode).toBe(0);
  });

  it.each([
    { name: 'missing flags without a terminal', args: ['--id', 'x-service'], message: '缺少 --name、--type、--department、--audiences、--topics' },
    { name: 'an unknown department, with a suggestion', args: ['--id', 'x-service', '--type', 'guide', ...FLAGS.map((f) => (f === 'jsj' ? 'jsc' : f))], message: '没有部门“jsc”。是不是想写“jsj”？' },
    { name: 'an id already taken', args: ['--id', 'lab-booking', '--type', 'guide', ...FLAGS], message: '标识“lab-booking”已被 catalog/jsj/lab-booking.yaml 使用。' },
    { name: 'a malformed id', args: ['--id', 'Lab_Booking', '--type', 'guide', ...FLAGS], message: '标识“Lab_Booking”不合格' },
    { name: 'a link without its URL', args: ['--id', 'x-link', '--type', 'link', ...FLAGS], message: '缺少 --url' },
    { name: 'an unknown topic', args: ['--id', 'x-service', '--type', 'guide', ...FLAGS.map((f) => (f === 'teaching' ? 'teachin' : f))], message: '没有主题“teachin”。是不是想写“teaching”？' },
  ])('refuses $name (exit 2, nothing written)', async ({ args, message }) => {
    const run = await repo.hall(['new', ...args]);
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toContain(message);
    expect(await repo.git('status', '--porcelain')).toBe('');
  });
});

describe('hall new interactively', () => {
  it('asks for what the flags leave out and scaffolds a service that checks', async () => {
    const asked: string[] = [];
    const answers = new Map<string, unknown>([
      ['事项标识', 'asked-service'],
      ['事项名称', '问答生成的事项'],
      ['英文名称', 'Asked service'],
      ['办理方式', 'online'],
      ['主管部门', 'xgc'],
      ['参与办理的其他部门', ['jsj']],
      ['服务对象', ['undergraduate']],
      ['主题', ['student-affairs']],
      ['办理渠道', ['pc']],
      ['公开范围', 'campus'],
      ['第一个审核环节', 'counselor'],
    ]);
    const answer = (message: string, validate?: (value: never) => true | string) => {
      asked.push(message);
      const key = [...answers.keys()].find((k) => message.startsWith(k));
      if (!key) throw new Error(`unexpected question: ${message}`);
      const value = answers.get(key);
      if (validate) expect(validate(value as never)).toBe(true);
      return Promise.resolve(value);
    };
    const prompter: Prompter = {
      input: (q) => answer(q.message, q.validate as never) as Promise<string>,
      select: (q) => answer(q.message) as Promise<never>,
      checkbox: (q) => answer(q.message, q.validate as never) as Promise<never[]>,
    };
    const cwd = process.cwd();
    process.chdir(repo.root);
    try {
      const code = await runNew('catalog', { lang: 'zh', interactive: true, today: TODAY }, prompter);
      expect(code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(asked).toHaveLength(answers.size);
    const service = parse(await repo.read('catalog/xgc/asked-service.yaml')) as Record<string, unknown>;
    expect(service).toMatchObject({ id: 'asked-service', name: { zh: '问答生成的事项', en: 'Asked service' }, owner: 'xgc', participants: ['jsj'], classification: 'campus', channels: ['pc'] });
    expect((service.workflow as { steps: unknown[] }).steps[0]).toMatchObject({ group: 'counselor', scope: 'applicant.class', department: 'xgc' });
    expect((await repo.hall(['codeowners', '--today', TODAY])).exitCode).toBe(0);
    const { exitCode, diagnostics } = await checkJson();
    expect(exitCode).toBe(0);
    expect(new Set(diagnostics.map((d) => d.code))).toEqual(new Set(['policy/todo']));
  });
});

describe('yamlScalar', () => {
  it.each(['普通文字', 'yes', '2026-09-01', '123', 'a: b', '# 注释', '- 列表', '"引号"', "it's", 'line\nbreak', '  spaces  ', '*alias', '{x}'])('reads back %j unchanged', (value) => {
    expect(parse(`k: ${yamlScalar(value)}\n`)).toEqual({ k: value });
  });
});
