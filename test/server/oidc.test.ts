import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HALL, NODE, ROOT } from '../helpers/cli.ts';
import { freePort } from './processes.ts';
import { storeFactory } from './stores.ts';

const stores = storeFactory();
const running: ResultPromise[] = [];
let provider: Server;
let issuer = '';
let hallPort = 0;


/** A real OpenID provider (oidc-provider) on loopback, as the campus identity platform. */
beforeAll(async () => {
  hallPort = await freePort();
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  const oidc = new Provider(issuer, {
    clients: [{ client_id: 'ehall', client_secret: 'ehall-secret', redirect_uris: [`http://127.0.0.1:${hallPort}/auth/oidc/callback`], token_endpoint_auth_method: 'client_secret_post' }],
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, name: '李雨桐', dept_code: 'wxy', class_code: 'wxy-2203', user_type: '本科生' }) }),
    claims: { openid: ['sub'], profile: ['name', 'dept_code', 'class_code', 'user_type'] },
    cookies: { keys: ['servicehall-test-key'] },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    // A first-party client: no consent screen, as a campus platform configures its own hall.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
  });
  provider = oidc.listen(port, '127.0.0.1') as unknown as Server;
});
afterAll(() => {
  provider.close();
  for (const p of running) p.kill('SIGKILL');
});

/** A browser's cookies, enough for one sign-in across two origins. */
function browser() {
  const jar = new Map<string, Map<string, string>>();
  return async (url: string, init: RequestInit = {}) => {
    const origin = new URL(url).origin;
    const cookies = jar.get(origin) ?? new Map();
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    jar.set(origin, cookies);
    return res;
  };
}

describe('signing in through OpenID Connect', () => {
  it('runs the code flow with PKCE against a real provider, maps claims, and refuses a callback it did not start', async () => {
    const base = `http://127.0.0.1:${hallPort}`;
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'hall-config-')), 'hall-serve.yaml');
    writeFileSync(config, `url: ${base}\nstore: ${await stores.location('sqlite')}\nidentity:\n  oidc:\n    issuer: ${issuer}\n    clientId: ehall\n    claims: { name: name, college: dept_code, class: class_code, type: user_type }\n`);
    const child = execa(NODE, [HALL, 'serve', path.join(ROOT, 'catalog'), '--port', String(hallPort), '--config', config], { reject: false, all: true, env: { HALL_OIDC_SECRET: 'ehall-secret' } });
    running.push(child);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.all!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes(base)) resolve();
      });
      void child.then(() => reject(new Error(out)));
    });

    const go = browser();
    let res = await go(`${base}/auth/oidc/login`);
    expect(res.status).toBe(302);
    let location = res.headers.get('location')!;
    expect(location.startsWith(`${issuer}/auth?`)).toBe(true);
    expect(new URL(location).searchParams.get('code_challenge_method')).toBe('S256');
    res = await go(location);
    const interaction = new URL(res.headers.get('location')!, issuer).href;
    res = await go(interaction, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'prompt=login&login=2022020315&password=x' });
    location = new URL(res.headers.get('location')!, issuer).href;
    while (location.startsWith(issuer)) {
      res = await go(location);
      location = new URL(res.headers.get('location')!, issuer).href;
    }
    expect(location.startsWith(`${base}/auth/oidc/callback?code=`)).toBe(true);
    res = await go(location);
    expect(res.status).toBe(302);
    const me = await go(`${base}/api/me`);
    expect(await me.json()).toMatchObject({ id: '2022020315', name: '李雨桐' });

    // The same callback again (a replayed code, the attempt used up) and one from a stranger are refused.
    expect((await go(location)).status).toBe(401);
    const stranger = await fetch(`${base}/auth/oidc/callback?code=abc&state=xyz`, { redirect: 'manual' });
    expect(stranger.status).toBe(401);
    expect(((await stranger.json()) as { message: { zh: string } }).message.zh).toContain('请重新登录');
  });
});
