import { emitGenerated } from '../../compile/build-generated.ts';
import { StagedGenerated } from '../../compile/generated-io.ts';
import type { GeneratedDiff } from '../../compile/generated-io.ts';
import { checkOrStop, printAndScore } from '../check/run.ts';
import type { SoundCheck } from '../check/run.ts';
import { keptVersionDiagnosticsIn } from '../../compile/kept-versions.ts';
import type { Removal, RuntimePlan } from '../../compile/plan-runtime.ts';
import { UsageError } from '../../shared/errors.ts';
import { fromRoot } from '../../load/locate-catalog.ts';
import { SCHEMAS_DIR } from '../../shared/paths.ts';
import { DEFAULT_CACHE_DIR } from '../../compile/cache.ts';
import { counted } from '../../../lib/shared/plural.ts';
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
    dropped: (ids: string[]) => `构建不会删除已发布的运行版本（${ids.join('、')}），未写入任何文件。见上面的说明和 generated/README.md“删除保留版本”。`,
    refused: (r: string[]) => `以下删除请求无法执行，未写入任何文件：\n${r.map((x) => `  ${x}`).join('\n')}`,
    removed: (n: number) => `已按信息化办的请求删除 ${n} 个保留版本，并记入清单的 removed。`,
  },
  en: {
    errors: 'The catalog has errors; nothing was written. Fix the problems above first.',
    tampered: (f: string[]) => `These published older versions were edited by hand and cannot be rebuilt; restore them from git:\n${f.map((x) => `  ${x}`).join('\n')}`,
    stale: (out: string) => `${out}/ is not up to date. Run npm run build and commit the result.`,
    fresh: (out: string, n: number) => `✔ ${out}/ is up to date (${counted(n, 'file')}).`,
    wrote: (out: string, d: GeneratedDiff, services: number, versions: string[]) =>
      `✔ Wrote ${out}/: runtime definitions for ${counted(services, 'service')}${versions.length ? `, new versions: ${listSome(versions, ', ', 'and ')}` : ', no new versions'}; ${d.missing.length} added, ${d.changed.length} updated, ${d.unexpected.length} removed.`,
    missing: 'missing', changed: 'differs', unexpected: 'unexpected',
    dropped: (ids: string[]) => `A build never drops published runtime versions (${ids.join(', ')}); nothing was written. See above and "Removing kept versions" in generated/README.md.`,
    refused: (r: string[]) => `These removals cannot be carried out; nothing was written:\n${r.map((x) => `  ${x}`).join('\n')}`,
    removed: (n: number) => `Removed ${n} kept versions at the IT office's request, recorded under removed in the manifest.`,
  },
};

/** A list short enough to read: the first few, then how many more. */
function listSome(items: string[], sep: string, more: string): string {
  return items.length <= 6 ? items.join(sep) : `${items.slice(0, 5).join(sep)}${sep}${more}${items.length - 5} ${more === '等 ' ? '个' : 'more'}`;
}

/** `hall build`: check, then write (or with --check, verify) generated/. Nothing is written on errors. */
export async function runBuild(dir: string | undefined, options: BuildOptions): Promise<number> {
  const t = T[options.lang];
  const cacheDir = options.cache === false ? undefined : DEFAULT_CACHE_DIR;
  const result = await checkOrStop(dir, { ...options, cacheDir }, { zh: T.zh.errors, en: T.en.errors }, { warningsWhenSound: true });
  if (!result) return 1;
  const out = options.out ?? fromRoot(result.location.root, 'generated');
  const removals = (options.remove ?? []).map(parseRemoval);
  // Files stream into a folder beside generated/ that replaces it whole at the end (or, with --check,
  // are only compared with it): a province does not fit in memory, and a killed build leaves generated/ as it was.
  const staged = StagedGenerated.open(out, { check: options.check, cacheDir });
  try {
    const runtime = await emitGenerated(result.catalog, out, SCHEMAS_DIR, staged, cacheDir, removals);
    const stop = await refusal(runtime, out, result, options);
    if (stop !== undefined) return stop;
    if (options.check) {
      const diff = await staged.finish();
      const stale = [...diff.missing.map((f) => `  ${t.missing}  ${out}/${f}`), ...diff.changed.map((f) => `  ${t.changed}  ${out}/${f}`), ...diff.unexpected.map((f) => `  ${t.unexpected}  ${out}/${f}`)];
      if (stale.length) {
        process.stderr.write(`${t.stale(out)}\n${stale.join('\n')}\n`);
        return 1;
      }
      process.stdout.write(`${t.fresh(out, staged.size)}\n`);
      return 0;
    }
    const diff = await staged.commit();
    if (runtime.removedNow > 0) process.stdout.write(`${t.removed(runtime.removedNow)}\n`);
    process.stdout.write(`${t.wrote(out, diff, runtime.manifest.services.length, runtime.newVersions.map((v) => `${v.id} v${v.version}`))}\n`);
    return 0;
  } finally {
    staged.discard();
  }
}

/** Why the planned runtime must not be written (refused removals, dropped or hand-edited versions), printed; else undefined. */
async function refusal(runtime: RuntimePlan, out: string, result: SoundCheck, options: BuildOptions): Promise<number | undefined> {
  const t = T[options.lang];
  if (runtime.refusedRemovals.length) {
    process.stderr.write(`${t.refused(runtime.refusedRemovals)}\n`);
    return 1;
  }
  if (runtime.orphaned.length) {
    // The plan carried them over; say why for each, in the check's words (removed ones are no longer orphaned).
    const orphaned = new Set(runtime.orphaned.map((o) => o.id));
    const dropped = (await keptVersionDiagnosticsIn(result, out, result.location.root)).filter((d) => orphaned.has(String(d.args.id)));
    await printAndScore({ ...result, diagnostics: dropped }, { format: options.format ?? 'pretty', lang: options.lang, failOn: 'error' });
    process.stderr.write(`${t.dropped([...orphaned])}\n`);
    return 1;
  }
  if (runtime.tampered.length) {
    process.stderr.write(`${t.tampered(runtime.tampered.map((f) => `${out}/runtime/${f}`))}\n`);
    return 1;
  }
  return undefined;
}

/** `--remove student-leave@1` (or `@v1`) removes one kept version, `--remove student-leave` all of them. */
function parseRemoval(text: string): Removal {
  const match = /^([a-z0-9-]+)(?:@v?([1-9][0-9]*))?$/.exec(text);
  if (!match) throw new UsageError(`--remove 应写成 <事项标识> 或 <事项标识>@<版本号>，如 student-leave@1 / --remove takes <id> or <id>@<version>, e.g. student-leave@1: "${text}"`);
  return { id: match[1], ...(match[2] ? { version: Number(match[2]) } : {}) };
}
