import { Option } from 'commander';
import type { Command } from 'commander';
import type { Lang } from '../../diagnostics/diagnostic.ts';
import { dirArgument, langOption, outOption } from '../../shared/options.ts';

export interface StatsOptions {
  format: 'markdown' | 'json' | 'csv';
  out?: string;
  scope: 'public' | 'campus' | 'all';
  today?: string;
  lang: Lang;
}

export function define(program: Command): void {
  program
    .command('stats')
    .description('事项目录统计：部门、办理方式、状态、网办深度、跑动次数、承诺时限、待复核指南 / catalog statistics')
    .addArgument(dirArgument())
    .addOption(new Option('--format <format>', '输出格式 / output format').choices(['markdown', 'json', 'csv']).default('markdown'))
    .addOption(outOption('file', '写入文件而不是打印 / write to a file instead of standard output'))
    .addOption(new Option('--scope <scope>', '统计范围：public 对外公开，campus 校内，all 全部（不含涉密）/ which services to count').choices(['public', 'campus', 'all']).default('all'))
    .option('--today <date>', '按这一天判断指南是否逾期未复核（YYYY-MM-DD）/ judge review dates as of this date')
    .addOption(langOption())
    .action(async (dir: string | undefined, options: StatsOptions) => {
      const { runStats } = await import('./run.ts');
      process.exitCode = await runStats(dir, options);
    });
}
