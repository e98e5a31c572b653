import type { Command } from 'commander';
import { dirArgument, langOption } from '../../shared/options.ts';
import type { Lang } from '../../diagnostics/diagnostic.ts';

export interface SimulateOptions {
  as: string;
  data: string;
  decisions?: string;
  at?: string;
  lang: Lang;
}

export function define(program: Command): void {
  program
    .command('simulate')
    .description('模拟办理一个事项并打印时间线（上线前的流程测试）/ walk a service\'s flow and print the timeline')
    .argument('<service>', '事项标识 / service id')
    .addArgument(dirArgument())
    .requiredOption('--as <file>', '申请人属性（YAML）/ applicant attributes (YAML)')
    .requiredOption('--data <file>', '表单数据（YAML）/ form data (YAML)')
    .option('--decisions <file>', '各环节的决定（YAML 列表）；省略时在终端逐步询问 / decisions (YAML list); asked step by step when omitted')
    .option('--at <datetime>', '提交时间，也是条件中 today()、now() 的时钟 / submission time, also the clock of today() and now()', '2026-03-02T09:00:00+08:00')
    .addOption(langOption())
    .action(async (service: string, dir: string | undefined, options: SimulateOptions) => {
      const { runSimulate } = await import('./run.ts');
      process.exitCode = await runSimulate(service, dir, options);
    });
}
