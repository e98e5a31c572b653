import { PALETTE, SCALE5, barChart, columnChart, heatmap, stackedBarChart, timeSeriesChart } from '../render/charts.ts';
import { count, csv, escapeHtml, fixed, htmlTable, inLang, markdownTable, percent, ratio } from '../render/format.ts';
import type { Cell, Lang } from '../render/format.ts';
import { DURATION_CAP } from './aggregate.ts';
import type { Figures, ReportData, ServiceReport } from './aggregate.ts';
import { RATINGS } from './parse-event.ts';
import { PROBLEM_KINDS } from './parse-event.ts';
import type { LineProblem } from './parse-event.ts';

type ProblemKind = LineProblem['kind'];

/** Rates and averages of a set of figures; null where the denominator is zero. */
export interface Derived {
  completed: number;
  completionRate: number | null;
  approvalRate: number | null;
  rejectionRate: number | null;
  returnRate: number | null;
  withdrawalRate: number | null;
  onTimeRate: number | null;
  meanDays: number | null;
  medianDays: number | null;
  p90Days: number | null;
  overdueRate: number | null;
  ratings: number;
  /** 好评率: 非常满意 + 满意 + 基本满意 over all ratings (不满意 and 非常不满意 are 差评). */
  satisfaction: number | null;
  /** Mean on a 5 (非常满意) … 1 (非常不满意) scale. */
  meanRating: number | null;
}

/** The smallest number of days by which at least `share` of the completed cases were done. */
function quantile(histogram: number[], share: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (!total) return null;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i];
    if (seen >= share * total) return i;
  }
  return histogram.length - 1;
}

export function derive(f: Figures): Derived {
  const completed = f.approved + f.rejected;
  const concluded = completed + f.withdrawn;
  const ratings = f.ratings.reduce((a, b) => a + b, 0);
  return {
    completed,
    completionRate: ratio(completed, f.applications),
    approvalRate: ratio(f.approved, completed),
    rejectionRate: ratio(f.rejected, completed),
    returnRate: ratio(f.returnedApplications, f.applications),
    withdrawalRate: ratio(f.withdrawn, concluded + f.inProgress),
    onTimeRate: ratio(f.onTime, f.timed),
    meanDays: completed ? Math.round((f.durationSum / completed) * 100) / 100 : null,
    medianDays: quantile(f.duration, 0.5),
    p90Days: quantile(f.duration, 0.9),
    overdueRate: ratio(f.stepsOverdue, f.stepsAssigned),
    ratings,
    satisfaction: ratio(f.ratings[0] + f.ratings[1] + f.ratings[2], ratings),
    meanRating: ratings ? Math.round((f.ratings.reduce((sum, n, i) => sum + n * (5 - i), 0) / ratings) * 100) / 100 : null,
  };
}

