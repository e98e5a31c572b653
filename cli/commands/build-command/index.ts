import type { Command } from 'commander';
import { dirArgument, formatOption, langOption, outOption } from '../../shared/options.ts';
import type { OutputOptions } from '../../shared/options.ts';

export interface BuildOptions extends Omit<OutputOptions, 'failOn'> {
  out?: string;
  check?: boolean;
  today?: string;
  cache: boolean;
  remove?: string[];
}

export function define(program: Command): void {
  program
    .command('build')
    .description('检查目录并生成 generated/（运行定义、类型）/ check the catalog and write generated/ (runtime definitions, types)')
    .addArgument(dirArgument())
    .addOption(outOption('dir', '输出文件夹，默认为仓库根下的 generated / output folder (default: generated at the repository root)'))
    .option('--check', '只检查 generated/ 是否为最新，不写入 / only verify generated/ is up to date; write nothing')
    .option('--remove <id[@version]>', '仅限信息化办：删除一个保留版本（或事项的全部版本），见 generated/README.md / IT office only: remove a kept version (or all of a service\'s), see generated/README.md', (value: string, all: string[] = []) => [...all, value])
    .option('--no-cache', '不使用也不写入构建缓存（node_modules/.cache/servicehall）/ neither use nor fill the build cache')
    .addOption(formatOption())
    .addOption(langOption())
    .option('--today <date>', '按这一天判断时效（YYYY-MM-DD）/ judge freshness as of this date')
    .action(async (dir: string | undefined, options: BuildOptions) => {
      const { runBuild } = await import('./run.ts');
      process.exitCode = await runBuild(dir, options);
    });
}
