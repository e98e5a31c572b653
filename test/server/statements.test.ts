import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { APPLICATION_COLUMNS, Engine } from '../../server/engine/engine.ts';
import { migrate } from '../../server/store/migrate.ts';
import { openPostgres } from '../../server/store/postgres.ts';
import { StoreUnavailableError } from '../../server/store/store.ts';
import type { Store, Transaction } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * Issue 13: at 100 concurrent clients the hall's throughput is bounded by the statements each change sends
 * (on PostgreSQL each is a round trip; on SQLite each runs inside the one write queue). A submission sent 11
 * statements in its transaction and an approval 13; they now send 4 and 6. These counts are a guard: a change
 * that adds a statement to the path every request takes must say so here (and in the benchmark), not slip in.
 * Counted through the real stores, on both; no timing.
 */

const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

/** Statements per transaction, and those sent outside any, as the store saw them. */
interface Recorded {
  transactions: string[][];
  outside: string[];
}

function counting(store: Store, recorded: Recorded): Store {
  const inTx = (tx: Transaction, log: string[]): Transaction => ({
    lockRow: tx.lockRow,
    query: (text, params) => (log.push(text), tx.query(text, params)),
    run: (text, params) => (log.push(text), tx.run(text, params)),
    exec: (script) => (log.push(script), tx.exec(script)),
    lock: (name) => (log.push(`lock ${name}`), tx.lock(name)),
    ...(tx.defer ? { defer: (text: string, params?: unknown[]) => (log.push(text), tx.defer!(text, params)) } : {}),
  });
  return {
    kind: store.kind,
    where: store.where,
    query: (text, params) => (recorded.outside.push(text), store.query(text, params)),
    run: (text, params) => (recorded.outside.push(text), store.run(text, params)),
    exec: (script) => (recorded.outside.push(script), store.exec(script)),
    transaction: (work) => {
      const log: string[] = [];
      recorded.transactions.push(log);
      return store.transaction((tx) => work(inTx(tx, log)));
    },
    close: () => store.close(),
  };
}

/** Every applicant here carries 李雨桐's name and number: the leave form prefills both read-only from the directory. */
const student = (id: string, cls: string) => ({ id, attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: cls, type: '本科生' } });
/** 学生请假 for two days: the counselor's approval ends it (the benchmark's case). */
const twoDays = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '急性肠胃炎需要在家休息' };
/** Five days: the counselor's approval opens the college's review. */
const fiveDays = { ...twoDays, period: { start: '2026-03-02', end: '2026-03-06' }, days: 5 };

async function hall(kind: (typeof STORE_KINDS)[number]) {
  const store = await stores.open(await stores.location(kind));
  await migrate(store);
  for (const [person, group, scope] of [
    ['t-counselor', 'counselor', 'wxy-2203'],
    ['t-deputy', 'department-deputy', 'wxy'],
  ]) {
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [person, group, scope]);
  }
  const recorded: Recorded = { transactions: [], outside: [] };
  let t = Date.parse('2026-03-02T01:00:00Z');
  const engine = new Engine({ store: counting(store, recorded), runtime, now: () => new Date((t += 60_000)) });
  /** What `work` sent: exactly one transaction (one state change), and its statements. */
  const oneChange = async (work: () => Promise<{ ok: boolean }>): Promise<string[]> => {
    recorded.transactions.length = 0;
    recorded.outside.length = 0;
    const outcome = await work();
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    expect(recorded.outside).toEqual([]);
    expect(recorded.transactions).toHaveLength(1);
    return recorded.transactions[0];
  };
  return { engine, store, oneChange };
}

