import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { Engine } from '../../server/engine/engine.ts';
import { buildApp } from '../../server/http/app.ts';
import { SESSION_CACHE_SECONDS, SessionCache } from '../../server/http/session-cache.ts';
import { migrate } from '../../server/store/migrate.ts';
import { openPostgres } from '../../server/store/postgres.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { DIRECTORY, exampleDirectory, hallProcesses } from './processes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * Issue 13: every request looked its session up in the store (a round trip on PostgreSQL before each change;
 * twice for a rate-limited one). Sessions are now kept SESSION_CACHE_SECONDS in the process
 * (server/http/session-cache.ts); a session deleted from the store stops working everywhere within that bound.
 */

vi.setConfig({ testTimeout: 240_000 });
const stores = storeFactory();
const { serve } = hallProcesses();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

async function signIn(base: string, person: string) {
  const res = await fetch(`${base}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person }) });
  expect(res.status).toBe(200);
  return { cookie: res.headers.get('set-cookie')!.split(';')[0], csrf: ((await res.json()) as { csrf: string }).csrf };
}

const me = async (base: string, cookie: string) => (await fetch(`${base}/api/me`, { headers: { cookie } })).status;

describe.each(STORE_KINDS)('the session lookup on %s', (kind) => {
  it('reads a session once for many requests, not once per request', async () => {
    const store: Store = await stores.open(await stores.location(kind));
    await migrate(store);
    await importDirectory(store, await exampleDirectory());
    const lookups: string[] = [];
    const counting: Store = {
      ...store,
      query: (text, params) => {
        if (/FROM session\b/.test(text)) lookups.push(String(params?.[0]));
        return store.query(text, params);
      },
      transaction: (work) => store.transaction(work),
      close: () => store.close(),
    };
    const app = await buildApp({ engine: new Engine({ store: counting, runtime }), dev: true, secureCookies: false, publicUrl: 'http://127.0.0.1' });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const a = await signIn(url, '2022020315');
      const b = await signIn(url, 't-wang');
      for (let i = 0; i < 5; i++) {
        expect(await me(url, a.cookie)).toBe(200);
        expect(await me(url, b.cookie)).toBe(200);
      }
      // Five requests each, at the same time too: one lookup per session.
      expect((await Promise.all(Array.from({ length: 10 }, () => me(url, a.cookie)))).every((s) => s === 200)).toBe(true);
      expect(lookups.sort()).toEqual([a.cookie.split('=')[1], b.cookie.split('=')[1]].sort());
      // An unknown session is looked up every time (not kept): nothing to fill the cache with.
      expect(await me(url, 'hall_session=nobody')).toBe(401);
      expect(await me(url, 'hall_session=nobody')).toBe(401);
      expect(lookups.filter((l) => l === 'nobody')).toHaveLength(2);
    } finally {
      await app.close();
    }
  });
});

describe('a session revoked in the shared store, with two hall processes on PostgreSQL', () => {
  it('works in the other process at once, and stops working in both within the bound once deleted', async () => {
    const location = await stores.location('postgres');
    const events = mkdtempSync(path.join(tmpdir(), 'hall-session-'));
    const args = (n: string) => ['--dev', '--directory', DIRECTORY, '--events', path.join(events, n), '--store', location];
    const a = await serve(args('a'));
    const b = await serve(args('b'));
    const session = await signIn(a.url, '2022020315');
    // Signed in through A, used through B at once: an unknown session is never kept as unknown.
    expect(await me(b.url, session.cookie)).toBe(200);
    expect(await me(a.url, session.cookie)).toBe(200);
    // Revoked: its row deleted from the shared store (how an operator ends a session).
    const store = openPostgres(location, { max: 1 });
    try {
      expect(await store.run('DELETE FROM session WHERE id = $1', [session.cookie.split('=')[1]])).toBe(1);
    } finally {
      await store.close();
    }
    const revoked = Date.now();
    // Both processes refuse it within the bound (polled: the bound is the cache's, the slack is the machine's).
    for (const hall of [a, b]) {
      let status = await me(hall.url, session.cookie);
      while (status === 200 && Date.now() - revoked < (SESSION_CACHE_SECONDS + 30) * 1000) {
        await new Promise((r) => setTimeout(r, 200));
        status = await me(hall.url, session.cookie);
      }
      expect(status).toBe(401);
    }
    // Never kept past the bound: a request made after it is refused whatever the machine's speed.
    await new Promise((r) => setTimeout(r, Math.max(0, SESSION_CACHE_SECONDS * 1000 - (Date.now() - revoked)) + 100));
    expect(await me(a.url, session.cookie)).toBe(401);
    expect(await me(b.url, session.cookie)).toBe(401);
  });
});

describe('the session cache', () => {
  it('keeps a found session for its seconds, never past the session’s expiry, and at most its entries', async () => {
    let now = Date.parse('2026-03-02T08:00:00Z');
    const cache = new SessionCache<{ expiresAt: string; n: number }>({ seconds: 5, entries: 2, clock: () => now });
    const reads: string[] = [];
    let n = 0;
    const load = async (id: string) => (reads.push(id), id === 'gone' ? undefined : { expiresAt: id === 'ending' ? '2026-03-02T08:00:07.000Z' : '2026-03-02T20:00:00.000Z', n: ++n });
    expect((await cache.get('s1', load))!.n).toBe(1);
    now += 4_999;
    expect((await cache.get('s1', load))!.n).toBe(1);
    now += 1;
    expect((await cache.get('s1', load))!.n).toBe(2);
    // The session's own expiry wins over the cache's seconds.
    expect(await cache.get('ending', load)).toBeDefined();
    now += 3_000;
    expect(await cache.get('ending', load)).toBeUndefined();
    expect(reads).toEqual(['s1', 's1', 'ending']);
    // Not found: not kept.
    await cache.get('gone', load);
    await cache.get('gone', load);
    expect(reads.filter((r) => r === 'gone')).toHaveLength(2);
    // At most two entries: the oldest goes first.
    await cache.get('s2', load);
    await cache.get('s3', load);
    reads.length = 0;
    await cache.get('s3', load);
    await cache.get('s2', load);
    await cache.get('s1', load);
    expect(reads).toEqual(['s1']);
  });
});
