import type { RuntimeCalendar } from '../../generated/types/runtime/calendar.ts';
import type { RuntimeDefinition, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { RuntimeEvent } from '../../generated/types/runtime/event.ts';
import type { Scenario } from '../../generated/types/service.ts';
import { compileCalendar, compileDefinition, hasRuntimeDefinition } from '../compile/compile-runtime.ts';
import { runtimeFingerprint } from '../compile/fingerprint.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { resolveDepartment, resolveScope, runWorkflow } from '../../lib/interpret/interpret.ts';
import { routeStep } from '../../lib/interpret/fallback.ts';
import { deadlineWorkdays } from '../../lib/interpret/deadline.ts';
import type { Decision, TimelineEntry } from '../../lib/interpret/interpret.ts';
import { DEFAULT_SUBMITTED_AT } from '../../lib/interpret/scenarios.ts';
import type { Catalog, Service } from '../model/catalog.ts';
import { textZh } from '../model/catalog.ts';
import { WorkdayIndex, ZoneClock, dateToDay, dayToDate } from './clock.ts';
import { RATINGS } from './parse-event.ts';
import type { Rating } from './parse-event.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface GenerateOptions {
  /** Events to write; the log stops at exactly this many. */
  events: number;
  /** Seed of the pseudo-random draws: the same seed gives the same log. */
  seed?: number;
  /** First day of the academic year the log covers (YYYY-MM-DD, a Monday in September reads best). */
  start?: string;
  /** Versions to stamp on events, by service (the manifest's `current`); 1 when absent. */
  versions?: Map<string, number>;
}

/** A small, fast, seedable generator (mulberry32): the same seed gives the same log on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function pickWeighted<T>(random: () => number, items: readonly T[], cumulative: readonly number[]): T {
  const x = random() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return items[lo];
}

function cumulate(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}

/** Hour-of-day weights: students apply through the day and late into the evening, staff in office hours. */
const STUDENT_HOURS = [0.3, 0.15, 0.05, 0.03, 0.03, 0.05, 0.2, 0.7, 1.5, 2.1, 2.3, 1.9, 1.1, 0.9, 1.5, 1.9, 1.9, 1.5, 1, 1.2, 1.7, 2.1, 1.9, 0.9];
const STAFF_HOURS = [0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.4, 2.2, 3, 2.8, 1.8, 0.6, 0.5, 1.6, 2.6, 2.5, 1.7, 0.6, 0.3, 0.35, 0.3, 0.15, 0.05];
const STUDENT_HOURS_CUM = cumulate(STUDENT_HOURS);
const STAFF_HOURS_CUM = cumulate(STAFF_HOURS);
const HOURS = Array.from({ length: 24 }, (_, i) => i);

/** How much each audience applies for things, relative to staff. */
const AUDIENCE_WEIGHT: Record<string, number> = { undergraduate: 8, postgraduate: 3, staff: 2, unit: 0.8, alumni: 0.4, visitor: 0.2 };

const RATING_MIX: Record<'good' | 'late' | 'rejected', number[]> = {
  good: [0.64, 0.24, 0.08, 0.025, 0.015],
  late: [0.34, 0.3, 0.18, 0.11, 0.07],
  rejected: [0.16, 0.22, 0.27, 0.2, 0.15],
};
const RATING_CUM = { good: cumulate(RATING_MIX.good), late: cumulate(RATING_MIX.late), rejected: cumulate(RATING_MIX.rejected) };

/** One decision pattern run once on the interpreter: the shape of an application, times to be drawn. */
interface Template {
  scenario: Scenario;
  entries: TimelineEntry[];
}

interface ServiceModel {
  service: Service;
  definition: RuntimeDefinition;
  steps: Map<string, RuntimeStep>;
  approve: Template[];
  returned: Template[];
  rejected: Template[];
  students: boolean;
  weight: number;
  /** Share of applications sent back at least once, and refused: drawn per service around the hall's mean. */
  returnRate: number;
  rejectRate: number;
  /** Seasonal shape: certificates peak at the start of term and at graduation, venues only in term. */
  season: 'certificates' | 'term' | 'steady';
}

