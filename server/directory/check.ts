import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Diagnostic } from '../../cli/diagnostics/diagnostic.ts';
import { sortDiagnostics } from '../../cli/diagnostics/diagnostic.ts';
import { closest } from '../../cli/diagnostics/suggest.ts';
import { MAX_FILE_BYTES, firstInvalidUtf8, locate } from '../../cli/load/parse-file.ts';
import type { Range } from '../../cli/load/parse-file.ts';
import { readYamlDocument } from '../../cli/validate/yaml-document.ts';
import type { ScopeKind, Vocabulary } from './vocabulary.ts';

/**
 * A directory export: the people the hall knows and the groups@scopes they hold. Membership comes from the
 * data centre, never from git (000号文第十一条); this is the format of its export, as YAML or as CSV.
 */
export interface DirectoryExport {
  people: { id: string; name: string; attributes?: Record<string, string>; holds?: string[] }[];
}

/** The outcome of checking one export: the directory when it has no error, and every finding, positioned. */
export interface DirectoryCheck {
  directory?: DirectoryExport;
  diagnostics: Diagnostic[];
  /** The file's text (for code frames), '' when it could not be decoded. */
  text: string;
}

/** The YAML's shape; values (ids, holds) are checked after it, with the directory's own codes. */
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['people'],
  properties: {
    people: {
      type: 'array',
      description: '人员列表。/ The people.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name'],
        properties: {
          id: { type: 'string', description: '学号或工号。/ Person id.' },
          name: { type: 'string', maxLength: 100, description: '姓名。/ Name.' },
          attributes: { type: 'object', additionalProperties: { type: 'string', maxLength: 200 }, description: '人员属性（流程中的 applicant.*）。/ Attributes.' },
          holds: { type: 'array', items: { type: 'string' }, description: '持有的“群组@范围”。/ The group@scope held.' },
        },
      },
    },
  },
} as const;

const validateYaml = new Ajv2020({ allErrors: true, verbose: true }).compile<DirectoryExport>(SCHEMA);

export const PERSON_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const HOLD = /^([a-z0-9-]+)(?:@([A-Za-z0-9_.-]+))?$/;
/** CSV columns every export has; every other column is an attribute. */
export const REQUIRED_COLUMNS = ['id', 'name'] as const;

/** One person as read, with where each value is, whatever the format. */
interface Entry {
  id: { value: string; at: Range };
  name: { value: string; at: Range; field: string };
  attributes: Record<string, string>;
  holds: { value: string; at: Range }[];
  line: number;
}

/**
 * Read and check a directory export: YAML (`people: [{id, name, attributes, holds}]`) or CSV (one row per
 * person: `id`, `name`, `holds` separated by `;`, every other column an attribute), chosen by the file's
 * extension. Pure; every problem is a coded diagnostic at file:line:column.
 */
export function checkDirectory(bytes: Uint8Array, file: string, vocabulary: Vocabulary): DirectoryCheck {
  const extension = /\.[^./\\]*$/.exec(file)?.[0].toLowerCase() ?? '';
  const read = extension === '.csv' ? readCsv(bytes, file) : extension === '.yaml' || extension === '.yml' ? readYaml(bytes, file) : undefined;
  if (!read) return { diagnostics: [{ code: 'directory/unknown-format', severity: 'error', args: { extension: extension || file }, file, line: 1, column: 1 }], text: '' };
  const { entries, text } = read;
  const diagnostics = [...read.diagnostics];
  if (!entries) return { diagnostics: sortDiagnostics(diagnostics), text };
  diagnostics.push(...checkEntries(entries, file, vocabulary));
  if (!entries.length && !diagnostics.length) diagnostics.push({ code: 'directory/no-people', severity: 'error', args: {}, file, line: 1, column: 1 });
  const errors = diagnostics.some((d) => d.severity === 'error');
  const directory: DirectoryExport = {
    people: entries.map((e) => ({ id: e.id.value, name: e.name.value, attributes: e.attributes, holds: e.holds.map((h) => h.value) })),
  };
  return { ...(errors ? {} : { directory }), diagnostics: sortDiagnostics(diagnostics), text };
}

/** Read a directory export from disk and check it; an unreadable file is a diagnostic too, never a throw. */
export async function checkDirectoryFile(file: string, vocabulary: Vocabulary): Promise<DirectoryCheck & { sources: Map<string, string> }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { diagnostics: [{ code: 'file/unreadable', severity: 'error', args: { reason }, file, line: 1, column: 1 }], text: '', sources: new Map() };
  }
  const checked = checkDirectory(bytes, file, vocabulary);
  return { ...checked, sources: new Map([[file, checked.text]]) };
}

