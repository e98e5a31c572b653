import { isMap, isScalar, parseDocument } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { canonicalJson } from '../../lib/shared/canonical.ts';
import { yamlScalar } from './scaffold.ts';

/** What `hall retire` writes (seed 000 §13: the file, URL and data stay; the service is marked retired). */
export interface RetirementInput {
  date: string;
  reason: { zh: string; en?: string };
  successor?: string;
}

/** A file `hall retire` cannot edit safely; the message says why, in both languages. */
export class RetireError extends Error {}

interface Edit {
  start: number;
  end: number;
  text: string;
}

const keyOf = (pair: Pair) => (isScalar(pair.key) ? String(pair.key.value) : undefined);
const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;
const column = (text: string, at: number) => at - lineStart(text, at);

/** The indentation step the file already uses (two spaces unless a nested map says otherwise). */
function indentUnit(text: string, root: YAMLMap): number {
  for (const pair of root.items) {
    if (isMap(pair.value) && !pair.value.flow && pair.value.items.length) {
      const child = pair.value.items[0].key as Node | null;
      const parent = pair.key as Node | null;
      if (child?.range && parent?.range) {
        const step = column(text, child.range[0]) - column(text, parent.range[0]);
        if (step > 0) return step;
      }
    }
  }
  return 2;
}

function retiredBlock(input: RetirementInput, indent: string, step: string, newline: string): string {
  const lines = [`${indent}retired:`, `${indent}${step}date: ${input.date}`];
  if (input.reason.en) lines.push(`${indent}${step}reason:`, `${indent}${step}${step}zh: ${yamlScalar(input.reason.zh)}`, `${indent}${step}${step}en: ${yamlScalar(input.reason.en)}`);
  else lines.push(`${indent}${step}reason: ${yamlScalar(input.reason.zh)}`);
  if (input.successor) lines.push(`${indent}${step}successor: ${yamlScalar(input.successor)}`);
  return lines.join(newline);
}

/**
 * Mark a service file retired by editing its text in place: the `status` value becomes `retired` and a
 * `retired:` block (date, reason, successor) is written after it, or replaces the one already there.
 * Every byte outside those two keys stays as it was: comments, quoting, blank lines, line endings.
 * Pure; throws RetireError for a file it cannot edit safely.
 */
export function retireServiceText(text: string, input: RetirementInput): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new RetireError(`文件有 YAML 错误，请先运行 npx hall check 改正 / the file has YAML errors; run npx hall check first`);
  const root = doc.contents;
  if (!isMap(root) || root.flow) throw new RetireError('文件顶层不是块格式的键值结构，无法自动修改 / the top level is not a block mapping');
  const status = root.items.find((p) => keyOf(p) === 'status');
  const value = status?.value as Node | null | undefined;
  if (!status || !isScalar(value) || !value.range) throw new RetireError('文件中没有 status，无法标记停办 / the file has no status to change');
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const step = ' '.repeat(indentUnit(text, root));
  const indent = ' '.repeat(column(text, (status.key as Node).range![0]));
  const block = retiredBlock(input, indent, step, newline);

  const edits: Edit[] = [];
  if (value.value !== 'retired' || value.type !== 'PLAIN') edits.push({ start: value.range[0], end: value.range[1], text: 'retired' });
  const existing = root.items.find((p) => keyOf(p) === 'retired');
  const existingValue = existing?.value as Node | null | undefined;
  if (existing && existingValue?.range) {
    const start = lineStart(text, (existing.key as Node).range![0]);
    let end = existingValue.range[1];
    while (end > start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
    edits.push({ start, end, text: block });
  } else {
    let at = text.indexOf('\n', value.range[1]);
    if (at === -1) at = text.length;
    else if (text[at - 1] === '\r') at--;
    edits.push({ start: at, end: at, text: `${newline}${block}` });
  }

  let out = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);

  // The edit must mean exactly this: same data, with status and retired set. Anything else is a bug.
  const expected = { ...(doc.toJS() as Record<string, unknown>), status: 'retired', retired: { date: input.date, reason: input.reason.en ? input.reason : input.reason.zh, ...(input.successor ? { successor: input.successor } : {}) } };
  const after = parseDocument(out, { uniqueKeys: true });
  if (after.errors.length || canonicalJson(after.toJS()) !== canonicalJson(expected)) {
    throw new RetireError('无法在不改动其他内容的情况下修改这个文件，请手工编辑 / cannot edit this file without touching anything else; edit it by hand');
  }
  return out;
}

/**
 * Point a retired service's `retired.successor` at `successor` instead, editing only that value:
 * when a successor itself retires, the services that named it move on to its own successor. Pure.
 */
export function replaceSuccessorText(text: string, successor: string): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  const root = doc.contents;
  const retired = isMap(root) ? root.items.find((p) => keyOf(p) === 'retired')?.value : undefined;
  const pair = isMap(retired) ? retired.items.find((p) => keyOf(p) === 'successor') : undefined;
  const value = pair?.value as Node | null | undefined;
  if (doc.errors.length || !isScalar(value) || !value.range) throw new RetireError('找不到 retired.successor，无法修改 / no retired.successor to change');
  const out = text.slice(0, value.range[0]) + yamlScalar(successor) + text.slice(value.range[1]);
  const expected = doc.toJS() as { retired: Record<string, unknown> };
  expected.retired.successor = successor;
  if (canonicalJson(parseDocument(out).toJS()) !== canonicalJson(expected)) throw new RetireError('无法安全地修改 retired.successor，请手工编辑 / cannot change retired.successor safely; edit it by hand');
  return out;
}
