import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { checkSource } from '../../cli/check/check-catalog.ts';
import type { CheckResult } from '../../cli/check/check-catalog.ts';
import type { Diagnostic } from '../../cli/diagnostics/diagnostic.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import type { CatalogSource } from '../../cli/load/read-catalog.ts';

/** The repository root, where `cli/hall.ts` lives. */
export const REPO = path.resolve(import.meta.dirname, '../..');
/** The valid baseline: a small catalog that checks clean; every broken case edits one thing in a copy. */
export const BASELINE = path.join(REPO, 'test/fixtures/baseline');
/** The day the baseline is judged on, so freshness rules do not drift with the calendar. */
export const TODAY = '2026-10-01';
/** Node 24 from the `node` devDependency: the system node may be older and cannot strip types. */
export const NODE = path.join(REPO, 'node_modules/.bin/node');
export const HALL = path.join(REPO, 'cli/hall.ts');

/**
 * One change to the baseline. Paths are relative to `catalog/`. `find` must occur exactly once in the
 * file, so a fixture edit that stops matching fails loudly instead of testing nothing.
 */
export type Edit =
  | { file: string; find: string; replace: string }
  | { file: string; write: string | Uint8Array }
  | { file: string; remove: true }
  | { file: string; moveTo: string };

let baseline: Promise<CatalogSource> | undefined;

/** The baseline catalog as read from disk, once per test file. */
export function baselineSource(): Promise<CatalogSource> {
  baseline ??= readCatalog('catalog', BASELINE);
  return baseline;
}

/** Apply one text edit; throws (a bug in the test) unless `find` occurs exactly once. */
export function replaceOnce(text: string, find: string, replace: string, file = ''): string {
  const at = text.indexOf(find);
  if (at === -1) throw new Error(`edit: "${find}" not found in ${file}`);
  if (text.indexOf(find, at + 1) !== -1) throw new Error(`edit: "${find}" occurs more than once in ${file}`);
  return text.slice(0, at) + replace + text.slice(at + find.length);
}

/** A copy of `source` with `edits` applied in memory. Pure: the baseline is never changed. */
export function editSource(source: CatalogSource, edits: Edit[]): CatalogSource {
  const prefix = `${source.dir}/`;
  const yaml = source.yaml.map((f) => ({ ...f }));
  const files = new Set(source.files);
  for (const edit of edits) {
    const file = prefix + edit.file;
    const isYaml = /\.ya?ml$/i.test(file);
    const index = yaml.findIndex((f) => f.file === file);
    if ('moveTo' in edit) {
      if (index === -1 || !files.delete(file)) throw new Error(`edit: no YAML file ${file} to move`);
      yaml[index] = { file: prefix + edit.moveTo, bytes: yaml[index].bytes };
      files.add(prefix + edit.moveTo);
    } else if ('remove' in edit) {
      if (!files.delete(file)) throw new Error(`edit: no file ${file} to remove`);
      if (index !== -1) yaml.splice(index, 1);
    } else if ('write' in edit) {
      files.add(file);
      const bytes = typeof edit.write === 'string' ? new TextEncoder().encode(edit.write) : edit.write;
      if (!isYaml) continue;
      if (index === -1) yaml.push({ file, bytes });
      else yaml[index] = { file, bytes };
    } else {
      if (index === -1) throw new Error(`edit: no YAML file ${file}`);
      const text = new TextDecoder().decode(yaml[index].bytes);
      yaml[index] = { file, bytes: new TextEncoder().encode(replaceOnce(text, edit.find, edit.replace, file)) };
    }
  }
  yaml.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { ...source, yaml, files, diagnostics: [...source.diagnostics] };
}

/** Check the baseline with `edits` applied. */
export async function checkEdited(edits: Edit[], today = TODAY): Promise<CheckResult> {
  return checkSource(editSource(await baselineSource(), edits), { today });
}

/** A diagnostic as `code file:line:column`, the file relative to `catalog/`: what broken cases expect. */
export function located(d: Diagnostic): string {
  return `${d.code} ${d.file.replace(/^catalog\//, '')}:${d.line}:${d.column}`;
}

/** Every diagnostic of checking the baseline with `edits`, as `code file:line:column`. */
export async function findingsOf(edits: Edit[], today = TODAY): Promise<string[]> {
  return (await checkEdited(edits, today)).diagnostics.map(located);
}

/** A fresh copy of the baseline repository (with `catalog/`) in a temp dir; remove it when done. */
export async function copyBaseline(): Promise<{ root: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'hall-check-'));
  await cp(BASELINE, root, { recursive: true });
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

/**
 * A test case that breaks the baseline in one way: `edits` and the exact findings expected, each
 * `code file:line:column` with the file relative to `catalog/`.
 */
export interface BrokenCase {
  name: string;
  edits: Edit[];
  expected: string[];
  today?: string;
}

/** Shorthand for a text edit of one file. */
export const sub = (file: string, find: string, replace: string): Edit => ({ file, find, replace });

/**
 * Run `hall` as a real process with Node 24; never throws on a non-zero exit. The colour variables of
 * the test runner's own environment are dropped, so each test says what it wants.
 */
export function runHall(args: string[], options: { cwd: string; env?: Record<string, string>; nodeOptions?: string[] }) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !['NO_COLOR', 'FORCE_COLOR', 'HALL_LANG', 'HALL_DEBUG'].includes(k)) env[k] = v;
  return execa(NODE, [...(options.nodeOptions ?? []), HALL, ...args], { cwd: options.cwd, env: { ...env, ...options.env }, extendEnv: false, reject: false, stripFinalNewline: false, timeout: 60_000 });
}

/** What a stack trace looks like in output: a bad input must never produce one. */
export const STACK_TRACE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