const pct = (r: number | null) => (r === null ? '–' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`);
const days = (d: number | null, cap = false) => (d === null ? '–' : cap && d >= DURATION_CAP ? `≥${DURATION_CAP}` : String(d));

const WEEKDAYS = { zh: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'], en: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] };

const L = {
  zh: {
    title: '运行报告',
    period: (from: string, to: string) => `统计期间：${from} 至 ${to}`,
    open: '不限',
    span: (a: string, b: string) => `日志覆盖 ${a} 至 ${b}。`,
    tz: (tz: string) => `日期和时刻按 ${tz} 时区计算。`,
    summary: '概览',
    fig: {
      applications: '申请数',
      completion: '办结率',
      rejection: '不予通过率',
      returned: '退回率',
      onTime: '按时办结率',
      meanDays: '平均办理用时',
      overdue: '超期环节',
      unassigned: '无法分派的环节（事故）',
      urged: '申请人催办次数',
      standIns: '委托代办（代他人办理的决定）',
      unpaid: '逾期未缴费而结束的申请',
      satisfaction: '好评率',
      ratings: '评价数',
      inProgress: '仍在办理',
    },
    workdays: (d: number | null) => (d === null ? '–' : `${fixed(d)} 个工作日`),
    busiest: '申请量：日期与时段',
    daily: '每日申请量',
    dailyDesc: (n: number, max: string) => `${n} 天的每日申请量；最多的一天：${max}。`,
    topDays: '申请最多的日期',
    heat: '按星期和小时的申请量',
    heatDesc: (top: string) => `申请最集中的时段：${top}。`,
    topHours: '申请最集中的时段',
    hour: (h: number) => `${h}时`,
    hourRange: (w: string, h: number) => `${w} ${String(h).padStart(2, '0')}:00–${String(h + 1).padStart(2, '0')}:00`,
    departments: '各部门',
    deptOutcome: '各部门申请的结果',
    deptOutcomeDesc: '每个部门的申请按结果分色：通过、不予通过、撤回、仍在办理。',
    outcomes: ['通过', '不予通过', '撤回', '仍在办理'],
    services: '各事项',
    servicesNote: (n: number) => `${n} 个事项在统计期间有申请；没有申请的事项未列出。`,
    duration: '办理用时',
    durationDesc: (median: string, p90: string) => `办结申请的用时分布（工作日）：中位数 ${median}，九成在 ${p90} 个工作日内办结。`,
    durationNote: '用时从提交当天（非工作日提交的，从其后第一个工作日）算起，到办结当天为止的工作日数；0 表示当天办结。',
    onTimeTitle: '各部门按时办结率',
    overdue: '超期环节（按办理群组和部门）',
    overdueNote: '办理人未在环节期限内处理的环节。超期率＝超期环节数 ÷ 分派的环节数。表中只列有超期的群组和部门，全部见 overdue.csv。',
    overdueChart: '超期环节最多的群组和部门',
    satisfaction: '服务评价（好差评）',
    satisfactionNote: '五级评价（国办发〔2019〕51号）：非常满意、满意、基本满意为好评，不满意、非常不满意为差评。',
    satisfactionChart: '各部门的评价构成',
    quality: '数据质量',
    files: '读取的文件',
    problemsTitle: (n: number, listed: number) => (n > listed ? `未计入的行（共 ${count(n)} 行，列出前 ${listed} 行）` : `未计入的行（共 ${count(n)} 行）`),
    noProblems: '所有行都是有效事件。',
    kinds: { unreadable: '文件中断', 'bad-utf8': '不是 UTF-8 文本', 'too-long': '行太长', 'not-json': '不是 JSON', 'not-object': '不是 JSON 对象', missing: '缺少字段', invalid: '字段值无效', 'out-of-window': '时间超出范围', duplicate: '重复的事件', conflict: '相互矛盾的事件' } as Record<ProblemKind, string>,
    problemKinds: '各类问题',
    kindLine: (label: string, n: number, at: string) => `${label} ${count(n)} 行，首个在 ${at}`,
    blank: (n: number, at: string) => `空行 ${count(n)} 行（首个在 ${at}），已跳过，不算作日志的行`,
    repeated: (file: string, of: string, n: number) => `${file} 的 ${count(n)} 条事件全部与 ${of} 相同：同一份日志读了两次（例如 .jsonl 和 .jsonl.gz），只计一次`,
    window: (from: string, to: string) => `只统计时间在 ${from} 至 ${to} 之间的事件（大厅日历第一年的 1 月 1 日起，至生成报告时再加 1 天）；超出的事件逐行列在下面。`,
    unknownServices: '目录中没有的事项',
    unknownServicesNote: '这些事件的事项标识不在目录和运行清单中（可能已删除、涉密，或日志有误）。它们仍计入各事项和合计，部门记为“未知事项”。',
    unknownVersions: '运行清单中没有的版本',
    unknownVersionsNote: '这些事件的事项已知，但版本号不在 generated/runtime/manifest.json 中。它们仍计入该事项。',
    notes: '说明',
    continuing: (n: number) => `${count(n)} 件申请在日志中找不到提交事件（在日志开始之前提交），不计入申请数和各项比率。`,
    uncovered: (years: number[]) => `工作日历没有 ${years.join('、')} 年的节假日安排，这些年份只按周末计算工作日。`,
    noVersions: '没有提供运行清单（manifest），未检查版本号。',
    definitions: '统计口径',
    defs: [
      '申请数：统计期间内提交（submitted）的申请。办结率、不予通过率、退回率、按时办结率和用时都针对这些申请，并跟踪到日志结束。',
      '办结：办理结果为通过或不予通过（completed）；办结率＝办结数 ÷ 申请数。不予通过率＝不予通过 ÷ 办结数。撤回的申请不算办结。',
      '退回率：至少被退回修改一次的申请 ÷ 申请数。',
      '按时办结：办理用时不超过办事指南的承诺时限（以工作日计；即办件为当天；以自然日计的按日历天数）。',
      '超期环节、分派环节和评价按事件本身的日期统计。',
      '部门：事项的主管部门；超期环节的部门是环节所属部门。',
    ],
    col: {
      dept: '部门',
      service: '事项',
      code: '标识',
      promised: '承诺时限',
      applications: '申请',
      completed: '办结',
      completion: '办结率',
      rejection: '不予通过率',
      returned: '退回率',
      onTime: '按时办结率',
      meanDays: '平均用时',
      medianDays: '中位用时',
      overdue: '超期环节',
      assigned: '分派环节',
      overdueRate: '超期率',
      unassigned: '无法分派',
      ratings: '评价',
      satisfaction: '好评率',
      group: '办理群组',
      date: '日期',
      weekday: '星期',
      slot: '时段',
      file: '文件',
      line: '行',
      reason: '原因',
      lines: '行数',
      events: '有效事件',
      problems: '未计入',
      events2: '事件数',
      first: '首次出现',
      version: '版本',
      level: '评价',
      count: '数量',
      share: '占比',
      figure: '指标',
      value: '数值',
      total: '合计',
      known: '目录中有',
      days: '工作日',
      approved: '通过',
      rejected: '不予通过',
      withdrawn: '撤回',
      inProgress: '办理中',
      returns: '退回次数',
      returnedApps: '被退回的申请',
      timed: '有承诺时限的办结',
      onTimeCount: '按时办结',
      p90: '九成用时',
      meanRating: '平均分',
      hour: '小时',
    },
    promised: (p: ServiceReport['promised']) => (!p ? '–' : p.immediate ? '即办' : `${p.value} ${p.unit === 'workday' ? '个工作日' : '天'}`),
    problem: (p: LineProblem): string => {
      switch (p.kind) {
        case 'not-json':
          return `不是有效的 JSON（${p.detail}）`;
        case 'not-object':
          return '不是 JSON 对象';
        case 'missing':
          return `缺少字段 ${p.field}`;
        case 'invalid':
          return `字段 ${p.field} 的值无效：${p.value}`;
        case 'too-long':
          return '行太长（超过 1 MiB），已跳过';
        case 'bad-utf8':
          return `不是有效的 UTF-8 文本（第 ${p.column} 个字符附近有无法解码的字节），整行未计入；请检查写出日志的程序的编码`;
        case 'out-of-window':
          return p.bound === 'before' ? `事件时间 ${p.at} 早于大厅日历的第一年（${p.limit}），未计入；如确有更早的数据，请在 hall.yaml 的 calendar.years 中补上该年份` : `事件时间 ${p.at} 晚于生成报告的时间（允许 1 天误差，至 ${p.limit}），未计入；请检查写出日志的服务器时钟`;
        case 'duplicate':
          return `重复的事件（与 ${p.of} 中已读到的事件相同），只计一次`;
        case 'conflict':
          return `申请 ${p.instance} 已有一个 ${p.type} 事件，这一个与之不同，已忽略`;
        case 'unreadable':
          return `文件在此处中断（解压后第 ${count(p.byte)} 字节）：${p.detail}；此前的行已计入`;
      }
    },
    yes: '是',
    no: '否',
    unknownDept: '（未知事项）',
  },
  en: {
    title: 'Operations report',
    period: (from: string, to: string) => `Period: ${from} to ${to}`,
    open: 'open',
    span: (a: string, b: string) => `The log covers ${a} to ${b}.`,
    tz: (tz: string) => `Dates and hours are in the ${tz} time zone.`,
    summary: 'Summary',
    fig: {
      applications: 'Applications',
      completion: 'Completed',
      rejection: 'Refused',
      returned: 'Returned',
      onTime: 'On time',
      meanDays: 'Mean time to complete',
      overdue: 'Overdue steps',
      unassigned: 'Steps nobody could be assigned (incidents)',
      urged: 'Reminders sent by applicants',
      standIns: 'Decisions made by stand-ins (out of office)',
      unpaid: 'Applications ended unpaid (payment period over)',
      satisfaction: 'Satisfied',
      ratings: 'Ratings',
      inProgress: 'Still open',
    },
    workdays: (d: number | null) => (d === null ? '–' : `${fixed(d)} work days`),
    busiest: 'Applications by day and hour',
    daily: 'Applications per day',
    dailyDesc: (n: number, max: string) => `Applications on each of ${n} days; busiest: ${max}.`,
    topDays: 'Busiest days',
    heat: 'Applications by weekday and hour',
    heatDesc: (top: string) => `Busiest hours: ${top}.`,
    topHours: 'Busiest hours',
    hour: (h: number) => `${h}h`,
    hourRange: (w: string, h: number) => `${w} ${String(h).padStart(2, '0')}:00–${String(h + 1).padStart(2, '0')}:00`,
    departments: 'Departments',
    deptOutcome: 'Outcome of applications by department',
    deptOutcomeDesc: 'Each department’s applications by outcome: approved, refused, withdrawn, still open.',
    outcomes: ['Approved', 'Refused', 'Withdrawn', 'Still open'],
    services: 'Services',
    servicesNote: (n: number) => `${n} services had applications in the period; services without any are not listed.`,
    duration: 'Time to complete',
    durationDesc: (median: string, p90: string) => `Work days taken by completed applications: median ${median}, nine in ten within ${p90}.`,
    durationNote: 'Counted in work days from the day of submission (or the first work day after it) to the day of completion; 0 means the same day.',
    onTimeTitle: 'Completed on time, by department',
    overdue: 'Overdue steps by role group and department',
    overdueNote: 'Steps not acted on within their deadline. Overdue rate = overdue steps ÷ steps assigned. Only groups and departments with overdue steps are listed; overdue.csv has all.',
    overdueChart: 'Groups and departments with the most overdue steps',
    satisfaction: 'Ratings (好差评)',
    satisfactionNote: 'Five levels (国办发〔2019〕51号): 非常满意 very satisfied, 满意 satisfied, 基本满意 fairly satisfied count as good; 不满意 dissatisfied, 非常不满意 very dissatisfied as bad.',
    satisfactionChart: 'Ratings by department',
    quality: 'Data quality',
    files: 'Files read',
    problemsTitle: (n: number, listed: number) => (n > listed ? `Lines not counted (${count(n)}; the first ${listed} listed)` : `Lines not counted (${count(n)})`),
    noProblems: 'Every line was a valid event.',
    kinds: { unreadable: 'file breaks off', 'bad-utf8': 'not UTF-8', 'too-long': 'line too long', 'not-json': 'not JSON', 'not-object': 'not a JSON object', missing: 'missing field', invalid: 'invalid value', 'out-of-window': 'date out of range', duplicate: 'duplicate event', conflict: 'conflicting event' } as Record<ProblemKind, string>,
    problemKinds: 'Problems by kind',
    kindLine: (label: string, n: number, at: string) => `${label}: ${count(n)} lines, the first at ${at}`,
    blank: (n: number, at: string) => `blank lines: ${count(n)}, the first at ${at}; skipped, not counted as lines of the log`,
    repeated: (file: string, of: string, n: number) => `every one of the ${count(n)} events in ${file} was already read from ${of}: the same log read twice (e.g. .jsonl and .jsonl.gz), counted once`,
    window: (from: string, to: string) => `Only events dated from ${from} to ${to} are counted (1 January of the hall calendar's first year to a day after the report was made); those outside are listed below.`,
    unknownServices: 'Services not in the catalog',
    unknownServicesNote: 'Events naming a service that neither the catalog nor the manifest knows (deleted, confidential, or a mistake in the log). They are still counted, under "(unknown services)".',
    unknownVersions: 'Versions not in the manifest',
    unknownVersionsNote: 'Events of a known service with a version generated/runtime/manifest.json does not list. They are still counted for the service.',
    notes: 'Notes',
    continuing: (n: number) => `${count(n)} applications have no submission in the log (submitted before it began) and are left out of applications and rates.`,
    uncovered: (years: number[]) => `The work calendar has no holidays for ${years.join(', ')}; work days there count weekends only.`,
    noVersions: 'No runtime manifest was given, so versions were not checked.',
    definitions: 'Definitions',
    defs: [
      'Applications: those submitted in the period. Completion, refusal, return and on-time rates and times are about these applications, followed to the end of the log.',
      'Completed: approved or refused (completed); completion rate = completed ÷ applications; refusal rate = refused ÷ completed. Withdrawn applications are not completed.',
      'Return rate: applications sent back for revision at least once ÷ applications.',
      'On time: time to complete within the guide’s promised limit (work days; immediate cases the same day; calendar-day limits in calendar days).',
      'Overdue and assigned steps and ratings are counted by the date of the event.',
      'Department: the service’s owner; for overdue steps, the step’s department.',
    ],
    col: {
      dept: 'Department',
      service: 'Service',
      code: 'Id',
      promised: 'Promised',
      applications: 'Applications',
      completed: 'Completed',
      completion: 'Completion',
      rejection: 'Refused',
      returned: 'Returned',
      onTime: 'On time',
      meanDays: 'Mean days',
      medianDays: 'Median days',
      overdue: 'Overdue steps',
      assigned: 'Steps assigned',
      overdueRate: 'Overdue rate',
      unassigned: 'Unassigned',
      ratings: 'Ratings',
      satisfaction: 'Satisfied',
      group: 'Role group',
      date: 'Date',
      weekday: 'Weekday',
      slot: 'Hour',
      file: 'File',
      line: 'Line',
      reason: 'Reason',
      lines: 'Lines',
      events: 'Valid events',
      problems: 'Not counted',
      events2: 'Events',
      first: 'First seen',
      version: 'Version',
      level: 'Rating',
      count: 'Count',
      share: 'Share',
      figure: 'Figure',
      value: 'Value',
      total: 'Total',
      known: 'In catalog',
      days: 'Work days',
      approved: 'Approved',
      rejected: 'Refused',
      withdrawn: 'Withdrawn',
      inProgress: 'Open',
      returns: 'Returns',
      returnedApps: 'Returned applications',
      timed: 'Completed with a promise',
      onTimeCount: 'On time',
      p90: '90th percentile days',
      meanRating: 'Mean score',
      hour: 'Hour',
    },
    promised: (p: ServiceReport['promised']) => (!p ? '–' : p.immediate ? 'immediate' : `${p.value} ${p.unit === 'workday' ? 'work days' : 'days'}`),
    problem: (p: LineProblem): string => {
      switch (p.kind) {
        case 'not-json':
          return `not valid JSON (${p.detail})`;
        case 'not-object':
          return 'not a JSON object';
        case 'missing':
          return `missing field ${p.field}`;
        case 'invalid':
          return `invalid ${p.field}: ${p.value}`;
        case 'too-long':
          return 'line longer than 1 MiB, skipped';
        case 'bad-utf8':
          return `not valid UTF-8 (bytes that cannot be decoded near character ${p.column}); the line is not counted: check the encoding of the program writing the log`;
        case 'out-of-window':
          return p.bound === 'before' ? `dated ${p.at}, before the first year of the hall calendar (${p.limit}); not counted: if older data is real, add that year to calendar.years in hall.yaml` : `dated ${p.at}, after the report was made (a day's skew allowed, up to ${p.limit}); not counted: check the clock of the server writing the log`;
        case 'duplicate':
          return `duplicate of an event already read from ${p.of}; counted once`;
        case 'conflict':
          return `application ${p.instance} already has a different ${p.type} event; this one is ignored`;
        case 'unreadable':
          return `the file breaks off here (after ${count(p.byte)} bytes, decompressed): ${p.detail}; the lines before were counted`;
      }
    },
    yes: 'yes',
    no: 'no',
    unknownDept: '(unknown services)',
  },
};

