import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RetireError, retireServiceText } from '../../cli/scaffold/retire.ts';
import { diffJson, makeRepo, TODAY } from './helpers.ts';
import type { TempRepo } from './helpers.ts';

const RETIREMENT = { date: '2026-10-01', reason: { zh: '已并入学生事务综合申请' }, successor: 'student-affairs' };

describe('retireServiceText: only status and retired change, byte for byte', () => {
  it.each([
    {
      name: 'comments, blank lines and flow lists around status',
      before: '# 头部注释\nid: a\nstatus: online   # 上线于春季学期\n\n# 下一段\nowner: bwc\ntopics: [ x,  y ]\n',
      after: '# 头部注释\nid: a\nstatus: retired   # 上线于春季学期\nretired:\n  date: 2026-10-01\n  reason: 已并入学生事务综合申请\n  successor: student-affairs\n\n# 下一段\nowner: bwc\ntopics: [ x,  y ]\n',
    },
    {
      name: 'a quoted status',
      before: 'id: a\nstatus: "online"\nowner: bwc\n',
      after: 'id: a\nstatus: retired\nretired:\n  date: 2026-10-01\n  reason: 已并入学生事务综合申请\n  successor: student-affairs\nowner: bwc\n',
    },
    {
      name: 'Windows line endings',
      before: 'id: a\r\nstatus: online\r\nowner: bwc\r\n',
      after: 'id: a\r\nstatus: retired\r\nretired:\r\n  date: 2026-10-01\r\n  reason: 已并入学生事务综合申请\r\n  successor: student-affairs\r\nowner: bwc\r\n',
    },
    {
      name: 'four-space indentation',
      before: 'id: a\nstatus: pilot\nname:\n    zh: 甲\n',
      after: 'id: a\nstatus: retired\nretired:\n    date: 2026-10-01\n    reason: 已并入学生事务综合申请\n    successor: student-affairs\nname:\n    zh: 甲\n',
    },
    {
      name: 'status on the last line without a newline',
      before: 'id: a\nstatus: online',
      after: 'id: a\nstatus: retired\nretired:\n  date: 2026-10-01\n  reason: 已并入学生事务综合申请\n  successor: student-affairs',
    },
    {
      name: 'an existing retired block replaced, its trailing comment kept',
      before: 'id: a\nstatus: retired\nretired:\n  date: 2025-01-01 # 旧\n  reason: 旧原因\n  # 块后的注释\nowner: bwc\n',
      after: 'id: a\nstatus: retired\nretired:\n  date: 2026-10-01\n  reason: 已并入学生事务综合申请\n  successor: student-affairs\n  # 块后的注释\nowner: bwc\n',
    },
  ])('$name', ({ before, after }) => {
    expect(retireServiceText(before, RETIREMENT)).toBe(after);
  });

  it('writes a bilingual reason and quotes text that needs it', () => {
    const out = retireServiceText('id: a\nstatus: online\n', { date: '2026-10-01', reason: { zh: '原因: 见通知 #3', en: "See notice #3: it's merged" } });
    expect(out).toBe('id: a\nstatus: retired\nretired:\n  date: 2026-10-01\n  reason:\n    zh: "原因: 见通知 #3"\n    en: "See notice #3: it\'s merged"\n');
  });

  it.each([
    { name: 'a flow-style file', text: '{id: a, status: online}' },
    { name: 'a file without status', text: 'id: a\n' },
    { name: 'a file with YAML errors', text: 'id: a\nstatus: [online\n' },
  ])('refuses $name with a plain message', ({ text }) => {
    expect(() => retireServiceText(text, RETIREMENT)).toThrow(RetireError);
  });
});

describe('hall retire', () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeRepo();
  });
  afterEach(() => repo.dispose());

  it('edits the real file in place, keeps every other byte, and passes hall check', async () => {
    const file = 'catalog/xgc/student-leave.yaml';
    const before = await repo.read(file);
    const paperBefore = await repo.read('catalog/xgc/paper-leave.yaml');
    const run = await repo.hall(['retire', 'student-leave', '--reason', '并入“学生事务综合申请”', '--reason-en', 'Merged into the student affairs application', '--successor', 'lab-booking', '--date', TODAY]);
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(String(run.stdout)).toContain('✔ 已将 student-leave 标记为停办（catalog/xgc/student-leave.yaml）');
    const after = await repo.read(file);
    const status = 'status: online   # 2026 年春季学期上线';
    const block = [
      'status: retired   # 2026 年春季学期上线',
      'retired:',
      `  date: ${TODAY}`,
      '  reason:',
      '    zh: 并入“学生事务综合申请”',
      '    en: Merged into the student affairs application',
      '  successor: lab-booking',
    ].join('\n');
    expect(before.split(status)).toHaveLength(2);
    expect(after).toBe(before.replace(status, block));
    // paper-leave was retired in favour of student-leave: it now points on to lab-booking, nothing else changed.
    expect(String(run.stdout)).toContain('已把 paper-leave 的接替事项改为 lab-booking。');
    expect(await repo.read('catalog/xgc/paper-leave.yaml')).toBe(paperBefore.replace('  successor: student-leave\n', '  successor: lab-booking\n'));
    expect((await repo.hall(['check', '--today', TODAY])).exitCode).toBe(0);
    const { diff } = await diffJson(repo);
    expect(diff.services.map((s) => s.id)).toEqual(['paper-leave', 'student-leave']);
    expect(diff.services[1]).toMatchObject({ status: { from: 'online', to: 'retired' } });
  });

  it.each([
    { name: 'an unknown service, with a suggestion', args: ['student-leav', '--reason', 'x'], message: '没有标识为“student-leav”的事项。是不是想写“student-leave”？' },
    { name: 'a retired successor', args: ['lab-booking', '--reason', 'x', '--successor', 'paper-leave'], message: '接替事项“paper-leave”本身已停办' },
    { name: 'itself as successor', args: ['lab-booking', '--reason', 'x', '--successor', 'lab-booking'], message: '事项不能由它自己接替' },
    { name: 'a malformed date', args: ['lab-booking', '--reason', 'x', '--date', '2026/10/01'], message: '--date 应写成 YYYY-MM-DD' },
    { name: 'retiring a successor without a new one', args: ['student-leave', '--reason', 'x'], message: '已停办的事项 paper-leave 以它为接替事项' },
    { name: 'a service already retired (its date and reason stay)', args: ['paper-leave', '--reason', '新原因', '--date', '2026-12-01'], message: '事项“paper-leave”已于 2026-03-01 停办，没有做任何修改' },
    { name: 'a service already retired, with a successor', args: ['paper-leave', '--reason', 'x', '--successor', 'lab-booking'], message: '停办日期和原因是已公布的记录，不会被覆盖' },
    { name: 'an empty reason', args: ['lab-booking', '--reason', ' '], message: '--reason 不能为空' },
  ])('refuses $name (exit 2, nothing written)', async ({ args, message }) => {
    const run = await repo.hall(['retire', ...args]);
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toContain(message);
    expect(await repo.git('status', '--porcelain')).toBe('');
  });
});
