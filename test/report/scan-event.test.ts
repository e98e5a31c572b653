import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { loadAndCheck } from '../../cli/commands/check/run.ts';
import { ReportAggregator } from '../../cli/report/aggregate.ts';
import { buildReport } from '../../cli/report/build-report.ts';
import { reportContext } from '../../cli/report/context.ts';
import { generateEvents } from '../../cli/report/generate.ts';
import { CHECKED, EVENT_KEY, checkEvent, notJson } from '../../cli/report/parse-event.ts';
import { listEventFiles, readLines } from '../../cli/report/read-events.ts';
import { KEYS, scanEvent } from '../../cli/report/scan-event.ts';
import { writeEventLog } from '../../cli/report/write-log.ts';
import eventSchema from '../../schemas/runtime/event.schema.json' with { type: 'json' };
import { EVENT_NEEDS as NEEDS, tempDir, writeLines } from './helpers.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const EVENT_TYPES: string[] = eventSchema.properties.type.enum;

/** What the ordinary reader makes of a line: checkEvent(JSON.parse(line)), with CHECKED and EVENT_KEY as it left them. */
function ordinary(line: string): { result: unknown; checked?: object; key?: number[] } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { result: 'not-json' };
  }
  const result = checkEvent(value);
  return typeof result === 'number' ? { result, checked: { ...CHECKED }, key: [...EVENT_KEY] } : { result };
}

/** The byte reader on a line: its instant with CHECKED and EVENT_KEY, or NaN (not sure). */
function scanned(line: string): { result: number; checked?: object; key?: number[] } {
  const bytes = Buffer.from(line);
  const result = scanEvent(bytes, 0, bytes.length);
  return Number.isNaN(result) ? { result } : { result, checked: { ...CHECKED }, key: [...EVENT_KEY] };
}

/** Whenever the byte reader reads a line, it reads it as the ordinary reader does. */
function agrees(line: string): boolean {
  const fast = scanned(line);
  if (Number.isNaN(fast.result)) return false;
  expect(ordinary(line), line).toEqual(fast);
  return true;
}

const event = fc.record(
  {
    id: fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 5 }), fc.integer()),
    type: fc.constantFrom(...EVENT_TYPES, 'nope', 'Submitted'),
    at: fc.constantFrom('2026-10-09T10:00:00+08:00', '2026-10-09T02:00:00.5Z', '2026-10-09 10:00:00+0800', '2026-10-09T10:00:60+08:00', '2026-12-31T23:59:60Z', '2026-10-09', '２０２６-10-09T10:00:00Z'),
    instance: fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constant(''), fc.constant('申请-1'), fc.integer()),
    service: fc.oneof(fc.constantFrom('leave', 'ghost', '请假', ''), fc.integer()),
    version: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant('1'), fc.double({ min: 0, max: 3, noNaN: true }), fc.constant(1e21), fc.constant(2 ** 53 + 2)),
    step: fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant('审核')),
    action: fc.constantFrom('approve', 'reject', 'return', 'complete', 'maybe', 'approved'),
    reason: fc.constantFrom('missing-value', 'no-holder', 'lost'),
    position: fc.constantFrom('before', 'after', 'beside'),
    dueAt: fc.constantFrom('2026-10-09T12:00:00+08:00', 'noon'),
    person: fc.oneof(fc.constant('s-1'), fc.integer(), fc.constant('张三')),
    outcome: fc.constantFrom('approved', 'rejected', 'unpaid', 'pending'),
    rating: fc.constantFrom('非常满意', '满意', '基本满意', '不满意', '非常不满意', '好', '满意 '),
    due: fc.constantFrom('2026-10-10', '2026-02-30', 'soon'),
    group: fc.oneof(fc.constant('counselor'), fc.integer(), fc.constant('辅导员')),
    department: fc.constantFrom('xgc', '学工部', ''),
    comment: fc.oneof(fc.string({ maxLength: 8 }), fc.constant('同意。\n"好"\\')),
    missing: fc.constantFrom('applicant.college', 'form.unit', 'college'),
    to: fc.oneof(fc.constant('t-li'), fc.integer()),
    onBehalfOf: fc.oneof(fc.constant('t-wang'), fc.integer(), fc.constant(null)),
    until: fc.constantFrom('2026-10-16', '2026-13-01', 'next week'),
    objections: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant('2'), fc.constant(0.5)),
    amountFen: fc.oneof(fc.integer({ min: -1, max: 50_000 }), fc.constant(1.5), fc.constant('100')),
    applicant: fc.oneof(fc.record({ college: fc.oneof(fc.string(), fc.integer()), type: fc.constantFrom('本科生', 3) }, { requiredKeys: [] }), fc.constant(null), fc.constant('student'), fc.constant([])),
    extra: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.record({ a: fc.integer() })),
  },
  { requiredKeys: [] },
);


