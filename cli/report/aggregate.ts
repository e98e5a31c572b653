import type { RuntimeEvent } from '../../generated/types/runtime/event.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { WorkdayIndex, ZoneClock, dateToDay, dayToDate } from './clock.ts';
import type { ReportContext, Text } from './context.ts';
import { DayEventSets, EventSet } from './event-set.ts';
import { CHECKED, EVENT_KEY, RATINGS, checkEvent } from './parse-event.ts';
import type { CheckedEvent, LineProblem } from './parse-event.ts';

/** Where a line is: file (as given on the command line) and 1-based line number. */
export interface LineLocation {
  file: string;
  line: number;
}

/** Elapsed work days are counted exactly up to this many; longer cases share the last bucket. */
export const DURATION_CAP = 60;
/** Problem lines listed individually; the rest are only counted. */
export const PROBLEMS_LISTED = 1000;
/** Distinct unknown service ids tracked individually; the rest are pooled. */
const UNKNOWN_TRACKED = 500;
const OTHER_UNKNOWN = '…';
/** Distinct groups × departments, and distinct days, kept apart; a log with more is pooled or cut. */
const DISTINCT_LIMIT = 10_000;
const OTHER = '…';
/** How far past the moment the report runs an event may be dated (clocks drift; zones get mislabelled). */
export const FUTURE_SKEW_MS = 86_400_000;

/** Counts for one service or one department. Rates are derived by the renderers, so merging stays exact. */
export interface Figures {
  /** Applications submitted in the period (the cohort every rate below is about). */
  applications: number;
  /** Of the cohort: completed (approved + rejected), withdrawn, and still open when the log ends. */
  approved: number;
  rejected: number;
  withdrawn: number;
  inProgress: number;
  /** Of the cohort: applications sent back to the applicant at least once, and returns in total. */
  returnedApplications: number;
  returns: number;
  /** Of the completed cohort with a promised limit: how many were within it. */
  timed: number;
  onTime: number;
  /** Work days taken by completed applications: [0] … [DURATION_CAP] (the last is "that many or more"). */
  duration: number[];
  durationSum: number;
  /** Steps assigned and steps that ran past their deadline, by the date of the event. */
  stepsAssigned: number;
  stepsOverdue: number;
  /** Steps nobody could be assigned (`unassigned` incidents: no holder, or a missing scope value), by the date of the event. */
  stepsUnassigned: number;
  /** 催办: reminders applicants sent to the holders of their cases, by the date of the event. */
  urged?: number;
  /** 委托: decisions (acted) a stand-in made for an absent approver, by the date of the event. */
  standIns?: number;
  /**
   * Of the cohort: ended unpaid (未缴费, issue 15.9b), a payment step's period over without payment. Like a
   * withdrawal it is the applicant's, not the offices': counted apart from completed and from the time taken.
   */
  unpaid?: number;
  /** Ratings given in the period, in RATINGS order. */
  ratings: number[];
}

export interface ServiceReport extends Figures {
  id: string;
  name: Text;
  owner: string;
  known: boolean;
  promised?: { value: number; unit: 'workday' | 'day'; immediate: boolean };
  /** Events of this service read (all lines, whatever their date). */
  events: number;
}

export interface DepartmentReport extends Figures {
  code: string;
  name: Text;
  services: number;
}

export interface OverdueRow {
  group: string;
  groupName: Text;
  department: string;
  departmentName: Text;
  assigned: number;
  overdue: number;
}

export interface ProblemRow extends LineLocation {
  problem: LineProblem;
}

export interface UnknownRow {
  service: string;
  version?: number;
  events: number;
  first: LineLocation;
}

