import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RuntimeCalendar } from '../../generated/types/runtime/calendar.ts';
import type { ReportContext } from '../../cli/report/context.ts';

/** National Day 2026 (1–7 October) off, Sunday 20 September and Saturday 10 October worked: the example hall's 2026. */
export const CALENDAR: RuntimeCalendar = {
  format: 'servicehall-calendar/v1',
  timezone: 'Asia/Shanghai',
  years: [2026],
  holidays: ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
  workdays: ['2026-09-20', '2026-10-10'],
};

/**
 * A hand-made context: a leave service (1 work day promised, versions 1 and 2), a certificate (即办件)
 * and an overseas trip promised in calendar days.
 */
export function testContext(): ReportContext {
  return {
    hallName: { zh: '测试大厅', en: 'Test hall' },
    calendar: CALENDAR,
    services: new Map([
      ['leave', { id: 'leave', name: { zh: '学生请假', en: 'Student leave' }, owner: 'xgc', versions: [1, 2], promised: { value: 1, unit: 'workday' as const, immediate: false } }],
      ['cert', { id: 'cert', name: { zh: '在读证明', en: 'Enrolment certificate' }, owner: 'jwc', versions: [1], promised: { value: 0, unit: 'workday' as const, immediate: true } }],
      ['trip', { id: 'trip', name: { zh: '因公出国', en: 'Overseas trip' }, owner: 'jwc', versions: [1], promised: { value: 7, unit: 'day' as const, immediate: false } }],
    ]),
    departments: new Map([
      ['xgc', { zh: '学生工作处', en: 'Student Affairs' }],
      ['jwc', { zh: '教务处', en: 'Academic Affairs' }],
      ['jsj', { zh: '计算机学院', en: 'Computer Science' }],
    ]),
    groups: new Map([
      ['counselor', { zh: '辅导员', en: 'Counselors' }],
      ['office-staff', { zh: '经办人', en: 'Case officers' }],
    ]),
  };
}

/** A temporary folder, removed by the returned function. */
export async function tempDir(prefix = 'hall-report-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Write lines (objects become JSON) to a file. */
export async function writeLines(file: string, lines: (object | string)[]): Promise<void> {
  await writeFile(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
}

/** The fields each event type requires (the event schema's allOf), with values the schema accepts. */
export const EVENT_NEEDS: Record<string, object> = {
  assigned: { step: 'a' },
  unassigned: { step: 'a', group: 'counselor', reason: 'missing-value', missing: 'applicant.college' },
  acted: { step: 'a', action: 'approve' },
  overdue: { step: 'a' },
  completed: { outcome: 'approved' },
  rated: { rating: '满意' },
  transferred: { step: 'a', to: 't-li' },
  added: { step: 'a', to: 't-li', position: 'before' },
  delegated: { step: 'a', to: 't-li' },
  published: { step: 'a', until: '2026-10-16' },
  objected: { step: 'a', person: 's-1', comment: '名单有误' },
  publicized: { step: 'a', objections: 0 },
  ordered: { step: 'pay', amountFen: 20_000, until: '2026-10-14' },
  paid: { step: 'pay', amountFen: 20_000 },
  unpaid: { step: 'pay' },
};
