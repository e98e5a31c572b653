import type { Command } from 'commander';
import { dirArgument, failOnOption, formatOption, langOption, legacyOutputOption, outOption, outPath } from '../../shared/options.ts';
import type { OutputOptions } from '../../shared/options.ts';

export function define(program: Command): void {
  program
    .command('check')
    .description('检查目录：格式、引用和规则 / check the catalog: format, references and rules')
    .addArgument(dirArgument())
    .addOption(formatOption())
    .addOption(langOption())
    .addOption(failOnOption())
    .addOption(outOption('file', '把结果写入文件 / write the report to a file'))
    .addOption(legacyOutputOption())
    .option('--today <date>', '按这一天判断时效（YYYY-MM-DD）/ judge freshness as of this date')
    .action(async (dir: string | undefined, options: OutputOptions & { out?: string; output?: string; today?: string }) => {
      const { runCheck } = await import('./run.ts');
      process.exitCode = await runCheck(dir, { ...options, out: outPath(options) });
    });
}