/** Everything the report shows, as plain data (what report.json holds). */
export interface ReportData {
  format: 'servicehall-report/v1';
  hall: Text;
  timezone: string;
  period: { from?: string; to?: string };
  /** Local dates of the earliest and latest valid event read, whatever the period. */
  logSpan?: { first: string; last: string };
  input: {
    files: FileCounts[];
    lines: number;
    events: number;
    problems: number;
    /** Empty or whitespace-only lines, skipped (not in `lines`), and the first of them. */
    blank: number;
    firstBlank?: LineLocation;
    /** Files every event of which had been read before from one other file: the same log read twice. */
    repeated: { file: string; of: string; events: number }[];
  };
  /** Events are accepted from 1 January of the hall calendar's first year to `notAfter` (local dates). */
  window: { notBefore: string; notAfter: string };
  problems: { listed: ProblemRow[]; byKind: Record<string, number>; first: Record<string, LineLocation> };
  unknownServices: UnknownRow[];
  unknownVersions: UnknownRow[];
  total: Figures;
  services: ServiceReport[];
  departments: DepartmentReport[];
  overdue: OverdueRow[];
  /** Applications per local date, every date of the period (or of the log) included. */
  days: { date: string; applications: number }[];
  /** Applications by local weekday (0 Monday) × hour. */
  hours: number[][];
  notes: {
    /** Applications seen without their submission (started before the log): outside the cohort. */
    continuing: number;
    /** Years the figures touched that the hall calendar does not list (weekends only assumed). */
    uncoveredYears: number[];
    /** False when no manifest was given, so versions were not checked. */
    versionsChecked: boolean;
  };
}

function emptyFigures(): Figures {
  return { applications: 0, approved: 0, rejected: 0, withdrawn: 0, inProgress: 0, returnedApplications: 0, returns: 0, timed: 0, onTime: 0, duration: new Array(DURATION_CAP + 1).fill(0), durationSum: 0, stepsAssigned: 0, stepsOverdue: 0, stepsUnassigned: 0, ratings: [0, 0, 0, 0, 0] };
}

export function addFigures(into: Figures, from: Figures): void {
  for (const key of ['applications', 'approved', 'rejected', 'withdrawn', 'inProgress', 'returnedApplications', 'returns', 'timed', 'onTime', 'durationSum', 'stepsAssigned', 'stepsOverdue', 'stepsUnassigned'] as const) into[key] += from[key];
  if (from.urged) into.urged = (into.urged ?? 0) + from.urged;
  if (from.standIns) into.standIns = (into.standIns ?? 0) + from.standIns;
  if (from.unpaid) into.unpaid = (into.unpaid ?? 0) + from.unpaid;
  for (let i = 0; i < into.duration.length; i++) into.duration[i] += from.duration[i];
  for (let i = 0; i < 5; i++) into.ratings[i] += from.ratings[i];
}

interface ServiceAcc extends ServiceReport {
  versions?: number[];
  /** For a service the context does not know: its events and where it first appeared. */
  unknown?: UnknownRow;
  unknownVersions?: Map<number, UnknownRow>;
}

/** One application while it is open. Dropped when it concludes, so memory follows what is in flight, not the log. */
interface Instance {
  acc: ServiceAcc;
  cohort: boolean;
  submittedDay: number;
  submitted: boolean;
  returns: number;
  /** Concluded before its submission was seen (logs merged out of order, or started before the log). */
  concluded: { outcome: 'approved' | 'rejected' | 'unpaid' | 'withdrawn'; day: number } | undefined;
  /** Group and department of the latest assignment, for `overdue` events that leave them out. */
  group: string | undefined;
  department: string | undefined;
}

interface OverdueCounts {
  group: string;
  department: string;
  assigned: number;
  overdue: number;
}

export interface FileCounts {
  file: string;
  lines: number;
  events: number;
  problems: number;
  blank: number;
  /** Events already read from an earlier file (or earlier in this one). */
  duplicates: number;
}

export interface ReportOptions {
  /** First and last local date (YYYY-MM-DD) of the period; open when absent. */
  from?: string;
  to?: string;
  /** The moment the report runs (epoch ms); events dated more than a day after it are rejected. */
  now?: number;
  /** About how many events the log holds, to size the table of events seen once. */
  expectedEvents?: number;
}

/**
 * The streaming heart of `hall report`: feed it every line of the log in order, then ask for the figures.
 * Pure (no I/O); memory holds one record per open application and fixed-size counters.
 *
 * The period selects a cohort: the applications submitted in it. Their outcomes, returns and time to
 * complete are followed to the end of the log. Step, rating and overdue figures count events dated in
 * the period. All dates are local to the hall's time zone.
 */
