import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, locate, parseServiceFile } from '../../cli/load/parse-file.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...utf8(p)] : p)));
const parse = (input: Uint8Array | string) => parseServiceFile(typeof input === 'string' ? utf8(input) : input, 'catalog/x/a.yaml');
const findings = (input: Uint8Array | string) => parse(input).diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`);

/** Nine levels of nine aliases each: 9^9 (387 million) strings if expanded. */
const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
].join('\n');

describe('parseServiceFile', () => {
  it('reads a mapping and keeps positions', () => {
    const { parsed, diagnostics } = parse('apiVersion: servicehall/v1\nguide:\n  reviewed: 2026-09-01\n');
    expect(diagnostics).toEqual([]);
    expect(parsed.value).toEqual({ apiVersion: 'servicehall/v1', guide: { reviewed: '2026-09-01' } });
    expect(locate(parsed, ['guide', 'reviewed'])).toMatchObject({ line: 3, column: 13 });
  });

  it.each([
    { name: 'an empty file', input: '', expected: ['file/empty 1:1'] },
    { name: 'only blank lines', input: '  \n\n', expected: ['file/empty 1:1'] },
    { name: 'only comments', input: '# 待填写\n# later\n', expected: ['file/empty 1:1'] },
    { name: 'only a directive', input: '# x\n%YAML 1.1\n', expected: ['file/empty 1:1'] },
    { name: 'a UTF-8 byte order mark', input: bytes([0xef, 0xbb, 0xbf], 'id: a\n'), expected: ['file/bom 1:1'] },
    { name: 'UTF-16 (little endian)', input: bytes([0xff, 0xfe, 0x69, 0, 0x64, 0]), expected: ['file/encoding 1:1'] },
    { name: 'UTF-16 (big endian)', input: bytes([0xfe, 0xff, 0, 0x69, 0, 0x64]), expected: ['file/encoding 1:1'] },
    // 中文 in GBK: D6 D0 CE C4, invalid as UTF-8 at its first byte.
    { name: 'GBK text', input: bytes('id: a\nname: ', [0xd6, 0xd0, 0xce, 0xc4], '\n'), expected: ['file/encoding 2:7'] },
    // 学生 in GBK: D1 A7 C9 FA; D1 A7 happens to be valid UTF-8 (ѧ), so the error is at the second character.
    { name: 'GBK text valid UTF-8 for a while', input: bytes('id: a\nname: ', [0xd1, 0xa7, 0xc9, 0xfa], '\n'), expected: ['file/encoding 2:8'] },
    { name: 'a NUL byte (binary)', input: bytes('id: a\n', [0x50, 0x4b, 0x03, 0x04, 0]), expected: ['file/binary 1:1'] },
    { name: 'a file over the size cap', input: new Uint8Array(MAX_FILE_BYTES + 1).fill(0x61), expected: ['file/too-large 1:1'] },
    { name: 'an unclosed flow list', input: 'a: 1\nb: [1, 2\nc: 3\n', expected: ['yaml/syntax 2:4'] },
    { name: 'an unclosed quote', input: 'name: "abc\ntype: x\n', expected: ['yaml/syntax 1:7'] },
    { name: 'an unclosed single quote far from the end', input: "a: 'abc\nb: 1\nc: 2\nd: 3\n", expected: ['yaml/syntax 1:4'] },
    { name: 'an unclosed outer list around a closed one', input: 'a: [1, [2, 3]\nb: 3\n', expected: ['yaml/syntax 1:4'] },
    { name: 'an unclosed flow map', input: 'x: 1\na: {x: 1\nb: 2\n', expected: ['yaml/syntax 2:4'] },
    { name: 'an indented key after a value', input: 'name: x\n  type: online\n', expected: ['yaml/syntax 1:7'] },
    { name: 'a tab indenting a key', input: 'guide:\n\tsummary: x\n', expected: ['yaml/tab-indent 2:1'] },
    { name: 'a tab after spaces', input: 'a: 1\nguide:\n  x: 1\n\t y: 2\n', expected: ['yaml/tab-indent 4:1'] },
    { name: 'a duplicate top-level key', input: 'a: 1\nname: x\nname: y\n', expected: ['yaml/duplicate-key 3:1'] },
    { name: 'a duplicate nested key, once quoted', input: 'guide:\n  a: 1\n  "a": 2\n', expected: ['yaml/duplicate-key 3:3'] },
    { name: 'a duplicate key with CRLF line ends', input: 'a: 1\r\nname: x\r\nname: y\r\n', expected: ['yaml/duplicate-key 3:1'] },
    { name: 'two documents', input: 'a: 1\n---\nb: 2\n', expected: ['yaml/multiple-documents 2:1'] },
    { name: 'a trailing document marker', input: 'a: 1\n---\n', expected: ['yaml/multiple-documents 2:1'] },
    { name: 'the billion laughs', input: BILLION_LAUGHS, expected: ['yaml/alias-limit 2:8'] },
    { name: 'an alias inside its own anchor (map)', input: 'a: &a\n  b: *a\n', expected: ['yaml/recursive-alias 2:6'] },
    { name: 'an alias inside its own anchor (list)', input: 'a: &a [*a]\n', expected: ['yaml/recursive-alias 1:8'] },
    { name: 'an alias to no anchor', input: 'a: 1\nb: *nope\n', expected: ['yaml/syntax 2:4'] },
    { name: 'a __proto__ key', input: 'a: 1\n__proto__:\n  polluted: true\n', expected: ['yaml/forbidden-key 2:1'], keepsTheRest: true },
    { name: 'a nested constructor key', input: 'a: 1\nb:\n  constructor: x\n', expected: ['yaml/forbidden-key 3:3'], keepsTheRest: true },
    { name: 'a prototype key in a flow map', input: 'a: 1\nb: { prototype: 1 }\n', expected: ['yaml/forbidden-key 2:6'], keepsTheRest: true },
    { name: 'a list as a key', input: 'a: 1\n? [x, y]\n: 2\n', expected: ['yaml/syntax 2:3'], keepsTheRest: true },
    { name: 'a mapping as a key', input: 'a: 1\n{ complex: x }: 2\n', expected: ['yaml/syntax 2:1'], keepsTheRest: true },
    { name: 'a list at the top', input: '- a\n- b\n', expected: ['yaml/not-a-map 1:1'] },
    { name: 'a scalar at the top', input: 'hello\n', expected: ['yaml/not-a-map 1:1'] },
    { name: 'null at the top', input: '~\n', expected: ['yaml/not-a-map 1:1'] },
  ] as { name: string; input: string | Uint8Array; expected: string[]; keepsTheRest?: boolean }[])('reports $name', ({ input, expected, keepsTheRest }) => {
    const { parsed, diagnostics } = parse(input);
    expect(diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual(expected);
    expect(diagnostics.every((d) => d.severity === 'error' && d.file === 'catalog/x/a.yaml')).toBe(true);
    // Keys that cannot be used are dropped and the rest is checked; anything else stops at the file.
    if (keepsTheRest) expect(parsed.value).toMatchObject({ a: 1 });
    else expect(parsed.value).toBeUndefined();
  });

  it('reports the first syntax error only, since the rest follow from it, but every duplicate key', () => {
    expect(findings('guide:\n\tsummary: x\n\tother: 1\n\tthird: 2\n')).toEqual(['yaml/tab-indent 2:1']);
    expect(findings('a: 1\na: 2\nb: 1\nb: 2\n')).toEqual(['yaml/duplicate-key 2:1', 'yaml/duplicate-key 4:1']);
  });

  it('names the duplicate key and the found type', () => {
    expect(parse('a: 1\nname: x\nname: y\n').diagnostics[0].args).toEqual({ key: 'name' });
    expect(parse('- a\n').diagnostics[0].args).toEqual({ found: { zh: '列表', en: 'list' } });
    expect(parse(bytes('id: a\nname: ', [0xd6, 0xd0], '\n')).diagnostics[0].args).toEqual({ offset: 12 });
  });

  it('stops the billion laughs quickly', () => {
    // CPU time, not the wall clock: under a load of 20 the wall clock is no measure of the work done.
    const started = process.cpuUsage();
    expect(findings(BILLION_LAUGHS)).toEqual(['yaml/alias-limit 2:8']);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(2000);
  });

  it('drops forbidden keys before conversion, so nothing is polluted', () => {
    const { parsed } = parse('a: 1\n__proto__:\n  polluted: true\nb:\n  constructor: x\n');
    expect(parsed.value).toEqual({ a: 1, b: {} });
    expect(Object.getPrototypeOf(parsed.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps a few harmless aliases and a leading document marker', () => {
    expect(parse('a: &x 1\nb: *x\n').parsed.value).toEqual({ a: 1, b: 1 });
    expect(parse('---\na: 1\n').parsed.value).toEqual({ a: 1 });
  });

  it('keeps dates as text', () => {
    expect(parse('d: 2026-09-01\nlist: [2026-10-01]\n').parsed.value).toEqual({ d: '2026-09-01', list: ['2026-10-01'] });
  });
});

describe('locate', () => {
  const { parsed } = parse('guide:\n  materials:\n    - name: a\n    - name: b\n      sample: files/b.pdf\nid: x\n');

  it.each([
    { path: ['guide', 'materials', 1, 'sample'], key: false, expected: '5:15' },
    { path: ['guide', 'materials', 1, 'sample'], key: true, expected: '5:7' },
    { path: ['guide', 'materials', 0], key: false, expected: '3:7' },
    { path: ['id'], key: false, expected: '6:5' },
    // A missing key points at its nearest existing parent, which is where it should be added.
    { path: ['guide', 'materials', 0, 'sample'], key: false, expected: '3:7' },
    { path: ['guide', 'contacts'], key: false, expected: '2:3' },
    { path: ['nothing', 'here'], key: false, expected: '1:1' },
    { path: [], key: false, expected: '1:1' },
  ])('finds $path (key: $key) at $expected', ({ path, key, expected }) => {
    const r = locate(parsed, path, { key });
    expect(`${r.line}:${r.column}`).toBe(expected);
  });

  it('points at 1:1 in a file that did not parse', () => {
    expect(locate(parse('').parsed, ['id'])).toEqual({ line: 1, column: 1, endLine: 1, endColumn: 1 });
  });
});
