import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { closest } from '../diagnostics/suggest.ts';
import { locate } from '../load/parse-file.ts';
import { counted } from '../../lib/shared/plural.ts';
import type { ParsedFile } from '../load/parse-file.ts';
import { idsByName, nameKey, referenceKind } from '../resolve/names.ts';
import type { IdsByName } from '../resolve/names.ts';
import { validators } from './schemas.ts';
import type { DocumentKind } from './schemas.ts';

export interface CatalogDocument {
  kind: DocumentKind;
  parsed: ParsedFile;
  /** The document's data; typed by kind once `valid` is true. */
  value: Record<string, unknown>;
  /** Passed schema validation, so later stages may rely on its shape. */
  valid: boolean;
}

/** Schema errors located per file: more than any real file has, few enough to stay fast. */
const MAX_SCHEMA_ERRORS = 500;

const KINDS: DocumentKind[] = ['Hall', 'Department', 'RoleGroups', 'Service'];

/** The kind a file is, from its `kind` key or else its name. */
export function kindOf(parsed: ParsedFile): DocumentKind | undefined {
  const kind = parsed.value?.kind;
  if (typeof kind === 'string') return (KINDS as string[]).includes(kind) ? (kind as DocumentKind) : undefined;
  const base = parsed.file.split('/').pop();
  return base === 'hall.yaml' ? 'Hall' : base === 'roles.yaml' ? 'RoleGroups' : base === 'department.yaml' ? 'Department' : 'Service';
}

/**
 * Validate every parsed file against the schema of its kind. `known` are files already found valid
 * (the build's cache: validity depends on a file's bytes alone), with their kind. Pure.
 */
export function validateDocuments(files: ParsedFile[], known: Map<ParsedFile, DocumentKind> = new Map()): { documents: CatalogDocument[]; diagnostics: Diagnostic[] } {
  // Names only help to word the findings of invalid files: gathered when the first one turns up.
  let names: IdsByName | undefined;
  const documents: CatalogDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const v = validators();
  for (const parsed of files) {
    if (!parsed.value) continue;
    const knownKind = known.get(parsed);
    if (knownKind) {
      documents.push({ kind: knownKind, parsed, value: parsed.value, valid: true });
      continue;
    }
    const kind = kindOf(parsed);
    if (!kind) {
      const found = String(parsed.value.kind);
      const r = locate(parsed, ['kind']);
      diagnostics.push({ code: 'catalog/unknown-kind', severity: 'error', args: { kind: found, suggest: closest(found, KINDS) ?? '' , ...(closest(found, KINDS) ? {} : { suggestion: '' }) }, file: parsed.file, ...r, path: ['kind'] });
      continue;
    }
    const validate = v[kind];
    const valid = validate(parsed.value) as boolean;
    documents.push({ kind, parsed, value: parsed.value, valid });
    if (!valid) {
      // Each error is located in the document; past a few hundred the rest are only counted.
      const errors = validate.errors ?? [];
      diagnostics.push(...schemaDiagnostics(errors.slice(0, MAX_SCHEMA_ERRORS), parsed, (names ??= idsByName(files.map((f) => f.value)))));
      if (errors.length > MAX_SCHEMA_ERRORS) diagnostics.push({ code: 'file/more-problems', severity: 'error', args: { count: errors.length - MAX_SCHEMA_ERRORS }, file: parsed.file, line: 1, column: 1 });
    }
  }
  return { documents, diagnostics };
}

type Path = (string | number)[];

function pathOf(instancePath: string, root: unknown): Path {
  if (!instancePath) return [];
  const segments = instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path: Path = [];
  let cursor: unknown = root;
  for (const s of segments) {
    const seg = Array.isArray(cursor) ? Number(s) : s;
    path.push(seg);
    cursor = cursor && typeof cursor === 'object' ? (cursor as Record<string, unknown>)[s] : undefined;
  }
  return path;
}

