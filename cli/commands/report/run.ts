import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeManifest } from '../../../generated/types/runtime/manifest.ts';
import { dateToDay } from '../../report/clock.ts';
import { buildReport } from '../../report/build-report.ts';
import { reportContext } from '../../report/context.ts';
import { findEventFiles } from '../../report/read-events.ts';
import type { EventFiles } from '../../report/read-events.ts';
import { problemSummary, renderReportCsv, renderReportMarkdown, renderReportPage } from '../../report/render-report.ts';
import { count } from '../../render/format.ts';
import { UsageError } from '../../shared/errors.ts';
import { counted } from '../../../lib/shared/plural.ts';
import { checkOrStop } from '../check/run.ts';
import { DEFAULT_CACHE_DIR } from '../../compile/cache.ts';
import { fromRoot } from '../../load/locate-catalog.ts';
import type { ReportCommandOptions } from './index.ts';

const DEFAULT_MANIFEST = 'generated/runtime/manifest.json';

const T = {
  zh: {
    errors: '目录有错误，无法生成运行报告。请先修正上面的问题。',
    noEvents: (p: string) => `找不到事件日志“${p}” / no event log at "${p}"`,
    loopTarget: (p: string) => `事件日志“${p}”是一个指向自身的符号链接（循环），无法读取。请把 --events 指向真正的文件或文件夹。/ "${p}" is a symbolic link loop`,
    unreadableTarget: (p: string, code: string) => `无法读取事件日志“${p}”（${code}）：请检查文件权限。/ cannot read "${p}" (${code})`,
    loop: (link: string, target: string) => `⚠ 符号链接循环：${link} 指回上级文件夹 ${target}，已跳过（其中的日志已经读过）。`,
    quality: '⚠ 数据问题（详见报告的“数据质量”部分）：',
    noFiles: (p: string) => `文件夹“${p}”里没有 .jsonl 或 .jsonl.gz 文件 / no .jsonl or .jsonl.gz files in "${p}"`,
    badDate: (o: string) => `${o} 应写成 YYYY-MM-DD / ${o} must be YYYY-MM-DD`,
    order: '--from 不能晚于 --to / --from must not be after --to',
    badManifest: (f: string) => `读不到运行清单 ${f} / cannot read the manifest ${f}`,
    reading: '读取事件日志',
    done: (lines: number, events: number, problems: number, apps: number, files: number) => `✔ 读取 ${files} 个文件 ${count(lines)} 行：有效事件 ${count(events)}，未计入 ${count(problems)}；统计期间申请 ${count(apps)} 件。`,
    unknown: (s: number, v: number) => `⚠ 目录中没有的事项 ${s} 个，运行清单中没有的版本 ${v} 个，详见报告的“数据质量”部分。`,
    problems: (n: number) => `⚠ ${count(n)} 行未计入（格式错误、缺少字段或重复），行号见报告的“数据质量”部分。`,
    wrote: (files: string[]) => `✔ 已写入 ${files.join('、')}`,
  },
  en: {
    errors: 'The catalog has errors; no report. Fix the problems above first.',
    noEvents: (p: string) => `no event log at "${p}"`,
    loopTarget: (p: string) => `the event log "${p}" is a symbolic link that loops back to itself; point --events at a real file or folder`,
    unreadableTarget: (p: string, code: string) => `cannot read the event log "${p}" (${code}): check its permissions`,
    loop: (link: string, target: string) => `⚠ Symbolic link loop: ${link} leads back to the folder ${target} above it; skipped (its logs were read already).`,
    quality: '⚠ Data problems (see "Data quality" in the report):',
    noFiles: (p: string) => `no .jsonl or .jsonl.gz files in "${p}"`,
    badDate: (o: string) => `${o} must be YYYY-MM-DD`,
    order: '--from must not be after --to',
    badManifest: (f: string) => `cannot read the manifest ${f}`,
    reading: 'Reading the event log',
    done: (lines: number, events: number, problems: number, apps: number, files: number) => `✔ Read ${counted(lines, 'line', 'lines', count(lines))} in ${counted(files, 'file')}: ${counted(events, 'valid event', 'valid events', count(events))}, ${count(problems)} not counted; ${counted(apps, 'application', 'applications', count(apps))} in the period.`,
    unknown: (s: number, v: number) => `⚠ ${counted(s, 'service')} not in the catalog and ${counted(v, 'version')} not in the manifest; see "Data quality" in the report.`,
    problems: (n: number) => `⚠ ${counted(n, 'line was', 'lines were', count(n))} not counted (malformed, missing fields or duplicates); their line numbers are under "Data quality" in the report.`,
    wrote: (files: string[]) => `✔ Wrote ${files.join(', ')}`,
  },
};

