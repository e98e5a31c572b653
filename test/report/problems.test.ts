import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { gzipSync, createGzip } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import eventSchema from '../../schemas/runtime/event.schema.json' with { type: 'json' };
import { buildReport } from '../../cli/report/build-report.ts';
import { listEventFiles, MAX_LINE_BYTES } from '../../cli/report/read-events.ts';
import { checkEvent } from '../../cli/report/parse-event.ts';
import { EVENT_NEEDS as needs, tempDir, testContext, writeLines } from './helpers.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const validate = addFormats(new Ajv2020({ strict: false })).compile(eventSchema);
const EVENT_TYPES: string[] = eventSchema.properties.type.enum;

const ok = (instance: string, extra: object = {}) => ({ type: 'submitted', at: '2026-10-09T10:00:00+08:00', instance, service: 'leave', version: 1, ...extra });

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp.cleanup());

async function reportOf(target: string) {
  return buildReport(await listEventFiles(target), testContext(), { label: (f) => path.relative(tmp.dir, f) });
}

describe('lines that are not events', () => {
  // [line, expected problem]
  const cases: [string, object][] = [
    ['{"type":"submitted"', { kind: 'not-json' }],
    ['[1,2,3]', { kind: 'not-object' }],
    ['"just a string"', { kind: 'not-object' }],
    ['null', { kind: 'not-object' }],
    [JSON.stringify({ at: '2026-10-09T10:00:00+08:00', instance: 'x', service: 'leave', version: 1 }), { kind: 'missing', field: 'type' }],
    [JSON.stringify(ok('x', { type: 'approved' })), { kind: 'invalid', field: 'type', value: 'approved' }],
    [JSON.stringify(ok('x', { at: '2026-10-09 10:00' })), { kind: 'invalid', field: 'at' }],
    [JSON.stringify(ok('x', { at: '2026-02-30T10:00:00Z' })), { kind: 'invalid', field: 'at' }],
    [JSON.stringify(ok('x', { at: 1760000000 })), { kind: 'invalid', field: 'at' }],
    [JSON.stringify(ok('', {})), { kind: 'invalid', field: 'instance' }],
    [JSON.stringify({ ...ok('x'), service: undefined }), { kind: 'missing', field: 'service' }],
    [JSON.stringify(ok('x', { version: '1' })), { kind: 'invalid', field: 'version' }],
    [JSON.stringify(ok('x', { version: 0 })), { kind: 'invalid', field: 'version' }],
    [JSON.stringify(ok('x', { version: 1.5 })), { kind: 'invalid', field: 'version' }],
    [JSON.stringify(ok('x', { type: 'assigned' })), { kind: 'missing', field: 'step' }],
    [JSON.stringify(ok('x', { type: 'acted', step: 's' })), { kind: 'missing', field: 'action' }],
    [JSON.stringify(ok('x', { type: 'acted', step: 's', action: 'maybe' })), { kind: 'invalid', field: 'action' }],
    [JSON.stringify(ok('x', { type: 'completed' })), { kind: 'missing', field: 'outcome' }],
    [JSON.stringify(ok('x', { type: 'rated', rating: '很好' })), { kind: 'invalid', field: 'rating', value: '很好' }],
    [JSON.stringify(ok('x', { type: 'rated', rating: 5 })), { kind: 'invalid', field: 'rating' }],
    [JSON.stringify(ok('x', { due: '9 October' })), { kind: 'invalid', field: 'due' }],
    [JSON.stringify(ok('x', { step: 7 })), { kind: 'invalid', field: 'step' }],
    [JSON.stringify(ok('x', { applicant: 'student' })), { kind: 'invalid', field: 'applicant' }],
    [JSON.stringify(ok('x', { applicant: { college: 3 } })), { kind: 'invalid', field: 'applicant.college' }],
  ];

  it.each(cases)('%s', (line, problem) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      expect(problem).toMatchObject({ kind: 'not-json' });
      return;
    }
    expect(checkEvent(value)).toMatchObject(problem);
    expect(validate(value)).toBe(false);
  });

  it('are counted and listed with file and line, and never stop the report', async () => {
    const file = path.join(tmp.dir, 'mixed.jsonl');
    const lines = [JSON.stringify(ok('A1')), ...cases.map(([l]) => l), '', '   ', JSON.stringify(ok('A2'))];
    await writeLines(file, lines);
    const data = await reportOf(file);
    expect(data.input).toEqual({
      files: [{ file: 'mixed.jsonl', lines: cases.length + 2, events: 2, problems: cases.length, blank: 2, duplicates: 0 }],
      lines: cases.length + 2,
      events: 2,
      problems: cases.length,
      blank: 2,
      firstBlank: { file: 'mixed.jsonl', line: cases.length + 2 },
      repeated: [],
    });
    expect(data.problems.listed.map((p) => p.line)).toEqual(cases.map((_, i) => i + 2));
    expect(data.problems.listed[0]).toMatchObject({ file: 'mixed.jsonl', line: 2, problem: { kind: 'not-json' } });
    expect(data.problems.byKind).toMatchObject({ 'not-json': 1, 'not-object': 3, missing: 5 });
    expect(data.total.applications).toBe(2);
  });

  it('agree with the event schema on generated valid and broken events', () => {
    const event = fc.record(
      {
        // Every type the schema allows (a type added there and not here was counted as a broken line), and one it does not.
        type: fc.constantFrom(...EVENT_TYPES, 'nope'),
        at: fc.oneof(fc.constantFrom('2026-10-09T10:00:00+08:00', '2026-10-09T02:00:00.5Z', '2026-10-09 10:00:00+0800', '2026-10-09T10:00:60+08:00', '2026-12-31T23:59:60Z', '2026-10-09'), fc.string({ maxLength: 4 })),
        instance: fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constant(''), fc.integer()),
        service: fc.oneof(fc.constantFrom('leave', 'ghost'), fc.integer()),
        version: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant('1'), fc.double({ min: 0, max: 3, noNaN: true })),
        step: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()),
        action: fc.constantFrom('approve', 'reject', 'return', 'complete', 'maybe'),
        reason: fc.constantFrom('missing-value', 'no-holder', 'lost'),
        position: fc.constantFrom('before', 'after', 'beside'),
        dueAt: fc.constantFrom('2026-10-09T12:00:00+08:00', '2026-10-09T12:00:00+08', 'noon', '2026-02-29T12:00:00Z'),
        person: fc.oneof(fc.constant('s-1'), fc.integer()),
        outcome: fc.constantFrom('approved', 'rejected', 'pending'),
        rating: fc.constantFrom('非常满意', '满意', '基本满意', '不满意', '非常不满意', '好'),
        due: fc.constantFrom('2026-10-10', '2028-02-29', '2026-02-29', '2026-02-30', '2026-13-01', 'soon'),
        group: fc.oneof(fc.constant('counselor'), fc.integer()),
        missing: fc.constantFrom('applicant.college', 'form.unit', 'college'),
        to: fc.oneof(fc.constant('t-li'), fc.integer()),
        until: fc.constantFrom('2026-10-16', '2026-04-31', 'next week'),
        objections: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant('2')),
        amountFen: fc.oneof(fc.integer({ min: -1, max: 50_000 }), fc.constant(1.5), fc.constant('100')),
        applicant: fc.oneof(fc.record({ college: fc.oneof(fc.string(), fc.integer()) }), fc.constant(null)),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(event, (e) => {
        expect(typeof checkEvent(e) === 'number').toBe(validate(e));
      }),
      { numRuns: 3000 },
    );
  });

  it('count one valid event of every type the event schema names', async () => {
    const lines = [
      ...EVENT_TYPES.map((type, i) => ok(`x-${i}`, { type, ...(needs[type] ?? {}) })),
      // The applicant's own step done (销假, issue 15.1): the hall writes it as `acted` with `complete`.
      ok('x-leave', { type: 'acted', step: 'report-back', action: 'complete' }),
      // A step nobody holds: no missing value to name.
      ok('x-nobody', { type: 'unassigned', step: 'a', group: 'counselor', reason: 'no-holder' }),
    ];
    for (const line of lines) expect(validate(line), `${JSON.stringify(line)} ${JSON.stringify(validate.errors)}`).toBe(true);
    for (const line of lines) expect(typeof checkEvent(line), JSON.stringify(line)).toBe('number');
    const file = path.join(tmp.dir, 'every-type.jsonl');
    await writeLines(file, lines);
    const data = await reportOf(file);
    expect(data.input.problems).toBe(0);
    expect(data.input.events).toBe(EVENT_TYPES.length + 2);
  });
});

