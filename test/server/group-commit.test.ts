import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { beforeAll, describe, expect, it } from 'vitest';
import { feelParseStats, feelResultStats } from '../../lib/interpret/feel-cache.ts';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { Engine } from '../../server/engine/engine.ts';
import { migrate } from '../../server/store/migrate.ts';
import { GroupRolledBackError } from '../../server/store/sqlite-group.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * Group commit on the embedded store (issue 13, server/store/sqlite-group.ts): changes that arrive together
 * share one SQLite transaction and one COMMIT (one fsync), each in its own savepoint with its own result,
 * all answered only after the COMMIT. The results are checked on both stores (PostgreSQL gives each change
 * its own transaction: the same answers); how many COMMITs SQLite wrote is read from its write-ahead log.
 */

const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(path.join(ROOT, 'generated'));
});

const INSERT = 'INSERT INTO person (id, name, attributes, updated_at) VALUES ($1, $2, $3, $4)';
const fileOf = (location: string) => location.replace(/^sqlite:/, '');

/**
 * The COMMITs in a SQLite write-ahead log: frames whose header carries the database size (only a commit's
 * last frame does) and the log's current salts (frames left over from before a restart of the log do not).
 */
function walCommits(dbFile: string): number {
  const wal = `${dbFile}-wal`;
  if (!existsSync(wal)) return 0;
  const bytes = readFileSync(wal);
  if (bytes.length < 32) return 0;
  const pageSize = bytes.readUInt32BE(8);
  const [salt1, salt2] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= bytes.length; at += 24 + pageSize) {
    if (bytes.readUInt32BE(at + 8) !== salt1 || bytes.readUInt32BE(at + 12) !== salt2) break;
    if (bytes.readUInt32BE(at + 4) !== 0) commits++;
  }
  return commits;
}

/** What a crash at this instant would leave: the database and its log copied aside, opened on their own. */
function onDisk(dbFile: string, sql: string): unknown[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'hall-crash-copy-'));
  const copy = path.join(dir, 'hall.db');
  copyFileSync(dbFile, copy);
  if (existsSync(`${dbFile}-wal`)) copyFileSync(`${dbFile}-wal`, `${copy}-wal`);
  const db = new DatabaseSync(copy);
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

/** Twelve changes sent at once: two fail inside their transaction (a duplicate key after a write, a thrown error after a write). */
function twelveChanges(store: Store) {
  return Array.from({ length: 12 }, (_, i) =>
    store.transaction(async (tx) => {
      await tx.run(INSERT, [`p${i}`, `人${i}`, '{}', 'now']);
      if (i === 4) await tx.run(INSERT, ['p0', '重复', '{}', 'now']);
      if (i === 7) throw new Error(`refused ${i}`);
      const [{ n }] = await tx.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM person');
      return Number(n);
    }),
  );
}

describe.each(STORE_KINDS)('changes sent together on %s', (kind) => {
  it('each get their own result: a change that fails inside its transaction rolls back only itself', async () => {
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    const results = await Promise.allSettled(twelveChanges(store));
    expect(results.map((r) => r.status)).toEqual(results.map((_, i) => (i === 4 || i === 7 ? 'rejected' : 'fulfilled')));
    expect(String((results[4] as PromiseRejectedResult).reason)).toMatch(/unique|duplicate/i);
    expect((results[7] as PromiseRejectedResult).reason).toEqual(new Error('refused 7'));
    const stored = (await store.query<{ id: string }>('SELECT id FROM person ORDER BY id')).map((r) => r.id);
    expect(stored.sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p5', 'p6', 'p8', 'p9', 'p10', 'p11'].sort());
  });

  it('lets exactly one of two approvers deciding the same task at once win; the other gets a conflict', async () => {
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-a', 'counselor', 'wxy-2203']);
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-b', 'counselor', 'wxy-2203']);
    const engine = new Engine({ store, runtime, now: () => new Date('2026-03-02T01:00:00Z') });
    const data = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '急性肠胃炎需要在家休息' };
    const applicant = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', type: '本科生', college: 'wxy', class: 'wxy-2203' } };
    const submitted = await Promise.all(Array.from({ length: 6 }, () => engine.submit({ service: 'student-leave', applicant, data })));
    expect(submitted.every((s) => s.ok)).toBe(true);
    const tasks = await engine.todo('t-a');
    expect(tasks).toHaveLength(6);
    const decisions = await Promise.all(tasks.flatMap((t) => ['t-a', 't-b'].map((person) => engine.act({ task: t.id, person, action: 'approve' }))));
    for (let i = 0; i < tasks.length; i++) {
      const pair = decisions.slice(2 * i, 2 * i + 2);
      expect(pair.filter((d) => d.ok)).toHaveLength(1);
      expect(pair.filter((d) => !d.ok).map((d) => (d.ok ? '' : d.kind))).toEqual(['conflict']);
    }
    const approved = await store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM application WHERE status = 'approved'");
    expect(Number(approved[0].n)).toBe(6);
  });
});