/** A one-line progress bar on standard error, redrawn at most ten times a second; only on a terminal. */
function progressBar(label: string) {
  let last = 0;
  const started = Date.now();
  return {
    update(done: number, total: number) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const share = total ? Math.min(1, done / total) : 1;
      const width = 24;
      const filled = Math.round(share * width);
      const mb = (n: number) => (n / 1048576).toFixed(1);
      process.stderr.write(`\r${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${mb(done)}/${mb(total)} MB  ${((now - started) / 1000).toFixed(1)} s\x1b[K`);
    },
    clear() {
      process.stderr.write('\r\x1b[K');
    },
  };
}

/** `hall report`: read the event log once, write the report page, Markdown, JSON and CSV. */
export async function runReport(dir: string | undefined, options: ReportCommandOptions): Promise<number> {
  const t = T[options.lang];
  for (const [name, value] of [['--from', options.from], ['--to', options.to]] as const) {
    if (value !== undefined && Number.isNaN(dateToDay(value))) throw new UsageError(t.badDate(name));
  }
  if (options.from && options.to && options.from > options.to) throw new UsageError(t.order);
  let found: EventFiles;
  try {
    found = await findEventFiles(options.events);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    if (code === 'ELOOP') throw new UsageError(t.loopTarget(options.events));
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(t.noEvents(options.events));
    throw new UsageError(t.unreadableTarget(options.events, code));
  }
  const { files } = found;
  if (!files.length) throw new UsageError(t.noFiles(options.events));

  // The report reads the catalog's model (names, departments, time limits): a catalog that loads and resolves
  // is enough; lint findings do not change what happened and are `hall check`'s to report. With `hall build`'s
  // check cache (keyed on each file's bytes and the toolchain), unchanged files are not parsed or validated again:
  // that was a quarter of a million-event report's time.
  const cacheDir = options.cache === false ? undefined : DEFAULT_CACHE_DIR;
  const checked = await checkOrStop(dir, { lang: options.lang, lint: false, cacheDir }, { zh: T.zh.errors, en: T.en.errors }, { errorsOnly: true });
  if (!checked) return 1;
  const manifestFile = options.manifest ?? fromRoot(checked.location.root, DEFAULT_MANIFEST);
  const out = options.out ?? fromRoot(checked.location.root, 'report');
  let manifest: RuntimeManifest | undefined;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as RuntimeManifest;
  } catch {
    if (options.manifest) throw new UsageError(t.badManifest(manifestFile));
  }
  const context = reportContext(checked.catalog, manifest);

  const bar = options.progress !== false && process.stderr.isTTY ? progressBar(t.reading) : undefined;
  // Name files relative to the folder given, so the report reads the same wherever it was run from.
  const base = files.length === 1 && files[0].path === options.events ? path.dirname(options.events) : options.events;
  const data = await buildReport(files, context, {
    from: options.from,
    to: options.to,
    label: (file) => (files.length === 1 && file === options.events ? path.basename(file) : path.relative(base, file)),
    ...(bar ? { onProgress: bar.update } : {}),
  });
  bar?.clear();

  await mkdir(out, { recursive: true });
  const outputs: Record<string, string> = {
    'index.html': renderReportPage(data, options.lang),
    'report.md': renderReportMarkdown(data, options.lang),
    'report.json': `${JSON.stringify(data, null, 2)}\n`,
    ...renderReportCsv(data, options.lang),
  };
  for (const [name, content] of Object.entries(outputs)) await writeFile(path.join(out, name), content);

  const print = process.stdout;
  print.write(`${t.done(data.input.lines, data.input.events, data.input.problems, data.total.applications, data.input.files.length)}\n`);
  if (data.input.problems) print.write(`${t.problems(data.input.problems)}\n`);
  for (const loop of found.loops) print.write(`${t.loop(path.join(options.events, loop.link), path.join(options.events, loop.target))}\n`);
  const quality = problemSummary(data, options.lang);
  if (quality.length) print.write(`${t.quality}\n${quality.map((l) => `  · ${l}\n`).join('')}`);
  if (data.unknownServices.length || data.unknownVersions.length) print.write(`${t.unknown(data.unknownServices.length, data.unknownVersions.length)}\n`);
  print.write(`${t.wrote([path.join(out, 'index.html'), path.join(out, 'report.md'), path.join(out, 'report.json'), path.join(out, '*.csv')])}\n`);
  return 0;
}
