import type { Command } from 'commander';
import { dirArgument, langOption } from '../../shared/options.ts';
import type { RetireOptions } from './run.ts';

export function define(program: Command): void {
  program
    .command('retire')
    .description('停办事项：保留文件和网址，写明日期、原因和接替事项 / retire a service: keep its file and URL, record date, reason and successor')
    .argument('<id>', '事项标识 / service id')
    .addArgument(dirArgument())
    .requiredOption('--reason <text>', '停办原因（中文）/ why, in Chinese')
    .option('--reason-en <text>', '停办原因（英文）/ why, in English')
    .option('--successor <id>', '接替它的事项 / the service replacing it')
    .option('--date <date>', '停办日期 YYYY-MM-DD（默认今天）/ date retired (default: today)')
    .addOption(langOption())
    .action(async (id: string, dir: string | undefined, options: RetireOptions) => {
      const { runRetire } = await import('./run.ts');
      process.exitCode = await runRetire(id, dir, options);
    });
}
