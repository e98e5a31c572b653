import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import { Engine } from '../../server/engine/engine.ts';
import { exportEvents, rotateEventLog } from '../../server/eventlog/export.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

const stores = storeFactory();
const leave = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' };
const applicant = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } };

describe.each(STORE_KINDS)('the event log on %s', (kind) => {
  it('copies each committed event to the day file once, with its id, and gzips past days', async () => {
    const runtime = await loadRuntime(`${ROOT}/generated`);
    const location = await stores.location(kind);
    const store = await stores.open(location);
    await migrate(store);
    const engine = new Engine({ store, runtime, now: () => new Date('2026-03-02T01:00:00Z') });
    // The counselor is in the directory: without a holder each application would also log an `unassigned` incident.
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-wang', 'counselor', 'wxy-2203']);
    for (let i = 0; i < 3; i++) expect((await engine.submit({ service: 'student-leave', applicant, data: leave })).ok).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-events-'));
    const timezone = runtime.calendar.timezone;
    // Two processes export at once: the lock lets one write each event.
    const other = kind === 'postgres' ? await stores.open(location) : store;
    const counts = await Promise.all([exportEvents(store, dir, { timezone, now: new Date('2026-03-02T02:00:00Z') }), exportEvents(other, dir, { timezone, now: new Date('2026-03-02T02:00:00Z') })]);
    expect(counts[0] + counts[1]).toBe(6);
    expect(await exportEvents(store, dir, { timezone, now: new Date('2026-03-02T02:00:00Z') })).toBe(0);
    const lines = readFileSync(path.join(dir, 'events-2026-03-02.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    expect(new Set(lines.map((l) => l.id)).size).toBe(6);
    expect(lines.map((l) => l.type)).toEqual(['submitted', 'assigned', 'submitted', 'assigned', 'submitted', 'assigned']);
    expect(lines[0]).toMatchObject({ service: 'student-leave', version: runtime.current('student-leave').version, applicant: { college: 'wxy', type: '本科生' } });

    expect(await rotateEventLog(dir, { timezone, now: new Date('2026-03-02T15:00:00Z') })).toEqual([]);
    expect(await rotateEventLog(dir, { timezone, now: new Date('2026-03-02T16:00:00Z') })).toEqual(['events-2026-03-02.jsonl.gz']);
    expect(readdirSync(dir)).toEqual(['events-2026-03-02.jsonl.gz']);
    expect(gunzipSync(readFileSync(path.join(dir, 'events-2026-03-02.jsonl.gz'))).toString().trim().split('\n')).toHaveLength(6);
  });

  it('marks a batch exported in one statement: batches of any size, each event written once and marked, none left behind', async () => {
    const runtime = await loadRuntime(`${ROOT}/generated`);
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    const engine = new Engine({ store, runtime, now: () => new Date('2026-03-02T01:00:00Z') });
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-wang', 'counselor', 'wxy-2203']);
    for (let i = 0; i < 5; i++) expect((await engine.submit({ service: 'student-leave', applicant, data: leave })).ok).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-events-'));
    const options = { timezone: runtime.calendar.timezone, now: new Date('2026-03-02T02:00:00Z') };
    // 10 events in batches of 4, 4 and 2.
    expect(await exportEvents(store, dir, { ...options, batch: 4 })).toBe(10);
    const lines = readFileSync(path.join(dir, 'events-2026-03-02.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    const rows = await store.query<{ id: string; exported_at: string | null }>('SELECT id, exported_at FROM event ORDER BY id');
    expect(lines.map((l) => l.id)).toEqual(rows.map((r) => r.id));
    expect(rows.every((r) => r.exported_at === '2026-03-02T02:00:00.000Z')).toBe(true);
    // Only the new events go out next time: the marks are exact, neither more nor fewer rows than written.
    expect((await engine.submit({ service: 'student-leave', applicant, data: leave })).ok).toBe(true);
    expect(await exportEvents(store, dir, { ...options, batch: 4 })).toBe(2);
    expect(readFileSync(path.join(dir, 'events-2026-03-02.jsonl'), 'utf8').trim().split('\n')).toHaveLength(12);
    expect(await exportEvents(store, dir, options)).toBe(0);
  });
});
