import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STACK_TRACE, TODAY, copyBaseline, replaceOnce, runHall } from './helpers.ts';

/** One bad input: how to plant it in a fresh copy of the baseline, and the findings `hall check` must print. */
interface BadInput {
  name: string;
  prepare(catalog: string, root: string): Promise<void>;
  expected: string[];
  /** Extra flags for Node, e.g. a small heap to prove memory stays bounded. */
  nodeOptions?: string[];
  /** A bound on the whole run, process start included, for inputs built to exhaust time. */
  withinMs?: number;
}

const LEAVE = 'xgc/student-leave.yaml';
const DEPT = 'jsj/department.yaml';
const LINK = 'jsj/teaching-platform.yaml';

const edit = (file: string, find: string, replace: string) => async (catalog: string) => {
  const abs = path.join(catalog, file);
  await writeFile(abs, replaceOnce(await readFile(abs, 'utf8'), find, replace, file));
};
const put = (file: string, content: string | Uint8Array) => async (catalog: string) => {
  await mkdir(path.dirname(path.join(catalog, file)), { recursive: true });
  await writeFile(path.join(catalog, file), content);
};
const transform = (file: string, fn: (bytes: Buffer) => Uint8Array) => async (catalog: string) => {
  const abs = path.join(catalog, file);
  await writeFile(abs, fn(await readFile(abs)));
};

/** Text as GBK bytes, as a Windows editor set to the Chinese code page saves it. */
function encodeGbk(text: string): Uint8Array {
  const decoder = new TextDecoder('gbk');
  const table = new Map<string, number[]>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) if (trail !== 0x7f) table.set(decoder.decode(new Uint8Array([lead, trail])), [lead, trail]);
  }
  return new Uint8Array([...text].flatMap((ch) => (ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : (table.get(ch) ?? [0x3f]))));
}

const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
].join('\n');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);