export class ReportAggregator {
  private readonly context: ReportContext;
  private readonly clock: ZoneClock;
  private readonly workdays: WorkdayIndex;
  private readonly fromDay: number;
  private readonly toDay: number;
  private readonly options: ReportOptions;
  private readonly accs = new Map<string, ServiceAcc>();
  private unknownCount = 0;
  private readonly instances = new Map<string, Instance>();
  private readonly strings = new Map<string, string>();
  private overdueRows = 0;
  private readonly overdue = new Map<string, Map<string, OverdueCounts>>();
  private readonly days = new Map<number, number>();
  private readonly hours = new Int32Array(7 * 24);
  private readonly problems: ProblemRow[] = [];
  private readonly problemKinds: Record<string, number> = {};
  private readonly problemFirst: Record<string, LineLocation> = {};
  private readonly files = new Map<string, FileCounts>();
  private readonly fileNames: string[] = [];
  /** Per file index: the file index its duplicates came from (-2 when from several). */
  private readonly duplicateSource: number[] = [];
  private current: FileCounts | undefined;
  private currentIndex = 0;
  /** Events with an `id`, by its fingerprint; those without, by their content's, day by day. */
  private seen: EventSet | undefined;
  private readonly seenOnDay = new DayEventSets();
  private readonly notBeforeDay: number;
  private readonly notAfterMs: number;
  private blank = 0;
  private firstBlank: LineLocation | undefined;
  private firstDay = Number.POSITIVE_INFINITY;
  private lastDay = Number.NEGATIVE_INFINITY;
  private continuing = 0;

  constructor(context: ReportContext, options: ReportOptions = {}) {
    this.context = context;
    this.options = options;
    this.clock = new ZoneClock(context.calendar.timezone);
    this.workdays = new WorkdayIndex(new WorkCalendar(context.calendar), context.calendar.years);
    this.fromDay = options.from ? dateToDay(options.from) : Number.NEGATIVE_INFINITY;
    this.toDay = options.to ? dateToDay(options.to) : Number.POSITIVE_INFINITY;
    if (Number.isNaN(this.fromDay) || Number.isNaN(this.toDay)) throw new Error('from/to must be YYYY-MM-DD');
    const years = context.calendar.years;
    this.notBeforeDay = dateToDay(`${years.length ? Math.min(...years) : 2000}-01-01`);
    this.notAfterMs = (options.now ?? Date.now()) + FUTURE_SKEW_MS;
    for (const s of context.services.values()) {
      this.accs.set(s.id, { ...emptyFigures(), id: s.id, name: s.name, owner: s.owner, known: true, ...(s.promised ? { promised: s.promised } : {}), events: 0, ...(s.versions ? { versions: [...s.versions] } : {}) });
    }
  }

  /** Applications held in memory: open ones, and those concluded before their submission was seen. */
  get openApplications(): number {
    return this.instances.size;
  }

  /** Lines that follow belong to this file (as it should be named in the report). */
  beginFile(file: string): void {
    let f = this.files.get(file);
    if (!f) {
      f = { file, lines: 0, events: 0, problems: 0, blank: 0, duplicates: 0 };
      this.files.set(file, f);
      this.fileNames.push(file);
      this.duplicateSource.push(-1);
    }
    this.current = f;
    this.currentIndex = this.fileNames.indexOf(file);
  }

  /** An empty or whitespace-only line: counted apart, not as a line of the log. */
  addBlank(line: number): void {
    const f = this.currentFile;
    f.blank++;
    this.blank++;
    this.firstBlank ??= { file: f.file, line };
  }

  private get currentFile() {
    if (!this.current) throw new Error('beginFile() first');
    return this.current;
  }

  /** A line that could not be counted, or (kind `unreadable`) the point where a file broke off. */
  addProblem(line: number, problem: LineProblem): void {
    const f = this.currentFile;
    if (problem.kind !== 'unreadable') f.lines++;
    f.problems++;
    this.problemKinds[problem.kind] = (this.problemKinds[problem.kind] ?? 0) + 1;
    this.problemFirst[problem.kind] ??= { file: f.file, line };
    if (this.problems.length < PROBLEMS_LISTED) this.problems.push({ file: f.file, line, problem });
  }

  private accFor(event: CheckedEvent, line: number): ServiceAcc {
    let acc = this.accs.get(event.service);
    if (!acc) {
      const pooled = this.unknownCount >= UNKNOWN_TRACKED;
      const id = pooled ? OTHER_UNKNOWN : event.service;
      acc = this.accs.get(id);
      if (!acc) {
        this.unknownCount++;
        acc = { ...emptyFigures(), id, name: { zh: id }, owner: '', known: false, events: 0, unknown: { service: id, events: 0, first: { file: this.currentFile.file, line } } };
        this.accs.set(id, acc);
      }
      if (!pooled) this.accs.set(event.service, acc);
    }
    if (acc.versions && !acc.versions.includes(event.version)) {
      acc.unknownVersions ??= new Map();
      // Past a hundred unknown versions of one service, the rest share one row (version left out).
      const key = acc.unknownVersions.size >= UNKNOWN_TRACKED / 5 && !acc.unknownVersions.has(event.version) ? -1 : event.version;
      let row = acc.unknownVersions.get(key);
      if (!row) {
        row = { service: acc.id, ...(key === -1 ? {} : { version: key }), events: 0, first: { file: this.currentFile.file, line } };
        acc.unknownVersions.set(key, row);
      }
      row.events++;
    } else if (acc.unknown) {
      acc.unknown.events++;
    }
    return acc;
  }

