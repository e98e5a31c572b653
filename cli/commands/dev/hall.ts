import { rebuildOnSave } from './rebuilds.ts';
import { existsSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { emitGenerated } from '../../compile/build-generated.ts';
import { StagedGenerated } from '../../compile/generated-io.ts';
import { DEFAULT_CACHE_DIR } from '../../compile/cache.ts';
import type { Catalog } from '../../model/catalog.ts';
import { stepsOf } from '../../model/catalog.ts';
import { closest } from '../../diagnostics/suggest.ts';
import { formatDiagnostics } from '../../diagnostics/format/index.ts';
import { UsageError } from '../../shared/errors.ts';
import { SCHEMAS_DIR } from '../../shared/paths.ts';
import { locateCatalog } from '../../load/locate-catalog.ts';
import { checkOrStop, printAndScore, loadAndCheck } from '../check/run.ts';
import type { DevOptions } from './index.ts';

const T = {
  zh: {
    refused: '目录有错误，无法开始试办。请先修正上面的问题（与 hall check 相同）。',
    cannotStart: 'hall dev：无法启动',
    directoryRefused: 'hall dev：人员目录有错误，无法启动',
    noDirectory: (f: string) => `没有找到人员目录 ${f}，预览中没有可以扮演的身份；用 --directory 指定。`,
    running: (url: string) => `上线前试办（预览，002号文第九条：上线前须做流程测试）：${url}/`,
    definitions: (dir: string) => `运行定义由工作区的目录生成到临时文件夹 ${dir}（不改动仓库的 generated/）；数据库也是临时的，结束时删除。`,
    personas: '可以扮演的身份（在页面上选择，或 POST /api/dev/login {"person": "<编号>"}）：',
    needs: (name: string, id: string) => `试办事项：${name}（${id}）；它的流程需要的身份标有 *。`,
    outbox: (url: string) => `通知不会发出，本应发出的在 ${url}/dev/outbox；办结的试办可在 ${url}/dev/applications/<编号> 保存为测试场景。`,
    watching: '保存目录中的文件后会自动重新生成并加载。按 Ctrl+C 结束。',
    rebuilding: '目录有变化，正在重新生成…',
    rebuilt: (ms: number) => `✔ 已重新生成并加载（${(ms / 1000).toFixed(1)} 秒）。`,
    kept: '目录有错误，继续使用上一次成功生成的运行定义。',
    failed: '重新生成失败，继续使用原来的运行定义：',
    stopped: '已停止，临时文件已删除。',
    unknownService: (id: string, suggest?: string) => `目录中没有事项“${id}”${suggest ? `。是不是想写“${suggest}”？` : '。'}`,
    notOnline: (id: string) => `事项“${id}”没有网上办理的流程，无法试办。`,
  },
  en: {
    refused: 'The catalog has errors; the preview cannot start. Fix the problems above first (as hall check lists them).',
    cannotStart: 'hall dev: cannot start',
    directoryRefused: 'hall dev: the directory export has errors; cannot start',
    noDirectory: (f: string) => `No directory at ${f}: the preview has nobody to sign in as; give one with --directory.`,
    running: (url: string) => `Trying flows before go-live (preview; seed 002 §9 asks for a flow test before go-live): ${url}/`,
    definitions: (dir: string) => `Definitions are built from the working tree into the temporary folder ${dir} (the repository's generated/ is not touched); the store is temporary too and removed at the end.`,
    personas: 'Personas (pick one on the pages, or POST /api/dev/login {"person": "<id>"}):',
    needs: (name: string, id: string) => `Service: ${name} (${id}); the personas its flow needs are marked *.`,
    outbox: (url: string) => `No notification is sent; what would have been is at ${url}/dev/outbox. Save a finished run as a scenario at ${url}/dev/applications/<id>.`,
    watching: 'Saving a catalog file rebuilds and reloads. Press Ctrl+C to stop.',
    rebuilding: 'The catalog changed; rebuilding…',
    rebuilt: (ms: number) => `✔ Rebuilt and reloaded in ${(ms / 1000).toFixed(1)} s.`,
    kept: 'The catalog has errors; the last good definitions keep running.',
    failed: 'Rebuilding failed; the running definitions are kept: ',
    stopped: 'Stopped; the temporary files are removed.',
    unknownService: (id: string, suggest?: string) => `No service "${id}" in the catalog${suggest ? `. Did you mean "${suggest}"?` : '.'}`,
    notOnline: (id: string) => `The service "${id}" has no online flow to try.`,
  },
};

/** Build the catalog into `out` (a temporary generated/); nothing is written elsewhere. */
async function build(catalog: Catalog, out: string): Promise<void> {
  const staged = StagedGenerated.open(out);
  try {
    await emitGenerated(catalog, out, SCHEMAS_DIR, staged, DEFAULT_CACHE_DIR);
    await staged.commit();
  } finally {
    staged.discard();
  }
}

/**
 * `hall dev` (issue 14.5): try a flow in the browser before go-live. The working tree's catalog is checked
 * and built into a temporary generated/ (seeded with the repository's, so version numbers continue as a
 * build would give them; the repository's own generated/ is never written), and the hall runs on it in
 * development mode — persona login, the preview's dev routes — on a temporary embedded store with the
 * example directory, with no notification channel configured, so nothing leaves the machine. A save in the
 * catalog rebuilds and reloads; a save that fails the check prints its diagnostics and the running
 * definitions stay. Ctrl-C stops (130) and removes the temporary folder.
 */
export async function runHallDev(dir: string | undefined, options: DevOptions): Promise<number> {
  const t = T[options.lang];
  const port = Number(options.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port 应为 0–65535 / --port must be 0–65535');
  const first = await checkOrStop(dir, { lang: options.lang, format: options.format }, { zh: T.zh.refused, en: T.en.refused });
  if (!first) return 1;
  const { root } = first.location;
  const catalogDir = first.location.abs;
  if (options.service) {
    const service = first.catalog.services.get(options.service);
    if (!service) throw new UsageError(t.unknownService(options.service, closest(options.service, first.catalog.services.keys())));
    if (!service.value.workflow) throw new UsageError(t.notOnline(options.service));
  }
  const directory = options.directory ? path.resolve(options.directory) : path.join(root, 'examples', 'directory.yaml');
  if (!existsSync(directory)) {
    if (options.directory) throw new UsageError(`找不到人员目录“${options.directory}” / no directory export "${options.directory}"`);
    process.stderr.write(`${t.noDirectory(path.relative(process.cwd(), directory) || directory)}\n`);
  } else {
    // Checked before anything is built: a bad export stops at once, listed as `hall directory check` lists it.
    const { checkDirectoryFile } = await import('../../../server/directory/check.ts');
    const { readVocabulary } = await import('../../../server/directory/vocabulary.ts');
    const checked = await checkDirectoryFile(directory, await readVocabulary(catalogDir));
    if (!checked.directory) {
      process.stderr.write(`${t.directoryRefused}\n`);
      process.stdout.write(formatDiagnostics('pretty', checked.diagnostics, { lang: options.lang, color: false, sources: checked.sources, filesChecked: 1 }));
      return 1;
    }
  }

  // From here on a Ctrl-C (even during the first build) stops cleanly and removes the temporary folder.
  let stop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stop = resolve;
  });
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  const exitCode = (signal: NodeJS.Signals) => (signal === 'SIGINT' ? 130 : 143);
  let received: NodeJS.Signals | undefined;
  void stopped.then((signal) => {
    received = signal;
  });
  const temp = await mkdtemp(path.join(os.tmpdir(), 'hall-dev-'));
  const generated = path.join(temp, 'generated');
  const cleanup = () => rm(temp, { recursive: true, force: true });
  const { startHall, StartupError } = await import('../../../server/serve.ts');
  const { DirectoryRefused, describeReload } = await import('../../../server/reload.ts');
  const { personas } = await import('../../../server/dev/preview.ts');
  let hall;
  try {
    // Kept versions continue from the repository's generated/, as `hall build` would number them.
    const repositoryGenerated = path.join(root, 'generated');
    if (existsSync(path.join(repositoryGenerated, 'runtime'))) await cp(repositoryGenerated, generated, { recursive: true });
    await build(first.catalog, generated);
    hall = await startHall({
      generated,
      store: `sqlite:${path.join(temp, 'hall.db')}`,
      host: '127.0.0.1',
      port,
      dev: true,
      ...(existsSync(directory) ? { directory } : {}),
      catalog: catalogDir,
      logger: false,
      notify: {},
      events: path.join(temp, 'events'),
      files: path.join(temp, 'files'),
    });
  } catch (error) {
    await cleanup();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (error instanceof DirectoryRefused) {
      process.stderr.write(`${t.directoryRefused}\n`);
      process.stdout.write(formatDiagnostics('pretty', error.diagnostics, { lang: options.lang, color: false, sources: error.sources, filesChecked: 1 }));
      return 1;
    }
    if (error instanceof StartupError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`${t.cannotStart}\n${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }

  if (received) {
    await hall.close();
    await cleanup();
    return exitCode(received);
  }
  const url = hall.url.replace(/\/$/, '');
  const lines = [t.running(url), t.definitions(generated)];
  let needed = new Set<string>();
  if (options.service) {
    const service = first.catalog.services.get(options.service)!.value;
    // A step scoped to a named department needs that group@department; one scoped by the application's data, any holder of the group.
    needed = new Set(
      [...stepsOf(service.workflow?.steps)].map(({ step }) => {
        const fixed = step.scope === 'department' && typeof step.department === 'string' && /^[a-z0-9-]+$/.test(step.department);
        return fixed ? `${step.group}@${step.department}` : step.group;
      }),
    );
    lines.push(t.needs(typeof service.name === 'string' ? service.name : options.lang === 'en' ? (service.name.en ?? service.name.zh) : service.name.zh, options.service));
  }
  lines.push(t.personas);
  const people = await personas(hall.store, catalogDir);
  const width = Math.max(0, ...people.map((p) => p.id.length));
  for (const p of people) {
    const mark = options.service ? (p.role.zh === '申请人' || p.holds.some((h) => needed.has(h) || needed.has(h.split('@')[0])) ? '* ' : '  ') : '';
    lines.push(`  ${mark}${options.lang === 'en' ? p.role.en.padEnd(10) : p.role.zh.padEnd(4, '　')}  ${p.id.padEnd(width)}  ${p.name}${p.holds.length ? `  ${p.holds.join(', ')}` : ''}`);
  }
  lines.push(t.outbox(url), t.watching);
  process.stdout.write(`${lines.join('\n')}\n`);

  // Rebuild once per burst of saves; a save during a rebuild queues exactly one more.
  const rebuild = async () => {
    const started = performance.now();
    process.stdout.write(`${t.rebuilding}\n`);
    const result = await loadAndCheck(catalogDir, {});
    if (result.diagnostics.some((d) => d.severity === 'error') || !result.catalog.hall) {
      await printAndScore({ ...result, diagnostics: result.diagnostics.filter((d) => d.severity === 'error') }, { format: options.format, lang: options.lang, failOn: 'error' });
      process.stderr.write(`${t.kept}\n`);
      return;
    }
    await build(result.catalog, generated);
    const report = await hall.reload();
    if (report.definitions.ok) process.stdout.write(`${t.rebuilt(performance.now() - started)}\n`);
    else process.stderr.write(describeReload(report, options.lang));
  };
  const { schedule, settle } = rebuildOnSave(rebuild, (error: unknown) => {
    process.stderr.write(`${t.failed}${error instanceof Error ? error.message : String(error)}\n`);
  });
  const watchers: FSWatcher[] = [watch(catalogDir, { recursive: true }, schedule)];

  const signal = await stopped;
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  for (const w of watchers) w.close();
  await settle();
  await hall.close();
  await cleanup();
  process.stdout.write(`${t.stopped}\n`);
  return exitCode(signal);
}
