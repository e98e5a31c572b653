import { Help } from 'commander';
import type { Argument, Command, Option } from 'commander';
import type { Lang } from '../diagnostics/diagnostic.ts';

/**
 * The language of the command line itself, known before Commander parses anything: `--lang en` (or
 * `--lang=en`) anywhere on the line, else HALL_LANG=en, else Chinese.
 */
export function uiLang(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Lang {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') break;
    const value = argv[i] === '--lang' ? argv[i + 1] : argv[i].startsWith('--lang=') ? argv[i].slice('--lang='.length) : undefined;
    if (value === 'en' || value === 'zh') return value;
  }
  return env.HALL_LANG === 'en' ? 'en' : 'zh';
}

const TITLES: Record<string, string> = {
  'Usage:': '用法：',
  'Arguments:': '参数：',
  'Options:': '选项：',
  'Global Options:': '全局选项：',
  'Commands:': '命令：',
};

/** Commander's own error messages (commander/lib/command.js), each with its Chinese reading. */
const ERRORS: [RegExp, (...m: string[]) => string][] = [
  [/^error: unknown option '(.+?)'/, (f) => `错误：没有选项“${f}”`],
  [/^error: unknown command '(.+?)'/, (c) => `错误：没有命令“${c}”`],
  [/^error: missing required argument '(.+?)'/, (a) => `错误：缺少必需的参数“${a}”`],
  [/^error: required option '(.+?)' not specified/, (o) => `错误：缺少必需的选项“${o}”`],
  [/^error: option '(.+?)' argument missing/, (o) => `错误：选项“${o}”后面缺少值`],
  [/^error: option '(.+?)' argument '(.*?)' is invalid\. Allowed choices are (.+)\./s, (o, v, c) => `错误：选项“${o}”的值“${v}”无效，可选：${c.split(', ').join('、')}`],
  [/^error: option '(.+?)' argument '(.*?)' is invalid\.(.*)/s, (o, v, rest) => `错误：选项“${o}”的值“${v}”无效。${rest.trim()}`],
  [/^error: command-argument value '(.*?)' is invalid for argument '(.+?)'\. Allowed choices are (.+)\./s, (v, a, c) => `错误：参数“${a}”的值“${v}”无效，可选：${c.split(', ').join('、')}`],
  [/^error: too many arguments(?: for '(.+?)')?\. Expected (\d+) arguments? but got (\d+): (.*)\./s, (cmd, n, got, list) => `错误：${cmd ? `命令“${cmd}”的` : ''}参数过多：应为 ${n} 个，实际 ${got} 个（${list}）`],
  [/^error: (.+?) cannot be used with (.+)/, (a, b) => `错误：${a} 不能与 ${b} 同时使用`],
];

/** One Commander error line in Chinese; what it does not know stays as it was, with 错误 for error. */
export function translateCommanderError(text: string): string {
  const [line, ...rest] = text.replace(/\n$/, '').split('\n');
  let out = line.replace(/^error: /, '错误：');
  for (const [pattern, render] of ERRORS) {
    const m = pattern.exec(line);
    if (m) {
      out = render(...m.slice(1));
      break;
    }
  }
  const tail = rest.map((r) => r.replace(/^\(Did you mean one of (.+)\?\)$/, '（是不是想写以下之一：$1？）').replace(/^\(Did you mean (.+)\?\)$/, '（是不是想写 $1？）'));
  return [out, ...tail].join('\n') + '\n';
}

/**
 * Make `program` speak `lang`: the help headings, the texts of help and version options and of the help
 * command, the (default: …)/(choices: …) notes, and every error Commander prints. Subcommands created
 * after this call inherit it. English is Commander's own.
 */
export function localizeProgram(program: Command, lang: Lang): void {
  const zh = lang === 'zh';
  program.helpOption('-h, --help', zh ? '显示帮助' : 'display help for command');
  program.helpCommand('help [command]', zh ? '显示某个命令的帮助' : 'display help for command');
  if (!zh) return;
  const note = (text: string) => text.replace(/\((choices: .*?)?(, )?(default: .*)?\)$/, (_all, choices?: string, _sep?: string, def?: string) => {
    const parts = [choices && choices.replace(/^choices: /, '可选：'), def && def.replace(/^default: /, '默认：')].filter(Boolean);
    return `（${parts.join('；')}）`;
  });
  program.configureHelp({
    styleTitle: (title: string) => TITLES[title] ?? title,
    styleUsage: (usage: string) => usage.replace('[options]', '[选项]').replace('[command]', '[命令]'),
    subcommandTerm(command: Command) {
      return Help.prototype.subcommandTerm.call(this, command).replace('[options]', '[选项]');
    },
    optionDescription(option: Option) {
      return note(Help.prototype.optionDescription.call(this, option));
    },
    argumentDescription(argument: Argument) {
      return note(Help.prototype.argumentDescription.call(this, argument));
    },
  });
  program.configureOutput({ outputError: (text, write) => write(translateCommanderError(text)) });
}
