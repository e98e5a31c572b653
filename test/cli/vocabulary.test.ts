import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command, Option } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIAGNOSTICS } from '../../cli/diagnostics/registry.ts';
import { createProgram } from '../../cli/program.ts';
import { compileDiagnosticReference } from '../../cli/site/reference.ts';
import { ROOT, hall } from '../helpers/cli.ts';

/** Issue 11.15: one vocabulary across commands, Commander's own texts in Chinese, English plurals, SARIF help links. */
vi.setConfig({ testTimeout: 180_000 });
const BASELINE = path.join(ROOT, 'test/fixtures/baseline');
const TODAY = '2026-10-01';

/** Options kept, hidden, under an older name so scripts written against it keep working; nothing else may hide. */
const LEGACY: Record<string, string[]> = { check: ['--output'], diff: ['--output'] };
/** Every output format any command offers: one name per format. */
const FORMATS = ['pretty', 'json', 'github', 'sarif', 'markdown', 'csv'];
/** Option names whose value may differ in kind between commands, with the kinds allowed. */
const KINDS: Record<string, string[]> = { '--out': ['--out <dir>', '--out <file>'] };

/** Every command that runs: a group such as `hall directory` counts by its subcommands (`hall directory check`). */
const commandsOf = async (lang: 'zh' | 'en') =>
  (await createProgram(lang)).commands.filter((c) => c.name() !== 'help').flatMap((c) => (c.commands.length ? c.commands.filter((s) => s.name() !== 'help') : [c]));
const hidden = (o: Option) => (o as Option & { hidden: boolean }).hidden;

