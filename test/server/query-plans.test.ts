import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { Engine } from '../../server/engine/engine.ts';
import { migrate } from '../../server/store/migrate.ts';
import { openStore } from '../../server/store/store.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';

/**
 * What a person's request costs must not grow with everyone else's cases (issue 13: 100,000 open
 * applications). Every statement the engine runs for one person's request is captured and its plan read
 * from the embedded store (EXPLAIN QUERY PLAN): the outer loop must be driven by the person or the
 * application the request names, never by a scan of every open task. (Found by `npm run bench`: the
 * to-do list walked all open tasks through task_by_due and probed membership for each, 50 ms at 20,000.)
 */
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

const leave = (id: string) => ({ studentName: id, studentNumber: id, phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '急性肠胃炎需要在家休息' });

/** The store, recording the text and parameters of every statement sent outside transactions. */
function recording(store: Store, log: { text: string; params: unknown[] }[]): Store {
  return {
    ...store,
    query: (text, params = []) => {
      log.push({ text, params });
      return store.query(text, params);
    },
    run: (text, params = []) => {
      log.push({ text, params });
      return store.run(text, params);
    },
    transaction: store.transaction.bind(store),
    close: store.close.bind(store),
  };
}

describe('per-request queries on the embedded store', () => {
  it('start from the person or the application, not from every open task', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hall-plans-')), 'hall.db');
    const store = await openStore(`sqlite:${file}`);
    await migrate(store);
    // Forty classes with their counselors, and open applications in each: the to-do list of one
    // counselor is a small part of all open tasks.
    for (let c = 0; c < 40; c++) await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [`t-${c}`, 'counselor', `wxy-${c}`]);
    const seeding = new Engine({ store, runtime });
    let someApplication = '';
    for (let c = 0; c < 40; c++) {
      for (let k = 0; k < 3; k++) {
        const id = `s${c}-${k}`;
        const submitted = await seeding.submit({ service: 'student-leave', applicant: { id, attributes: { name: id, number: id, college: 'wxy', class: `wxy-${c}`, type: '本科生' } }, data: leave(id) });
        if (!submitted.ok) throw new Error(submitted.message.zh);
        someApplication = submitted.application.id;
      }
    }
    const log: { text: string; params: unknown[] }[] = [];
    const engine = new Engine({ store: recording(store, log), runtime });
    const record = (await seeding.application(someApplication))!;
    const asked: Record<string, () => Promise<unknown>> = {
      'to-do list': () => engine.todo('t-7'),
      "an applicant's applications": () => engine.applicationsOf('s7-1'),
      'one application': () => engine.application(someApplication),
      "an application's tasks": () => engine.tasksOf(someApplication),
      "an application's events": () => engine.events(someApplication),
      'whether an approver may see an application': () => engine.maySee('t-7', record),
    };
    const problems: string[] = [];
    try {
      for (const [name, ask] of Object.entries(asked)) {
        log.length = 0;
        await ask();
        expect(log.length, name).toBeGreaterThan(0);
        for (const { text, params } of log) {
          const plan = (await store.query(`EXPLAIN QUERY PLAN ${text}`, params)).map((r) => String(r.detail));
          // The outer loop: the first SCAN or SEARCH of the plan.
          const outer = plan.find((d) => /^(SCAN|SEARCH)/.test(d)) ?? '';
          if (/^SCAN/.test(outer) || /\(status=\?\)$/.test(outer)) problems.push(`${name}: ${outer}  ← ${text}`);
        }
      }
    } finally {
      await store.close();
    }
    expect(problems).toEqual([]);
  });
});