describe.each(STORE_KINDS)('statements per change on %s', (kind) => {
  it('a submission sends 4 statements: the application, its task, its events, its messages', async () => {
    const { engine, store, oneChange } = await hall(kind);
    const sent = await oneChange(() => engine.submit({ service: 'student-leave', applicant: student('2022020315', 'wxy-2203'), data: twoDays }));
    expect(sent.length, sent.join('\n')).toBeLessThanOrEqual(4);
    // Nothing was skipped: the rows a submission writes are all there.
    const [app] = await store.query<{ id: string; status: string; revision: number | string; emitted_timeline: number | string }>('SELECT id, status, revision, emitted_timeline FROM application');
    expect(app).toMatchObject({ status: 'pending' });
    expect(Number(app.revision)).toBe(1);
    const events = await store.query<{ type: string }>('SELECT type FROM event WHERE application_id = $1 ORDER BY id', [app.id]);
    expect(events.map((e) => e.type)).toEqual(['submitted', 'assigned']);
    expect(Number(app.emitted_timeline)).toBe(events.length);
    expect((await store.query('SELECT id FROM outbox WHERE application_id = $1', [app.id])).length).toBeGreaterThan(0);
    expect((await store.query("SELECT id FROM task WHERE application_id = $1 AND status = 'open'", [app.id])).length).toBe(1);
  });

  it('an approval sends 6 statements, whether it ends the application or opens the next step', async () => {
    const { engine, store, oneChange } = await hall(kind);
    for (const data of [twoDays, fiveDays]) {
      const submitted = await engine.submit({ service: 'student-leave', applicant: student('2022020315', 'wxy-2203'), data });
      if (!submitted.ok) throw new Error(submitted.message.zh);
      const task = (await engine.todo('t-counselor')).find((t) => t.application === submitted.application.id)!;
      const sent = await oneChange(() => engine.act({ task: task.id, person: 't-counselor', action: 'approve', comment: '同意' }));
      // The next step's task, when there is one, is one more INSERT; so is the copy (抄送) 学生请假's counselor step sends to 宿管.
      const copies = sent.filter((q) => q.startsWith('INSERT INTO copy')).length;
      expect(copies).toBe(1);
      expect(sent.length, sent.join('\n')).toBeLessThanOrEqual((data === twoDays ? 6 : 7) + copies);
      const [app] = await store.query<{ status: string; revision: number | string }>('SELECT status, revision FROM application WHERE id = $1', [submitted.application.id]);
      expect(app.status).toBe(data === twoDays ? 'approved' : 'pending');
      expect(Number(app.revision)).toBe(2);
    }
    const [college] = await engine.todo('t-deputy');
    expect(college).toMatchObject({ step: 'college-review' });
  });

  it('a resubmission reads its application once', async () => {
    const { engine, oneChange } = await hall(kind);
    const submitted = await engine.submit({ service: 'student-leave', applicant: student('2022020315', 'wxy-2203'), data: twoDays });
    if (!submitted.ok) throw new Error(submitted.message.zh);
    const [task] = await engine.todo('t-counselor');
    await engine.act({ task: task.id, person: 't-counselor', action: 'return', comment: '请补充' });
    const sent = await oneChange(() => engine.resubmit({ application: submitted.application.id, applicant: '2022020315', changes: { reason: '急性肠胃炎需要在家休息两天' } }));
    expect(sent.filter((s) => /FROM application\b/.test(s)), sent.join('\n')).toHaveLength(1);
  });
});

describe('the statements of each change on the embedded store', () => {
  it('start from the application or the task they change, never from every open task in the hall', async () => {
    const store = await stores.open(await stores.location('sqlite'));
    await migrate(store);
    const sent: { text: string; params: unknown[] }[] = [];
    const recording: Store = {
      ...store,
      transaction: (work) =>
        store.transaction((tx) =>
          work({
            ...tx,
            query: (text, params = []) => (sent.push({ text, params }), tx.query(text, params)),
            run: (text, params = []) => (sent.push({ text, params }), tx.run(text, params)),
          }),
        ),
      close: () => store.close(),
    };
    // Forty classes with open applications: one application's tasks are a small part of all open tasks.
    for (let c = 0; c < 40; c++) await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [`t-${c}`, 'counselor', `wxy-${c}`]);
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-deputy', 'department-deputy', 'wxy']);
    const engine = new Engine({ store: recording, runtime });
    const ids: string[] = [];
    for (let c = 0; c < 40; c++) {
      for (let k = 0; k < 3; k++) {
        const submitted = await engine.submit({ service: 'student-leave', applicant: student(`s${c}-${k}`, `wxy-${c}`), data: fiveDays });
        if (!submitted.ok) throw new Error(submitted.message.zh);
        ids.push(submitted.application.id);
      }
    }
    const [first, second, third] = await engine.todo('t-7');
    const outcomes = [
      await engine.act({ task: first.id, person: 't-7', action: 'approve' }),
      await engine.act({ task: second.id, person: 't-7', action: 'return', comment: '请补充' }),
      await engine.resubmit({ application: second.application, applicant: (await engine.application(second.application))!.applicantId, changes: { reason: '急性肠胃炎需要在家休息五天' } }),
      await engine.act({ task: third.id, person: 't-7', action: 'reject', comment: '不同意' }),
      await engine.withdraw({ application: ids[50], applicant: 's16-2' }),
    ];
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true]);
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const { text, params } of sent) {
      if (!/^(SELECT|UPDATE|DELETE)/.test(text) || seen.has(text)) continue;
      seen.add(text);
      const plan = (await store.query(`EXPLAIN QUERY PLAN ${text}`, params)).map((r) => String(r.detail));
      const outer = plan.find((d) => /^(SCAN|SEARCH)/.test(d)) ?? '';
      if (/^SCAN/.test(outer) || /\(status=\?\)$/.test(outer)) problems.push(`${outer}  ← ${text}`);
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(problems).toEqual([]);
  });
});