function stepsOf(nodes: RuntimeNode[], into = new Map<string, RuntimeStep>(), parallel = new Set<string>(), inParallel = false) {
  for (const node of nodes) {
    if (node.kind === 'step') {
      into.set(node.id, node);
      if (inParallel) parallel.add(node.id);
    } else if (node.kind === 'parallel') stepsOf(node.steps, into, parallel, node.mode !== 'sequence');
    else if (node.kind === 'branch') {
      stepsOf(node.then, into, parallel, inParallel);
      stepsOf(node.else, into, parallel, inParallel);
    }
  }
  return { steps: into, parallel };
}

/**
 * Run a service's scenarios on the reference interpreter under every simple decision pattern (all approve;
 * one return at a step; a refusal at a step), so generated applications follow the real compiled flows:
 * their branches, countersigns, role groups and departments.
 */
function templatesOf(service: Service, definition: RuntimeDefinition, calendar: WorkCalendar) {
  const cached = TEMPLATES.get(service);
  if (cached) return cached;
  const { steps, parallel } = stepsOf(definition.workflow?.steps ?? []);
  const approve: Template[] = [];
  const returned: Template[] = [];
  const rejected: Template[] = [];
  for (const scenario of service.scenarios ?? []) {
    if (scenario.expect.submission === 'invalid') continue;
    const base = { applicant: scenario.applicant as Record<string, unknown>, data: scenario.data as Record<string, unknown>, submittedAt: scenario.submittedAt ?? DEFAULT_SUBMITTED_AT, service: { id: service.id, name: textZh(service.name) }, ...(scenario.booking ? { booking: scenario.booking } : {}) };
    const stepData = (step: string) => scenario.decisions.find((d) => d.step === step && d.data)?.data as Record<string, unknown> | undefined;
    const decision = (step: string, action: Decision['action']): Decision => {
      const data = stepData(step);
      return { step, action, ...(data && action === 'approve' ? { data } : {}) };
    };
    // Walk the flow approving every step to learn its path under this scenario's data.
    const path: Decision[] = [];
    let outcome = 'pending';
    for (let guard = 0; guard < 50 && outcome === 'pending'; guard++) {
      const result = runWorkflow(definition, calendar, { ...base, decisions: path });
      outcome = result.outcome;
      if (outcome !== 'pending' || !result.waiting.length) break;
      const next = result.waiting[0];
      path.push(decision(next.step, next.actions.includes('approve') ? 'approve' : next.actions[0]));
    }
    const run = (decisions: Decision[], into: Template[], expected: string) => {
      const result = runWorkflow(definition, calendar, { ...base, decisions });
      if (result.outcome === expected) into.push({ scenario, entries: result.timeline });
    };
    if (outcome !== 'approved') continue;
    run(path, approve, 'approved');
    path.forEach((d, i) => {
      const actions = steps.get(d.step)?.actions ?? [];
      const own = scenario.decisions.find((x) => x.step === d.step && x.action === 'return');
      if (actions.includes('return') && !parallel.has(d.step)) run([...path.slice(0, i), { step: d.step, action: 'return', ...(own?.revise ? { revise: own.revise } : {}) }, ...path.slice(i)], returned, 'approved');
      if (actions.includes('reject')) run([...path.slice(0, i), { step: d.step, action: 'reject' }], rejected, 'rejected');
    });
  }
  const templates = { steps, approve, returned, rejected };
  TEMPLATES.set(service, templates);
  return templates;
}

/** Templates per service object: a catalog loaded once and generated from twice runs its flows once. */
const TEMPLATES = new WeakMap<Service, { steps: Map<string, RuntimeStep>; approve: Template[]; returned: Template[]; rejected: Template[] }>();