function readYaml(bytes: Uint8Array, file: string): { entries?: Entry[]; diagnostics: Diagnostic[]; text: string } {
  const { parsed, value, diagnostics } = readYamlDocument(bytes, file, validateYaml);
  if (!value) return { diagnostics, text: parsed.text };
  const entries = value.people.map((p, i): Entry => {
    const at = (...path: (string | number)[]) => locate(parsed, ['people', i, ...path]);
    return {
      id: { value: p.id, at: at('id') },
      name: { value: p.name, at: at('name'), field: 'name' },
      attributes: p.attributes ?? {},
      holds: (p.holds ?? []).map((h, k) => ({ value: h, at: at('holds', k) })),
      line: at().line,
    };
  });
  return { entries, diagnostics, text: parsed.text };
}

function readCsv(bytes: Uint8Array, file: string): { entries?: Entry[]; diagnostics: Diagnostic[]; text: string } {
  const at = (code: string, args: Diagnostic['args'] = {}, line = 1, column = 1): Diagnostic => ({ code, severity: 'error', args, file, line, column });
  if (bytes.length > MAX_FILE_BYTES * 64) return { diagnostics: [at('file/too-large', { size: bytes.length, limit: MAX_FILE_BYTES * 64 })], text: '' };
  if (bytes.length === 0) return { diagnostics: [at('file/empty')], text: '' };
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { diagnostics: [at('file/binary', { offset: nul })], text: '' };
  let text: string;
  try {
    // Excel's "CSV UTF-8" starts with a byte order mark: accepted here (unlike in the catalog).
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Most often a GBK export: say so at the first byte that is not UTF-8.
    const offset = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset));
    return { diagnostics: [at('file/encoding', { offset }, before.split('\n').length, before.length - before.lastIndexOf('\n'))], text: '' };
  }
  if (text.trim() === '') return { diagnostics: [at('file/empty')], text };
  let rows: { record: string[]; raw: string; info: { lines: number } }[];
  try {
    // Line ends normalised first: csv-parse counts a Windows line end inside a quoted value as two lines.
    rows = parseCsv(text.replace(/\r\n?/g, '\n'), { info: true, raw: true, relax_column_count: true, skip_empty_lines: true, trim: false }) as unknown as typeof rows;
  } catch (error) {
    const e = error as Error & { lines?: number; code?: string };
    const en = e.message.replace(/^[A-Z][A-Za-z ]+: /, '').slice(0, 200);
    const zh = CSV_ERRORS_ZH[e.code ?? ''] ?? en;
    return { diagnostics: [at('directory/csv-syntax', { detail: { zh, en } }, e.lines ?? 1)], text };
  }
  const diagnostics: Diagnostic[] = [];
  const [header, ...records] = rows;
  const columns = header.record.map((c) => c.trim());
  const headerColumns = fieldColumns(header.raw.replace(/\n$/, ''));
  const seen = new Map<string, number>();
  columns.forEach((c, k) => {
    if (seen.has(c)) diagnostics.push(at('directory/duplicate-column', { column: c }, 1, headerColumns[k]?.column ?? 1));
    else seen.set(c, k);
  });
  for (const column of REQUIRED_COLUMNS) if (!seen.has(column)) diagnostics.push(at('directory/missing-column', { column }, 1, 1));
  if (diagnostics.length) return { diagnostics, text };
  const idAt = seen.get('id')!;
  const nameAt = seen.get('name')!;
  const holdsAt = seen.get('holds');
  const entries = records.map((row): Entry => {
    // A quoted value may span lines: info.lines is the record's last line (raw ends with its line break).
    const raw = row.raw.replace(/\n$/, '');
    const line = row.info.lines - (raw.match(/\n/g)?.length ?? 0);
    const starts = fieldColumns(raw);
    const range = (k: number, offset = 0, length = (row.record[k] ?? '').length): Range => {
      const start = starts[k] ?? starts.at(-1)!;
      const column = start.column + offset;
      return { line: line + start.lines, column, endLine: line + start.lines, endColumn: column + Math.max(1, length) };
    };
    const cell = (k: number) => (row.record[k] ?? '').trim();
    const holds: Entry['holds'] = [];
    if (holdsAt !== undefined) {
      const raw = row.record[holdsAt] ?? '';
      let offset = raw.startsWith('"') ? 1 : 0;
      for (const part of raw.split(';')) {
        const value = part.trim();
        if (value) holds.push({ value, at: range(holdsAt, offset + part.indexOf(value), value.length) });
        offset += part.length + 1;
      }
    }
    const attributes: Record<string, string> = {};
    columns.forEach((c, k) => {
      if (k !== idAt && k !== nameAt && k !== holdsAt && cell(k) !== '') attributes[c] = cell(k);
    });
    return { id: { value: cell(idAt), at: range(idAt) }, name: { value: cell(nameAt), at: range(nameAt), field: 'name' }, attributes, holds, line };
  });
  return { entries, diagnostics, text };
}