/**
 * Issue 13, round trips: on PostgreSQL what costs is each time a change waits for the database's answer. The
 * store pipelines a transaction (server/store/pg-pipeline.ts): BEGIN goes with the first statement, writes whose
 * answer is not needed travel with the next wait or with COMMIT, and an approval's read of the application's tasks
 * travels with its lock. On the original main a submission waited 6 times (BEGIN, 4 statements, COMMIT) and an
 * approval 9; counted here from what the store wrote in each socket write (each one a wait for answers).
 */
describe('round trips per change on PostgreSQL', () => {
  async function pgHall() {
    const location = await stores.location('postgres');
    const trips: string[][] = [];
    const store = openPostgres(location, { observe: (sent) => trips.push([...sent]) });
    await migrate(store);
    for (const [person, group, scope] of [
      ['t-counselor', 'counselor', 'wxy-2203'],
      ['t-deputy', 'department-deputy', 'wxy'],
    ]) {
      await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [person, group, scope]);
    }
    let t = Date.parse('2026-03-02T01:00:00Z');
    const engine = new Engine({ store, runtime, now: () => new Date((t += 60_000)) });
    /** The waits `work` made, each with the statements written before it (first words only). */
    const waits = async (work: () => Promise<{ ok: boolean }>, texts: string[] = []): Promise<string[][]> => {
      trips.length = 0;
      const outcome = await work();
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
      texts.push(...trips.flat());
      return trips.map((trip) => trip.map((text) => text.split(/\s+/).slice(0, 3).join(' ').replace(/,$/, '')));
    };
    return { engine, store, waits };
  }

  it('a submission waits once, for one statement: the application, its task, its events and messages (and, if the task has no holder, its incident), its own transaction', async () => {
    const { engine, store, waits } = await pgHall();
    try {
      const texts: string[] = [];
      const sent = await waits(() => engine.submit({ service: 'student-leave', applicant: student('2022020315', 'wxy-2203'), data: twoDays }), texts);
      // One statement, sent alone: its own transaction, without BEGIN and COMMIT (server/store/pg-pipeline.ts).
      expect(sent).toEqual([['WITH w0 AS']]);
      // The application, its task, events and messages, and the rows written only when the task has no holder: data-
      // modifying CTEs (server/engine/writes.ts) whose answer (is the application an incident?) is the statement's.
      expect(texts).toHaveLength(1);
      expect(texts[0]).toMatch(/^WITH w0 AS \(INSERT INTO application \(.*CASE WHEN NOT EXISTS \(SELECT 1 FROM membership .*\), w1 AS \(INSERT INTO task \(.*\), w2 AS \(INSERT INTO event \(.*\), w3 AS \(INSERT INTO outbox \(.*\), w4 AS \(INSERT INTO incident .*\), w5 AS \(INSERT INTO event .*\) SELECT NOT EXISTS \(SELECT 1 FROM membership .* AS unheld$/);
      const [app] = await store.query<{ id: string; status: string }>('SELECT id, status FROM application');
      expect(app.status).toBe('pending');
      expect((await store.query<{ type: string }>('SELECT type FROM event WHERE application_id = $1 ORDER BY id', [app.id])).map((e) => e.type)).toEqual(['submitted', 'assigned']);
      expect((await store.query('SELECT id FROM outbox WHERE application_id = $1', [app.id])).length).toBeGreaterThan(0);
      expect(await store.query('SELECT id FROM incident')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a submission whose task has no holder still waits once, and the database writes its incident and unassigned event and answers incident', async () => {
    const { engine, store, waits } = await pgHall();
    try {
      let answered: string | undefined;
      const sent = await waits(async () => {
        const outcome = await engine.submit({ service: 'student-leave', applicant: student('2022020399', 'wxy-2299'), data: twoDays });
        if (outcome.ok) answered = outcome.application.status;
        return outcome;
      });
      expect(sent).toHaveLength(1);
      // What the applicant is told is what was written.
      expect(answered).toBe('incident');
      const [app] = await store.query<{ id: string; status: string }>('SELECT id, status FROM application');
      expect(app.status).toBe('incident');
      expect((await engine.application(app.id))!.status).toBe('incident');
      expect((await store.query<{ type: string }>('SELECT type FROM event WHERE application_id = $1 ORDER BY id', [app.id])).map((e) => e.type)).toEqual(['submitted', 'assigned', 'unassigned']);
      const [task] = await store.query<{ id: string }>('SELECT id FROM task WHERE application_id = $1', [app.id]);
      expect(await store.query('SELECT task_id, group_id, scope, reason FROM incident WHERE application_id = $1', [app.id])).toEqual([{ task_id: task.id, group_id: 'counselor', scope: 'wxy-2299', reason: 'no-holder' }]);
    } finally {
      await store.close();
    }
  });

  it('an approval waits twice, also when it opens the next step (whose holder the database checks with the writes): the locked task with the application’s tasks, then every write with COMMIT', async () => {
    const { engine, store, waits } = await pgHall();
    try {
      for (const data of [twoDays, fiveDays]) {
        const submitted = await engine.submit({ service: 'student-leave', applicant: student('2022020315', 'wxy-2203'), data });
        if (!submitted.ok) throw new Error(submitted.message.zh);
        const task = (await engine.todo('t-counselor')).find((t) => t.application === submitted.application.id)!;
        const sent = await waits(() => engine.act({ task: task.id, person: 't-counselor', action: 'approve', comment: '同意' }));
        expect(sent[0]).toEqual(['BEGIN', 'SELECT a.id, a.service', 'SELECT id, step']);
        expect(sent[1][0]).toBe('UPDATE task SET');
        expect(sent.at(-1)!.at(-1)).toBe('COMMIT');
        expect(sent.flat()).toContain('INSERT INTO copy');
        expect(sent, JSON.stringify(sent)).toHaveLength(2);
        const [app] = await store.query<{ status: string; revision: number }>('SELECT status, revision FROM application WHERE id = $1', [submitted.application.id]);
        expect(app).toEqual({ status: data === twoDays ? 'approved' : 'pending', revision: 2 });
      }
      const [college] = await engine.todo('t-deputy');
      expect(college).toMatchObject({ step: 'college-review' });
    } finally {
      await store.close();
    }
  });

  it('an approval’s first statement names its columns, so it is prepared once per connection; they are every column an application record reads', async () => {
    const location = await stores.location('postgres');
    const store = openPostgres(location, { max: 1 });
    try {
      await migrate(store);
      await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-counselor', 'counselor', 'wxy-2203']);
      const engine = new Engine({ store, runtime, now: () => new Date('2026-03-02T01:00:00Z') });
      const submitted = await engine.submit({ service: 'student-leave', applicant: student('2022020315', 'wxy-2203'), data: twoDays });
      if (!submitted.ok) throw new Error(submitted.message.zh);
      const [task] = await engine.todo('t-counselor');
      expect((await engine.act({ task: task.id, person: 't-counselor', action: 'approve' })).ok).toBe(true);
      // One connection: the pool's only client holds the approval's statement prepared.
      const prepared = (await store.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).map((p) => p.statement);
      expect(prepared.some((text) => text.startsWith('SELECT a.id, a.service') && text.includes('FROM task t JOIN application a'))).toBe(true);
      // Every column of the table is read, but for the booking's slot and date (the booking's JSON holds both): a column a
      // later migration adds fails here until act() reads it or it is added to this list.
      const columns = (await store.query<{ name: string }>("SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'application' ORDER BY column_name")).map((c) => c.name);
      expect(columns.filter((c) => !(APPLICATION_COLUMNS as readonly string[]).includes(c))).toEqual(['booking_date', 'booking_slot']);
      expect(APPLICATION_COLUMNS.filter((c) => !columns.includes(c))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a withdrawal waits twice: the locked application, then its writes with COMMIT', async () => {
    const { engine, store, waits } = await pgHall();
    try {
      const submitted = await engine.submit({ service: 'student-leave', applicant: student('2022020315', 'wxy-2203'), data: twoDays });
      if (!submitted.ok) throw new Error(submitted.message.zh);
      const sent = await waits(() => engine.withdraw({ application: submitted.application.id, applicant: '2022020315' }));
      expect(sent).toHaveLength(2);
      expect(sent[1].at(-1)).toBe('COMMIT');
      expect((await engine.application(submitted.application.id))!.status).toBe('withdrawn');
      expect((await engine.tasksOf(submitted.application.id)).map((t) => t.status)).toEqual(['cancelled']);
    } finally {
      await store.close();
    }
  });

  it('a deferred write that fails rolls its transaction back and is the error thrown, at the next wait or at COMMIT', async () => {
    const location = await stores.location('postgres');
    const store = openPostgres(location, { max: 1 });
    try {
      await store.exec('CREATE TABLE pipelined (id TEXT PRIMARY KEY)');
      // Failing at COMMIT: the write before it is not kept, and the commit is not reported as done.
      await expect(
        store.transaction(async (tx) => {
          tx.defer!('INSERT INTO pipelined (id) VALUES ($1)', ['kept?']);
          tx.defer!('INSERT INTO pipelined (id) VALUES ($1)', ['twice']);
          tx.defer!('INSERT INTO pipelined (id) VALUES ($1)', ['twice']);
        }),
      ).rejects.toThrow(/duplicate key/);
      // Failing before a read: the read reports the write's error, not "current transaction is aborted".
      await expect(
        store.transaction(async (tx) => {
          tx.defer!('INSERT INTO pipelined (id) VALUES ($1)', ['again']);
          tx.defer!('INSERT INTO pipelined (id) VALUES ($1)', ['again']);
          return tx.query('SELECT id FROM pipelined');
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await store.query('SELECT id FROM pipelined')).toEqual([]);
      // The connection is clean afterwards, and a transaction whose deferred writes succeed keeps them.
      await store.transaction(async (tx) => {
        tx.defer!('INSERT INTO pipelined (id) VALUES ($1)', ['one']);
        tx.defer!('INSERT INTO pipelined (id) VALUES ($1)', ['two']);
      });
      expect((await store.query<{ id: string }>('SELECT id FROM pipelined ORDER BY id')).map((r) => r.id)).toEqual(['one', 'two']);
      // A transaction of one statement is sent alone (its own transaction): its failure is the error thrown, nothing is
      // kept, and the connection is clean; its rows are the transaction's answer.
      await expect(store.transaction(async (tx) => void tx.defer!('INSERT INTO pipelined (id) VALUES ($1)', ['one']))).rejects.toThrow(/duplicate key/);
      const answer = await store.transaction(async (tx) => ({ rows: tx.defer!<{ id: string }>('INSERT INTO pipelined (id) VALUES ($1) RETURNING id', ['three']) }));
      expect(await answer.rows).toEqual([{ id: 'three' }]);
      // Thrown before COMMIT: the statement held back is never sent.
      await expect(
        store.transaction(async (tx) => {
          tx.defer!('INSERT INTO pipelined (id) VALUES ($1)', ['never']);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect((await store.query<{ id: string }>('SELECT id FROM pipelined ORDER BY id')).map((r) => r.id)).toEqual(['one', 'three', 'two']);
    } finally {
      await store.close();
    }
  });
});

describe('the PostgreSQL store under load', () => {
  it('keeps the hall’s statements prepared on each connection, so PostgreSQL does not parse and plan them per request', async () => {
    const location = await stores.location('postgres');
    const store = openPostgres(location, { max: 1 });
    try {
      await migrate(store);
      const text = 'SELECT COUNT(*) AS n FROM task WHERE application_id = $1';
      for (let i = 0; i < 3; i++) await store.query(text, [`a${i}`]);
      await store.transaction(async (tx) => void (await tx.query(text, ['b'])));
      // One connection: the pool's only client holds the prepared statement.
      const prepared = await store.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
      expect(prepared.map((p) => p.statement)).toContain(text);
    } finally {
      await store.close();
    }
  });

  it('answers "unavailable" (503), not an internal error, when every pooled connection stays busy past the wait', async () => {
    const location = await stores.location('postgres');
    const store = openPostgres(location, { max: 1, connectionTimeoutMillis: 300 });
    let release!: () => void;
    const held = store.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      await expect(store.query('SELECT 1 AS one')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.transaction(async (tx) => tx.query('SELECT 1 AS one'))).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      release();
      await held;
      await store.close();
    }
  });
});
