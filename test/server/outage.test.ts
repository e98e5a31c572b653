import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/store.ts';
import { DIRECTORY, hallProcesses } from './processes.ts';
import { LEAVE, call, signIn } from './routes.ts';
import type { Response } from './routes.ts';
import { storeFactory } from './stores.ts';

const stores = storeFactory();
const { serve } = hallProcesses();

const ZH = /[\u4e00-\u9fff]/;

function expectUnavailable(res: Response, what: string) {
  expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBe(503);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('retry-after')).toBe('5');
  expect(res.body.message.zh, what).toMatch(ZH);
  expect(res.body.message.zh).toContain('数据库');
  expect(res.body.message.en).toMatch(/database/i);
}

describe('PostgreSQL stopped under a running hall serve', () => {
  it('answers 503 with a clear message while it is down, /readyz not ready and /healthz up, and resumes without a restart losing nothing acknowledged', async () => {
    const location = await stores.location('postgres');
    const pg = stores.postgres()!;
    // Submissions run without a limit here: the test submits all along, before, during and after the outage (limits: rate-limit.test.ts).
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'hall-config-')), 'hall-serve.yaml');
    writeFileSync(config, 'rateLimits:\n  submission: { max: 0, seconds: 1 }\n');
    const { url, process: server } = await serve(['--dev', '--directory', DIRECTORY, '--store', location, '--config', config]);
    const student = await signIn(url, '2022020315');
    const counselor = await signIn(url, 't-wang');
    const submit = () => call(url, 'POST', '/api/applications', { ...student, body: { service: 'student-leave', data: LEAVE } });

    // A steady stream of submissions through the whole outage: every 201 is a promise the hall must keep.
    const acknowledged: string[] = [];
    const answers = new Map<number, number>();
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const res = await submit();
        answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
        if (res.status === 201) acknowledged.push(res.body.application.id);
        else expectUnavailable(res, 'a submission during the outage');
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));

    pg.stop();
    await new Promise((r) => setTimeout(r, 1500));
    expectUnavailable(await submit(), 'a submission');
    expectUnavailable(await call(url, 'GET', '/api/tasks', counselor), 'the task list');
    expectUnavailable(await call(url, 'GET', '/api/applications', student), 'my applications');
    expectUnavailable(await call(url, 'POST', '/api/dev/login', { body: { person: 't-chen' } }), 'signing in');
    expectUnavailable(await call(url, 'GET', '/readyz'), '/readyz');
    const health = await call(url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    // Timers and jobs keep trying in the background: the process must survive a while of it.
    await new Promise((r) => setTimeout(r, 3000));
    expect(() => process.kill(server.pid!, 0), 'the hall process is still running').not.toThrow();
    expect((await call(url, 'GET', '/healthz')).status).toBe(200);

    pg.start();
    const back = Date.now();
    let ready = await call(url, 'GET', '/readyz');
    while (ready.status !== 200 && Date.now() - back < 30_000) {
      await new Promise((r) => setTimeout(r, 250));
      ready = await call(url, 'GET', '/readyz');
    }
    expect(ready.status, 'ready again within 30 s of the database returning').toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await load;

    // The same sessions work (they live in the database), and new work is accepted.
    const after = await submit();
    expect(after.status).toBe(201);
    acknowledged.push(after.body.application.id);
    const tasks = (await call(url, 'GET', '/api/tasks', counselor)).body.tasks as { id: string; application: string }[];
    const decided = await call(url, 'POST', `/api/tasks/${tasks[0].id}/decision`, { ...counselor, body: { action: 'approve' } });
    expect(decided.status).toBe(200);
    expect(answers.get(503), 'submissions were refused while the database was down').toBeGreaterThan(0);
    expect(answers.get(201), 'submissions were accepted before and after').toBeGreaterThan(1);
    expect([...answers.keys()].sort()).toEqual([201, 503]);

    // Every acknowledged submission is there exactly once, with its task.
    const mine = (await call(url, 'GET', '/api/applications', student)).body.applications as { id: string }[];
    expect(mine.map((a) => a.id).sort()).toEqual([...acknowledged].sort());
    const store = await openStore(location);
    try {
      const rows = await store.query<{ id: string; n: number | string }>("SELECT a.id, COUNT(t.id) AS n FROM application a LEFT JOIN task t ON t.application_id = a.id AND t.step = 'counselor-review' GROUP BY a.id");
      expect(rows.map((r) => r.id).sort()).toEqual([...acknowledged].sort());
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
