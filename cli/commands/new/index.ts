import type { Command } from 'commander';
import { dirArgument, langOption } from '../../shared/options.ts';
import type { NewOptions } from './run.ts';

export function define(program: Command): void {
  program
    .command('new')
    .description('新建事项：在终端中逐项询问，或全部用参数给出 / scaffold a service, interactively or entirely from flags')
    .addArgument(dirArgument())
    .option('--id <id>', '事项标识，如 lab-booking / service id')
    .option('--name <name>', '事项名称（中文）/ name in Chinese')
    .option('--name-en <name>', '英文名称 / name in English')
    .option('--type <type>', '办理方式：online、guide、link、appointment / kind')
    .option('--department <code>', '主管部门代码 / owning department')
    .option('--participants <codes>', '参与部门代码，逗号分隔 / participating departments, comma-separated')
    .option('--audiences <ids>', '服务对象，逗号分隔 / audiences, comma-separated')
    .option('--topics <ids>', '主题，逗号分隔 / topics, comma-separated')
    .option('--channels <ids>', '办理渠道，逗号分隔（默认全部）/ channels, comma-separated (default: all)')
    .option('--classification <value>', '公开范围：public 或 campus / public or campus')
    .option('--group <id>', '第一个审核环节的人员群组 / role group of the first review step')
    .option('--url <url>', '链接类事项的业务系统网址 / the system a link service opens')
    .option('--system <name>', '业务系统名称 / the system\'s name')
    .option('--no-interactive', '不询问，缺少参数时报错 / never prompt')
    .option('--stdout', '只输出内容，不写文件 / print the file instead of writing it')
    .option('--today <date>', '写入 guide.reviewed 的日期（YYYY-MM-DD）/ the date written as guide.reviewed')
    .addOption(langOption())
    .action(async (dir: string | undefined, options: NewOptions) => {
      const { runNew } = await import('./run.ts');
      process.exitCode = await runNew(dir, options);
    });
}
