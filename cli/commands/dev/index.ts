import type { Command } from 'commander';
import { dirArgument, formatOption, langOption } from '../../shared/options.ts';
import { variantOption } from '../site/index.ts';
import type { SiteOptions } from '../site/index.ts';

export interface DevOptions extends Omit<SiteOptions, 'out'> {
  /** Default: 8080 for the hall, 4321 for the guide site (`--site`). */
  port?: string;
  /** `hall dev --site`: preview the guide site instead of the hall. */
  site?: boolean;
  /** Try this one service: it must exist; the personas its flow needs are listed. */
  service?: string;
  /** The directory export the preview imports; default examples/directory.yaml at the repository root. */
  directory?: string;
}

export function define(program: Command): void {
  program
    .command('dev')
    .description(
      '上线前试办：用工作区的目录生成临时运行定义，在内置数据库上运行大厅（示例人员目录，可选择身份登录，通知不发出），保存文件后自动重新生成；--site 改为预览办事指南网站 / ' +
        'try flows before go-live: the hall on the working tree, an embedded store, the example directory and persona login, no notification sent, rebuilt on save; --site previews the guide site instead',
    )
    .addArgument(dirArgument())
    .option('--port <port>', '端口（大厅默认 8080，网站默认 4321，0 = 任选）/ port (8080 for the hall, 4321 for the site; 0 = any free port)')
    .option('--service <id>', '只试办这个事项：列出它的流程用到的身份 / try this service: list the personas its flow needs')
    .option('--directory <file>', '人员目录（默认仓库根下的 examples/directory.yaml）/ the directory export (default: examples/directory.yaml)')
    .option('--site', '预览办事指南网站，而不是运行大厅 / preview the guide site instead of the hall')
    .addOption(variantOption())
    .option('--today <date>', '按这一天判断时效（YYYY-MM-DD）/ judge freshness as of this date')
    .addOption(formatOption())
    .addOption(langOption())
    .action(async (dir: string | undefined, options: DevOptions) => {
      if (options.site) {
        const { runDev } = await import('./run.ts');
        process.exitCode = await runDev(dir, { ...options, port: options.port ?? '4321' });
        return;
      }
      const { runHallDev } = await import('./hall.ts');
      process.exitCode = await runHallDev(dir, options);
    });
}
