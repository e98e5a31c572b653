import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkSource } from '../../check/check-catalog.ts';
import type { Lang } from '../../diagnostics/diagnostic.ts';
import { formatDiagnostics } from '../../diagnostics/format/index.ts';
import { readCatalog } from '../../load/read-catalog.ts';
import { answerProblems, collectAnswers } from '../../scaffold/answers.ts';
import type { NewFlags, Prompter, TakenIds } from '../../scaffold/answers.ts';
import { renderService } from '../../scaffold/scaffold.ts';
import { UsageError } from '../../shared/errors.ts';
import { counted } from '../../../lib/shared/plural.ts';
import { todayIn, useColor } from '../../shared/options.ts';
import { loadAndCheck } from '../check/run.ts';

export interface NewOptions extends NewFlags {
  lang: Lang;
  interactive: boolean;
  stdout?: boolean;
  today?: string;
}

const SERVICE_SCHEMA = path.join(import.meta.dirname, '..', '..', '..', 'schemas', 'service.schema.json');
const toPosix = (p: string) => p.split(path.sep).join('/');

const T = {
  zh: {
    noHall: 'hall.yaml 无法使用，无法新建事项；请先运行 npx hall check 并改正 hall.yaml。',
    cancelled: '已取消，没有写入任何文件。',
    exists: (f: string) => `${f} 已经存在。`,
    invalid: '生成的文件没有通过检查（这是 hall 的问题，请报告给信息化办）：',
    created: (f: string) => `✔ 已创建 ${f}（草稿，status: draft）。`,
    todo: (n: number) => `还有 ${n} 处“待填写”：`,
    next: '下一步：把上面各处改成真实内容，运行 npx hall check 直到没有警告；准备上线时把 status 改为 pilot 或 online，然后提交 PR（见 docs/pr-process.md）。',
  },
  en: {
    noHall: 'hall.yaml cannot be used, so no service can be scaffolded; run npx hall check and fix hall.yaml first.',
    cancelled: 'Cancelled; nothing was written.',
    exists: (f: string) => `${f} already exists.`,
    invalid: 'The scaffolded file does not pass the check (a bug in hall; please report it to the IT office):',
    created: (f: string) => `✔ Created ${f} (a draft, status: draft).`,
    todo: (n: number) => `${counted(n, 'place still says', 'places still say')} 待填写 ("fill this in"):`,
    next: 'Next: fill those in, run npx hall check until it is clean, set status to pilot or online when ready, and open a PR (see docs/pr-process.md).',
  },
};

/** `hall new`: ask or read the answers, render the kind's template, prove it checks, then write it. */
export async function runNew(dirArg: string | undefined, options: NewOptions, prompter?: Prompter): Promise<number> {
  const t = T[options.lang];
  const today = options.today ?? todayIn();
  const result = await loadAndCheck(dirArg, { today });
  const { dir, root } = result.location;
  const { catalog } = result;
  if (!catalog.hall) throw new UsageError(t.noHall);
  const taken: TakenIds = new Map(result.documents.filter((d) => d.kind === 'Service' && typeof d.value.id === 'string').map((d) => [d.value.id as string, d.parsed.file]));
  const interactive = options.interactive !== false && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const ask = prompter ?? (interactive ? (await import('../../scaffold/inquirer-prompter.ts')).inquirerPrompter : undefined);
  let answers;
  try {
    answers = await collectAnswers(options, catalog, taken, ask, options.lang);
  } catch (error) {
    // Ctrl-C at a prompt: the admin changed their mind; nothing was written.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      process.stderr.write(`${t.cancelled}\n`);
      return 130;
    }
    throw error;
  }
  const problems = answerProblems(answers, catalog, taken, options.lang);
  if (problems.length) throw new UsageError(problems.join('\n'));

  const target = path.join(dir, answers.owner, `${answers.id}.yaml`);
  const shown = toPosix(path.relative(process.cwd(), target));
  if (existsSync(target)) throw new UsageError(t.exists(shown));
  const schemaPath = existsSync(SERVICE_SCHEMA) ? toPosix(path.relative(path.dirname(path.resolve(target)), SERVICE_SCHEMA)) : undefined;
  const text = renderService(answers, { catalog, today, schemaPath });
  if (options.stdout) {
    process.stdout.write(text);
    return 0;
  }

  // Check the catalog with the new file in it before writing: a scaffold must never leave an error.
  const source = await readCatalog(path.relative(root, result.location.abs) || '.', root);
  const file = toPosix(path.relative(source.root, path.resolve(target)));
  source.yaml.push({ file, bytes: new TextEncoder().encode(text) });
  source.files.add(file);
  const checked = checkSource(source, { today });
  const own = checked.diagnostics.filter((d) => d.file === file);
  const print = (diagnostics: typeof own) =>
    formatDiagnostics('pretty', diagnostics, { lang: options.lang, color: useColor(process.stdout), sources: new Map([[file, text]]), filesChecked: 1 });
  const unexpected = own.filter((d) => d.code !== 'policy/todo');
  if (unexpected.length) {
    process.stderr.write(`${t.invalid}\n${print(unexpected)}`);
    return 2;
  }
  await writeFile(target, text);
  const lines = own.map((d) => `  ${file}:${d.line}:${d.column}  ${text.split('\n')[d.line - 1]?.trim()}`);
  process.stdout.write([t.created(shown), t.todo(own.length), ...lines, '', t.next, ''].join('\n'));
  return 0;
}
