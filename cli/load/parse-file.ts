import { LineCounter, isMap, isNode, isPair, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import type { Alias, Document, Node, Pair } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';

/** Largest catalog file read; a real service file is a few KB. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Alias expansions allowed per document before it is treated as an alias bomb. */
const MAX_ALIAS_COUNT = 50;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/**
 * Text without any of these cannot hold a forbidden key, an alias (`*`), or a collection as a key
 * (`? ` or a `]`/`}` before a colon), so the walk over its nodes that looks for them is skipped.
 */
const MAY_NEED_VISIT = /__proto__|constructor|prototype|\*|[\]}]\s*:(\s|$)|(^|\s)\?(\s|$)/m;

/** One YAML file, parsed with every node's position kept. */
export interface ParsedFile {
  /** Repository-relative path with forward slashes, e.g. `catalog/bwc/student-leave.yaml`. */
  file: string;
  text: string;
  /** The document with positions; for a readable file, parsed again from `text` on first use. */
  readonly doc?: Document.Parsed;
  readonly lineCounter: LineCounter;
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
  // Files that cannot be read keep their document (if any) as it is: they are few, and all have findings.
  const parsed: { -readonly [K in keyof ParsedFile]: ParsedFile[K] } = { file, text: '', lineCounter };
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

  // Every value takes a line or a comma: past twice the node budget of them, the file is refused before
  // the parser spends seconds on it.
  const crowded = nthSeparator(text, 2 * MAX_NODES);
  if (crowded !== -1) {
    const before = text.slice(0, crowded);
    const line = before.split('\n').length;
    return { parsed, diagnostics: [at('file/too-complex', { what: { zh: '值的个数', en: 'values' }, limit: MAX_NODES.toLocaleString('en-US') }, line, crowded - before.lastIndexOf('\n'))] };
  }

