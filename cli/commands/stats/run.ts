import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { computeCatalogStats, renderStatsCsv, renderStatsMarkdown } from '../../stats/index.ts';
import { todayIn } from '../../shared/options.ts';
import { checkOrStop } from '../check/run.ts';
import type { StatsOptions } from './index.ts';

const T = {
  zh: { errors: '目录有错误，无法统计。请先修正上面的问题。', wrote: (f: string) => `✔ 已写入 ${f}` },
  en: { errors: 'The catalog has errors; no statistics. Fix the problems above first.', wrote: (f: string) => `✔ Wrote ${f}` },
};

/** `hall stats`: check the catalog, then print or write its statistics. Exit 1 when the catalog has errors. */
export async function runStats(dir: string | undefined, options: StatsOptions): Promise<number> {
  const t = T[options.lang];
  const result = await checkOrStop(dir, { lang: options.lang, today: options.today }, { zh: T.zh.errors, en: T.en.errors }, { errorsOnly: true });
  if (!result) return 1;
  const asOf = options.today ?? todayIn(result.catalog.hall.value.calendar.timezone);
  const stats = computeCatalogStats(result.catalog, { asOf, scope: options.scope });
  const output = options.format === 'json' ? `${JSON.stringify(stats, null, 2)}\n` : options.format === 'csv' ? renderStatsCsv(stats, options.lang) : renderStatsMarkdown(stats, options.lang);
  if (options.out) {
    await mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
    await writeFile(options.out, output);
    process.stderr.write(`${t.wrote(options.out)}\n`);
  } else process.stdout.write(output);
  return 0;
}
