import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RuntimeLoadError } from '../../../lib/runtime/index.ts';
import { formatDiagnostics } from '../../diagnostics/format/index.ts';
import { UsageError } from '../../shared/errors.ts';
import { locateCatalog } from '../../load/locate-catalog.ts';
import type { ServeCommandOptions } from './index.ts';

/** `hall serve`: start the hall and run until SIGINT/SIGTERM, then finish open requests and stop. */
export async function runServe(dir: string | undefined, options: ServeCommandOptions): Promise<number> {
  // The repository holding the catalog: generated/ and the embedded store live at its root.
  const location = await locateCatalog(dir);
  const { root } = location;
  const { startHall, StartupError } = await import('../../../server/serve.ts');
  const { readConfig, ConfigError } = await import('../../../server/config.ts');
  let config;
  try {
    config = await readConfig(options.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`hall serve：无法启动 / cannot start\n${error.render(options.lang)}`);
    return 1;
  }
  const port = Number(options.port ?? config.listen?.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port 应为 0–65535 / --port must be 0–65535');
  const { MigrationError } = await import('../../../server/store/migrate.ts');
  const { EmbeddedStoreInUseError } = await import('../../../server/store/sqlite.ts');
  const { StoreUnavailableError } = await import('../../../server/store/store.ts');
  const { loggerOptions } = await import('../../../server/http/logging.ts');
  const { DEFAULT_RATE_LIMITS } = await import('../../../server/http/rate-limit.ts');
  const { version } = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  const { DirectoryRefused, describeReload } = await import('../../../server/reload.ts');
  const store = options.store ?? config.store ?? `sqlite:${path.join(root, '.hall', 'hall.db')}`;
  // The preview's people: without --directory, `hall serve --dev` imports the repository's example directory, so the
  // quick start (`npx hall serve --dev`) has personas to pick; a production hall names its export itself.
  const exampleDirectory = path.join(root, 'examples', 'directory.yaml');
  const directory = options.directory ?? (options.dev && existsSync(exampleDirectory) ? exampleDirectory : undefined);
  let hall;
  try {
    hall = await startHall({ generated: path.join(root, 'generated'), store, host: options.host ?? config.listen?.host ?? '127.0.0.1',
      port,
      dev: Boolean(options.dev),
      directory,
      catalog: location.abs,
      onReload: (report) => process.stderr.write(describeReload(report, options.lang)),
      logger: loggerOptions(config.log?.level ?? 'info'),
      rateLimits: { ...DEFAULT_RATE_LIMITS, ...config.rateLimits },
      metrics: config.metrics,
      trustProxy: config.trustProxy,
      version,
      hallUrl: config.url,
      identity: config.identity,
      notify: { ...config.notify, ...(options.smtp ? { smtp: options.smtp } : {}), ...(options.mailFrom ? { from: options.mailFrom } : {}) },
      events: options.events ?? config.events ?? path.join(root, '.hall', 'events'),
      files: options.files ?? config.files ?? path.join(root, '.hall', 'files'),
      // System steps' connectors: the Authorization value is read from the environment variable the configuration names.
      // Payment platforms (issue 15.9b): the callback secret likewise, and the cashier address for 去缴费.
      connectors: Object.fromEntries(Object.entries(config.connectors ?? {}).map(([id, c]) => [id, { url: c.url, ...(c.authorizationEnv && process.env[c.authorizationEnv] ? { authorization: process.env[c.authorizationEnv] } : {}), ...(c.callbackSecretEnv && process.env[c.callbackSecretEnv] ? { callbackSecret: process.env[c.callbackSecretEnv] } : {}), ...(c.payUrl ? { payUrl: c.payUrl } : {}) }])),
    });
  } catch (error) {
    if (error instanceof DirectoryRefused) {
      // The same diagnostics, format and exit code as `hall directory check`.
      process.stderr.write(`hall serve：人员目录有错误，无法启动 / the directory export has errors; cannot start\n`);
      process.stdout.write(formatDiagnostics('pretty', error.diagnostics, { lang: options.lang, color: false, sources: error.sources, filesChecked: 1 }));
      return 1;
    }
    if (error instanceof RuntimeLoadError || error instanceof StartupError || error instanceof MigrationError || error instanceof EmbeddedStoreInUseError || error instanceof StoreUnavailableError) {
      process.stderr.write(`hall serve：无法启动 / cannot start\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const zh = options.lang !== 'en';
  // stdout carries the JSON log lines only; what people read goes to stderr.
  process.stderr.write(
    `${zh ? '网上办事大厅已启动' : 'The hall is running'}: ${hall.url}${options.dev ? (zh ? '（开发预览：可选择身份登录）' : ' (development preview: persona login)') : ''}\n` +
      `${zh ? '数据库' : 'store'}: ${hall.store.where}\n` +
      (directory ? `${zh ? '人员目录' : 'directory'}: ${path.relative(process.cwd(), directory) || directory}${options.directory ? '' : zh ? '（--dev 默认的示例目录）' : ' (the example directory --dev uses by default)'}\n` : ''),
  );
  // SIGHUP reloads the directory and generated/ without a restart (each process on its own signal).
  const onHangup = () => void hall.reload().catch((error: Error) => process.stderr.write(`reload: ${error.message}\n`));
  process.on('SIGHUP', onHangup);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.off('SIGHUP', onHangup);
  await hall.close();
  process.stderr.write(zh ? '已停止。\n' : 'Stopped.\n');
  return 0;
}