describe('files', () => {
  it('reads a folder of plain and gzipped logs in name order, with BOM and CRLF line ends', async () => {
    const folder = path.join(tmp.dir, 'logs');
    await mkdir(path.join(folder, '2026-10'), { recursive: true });
    await writeFile(path.join(folder, '2026-09.jsonl'), `\ufeff${JSON.stringify(ok('B1', { at: '2026-09-30T10:00:00+08:00' }))}\r\n${JSON.stringify(ok('B2', { at: '2026-09-30T11:00:00+08:00' }))}\r\n`);
    await writeFile(path.join(folder, '2026-10', 'part-1.jsonl.gz'), gzipSync(`${JSON.stringify(ok('B3'))}\nnot json\n${JSON.stringify(ok('B4'))}`));
    await writeFile(path.join(folder, 'notes.txt'), 'not a log');
    const data = await reportOf(folder);
    expect(data.input.files.map((f) => [f.file, f.lines, f.events, f.problems])).toEqual([
      ['logs/2026-09.jsonl', 2, 2, 0],
      ['logs/2026-10/part-1.jsonl.gz', 3, 2, 1],
    ]);
    expect(data.problems.listed).toEqual([{ file: 'logs/2026-10/part-1.jsonl.gz', line: 2, problem: { kind: 'not-json', detail: expect.any(String) } }]);
    expect(data.total.applications).toBe(4);
  });

  it('reports a truncated gzip at the line it broke off and keeps what came before', async () => {
    const file = path.join(tmp.dir, 'cut.jsonl.gz');
    const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify(ok(`C${i}`))).join('\n');
    const full = gzipSync(lines);
    await writeFile(file, full.subarray(0, Math.floor(full.length * 0.6)));
    const data = await reportOf(file);
    const cut = data.problems.listed.find((p) => p.problem.kind === 'unreadable')!;
    expect(cut.file).toBe('cut.jsonl.gz');
    expect(data.total.applications).toBeGreaterThan(0);
    expect(data.total.applications).toBeLessThan(2000);
    expect(cut.line).toBe(data.input.lines + 1);
  });

  it('skips a line longer than 1 MiB without holding it, and reads on', async () => {
    const file = path.join(tmp.dir, 'long.jsonl');
    await pipeline(
      Readable.from(
        (function* () {
          yield `${JSON.stringify(ok('D1'))}\n`;
          const chunk = 'x'.repeat(64 * 1024);
          for (let i = 0; i < (3 * MAX_LINE_BYTES) / chunk.length; i++) yield chunk;
          yield `\n${JSON.stringify(ok('D2'))}\n`;
        })(),
      ),
      createWriteStream(file),
    );
    const data = await reportOf(file);
    expect(data.problems.listed).toEqual([{ file: 'long.jsonl', line: 2, problem: { kind: 'too-long' } }]);
    expect(data.total.applications).toBe(2);
  });

  it('handles a gzip written as a stream, and an empty file', async () => {
    const file = path.join(tmp.dir, 'stream.jsonl.gz');
    await pipeline(Readable.from([`${JSON.stringify(ok('E1'))}\n`]), createGzip(), createWriteStream(file));
    expect((await reportOf(file)).total.applications).toBe(1);
    const empty = path.join(tmp.dir, 'empty.jsonl');
    await writeFile(empty, '');
    expect((await reportOf(empty)).input).toMatchObject({ lines: 0, events: 0, problems: 0 });
  });
});