  private instance(event: CheckedEvent, acc: ServiceAcc): Instance {
    let inst = this.instances.get(event.instance);
    if (!inst) {
      // Every field from the start: one shape, all in the object, however the application goes on.
      inst = { acc, cohort: false, submittedDay: 0, submitted: false, returns: 0, concluded: undefined, group: undefined, department: undefined };
      this.instances.set(event.instance, inst);
    }
    return inst;
  }

  /** One string object per distinct group or department, so open applications do not keep each event's copy alive. */
  private intern(value: string): string {
    let canonical = this.strings.get(value);
    if (canonical === undefined) {
      canonical = value;
      if (this.strings.size < DISTINCT_LIMIT) this.strings.set(value, value);
    }
    return canonical;
  }

  private inPeriod(day: number): boolean {
    return day >= this.fromDay && day <= this.toDay;
  }

  private overdueRow(group: string, department: string): OverdueCounts {
    // A log naming more groups × departments than any hall has is pooled in one row, so memory stays bounded.
    const full = this.overdueRows >= DISTINCT_LIMIT;
    let byDept = this.overdue.get(group);
    if (!byDept) {
      if (full && group !== OTHER) return this.overdueRow(OTHER, OTHER);
      byDept = new Map();
      this.overdue.set(group, byDept);
    }
    let row = byDept.get(department);
    if (!row) {
      if (full && group !== OTHER) return this.overdueRow(OTHER, OTHER);
      row = { group, department, assigned: 0, overdue: 0 };
      byDept.set(department, row);
      this.overdueRows++;
    }
    return row;
  }

