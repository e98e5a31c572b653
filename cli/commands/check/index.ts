import type { Command } from 'commander';
import { failOnOption, formatOption, langOption } from '../../shared/options.ts';
import type { OutputOptions } from '../../shared/options.ts';

export function define(program: Command): void {
  program
    .command('check')
    .description('检查目录：格式、引用和规则 / check the catalog: format, references and rules')
    .argument('[dir]', '目录所在文件夹 / catalog folder', 'catalog')
    .addOption(formatOption())
    .addOption(langOption())
    .addOption(failOnOption())
    .option('--output <file>', '把结果写入文件 / write the report to a file')
    .option('--today <date>', '按这一天判断时效（YYYY-MM-DD）/ judge freshness as of this date')
    .action(async (dir: string, options: OutputOptions & { output?: string; today?: string }) => {
      const { runCheck } = await import('./run.ts');
      process.exitCode = await runCheck(dir, options);
    });
}