  const docs = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter });
  // Only directives (%YAML 1.1) and no document: as empty as a file of comments.
  if (!Array.isArray(docs) || docs.length === 0) return { parsed, diagnostics: [at('file/empty')] };
  if (docs.length > 1) {
    const second = lineCounter.linePos(docs[1].range[0]);
    return { parsed, diagnostics: [at('yaml/multiple-documents', { count: docs.length }, second.line, second.col)] };
  }
  const doc = docs[0];
  parsed.doc = doc;
  // The work per file is bounded: past MAX_NODES nodes or MAX_KEYS keys in one mapping, nothing else
  // is looked at (a real service file has a few hundred nodes; a generated one can have a million).
  const shape = measureNodes(doc);
  if (shape.overflow) {
    const pos = lineCounter.linePos(shape.overflow.offset);
    const what = shape.overflow.what === 'nodes' ? { zh: '值的个数', en: 'values' } : { zh: '同一层的键的个数', en: 'keys in one mapping' };
    return { parsed, diagnostics: [at('file/too-complex', { what, limit: shape.overflow.limit.toLocaleString('en-US') }, pos.line, pos.col)] };
  }
  // Duplicate keys are independent findings, but after the first syntax error the parser only guesses
  // where it is, and every later "error" is a consequence of that guess (a tab shifts all that follows).
  const syntax = doc.errors.sort((a, b) => a.pos[0] - b.pos[0])[0];
  for (const { key, offset } of shape.duplicates) {
    const pos = lineCounter.linePos(offset);
    diagnostics.push(at('yaml/duplicate-key', { key: key.length > 40 ? `${key.slice(0, 39)}…` : key }, pos.line, pos.col));
  }
  const colon = syntax ? fullWidthColonNear(text, lineCounter.linePos(syntax.pos[0]).line) : undefined;
  if (colon) {
    diagnostics.push(at('yaml/fullwidth-colon', { key: colon.key }, colon.line, colon.column));
  } else if (syntax) {
    const pos = lineCounter.linePos(unclosedStart(doc, syntax.code, syntax.message, syntax.pos[0]));
    const tab = syntax.code === 'TAB_AS_INDENT' || /tab/i.test(syntax.message);
    diagnostics.push(tab ? at('yaml/tab-indent', {}, pos.line, pos.col) : at('yaml/syntax', { detail: describeYamlError(syntax.code, syntax.message) }, pos.line, pos.col));
  }
  if (diagnostics.length) return { parsed, diagnostics: sortByPosition(diagnostics) };

  // A tag outside the core schema (!evil, !!js/function, !!binary …) would be dropped or turned into
  // something other than text; the catalog is plain data, so any such tag is refused, never converted.
  if (MAY_HOLD_TAG.test(text)) {
    for (const { tag, offset } of nonCoreTags(doc, text)) {
      const pos = lineCounter.linePos(offset);
      diagnostics.push(at('yaml/unknown-tag', { tag: tag.replace(/^tag:yaml\.org,2002:/, '!!').slice(0, 60) }, pos.line, pos.col));
    }
    if (diagnostics.length) return { parsed, diagnostics };
  }

  if (INVISIBLE.test(text)) {
    for (const found of invisibleCharacters(doc, text)) {
      const pos = lineCounter.linePos(found.offset);
      diagnostics.push(at('text/invisible-char', { char: found.char, name: found.name, where: found.where, text: found.shown }, pos.line, pos.col));
    }
    if (diagnostics.length) return { parsed, diagnostics };
  }

  // Forbidden keys are reported and removed before conversion so no later stage ever sees them.
  // Aliases that name no anchor, or the node they sit in, are reported here: converting them would
  // throw, or build cyclic data that every later stage would recurse into forever.
  let firstAlias: Alias | undefined;
  let aliasProblem = false;
  if (MAY_NEED_VISIT.test(text)) visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        // `? [a, b]: 1`: valid YAML, but no field of ours has a list or a mapping as its name.
        const r = rangeOfNode(parsed, pair.key as Node);
        diagnostics.push(at('yaml/syntax', { detail: { zh: '键必须是一段文字，不能是列表或“键: 值”结构', en: 'a key must be plain text, not a list or a mapping' } }, r.line, r.column));
        return visit.REMOVE;
      }
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined && FORBIDDEN_KEYS.has(key)) {
        const r = rangeOfNode(parsed, pair.key as Node);
        diagnostics.push({ ...at('yaml/forbidden-key', { key }, r.line, r.column), endLine: r.endLine, endColumn: r.endColumn });
        return visit.REMOVE;
      }
      return undefined;
    },
    Alias(_, alias, ancestors) {
      firstAlias ??= alias;
      const target = alias.resolve(doc);
      const r = rangeOfNode(parsed, alias);
      if (!target) {
        diagnostics.push(at('yaml/syntax', { detail: describeYamlError('MISSING_ANCHOR', `Unresolved alias *${alias.source}`) }, r.line, r.column));
        aliasProblem = true;
      } else if ((ancestors as readonly unknown[]).includes(target)) {
        diagnostics.push(at('yaml/recursive-alias', { alias: alias.source }, r.line, r.column));
        aliasProblem = true;
      }
    },
  });
  if (aliasProblem) return { parsed, diagnostics };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (firstAlias && /alias/i.test(String(error))) {
      const r = rangeOfNode(parsed, firstAlias);
      return { parsed, diagnostics: [...diagnostics, at('yaml/alias-limit', {}, r.line, r.column)] };
    }
    throw error;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
    return { parsed, diagnostics: [...diagnostics, at('yaml/not-a-map', { found: { zh: FOUND_ZH[found] ?? found, en: found } })] };
  }
  return { parsed: withDocumentOnDemand(file, text, normalizeDates(value) as Record<string, unknown>), diagnostics };
}

