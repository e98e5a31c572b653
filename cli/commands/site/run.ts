import path from 'node:path';
import { checkOrStop } from '../check/run.ts';
import { fromRoot, locateCatalog } from '../../load/locate-catalog.ts';
import { UsageError } from '../../shared/errors.ts';
import { counted } from '../../../lib/shared/plural.ts';
import { SITE_DIR, buildSite, unsafeOutput } from '../../site/build-site.ts';
import { TOOLCHAIN_ROOT } from '../../shared/paths.ts';
import type { SiteBuildStats } from '../../site/build-site.ts';
import { readGitHistory } from '../../site/git-history.ts';
import type { SiteOptions } from './index.ts';

const T = {
  zh: {
    errors: '目录有错误，未生成网站。请先修正上面的问题。',
    noGit: '提示：没有找到 git 历史，事项页面不显示更新记录。',
    shallow: '提示：这是浅克隆，更新记录可能不完整（CI 中可设置 fetch-depth: 0）。',
    variant: { public: '公开版', campus: '校内版' },
    wrote: (out: string, v: string, s: SiteBuildStats) =>
      `✔ 已生成网站 ${out}/（${v}）：${s.pages} 个页面，${s.services} 个事项（${s.listed} 个在办，可搜索），${s.files} 个附件；用时 ${((s.ms.model + s.ms.astro + s.ms.pagefind) / 1000).toFixed(1)} 秒。`,
  },
  en: {
    errors: 'The catalog has errors; the site was not built. Fix the problems above first.',
    noGit: 'Note: no git history found; service pages show no change history.',
    shallow: 'Note: this is a shallow clone, so change histories may be incomplete (set fetch-depth: 0 in CI).',
    variant: { public: 'public edition', campus: 'campus edition' },
    wrote: (out: string, v: string, s: SiteBuildStats) =>
      `✔ Built the site in ${out}/ (${v}): ${counted(s.pages, 'page')}, ${counted(s.services, 'service')} (${s.listed} live and searchable), ${counted(s.files, 'attachment')} in ${((s.ms.model + s.ms.astro + s.ms.pagefind) / 1000).toFixed(1)} s.`,
  },
};

/** `hall site`: check the catalog, stop on errors, then build the guide site into --out. */
export async function runSite(dir: string | undefined, options: SiteOptions): Promise<number> {
  const t = T[options.lang];
  if (options.asOf && !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf)) throw new UsageError('--as-of 应写成 YYYY-MM-DD / --as-of must be YYYY-MM-DD');
  const location = await locateCatalog(dir);
  const root = location.root;
  const out = options.out ?? fromRoot(root, 'site/dist');
  const refused = await unsafeOutput(out, [process.cwd(), root, location.abs, TOOLCHAIN_ROOT, SITE_DIR]);
  if (refused) throw new UsageError(`不会覆盖这个输出文件夹（${refused}）/ refusing to replace the output folder (${refused})`);
  const result = await checkOrStop(dir, options, { zh: T.zh.errors, en: T.en.errors }, { warningsWhenSound: true });
  if (!result) return 1;
  const history = await readGitHistory(root, result.catalog.dir);
  if (!history.available) process.stderr.write(`${t.noGit}\n`);
  else if (history.shallow) process.stderr.write(`${t.shallow}\n`);
  const { stats } = await buildSite(result.catalog, history, { variant: options.variant, out, root, asOf: options.asOf, logLevel: 'error' });
  const shown = path.relative(root, path.resolve(out));
  process.stdout.write(`${t.wrote(shown.startsWith('..') ? path.resolve(out) : shown || '.', t.variant[options.variant], stats)}\n`);
  return 0;
}
