import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import type { Configuration } from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { Engine } from '../../server/engine/engine.ts';
import type { ApplicationRecord } from '../../server/engine/engine.ts';
import { maskApplication, personalFields } from '../../server/privacy/mask.ts';
import { buildApp } from '../../server/http/app.ts';
import type { AppOptions } from '../../server/http/app.ts';
import { FileStore } from '../../server/files/file-store.ts';
import { migrate } from '../../server/store/migrate.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { DIRECTORY, hallProcesses, exampleDirectory } from './processes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

const stores = storeFactory();
const { serve } = hallProcesses();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(path.join(ROOT, 'generated'));
});

const CAS = { url: 'http://127.0.0.1:9/cas', attributes: { name: 'cn' } };
const leave = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' };

type Doc = {
  openapi: string;
  tags: { name: string }[];
  paths: Record<string, Record<string, { tags?: string[]; summary?: string; parameters?: { in: string; name: string }[]; responses?: Record<string, any> }>>;
  components: { schemas: Record<string, any> };
};

/**
 * The routes Fastify itself holds, read from its router (`printRoutes`), not from our documentation
 * plugin: `METHOD /path` with OpenAPI's `{param}`. HEAD routes Fastify adds for each GET are left out.
 */
function registeredRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([A-Z, ]+)\)/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    for (const method of m[3].split(', ')) if (method !== 'HEAD') routes.push(`${method} ${stack.join('').replace(/:(\w+)/g, '{$1}')}`);
  }
  return routes.sort();
}

function documentedRoutes(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([p, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${p}`))
    .sort();
}

/** Routes Fastify serves that the document does not describe fully: tags, a bilingual summary, success and error answers, path parameters. */
function undocumented(app: FastifyInstance, doc: Doc): string[] {
  const problems: string[] = [];
  const tags = new Set(doc.tags.map((t) => t.name));
  for (const route of registeredRoutes(app)) {
    const [method, url] = route.split(' ');
    const op = doc.paths[url]?.[method.toLowerCase()];
    if (!op) {
      problems.push(`${route}: missing`);
      continue;
    }
    if (!op.tags?.length || !op.tags.every((t) => tags.has(t))) problems.push(`${route}: tags`);
    if (!/\p{Script=Han}[^/]*\/ [A-Za-z]/u.test(op.summary ?? '')) problems.push(`${route}: summary not Chinese / English`);
    const codes = Object.keys(op.responses ?? {});
    if (!codes.some((c) => /^[23]/.test(c))) problems.push(`${route}: no success answer`);
    if (!codes.some((c) => /^[45]/.test(c))) problems.push(`${route}: no error answer`);
    for (const code of codes.filter((c) => /^[45]/.test(c))) {
      if (op.responses![code].content?.['application/json']?.schema?.$ref !== '#/components/schemas/Error') problems.push(`${route}: ${code} is not the Error shape`);
    }
    for (const [, name] of url.matchAll(/\{(\w+)\}/g)) if (!op.parameters?.some((p) => p.in === 'path' && p.name === name)) problems.push(`${route}: path parameter ${name}`);
  }
  return problems;
}

async function appOn(store: Store, extra: Partial<AppOptions> = {}) {
  await migrate(store);
  await importDirectory(store, await exampleDirectory());
  const engine = new Engine({ store, runtime });
  return { engine, app: await buildApp({ engine, dev: true, secureCookies: false, ...extra }) };
}

describe('the OpenAPI document', () => {
  let doc: Doc;
  it('is served by hall serve as valid OpenAPI 3.1, and describes every route the app has', async () => {
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'hall-config-')), 'hall-serve.yaml');
    writeFileSync(config, `identity:\n  cas: { url: ${CAS.url}, attributes: { name: cn } }\n`);
    const { url, process: server } = await serve(['--dev', '--directory', DIRECTORY, '--store', await stores.location('sqlite'), '--config', config]);
    const res = await fetch(`${url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Doc;
    server.kill('SIGTERM');

    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The OpenAPI schema checks Schema Objects only loosely: each must also be valid JSON Schema 2020-12.
    const meta = new Ajv2020({ strict: false });
    const schemas = [
      ...Object.values(doc.components.schemas),
      ...Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => Object.values(op.responses ?? {}).flatMap((r) => Object.values(r.content ?? {}).map((c: any) => c.schema)))),
    ];
    for (const schema of schemas) expect(meta.validateSchema(schema), JSON.stringify(meta.errors)).toBe(true);
    // Errors are Chinese first: the message object requires zh, then en.
    expect(doc.components.schemas.Message.required).toEqual(['zh', 'en']);
    expect(doc.components.schemas.Error.required).toEqual(['error', 'message']);

    // The same configuration in process: what Fastify registered is exactly what the document lists.
    const files = await FileStore.open(mkdtempSync(path.join(tmpdir(), 'hall-files-')));
    const { app } = await appOn(await stores.open(await stores.location('sqlite')), { identity: { cas: CAS }, files, admin: { reload: () => Promise.reject(new Error('not called')), itOffice: () => 'xxzx' } });
    await app.ready();
    expect(documentedRoutes(doc)).toEqual(registeredRoutes(app));
    expect(undocumented(app, doc)).toEqual([]);
    expect(registeredRoutes(app)).toEqual(expect.arrayContaining(['GET /openapi.json', 'GET /metrics', 'POST /api/applications', 'GET /auth/cas/callback', 'POST /api/tasks/{id}/decision', 'POST /api/attachments', 'GET /api/attachments/{id}', 'POST /api/admin/reload', 'GET /api/admin/incidents']));
    await app.close();
  }, 120_000);

  it('documents the OpenID Connect routes too, and the check catches a route nobody documented', async () => {
    const oidc = { options: { issuer: 'http://127.0.0.1:9', clientId: 'ehall', claims: {} }, config: {} as Configuration };
    const { app } = await appOn(await stores.open(await stores.location('sqlite')), { identity: { cas: CAS, oidc } });
    app.get('/api/undocumented', async () => ({ ok: true }));
    await app.ready();
    const local = app.swagger() as unknown as Doc;
    expect(registeredRoutes(app)).toEqual(expect.arrayContaining(['GET /auth/oidc/login', 'GET /auth/oidc/callback']));
    expect(undocumented(app, local)).toEqual(['GET /api/undocumented: tags', 'GET /api/undocumented: summary not Chinese / English', 'GET /api/undocumented: no error answer']);
    await app.close();
  }, 60_000);
});

