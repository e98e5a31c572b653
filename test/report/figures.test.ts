import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../cli/report/build-report.ts';
import type { ReportData, ServiceReport } from '../../cli/report/aggregate.ts';
import { listEventFiles } from '../../cli/report/read-events.ts';
import { derive, renderReportCsv, renderReportMarkdown, renderReportPage } from '../../cli/report/render-report.ts';
import { tempDir, testContext, writeLines } from './helpers.ts';

const ev = (type: string, at: string, instance: string, service: string, version: number, extra: object = {}) => ({ type, at, instance, service, version, ...extra });

/**
 * A small log whose every figure is worked out by hand below. Times are Beijing time (+08:00) unless
 * written in UTC to cross midnight. The calendar: 1–7 October 2026 off, Saturday 10 October worked.
 */
const LOG = [
  // A0: submitted before the log began; only its completion is here.
  ev('completed', '2026-09-27T10:00:00+08:00', 'A0', 'leave', 1, { outcome: 'approved' }),
  // A1: Mon 28 Sep → Tue 29 Sep: 1 work day, promised 1 → on time.
  ev('submitted', '2026-09-28T09:00:00+08:00', 'A1', 'leave', 1, { applicant: { type: '本科生', college: 'jsj' }, channel: 'pc' }),
  ev('assigned', '2026-09-28T09:00:00+08:00', 'A1', 'leave', 1, { step: 'counselor', group: 'counselor', scope: 'jsj-2301', department: 'jsj', due: '2026-09-29' }),
  // A1 again while open, without its applicant and channel: a conflicting submission, not counted.
  ev('submitted', '2026-09-28T09:00:00+08:00', 'A1', 'leave', 1),
  ev('acted', '2026-09-29T10:00:00+08:00', 'A1', 'leave', 1, { step: 'counselor', action: 'approve' }),
  ev('completed', '2026-09-29T10:00:00+08:00', 'A1', 'leave', 1, { outcome: 'approved' }),
  ev('rated', '2026-09-29T12:00:00+08:00', 'A1', 'leave', 1, { rating: '非常满意' }),
  // A2: submitted 00:30 Wed 30 Sep in Beijing (still Tue 29 Sep in UTC); returned once; completed Thu 8 Oct
  // after the holiday: 1 work day in Beijing (2 if dates were taken in UTC) → on time.
  ev('submitted', '2026-09-29T16:30:00Z', 'A2', 'leave', 1),
  ev('assigned', '2026-09-29T16:30:00Z', 'A2', 'leave', 1, { step: 'counselor', group: 'counselor', department: 'jsj', due: '2026-10-08' }),
  ev('acted', '2026-09-30T10:00:00+08:00', 'A2', 'leave', 1, { step: 'counselor', action: 'return' }),
  ev('returned', '2026-09-30T10:00:00+08:00', 'A2', 'leave', 1, { step: 'counselor' }),
  ev('resubmitted', '2026-09-30T18:00:00+08:00', 'A2', 'leave', 1),
  ev('assigned', '2026-09-30T18:00:00+08:00', 'A2', 'leave', 1, { step: 'counselor', group: 'counselor', department: 'jsj', due: '2026-10-08' }),
  ev('completed', '2026-10-08T09:00:00+08:00', 'A2', 'leave', 1, { outcome: 'approved' }),
  ev('rated', '2026-10-08T10:00:00+08:00', 'A2', 'leave', 1, { rating: '满意' }),
  // A6: trip, promised 7 calendar days: 30 Sep → 8 Oct is 8 days → late (1 work day).
  ev('submitted', '2026-09-30T10:00:00+08:00', 'A6', 'trip', 1),
  ev('completed', '2026-10-08T10:00:00+08:00', 'A6', 'trip', 1, { outcome: 'approved' }),
  // A4: certificate (即办) submitted on a holiday, done first thing on the first work day → 0 → on time.
  ev('submitted', '2026-10-03T10:00:00+08:00', 'A4', 'cert', 1),
  ev('completed', '2026-10-08T08:30:00+08:00', 'A4', 'cert', 1, { outcome: 'approved' }),
  // A5: certificate submitted Thu 8 Oct 20:00, done 00:30 Fri 9 Oct Beijing (16:30Z, still 8 Oct in UTC) → 1 → late.
  ev('submitted', '2026-10-08T20:00:00+08:00', 'A5', 'cert', 1),
  ev('completed', '2026-10-08T16:30:00Z', 'A5', 'cert', 1, { outcome: 'approved' }),
  // A3: leave v2, Fri 9 Oct → Mon 12 Oct: 2 work days because Saturday 10 Oct is worked → late; refused.
  // Its overdue event leaves out group and department: they come from the assignment.
  ev('submitted', '2026-10-09T10:00:00+08:00', 'A3', 'leave', 2),
  ev('assigned', '2026-10-09T10:00:00+08:00', 'A3', 'leave', 2, { step: 'office', group: 'office-staff', department: 'xgc', due: '2026-10-10' }),
  ev('overdue', '2026-10-10T23:59:59+08:00', 'A3', 'leave', 2, { step: 'office' }),
  ev('acted', '2026-10-12T09:00:00+08:00', 'A3', 'leave', 2, { step: 'office', action: 'reject' }),
  ev('completed', '2026-10-12T09:00:00+08:00', 'A3', 'leave', 2, { outcome: 'rejected' }),
  ev('rated', '2026-10-12T11:00:00+08:00', 'A3', 'leave', 2, { rating: '不满意' }),
  // A7: trip withdrawn the same day.
  ev('submitted', '2026-10-09T10:00:00+08:00', 'A7', 'trip', 1),
  ev('withdrawn', '2026-10-09T12:00:00+08:00', 'A7', 'trip', 1),
  // A8: leave, overdue at a college the context does not name, still open when the log ends.
  ev('submitted', '2026-10-12T10:00:00+08:00', 'A8', 'leave', 1),
  ev('assigned', '2026-10-12T10:00:00+08:00', 'A8', 'leave', 1, { step: 'counselor', group: 'counselor', department: 'wxy', due: '2026-10-13' }),
  ev('overdue', '2026-10-13T23:59:59+08:00', 'A8', 'leave', 1, { step: 'counselor', group: 'counselor', department: 'wxy' }),
  // A9: a service nobody knows.
  ev('submitted', '2026-10-12T11:00:00+08:00', 'A9', 'ghost', 1),
  // A10: leave at a version the manifest does not list; same-day completion.
  ev('submitted', '2026-10-13T09:00:00+08:00', 'A10', 'leave', 9),
  ev('completed', '2026-10-13T15:00:00+08:00', 'A10', 'leave', 9, { outcome: 'approved' }),
  // A rating for A4, a day after its completion.
  ev('rated', '2026-10-13T09:00:00+08:00', 'A4', 'cert', 1, { rating: '基本满意' }),
];