/** Events the schema mostly accepts: every type with what it requires, and optional fields of every kind. */
const validish = fc
  .tuple(
    fc.record({
      type: fc.constantFrom(...EVENT_TYPES),
      at: fc.constantFrom('2026-10-09T10:00:00+08:00', '2026-10-09T02:00:00.5Z', '2026-10-09 10:00:00+0800', '2026-12-31T23:59:60Z'),
      instance: fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constant('申请-1')),
      service: fc.constantFrom('leave', 'ghost', '请假', ''),
      version: fc.integer({ min: 1, max: 1_000_000 }),
    }),
    fc.record(
      {
        id: fc.string({ minLength: 1, maxLength: 5 }),
        step: fc.constantFrom('review', '审核'),
        group: fc.constantFrom('counselor', '辅导员'),
        department: fc.constantFrom('xgc', '学工部', ''),
        scope: fc.string({ maxLength: 4 }),
        comment: fc.string({ maxLength: 8 }),
        channel: fc.constantFrom('app', 'pc'),
        person: fc.constantFrom('s-1', '张三'),
        due: fc.constantFrom('2026-10-10', '2028-02-29'),
        dueAt: fc.constant('2026-10-09T12:00:00+08:00'),
        onBehalfOf: fc.constant('t-wang'),
        applicant: fc.record({ type: fc.constantFrom('本科生', '教职工'), college: fc.constantFrom('jsj', 'wxy') }, { requiredKeys: [] }),
        extra: fc.oneof(fc.string(), fc.nat()),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([base, optional]) => ({ ...base, ...optional, ...(NEEDS[base.type] ?? {}) }));

/** A few ways to write the same object as one JSON line: compact, spaced, or with a key given twice. */
const written = fc.tuple(fc.oneof(validish, event), fc.constantFrom('compact', 'spaced', 'tabs', 'twice', 'escaped')).map(([e, how]) => {
  const line = JSON.stringify(e);
  if (how === 'spaced') return line.replace(/":/g, '" : ').replace(/,"/g, ' , "').replace(/^\{/, ' { ').replace(/\}$/, ' } ');
  if (how === 'tabs') return line.replace(/":/g, '":\t');
  if (how === 'twice') return line.replace(/^\{/, '{"type":"submitted","step":"x","group":"g","comment":"c",');
  if (how === 'escaped') return line.replace(/"(\w)/, '"\\u0061$1');
  return line;
});

describe('the byte reader (scan-event.ts)', () => {
  it('reads a line exactly as JSON.parse and checkEvent do, or leaves it to them', () => {
    let read = 0;
    fc.assert(
      fc.property(written, (line) => {
        if (agrees(line)) read++;
      }),
      { numRuns: 4000 },
    );
    // It is not a reader that leaves everything to the ordinary one.
    expect(read).toBeGreaterThan(100);
  });

  it('reads instants and dates from their bytes as parseInstant and isDate read them', () => {
    const two = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, '0'));
    // Mostly what a runtime writes, now and then something else in each place.
    const mostly = <T,>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 6 }, { arbitrary: odd, weight: 1 });
    const instant = fc
      .tuple(
        mostly(fc.constantFrom('2026', '2028', '1900', '2000'), fc.constantFrom('0000', '9999', '20x6', '202x', '20/6')),
        mostly(two(1, 12), two(0, 19)),
        mostly(two(1, 28), two(0, 39)),
        mostly(fc.constantFrom('T', 't', ' '), fc.constantFrom('_', '\t', '\u3000')),
        mostly(two(0, 23), two(0, 29)),
        mostly(two(0, 59), two(0, 69)),
        mostly(two(0, 59), two(0, 69)),
        mostly(fc.constantFrom('', '.5', '.123'), fc.constantFrom('.', '.1234567', '.x')),
        mostly(fc.constantFrom('Z', 'z', '+08:00', '-05:30', '+0800', '+08'), fc.constantFrom('', '+8', '+24:00', '+08:60', '+08:0', '-00:00', 'Z ', '+08:00Z')),
      )
      .map(([y, mo, d, sep, h, mi, sec, frac, zone]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${sec}${frac}${zone}`);
    const date = fc
      .tuple(mostly(fc.constantFrom('2026', '2028', '2100'), fc.constantFrom('20x6', '202x')), mostly(two(1, 12), two(0, 19)), mostly(two(1, 28), two(0, 39)), mostly(fc.constant(''), fc.constantFrom(' ', 'Z')))
      .map(([y, mo, d, tail]) => `${y}-${mo}-${d}${tail}`);
    let read = 0;
    fc.assert(
      fc.property(instant, date, fc.constantFrom('due', 'until'), (at, day, key) => {
        const line = JSON.stringify({ type: 'published', at, instance: 'A1', service: 'leave', version: 1, step: 'a', until: '2026-10-16', [key]: day });
        if (agrees(line)) read++;
        // The same instant twice in a row (the reader reuses the last one's text).
        agrees(line);
      }),
      { numRuns: 4000 },
    );
    expect(read).toBeGreaterThan(400);
  });

  it('never reads a broken line as an event (bytes deleted, inserted or changed)', () => {
    const valid = [
      '{"type":"submitted","at":"2026-10-09T10:00:00+08:00","instance":"A1","service":"leave","version":1,"applicant":{"type":"本科生","college":"jsj"},"channel":"app"}',
      '{"type":"assigned","at":"2026-10-09T10:00:00+08:00","instance":"A1","service":"leave","version":12,"step":"review","group":"counselor","department":"xgc","due":"2026-10-10"}',
      '{"type":"rated","at":"2026-10-09T10:00:00Z","instance":"A1","service":"leave","version":1,"rating":"非常满意","id":"e-1"}',
      '{"type":"paid","at":"2026-10-09T10:00:00Z","instance":"A1","service":"leave","version":1,"step":"pay","amountFen":20000}',
    ];
    for (const line of valid) expect(agrees(line), line).toBe(true);
    const edit = fc.tuple(fc.constantFrom(...valid), fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...'{}[]":,.-+0159eE aZ\\\t\u0000'.split(''), '满'));
    fc.assert(
      fc.property(edit, ([line, at, how, c]) => {
        const i = at % line.length;
        const broken = how === 'delete' ? line.slice(0, i) + line.slice(i + 1) : how === 'insert' ? line.slice(0, i) + c + line.slice(i) : line.slice(0, i) + c + line.slice(i + 1);
        agrees(broken);
      }),
      { numRuns: 6000 },
    );
  });

  describe('in step with the event schema', () => {
    const properties = eventSchema.properties as Record<string, { enum?: string[] }>;
    const base = { at: '2026-10-09T10:00:00+08:00', instance: 'A1', service: 'leave', version: 1 };

    it('knows every property the schema lists, and no other', () => {
      expect([...KEYS].sort()).toEqual(Object.keys(properties).sort());
    });

    it('reads every value of every enum in the schema itself, as checkEvent does', () => {
      let values = 0;
      for (const type of EVENT_TYPES) expect(agrees(JSON.stringify({ type, ...base, ...NEEDS[type] })), type).toBe(true);
      for (const [key, { enum: values_ }] of Object.entries(properties)) {
        if (key === 'type' || !values_) continue;
        for (const value of values_) {
          values++;
          const line = JSON.stringify({ type: 'acted', ...base, ...NEEDS.acted, [key]: value });
          expect(agrees(line), line).toBe(true);
          // A value the schema does not list is not read as one (the ordinary reader words the problem).
          expect(scanned(line.replace(`"${key}":"${value}"`, `"${key}":"${value}x"`)).result, key).toBeNaN();
        }
      }
      expect(values).toBeGreaterThanOrEqual(15);
    });
  });

  describe('inside hall report', () => {
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    beforeAll(async () => {
      tmp = await tempDir();
    });
    afterAll(() => tmp.cleanup());

    it('gives the same report as reading every line with JSON.parse, copies read either way found as duplicates', async () => {
      const { catalog } = await loadAndCheck(path.join(REPO, 'catalog'), { today: '2026-09-01' });
      const manifest = JSON.parse(await readFile(path.join(REPO, 'generated/runtime/manifest.json'), 'utf8')) as RuntimeManifest;
      const context = reportContext(catalog, manifest);
      const log = path.join(tmp.dir, 'generated.jsonl');
      await writeEventLog(generateEvents(catalog, { events: 3000, seed: 11, versions: new Map(manifest.services.map((s) => [s.id, s.current])) }), log);
      const lines = (await readFile(log, 'utf8')).trimEnd().split('\n');
      const extra: string[] = [];
      lines.forEach((line, i) => {
        if (i % 97 === 0) extra.push(line); // the same line again: a duplicate, read by the byte reader both times
        if (i % 89 === 0) extra.push(line.replace('"service":"', '"service":"\\u0000').replace('"type":"', '"type":"\\u0073').replace(/"instance":"(.)/, '"instance":"\\u00$1')); // escapes: the ordinary reader
        if (i % 83 === 0) extra.push(line.replace(/"at":"([^"]*)"/, (_, at) => `"at":"${at.replace('T', ' ')}"`)); // another event: a different fingerprint? no, the same instant: a duplicate
        if (i % 79 === 0) extra.push(line.replace('{"type":"', '{"comment":"同意\\n", "type":"')); // a new event (a comment), escaped
        if (i % 71 === 0) extra.push(line.slice(0, -3)); // broken off
      });
      const escaped = (s: string) => s.replace(/"instance":"([^"]*)"/, (_, v: string) => `"instance":"${[...v].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`);
      lines.forEach((line, i) => {
        if (i % 61 === 0) extra.push(escaped(line)); // the same event, its instance escaped: read the ordinary way, found a duplicate of the byte reader's
      });
      const all = [...lines, ...extra];
      const mixed = path.join(tmp.dir, 'mixed.jsonl');
      await writeLines(mixed, all);
      const now = Date.parse('2026-12-01T00:00:00Z');
      const byBytes = await buildReport(await listEventFiles(mixed), context, { now, label: () => 'mixed.jsonl' });
      // The same lines through JSON.parse and checkEvent only.
      const aggregator = new ReportAggregator(context, { now });
      aggregator.beginFile('mixed.jsonl');
      await readLines(mixed, {
        line(text, n) {
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (error) {
            aggregator.addProblem(n, notJson(error));
            return;
          }
          const checked = checkEvent(value);
          if (typeof checked === 'number') aggregator.add(undefined, checked, n, true);
          else aggregator.addProblem(n, checked);
        },
        tooLong: (n) => aggregator.addProblem(n, { kind: 'too-long' }),
        blank: (n) => aggregator.addBlank(n),
        badUtf8: (n, column) => aggregator.addProblem(n, { kind: 'bad-utf8', column }),
      });
      expect(byBytes).toEqual(aggregator.finish());
      expect(byBytes.input.problems).toBeGreaterThan(0);
      expect(byBytes.problems.byKind.duplicate).toBeGreaterThanOrEqual(Math.ceil(lines.length / 97) + Math.ceil(lines.length / 61));
      expect(byBytes.input.events).toBe(lines.length + Math.ceil(lines.length / 79));
    });
  });
});