describe('group commit on the embedded store', () => {
  it('commits changes that arrive together with one COMMIT, not one each', async () => {
    const location = await stores.location('sqlite');
    const store = await stores.open(location);
    await migrate(store);
    const before = walCommits(fileOf(location));
    const results = await Promise.allSettled(twelveChanges(store));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    // One group (one COMMIT) for the twelve; committing each on its own wrote ten (the two refused wrote none).
    expect(walCommits(fileOf(location)) - before).toBe(1);
    // The members ran one after another in arrival order, each seeing those before it that were kept.
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'x'))).toEqual([1, 2, 3, 4, 'x', 5, 6, 'x', 7, 8, 9, 10]);
  });

  it('answers each change only once its group is on disk', async () => {
    const location = await stores.location('sqlite');
    const store = await stores.open(location);
    await migrate(store);
    const seen: { id: string; stored: boolean }[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.transaction((tx) => tx.run(INSERT, [`d${i}`, '人', '{}', 'now'])).then(() => {
          // At the moment of its answer, a copy of the files (what a kill -9 now would leave) holds the change.
          seen.push({ id: `d${i}`, stored: onDisk(fileOf(location), `SELECT id FROM person WHERE id = 'd${i}'`).length === 1 });
        }),
      ),
    );
    expect(seen).toHaveLength(8);
    expect(seen.filter((s) => !s.stored)).toEqual([]);
  });

  it('never answers a read with a change that is not committed yet: a read sent while a group is open waits for its COMMIT', async () => {
    const store = await stores.open(await stores.location('sqlite'));
    await migrate(store);
    const order: string[] = [];
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    const change = store.transaction(async (tx) => {
      await tx.run(INSERT, ['r1', '人', '{}', 'now']);
      wrote();
      // The change is still open (waiting on something else) when the read arrives.
      await new Promise((r) => setTimeout(r, 30));
      return 'changed';
    });
    await written;
    const read = store.query<{ id: string }>('SELECT id FROM person').then((rows) => (order.push('read'), rows));
    await change.then(() => order.push('change'));
    expect(await read).toEqual([{ id: 'r1' }]);
    expect(order).toEqual(['change', 'read']);
  });

  it('refuses every member of a group SQLite abandons (a full disk), stores none of them, and goes on with the next group', async () => {
    const location = await stores.location('sqlite');
    const store = await stores.open(location);
    await migrate(store);
    const [{ page_count: pages }] = await store.query<{ page_count: number }>('PRAGMA page_count');
    // The database may not grow: the big row cannot be written, and SQLite rolls the whole transaction back.
    await store.exec(`PRAGMA max_page_count = ${pages}`);
    const results = await Promise.allSettled([
      store.transaction((tx) => tx.run(INSERT, ['f1', '人', '{}', 'now'])),
      store.transaction((tx) => tx.run(INSERT, ['f2', '人', 'x'.repeat(200_000), 'now'])),
      store.transaction((tx) => tx.run(INSERT, ['f3', '人', '{}', 'now'])),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(GroupRolledBackError);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/未保存.*请重试/);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/full/i);
    // f3 came after the abandoned transaction: it ran (and was committed) in a group of its own.
    expect((await store.query<{ id: string }>('SELECT id FROM person ORDER BY id')).map((r) => r.id)).toEqual(['f3']);
    await store.exec('PRAGMA max_page_count = 1073741823');
    await store.transaction((tx) => tx.run(INSERT, ['f4', '人', '{}', 'now']));
    expect((await store.query<{ id: string }>('SELECT id FROM person ORDER BY id')).map((r) => r.id)).toEqual(['f3', 'f4']);
  });

  it('refuses a statement sent through a transaction that has already ended', async () => {
    const store = await stores.open(await stores.location('sqlite'));
    await migrate(store);
    let kept: Parameters<Parameters<Store['transaction']>[0]>[0] | undefined;
    await store.transaction(async (tx) => void (kept = tx));
    await expect(kept!.run(INSERT, ['late', '人', '{}', 'now'])).rejects.toThrow(/已结束|ended/);
    expect(await store.query('SELECT id FROM person')).toEqual([]);
  });
});

describe('an approval on the engine', () => {
  it('replays the application once, without judging the accepted form again, when the decision ends the step', async () => {
    const store = await stores.open(await stores.location('sqlite'));
    await migrate(store);
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-a', 'counselor', 'wxy-2203']);
    const at = new Date('2026-03-02T01:00:00Z');
    const engine = new Engine({ store, runtime, now: () => at });
    const data = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '急性肠胃炎需要在家休息' };
    const submitted = await engine.submit({ service: 'student-leave', applicant: { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', type: '本科生', college: 'wxy', class: 'wxy-2203' } }, data });
    if (!submitted.ok) throw new Error(submitted.message.zh);
    const [task] = await engine.todo('t-a');
    // FEEL evaluations (each parses once, from the cache or not, or is answered from the result memo) of one run of the interpreter over the application with the decision.
    const evaluations = () => feelParseStats.hits + feelParseStats.misses + feelResultStats.hits;
    const app = submitted.application;
    const run = (accepted: boolean) => {
      const start = evaluations();
      const result = runWorkflow(runtime.version('student-leave', app.version), runtime.calendar, { applicant: app.applicant, data: app.data, decisions: [{ step: task.step, action: 'approve', at: at.toISOString() }], submittedAt: app.submittedAt, service: { id: 'student-leave', name: '学生请假' }, live: true, accepted });
      expect(result.outcome).toBe('approved');
      return evaluations() - start;
    };
    const judged = run(false);
    const replayed = run(true);
    // The form's own conditions (the period's validIf, the destination's visibleIf) are what a replay of accepted data skips.
    expect(judged - replayed).toBe(2);
    const start = evaluations();
    const decided = await engine.act({ task: task.id, person: 't-a', action: 'approve' });
    expect(decided.ok && decided.application.status).toBe('approved');
    // The counselor's step allows a hand-over (transfer): the run before the decision was replayed too, though the approval ended the step.
    expect(evaluations() - start).toBe(replayed);
  });
});
