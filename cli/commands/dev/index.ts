import type { Command } from 'commander';
import { dirArgument, formatOption, langOption } from '../../shared/options.ts';
import { variantOption } from '../site/index.ts';
import type { SiteOptions } from '../site/index.ts';

export interface DevOptions extends Omit<SiteOptions, 'out'> {
  port: string;
}

export function define(program: Command): void {
  program
    .command('dev')
    .description('本地预览办事指南网站，保存文件后自动重新生成 / preview the guide site locally; rebuilds on save')
    .addArgument(dirArgument())
    .addOption(variantOption())
    .option('--port <port>', '端口 / port', '4321')
    .option('--today <date>', '按这一天判断时效（YYYY-MM-DD）/ judge freshness as of this date')
    .addOption(formatOption())
    .addOption(langOption())
    .action(async (dir: string | undefined, options: DevOptions) => {
      const { runDev } = await import('./run.ts');
      process.exitCode = await runDev(dir, options);
    });
}
