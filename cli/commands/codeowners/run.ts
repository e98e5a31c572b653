import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CODEOWNERS_FILE, compareCodeowners, generateCodeowners } from '../../codeowners/codeowners.ts';
import { repositoryRootOf } from '../../codeowners/stale.ts';
import type { Lang } from '../../diagnostics/diagnostic.ts';
import { formatDiagnostics } from '../../diagnostics/format/index.ts';
import { useColor } from '../../shared/options.ts';
import { counted } from '../../../lib/shared/plural.ts';
import { loadAndCheck } from '../check/run.ts';

export interface CodeownersOptions {
  lang: Lang;
  check?: boolean;
  stdout?: boolean;
  today?: string;
}

/** Generate CODEOWNERS from a catalog that checks without errors; write it, print it, or compare it. */
export async function runCodeowners(dir: string | undefined, options: CodeownersOptions): Promise<number> {
  const zh = options.lang === 'zh';
  const result = await loadAndCheck(dir, options);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const sources = new Map(result.files.map((f) => [f.file, f.text]));
  const print = (diagnostics: typeof errors) =>
    process.stdout.write(formatDiagnostics('pretty', diagnostics, { lang: options.lang, color: useColor(process.stdout), sources, filesChecked: result.files.length }));
  if (errors.length) {
    print(errors);
    process.stderr.write(zh ? '目录中有错误，评审分派可能不完整；请先改正上面的错误，再生成 CODEOWNERS。\n' : 'The catalog has errors, so review routing would be incomplete; fix them first.\n');
    return 1;
  }
  const { text, rules } = generateCodeowners(result.catalog, path.basename(result.location.abs));
  if (options.stdout) {
    process.stdout.write(text);
    return 0;
  }
  const target = path.join(repositoryRootOf(result.location.abs), CODEOWNERS_FILE);
  const shown = path.relative(process.cwd(), target).split(path.sep).join('/');
  if (options.check) {
    const actual = await readFile(target, 'utf8').catch(() => '');
    const stale = compareCodeowners(text, actual, shown);
    if (!stale) {
      process.stdout.write(zh ? `✔ ${shown} 是最新的。\n` : `✔ ${shown} is up to date.\n`);
      return 0;
    }
    print([stale]);
    return 1;
  }
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, text);
  process.stdout.write(zh ? `已写入 ${shown}（${rules.length} 条规则）。请把它和部门文件的修改一起提交。\n` : `Wrote ${shown} (${counted(rules.length, 'rule')}). Commit it together with the department changes.\n`);
  return 0;
}
