import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../server/config.ts';
import { DIRECTORY, hallProcesses } from './processes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

const stores = storeFactory();
const { serve } = hallProcesses();

const leave = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '事假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '参加亲属婚礼一天' };

function writeConfig(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'hall-config-')), 'hall-serve.yaml');
  writeFileSync(file, text);
  return file;
}

const login = (base: string, person: string) => fetch(`${base}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person }) });

/** The leave each person submits: the form prefills name, number and phone read-only from the directory. */
const leaveOf: Record<string, typeof leave> = {
  '2022020315': leave,
  '2023010101': { ...leave, studentName: '张晓明', studentNumber: '2023010101', phone: '13800000001' },
};

async function session(res: Response, person: string) {
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const { csrf } = (await res.json()) as { csrf: string };
  return (base: string) => fetch(`${base}/api/applications`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify({ service: 'student-leave', data: leaveOf[person] }) });
}

/** A 429 in the hall's error shape, Chinese first, with a Retry-After of at most the window. */
async function expectLimited(res: Response, zh: string, window: number): Promise<number> {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(window);
  const body = (await res.json()) as { error: string; message: { zh: string; en: string } };
  expect(body.error).toBe('too-many-requests');
  expect(body.message.zh).toContain(zh);
  expect(body.message.zh).toContain(`${retryAfter} 秒后再试`);
  expect(body.message.en).toMatch(/^Too many/);
  return retryAfter;
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000 + 300));

describe.each(STORE_KINDS)('rate limits on %s', (kind) => {
  it('limits sign-in per address across every login route and every process, submission per person, and both reset', async () => {
    const location = await stores.location(kind);
    // Quiet logs (warn): the file's level holds when HALL_LOG_LEVEL is not set.
    const config = writeConfig(
      'log: { level: warn }\nrateLimits:\n  login: { max: 3, seconds: 6 }\n  submission: { max: 2, seconds: 6 }\nidentity:\n  cas: { url: "http://127.0.0.1:9/cas", attributes: { name: cn } }\n',
    );
    const args = ['--dev', '--directory', DIRECTORY, '--events', mkdtempSync(path.join(tmpdir(), 'hall-events-')), '--store', location, '--config', config];
    const first = await serve(args);
    let stdout = '';
    first.process.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    // PostgreSQL: a second process on the same database shares the counters.
    const second = kind === 'postgres' ? await serve(args) : first;

    const student = await session(await login(first.url, '2022020315'), '2022020315');
    const other = await session(await login(second.url, '2023010101'), '2023010101');
    expect((await login(first.url, 't-wang')).status).toBe(200);
    const loginWait = await expectLimited(await login(second.url, 't-wang'), '登录尝试过于频繁', 6);
    // The same budget covers the CAS entry: a login route is a login route.
    await expectLimited(await fetch(`${first.url}/auth/cas/login`, { redirect: 'manual' }), '登录尝试过于频繁', 6);

    expect((await student(first.url)).status).toBe(201);
    expect((await student(second.url)).status).toBe(201);
    const submitWait = await expectLimited(await student(first.url), '提交过于频繁', 6);
    // Per person: someone else on the same address still submits.
    expect((await other(first.url)).status).toBe(201);

    await sleep(Math.max(loginWait, submitWait));
    expect((await login(second.url, 't-wang')).status).toBe(200);
    expect((await student(second.url)).status).toBe(201);

    // The configured level holds: no info lines (requests) on stdout, only warnings and worse.
    expect(stdout.split('\n').filter((l) => l.startsWith('{') && JSON.parse(l).level < 40)).toEqual([]);
  }, 180_000);
});

describe('rate-limit and logging settings in the configuration', () => {
  it('points at a misspelt setting with a suggestion, and refuses an unknown log level', async () => {
    const typo = writeConfig('rateLimits:\n  logn: { max: 3, seconds: 60 }\n');
    const error = await readConfig(typo, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const found = (e: unknown) => (e as ConfigError).diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${JSON.stringify(d.args)}`);
    expect(found(error)).toEqual(['2:3 schema/unknown-property {"property":"logn","allowed":"login, submission","suggest":"login"}']);
    expect((error as ConfigError).render('zh')).toContain(`${typo}:2:3`);

    const level = writeConfig('log:\n  level: inf\n');
    const levelError = await readConfig(level, {}).catch((e: unknown) => e);
    expect(found(levelError)).toEqual(['2:10 schema/enum {"value":"inf","allowed":"fatal, error, warn, info, debug, trace, silent","suggest":"info"}']);

    const envError = await readConfig(undefined, { HALL_LOG_LEVEL: 'verbose' }).catch((e: unknown) => e);
    expect(envError).toBeInstanceOf(ConfigError);
    expect((envError as ConfigError).render('zh')).toContain('HALL_LOG_LEVEL');
    expect(found(envError)[0]).toContain('schema/enum {"value":"verbose"');

    const bad = writeConfig('rateLimits:\n  submission: { max: -1, seconds: 0 }\n');
    expect(found(await readConfig(bad, {}).catch((e: unknown) => e))).toHaveLength(2);

    const good = writeConfig('rateLimits:\n  login: { max: 0, seconds: 60 }\nmetrics: { token: from-the-file-0123456 }\ntrustProxy: [10.0.0.1]\n');
    expect(await readConfig(good, { HALL_LOG_LEVEL: 'debug', HALL_METRICS_TOKEN: 'from-the-environment-0123' })).toEqual({
      rateLimits: { login: { max: 0, seconds: 60 } },
      metrics: { token: 'from-the-environment-0123' },
      trustProxy: ['10.0.0.1'],
      log: { level: 'debug' },
    });
  });
});