function valueAt(root: unknown, path: Path): unknown {
  let cursor = root;
  for (const seg of path) cursor = cursor && typeof cursor === 'object' ? (cursor as Record<string | number, unknown>)[seg] : undefined;
  return cursor;
}

/**
 * "中文。/ English." descriptions split into the reader's two languages, first sentence of each. The
 * separator is a slash after a full stop or a space; a slash inside a phrase (学号/工号) is not one.
 */
function bilingual(description: unknown): { zh: string; en: string } {
  const text = typeof description === 'string' ? description : '';
  const at = text.search(/(?<=[。.)）\s])\/\s/);
  const zh = (at === -1 ? text : text.slice(0, at)).trim();
  const en = at === -1 ? zh : text.slice(at + 1).trim();
  return { zh: zh.split('。')[0], en: en.split(/(?<!\b(?:e\.g|i\.e))\.(?:\s|$)/)[0] };
}

const TYPE_NAMES: Record<string, { zh: string; en: string }> = {
  string: { zh: '文本', en: 'text' },
  integer: { zh: '整数', en: 'a whole number' },
  number: { zh: '数字', en: 'a number' },
  boolean: { zh: '是/否（true 或 false）', en: 'true or false' },
  object: { zh: '“键: 值”结构', en: 'a mapping of keys to values' },
  array: { zh: '列表（每项以“- ”开头）', en: 'a list (items starting with "- ")' },
  null: { zh: '空值', en: 'empty' },
};

function typeOfValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const FORMAT_NAMES: Record<string, { zh: string; en: string; hint: { zh: string; en: string } }> = {
  date: { zh: '日期', en: 'date', hint: { zh: '日期写成 YYYY-MM-DD，如 2026-09-01。', en: 'Write dates as YYYY-MM-DD, e.g. 2026-09-01.' } },
  'date-time': { zh: '日期时间', en: 'date-time', hint: { zh: '写成 2026-09-01T09:00:00+08:00。', en: 'Write 2026-09-01T09:00:00+08:00.' } },
  email: { zh: '邮箱地址', en: 'e-mail address', hint: { zh: '邮箱形如 name@example.edu.cn。', en: 'E-mail looks like name@example.edu.cn.' } },
  uri: { zh: '网址', en: 'URL', hint: { zh: '网址以 https:// 开头，如 https://oa.example.edu.cn。', en: 'URLs start with https://.' } },
  regex: { zh: '正则表达式', en: 'regular expression', hint: { zh: '检查括号是否成对、特殊字符是否转义。', en: 'Check brackets and escapes.' } },
};

