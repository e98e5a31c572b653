import type { Command } from 'commander';
import { dirArgument, failOnOption, formatOption, langOption, outOption } from '../../shared/options.ts';
import type { OutputOptions } from '../../shared/options.ts';

export function define(program: Command): void {
  const directory = program.command('directory').description('人员目录（数据中心导出的 YAML 或 CSV）/ the directory of people (the data centre\'s YAML or CSV export)');
  directory
    .command('check')
    .description('导入前检查人员目录：格式、重复人员、群组和范围，与 hall serve --directory 的检查相同 / check a directory export before loading it, as hall serve --directory does')
    .argument('<file>', '人员目录文件（.yaml、.yml 或 .csv）/ the export (.yaml, .yml or .csv)')
    .addArgument(dirArgument())
    .addOption(formatOption())
    .addOption(langOption())
    .addOption(failOnOption())
    .addOption(outOption('file', '把结果写入文件 / write the report to a file'))
    .action(async (file: string, dir: string | undefined, options: OutputOptions & { out?: string }) => {
      const { runDirectoryCheck } = await import('./run.ts');
      process.exitCode = await runDirectoryCheck(file, dir, options);
    });
}