/** csv-parse's errors in Chinese, by code; others keep the library's English words. */
const CSV_ERRORS_ZH: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: '有一个双引号一直没有闭合（从这一行起到文件结尾）',
  CSV_INVALID_CLOSING_QUOTE: '双引号闭合后紧跟着其他字符（内容中的双引号要写两次：""）',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: '双引号闭合后紧跟着其他字符（内容中的双引号要写两次：""）',
  CSV_INVALID_OPENING_QUOTE: '双引号出现在内容中间（整个值要用双引号括起来，内容中的双引号写两次）',
};

/** Where each field of one raw CSV record starts: lines after the record's first, and 1-based column (quotes respected). */
function fieldColumns(raw: string): { lines: number; column: number }[] {
  const starts = [{ lines: 0, column: 1 }];
  let quoted = false;
  let lines = 0;
  let column = 1;
  for (const ch of raw) {
    if (ch === '\n') {
      lines++;
      column = 1;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) starts.push({ lines, column: column + 1 });
    column++;
  }
  return starts;
}

const KIND_NAMES: Record<ScopeKind, { zh: string; en: string }> = {
  university: { zh: '全校', en: 'the whole university' },
  department: { zh: '部门', en: 'department' },
  class: { zh: '班级', en: 'class' },
  person: { zh: '人员', en: 'person' },
};

function checkEntries(entries: Entry[], file: string, vocabulary: Vocabulary): Diagnostic[] {
  const out: Diagnostic[] = [];
  const push = (code: string, args: Diagnostic['args'], at: Range) => out.push({ code, severity: 'error', args, file, ...at });
  const ids = new Set(entries.map((e) => e.id.value));
  const first = new Map<string, number>();
  for (const entry of entries) {
    if (entry.id.value === '') push('directory/missing-value', { field: 'id' }, entry.id.at);
    else if (!PERSON_ID.test(entry.id.value)) push('directory/invalid-id', { id: entry.id.value.slice(0, 60) }, entry.id.at);
    else if (first.has(entry.id.value)) push('directory/duplicate-id', { id: entry.id.value, first: first.get(entry.id.value)! }, entry.id.at);
    else first.set(entry.id.value, entry.id.at.line);
    if (entry.name.value.trim() === '') push('directory/missing-value', { field: entry.name.field }, entry.name.at);
    for (const hold of entry.holds) {
      const m = HOLD.exec(hold.value);
      if (!m) {
        push('directory/malformed-hold', { hold: hold.value.slice(0, 60) }, hold.at);
        continue;
      }
      const [, group, scope] = m;
      const role = vocabulary.groups.get(group);
      if (!role) {
        const suggest = closest(group, vocabulary.groups.keys());
        push('directory/unknown-group', { group, ...(suggest ? { suggest } : {}) }, hold.at);
        continue;
      }
      const kind = KIND_NAMES[role.scope];
      if (role.scope === 'university') {
        if (scope !== undefined) push('directory/unexpected-scope', { group, scope }, hold.at);
        continue;
      }
      if (scope === undefined) {
        const example = role.scope === 'department' ? ([...vocabulary.departments][0] ?? 'xgc') : role.scope === 'class' ? 'wxy-2203' : entry.id.value || 't-wang';
        push('directory/missing-scope', { group, kind, example }, hold.at);
        continue;
      }
      if (role.scope === 'department' && !vocabulary.departments.has(scope)) {
        const suggest = closest(scope, vocabulary.departments);
        push('directory/unknown-scope', {
          group,
          scope,
          kind,
          kind_name: { zh: '目录中的部门代码', en: 'a department code of the catalog' },
          ...(suggest ? { suggest } : {}),
          fix: { zh: `使用各部门 department.yaml 中的代码（如 ${[...vocabulary.departments].slice(0, 3).join('、')}）。`, en: `Use a code from the departments' department.yaml (e.g. ${[...vocabulary.departments].slice(0, 3).join(', ')}).` },
        }, hold.at);
      } else if (role.scope === 'person' && !ids.has(scope)) {
        const suggest = closest(scope, ids);
        push('directory/unknown-scope', {
          group,
          scope,
          kind,
          kind_name: { zh: '这个目录中的人员', en: 'a person in this directory' },
          ...(suggest ? { suggest } : {}),
          fix: { zh: '按人员划分的群组，范围写办理人本人的学号/工号（通常就是他自己的 id），这个人也必须在目录中。', en: 'A group divided by person takes the holder\'s own id as its scope, and that person must be in the directory.' },
        }, hold.at);
      }
    }
  }
  return out;
}