  /**
   * Count one valid event. `epochMs` is its `at` parsed; `checked` says checkEvent has just accepted it
   * (so CHECKED and EVENT_KEY hold its fields and fingerprint). An event dated outside the window, or one
   * read before (same `id`; without one, same content), is a problem line instead.
   */
  add(parsed: RuntimeEvent | undefined, epochMs: number, line: number, checked = false): void {
    // Read the fields checkEvent copied out (see CHECKED); check here when the caller did not.
    if (!checked && typeof checkEvent(parsed) !== 'number') throw new Error('add() takes events that checkEvent accepts');
    const event = CHECKED;
    const key = EVENT_KEY;
    if (epochMs > this.notAfterMs) {
      this.addProblem(line, { kind: 'out-of-window', at: event.at, bound: 'after', limit: dayToDate(this.clock.localDay(this.notAfterMs)) });
      return;
    }
    const day = this.clock.localDay(epochMs);
    if (day < this.notBeforeDay) {
      this.addProblem(line, { kind: 'out-of-window', at: event.at, bound: 'before', limit: dayToDate(this.notBeforeDay) });
      return;
    }
    const prior = event.keyed ? (this.seen ??= new EventSet(this.options.expectedEvents)).add(key[0], key[1], this.currentIndex) : this.seenOnDay.add(day, key[0], key[1], this.currentIndex);
    if (prior !== -1) {
      const f = this.currentFile;
      f.duplicates++;
      const source = this.duplicateSource[this.currentIndex];
      this.duplicateSource[this.currentIndex] = source === -1 || source === prior ? prior : -2;
      this.addProblem(line, { kind: 'duplicate', of: this.fileNames[prior] ?? '' });
      return;
    }
    const f = this.currentFile;
    f.lines++;
    f.events++;
    const acc = this.accFor(event, line);
    acc.events++;
    if (day < this.firstDay) this.firstDay = day;
    if (day > this.lastDay) this.lastDay = day;
    switch (event.type) {
      case 'submitted': {
        const inst = this.instance(event, acc);
        if (inst.submitted) {
          this.addDuplicate(line, event, acc);
          return;
        }
        inst.submitted = true;
        inst.acc = acc;
        inst.submittedDay = day;
        inst.cohort = this.inPeriod(day);
        if (inst.cohort) {
          acc.applications++;
          const perDay = this.days.get(day);
          if (perDay !== undefined || this.days.size < DISTINCT_LIMIT) this.days.set(day, (perDay ?? 0) + 1);
          this.hours[((day + 3) % 7) * 24 + this.clock.localHour(epochMs)]++;
        }
        if (inst.concluded) this.conclude(event.instance, inst, inst.concluded.outcome, inst.concluded.day);
        return;
      }
      case 'assigned': {
        const group = event.group ?? '';
        const department = event.department ?? '';
        const inst = this.instances.get(event.instance);
        if (inst) {
          inst.group = this.intern(group);
          inst.department = this.intern(department);
        }
        if (this.inPeriod(day)) {
          acc.stepsAssigned++;
          this.overdueRow(group, department).assigned++;
        }
        return;
      }
      case 'overdue': {
        if (!this.inPeriod(day)) return;
        let group = event.group;
        let department = event.department;
        if (group === undefined || department === undefined) {
          // Left out: take the latest assignment's, which is the overdue step's in a sequential flow.
          const inst = this.instances.get(event.instance);
          group ??= inst?.group ?? '';
          department ??= inst?.department ?? '';
        }
        acc.stepsOverdue++;
        this.overdueRow(group, department).overdue++;
        return;
      }
      case 'unassigned':
        if (this.inPeriod(day)) acc.stepsUnassigned++;
        return;
      case 'urged':
        if (this.inPeriod(day)) acc.urged = (acc.urged ?? 0) + 1;
        return;
      case 'returned':
        this.instance(event, acc).returns++;
        return;
      case 'completed':
      case 'withdrawn': {
        const inst = this.instance(event, acc);
        if (inst.concluded) {
          this.addDuplicate(line, event, acc);
          return;
        }
        const outcome = event.type === 'withdrawn' ? 'withdrawn' : event.outcome!;
        if (!inst.submitted) inst.concluded = { outcome, day };
        else this.conclude(event.instance, inst, outcome, day);
        return;
      }
      case 'rated':
        if (this.inPeriod(day)) acc.ratings[RATINGS.indexOf(event.rating!)]++;
        return;
      case 'acted':
        // 委托: a decision a stand-in made for an absent approver.
        if (event.standIn && this.inPeriod(day)) acc.standIns = (acc.standIns ?? 0) + 1;
        return;
      default:
        // acted and resubmitted carry nothing the figures need: the outcome and returns have their own events.
        return;
    }
  }

  private addDuplicate(line: number, event: CheckedEvent, acc: ServiceAcc): void {
    const f = this.currentFile;
    acc.events--;
    f.events--;
    f.lines--;
    this.addProblem(line, { kind: 'conflict', type: event.type, instance: event.instance });
  }

  private conclude(id: string, inst: Instance, outcome: 'approved' | 'rejected' | 'unpaid' | 'withdrawn', day: number): void {
    this.instances.delete(id);
    if (!inst.cohort) return;
    const acc = inst.acc;
    if (outcome === 'unpaid') acc.unpaid = (acc.unpaid ?? 0) + 1;
    else acc[outcome]++;
    if (inst.returns) {
      acc.returnedApplications++;
      acc.returns += inst.returns;
    }
    if (outcome === 'withdrawn' || outcome === 'unpaid') return;
    const elapsed = this.workdays.workdaysElapsed(inst.submittedDay, day);
    acc.duration[Math.min(elapsed, DURATION_CAP)]++;
    acc.durationSum += elapsed;
    const promised = acc.promised;
    if (promised) {
      acc.timed++;
      const taken = promised.unit === 'workday' ? elapsed : day - inst.submittedDay;
      if (taken <= promised.value) acc.onTime++;
    }
  }

