import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime, RuntimeDefinition } from '../../lib/runtime/index.ts';
import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { Engine } from '../../server/engine/engine.ts';
import { SystemCaller } from '../../server/engine/system-calls.ts';
import { migrate } from '../../server/store/migrate.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import { steppingClock } from './flow-hall.ts';

/**
 * System steps in `hall serve`'s engine (issue 15.3), on both stores, against a loopback receiver started
 * here: the call is made after the commit by the caller, with the payload the step maps, an
 * Idempotency-Key that stays the same across the attempts, a timeout, retries, and an incident when the
 * retries are used up, which the IT office retries.
 */
const stores = storeFactory();

type Behaviour = 'ok' | 'fail' | 'hang';
interface Received { headers: IncomingHttpHeaders; url: string; body: Record<string, unknown> }
let receiver: Server;
let base = '';
const script: Behaviour[] = [];
const received: Received[] = [];

let runtime: LoadedRuntime;
const doorSync: RuntimeStep = {
  kind: 'step',
  id: 'door-sync',
  name: { zh: '同步门禁', en: 'Sync door access' },
  group: 'system',
  scope: 'university',
  department: 'bwc',
  deadline: 0,
  actions: ['approve'],
  system: { connector: 'door-access', path: '/leave-sync', payload: { number: 'applicant.number', until: 'get value(period, "end")', days: 'days' }, retries: 2, timeoutSeconds: 1 },
};

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, url: request.url ?? '', body: JSON.parse(text) });
      const behaviour = script.shift() ?? 'ok';
      if (behaviour === 'hang') return; // never answers: the caller's timeout ends the attempt
      response.writeHead(behaviour === 'ok' ? 200 : 503, { connection: 'close' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api`;
  const loaded = await loadRuntime(`${ROOT}/generated`);
  const leave = loaded.current('student-leave');
  // The call is the last step here: the catalog's 销假 (the applicant's own step, issue 15.1) is left out so the case ends with it.
  const withSync: RuntimeDefinition = { ...leave, version: 999, workflow: { ...leave.workflow!, steps: [...leave.workflow!.steps.filter((n) => n.kind !== 'applicant'), doorSync] } };
  runtime = { ...loaded, current: (id) => (id === 'student-leave' ? withSync : loaded.current(id)), version: (id, v) => (id === 'student-leave' ? withSync : loaded.version(id, v)) };
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const applicant = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } };
const data = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '急性肠胃炎住院治疗' };


async function hall(kind: (typeof STORE_KINDS)[number], configured = true): Promise<{ engine: Engine; store: Store; caller: SystemCaller; id: string }> {
  const store = await stores.open(await stores.location(kind));
  await migrate(store);
  await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-counselor', 'counselor', 'wxy-2203']);
  const engine = new Engine({ store, runtime, now: steppingClock() });
  // Every call is due at once (no backoff) and the caller's clock is after the engine's.
  const caller = new SystemCaller(engine, (id) => (configured && id === 'door-access' ? { url: base, authorization: 'Bearer door-token' } : undefined), { now: () => new Date('2026-03-03T01:00:00Z'), backoffSeconds: [0] });
  const submitted = await engine.submit({ service: 'student-leave', applicant, data, channel: 'pc' });
  if (!submitted.ok) throw new Error(JSON.stringify(submitted));
  const id = submitted.application.id;
  const [task] = await engine.todo('t-counselor');
  const acted = await engine.act({ task: task.id, person: 't-counselor', action: 'approve' });
  if (!acted.ok) throw new Error(JSON.stringify(acted));
  return { engine, store, caller, id };
}

describe.each(STORE_KINDS)('system steps on %s', (kind) => {
  it('waits for the call after the commit, sends the mapped payload with the key and the token, and goes on when it succeeds', async () => {
    script.length = 0;
    received.length = 0;
    const { engine, caller, id } = await hall(kind);
    // The decision's transaction made no call: the application waits on the system step, with no task for anyone.
    expect(received).toHaveLength(0);
    expect((await engine.application(id))!.status).toBe('pending');
    expect(await engine.todo('t-counselor')).toEqual([]);
    expect((await caller.callsOf(id)).map((c) => c.status)).toEqual(['pending']);
    expect(await caller.callDue()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(received).toHaveLength(1);
    expect(received[0].url).toBe('/api/leave-sync');
    expect(received[0].headers.authorization).toBe('Bearer door-token');
    expect(received[0].headers['idempotency-key']).toBe((await caller.callsOf(id))[0].id);
    expect(received[0].body).toEqual({ application: id, service: 'student-leave', step: 'door-sync', payload: { number: '2022020315', until: '2026-03-03', days: 2 } });
    const app = (await engine.application(id))!;
    expect(app.status).toBe('approved');
    expect(app.decisions.at(-1)).toMatchObject({ step: 'door-sync', action: 'approve' });
    const events = (await engine.events(id)).map((e) => `${e.type}:${e.step ?? ''}`);
    expect(events).toEqual(expect.arrayContaining(['called:door-sync', 'acted:door-sync']));
    expect(events.at(-1)).toBe('completed:');
    // Done is done: nothing is called again.
    expect(await caller.callDue()).toEqual({ done: 0, retrying: 0, failed: 0 });
    expect(received).toHaveLength(1);
  });

  it('retries a failure and a timeout with the same Idempotency-Key, and succeeds on the third attempt', async () => {
    script.splice(0, script.length, 'fail', 'hang', 'ok');
    received.length = 0;
    const { engine, caller, id } = await hall(kind);
    expect(await caller.callDue()).toEqual({ done: 0, retrying: 1, failed: 0 });
    const [afterFailure] = await caller.callsOf(id);
    expect(afterFailure).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 503' });
    const started = Date.now();
    expect(await caller.callDue()).toEqual({ done: 0, retrying: 1, failed: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await caller.callsOf(id))[0].lastError).toMatch(/超时（1 秒）/);
    expect(await caller.callDue()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect(new Set(received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(received).toHaveLength(3);
    expect((await engine.application(id))!.status).toBe('approved');
  });

  it('exhausted retries raise an incident the IT office sees; its retry calls again and the flow goes on', async () => {
    script.splice(0, script.length, 'fail', 'fail', 'fail');
    received.length = 0;
    const { engine, caller, id } = await hall(kind);
    await caller.callDue();
    await caller.callDue();
    expect(await caller.callDue()).toEqual({ done: 0, retrying: 0, failed: 1 });
    expect(received).toHaveLength(3);
    expect((await engine.application(id))!.status).toBe('incident');
    const [incident] = await engine.incidents();
    expect(incident).toMatchObject({ application: id, step: 'door-sync', reason: 'system-failed', scope: 'door-access' });
    // Nothing more is tried until someone retries.
    expect(await caller.callDue()).toEqual({ done: 0, retrying: 0, failed: 0 });
    const [failed] = await caller.callsOf(id);
    expect(failed.status).toBe('failed');
    expect(await caller.retry('no-such-call')).toBe('not-found');
    expect(await caller.retry(failed.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await caller.retry(failed.id)).toBe('not-failed'); // a second press changes nothing
    expect((await engine.application(id))!.status).toBe('pending');
    expect(await engine.incidents()).toEqual([]);
    expect(await caller.callDue()).toEqual({ done: 1, retrying: 0, failed: 0 });
    expect((await engine.application(id))!.status).toBe('approved');
    expect(received.at(-1)!.headers['idempotency-key']).toBe(failed.id);
  });

  it('a connector the hall has no address for is never guessed: it fails into an incident', async () => {
    received.length = 0;
    const { engine, caller, id } = await hall(kind, false);
    for (let i = 0; i < 3; i++) await caller.callDue();
    expect(received).toHaveLength(0);
    expect((await caller.callsOf(id))[0]).toMatchObject({ status: 'failed', lastError: expect.stringContaining('door-access') });
    expect((await engine.application(id))!.status).toBe('incident');
  });
});
