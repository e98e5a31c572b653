import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Lang } from '../../diagnostics/diagnostic.ts';
import { closest } from '../../diagnostics/suggest.ts';
import { RetireError, replaceSuccessorText, retireServiceText } from '../../scaffold/retire.ts';
import { UsageError } from '../../shared/errors.ts';
import { todayIn } from '../../shared/options.ts';
import { loadAndCheck } from '../check/run.ts';

export interface RetireOptions {
  reason: string;
  reasonEn?: string;
  successor?: string;
  date?: string;
  lang: Lang;
}

const T = {
  zh: {
    unknown: (id: string, hint?: string) => `没有标识为“${id}”的事项。${hint ? `是不是想写“${hint}”？` : ''}`,
    badDate: '--date 应写成 YYYY-MM-DD，如 2026-09-30。',
    emptyReason: '--reason 不能为空：请写明停办原因。',
    self: '事项不能由它自己接替。',
    already: (id: string, date: string, file: string) => `事项“${id}”已于 ${date} 停办，没有做任何修改。停办日期和原因是已公布的记录，不会被覆盖；确需更正时，请直接编辑 ${file} 中的 retired，并在 PR 中说明原因。`,
    retiredSuccessor: (id: string) => `接替事项“${id}”本身已停办，请指向仍在办理的事项。`,
    done: (id: string, file: string) => `✔ 已将 ${id} 标记为停办（${file}）。文件和网址会保留，办理数据保留供查询统计（000号文第十三条）。`,
    draft: '提示：这个事项还是草稿，从未发布；如果不再需要，也可以直接删除文件。',
    predecessors: (ids: string[]) => `已停办的事项 ${ids.join('、')} 以它为接替事项。请用 --successor 指定新的接替事项（会一并更新它们），或先修改它们的 retired.successor。`,
    repointed: (ids: string[], to: string) => `已把 ${ids.join('、')} 的接替事项改为 ${to}。`,
    next: '下一步：运行 npx hall check，然后提交 PR，由主管部门和信息化主管部门审核（见 docs/pr-process.md）。',
  },
  en: {
    unknown: (id: string, hint?: string) => `No service has the id "${id}".${hint ? ` Did you mean "${hint}"?` : ''}`,
    badDate: '--date must be YYYY-MM-DD, e.g. 2026-09-30.',
    emptyReason: '--reason must not be empty: say why the service is retired.',
    self: 'A service cannot succeed itself.',
    already: (id: string, date: string, file: string) => `The service "${id}" was already retired on ${date}; nothing was changed. Its retirement date and reason are a published record and are not overwritten; to correct them, edit retired in ${file} by hand and say why in the PR.`,
    retiredSuccessor: (id: string) => `The successor "${id}" is itself retired; point to a service still running.`,
    done: (id: string, file: string) => `✔ Marked ${id} retired (${file}). Its file and URL stay, and its data is kept for queries and statistics.`,
    draft: 'Note: this service is still a draft and was never published; you may simply delete its file instead.',
    predecessors: (ids: string[]) => `The retired services ${ids.join(', ')} name it as their successor. Give --successor (they are updated too), or change their retired.successor first.`,
    repointed: (ids: string[], to: string) => `Changed the successor of ${ids.join(', ')} to ${to}.`,
    next: 'Next: run npx hall check, then open a PR for the owning department and the IT office to review (see docs/pr-process.md).',
  },
};

/** `hall retire`: edit one service file in place, touching only `status` and `retired`. */
export async function runRetire(id: string, dir: string | undefined, options: RetireOptions): Promise<number> {
  const t = T[options.lang];
  const date = options.date ?? todayIn();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new UsageError(t.badDate);
  if (!options.reason.trim()) throw new UsageError(t.emptyReason);
  const result = await loadAndCheck(dir, {});
  const services = new Map(result.documents.filter((d) => d.kind === 'Service' && typeof d.value.id === 'string').map((d) => [d.value.id as string, d]));
  const target = services.get(id);
  if (!target) throw new UsageError(t.unknown(id, closest(id, services.keys())));
  if (target.value.status === 'retired' || target.value.retired !== undefined) {
    const date = (target.value.retired as { date?: unknown } | undefined)?.date;
    throw new UsageError(t.already(id, typeof date === 'string' ? date : '?', target.parsed.file));
  }
  if (options.successor !== undefined) {
    const successor = services.get(options.successor);
    if (options.successor === id) throw new UsageError(t.self);
    if (!successor) throw new UsageError(t.unknown(options.successor, closest(options.successor, services.keys())));
    if (successor.value.status === 'retired') throw new UsageError(t.retiredSuccessor(options.successor));
  }
  // Services retired earlier in favour of this one move on to its successor, so no chain ends in a retired service.
  const predecessors = [...services.values()].filter((d) => (d.value.retired as { successor?: unknown } | undefined)?.successor === id);
  if (predecessors.length && !options.successor) throw new UsageError(t.predecessors(predecessors.map((d) => d.value.id as string)));
  const file = path.resolve(result.location.root, target.parsed.file);
  const text = await readFile(file, 'utf8');
  let edited: string;
  try {
    edited = retireServiceText(text, { date, reason: { zh: options.reason.trim(), ...(options.reasonEn ? { en: options.reasonEn.trim() } : {}) }, ...(options.successor ? { successor: options.successor } : {}) });
  } catch (error) {
    if (error instanceof RetireError) throw new UsageError(`${target.parsed.file}: ${error.message}`);
    throw error;
  }
  const repointed: [string, string][] = [];
  for (const p of predecessors) {
    const other = path.resolve(result.location.root, p.parsed.file);
    try {
      repointed.push([other, replaceSuccessorText(await readFile(other, 'utf8'), options.successor!)]);
    } catch (error) {
      if (error instanceof RetireError) throw new UsageError(`${p.parsed.file}: ${error.message}`);
      throw error;
    }
  }
  await writeFile(file, edited);
  for (const [other, text] of repointed) await writeFile(other, text);
  const lines = [t.done(id, target.parsed.file)];
  if (predecessors.length) lines.push(t.repointed(predecessors.map((d) => d.value.id as string), options.successor!));
  if (target.value.status === 'draft') lines.push(t.draft);
  lines.push(t.next, '');
  process.stdout.write(lines.join('\n'));
  return 0;
}