/** Where in the academic year a day falls, as a multiplier of the service's usual daily volume. */
function seasonFactor(week: number, season: ServiceModel['season'], students: boolean, month: number): number {
  const term1 = week < 20;
  const winter = week >= 20 && week < 26;
  const term2 = week >= 26 && week < 44;
  const startOfTerm = week < 2 || (week >= 26 && week < 28);
  const graduation = month === 6;
  let f = term1 || term2 ? 1 : winter ? (students ? 0.3 : 0.55) : students ? 0.25 : 0.5;
  if (season === 'certificates' && (startOfTerm || graduation)) f *= 2.2;
  if (season === 'term' && !(term1 || term2)) f *= 0.3;
  if (startOfTerm && students) f *= 1.4;
  return f;
}

/** A min-heap of pending events by time, so the log comes out in time order while applications overlap. */
class EventQueue {
  private readonly items: { t: number; n: number; event: RuntimeEvent }[] = [];
  private n = 0;
  get size() {
    return this.items.length;
  }
  peek() {
    return this.items[0]?.t;
  }
  push(t: number, event: RuntimeEvent) {
    const items = this.items;
    items.push({ t, n: this.n++, event });
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.before(items[p], items[i])) break;
      [items[p], items[i]] = [items[i], items[p]];
      i = p;
    }
  }
  pop(): RuntimeEvent {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && !this.before(items[m], items[l])) m = l;
        if (r < items.length && !this.before(items[m], items[r])) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i], items[m]];
        i = m;
      }
    }
    return top.event;
  }
  private before(a: { t: number; n: number }, b: { t: number; n: number }) {
    return a.t < b.t || (a.t === b.t && a.n < b.n);
  }
}

const iso = (t: number) => `${new Date(t).toISOString().slice(0, 19)}Z`;

/**
 * A synthetic year of the hall's event log: every online and appointment service of the catalog that has
 * scenarios, driven through its compiled definition on the reference interpreter. Volumes follow each
 * service's audiences (students outnumber staff), the academic year (peaks at the start of term and at
 * graduation, troughs in the winter and summer breaks and on public holidays), weekdays and the hour of day;
 * handling times follow each step's deadline in office hours, with a department-specific pace, so some
 * steps run late. Returns, refusals, withdrawals and ratings (five levels, worse when late or refused)
 * follow rates drawn per service. Events come out in time order, `at` in UTC.
 */
