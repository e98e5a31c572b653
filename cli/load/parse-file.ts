import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';

/** Largest catalog file read; a real service file is a few KB. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Alias expansions allowed per document before it is treated as an alias bomb. */
const MAX_ALIAS_COUNT = 50;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** One YAML file, parsed with every node's position kept. */
export interface ParsedFile {
  /** Repository-relative path with forward slashes, e.g. `catalog/bwc/student-leave.yaml`. */
  file: string;
  text: string;
  doc?: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain data, or undefined when the file could not be read as one YAML mapping. */
  value?: Record<string, unknown>;
}

export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Turn the bytes of one file into a parsed document and the diagnostics found on the way. Pure. */
export function parseServiceFile(bytes: Uint8Array, file: string): { parsed: ParsedFile; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const parsed: ParsedFile = { file, text: '', lineCounter };
  const diagnostics: Diagnostic[] = [];
  const at = (code: string, args: Diagnostic['args'] = {}, line = 1, column = 1): Diagnostic => ({ code, severity: 'error', args, file, line, column });

  if (bytes.length > MAX_FILE_BYTES) return { parsed, diagnostics: [at('file/too-large', { size: bytes.length, limit: MAX_FILE_BYTES })] };
  if (bytes.length === 0) return { parsed, diagnostics: [at('file/empty')] };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { parsed, diagnostics: [at('file/encoding', { offset: 0 })] };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { parsed, diagnostics: [at('file/binary', { offset: nul })] };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset));
    const line = before.split('\n').length;
    return { parsed, diagnostics: [at('file/encoding', { offset }, line, before.length - before.lastIndexOf('\n'))] };
  }
  if (text.charCodeAt(0) === 0xfeff) return { parsed, diagnostics: [at('file/bom')] };
  parsed.text = text;
  if (text.trim() === '' || /^(\s*#.*\n?)*\s*$/.test(text)) return { parsed, diagnostics: [at('file/empty')] };

  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  if (!Array.isArray(docs)) return { parsed, diagnostics: [at('file/empty')] };
  if (docs.length > 1) {
    const second = lineCounter.linePos(docs[1].range[0]);
    return { parsed, diagnostics: [at('yaml/multiple-documents', { count: docs.length }, second.line, second.col)] };
  }
  const doc = docs[0];
  parsed.doc = doc;
  for (const error of doc.errors) {
    const pos = lineCounter.linePos(error.pos[0]);
    const code = error.code === 'DUPLICATE_KEY' ? 'yaml/duplicate-key' : error.code === 'TAB_AS_INDENT' || /tab/i.test(error.message) ? 'yaml/tab-indent' : 'yaml/syntax';
    const args: Diagnostic['args'] = code === 'yaml/duplicate-key' ? { key: duplicateKeyAt(text, error.pos[0]) } : code === 'yaml/syntax' ? { detail: describeYamlError(error.code, error.message) } : {};
    diagnostics.push({ ...at(code, args, pos.line, pos.col) });
  }
  if (diagnostics.length) return { parsed, diagnostics: dedupeByLine(diagnostics) };

  // Forbidden keys are reported and removed before conversion so no later stage ever sees them.
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined && FORBIDDEN_KEYS.has(key)) {
        const r = rangeOfNode(parsed, pair.key as Node);
        diagnostics.push({ ...at('yaml/forbidden-key', { key }, r.line, r.column), endLine: r.endLine, endColumn: r.endColumn });
        return visit.REMOVE;
      }
      return undefined;
    },
  });

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError || /alias/i.test(String(error))) {
      return { parsed, diagnostics: [...diagnostics, at('yaml/alias-limit')] };
    }
    throw error;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
    return { parsed, diagnostics: [...diagnostics, at('yaml/not-a-map', { found: { zh: FOUND_ZH[found] ?? found, en: found } })] };
  }
  parsed.value = normalizeDates(value) as Record<string, unknown>;
  return { parsed, diagnostics };
}

const FOUND_ZH: Record<string, string> = { null: '空值', list: '列表', string: '一段文字', number: '一个数字', boolean: '一个是/否值' };

/** yaml turns unquoted 2026-09-01 into a Date under some schemas; the catalog keeps dates as text. */
function normalizeDates(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (Array.isArray(value)) return value.map(normalizeDates);
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = normalizeDates(v);
  }
  return value;
}

/** Offset of the first byte that breaks UTF-8, to point the admin at it. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    const extra = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return 0;
}

function duplicateKeyAt(text: string, offset: number): string {
  const rest = text.slice(offset).split('\n')[0];
  const match = /^\s*["']?([^"':]+)["']?\s*:/.exec(rest);
  return match ? match[1].trim() : rest.trim().slice(0, 40);
}

function describeYamlError(code: string, message: string): { zh: string; en: string } {
  const zh: Record<string, string> = {
    BAD_INDENT: '缩进不正确',
    BLOCK_AS_IMPLICIT_KEY: '缩进不正确，或上一行缺少冒号',
    MISSING_CHAR: '缺少字符（如引号或括号未闭合）',
    MULTILINE_IMPLICIT_KEY: '键不能跨行，可能是上一行缺少冒号或引号未闭合',
    UNEXPECTED_TOKEN: '出现了意外的字符',
    BAD_SCALAR_START: '值的开头不能是这个字符，请用引号括起来',
    MULTIPLE_DOCS: '一个文件只能有一个文档',
    BAD_ALIAS: '别名写法不正确',
    BAD_DIRECTIVE: '指令写法不正确',
    BAD_DQ_ESCAPE: '双引号中的转义字符不正确',
    IMPOSSIBLE: '无法解析',
    KEY_OVER_1024_CHARS: '键太长',
    MISSING_ANCHOR: '引用了不存在的锚点',
    UNEXPECTED_SCALAR_AT_NODE_END: '值后面多出了内容',
    BLOCK_IN_FLOW: '方括号或花括号中不能换行写块',
    MULTIPLE_ANCHORS: '同一处有多个锚点',
    MULTIPLE_TAGS: '同一处有多个标签',
    TAG_RESOLVE_FAILED: '无法识别的标签',
  };
  const firstLine = message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '');
  return { zh: zh[code] ?? firstLine, en: firstLine };
}

function dedupeByLine(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}:${d.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The source range of a node. */
export function rangeOfNode(parsed: ParsedFile, node: Node | undefined): Range {
  const [start, end] = node?.range ?? [0, 0];
  const a = parsed.lineCounter.linePos(start);
  const b = parsed.lineCounter.linePos(Math.max(start, end));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/**
 * The range of the YAML node at `path`. `key: true` points at the key of the last segment instead of its
 * value (for unknown properties). A missing node resolves to its nearest existing parent (for a missing
 * required key, the parent map is the right place to point).
 */
export function locate(parsed: ParsedFile, path: (string | number)[], options: { key?: boolean } = {}): Range {
  if (!parsed.doc) return { line: 1, column: 1, endLine: 1, endColumn: 1 };
  let node: unknown = parsed.doc.contents;
  let keyNode: Node | undefined;
  let last: Node | undefined = node as Node;
  for (const segment of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else if (isPair(node)) {
      node = node.value;
    } else {
      break;
    }
    if (!node) {
      if (keyNode) return rangeOfNode(parsed, keyNode);
      break;
    }
    last = node as Node;
  }
  if (options.key && keyNode) return rangeOfNode(parsed, keyNode);
  return rangeOfNode(parsed, last);
}
