import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { Engine } from '../../server/engine/engine.ts';
import type { EngineOptions } from '../../server/engine/engine.ts';
import { readVocabulary } from '../../server/directory/vocabulary.ts';
import { FileStore } from '../../server/files/file-store.ts';
import { Reloader } from '../../server/reload.ts';
import { buildApp } from '../../server/http/app.ts';
import type { CasOptions } from '../../server/identity/cas.ts';
import { migrate } from '../../server/store/migrate.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { DIRECTORY, exampleDirectory } from './processes.ts';
import type { StoreKind, storeFactory } from './stores.ts';

export interface Route {
  method: string;
  /** Fastify's pattern, e.g. `/api/tasks/:id/decision`. */
  url: string;
}

/**
 * Every route the app really serves, read from Fastify's own route tree (`printRoutes`), so a route added
 * later is listed without anyone updating a hand-written list. HEAD twins of GET routes are left out.
 */
export function routesOf(app: FastifyInstance): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = Math.round((at - 1) / 4);
    const m = /^(\S+)(?: \(([^)]*)\))?/.exec(line.slice(at + 3));
    if (!m) continue;
    stack.length = depth;
    stack.push(m[1]);
    for (const method of (m[2] ?? '').split(',').map((s) => s.trim())) {
      if (method && method !== '-' && method !== 'HEAD') routes.push({ method, url: stack.join('') });
    }
  }
  return routes;
}


/**
 * The hall's app in this process, on a fresh store of the given kind, with the example directory, the dev
 * login and every identity adapter configured (so their routes exist), listening on a loopback port.
 */
export async function inProcessHall(stores: ReturnType<typeof storeFactory>, kind: StoreKind, options: { pages?: boolean; paymentPlatform?: EngineOptions['paymentPlatform'] } = {}) {
  const store: Store = await stores.open(await stores.location(kind));
  await migrate(store);
  await importDirectory(store, await exampleDirectory());
  const runtime = await loadRuntime(path.join(ROOT, 'generated'));
  const engine = new Engine({ store, runtime, ...(options.paymentPlatform ? { paymentPlatform: options.paymentPlatform } : {}) });
  const cas: CasOptions = { url: 'http://127.0.0.1:9/cas', attributes: {} };
  const files = await FileStore.open(await mkdtemp(path.join(tmpdir(), 'hall-files-')));
  // The IT office's routes, on the real reloader over this repository's generated/ and the example directory.
  const catalog = path.join(ROOT, 'catalog');
  const reloader = new Reloader({ engine, generated: path.join(ROOT, 'generated'), catalog, directory: DIRECTORY, vocabulary: await readVocabulary(catalog) });
  const app = await buildApp({
    engine,
    files,
    admin: { reload: () => reloader.reload(), itOffice: () => reloader.vocabulary.itOffice },
    dev: true,
    ...(options.pages ? { pages: true } : {}),
    // Off here: the batteries sign in and submit hundreds of times; the limits are test/server/rate-limit.test.ts.
    rateLimits: { login: { max: 0, seconds: 1 }, submission: { max: 0, seconds: 1 } },
    secureCookies: false,
    publicUrl: 'http://127.0.0.1',
    // The OIDC routes are registered; the hostile tests never reach the provider (test/server/oidc.test.ts does).
    identity: { cas, oidc: { options: {} as never, config: {} as never } },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  afterAll(() => app.close());
  return { app, store, engine, url };
}

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, any>;
}

export async function call(base: string, method: string, url: string, options: { cookie?: string; csrf?: string; body?: unknown; raw?: string; contentType?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf !== undefined) headers['x-csrf-token'] = options.csrf;
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await fetch(`${base}${url}`, { method, headers, body: payload, redirect: 'manual' });
  const text = await res.text();
  let body: Record<string, any> = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the caller checks the content type
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Sign in with the dev login: the session cookie and its CSRF token. */
export async function signIn(base: string, person: string): Promise<{ cookie: string; csrf: string; person: string }> {
  const res = await fetch(`${base}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person }) });
  if (res.status !== 200) throw new Error(`dev login as ${person}: ${res.status} ${await res.text()}`);
  const { csrf } = (await res.json()) as { csrf: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0], csrf, person };
}

export const LEAVE = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' };