export function* generateEvents(catalog: Catalog, options: GenerateOptions): Generator<RuntimeEvent> {
  if (!catalog.hall) throw new Error('generateEvents needs a catalog with hall.yaml');
  const random = seededRandom(options.seed ?? 1);
  const calendarData: RuntimeCalendar = compileCalendar(catalog.hall.value);
  const calendar = new WorkCalendar(calendarData);
  const clock = new ZoneClock(calendarData.timezone);
  const workdays = new WorkdayIndex(calendar, calendarData.years);
  const startDay = dateToDay(options.start ?? '2025-09-01');
  if (Number.isNaN(startDay)) throw new Error('start must be YYYY-MM-DD');

  const departments = [...catalog.departments.values()].map((d) => d.value);
  const colleges = departments.filter((d) => d.type === 'college').map((d) => d.code);
  const deptCodes = departments.map((d) => d.code);
  // Each department works at its own pace: a handling-time multiplier around 1.
  const pace = new Map(deptCodes.map((code) => [code, Math.exp(0.35 * normal(random))]));

  const models: ServiceModel[] = [];
  for (const { value: service } of [...catalog.services.values()].sort((a, b) => a.value.id.localeCompare(b.value.id))) {
    if (!hasRuntimeDefinition(service) || !service.workflow || service.status === 'suspended' || service.status === 'retired') continue;
    const definition = compileDefinition(service, options.versions?.get(service.id) ?? 1, runtimeFingerprint(service));
    const { steps, approve, returned, rejected } = templatesOf(service, definition, calendar);
    if (!approve.length) continue;
    const students = service.audiences.some((a) => a === 'undergraduate' || a === 'postgraduate');
    const audience = service.audiences.reduce((w, a) => w + (AUDIENCE_WEIGHT[a] ?? 0.3), 0);
    const topics = new Set(service.topics);
    models.push({
      service,
      definition,
      steps,
      approve,
      returned,
      rejected,
      students,
      weight: audience * (service.hot ? 3 : 1) * (service.status === 'pilot' ? 0.4 : 1) * Math.exp(0.8 * normal(random)),
      returnRate: returned.length ? Math.min(0.3, 0.07 * Math.exp(0.5 * normal(random))) : 0,
      rejectRate: rejected.length ? Math.min(0.2, 0.035 * Math.exp(0.6 * normal(random))) : 0,
      season: topics.has('certificates') ? 'certificates' : topics.has('venues') || topics.has('teaching') ? 'term' : 'steady',
    });
  }
  if (!models.length) return;

  // Expected applications per day and service, before scaling to the wanted number of events.
  const dayWeight = (d: number) => {
    const day = startDay + d;
    const date = dayToDate(day);
    const weekday = (day + 3) % 7;
    const workday = workdays.isWorkday(day);
    const holiday = !workday && calendarData.holidays.includes(date);
    const weights = models.map((m) => {
      const dayFactor = workday ? (weekday === 4 ? 0.9 : 1) : holiday ? (m.students ? 0.25 : 0.08) : m.students ? 0.5 : 0.15;
      return m.weight * dayFactor * seasonFactor(Math.floor((d % 365) / 7), m.season, m.students, Number(date.slice(5, 7)));
    });
    const cum = cumulate(weights);
    return { day, total: cum[cum.length - 1], cum };
  };
  const dayWeights = Array.from({ length: 365 }, (_, d) => dayWeight(d));
  const yearWeight = dayWeights.reduce((n, d) => n + d.total, 0);

  let sequence = 0;
  const instanceEvents = (m: ServiceModel, submittedAt: number): { t: number; event: RuntimeEvent }[] => {
    const roll = random();
    const pool = roll < m.rejectRate ? m.rejected : roll < m.rejectRate + m.returnRate ? m.returned : m.approve;
    const template = (pool.length ? pool : m.approve)[Math.floor(random() * (pool.length || m.approve.length))];
    const scenario = template.scenario;
    const applicant = { ...(scenario.applicant as Record<string, unknown>) };
    if (typeof applicant.college === 'string' && colleges.length) {
      applicant.college = colleges[Math.floor(random() * colleges.length)];
      if (typeof applicant.class === 'string') applicant.class = `${applicant.college}-${22 + Math.floor(random() * 4)}0${1 + Math.floor(random() * 6)}`;
    }
    if (typeof applicant.department === 'string' && deptCodes.length && random() < 0.6) applicant.department = deptCodes[Math.floor(random() * deptCodes.length)];
    const data = scenario.data as Record<string, unknown>;
    const instance = `sq-${(++sequence).toString().padStart(7, '0')}`;
    const head = { instance, service: m.service.id, version: m.definition.version };
    const out: { t: number; event: RuntimeEvent }[] = [];
    const emit = (t: number, event: Omit<RuntimeEvent, 'instance' | 'service' | 'version' | 'at'> & { type: RuntimeEvent['type'] }, extra: Partial<RuntimeEvent> = {}) => {
      const { type, ...rest } = event;
      out.push({ t, event: { type, at: iso(t), ...head, ...rest, ...extra } as RuntimeEvent });
    };
    const channels = m.definition.channels.length ? m.definition.channels : ['pc'];
    emit(submittedAt, { type: 'submitted' }, { applicant: compact({ type: applicant.type, college: applicant.college, department: applicant.department }), channel: channels[Math.floor(random() * channels.length)] });
    const withdrawAt = random() < 0.018 ? 1 + Math.floor(random() * 3) : 0;
    let assignedCount = 0;
    let clockT = submittedAt;
    let late = false;
    const active = new Map<string, { since: number; due: string; who: Partial<RuntimeEvent> }>();
    for (const entry of template.entries) {
      if (entry.type === 'assigned' && !m.steps.has(entry.step!)) {
        // The applicant's own step (销假, issue 15.1): held by the applicant, due as the interpreter said.
        const due = entry.due ?? dayToDate(addWorkdays(workdays, clock.localDay(clockT), 1));
        const who = { group: 'applicant' };
        active.set(entry.step!, { since: clockT, due, who });
        emit(clockT, { type: 'assigned', step: entry.step }, { ...who, due });
      } else if (entry.type === 'acted' && !active.has(entry.step!)) {
        // A system step (issue 15.3): called, and done by the campus system within a minute; nobody holds it.
        clockT += 1000 + Math.floor(random() * 60_000);
        emit(clockT, { type: 'acted', step: entry.step }, { action: entry.action as RuntimeEvent['action'] });
      } else if (entry.type === 'assigned') {
        // Routing: a step with a fallback scope is assigned by it when its own value is missing.
        const step = routeStep(m.steps.get(entry.step!)!, applicant, data);
        const scope = resolveScope(step.scope, step.department, applicant, data);
        const department = resolveDepartment(step.department, applicant, data);
        // An hours deadline (issue 15.7) is simulated at its work-day bound: the synthetic log marks days, not hours.
        const due = dayToDate(addWorkdays(workdays, clock.localDay(clockT), deadlineWorkdays(step.deadline)));
        const who = { group: step.group, ...(scope !== undefined ? { scope } : {}), department };
        active.set(step.id, { since: clockT, due, who });
        emit(clockT, { type: 'assigned', step: step.id }, { ...who, due });
        if (++assignedCount === withdrawAt) {
          emit(clockT + Math.floor(random() * 20 * HOUR), { type: 'withdrawn' });
          return out;
        }
      } else if (entry.type === 'acted') {
        const task = active.get(entry.step!)!;
        const step = m.steps.get(entry.step!) ?? { deadline: 1 };
        const hours = Math.max(0.1, (deadlineWorkdays(step.deadline) + 0.6) * 7 * 0.18 * (pace.get(task.who.department as string) ?? 1) * Math.exp(0.95 * normal(random)));
        const t = Math.max(clockT, workHoursLater(task.since, hours, clock, workdays, random));
        if (dayToDate(clock.localDay(t)) > task.due) {
          late = true;
          emit(endOfLocalDay(task.due, clock), { type: 'overdue', step: entry.step }, { ...task.who, due: task.due });
        }
        emit(t, { type: 'acted', step: entry.step }, { ...task.who, action: entry.action as RuntimeEvent['action'] });
        clockT = t;
      } else if (entry.type === 'returned') {
        emit(clockT, { type: 'returned', step: entry.step });
        clockT += Math.min(10 * DAY, HOUR * 20 * Math.exp(normal(random)));
        emit(clockT, { type: 'resubmitted' });
      } else if (entry.type === 'completed') {
        clockT += 1000 + Math.floor(random() * 5000);
        emit(clockT, { type: 'completed', outcome: entry.outcome! });
        const rated = random() < (entry.outcome === 'approved' ? 0.42 : 0.3);
        if (rated) {
          const mix = entry.outcome === 'rejected' ? 'rejected' : late ? 'late' : 'good';
          const rating: Rating = pickWeighted(random, RATINGS, RATING_CUM[mix]);
          emit(clockT + Math.floor(Math.min(5 * DAY, HOUR * 2 * Math.exp(1.4 * normal(random)))), { type: 'rated', rating });
        }
      }
    }
    return out;
  };

  // Size the year so it yields about the wanted number of events: measure a pilot, then scale. The log
  // stops at exactly `events`, a few days before or after the year's end.
  const pilotEvents = (() => {
    const saved = sequence;
    let n = 0;
    const pilot = 2000;
    for (let i = 0; i < pilot; i++) {
      const d = dayWeights[Math.floor(random() * dayWeights.length)];
      n += instanceEvents(pickWeighted(random, models, d.cum), d.day * DAY).length;
    }
    sequence = saved;
    return n / pilot;
  })();
  const applications = options.events / pilotEvents;

  const queue = new EventQueue();
  let written = 0;
  // Past the year's end only if the pilot guessed low: the next days follow the same pattern.
  for (let i = 0; i < 365 || (written + queue.size < options.events && i < 3650); i++) {
    const d = i < 365 ? dayWeights[i] : dayWeight(i);
    const expected = (applications * d.total) / yearWeight;
    const count = expected < 30 ? poissonSmall(random, expected) : Math.max(0, Math.round(expected + Math.sqrt(expected) * normal(random)));
    const times: { t: number; m: ServiceModel }[] = [];
    for (let k = 0; k < count; k++) {
      const m = pickWeighted(random, models, d.cum);
      const hour = pickWeighted(random, HOURS, m.students ? STUDENT_HOURS_CUM : STAFF_HOURS_CUM);
      const localMidnight = d.day * DAY;
      const t = localMidnight - clock.offsetAt(localMidnight) + hour * HOUR + Math.floor(random() * HOUR);
      times.push({ t, m });
    }
    times.sort((a, b) => a.t - b.t);
    for (const { t, m } of times) {
      while (queue.size && queue.peek()! <= t) {
        yield queue.pop();
        if (++written >= options.events) return;
      }
      for (const e of instanceEvents(m, t)) queue.push(e.t, e.event);
    }
  }
  while (queue.size) {
    yield queue.pop();
    if (++written >= options.events) return;
  }
}

