import type { Command } from 'commander';
import { Option } from 'commander';
import { dirArgument, langOption, legacyOutputOption, outOption, outPath } from '../../shared/options.ts';
import type { DiffOptions } from './run.ts';

export function define(program: Command): void {
  program
    .command('diff')
    .description('说明本次修改对师生和运行平台意味着什么（用于 PR 评论）/ explain what a change means for users and for the runtime (for the PR comment)')
    .addArgument(dirArgument())
    .requiredOption('--base <ref>', '与哪个 git 提交或分支比较，如 main 或 origin/main / the git ref to compare with, e.g. main')
    .addOption(new Option('--format <format>', '输出格式 / output format').choices(['markdown', 'json']).default('markdown'))
    .addOption(langOption())
    .addOption(outOption('file', '把结果写入文件 / write the report to a file'))
    .addOption(legacyOutputOption())
    .option('--no-build-check', '不运行 hall build --check（CI 另有这一步时）/ skip hall build --check (when CI runs it as its own step)')
    .option('--today <date>', '按这一天判断时效（YYYY-MM-DD）/ judge freshness as of this date')
    .action(async (dir: string | undefined, options: DiffOptions & { output?: string }) => {
      const { runDiff } = await import('./run.ts');
      process.exitCode = await runDiff(dir, { ...options, out: outPath(options) });
    });
}
