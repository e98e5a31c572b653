import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import eventSchema from '../../schemas/runtime/event.schema.json' with { type: 'json' };
import type { RuntimeEvent } from '../../generated/types/runtime/event.ts';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { compileCalendar } from '../../cli/compile/compile-runtime.ts';
import { loadAndCheck } from '../../cli/commands/check/run.ts';
import type { Catalog } from '../../cli/model/catalog.ts';
import { stepsOf } from '../../cli/model/catalog.ts';
import { ReportAggregator } from '../../cli/report/aggregate.ts';
import { ZoneClock, dayToDate } from '../../cli/report/clock.ts';
import { reportContext } from '../../cli/report/context.ts';
import { generateEvents } from '../../cli/report/generate.ts';
import { checkEvent } from '../../cli/report/parse-event.ts';
import { REPO } from '../check/helpers.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const validate = addFormats(new Ajv2020({ strict: false })).compile(eventSchema);

let catalog: Catalog;
let manifest: RuntimeManifest;
let events: RuntimeEvent[];
let versions: Map<string, number>;
const N = 12_000;

beforeAll(async () => {
  const checked = await loadAndCheck(path.join(REPO, 'catalog'), { today: '2026-09-01' });
  catalog = checked.catalog;
  manifest = JSON.parse(await readFile(path.join(REPO, 'generated/runtime/manifest.json'), 'utf8'));
  versions = new Map(manifest.services.map((s) => [s.id, s.current]));
  events = [...generateEvents(catalog, { events: N, seed: 42, versions })];
});

