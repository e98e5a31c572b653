import { planGenerated } from '../../build/build-generated.ts';
import { diffGenerated, writeGenerated } from '../../build/generated-io.ts';
import type { GeneratedDiff } from '../../build/generated-io.ts';
import { checkOrStop } from '../check/run.ts';
import { fromRoot } from '../../load/locate-catalog.ts';
import { SCHEMAS_DIR } from '../../shared/paths.ts';
import { DEFAULT_CACHE_DIR } from '../../build/cache.ts';
import { counted } from '../../shared/plural.ts';
import type { BuildOptions } from './index.ts';

const T = {
  zh: {
    errors: '目录有错误，未生成任何文件。请先修正上面的问题。',
    tampered: (f: string[]) => `以下已发布的旧版本文件被手工修改过，构建无法重新生成它们，请从 git 恢复：\n${f.map((x) => `  ${x}`).join('\n')}`,
    stale: (out: string) => `${out}/ 不是最新的。请运行 npm run build 并提交结果。`,
    fresh: (out: string, n: number) => `✔ ${out}/ 是最新的（${n} 个文件）。`,
    wrote: (out: string, d: GeneratedDiff, services: number, versions: string[]) =>
      `✔ 已生成 ${out}/：${services} 个事项的运行定义${versions.length ? `，新版本：${listSome(versions, '、', '等 ')}` : '，没有新版本'}；新增 ${d.missing.length} 个文件，更新 ${d.changed.length} 个，删除 ${d.unexpected.length} 个。`,
    missing: '缺少', changed: '内容不同', unexpected: '多余',
  },
  en: {
    errors: 'The catalog has errors; nothing was written. Fix the problems above first.',
    tampered: (f: string[]) => `These published older versions were edited by hand and cannot be rebuilt; restore them from git:\n${f.map((x) => `  ${x}`).join('\n')}`,
    stale: (out: string) => `${out}/ is not up to date. Run npm run build and commit the result.`,
    fresh: (out: string, n: number) => `✔ ${out}/ is up to date (${counted(n, 'file')}).`,
    wrote: (out: string, d: GeneratedDiff, services: number, versions: string[]) =>
      `✔ Wrote ${out}/: runtime definitions for ${counted(services, 'service')}${versions.length ? `, new versions: ${listSome(versions, ', ', 'and ')}` : ', no new versions'}; ${d.missing.length} added, ${d.changed.length} updated, ${d.unexpected.length} removed.`,
    missing: 'missing', changed: 'differs', unexpected: 'unexpected',
  },
};

/** A list short enough to read: the first few, then how many more. */
function listSome(items: string[], sep: string, more: string): string {
  return items.length <= 6 ? items.join(sep) : `${items.slice(0, 5).join(sep)}${sep}${more}${items.length - 5} ${more === '等 ' ? '个' : 'more'}`;
}

/** `hall build`: check, then write (or with --check, verify) generated/. Nothing is written on errors. */
export async function runBuild(dir: string | undefined, options: BuildOptions): Promise<number> {
  const t = T[options.lang];
  const result = await checkOrStop(dir, options, { zh: T.zh.errors, en: T.en.errors }, { warningsWhenSound: true });
  if (!result) return 1;
  const out = options.out ?? fromRoot(result.location.root, 'generated');
  const plan = await planGenerated(result.catalog, out, SCHEMAS_DIR, options.cache === false ? undefined : DEFAULT_CACHE_DIR);
  if (plan.runtime.tampered.length) {
    process.stderr.write(`${t.tampered(plan.runtime.tampered.map((f) => `${out}/runtime/${f}`))}\n`);
    return 1;
  }
  if (options.check) {
    const diff = await diffGenerated(out, plan.files);
    const stale = [...diff.missing.map((f) => `  ${t.missing}  ${out}/${f}`), ...diff.changed.map((f) => `  ${t.changed}  ${out}/${f}`), ...diff.unexpected.map((f) => `  ${t.unexpected}  ${out}/${f}`)];
    if (stale.length) {
      process.stderr.write(`${t.stale(out)}\n${stale.join('\n')}\n`);
      return 1;
    }
    process.stdout.write(`${t.fresh(out, plan.files.size)}\n`);
    return 0;
  }
  const diff = await writeGenerated(out, plan.files);
  process.stdout.write(`${t.wrote(out, diff, plan.runtime.manifest.services.length, plan.runtime.newVersions.map((v) => `${v.id} v${v.version}`))}\n`);
  return 0;
}
