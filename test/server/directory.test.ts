import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DIRECTORY_DIAGNOSTICS } from '../../cli/diagnostics/codes/directory.ts';
import { renderDiagnostic } from '../../cli/diagnostics/registry.ts';
import { checkDirectory } from '../../server/directory/check.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { readVocabulary } from '../../server/directory/vocabulary.ts';
import type { Vocabulary } from '../../server/directory/vocabulary.ts';
import { migrate } from '../../server/store/migrate.ts';
import { HALL, NODE, ROOT, hall } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

vi.setConfig({ testTimeout: 180_000 });
const stores = storeFactory();
let vocabulary: Vocabulary;
beforeAll(async () => {
  vocabulary = await readVocabulary(path.join(ROOT, 'catalog'));
});

const scratch = () => mkdtempSync(path.join(tmpdir(), 'hall-directory-'));
const bytes = (text: string | Buffer) => (typeof text === 'string' ? new TextEncoder().encode(text) : new Uint8Array(text));
const where = (file: string, text: string | Buffer, vocab = () => vocabulary) => checkDirectory(bytes(text), file, vocab()).diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`);

/**
 * Every directory code, each with an export that makes it fire at a known line and column (YAML and CSV
 * alike), and a fixed export that does not. Issue 13.5.
 */
const CASES: { code: keyof typeof DIRECTORY_DIAGNOSTICS; file: string; bad: string; at: string; good: string }[] = [
  { code: 'directory/unknown-format', file: 'people.xlsx', bad: 'id,name\n', at: '1:1', good: '' },
  { code: 'directory/csv-syntax', file: 'people.csv', bad: 'id,name\nt-wang,"王老师\n', at: '2:1', good: 'id,name\nt-wang,"王老师"\n' },
  { code: 'directory/missing-column', file: 'people.csv', bad: '学号,name\nt-wang,王老师\n', at: '1:1', good: 'id,name\nt-wang,王老师\n' },
  { code: 'directory/duplicate-column', file: 'people.csv', bad: 'id,name,college,college\nt-wang,王老师,wxy,wxy\n', at: '1:17', good: 'id,name,college\nt-wang,王老师,wxy\n' },
  { code: 'directory/no-people', file: 'people.csv', bad: 'id,name,holds\n', at: '1:1', good: 'id,name,holds\nt-wang,王老师,\n' },
  { code: 'directory/missing-value', file: 'people.csv', bad: 'id,name\nt-wang,\n', at: '2:8', good: 'id,name\nt-wang,王老师\n' },
  { code: 'directory/invalid-id', file: 'people.yaml', bad: 'people:\n  - id: 王 老师\n    name: 王老师\n', at: '2:9', good: 'people:\n  - id: t-wang\n    name: 王老师\n' },
  { code: 'directory/duplicate-id', file: 'people.csv', bad: 'id,name\nt-wang,王老师\nt-wang,王老师\n', at: '3:1', good: 'id,name\nt-wang,王老师\n' },
  { code: 'directory/malformed-hold', file: 'people.csv', bad: 'id,name,holds\nt-wang,王老师,counselor@wxy-2203;辅导员@wxy\n', at: '2:31', good: 'id,name,holds\nt-wang,王老师,counselor@wxy-2203\n' },
  { code: 'directory/unknown-group', file: 'people.yaml', bad: 'people:\n  - id: t-wang\n    name: 王老师\n    holds: [counselr@wxy-2203]\n', at: '4:13', good: 'people:\n  - id: t-wang\n    name: 王老师\n    holds: [counselor@wxy-2203]\n' },
  { code: 'directory/unknown-scope', file: 'people.csv', bad: 'id,name,holds\nt-chen,陈书记,department-deputy@waiyu\n', at: '2:12', good: 'id,name,holds\nt-chen,陈书记,department-deputy@wxy\n' },
  { code: 'directory/missing-scope', file: 'people.csv', bad: 'id,name,holds\nt-wang,王老师,counselor\n', at: '2:12', good: 'id,name,holds\nt-wang,王老师,counselor@wxy-2203\n' },
  { code: 'directory/unexpected-scope', file: 'people.yaml', bad: 'people:\n  - id: t-xu\n    name: 许校长\n    holds: [president@xxzx]\n', at: '4:13', good: 'people:\n  - id: t-xu\n    name: 许校长\n    holds: [president]\n' },
];

describe('a directory export is checked with coded, positioned diagnostics', () => {
  it('has a firing case for every directory code', () => {
    expect(CASES.map((c) => c.code).sort()).toEqual(Object.keys(DIRECTORY_DIAGNOSTICS).sort());
  });

  it.each(CASES)('$code fires at $at, and not on the fixed export', ({ code, file, bad, at, good }) => {
    expect(where(file, bad)).toEqual([`${at} ${code}`]);
    if (good) expect(where(file, good)).toEqual([]);
    for (const lang of ['zh', 'en'] as const) {
      const d = checkDirectory(bytes(bad), file, vocabulary).diagnostics[0];
      const text = renderDiagnostic(d, lang);
      expect(text.message).not.toMatch(/\{\w+\}/);
      expect(text.hint).not.toMatch(/\{\w+\}/);
    }
  });

  it('a group divided by person takes a person of the directory as its scope', () => {
    const csv = 'id,name,holds\nT2011052,周老师,course-teacher@T2011052\nT2015077,吴老师,course-teacher@T2015078\n';
    expect(where('people.csv', csv)).toEqual(['3:14 directory/unknown-scope']);
  });

  it('reads CSV from Excel: a byte order mark, Windows line ends, quoted values over two lines, attributes as extra columns', () => {
    const csv = '\ufeffid,name,holds,college,class,email\r\nt-wang,"王老师\r\n（辅导员）","counselor@wxy-2203; department-deputy@wxy",wxy,,w@example.edu.cn\r\n2022020315,李雨桐,,wxy,wxy-2203,\r\nt-x,某,counselr@wxy\r\n';
    const checked = checkDirectory(bytes(csv), 'people.csv', vocabulary);
    // The bad hold is on line 5 although the file has four records: the quoted name spans two lines.
    expect(checked.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['5:7 directory/unknown-group']);
    const good = checkDirectory(bytes(csv.replace('counselr@wxy', 'counselor@wxy-2203')), 'people.csv', vocabulary);
    expect(good.directory?.people).toEqual([
      { id: 't-wang', name: '王老师\n（辅导员）', attributes: { college: 'wxy', email: 'w@example.edu.cn' }, holds: ['counselor@wxy-2203', 'department-deputy@wxy'] },
      { id: '2022020315', name: '李雨桐', attributes: { college: 'wxy', class: 'wxy-2203' }, holds: [] },
      { id: 't-x', name: '某', attributes: {}, holds: ['counselor@wxy-2203'] },
    ]);
  });

  it('refuses a GBK export at its first byte that is not UTF-8, and YAML mistakes with the codes hall check uses', () => {
    const gbk = Buffer.concat([Buffer.from('id,name\nt-wang,'), Buffer.from([0xcd, 0xf5]), Buffer.from('\n')]);
    expect(where('people.csv', gbk)).toEqual(['2:8 file/encoding']);
    expect(where('people.yaml', 'people:\n  - id: t-wang\n    nmae: 王老师\n')).toEqual(['2:5 schema/required', '3:5 schema/unknown-property']);
    expect(where('people.yaml', 'people:\n\t- id: a\n')).toEqual(['2:1 yaml/tab-indent']);
  });
});

describe('hall directory check as a process', () => {
  it('passes the example directory, and lists a bad CSV export like hall check: pretty, JSON, English, exit codes', async () => {
    for (const example of ['examples/directory.yaml', 'examples/directory.csv']) {
      const ok = await hall(['directory', 'check', example]);
      expect(ok.exitCode, ok.all).toBe(0);
      expect(ok.stdout).toContain('没有发现问题');
    }
    const dir = scratch();
    const file = path.join(dir, 'people.csv');
    writeFileSync(file, 'id,name,holds\nt-wang,王老师,counselr@wxy-2203\nt-wang,王老师,\n');
    const pretty = await hall(['directory', 'check', file]);
    expect(pretty.exitCode).toBe(1);
    expect(pretty.stdout).toContain(`${file}:2:12  错误  directory/unknown-group\n  roles.yaml 中没有群组“counselr”。是不是想写“counselor”？`);
    expect(pretty.stdout).toContain(`${file}:3:1  错误  directory/duplicate-id`);
    expect(pretty.stdout).toContain('> 2 | t-wang,王老师,counselr@wxy-2203');
    const json = await hall(['directory', 'check', file, '--format', 'json', '--lang', 'en']);
    expect(json.exitCode).toBe(1);
    const report = JSON.parse(json.stdout) as { summary: { errors: number }; diagnostics: { code: string; line: number; column: number; message: string }[] };
    expect(report.summary.errors).toBe(2);
    expect(report.diagnostics[0]).toMatchObject({ code: 'directory/unknown-group', line: 2, column: 12, message: 'roles.yaml has no group "counselr". Did you mean "counselor"?' });
    const missing = await hall(['directory', 'check', path.join(dir, 'nobody.csv')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain('file/unreadable');
    expect(missing.all).not.toMatch(/at .*\.ts:\d+/);
  });

  it('hall serve --directory refuses the same export with the same diagnostics and exit code, never a stack trace', async () => {
    const dir = scratch();
    const file = path.join(dir, 'people.csv');
    writeFileSync(file, 'id,name,holds\nt-wang,王老师,counselr@wxy-2203\nt-wang,王老师,\n');
    const checked = await hall(['directory', 'check', file]);
    const served = await execa(NODE, [HALL, 'serve', path.join(ROOT, 'catalog'), '--port', '0', '--directory', file, '--store', await stores.location('sqlite')], { reject: false, all: true, env: { NO_COLOR: '1' }, timeout: 60_000 });
    expect(served.exitCode).toBe(checked.exitCode);
    expect(served.stdout).toBe(checked.stdout);
    expect(served.stderr).toContain('人员目录有错误，无法启动');
    expect(served.all).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe.each(STORE_KINDS)('importing a directory on %s', (kind) => {
  it('replaces memberships as a whole and keeps people the new export leaves out, holding nothing', async () => {
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    const first = checkDirectory(bytes('id,name,holds,college\nt-wang,王老师,counselor@wxy-2203;department-deputy@wxy,wxy\nt-chen,陈书记,department-deputy@wxy,wxy\n'), 'a.csv', vocabulary).directory!;
    expect(await importDirectory(store, first)).toEqual({ people: 2, memberships: 3 });
    const second = checkDirectory(bytes('id,name,holds\nt-wang,王老师（新）,counselor@wxy-2203\n'), 'b.csv', vocabulary).directory!;
    expect(await importDirectory(store, second)).toEqual({ people: 1, memberships: 1 });
    expect(await store.query('SELECT person_id, group_id, scope FROM membership ORDER BY person_id')).toEqual([{ person_id: 't-wang', group_id: 'counselor', scope: 'wxy-2203' }]);
    expect(await store.query('SELECT id, name FROM person ORDER BY id')).toEqual([
      { id: 't-chen', name: '陈书记' },
      { id: 't-wang', name: '王老师（新）' },
    ]);
  });
});