const CASES: BadInput[] = [
  { name: 'a YAML syntax error', prepare: edit(DEPT, 'name: 计算机学院', 'name: "计算机学院'), expected: ['yaml/syntax catalog/jsj/department.yaml:4:7'] },
  { name: 'tab indentation', prepare: edit(LEAVE, '  summary: 学生因病', '\tsummary: 学生因病'), expected: ['yaml/tab-indent catalog/xgc/student-leave.yaml:18:1'] },
  { name: 'a duplicate key', prepare: edit(LEAVE, 'status: online\n', 'status: online\nstatus: draft\n'), expected: ['yaml/duplicate-key catalog/xgc/student-leave.yaml:9:1'] },
  { name: 'an alias bomb (billion laughs)', prepare: put('xgc/bomb.yaml', BILLION_LAUGHS), nodeOptions: ['--max-old-space-size=96'], withinMs: 30_000, expected: ['yaml/alias-limit catalog/xgc/bomb.yaml:2:8'] },
  {
    name: 'an alias inside its own anchor',
    prepare: async (catalog) => {
      await edit(LEAVE, 'workflow:\n  steps:\n', 'workflow:\n  steps: &steps\n')(catalog);
      await edit(LEAVE, '      then:\n        - id: countersign', '      then: *steps\n      else:\n        - id: countersign')(catalog);
    },
    expected: ['yaml/recursive-alias catalog/xgc/student-leave.yaml:101:13'],
  },
  { name: 'a file over the size cap', prepare: put('xgc/huge.yaml', `summary: ${'办'.repeat(400_000)}\n`), expected: ['file/too-large catalog/xgc/huge.yaml:1:1'] },
  { name: 'a binary file', prepare: put('xgc/photo.yaml', PNG), expected: ['file/binary catalog/xgc/photo.yaml:1:1'] },
  { name: 'a GBK-encoded file', prepare: transform(DEPT, (bytes) => encodeGbk(bytes.toString('utf8'))), expected: ['file/encoding catalog/jsj/department.yaml:4:7'] },
  { name: 'a byte order mark', prepare: transform(DEPT, (bytes) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])), expected: ['file/bom catalog/jsj/department.yaml:1:1'] },
  { name: 'an empty file', prepare: put('xgc/new-service.yaml', ''), expected: ['file/empty catalog/xgc/new-service.yaml:1:1'] },
  { name: 'several documents in one file', prepare: edit(DEPT, 'type: college\n', 'type: college\n---\ncode: jsk\n'), expected: ['yaml/multiple-documents catalog/jsj/department.yaml:6:1'] },
  { name: 'a list as a key', prepare: edit(LEAVE, 'hot: true\n', 'hot: true\n? [a, b]\n: x\n'), expected: ['yaml/syntax catalog/xgc/student-leave.yaml:17:3'] },
  { name: 'a __proto__ key', prepare: edit(LEAVE, 'hot: true\n', 'hot: true\n__proto__:\n  isAdmin: true\n'), expected: ['yaml/forbidden-key catalog/xgc/student-leave.yaml:17:1'] },
  { name: 'a constructor key', prepare: edit(LEAVE, '  fees:\n', '  constructor:\n    prototype: 1\n  fees:\n'), expected: ['yaml/forbidden-key catalog/xgc/student-leave.yaml:40:3'] },
  { name: 'an attachment path climbing out', prepare: edit(LEAVE, 'blankForm: files/leave-form.docx', 'blankForm: ../../../../etc/passwd'), expected: ['ref/file-outside-catalog catalog/xgc/student-leave.yaml:31:18'] },
  { name: 'an absolute attachment path', prepare: edit(LEAVE, 'blankForm: files/leave-form.docx', 'blankForm: /etc/passwd'), expected: ['ref/file-outside-catalog catalog/xgc/student-leave.yaml:31:18'] },
  {
    name: 'an attachment that is a symlink out of the catalog',
    prepare: async (catalog, root) => {
      await put('secret.txt', 'password\n')(root);
      await rm(path.join(catalog, 'xgc/files/leave-form.docx'));
      await symlink(path.join(root, 'secret.txt'), path.join(catalog, 'xgc/files/leave-form.docx'));
    },
    expected: ['file/symlink-outside catalog/xgc/files/leave-form.docx:1:1', 'ref/missing-file catalog/xgc/student-leave.yaml:31:18'],
  },
  {
    name: 'a service file that is a symlink out of the catalog',
    prepare: async (catalog, root) => {
      await put('outside.yaml', 'apiVersion: servicehall/v1\n')(root);
      await symlink('../../outside.yaml', path.join(catalog, 'xgc/outside.yaml'));
    },
    expected: ['file/symlink-outside catalog/xgc/outside.yaml:1:1'],
  },
  {
    name: 'a folder that is a symlink out of the catalog',
    prepare: async (catalog, root) => {
      await put('private/notes.yaml', 'a: 1\n')(root);
      await symlink(path.join(root, 'private'), path.join(catalog, 'jsj/files/private'));
    },
    expected: ['file/symlink-outside catalog/jsj/files/private:1:1'],
  },
  { name: 'a javascript: link', prepare: edit(LINK, 'url: https://lms.test.edu.cn', 'url: javascript:alert(document.cookie)'), expected: ['text/unsafe-link catalog/jsj/teaching-platform.yaml:35:8'] },
  { name: 'a data: link', prepare: edit(LINK, 'url: https://lms.test.edu.cn', 'url: "data:text/html,<script>alert(1)</script>"'), expected: ['text/unsafe-link catalog/jsj/teaching-platform.yaml:35:8'] },
  { name: 'a javascript: link in prose', prepare: edit(LEAVE, '  summary: 学生因病', '  summary: 点击 javascript:alert(1) 学生因病'), expected: ['text/unsafe-link catalog/xgc/student-leave.yaml:18:12'] },
  { name: 'raw HTML in text', prepare: edit(LEAVE, '  summary: 学生因病', '  summary: <script>alert(1)</script>学生因病'), expected: ['text/html catalog/xgc/student-leave.yaml:18:12'] },
];

const copies: { dispose(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(copies.map((c) => c.dispose()));
});

/** Header lines of pretty output: `file:line:column  severity  code`. */
const HEADER = /^(\S+):(\d+):(\d+)  (错误|警告|提示)  (\S+)$/gm;

describe('hall check on bad input', () => {
  it.each(CASES)('$name: exit 1, positioned, no stack trace', async ({ prepare, expected, nodeOptions, withinMs }) => {
    const copy = await copyBaseline();
    copies.push(copy);
    await prepare(path.join(copy.root, 'catalog'), copy.root);
    const started = performance.now();
    const result = await runHall(['check', 'catalog', '--today', TODAY], { cwd: copy.root, nodeOptions });
    const elapsed = performance.now() - started;

    expect(result.stderr).toBe('');
    expect(result.stdout).not.toMatch(STACK_TRACE);
    expect(result.exitCode).toBe(1);
    const found = [...result.stdout.matchAll(HEADER)].map((m) => `${m[5]} ${m[1]}:${m[2]}:${m[3]}`);
    expect(found).toEqual(expected);
    // Readable: each finding has a message under its position and ends with what to do.
    for (const block of result.stdout.split('\n\n').slice(0, expected.length)) {
      const lines = block.split('\n');
      expect(lines[1]).toMatch(/^ {2}\S/);
      expect(lines.at(-1)).toMatch(/^ {2}怎么改：\S/);
    }
    if (withinMs) expect(elapsed).toBeLessThan(withinMs);
  });
});