describe('events of services and versions the hall does not know', () => {
  it('are counted under their own id and listed with where they first appear', async () => {
    const file = path.join(tmp.dir, 'unknown.jsonl');
    await writeLines(file, [
      ok('F1'),
      ok('F2', { service: 'retired-long-ago' }),
      { ...ok('F2', { service: 'retired-long-ago' }), type: 'completed', outcome: 'approved' },
      ok('F3', { version: 7 }),
      ok('F4', { service: 'cert', version: 3 }),
    ]);
    const data = await reportOf(file);
    expect(data.unknownServices).toEqual([{ service: 'retired-long-ago', events: 2, first: { file: 'unknown.jsonl', line: 2 } }]);
    expect(data.unknownVersions).toEqual([
      { service: 'cert', version: 3, events: 1, first: { file: 'unknown.jsonl', line: 5 } },
      { service: 'leave', version: 7, events: 1, first: { file: 'unknown.jsonl', line: 4 } },
    ]);
    const ghost = data.services.find((s) => s.id === 'retired-long-ago')!;
    expect(ghost).toMatchObject({ known: false, applications: 1, approved: 1 });
    expect(data.services.find((s) => s.id === 'leave')).toMatchObject({ applications: 2 });
    expect(data.total.applications).toBe(4);
    const json = JSON.parse(JSON.stringify(data));
    expect(json.unknownServices[0].service).toBe('retired-long-ago');
    expect((await readFile(file, 'utf8')).split('\n')).toHaveLength(6);
  });

  it('a log naming thousands of made-up services and departments is pooled, so memory stays bounded', async () => {
    const file = path.join(tmp.dir, 'hostile.jsonl');
    const lines: object[] = [];
    for (let i = 0; i < 12_000; i++) {
      lines.push(ok(`H${i}`, { service: `made-up-${i}` }));
      lines.push({ ...ok(`L${i}`), type: 'assigned', step: 's', group: 'g', department: `dept-${i}` });
    }
    await writeLines(file, lines);
    const data = await reportOf(file);
    expect(data.unknownServices).toHaveLength(501); // 500 apart, the rest as one "…" row
    expect(data.unknownServices.find((u) => u.service === '…')?.events).toBe(11_500);
    expect(data.overdue.length).toBeLessThanOrEqual(10_001);
    expect(data.total.stepsAssigned).toBe(12_000);
  });

  it('without a manifest, versions are not checked', async () => {
    const file = path.join(tmp.dir, 'noversions.jsonl');
    await writeLines(file, [ok('G1', { version: 42 })]);
    const context = testContext();
    for (const [id, s] of context.services) context.services.set(id, { ...s, versions: undefined });
    const data = await buildReport(await listEventFiles(file), context);
    expect(data.unknownVersions).toEqual([]);
    expect(data.notes.versionsChecked).toBe(false);
  });
});