describe.each(STORE_KINDS)('response schemas on %s', (kind) => {
  let store: Store;
  let app: FastifyInstance;
  let engine: Engine;
  beforeAll(async () => {
    store = await stores.open(await stores.location(kind));
    ({ app, engine } = await appOn(store));
  });
  afterAll(async () => {
    await app?.close();
  });

  async function as(person: string) {
    const login = await app.inject({ method: 'POST', url: '/api/dev/login', payload: { person } });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const { csrf } = login.json() as { csrf: string };
    return {
      get: (url: string) => app.inject({ method: 'GET', url, headers: { cookie } }),
      post: (url: string, payload: object) => app.inject({ method: 'POST', url, payload, headers: { cookie, 'x-csrf-token': csrf } }),
    };
  }
  /** What the engine holds, as JSON would carry it. */
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
  /** What the engine holds as every answer but the full view shows it: personal fields masked (server/privacy). */
  const masked = (application: ApplicationRecord | undefined) => plain(maskApplication(application!, personalFields(engine.runtime.version(application!.service, application!.version))));

  it('strip nothing a client reads: every answer equals what the engine holds', async () => {
    const student = await as('2022020315');
    const counselor = await as('t-wang');
    const other = await as('t-liu');
    const invalid = await student.post('/api/applications', { service: 'student-leave', data: { ...leave, days: 100 } });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().fieldErrors[0]).toEqual({ field: 'days', label: expect.any(String), message: { zh: expect.any(String), en: expect.any(String) } });

    const created = await student.post('/api/applications', { service: 'student-leave', data: leave, channel: 'wechat' });
    expect(created.statusCode).toBe(201);
    const id = created.json().application.id as string;
    expect(created.json()).toEqual({ ok: true, application: masked(await engine.application(id)) });
    const returned = await counselor.post(`/api/tasks/${(await engine.tasksOf(id))[0].id}/decision`, { action: 'return', comment: '请补充医院证明', data: {} });
    expect(returned.statusCode).toBe(200);
    const resubmitted = await student.post(`/api/applications/${id}/resubmit`, { changes: { reason: '急性肠胃炎住院治疗，附医院证明' } });
    expect(resubmitted.json()).toEqual({ ok: true, application: masked(await engine.application(id)) });
    const tasks = await engine.tasksOf(id);
    const open = tasks.find((t) => t.status === 'open')!;
    const decided = await counselor.post(`/api/tasks/${open.id}/decision`, { action: 'approve', comment: '同意' });
    expect(decided.json()).toEqual({ ok: true, application: masked(await engine.application(id)), task: plain((await engine.tasksOf(id)).find((t) => t.id === open.id)) });
    const again = await other.post(`/api/tasks/${open.id}/decision`, { action: 'approve' });
    expect([again.statusCode, again.json().error]).toEqual([403, 'forbidden']);
    const late = await counselor.post(`/api/tasks/${open.id}/decision`, { action: 'reject' });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: 'conflict', status: 'done', actedBy: 't-wang', actedAt: expect.any(String), message: { zh: expect.stringContaining('t-wang') } });

    const detail = await student.get(`/api/applications/${id}`);
    expect(detail.json()).toEqual({ application: masked(await engine.application(id)), tasks: plain(await engine.tasksOf(id)), events: plain(await engine.events(id)) });
    expect((await student.get(`/api/applications/${id}/full`)).json()).toEqual({ application: plain(await engine.application(id)), tasks: plain(await engine.tasksOf(id)), events: plain(await engine.events(id)) });
    expect(detail.json().application.decisions.some((d: { revise?: object }) => d.revise)).toBe(true);
    expect((await student.get('/api/applications')).json()).toEqual({ applications: (await engine.applicationsOf('2022020315')).map(masked) });
    expect((await counselor.get('/api/tasks')).json()).toEqual({ tasks: plain(await engine.todo('t-wang')) });
    expect((await student.get('/api/me')).json()).toEqual({ id: '2022020315', name: expect.any(String), csrf: expect.any(String) });
  }, 60_000);
});
