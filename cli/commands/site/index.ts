import type { Command } from 'commander';
import { Option } from 'commander';
import { dirArgument, formatOption, langOption, outOption } from '../../shared/options.ts';
import type { OutputOptions } from '../../shared/options.ts';
import type { Variant } from '../../site/types.ts';

export interface SiteOptions extends Omit<OutputOptions, 'failOn'> {
  variant: Variant;
  out?: string;
  today?: string;
  asOf?: string;
}

export const variantOption = () =>
  new Option('--variant <variant>', '公开版或校内版 / public or campus edition').choices(['public', 'campus']).default('public');

export function define(program: Command): void {
  program
    .command('site')
    .description('检查目录并生成办事指南网站 / check the catalog and build the guide site')
    .addArgument(dirArgument())
    .addOption(variantOption())
    .addOption(outOption('dir', '输出文件夹，默认为仓库根下的 site/dist / output folder (default: site/dist at the repository root)'))
    .option('--today <date>', '按这一天判断时效（YYYY-MM-DD）/ judge freshness as of this date')
    .option('--as-of <date>', '按这一天判断临时提示是否过期，默认取最近一次提交的日期 / judge alerts as of this date (default: the newest commit\'s)')
    .addOption(formatOption())
    .addOption(langOption())
    .action(async (dir: string | undefined, options: SiteOptions) => {
      const { runSite } = await import('./run.ts');
      process.exitCode = await runSite(dir, options);
    });
}