const RATING_EN = ['very satisfied', 'satisfied', 'fairly satisfied', 'dissatisfied', 'very dissatisfied'];
const ratingLabel = (i: number, lang: Lang) => (lang === 'zh' ? RATINGS[i] : `${RATINGS[i]} ${RATING_EN[i]}`);

/** The period as shown: the given bounds, else the log's own span. */
function periodOf(data: ReportData) {
  return { from: data.period.from ?? data.logSpan?.first, to: data.period.to ?? data.logSpan?.last };
}

function busiestDays(data: ReportData, n = 10) {
  return [...data.days].sort((a, b) => b.applications - a.applications || a.date.localeCompare(b.date)).slice(0, n).filter((d) => d.applications > 0);
}

function busiestHours(data: ReportData, n = 5) {
  const cells: { weekday: number; hour: number; applications: number }[] = [];
  data.hours.forEach((row, weekday) => row.forEach((applications, hour) => cells.push({ weekday, hour, applications })));
  return cells.sort((a, b) => b.applications - a.applications || a.weekday - b.weekday || a.hour - b.hour).slice(0, n).filter((c) => c.applications > 0);
}

const weekdayOf = (date: string) => (Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000) + 3) % 7;

/** Service rows to show: those with applications or any event in the log, busiest first. */
const shownServices = (data: ReportData) => data.services.filter((s) => s.applications > 0 || s.events > 0);