let tmp: Awaited<ReturnType<typeof tempDir>>;
let file: string;

async function report(options: { from?: string; to?: string } = {}): Promise<ReportData> {
  return buildReport(await listEventFiles(file), testContext(), { ...options, label: (f) => path.basename(f) });
}

const service = (data: ReportData, id: string): ServiceReport => data.services.find((s) => s.id === id)!;
const hist = (entries: Record<number, number>) => Array.from({ length: 61 }, (_, i) => entries[i] ?? 0);

beforeAll(async () => {
  tmp = await tempDir();
  file = path.join(tmp.dir, 'events.jsonl');
  await writeLines(file, LOG);
});
afterAll(() => tmp.cleanup());

describe('a hand-computed log, whole span', () => {
  it('counts applications, outcomes, returns, time to complete, steps and ratings per service', async () => {
    const data = await report();
    expect(service(data, 'leave')).toMatchObject({
      known: true,
      events: 25, // every leave line but A1's duplicate submission
      applications: 5, // A1 A2 A3 A8 A10 (A0 was submitted before the log)
      approved: 3, // A1 A2 A10
      rejected: 1, // A3
      withdrawn: 0,
      inProgress: 1, // A8
      returnedApplications: 1, // A2
      returns: 1,
      timed: 4,
      onTime: 3, // A1 1 ≤ 1, A2 1 ≤ 1, A10 0; A3 took 2
      duration: hist({ 0: 1, 1: 2, 2: 1 }),
      durationSum: 4,
      stepsAssigned: 5, // A1, A2 twice, A3, A8
      stepsOverdue: 2, // A3, A8
      ratings: [1, 1, 0, 1, 0],
    });
    expect(service(data, 'cert')).toMatchObject({ applications: 2, approved: 2, inProgress: 0, timed: 2, onTime: 1, duration: hist({ 0: 1, 1: 1 }), durationSum: 1, ratings: [0, 0, 1, 0, 0] });
    // The trip took 1 work day but 8 calendar days against a promise of 7 calendar days.
    expect(service(data, 'trip')).toMatchObject({ applications: 2, approved: 1, withdrawn: 1, timed: 1, onTime: 0, duration: hist({ 1: 1 }) });
    expect(service(data, 'ghost')).toMatchObject({ known: false, applications: 1, inProgress: 1, events: 1 });
  });

  it('adds services up by owning department, unknown services apart', async () => {
    const data = await report();
    const dept = (code: string) => data.departments.find((d) => d.code === code)!;
    expect(dept('xgc')).toMatchObject({ services: 1, applications: 5, approved: 3, rejected: 1, onTime: 3, timed: 4 });
    expect(dept('jwc')).toMatchObject({ services: 2, applications: 4, approved: 3, withdrawn: 1, onTime: 1, timed: 3 });
    expect(dept('')).toMatchObject({ services: 1, applications: 1, name: { zh: '（未知事项）' } });
    expect(data.total).toMatchObject({ applications: 10, approved: 6, rejected: 1, withdrawn: 1, inProgress: 2, onTime: 4, timed: 7, stepsAssigned: 5, stepsOverdue: 2, ratings: [1, 1, 1, 1, 0] });
  });

  it('derives rates from the counts', async () => {
    const d = derive((await report()).total);
    expect(d).toMatchObject({ completed: 7, completionRate: 0.7, rejectionRate: 0.1429, returnRate: 0.1, onTimeRate: 0.5714, meanDays: 0.86, medianDays: 1, p90Days: 2, overdueRate: 0.4, ratings: 4, satisfaction: 0.75, meanRating: 3.5 });
  });

  it('counts overdue steps by role group and step department, filling in what the event leaves out', async () => {
    const rows = (await report()).overdue.map((r) => [r.group, r.department, r.assigned, r.overdue, r.departmentName.zh]);
    expect(rows).toEqual([
      ['counselor', 'wxy', 1, 1, 'wxy'],
      ['office-staff', 'xgc', 1, 1, '学生工作处'],
      ['counselor', 'jsj', 3, 0, '计算机学院'],
    ]);
  });

  it('counts applications by Beijing date and by weekday × hour', async () => {
    const data = await report();
    expect(data.logSpan).toEqual({ first: '2026-09-27', last: '2026-10-13' });
    const days = Object.fromEntries(data.days.filter((d) => d.applications).map((d) => [d.date, d.applications]));
    expect(days).toEqual({ '2026-09-28': 1, '2026-09-30': 2, '2026-10-03': 1, '2026-10-08': 1, '2026-10-09': 2, '2026-10-12': 2, '2026-10-13': 1 });
    expect(data.days).toHaveLength(17); // every date of the log's span, quiet ones as 0
    expect(data.hours[2][0]).toBe(1); // A2: Wednesday 00:30 in Beijing, though Tuesday in UTC
    expect(data.hours[0][9]).toBe(1); // A1: Monday 09:00
    expect(data.hours[4][10]).toBe(2); // A3 and A7: Friday 10:00
    expect(data.hours.flat().reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('reports the duplicate, the unknown service and version, and the application from before the log', async () => {
    const data = await report();
    expect(data.input).toMatchObject({ lines: LOG.length, events: LOG.length - 1, problems: 1 });
    expect(data.problems.listed).toEqual([{ file: 'events.jsonl', line: 4, problem: { kind: 'conflict', type: 'submitted', instance: 'A1' } }]);
    expect(data.unknownServices).toEqual([{ service: 'ghost', events: 1, first: { file: 'events.jsonl', line: 33 } }]);
    expect(data.unknownVersions).toEqual([{ service: 'leave', version: 9, events: 2, first: { file: 'events.jsonl', line: 34 } }]);
    expect(data.notes).toEqual({ continuing: 1, uncoveredYears: [], versionsChecked: true });
  });
});

describe('a period follows the applications submitted in it', () => {
  it('takes October’s applications to their end, and counts steps and ratings dated in October', async () => {
    const data = await report({ from: '2026-10-01', to: '2026-10-31' });
    // A2 and A6 were submitted in September: not in October's cohort although they completed in October.
    expect(service(data, 'leave')).toMatchObject({ applications: 3, approved: 1, rejected: 1, inProgress: 1, returnedApplications: 0, onTime: 1, timed: 2 });
    expect(service(data, 'trip')).toMatchObject({ applications: 1, approved: 0, withdrawn: 1, timed: 0 });
    // Ratings by their own date: A2's (8 Oct), A3's (12 Oct), A4's (13 Oct); not A1's (29 Sep).
    expect(data.total.ratings).toEqual([0, 1, 1, 1, 0]);
    // Steps by their own date: A2's second assignment (30 Sep) is outside; A3 and A8 inside.
    expect(data.total.stepsAssigned).toBe(2);
    expect(data.days).toHaveLength(31);
    expect(data.days[0]).toEqual({ date: '2026-10-01', applications: 0 });
    expect(data.period).toEqual({ from: '2026-10-01', to: '2026-10-31' });
  });

  it('a period before the log counts nothing but still reads every line', async () => {
    const data = await report({ from: '2026-01-01', to: '2026-01-31' });
    expect(data.total.applications).toBe(0);
    expect(data.input.lines).toBe(LOG.length);
  });
});

describe('renderers', () => {
  it('write the figures into the page, Markdown and CSV', async () => {
    const data = await report();
    const page = renderReportPage(data, 'zh');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('<svg');
    expect(page).toContain('学生请假');
    expect(page).toContain('events.jsonl');
    const md = renderReportMarkdown(data, 'en');
    expect(md).toContain('| Student leave | Student Affairs | 1 work days | 5 | 80.0% | 25.0% | 20.0% | 75.0% | 1.0 | 1 | 2 | 3 | 66.7% |');
    const csvs = renderReportCsv(data, 'en');
    expect(Object.keys(csvs).sort()).toEqual(['days.csv', 'departments.csv', 'hours.csv', 'overdue.csv', 'problems.csv', 'services.csv']);
    expect(csvs['services.csv'].split('\r\n')[1]).toBe('leave,Student leave,Student Affairs,yes,1 work days,5,4,3,1,0,1,0.8,0.25,1,1,0.2,4,3,0.75,1,1,2,5,2,0.4,0,1,1,0,1,0,3,0.6667,3.67');
  });

  it('escape what the log says', async () => {
    const t = await tempDir();
    const evil = path.join(t.dir, 'evil.jsonl');
    await writeLines(evil, [ev('submitted', '2026-10-09T10:00:00+08:00', 'X1', '<img src=x onerror=alert(1)>', 1), '<script>alert(1)</script>']);
    const data = await buildReport(await listEventFiles(evil), testContext());
    const page = renderReportPage(data, 'zh');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    await t.cleanup();
  });
});
