import type { Command } from 'commander';
import { dirArgument, langOption } from '../../shared/options.ts';
import type { CodeownersOptions } from './run.ts';

export function define(program: Command): void {
  program
    .command('codeowners')
    .description('根据各部门管理员生成 .github/CODEOWNERS（评审分派）/ write .github/CODEOWNERS from the departments\' admins')
    .addArgument(dirArgument())
    .addOption(langOption())
    .option('--check', '只检查是否过期，不写文件 / only report whether the file is stale')
    .option('--stdout', '输出到屏幕，不写文件 / print instead of writing')
    .option('--today <date>', '按这一天判断时效（YYYY-MM-DD）/ judge freshness as of this date')
    .action(async (dir: string | undefined, options: CodeownersOptions) => {
      const { runCodeowners } = await import('./run.ts');
      process.exitCode = await runCodeowners(dir, options);
    });
}