function compact(o: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

function poissonSmall(random: () => number, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

/** The calendar's due-date rule (WorkCalendar.addWorkdays) on day numbers. */
function addWorkdays(workdays: WorkdayIndex, start: number, days: number): number {
  let day = start;
  while (!workdays.isWorkday(day)) day++;
  for (let i = 0; i < days; i++) {
    day++;
    while (!workdays.isWorkday(day)) day++;
  }
  return day;
}

function endOfLocalDay(date: string, clock: ZoneClock): number {
  const next = (dateToDay(date) + 1) * DAY;
  return next - clock.offsetAt(next) - 1000;
}

/** Office hours: 8:30–12:00 and 14:00–17:30 on work days. Most decisions fall in them; a few come in the evening. */
const WINDOWS: [number, number][] = [
  [8.5, 12],
  [14, 17.5],
];

/** The instant `hours` office hours after `from`; one decision in eight is taken in the evening on a phone instead. */
function workHoursLater(from: number, hours: number, clock: ZoneClock, workdays: WorkdayIndex, random: () => number): number {
  let remaining = hours;
  const offset = clock.offsetAt(from);
  let day = Math.floor((from + offset) / DAY);
  let hourOfDay = (from + offset - day * DAY) / HOUR;
  for (let guard = 0; guard < 400; guard++) {
    if (workdays.isWorkday(day)) {
      for (const [open, close] of WINDOWS) {
        const begin = Math.max(open, hourOfDay);
        if (begin >= close) continue;
        if (begin + remaining <= close) {
          const local = begin + remaining;
          const evening = random() < 0.125 && remaining > 1 ? 19 + random() * 3 : local;
          return day * DAY + Math.max(local, evening) * HOUR - clock.offsetAt(day * DAY);
        }
        remaining -= close - begin;
      }
    }
    day++;
    hourOfDay = 0;
  }
  return day * DAY - offset;
}