/** Turn ajv's errors into positioned, readable diagnostics: one per problem, the most specific kept. */
export function schemaDiagnostics(errors: ErrorObject[], parsed: ParsedFile, names: IdsByName = { group: new Map(), department: new Map() }): Diagnostic[] {
  const root = parsed.value;
  const skip = anyOfNoise(errors);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if' || skip.has(e)) continue;
    const path = pathOf(e.instancePath, root);
    const parent = e.parentSchema as Record<string, unknown> | undefined;
    const value = valueAt(root, path);
    let code = 'schema/invalid';
    let args: Diagnostic['args'] = { detail: e.message ?? '' };
    let at = path;
    let key = false;
    switch (e.keyword) {
      case 'required': {
        const property = (e.params as { missingProperty: string }).missingProperty;
        const propSchema = (parent?.properties as Record<string, Record<string, unknown>> | undefined)?.[property];
        code = 'schema/required';
        args = { property, description: bilingual(propSchema?.description ?? (propSchema?.$ref ? '' : '')) };
        if (!propSchema?.description) args.description = { zh: property, en: property };
        key = true;
        break;
      }
      case 'additionalProperties': {
        const property = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys((parent?.properties as object | undefined) ?? {}).filter((k) => k !== '$schema');
        const suggest = closest(property, allowed);
        code = 'schema/unknown-property';
        args = { property, allowed: allowed.join(', '), ...(suggest ? { suggest } : {}) };
        at = [...path, property];
        key = true;
        break;
      }
      case 'type': {
        const expected = String((e.params as { type: string }).type).split(',');
        code = 'schema/type';
        args = typeArgs(expected, value);
        break;
      }
      case 'anyOf': {
        const branches = ((parent?.anyOf as Record<string, unknown>[]) ?? []);
        const expected = branches.map((b) => (b.type as string | undefined) ?? (b.$ref ? 'string' : 'object'));
        code = 'schema/type';
        args = typeArgs([...new Set(expected)], value);
        break;
      }
      case 'enum': {
        const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
        const suggest = closest(String(value), allowed);
        code = 'schema/enum';
        args = { value: String(value), allowed: allowed.join(', '), ...(suggest ? { suggest } : {}) };
        break;
      }
      case 'const':
        code = 'schema/const';
        args = { expected: String((e.params as { allowedValue: unknown }).allowedValue) };
        break;
      case 'pattern': {
        const str = String(value);
        const unsafe = unsafeLink(str);
        if (unsafe) {
          code = 'text/unsafe-link';
          args = unsafe;
        } else if (referenceKind(path) && names[referenceKind(path)!].has(nameKey(str))) {
          // The name of a group or department where its id belongs (group: 辅导员): say which id.
          code = referenceKind(path) === 'group' ? 'ref/unknown-group' : 'ref/unknown-department';
          args = { id: str.slice(0, 60), suggest: names[referenceKind(path)!].get(nameKey(str))! };
        } else {
          const examples = parent?.examples as unknown[] | undefined;
          code = 'schema/pattern';
          args = { value: str.slice(0, 60), description: bilingual(parent?.description), example: examples?.length ? String(examples[0]) : '' };
        }
        break;
      }
      case 'format': {
        const format = (e.params as { format: string }).format;
        const names = FORMAT_NAMES[format] ?? { zh: format, en: format, hint: { zh: '', en: '' } };
        const str = String(value);
        const unsafe = unsafeLink(str);
        if (unsafe) {
          code = 'text/unsafe-link';
          args = unsafe;
        } else {
          code = 'schema/format';
          args = { value: str.slice(0, 60), format: { zh: names.zh, en: names.en }, formatHint: names.hint };
        }
        break;
      }
      case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      case 'minItems': case 'maxItems': case 'minLength': case 'maxLength': case 'uniqueItems': case 'minProperties': {
        code = 'schema/range';
        args = { detail: rangeDetail(e, value) };
        break;
      }
      case 'not':
        code = 'schema/invalid';
        args = { detail: { zh: `“${String(value)}”是保留字，不能用作标识`, en: `"${String(value)}" is a reserved word and cannot be an id` } };
        break;
      case 'propertyNames':
        continue; // reported by the nested pattern error
    }
    const r = locate(parsed, at, { key });
    const dedupe = `${code}:${r.line}:${r.column}:${JSON.stringify(args)}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    out.push({ code, severity: 'error', args, file: parsed.file, ...r, path: at });
  }
  return out;
}

/**
 * The errors of a failed anyOf that would only confuse a reader. ajv lists every branch's errors right
 * before the anyOf's own. When the value has the type of some branch (text given as {zh, fr}), that
 * branch's errors say what is wrong, and the other branches' type mismatches and the anyOf are noise;
 * when it fits no branch (a number for a text), the anyOf alone is reported, as a type problem.
 */
function anyOfNoise(errors: ErrorObject[]): Set<ErrorObject> {
  const skip = new Set<ErrorObject>();
  const within = (p: string, parent: string) => p === parent || p.startsWith(parent + '/');
  errors.forEach((e, k) => {
    if (e.keyword !== 'anyOf') return;
    const branches = ((e.parentSchema as { anyOf?: unknown[] } | undefined)?.anyOf ?? []).length;
    const branchErrors: ErrorObject[] = [];
    for (let j = k - 1; j >= 0 && within(errors[j].instancePath, e.instancePath); j--) branchErrors.push(errors[j]);
    const typeMisses = branchErrors.filter((b) => b.keyword === 'type' && b.instancePath === e.instancePath);
    if (typeMisses.length >= branches) {
      for (const b of branchErrors) skip.add(b);
    } else {
      skip.add(e);
      for (const b of typeMisses) skip.add(b);
    }
  });
  return skip;
}

/** A URL field holding a script or data link gets the specific error, not a generic format one. */
function unsafeLink(value: string): { value: string; scheme: string } | undefined {
  const scheme = /^\s*(javascript|data|vbscript|file):/i.exec(value);
  return scheme ? { value: value.slice(0, 60), scheme: `${scheme[1].toLowerCase()}:` } : undefined;
}

function typeArgs(expected: string[], value: unknown): Diagnostic['args'] {
  const names = (lang: 'zh' | 'en') => expected.map((t) => TYPE_NAMES[t]?.[lang] ?? t).join(lang === 'zh' ? '或' : ' or ');
  const actual = typeOfValue(value);
  const hint = expected.includes('array') && actual !== 'array'
    ? { zh: '列表的每一项单独一行，以“- ”开头；只有一项也要写成列表。', en: 'Write each list item on its own line starting with "- ", even a single one.' }
    : expected.includes('string') && (actual === 'integer' || actual === 'number' || actual === 'boolean')
      ? { zh: '把这个值用英文引号括起来，写成文本，如 "010"。', en: 'Quote the value to make it text, e.g. "010".' }
      : expected.includes('integer') || expected.includes('number')
        ? { zh: '只写阿拉伯数字，不要带单位或汉字，如 3。', en: 'Write digits only, without units, e.g. 3.' }
        : expected.includes('boolean')
          ? { zh: '写 true（是）或 false（否）。', en: 'Write true or false.' }
          : { zh: '对照格式参考修改。', en: 'Compare with the format reference.' };
  return { expected: { zh: names('zh'), en: names('en') }, actual: TYPE_NAMES[actual] ?? { zh: actual, en: actual }, typeHint: hint };
}

function rangeDetail(e: ErrorObject, value: unknown): { zh: string; en: string } {
  const p = e.params as { limit?: number; comparison?: string };
  switch (e.keyword) {
    case 'minimum': return { zh: `数值 ${String(value)} 小于最小值 ${p.limit}。`, en: `${String(value)} is below the minimum ${p.limit}.` };
    case 'maximum': return { zh: `数值 ${String(value)} 大于最大值 ${p.limit}。`, en: `${String(value)} is above the maximum ${p.limit}.` };
    case 'exclusiveMinimum': return { zh: `数值必须大于 ${p.limit}。`, en: `Must be greater than ${p.limit}.` };
    case 'exclusiveMaximum': return { zh: `数值必须小于 ${p.limit}。`, en: `Must be less than ${p.limit}.` };
    case 'minItems': return { zh: `至少要有 ${p.limit} 项。`, en: `Needs at least ${counted(Number(p.limit), 'item')}.` };
    case 'maxItems': return { zh: `最多 ${p.limit} 项。`, en: `At most ${counted(Number(p.limit), 'item')}.` };
    case 'minLength': return { zh: `不能为空，至少 ${p.limit} 个字符。`, en: `At least ${counted(Number(p.limit), 'character')}.` };
    case 'maxLength': return { zh: `太长了，最多 ${p.limit} 个字符。`, en: `Too long: at most ${p.limit} characters.` };
    case 'uniqueItems': return { zh: '列表中有重复的项。', en: 'The list has duplicate items.' };
    case 'minProperties': return { zh: '至少要填写一项。', en: 'Fill in at least one entry.' };
    default: return { zh: e.message ?? '', en: e.message ?? '' };
  }
}
