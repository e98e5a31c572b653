import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import type { Lang } from './diagnostics/diagnostic.ts';
import { localizeProgram } from './shared/commander-i18n.ts';

/**
 * The `hall` command tree. Every folder under cli/commands/ contributes one subcommand through its
 * `define(program)`. `lang` is the language of Commander's own texts (help, usage errors).
 */
export async function createProgram(lang: Lang): Promise<Command> {
  const program = new Command('hall')
    .description('servicehall：网上办事大厅事项目录工具 / the service hall catalog toolchain')
    .version('0.1.0', '-V, --version', lang === 'zh' ? '显示版本号' : 'output the version number')
    .showSuggestionAfterError(true)
    .exitOverride();
  localizeProgram(program, lang);
  // `hall --lang en check` and `hall check --lang en` both work: options before the subcommand belong
  // to hall, and a --lang given there becomes the subcommand's unless it has its own.
  program
    .enablePositionalOptions()
    .addOption(new Option('--lang <lang>', '输出语言 / output language').choices(['zh', 'en']))
    .hook('preAction', (_hall, command) => {
      if (program.getOptionValueSource('lang') !== 'cli' || command.getOptionValueSource('lang') === 'cli') return;
      if (command.options.some((o) => o.attributeName() === 'lang')) command.setOptionValueWithSource('lang', program.opts().lang, 'cli');
    });
  const commandsDir = path.join(import.meta.dirname, 'commands');
  for (const name of readdirSync(commandsDir).sort()) {
    const entry = path.join(commandsDir, name, 'index.ts');
    if (!existsSync(entry)) continue;
    const mod = (await import(entry)) as { define(program: Command): void };
    mod.define(program);
  }
  return program;
}