interface Section {
  id: string;
  title: string;
  html: string[];
  md: string[];
}

/**
 * Build the report's sections once, for both the HTML page and Markdown: each section carries its
 * charts (HTML only) and tables (both). Pure.
 */
function sections(data: ReportData, lang: Lang, charts = true): { head: { title: string; lines: string[] }; sections: Section[] } {
  // Markdown has no charts: drawing them only to drop them was a third of rendering a report.
  const draw = <T,>(chart: (options: T) => string, options: T) => (charts ? chart(options) : '');
  const t = L[lang];
  const c = t.col;
  const total = derive(data.total);
  const { from, to } = periodOf(data);
  const out: Section[] = [];
  const section = (id: string, title: string) => {
    const s: Section = { id, title, html: [], md: [] };
    out.push(s);
    return s;
  };
  const note = (s: Section, text: string) => {
    s.html.push(`<p class="note">${escapeHtml(text)}</p>`);
    s.md.push(text, '');
  };
  const table = (s: Section, head: string[], rows: Cell[][]) => {
    s.html.push(htmlTable(head, rows));
    s.md.push(markdownTable(head, rows), '');
  };
  const sub = (s: Section, title: string) => {
    s.html.push(`<h3>${escapeHtml(title)}</h3>`);
    s.md.push(`### ${title}`, '');
  };
  const num = (text: string): Cell => ({ text, numeric: true });

  // Summary.
  const summary = section('summary', t.summary);
  const figures: [string, string][] = [
    [t.fig.applications, count(data.total.applications)],
    [t.fig.completion, pct(total.completionRate)],
    [t.fig.rejection, pct(total.rejectionRate)],
    [t.fig.returned, pct(total.returnRate)],
    [t.fig.onTime, pct(total.onTimeRate)],
    [t.fig.meanDays, t.workdays(total.meanDays)],
    [t.fig.overdue, `${count(data.total.stepsOverdue)}（${pct(total.overdueRate)}）`],
    [t.fig.unassigned, count(data.total.stepsUnassigned)],
    // Shown only when the log has any, so reports of halls without approver actions read as before.
    ...(data.total.urged ? [[t.fig.urged, count(data.total.urged)] as [string, string]] : []),
    ...(data.total.standIns ? [[t.fig.standIns, count(data.total.standIns)] as [string, string]] : []),
    ...(data.total.unpaid ? [[t.fig.unpaid, count(data.total.unpaid)] as [string, string]] : []),
    [t.fig.satisfaction, pct(total.satisfaction)],
    [t.fig.ratings, count(total.ratings)],
    [t.fig.inProgress, count(data.total.inProgress)],
  ];
  summary.html.push(`<dl class="figures">${figures.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`);
  summary.md.push(markdownTable([c.figure, c.value], figures), '');

  // Busiest days and hours.
  const busy = section('busiest', t.busiest);
  const top = busiestDays(data);
  const topHours = busiestHours(data);
  busy.html.push(
    draw(timeSeriesChart, {
      lang,
      id: 'daily',
      title: t.daily,
      desc: t.dailyDesc(data.days.length, top[0] ? `${top[0].date} ${top[0].applications}` : '–'),
      points: data.days.map((d) => ({ date: d.date, value: d.applications })),
      width: 960,
      monthLabel: (m) => (lang === 'zh' ? `${Number(m.slice(5))}月` : m),
    }),
  );
  sub(busy, t.topDays);
  table(busy, [c.date, c.weekday, c.applications], top.map((d) => [d.date, WEEKDAYS[lang][weekdayOf(d.date)], d.applications]));
  const hourLabel = (x: { weekday: number; hour: number }) => t.hourRange(WEEKDAYS[lang][x.weekday], x.hour);
  busy.html.push(
    draw(heatmap, {
      lang,
      id: 'hours',
      title: t.heat,
      desc: t.heatDesc(topHours.map((x) => `${hourLabel(x)} ${x.applications}`).join(lang === 'zh' ? '；' : '; ') || '–'),
      rows: WEEKDAYS[lang],
      columns: Array.from({ length: 24 }, (_, h) => t.hour(h)),
      values: data.hours,
      width: 960,
    }),
  );
  sub(busy, t.topHours);
  table(busy, [c.slot, c.applications], topHours.map((x) => [hourLabel(x), x.applications]));

  // Departments.
  const depts = section('departments', t.departments);
  const deptRows = data.departments.filter((d) => d.applications > 0 || d.stepsAssigned > 0 || d.ratings.some(Boolean));
  const deptName = (d: (typeof data.departments)[number]) => (d.code === '' ? t.unknownDept : inLang(d.name, lang));
  depts.html.push(
    draw(stackedBarChart, {
      lang,
      id: 'dept-outcomes',
      title: t.deptOutcome,
      desc: `${t.deptOutcomeDesc} ${deptRows.map((d) => `${deptName(d)} ${d.applications}`).join(lang === 'zh' ? '，' : ', ')}`,
      series: t.outcomes.map((name, i) => ({ name, color: [PALETTE.brand, PALETTE.warn, PALETTE.muted, PALETTE.soft][i] })),
      rows: deptRows.map((d) => ({ label: deptName(d), values: [d.approved, d.rejected, d.withdrawn, d.inProgress] })),
    }),
  );
  table(
    depts,
    [c.dept, c.applications, c.completion, c.rejection, c.returned, c.onTime, c.meanDays, c.overdue, c.overdueRate, c.satisfaction],
    [...deptRows.map((d) => ({ name: deptName(d), f: d })), { name: c.total, f: data.total }].map(({ name, f }) => {
      const r = derive(f);
      return [name, f.applications, num(pct(r.completionRate)), num(pct(r.rejectionRate)), num(pct(r.returnRate)), num(pct(r.onTimeRate)), num(fixed(r.meanDays)), f.stepsOverdue, num(pct(r.overdueRate)), num(pct(r.satisfaction))];
    }),
  );

  // Services.
  const services = section('services', t.services);
  const rows = shownServices(data);
  note(services, t.servicesNote(rows.filter((s) => s.applications > 0).length));
  const deptNames = new Map(data.departments.map((d) => [d.code, deptName(d)]));
  table(
    services,
    [c.service, c.dept, c.promised, c.applications, c.completion, c.rejection, c.returned, c.onTime, c.meanDays, c.medianDays, c.overdue, c.ratings, c.satisfaction],
    rows.map((s) => {
      const r = derive(s);
      return [inLang(s.name, lang) + (s.known ? '' : ' ⚠'), s.known ? (deptNames.get(s.owner) ?? s.owner) : t.unknownDept, t.promised(s.promised), s.applications, num(pct(r.completionRate)), num(pct(r.rejectionRate)), num(pct(r.returnRate)), num(pct(r.onTimeRate)), num(fixed(r.meanDays)), num(days(r.medianDays, true)), s.stepsOverdue, r.ratings, num(pct(r.satisfaction))];
    }),
  );

  // Time to complete.
  const duration = section('duration', t.duration);
  const shown = 31;
  const bins = data.total.duration.slice(0, shown - 1).map((v, i) => ({ label: String(i), value: v }));
  bins.push({ label: `${shown - 1}+`, value: data.total.duration.slice(shown - 1).reduce((a, b) => a + b, 0) });
  duration.html.push(draw(columnChart, { lang, id: 'duration', title: t.duration, desc: t.durationDesc(days(total.medianDays, true), days(total.p90Days, true)), columns: bins, labelEvery: 5, width: 960 }));
  note(duration, `${t.durationDesc(days(total.medianDays, true), days(total.p90Days, true))} ${t.durationNote}`);
  const timedDepts = deptRows.filter((d) => d.timed > 0);
  duration.html.push(
    draw(barChart, {
      lang,
      id: 'on-time',
      title: t.onTimeTitle,
      desc: timedDepts.map((d) => `${deptName(d)} ${percent(d.onTime, d.timed)}`).join(lang === 'zh' ? '，' : ', '),
      bars: timedDepts.map((d) => ({ label: deptName(d), value: d.onTime / d.timed, note: percent(d.onTime, d.timed) })),
      max: 1,
    }),
  );

  // Overdue steps.
  const overdue = section('overdue', t.overdue);
  note(overdue, t.overdueNote);
  const groupLabel = (r: ReportData['overdue'][number]) => `${inLang(r.groupName, lang)} · ${inLang(r.departmentName, lang)}`;
  const worst = data.overdue.filter((r) => r.overdue > 0).slice(0, 15);
  if (worst.length) overdue.html.push(draw(barChart, { lang, id: 'overdue', title: t.overdueChart, desc: worst.map((r) => `${groupLabel(r)} ${r.overdue}`).join(lang === 'zh' ? '；' : '; '), bars: worst.map((r) => ({ label: groupLabel(r), value: r.overdue, note: `${r.overdue}（${percent(r.overdue, r.assigned)}）`, color: PALETTE.warn })) }));
  table(overdue, [c.group, c.dept, c.assigned, c.overdue, c.overdueRate], data.overdue.filter((r) => r.overdue > 0).map((r) => [inLang(r.groupName, lang), inLang(r.departmentName, lang), r.assigned, r.overdue, num(percent(r.overdue, r.assigned))]));

  // Satisfaction.
  const sat = section('satisfaction', t.satisfaction);
  note(sat, t.satisfactionNote);
  const ratedDepts = deptRows.filter((d) => d.ratings.some(Boolean));
  sat.html.push(
    draw(stackedBarChart, {
      lang,
      id: 'ratings',
      title: t.satisfactionChart,
      desc: ratedDepts.map((d) => `${deptName(d)} ${pct(derive(d).satisfaction)}`).join(lang === 'zh' ? '，' : ', '),
      series: RATINGS.map((_, i) => ({ name: ratingLabel(i, lang), color: SCALE5[i] })),
      rows: ratedDepts.map((d) => ({ label: deptName(d), values: d.ratings })),
      share: true,
    }),
  );
  table(sat, [c.level, c.count, c.share], [...RATINGS.map((_, i): Cell[] => [ratingLabel(i, lang), data.total.ratings[i], num(percent(data.total.ratings[i], total.ratings))]), [c.total, total.ratings, num(total.ratings ? '100.0%' : '–')]]);

  // Data quality.
  const quality = section('quality', t.quality);
  sub(quality, t.files);
  table(quality, [c.file, c.lines, c.events, c.problems], data.input.files.map((f) => [f.file, f.lines, f.events, f.problems]));
  note(quality, t.window(data.window.notBefore, data.window.notAfter));
  const kinds = problemSummary(data, lang);
  if (kinds.length) {
    sub(quality, t.problemKinds);
    quality.html.push(`<ul>${kinds.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
    quality.md.push(...kinds.map((n) => `- ${n}`), '');
  }
  sub(quality, t.problemsTitle(data.input.problems, data.problems.listed.length));
  if (!data.input.problems) note(quality, t.noProblems);
  else table(quality, [c.file, c.line, c.reason], data.problems.listed.map((p) => [p.file, p.line, t.problem(p.problem)]));
  if (data.unknownServices.length) {
    sub(quality, t.unknownServices);
    note(quality, t.unknownServicesNote);
    table(quality, [c.code, c.events2, c.first], data.unknownServices.map((u) => [u.service, u.events, `${u.first.file}:${u.first.line}`]));
  }
  if (data.unknownVersions.length) {
    sub(quality, t.unknownVersions);
    note(quality, t.unknownVersionsNote);
    table(quality, [c.code, c.version, c.events2, c.first], data.unknownVersions.map((u) => [u.service, u.version === undefined ? '…' : String(u.version), u.events, `${u.first.file}:${u.first.line}`]));
  }
  const notes = [data.notes.continuing ? t.continuing(data.notes.continuing) : '', data.notes.uncoveredYears.length ? t.uncovered(data.notes.uncoveredYears) : '', data.notes.versionsChecked ? '' : t.noVersions].filter(Boolean);
  if (notes.length) {
    sub(quality, t.notes);
    quality.html.push(`<ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
    quality.md.push(...notes.map((n) => `- ${n}`), '');
  }

  const defs = section('definitions', t.definitions);
  defs.html.push(`<ul class="note">${t.defs.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`);
  defs.md.push(...t.defs.map((d) => `- ${d}`), '');

  const lines = [t.period(from ?? t.open, to ?? t.open), data.logSpan ? t.span(data.logSpan.first, data.logSpan.last) : '', t.tz(data.timezone)].filter(Boolean);
  return { head: { title: `${inLang(data.hall, lang)} · ${t.title}`, lines }, sections: out };
}

const PAGE_CSS = `:root{color-scheme:light}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1a1a1a;background:#fff}
main{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.2rem;margin:2rem 0 .75rem;padding-bottom:.3rem;border-bottom:2px solid #f3f6fa}
h3{font-size:1.02rem;margin:1.2rem 0 .4rem}
nav ol{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0;list-style:none;font-size:.92rem}
a{color:#0b4f9c}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{border:1px solid #d4d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f3f6fa}
tbody th{font-weight:400}
.num{text-align:right;font-variant-numeric:tabular-nums}
.table-scroll{overflow-x:auto;margin:.5rem 0 1rem}
th,td{white-space:nowrap}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.5rem;margin:1rem 0;padding:0}
.figures div{border:1px solid #d4d9e0;border-radius:6px;padding:.5rem .75rem}
.figures dt{font-size:.85rem;color:#555}
.figures dd{margin:0;font-size:1.35rem;font-weight:700}
.chart{display:block;height:auto;margin:.75rem 0}
.note,.meta{color:#555;font-size:.9rem}
@media print{main{max-width:none}.table-scroll{overflow:visible}h2{break-after:avoid}.chart,table{break-inside:avoid}}`;

/** The report as one static HTML page: inline SVG charts, tables, no script, no external files. Pure. */
/**
 * One line per kind of data problem, with its count and where it first occurs, then blank lines and
 * files read twice: what the console prints and the report's "data quality" section lists.
 */
export function problemSummary(data: ReportData, lang: Lang): string[] {
  const t = L[lang];
  const at = (l: { file: string; line: number }) => `${l.file}:${l.line}`;
  const lines: string[] = [];
  for (const kind of PROBLEM_KINDS) {
    const n = data.problems.byKind[kind];
    if (!n) continue;
    const first = data.problems.first[kind];
    const listed = data.problems.listed.find((p) => p.problem.kind === kind && p.file === first.file && p.line === first.line);
    const where = kind === 'unreadable' && listed?.problem.kind === 'unreadable' ? `${at(first)}（${t.problem(listed.problem)}）` : at(first);
    lines.push(t.kindLine(t.kinds[kind], n, lang === 'en' ? where.replace('（', ' (').replace(/）$/, ')') : where));
  }
  if (data.input.blank && data.input.firstBlank) lines.push(t.blank(data.input.blank, at(data.input.firstBlank)));
  for (const r of data.input.repeated) lines.push(t.repeated(r.file, r.of, r.events));
  return lines;
}

export function renderReportPage(data: ReportData, lang: Lang): string {
  const { head, sections: list } = sections(data, lang);
  const nav = `<nav aria-label="${lang === 'zh' ? '目录' : 'Contents'}"><ol>${list.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`).join('')}</ol></nav>`;
  const body = list.map((s) => `<section aria-labelledby="${s.id}"><h2 id="${s.id}">${escapeHtml(s.title)}</h2>\n${s.html.join('\n')}</section>`).join('\n');
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(head.title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(head.title)}</h1>
${head.lines.map((l) => `<p class="meta">${escapeHtml(l)}</p>`).join('\n')}
${nav}
${body}
</main>
</body>
</html>
`;
}

