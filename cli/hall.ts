#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { UsageError, reportInternalError } from './shared/errors.ts';

/**
 * The `hall` command. Every folder under cli/commands/ contributes one subcommand through its
 * `define(program)`; this file only wires them up and turns outcomes into exit codes:
 * 0 clean, 1 findings at or above --fail-on, 2 usage or internal error.
 */
async function main(argv: string[]): Promise<number> {
  const program = new Command('hall')
    .description('servicehall：网上办事大厅事项目录工具 / the service hall catalog toolchain')
    .version('0.1.0')
    .showSuggestionAfterError(true)
    .exitOverride();
  const commandsDir = path.join(import.meta.dirname, 'commands');
  for (const name of readdirSync(commandsDir).sort()) {
    const entry = path.join(commandsDir, name, 'index.ts');
    if (!existsSync(entry)) continue;
    const mod = (await import(entry)) as { define(program: Command): void };
    mod.define(program);
  }
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
    reportInternalError(error);
    return 2;
  }
  return process.exitCode === undefined ? 0 : Number(process.exitCode);
}

process.exitCode = await main(process.argv);