describe('the synthetic event generator', () => {
  it('writes exactly the events asked for, in time order, every one valid against the event schema', () => {
    expect(events).toHaveLength(N);
    for (let i = 1; i < events.length; i++) expect(Date.parse(events[i].at) >= Date.parse(events[i - 1].at)).toBe(true);
    const invalid = events.filter((e) => !validate(e) || typeof checkEvent(e) !== 'number');
    expect(invalid).toEqual([]);
  });

  it('gives the same log for the same seed and a different one for another', () => {
    const once = [...generateEvents(catalog, { events: 500, seed: 42, versions })];
    const again = [...generateEvents(catalog, { events: 500, seed: 42, versions })];
    expect(again).toEqual(once);
    const other = [...generateEvents(catalog, { events: 500, seed: 43, versions })];
    expect(other).not.toEqual(again);
  });

  it('follows the compiled flows: every step, group and department comes from the service’s workflow', () => {
    const steps = new Map<string, Map<string, { group: string; department: string }>>();
    for (const { value: s } of catalog.services.values()) steps.set(s.id, new Map([...stepsOf(s.workflow?.steps)].map(({ step }) => [step.id, { group: step.group, department: step.department }])));
    for (const e of events.filter((x) => x.type === 'assigned')) {
      const step = steps.get(e.service)?.get(e.step!);
      expect(step, `${e.service}/${e.step}`).toBeDefined();
      expect(e.group).toBe(step!.group);
      // A fixed department is the step's; applicant.* and form.* ones are resolved from the application.
      if (!step!.department.includes('.')) expect(e.department).toBe(step!.department);
      else expect(e.department).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(e.due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    for (const e of events) expect(e.version).toBe(versions.get(e.service));
  });

  it('tells each application’s story in order: submitted first, at most one conclusion, ratings after it', () => {
    const seen = new Map<string, string[]>();
    const lastAt = new Map<string, number>();
    for (const e of events) (seen.set(e.instance, [...(seen.get(e.instance) ?? []), e.type]), lastAt.set(e.instance, Date.parse(e.at)));
    // The log stops at exactly N events: a story whose resubmission (at most 10 days after its return) falls after the
    // log's last event is cut there; any other return has its resubmission.
    const end = Math.max(...lastAt.values());
    for (const [instance, types] of seen) {
      if (types.at(-1) === 'returned' && end - lastAt.get(instance)! <= 10 * 86_400_000) types.push('resubmitted');
      if (types[0] !== 'submitted') continue; // cut at the log's start cannot happen: the log starts empty
      expect(types.filter((t) => t === 'submitted')).toHaveLength(1);
      expect(types.filter((t) => t === 'completed' || t === 'withdrawn').length).toBeLessThanOrEqual(1);
      const rated = types.indexOf('rated');
      if (rated >= 0) expect(types.indexOf('completed')).toBeLessThan(rated);
      expect(types.filter((t) => t === 'returned').length).toBe(types.filter((t) => t === 'resubmitted').length);
    }
    expect([...seen.values()].every((t) => t[0] === 'submitted')).toBe(true);
  });

  it('has the shape of a university year: weekdays over weekends, term over the breaks, daytime over night', () => {
    const clock = new ZoneClock('Asia/Shanghai');
    const calendar = compileCalendar(catalog.hall!.value);
    const holidays = new Set(calendar.holidays);
    const perDay = new Map<string, number>();
    const hours = new Array(24).fill(0);
    for (const e of events.filter((x) => x.type === 'submitted')) {
      const t = Date.parse(e.at);
      const date = dayToDate(clock.localDay(t));
      perDay.set(date, (perDay.get(date) ?? 0) + 1);
      hours[clock.localHour(t)]++;
    }
    const mean = (f: (date: string) => boolean) => {
      const days = [...perDay.keys()].filter(f);
      return days.reduce((n, d) => n + perDay.get(d)!, 0) / Math.max(1, days.length);
    };
    const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
    const inTerm = (d: string) => (d >= '2025-09-15' && d <= '2025-12-31') || (d >= '2026-03-16' && d <= '2026-06-15');
    const termWeekday = mean((d) => inTerm(d) && weekday(d) >= 1 && weekday(d) <= 5 && !holidays.has(d));
    expect(termWeekday).toBeGreaterThan(1.5 * mean((d) => inTerm(d) && (weekday(d) === 0 || weekday(d) === 6) && !calendar.workdays.includes(d)));
    expect(termWeekday).toBeGreaterThan(2 * mean((d) => d >= '2026-02-01' && d <= '2026-02-25'));
    expect(termWeekday).toBeGreaterThan(2 * mean((d) => holidays.has(d)));
    expect(hours[10]).toBeGreaterThan(5 * hours[3]);
  });

  it('includes returns, refusals, withdrawals, overdue steps and all five ratings', () => {
    const types = new Set(events.map((e) => e.type));
    for (const t of ['submitted', 'assigned', 'acted', 'returned', 'resubmitted', 'overdue', 'completed', 'withdrawn', 'rated']) expect(types.has(t as RuntimeEvent['type']), t).toBe(true);
    expect(new Set(events.filter((e) => e.type === 'rated').map((e) => e.rating)).size).toBe(5);
    expect(new Set(events.filter((e) => e.type === 'completed').map((e) => e.outcome))).toEqual(new Set(['approved', 'rejected']));
    expect(new Set(events.map((e) => e.service)).size).toBeGreaterThan(25);
  });

  it('gives a report with no problems and no unknown services or versions', () => {
    const aggregator = new ReportAggregator(reportContext(catalog, manifest));
    aggregator.beginFile('generated');
    events.forEach((e, i) => aggregator.add(e, Date.parse(e.at), i + 1));
    const data = aggregator.finish();
    expect(data.input.problems).toBe(0);
    expect(data.unknownServices).toEqual([]);
    expect(data.unknownVersions).toEqual([]);
    const rate = data.total.onTime / data.total.timed;
    expect(rate).toBeGreaterThan(0.75);
    expect(rate).toBeLessThan(0.99);
  });

  it('keeps memory flat: the report holds only applications still open, not the log', () => {
    const aggregator = new ReportAggregator(reportContext(catalog, manifest));
    aggregator.beginFile('generated');
    const open: number[] = [];
    events.forEach((e, i) => {
      aggregator.add(e, Date.parse(e.at), i + 1);
      if ((i + 1) % 3000 === 0) open.push(aggregator.openApplications);
    });
    const applications = events.filter((e) => e.type === 'submitted').length;
    // Open applications at any moment are a few days' worth, far fewer than all applications so far.
    expect(Math.max(...open)).toBeLessThan(applications / 10);
  });
});
