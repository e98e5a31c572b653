import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HALL, NODE, ROOT } from '../helpers/cli.ts';
import { freePort } from './processes.ts';
import { storeFactory } from './stores.ts';

const stores = storeFactory();
let cas: Server;
let casUrl = '';
const issued = new Map<string, string>();
const running: ResultPromise[] = [];

/**
 * A CAS 3.0 server on loopback, at the protocol level: /login issues a one-time service ticket for the
 * user named in `?as=` and redirects to the service; /p3/serviceValidate answers the CAS XML, with the
 * attributes a university's 统一身份认证 sends (Chinese names, 单位代码, 班级代码).
 */
beforeAll(async () => {
  let n = 0;
  cas = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://cas');
    if (url.pathname === '/cas/login') {
      const ticket = `ST-${++n}-abc`;
      issued.set(ticket, `${url.searchParams.get('service')}|${url.searchParams.get('as') ?? '2022020315'}`);
      res.writeHead(302, { location: `${url.searchParams.get('service')}?ticket=${ticket}` }).end();
      return;
    }
    if (url.pathname === '/cas/p3/serviceValidate') {
      const ticket = url.searchParams.get('ticket') ?? '';
      const record = issued.get(ticket);
      issued.delete(ticket);
      const [service, user] = record?.split('|') ?? [];
      res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' });
      if (!record || service !== url.searchParams.get('service')) {
        res.end(`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationFailure code="INVALID_TICKET">Ticket ${ticket} not recognized</cas:authenticationFailure></cas:serviceResponse>`);
        return;
      }
      res.end(`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>${user}</cas:user><cas:attributes><cas:cn>李雨桐</cas:cn><cas:dwdm>wxy</cas:dwdm><cas:bjdm>wxy-2203</cas:bjdm><cas:sflb>本科生</cas:sflb><cas:mail>lyt@stu.example.edu.cn</cas:mail></cas:attributes></cas:authenticationSuccess></cas:serviceResponse>`);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => cas.listen(0, '127.0.0.1', () => resolve()));
  casUrl = `http://127.0.0.1:${(cas.address() as { port: number }).port}/cas`;
});
afterAll(() => {
  cas.close();
  for (const p of running) p.kill('SIGKILL');
});


function writeConfig(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'hall-config-')), 'hall-serve.yaml');
  writeFileSync(file, text);
  return file;
}

describe('signing in through CAS 3.0', () => {
  it('validates the ticket, maps the attributes by configuration, and refuses a replayed ticket', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const config = writeConfig(`url: ${base}\nstore: ${await stores.location('sqlite')}\nidentity:\n  cas:\n    url: ${casUrl}\n    attributes: { name: cn, college: dwdm, class: bjdm, type: sflb, email: mail }\n`);
    const child = execa(NODE, [HALL, 'serve', path.join(ROOT, 'catalog'), '--port', String(port), '--config', config], { reject: false, all: true });
    running.push(child);
    await new Promise<void>((resolve) => child.all!.on('data', (c: Buffer) => c.toString().includes(base) && resolve()));

    const toCas = await fetch(`${base}/auth/cas/login`, { redirect: 'manual' });
    expect(toCas.status).toBe(302);
    const casLogin = toCas.headers.get('location')!;
    expect(casLogin).toBe(`${casUrl}/login?service=${encodeURIComponent(`${base}/auth/cas/callback`)}`);
    const back = (await fetch(casLogin, { redirect: 'manual' })).headers.get('location')!;
    const callback = await fetch(back, { redirect: 'manual' });
    expect(callback.status).toBe(302);
    const cookie = callback.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    const me = await fetch(`${base}/api/me`, { headers: { cookie: cookie.split(';')[0] } });
    expect(await me.json()).toMatchObject({ id: '2022020315', name: '李雨桐' });

    // The applicant's attributes came from CAS: the flow routes to the counselor of class wxy-2203.
    const { csrf } = (await (await fetch(`${base}/api/me`, { headers: { cookie: cookie.split(';')[0] } })).json()) as { csrf: string };
    const created = await fetch(`${base}/api/applications`, {
      method: 'POST',
      headers: { cookie: cookie.split(';')[0], 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'student-leave', data: { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' } }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { application: { id: string } }).application.id;
    const view = (await (await fetch(`${base}/api/applications/${id}`, { headers: { cookie: cookie.split(';')[0] } })).json()) as { tasks: { scope: string }[] };
    expect(view.tasks[0].scope).toBe('wxy-2203');

    const replay = await fetch(back, { redirect: 'manual' });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { message: { zh: string } }).message.zh).toContain('INVALID_TICKET');
    expect((await fetch(`${base}/auth/cas/callback?ticket=${encodeURIComponent('<script>')}`)).status).toBe(400);
    const dev = await fetch(`${base}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"person":"2022020315"}' });
    expect(dev.status).toBe(404);
  });

  it('points at the line of a wrong setting in the configuration and does not start', async () => {
    const config = writeConfig('url: https://ehall.example.edu.cn\nidentity:\n  cas:\n    url: https://authserver.example.edu.cn/authserver\n    atributes: { name: cn }\nstore: mysql://x\n');
    const result = await execa(NODE, [HALL, 'serve', path.join(ROOT, 'catalog'), '--port', '0', '--config', config], { reject: false, all: true, timeout: 60_000 });
    expect(result.exitCode).toBe(1);
    // The same codes and layout as `hall check`: one YAML-and-schema reading for catalog, configuration and directory.
    expect(result.all).toContain(`${config}:5:5  错误  schema/unknown-property\n  不认识字段“atributes”。是不是想写“attributes”？`);
    expect(result.all).toContain(`${config}:6:8  错误  schema/pattern\n  “mysql://x”的格式不对：数据库：sqlite:<文件> 或 postgres://用户@主机:端口/库`);
    expect(result.all).not.toMatch(/at .*\.ts:\d+/);
  });
});