  /** The figures so far. Call once, after the last line. */
  finish(): ReportData {
    const repeated: ReportData['input']['repeated'] = [];
    this.fileNames.forEach((name, i) => {
      const f = this.files.get(name)!;
      const source = this.duplicateSource[i];
      if (source >= 0 && f.events === 0 && f.duplicates > 0) repeated.push({ file: name, of: this.fileNames[source], events: f.duplicates });
    });
    for (const inst of this.instances.values()) {
      if (!inst.submitted) {
        this.continuing++;
        continue;
      }
      if (!inst.cohort) continue;
      inst.acc.inProgress++;
      if (inst.returns) {
        inst.acc.returnedApplications++;
        inst.acc.returns += inst.returns;
      }
    }
    this.instances.clear();
    const { departments: deptNames, groups } = this.context;
    const name = (code: string): Text => deptNames.get(code) ?? { zh: code || '（未注明）', en: code || '(not given)' };
    const accs = [...new Set(this.accs.values())];
    const services = accs.filter((a) => a.known || a.events).map(({ versions: _v, unknown: _k, unknownVersions: _u, ...rest }) => rest as ServiceReport);
    const total = emptyFigures();
    const byDept = new Map<string, DepartmentReport>();
    for (const s of services) {
      addFigures(total, s);
      const code = s.known ? s.owner : '';
      let d = byDept.get(code);
      if (!d) {
        d = { ...emptyFigures(), code, name: s.known ? name(code) : { zh: '（未知事项）', en: '(unknown services)' }, services: 0 };
        byDept.set(code, d);
      }
      d.services++;
      addFigures(d, s);
    }
    const byApplications = <T extends { applications: number }>(a: T, b: T, key: (x: T) => string) => b.applications - a.applications || key(a).localeCompare(key(b));
    const unknownServices: UnknownRow[] = [];
    const unknownVersions: UnknownRow[] = [];
    for (const a of accs) {
      if (a.unknown) unknownServices.push(a.unknown);
      unknownVersions.push(...(a.unknownVersions?.values() ?? []));
    }
    const fromDay = Number.isFinite(this.fromDay) ? this.fromDay : this.firstDay;
    const toDay = Number.isFinite(this.toDay) ? this.toDay : this.lastDay;
    const days: ReportData['days'] = [];
    // Every date of the period, zeros included, so quiet days show as troughs (capped at ten years).
    if (fromDay <= toDay && toDay - fromDay < 3660) for (let d = fromDay; d <= toDay; d++) days.push({ date: dayToDate(d), applications: this.days.get(d) ?? 0 });
    const hours: number[][] = [];
    for (let w = 0; w < 7; w++) hours.push([...this.hours.subarray(w * 24, w * 24 + 24)]);
    return {
      format: 'servicehall-report/v1',
      hall: this.context.hallName,
      timezone: this.context.calendar.timezone,
      period: { ...(this.options.from ? { from: this.options.from } : {}), ...(this.options.to ? { to: this.options.to } : {}) },
      ...(this.firstDay <= this.lastDay ? { logSpan: { first: dayToDate(this.firstDay), last: dayToDate(this.lastDay) } } : {}),
      input: {
        files: [...this.files.values()],
        lines: [...this.files.values()].reduce((n, f) => n + f.lines, 0),
        events: [...this.files.values()].reduce((n, f) => n + f.events, 0),
        problems: Object.values(this.problemKinds).reduce((n, c) => n + c, 0),
        blank: this.blank,
        ...(this.firstBlank ? { firstBlank: this.firstBlank } : {}),
        repeated,
      },
      window: { notBefore: dayToDate(this.notBeforeDay), notAfter: dayToDate(this.clock.localDay(this.notAfterMs)) },
      problems: { listed: this.problems, byKind: { ...this.problemKinds }, first: { ...this.problemFirst } },
      unknownServices: unknownServices.sort((a, b) => b.events - a.events || a.service.localeCompare(b.service)),
      unknownVersions: unknownVersions.sort((a, b) => b.events - a.events || a.service.localeCompare(b.service) || (a.version ?? Infinity) - (b.version ?? Infinity)),
      total,
      services: services.sort((a, b) => byApplications(a, b, (x) => x.id)),
      departments: [...byDept.values()].sort((a, b) => byApplications(a, b, (x) => x.code)),
      overdue: [...this.overdue.values()]
        .flatMap((byDept) => [...byDept.values()])
        .filter((r) => r.overdue > 0 || r.assigned > 0)
        .map((r) => ({ ...r, groupName: groups.get(r.group) ?? { zh: r.group || '（未注明）', en: r.group || '(not given)' }, departmentName: name(r.department) }))
        .sort((a, b) => b.overdue - a.overdue || b.assigned - a.assigned || a.group.localeCompare(b.group) || a.department.localeCompare(b.department)),
      days,
      hours,
      notes: { continuing: this.continuing, uncoveredYears: this.workdays.uncoveredYears(), versionsChecked: [...this.context.services.values()].some((s) => s.versions !== undefined) },
    };
  }
}