describe('the options of every command', () => {
  it('every command works on a catalog named by a last, optional [dir], never by --dir', async () => {
    const commands = await commandsOf('zh');
    expect(commands.length).toBeGreaterThanOrEqual(12);
    for (const command of commands) {
      const args = command.registeredArguments;
      expect([command.name(), args.at(-1)?.name(), args.at(-1)?.required]).toEqual([command.name(), 'dir', false]);
      expect(command.options.filter((o) => o.long === '--dir').map((o) => `${command.name()} ${o.flags}`)).toEqual([]);
    }
  });

  it('names where output goes --out (a folder or a file), and nothing else', async () => {
    for (const command of await commandsOf('zh')) {
      const outputs = command.options.filter((o) => /^--(out|output)/.test(o.long ?? '') && !hidden(o));
      for (const o of outputs) expect([command.name(), o.flags]).toEqual([command.name(), expect.stringMatching(/^--out <(dir|file)>$/)]);
      const concealed = command.options.filter(hidden).map((o) => o.long);
      expect([command.name(), concealed]).toEqual([command.name(), (command.parent?.name() === 'hall' ? LEGACY[command.name()] : undefined) ?? []]);
    }
  });

  it('gives every format one name, and every option one meaning', async () => {
    const flags = new Map<string, Set<string>>();
    for (const command of await commandsOf('zh')) {
      for (const o of command.options) {
        if (!o.long || hidden(o)) continue;
        flags.set(o.long, (flags.get(o.long) ?? new Set()).add(o.flags));
        if (o.long === '--format') for (const choice of o.argChoices ?? []) expect([command.name(), choice]).toEqual([command.name(), expect.toBeOneOf(FORMATS)]);
      }
      const lang = command.options.find((o) => o.long === '--lang');
      expect([command.name(), lang?.argChoices]).toEqual([command.name(), ['zh', 'en']]);
    }
    for (const [long, seen] of flags) expect([long, [...seen].sort()]).toEqual([long, KINDS[long] ? expect.toSatisfy((s: string[]) => s.every((f) => KINDS[long].includes(f))) : [[...seen][0]]]);
  });

  it('speaks Chinese in every help text under the Chinese UI, and English under the English one', async () => {
    const [zh, en] = await Promise.all([createProgram('zh'), createProgram('en')]);
    const all = (p: Command) => [p, ...p.commands];
    for (const command of all(zh)) {
      const text = command.helpInformation();
      expect(text, command.name()).toMatch(/^用法： hall/);
      expect(text, command.name()).toContain('选项：');
      expect(text, command.name()).toContain('显示帮助');
      expect(text, command.name()).not.toMatch(/Usage:|Options:|Arguments:|Commands:|display help|\(default: |\(choices: |\[options\]/);
    }
    for (const command of all(en)) expect(command.helpInformation(), command.name()).toMatch(/^Usage: hall/);
  });
});

describe('the command line as a process', () => {
  it.each([
    { args: ['retire', 'x'], zh: '错误：缺少必需的选项“--reason <text>”\n', en: "error: required option '--reason <text>' not specified\n" },
    { args: ['retire', '--reason', '不再办理'], zh: '错误：缺少必需的参数“id”\n', en: "error: missing required argument 'id'\n" },
    { args: ['check', '--formt', 'json'], zh: '错误：没有选项“--formt”\n（是不是想写 --format？）\n', en: "error: unknown option '--formt'\n(Did you mean --format?)\n" },
    { args: ['stats', '--format', 'md'], zh: '错误：选项“--format <format>”的值“md”无效，可选：markdown、json、csv\n', en: "error: option '--format <format>' argument 'md' is invalid. Allowed choices are markdown, json, csv.\n" },
  ])('says what went wrong with $args in the UI language, exit 2', async ({ args, zh, en }) => {
    const [inZh, inEn, inEnBefore] = await Promise.all([
      hall(args, { cwd: BASELINE }),
      hall([...args, '--lang', 'en'], { cwd: BASELINE }),
      hall(['--lang', 'en', ...args], { cwd: BASELINE }),
    ]);
    expect([inZh.exitCode, inZh.stderr]).toEqual([2, zh.trimEnd()]);
    expect([inEn.exitCode, inEn.stderr]).toEqual([2, en.trimEnd()]);
    expect([inEnBefore.exitCode, inEnBefore.stderr]).toEqual([2, en.trimEnd()]);
  });

  it('takes --lang before the subcommand as well as after it', async () => {
    const [before, after, inZh] = await Promise.all([
      hall(['--lang', 'en', 'check', '--today', TODAY], { cwd: BASELINE }),
      hall(['check', '--lang', 'en', '--today', TODAY], { cwd: BASELINE }),
      hall(['check', '--today', TODAY], { cwd: BASELINE }),
    ]);
    // execa drops the final newline.
    expect([before.exitCode, before.stdout]).toEqual([0, '✔ No problems found in 10 files.']);
    expect(after.stdout).toBe(before.stdout);
    expect(inZh.stdout).toBe('✔ 没有发现问题（检查了 10 个文件）。');
  });

  it('writes with --out where check wrote with --output, which still works', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hall-out-'));
    const [byOut, byOutput] = await Promise.all([
      hall(['check', '--today', TODAY, '--out', path.join(dir, 'a.txt')], { cwd: BASELINE }),
      hall(['check', '--today', TODAY, '--output', path.join(dir, 'b.txt')], { cwd: BASELINE }),
    ]);
    expect([byOut.exitCode, byOut.stdout, byOutput.exitCode, byOutput.stdout]).toEqual([0, '', 0, '']);
    expect(await readFile(path.join(dir, 'a.txt'), 'utf8')).toBe(await readFile(path.join(dir, 'b.txt'), 'utf8'));
    await rm(dir, { recursive: true, force: true });
  });
});

describe('English counts', () => {
  it('no English message in cli/ writes a plural as "(s)"', async () => {
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const abs = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(abs);
        else if (entry.name.endsWith('.ts')) {
          (await readFile(abs, 'utf8')).split('\n').forEach((line, i) => {
            // "(s)" glued to a word and followed by a word or the end of a sentence: a plural left undecided.
            if (/[a-z]\(s\)(?= [a-z{]|[,'"`]|\.(?:\s|$|['"`]))/.test(line)) found.push(`${path.relative(ROOT, abs)}:${i + 1}: ${line.trim()}`);
          });
        }
      }
    };
    await walk(path.join(ROOT, 'cli'));
    expect(found).toEqual([]);
  });
});

describe('SARIF links each code to its entry on the guide site', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await mkdtemp(path.join(os.tmpdir(), 'hall-sarif-'));
    await cp(path.join(BASELINE, 'catalog'), path.join(repo, 'catalog'), { recursive: true });
    const file = path.join(repo, 'catalog/xgc/student-leave.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('group: counselor', 'group: counsellor'));
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it.each([
    { lang: 'zh', page: 'https://guide.test.edu.cn/handbook/diagnostics/' },
    { lang: 'en', page: 'https://guide.test.edu.cn/en/handbook/diagnostics/' },
  ])('gives every rule a helpUri on the $lang reference page, at the entry the page renders', async ({ lang, page }) => {
    const r = await hall(['check', '--format', 'sarif', '--today', TODAY, '--lang', lang], { cwd: repo });
    const rules = (JSON.parse(r.stdout) as { runs: { tool: { driver: { rules: { id: string; helpUri?: string }[] } } }[] }).runs[0].tool.driver.rules;
    expect(rules.map((rule) => rule.id)).toContain('ref/unknown-group');
    const anchors = new Map(compileDiagnosticReference(DIAGNOSTICS).map((d) => [d.code, d.anchor]));
    for (const rule of rules) expect(rule.helpUri).toBe(`${page}#${anchors.get(rule.id)}`);
    expect(rules.find((rule) => rule.id === 'ref/unknown-group')?.helpUri).toBe(`${page}#ref-unknown-group`);
  });

  it('the reference page gives each entry the anchor the links use', async () => {
    const page = await readFile(path.join(ROOT, 'site/src/pages/[...lang]/handbook/diagnostics/index.astro'), 'utf8');
    expect(page).toContain('<h3 id={d.anchor}>');
  });
});