/** A line whose key ends in a full-width colon (a Chinese input method's `：`) instead of `: `. */
const FULL_WIDTH_KEY = /^(\s*(?:-\s+)?)([^\s:#"'：][^:#"'：]*?)\s*：/;

/** The full-width colon that broke the YAML at `line` (or the line before it), if that is what happened. */
function fullWidthColonNear(text: string, line: number): { key: string; line: number; column: number } | undefined {
  const lines = text.split('\n', line);
  for (const n of [line, line - 1]) {
    const match = n >= 1 ? FULL_WIDTH_KEY.exec(lines[n - 1] ?? '') : null;
    if (match) return { key: match[2].slice(0, 40), line: n, column: match[0].length };
  }
  return undefined;
}

/** Characters that look like nothing, or like a plain space, but are not one. */
const INVISIBLE_NAMES: Record<string, { zh: string; en: string }> = {
  '\u00a0': { zh: '不换行空格', en: 'no-break space' },
  '\u00ad': { zh: '软连字符', en: 'soft hyphen' },
  '\u2007': { zh: '数字空格', en: 'figure space' },
  '\u200b': { zh: '零宽空格', en: 'zero-width space' },
  '\u200c': { zh: '零宽非连接符', en: 'zero-width non-joiner' },
  '\u200d': { zh: '零宽连接符', en: 'zero-width joiner' },
  '\u2028': { zh: '行分隔符', en: 'line separator' },
  '\u2029': { zh: '段分隔符', en: 'paragraph separator' },
  '\u202f': { zh: '窄不换行空格', en: 'narrow no-break space' },
  '\u2060': { zh: '零宽不换行符', en: 'word joiner' },
  '\u3000': { zh: '全角空格', en: 'full-width (ideographic) space' },
  '\ufeff': { zh: '零宽不换行空格（BOM）', en: 'zero-width no-break space (BOM)' },
};
const INVISIBLE = /[\u00a0\u00ad\u2007\u200b-\u200d\u2028\u2029\u202f\u2060\u3000\ufeff]/;
/** A value that is an id, a code or a reference (ASCII, no spaces) once the invisible characters are taken out. */
const ID_LIKE = /^[A-Za-z0-9._@/:+-]+$/;

/**
 * Invisible characters in keys, and in values that are ids or references: pasted from a web page or typed
 * by a Chinese input method, they make `counselor` a different word from `counselor` with nothing to see.
 * Prose may hold a full-width space; an id never does.
 */
function invisibleCharacters(doc: Document.Parsed, text: string): { char: string; name: { zh: string; en: string }; where: { zh: string; en: string }; shown: string; offset: number }[] {
  const found: { char: string; name: { zh: string; en: string }; where: { zh: string; en: string }; shown: string; offset: number }[] = [];
  const inspect = (node: unknown, isKey: boolean) => {
    if (!isScalar(node) || typeof node.value !== 'string') return;
    const value = node.value;
    const at = value.search(INVISIBLE);
    if (at === -1) return;
    const visible = value.replace(new RegExp(INVISIBLE.source, 'g'), '');
    if (!isKey && !ID_LIKE.test(visible)) return;
    const char = value[at];
    const code = `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    const [start, end] = node.range ?? [0, 0];
    const inSource = text.slice(start, end).indexOf(char);
    const shown = value.replace(new RegExp(INVISIBLE.source, 'g'), (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`).slice(0, 80);
    found.push({ char: code, name: INVISIBLE_NAMES[char], where: isKey ? { zh: '键名', en: 'key' } : { zh: '标识', en: 'id' }, shown, offset: start + Math.max(0, inSource) });
  };
  visit(doc, {
    Pair(_, pair) {
      inspect(pair.key, true);
    },
    Scalar(key, node) {
      if (key !== 'key') inspect(node, false);
    },
  });
  return found.sort((a, b) => a.offset - b.offset);
}

/** The tags of YAML 1.2's core schema: the only ones a catalog file may carry. */
const CORE_TAGS = new Set(['str', 'map', 'seq', 'null', 'bool', 'int', 'float'].map((t) => `tag:yaml.org,2002:${t}`));
/** A `!` where a tag can start; text without one cannot carry a tag. */
const MAY_HOLD_TAG = /(^|[\s[{,:?-])!/m;

/** Every tag in `doc` outside the core schema, with the offset of the tag itself. Pure. */
export function nonCoreTags(doc: Document, text: string): { tag: string; offset: number }[] {
  const found: { tag: string; offset: number }[] = [];
  visit(doc, (_, node) => {
    if (!isNode(node) || !node.tag || CORE_TAGS.has(node.tag)) return;
    const start = node.range?.[0] ?? 0;
    // The tag is the token holding the last `!` before the node (`!!js/function`, `!e!x`, `!<tag:…>`).
    let bang = text.lastIndexOf('!', start);
    while (bang > 0 && !/[\s[{,]/.test(text[bang - 1])) bang--;
    found.push({ tag: node.tag, offset: bang === -1 ? start : bang });
  });
  return found;
}

/** Most values (scalars, lists, mappings) one file may hold. */
export const MAX_NODES = 20_000;
/** Most keys one mapping may hold: no object in any schema has more than a few dozen. */
export const MAX_KEYS = 1_000;

/** Offset of the `n`th comma or line break in `text`, or -1 when it has fewer. */
function nthSeparator(text: string, n: number): number {
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 44 || c === 10) && ++seen >= n) return i;
  }
  return -1;
}

/**
 * Count the nodes of a document and find duplicate keys, in one pass linear in its size. (yaml's own
 * `uniqueKeys` compares each key with every earlier one: 200,000 keys took minutes.)
 */
function measureNodes(doc: Document.Parsed): { duplicates: { key: string; offset: number }[]; overflow?: { what: 'nodes' | 'keys'; limit: number; offset: number } } {
  const duplicates: { key: string; offset: number }[] = [];
  const stack: unknown[] = [doc.contents];
  let count = 0;
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (++count > MAX_NODES) return { duplicates, overflow: { what: 'nodes', limit: MAX_NODES, offset: (node as Node).range?.[0] ?? 0 } };
    if (isMap(node)) {
      if (node.items.length > MAX_KEYS) return { duplicates, overflow: { what: 'keys', limit: MAX_KEYS, offset: (node.items[MAX_KEYS].key as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0 } };
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          if (seen.has(key)) duplicates.push({ key, offset: pair.key.range?.[0] ?? 0 });
          seen.add(key);
        }
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      stack.push(...node.items);
    }
  }
  duplicates.sort((a, b) => a.offset - b.offset);
  return { duplicates };
}

const PARSE_OPTIONS = { uniqueKeys: false, prettyErrors: false, strict: true, logLevel: 'error' } as const;

/**
 * A readable file that lets go of its YAML document: a catalog of 10,000 services would otherwise keep
 * gigabytes of nodes alive for the few files a diagnostic points into. On first use, `doc` and
 * `lineCounter` are parsed again from the text (the same text gives the same positions).
 */
export function withDocumentOnDemand(file: string, text: string, value: Record<string, unknown>): ParsedFile {
  let positions: { doc: Document.Parsed; lineCounter: LineCounter } | undefined;
  const load = () => {
    if (!positions) {
      const lineCounter = new LineCounter();
      positions = { doc: parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter })[0] as Document.Parsed, lineCounter };
    }
    return positions;
  };
  return {
    file,
    text,
    value,
    get doc() {
      return load().doc;
    },
    get lineCounter() {
      return load().lineCounter;
    },
  };
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
export function firstInvalidUtf8(bytes: Uint8Array): number {
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
    RESOURCE_EXHAUSTION: '括号或缩进嵌套的层数太多，无法读取',
  };
  if (code === 'RESOURCE_EXHAUSTION') return { zh: zh[code], en: 'it is nested too deeply to be read' };
  const firstLine = message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '');
  return { zh: zh[code] ?? firstLine, en: firstLine };
}

/**
 * Where an unclosed quote or bracket opens. yaml reports it where the file (or block) ends, which may be
 * many lines below the mistake; the admin needs the line that opened it.
 */
function unclosedStart(doc: Document.Parsed, code: string, message: string, offset: number): number {
  if (!((code === 'MISSING_CHAR' && /quote/i.test(message)) || (code === 'BAD_INDENT' && /^Flow (sequence|map)/.test(message)))) return offset;
  let start = offset;
  visit(doc, (_, node) => {
    const range = (node as Node | undefined)?.range;
    const opens = isScalar(node) ? node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' : (isMap(node) || isSeq(node)) && node.flow;
    if (opens && range && range[0] < offset && range[1] >= offset && (start === offset || range[0] > start)) start = range[0];
  });
  return start;
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
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
