import type { Command } from 'commander';
import type { Lang } from '../../diagnostics/diagnostic.ts';
import { dirArgument, langOption } from '../../shared/options.ts';

export interface ServeCommandOptions {
  store?: string;
  host?: string;
  port?: string;
  dev?: boolean;
  directory?: string;
  smtp?: string;
  events?: string;
  files?: string;
  config?: string;
  mailFrom?: string;
  lang: Lang;
}

export function define(program: Command): void {
  program
    .command('serve')
    .description('运行网上办事大厅：加载 generated/ 中的运行定义，受理申请、审批、提醒 / run the hall on the compiled definitions')
    .addArgument(dirArgument())
    .option('--config <file>', '配置文件（YAML，见 docs/runtime.md）；环境变量 HALL_STORE、HALL_SMTP、HALL_OIDC_SECRET、HALL_METRICS_TOKEN、HALL_LOG_LEVEL 覆盖其中的值 / configuration file (environment variables override it)')
    .option('--store <location>', '数据库：sqlite:<文件>（默认 .hall/hall.db）或 postgres://… / the store')
    .option('--host <host>', '监听地址（默认 127.0.0.1）/ address to listen on')
    .option('--port <port>', '端口（默认 8080，0 = 任选）/ port (0 = any free port)')
    .option('--dev', '开发模式：可选择身份登录，页面标明“预览” / development mode with persona login')
    .option('--directory <file>', '人员目录（YAML 或 CSV，见 hall directory check）：启动时导入，SIGHUP 或 POST /api/admin/reload 时重新导入 / a directory export imported at start and on every reload')
    .option('--events <path>', '事件日志文件夹（hall report 读取）；默认 .hall/events / the event log folder')
    .option('--files <path>', '附件文件夹（按内容的 sha256 存放，须与数据库一起备份）；默认 .hall/files / the attachments folder')
    .option('--smtp <url>', '发送通知邮件的服务器，如 smtp://user:pass@mail.example.edu.cn:587 / SMTP server for e-mail notifications')
    .option('--mail-from <address>', '发件人 / sender address')
    .addOption(langOption())
    .action(async (dir: string | undefined, options: ServeCommandOptions) => {
      const { runServe } = await import('./run.ts');
      process.exitCode = await runServe(dir, options);
    });
}
