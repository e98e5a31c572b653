import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkSource } from '../../check/check-catalog.ts';
import type { Lang } from '../../diagnostics/diagnostic.ts';
import { bi } from '../../diff/describe.ts';
import { diffCatalogs } from '../../diff/diff-catalogs.ts';
import type { CatalogDiff } from '../../diff/model.ts';
import { checkGenerated } from '../../diff/generated.ts';
import { changedPaths, listTree, readFileAt, repositoryRoot, resolveCommit, toPosix } from '../../diff/git.ts';
import { MANIFEST_FILE, readCatalogAt, readManifestAt } from '../../diff/read-base.ts';
import { renderJson, renderMarkdown } from '../../diff/render.ts';
import { locateCatalog } from '../../load/locate-catalog.ts';
import { readCatalog } from '../../load/read-catalog.ts';
import { UsageError } from '../../shared/errors.ts';
import { todayIn } from '../../shared/options.ts';

/** Paths whose change can change what `hall build` writes. */
const TOOLCHAIN_CHANGE = /^(?:cli|schemas)\/|^package(?:-lock)?\.json$/;

export interface DiffOptions {
  base: string;
  format: 'markdown' | 'json';
  lang: Lang;
  out?: string;
  buildCheck: boolean;
  today?: string;
}

/** Compare the catalog at `--base` with the working tree. Exit 1 when the PR does something forbidden. */
export async function diffWorkingTree(dirArg: string | undefined, options: Omit<DiffOptions, 'format' | 'out' | 'lang'>): Promise<CatalogDiff> {
  const location = await locateCatalog(dirArg);
  const dir = location.abs;
  if (location.scope) throw new UsageError(`hall diff 作用于整个目录，请给出目录文件夹（${location.dir}） / hall diff works on a whole catalog: give its folder (${location.dir})`);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`找不到目录文件夹“${location.dir}” / no catalog folder "${location.dir}"`);
  const root = await repositoryRoot(dir);
  const catalogDir = toPosix(path.relative(root, dir)) || '.';
  const commit = await resolveCommit(root, options.base);
  const today = options.today ?? todayIn();
  const [headSource, baseSource, manifest, changed] = await Promise.all([
    readCatalog(catalogDir, root),
    readCatalogAt(root, commit, catalogDir),
    readManifestAt(root, commit),
    changedPaths(root, commit),
  ]);
  const baseGenerated = new Set((await listTree(root, commit, 'generated')).map((f) => f.path));
  const keptVersions = {
    manifestFile: MANIFEST_FILE,
    baseManifest: await readFileAt(root, commit, MANIFEST_FILE),
    headManifest: await readFile(path.join(root, MANIFEST_FILE), 'utf8').catch(() => undefined),
    changedAtBase: changed.filter((p) => baseGenerated.has(p)).map((p) => ({ path: p, deleted: !existsSync(path.join(root, p)) })),
  };
  // In CI this runs the base's toolchain (see .github/workflows/pr.yml); a PR that changes the toolchain may
  // rightly change what it generates, so its generated/ is checked by its own toolchain in the check job.
  const toolchainChanged = changed.some((p) => TOOLCHAIN_CHANGE.test(p));
  const generated = options.buildCheck && toolchainChanged
    ? { status: 'skipped' as const, note: bi('本 PR 修改了工具链：generated/ 由“检查目录”任务用本 PR 的工具链核对，并由信息化办评审', 'this PR changes the toolchain: the check job verifies generated/ with the PR\'s own toolchain, and the IT office reviews it') }
    : options.buildCheck
    ? await checkGenerated(root, catalogDir)
    : { status: 'skipped' as const, note: bi('用 --no-build-check 跳过', 'skipped with --no-build-check') };
  return diffCatalogs({
    base: checkSource(baseSource, { today }),
    head: checkSource(headSource, { today }),
    baseRef: { ref: options.base, commit },
    manifest,
    changedPaths: changed,
    generated,
    keptVersions,
  });
}

export async function runDiff(dir: string | undefined, options: DiffOptions): Promise<number> {
  const diff = await diffWorkingTree(dir, options);
  const text = options.format === 'json' ? renderJson(diff, options.lang) : renderMarkdown(diff, options.lang);
  if (options.out) await writeFile(options.out, text);
  else process.stdout.write(text);
  return diff.forbidden.length ? 1 : 0;
}
