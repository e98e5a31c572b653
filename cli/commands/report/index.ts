import type { Command } from 'commander';
import type { Lang } from '../../diagnostics/diagnostic.ts';
import { dirArgument, langOption, outOption } from '../../shared/options.ts';

export interface ReportCommandOptions {
  events: string;
  from?: string;
  to?: string;
  out?: string;
  manifest?: string;
  progress?: boolean;
  cache: boolean;
  lang: Lang;
}

export function define(program: Command): void {
  program
    .command('report')
    .description('运行报告：读取运行平台的事件日志，按事项和部门统计申请、办结、退回、超期、评价 / the operations report from the runtime event log')
    .addArgument(dirArgument())
    .requiredOption('--events <path>', '事件日志：一个 .jsonl 或 .jsonl.gz 文件，或包含它们的文件夹 / event log: a .jsonl(.gz) file or a folder of them')
    .option('--from <date>', '统计期间第一天（YYYY-MM-DD，大厅时区）/ first day of the period')
    .option('--to <date>', '统计期间最后一天（YYYY-MM-DD）/ last day of the period')
    .addOption(outOption('dir', '输出文件夹：index.html、report.md、report.json 和 CSV，默认为仓库根下的 report / output folder (default: report at the repository root)'))
    .option('--manifest <file>', '运行清单，用于检查事项版本；默认 generated/runtime/manifest.json / runtime manifest for version checks')
    .option('--no-progress', '不显示进度条 / no progress bar')
    .option('--no-cache', '不使用也不写入构建缓存（node_modules/.cache/servicehall）/ neither use nor fill the build cache')
    .addOption(langOption())
    .action(async (dir: string | undefined, options: ReportCommandOptions) => {
      const { runReport } = await import('./run.ts');
      process.exitCode = await runReport(dir, options);
    });
}