/** The report in Markdown: the same sections and tables as the page, without charts. Pure. */
export function renderReportMarkdown(data: ReportData, lang: Lang): string {
  const { head, sections: list } = sections(data, lang, false);
  return `# ${head.title}\n\n${head.lines.join('  \n')}\n\n${list.map((s) => `## ${s.title}\n\n${s.md.join('\n')}`).join('\n')}`.replace(/\n{3,}/g, '\n\n');
}

/** The report's tables as CSV files (name → content): raw counts and rates as fractions, for spreadsheets. Pure. */
export function renderReportCsv(data: ReportData, lang: Lang): Record<string, string> {
  const c = L[lang].col;
  const t = L[lang];
  const figureHead = [c.applications, c.completed, c.approved, c.rejected, c.withdrawn, c.inProgress, c.completion, c.rejection, c.returnedApps, c.returns, c.returned, c.timed, c.onTimeCount, c.onTime, c.meanDays, c.medianDays, c.p90, c.assigned, c.overdue, c.overdueRate, c.unassigned, ...RATINGS, c.ratings, c.satisfaction, c.meanRating];
  const figureRow = (f: Figures) => {
    const r = derive(f);
    return [f.applications, r.completed, f.approved, f.rejected, f.withdrawn, f.inProgress, r.completionRate, r.rejectionRate, f.returnedApplications, f.returns, r.returnRate, f.timed, f.onTime, r.onTimeRate, r.meanDays, r.medianDays, r.p90Days, f.stepsAssigned, f.stepsOverdue, r.overdueRate, f.stepsUnassigned, ...f.ratings, r.ratings, r.satisfaction, r.meanRating];
  };
  const deptNames = new Map(data.departments.map((d) => [d.code, d.code === '' ? t.unknownDept : inLang(d.name, lang)]));
  return {
    'services.csv': csv(
      [c.code, c.service, c.dept, c.known, c.promised, ...figureHead],
      shownServices(data).map((s) => [s.id, inLang(s.name, lang), s.known ? (deptNames.get(s.owner) ?? s.owner) : t.unknownDept, s.known ? t.yes : t.no, t.promised(s.promised), ...figureRow(s)]),
    ),
    'departments.csv': csv([c.code, c.dept, ...figureHead], [...data.departments.map((d) => [d.code, deptNames.get(d.code) ?? d.code, ...figureRow(d)]), ['', c.total, ...figureRow(data.total)]]),
    'overdue.csv': csv([c.group, c.code, c.dept, c.code, c.assigned, c.overdue, c.overdueRate], data.overdue.map((r) => [inLang(r.groupName, lang), r.group, inLang(r.departmentName, lang), r.department, r.assigned, r.overdue, ratio(r.overdue, r.assigned)])),
    'days.csv': csv([c.date, c.weekday, c.applications], data.days.map((d) => [d.date, WEEKDAYS[lang][weekdayOf(d.date)], d.applications])),
    'hours.csv': csv([c.weekday, ...Array.from({ length: 24 }, (_, h) => String(h))], data.hours.map((row, w) => [WEEKDAYS[lang][w], ...row])),
    'problems.csv': csv([c.file, c.line, c.reason], data.problems.listed.map((p) => [p.file, p.line, t.problem(p.problem)])),
  };
}
