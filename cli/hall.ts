#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
import { CommanderError } from 'commander';
import { createProgram } from './program.ts';
import { uiLang } from './shared/commander-i18n.ts';
import { UsageError, reportInternalError } from './shared/errors.ts';

/**
 * The `hall` command: builds the command tree (cli/program.ts) and turns outcomes into exit codes:
 * 0 clean, 1 findings at or above --fail-on, 2 usage or internal error, 130 cancelled with Ctrl-C.
 */
async function main(argv: string[]): Promise<number> {
  const lang = uiLang(argv.slice(2));
  const program = await createProgram(lang);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`hall: ${error.message}\n`);
      return 2;
    }
    // Ctrl-C at a question (@inquirer/prompts): the person changed their mind; nothing to report.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      process.stderr.write(lang === 'zh' ? '已取消。\n' : 'Cancelled.\n');
      return 130;
    }
    reportInternalError(error);
    return 2;
  }
  return process.exitCode === undefined ? 0 : Number(process.exitCode);
}

process.exitCode = await main(process.argv);
