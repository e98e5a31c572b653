import type { Command } from 'commander';
import { Option } from 'commander';
import { dirArgument, langOption } from '../../shared/options.ts';
import type { Lang } from '../../diagnostics/diagnostic.ts';

export function define(program: Command): void {
  program
    .command('test')
    .description('在参考解释器上运行目录中全部测试场景 / run every scenario in the catalog on the reference interpreter')
    .addArgument(dirArgument())
    .option('--service <id>', '只运行这个事项的场景 / only this service\'s scenarios')
    .addOption(new Option('--format <format>', '输出格式 / output format').choices(['pretty', 'json']).default('pretty'))
    .addOption(langOption())
    .action(async (dir: string | undefined, options: { service?: string; format: 'pretty' | 'json'; lang: Lang }) => {
      const { runTests } = await import('./run.ts');
      process.exitCode = await runTests(dir, options);
    });
}
