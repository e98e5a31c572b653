import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../site/helpers.ts';
import { ROOT } from '../helpers/cli.ts';
import { REPORT, buildSignatureCatalog, privacyHall } from './privacy-hall.ts';
import { call, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import type { StoreKind } from './stores.ts';

/**
 * Issue 14.6 (the 审批单) and the signature/seal part of 14.4: marks uploaded by their owners through the
 * file store, used only by them when deciding a step that asks for one, each use recorded; and the
 * printable A4 record of a finished case, printed to PDF by Chromium and kept as a PNG of its print
 * layout for a person to look at (test/server/.output/).
 */

const stores = storeFactory();
let generated: string;
beforeAll(async () => {
  generated = await buildSignatureCatalog();
}, 240_000);

/** A real PNG, drawn pixel by pixel: `ink(x, y)` gives the RGBA of each pixel. */
function png(width: number, height: number, ink: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    for (let x = 0; x < width; x++) raw.set(ink(x, y), y * (width * 4 + 1) + 1 + x * 4);
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
/** A handwritten-looking stroke, in blue-black. */
const SIGNATURE = png(240, 80, (x, y) => (Math.abs(y - (40 + 22 * Math.sin(x / 14) * Math.cos(x / 37))) < 2.5 ? [20, 30, 90, 255] : [0, 0, 0, 0]));
/** A round red seal with a star-like cross. */
const SEAL = png(160, 160, (x, y) => {
  const r = Math.hypot(x - 80, y - 80);
  const ring = r > 66 && r < 76;
  const cross = r < 30 && (Math.abs(x - y) < 4 || Math.abs(x + y - 160) < 4 || Math.abs(x - 80) < 3 || Math.abs(y - 80) < 3);
  return ring || cross ? [200, 20, 20, 230] : [0, 0, 0, 0];
});

async function uploadMark(url: string, who: { cookie: string; csrf: string }, query: string, content: Buffer) {
  const boundary = '----record-test';
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="mark.png"\r\nContent-Type: image/png\r\n\r\n`), content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const res = await fetch(`${url}/api/signatures${query}`, { method: 'POST', headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe.each(STORE_KINDS)('signatures, seals and the 审批单 (%s)', (kind: StoreKind) => {
  it('uses only the owner’s signature and seal on the steps that ask for one, records each use, and prints the finished case on one A4 page', async () => {
    const { url, store } = await privacyHall(stores, kind, { generated });
    // 贺处长 also works at the centre's step; he heads xgc, so the seal is his to use. 赵老师 works there but is not its head.
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-he', 'office-staff', 'xgc']);
    const people = Object.fromEntries(await Promise.all(['t-wang', 't-chen', 't-zhao', 't-he'].map(async (p) => [p, await signIn(url, p)] as const)));
    const created = await call(url, 'POST', '/api/applications', { ...people['t-wang'], body: { service: 'mental-health-report', data: REPORT } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.application.id as string;
    const task = async (who: string) => ((await call(url, 'GET', '/api/tasks', people[who])).body.tasks as { id: string; application: string }[]).find((t) => t.application === id)!.id;
    const decide = async (who: string, body: Record<string, unknown>) => call(url, 'POST', `/api/tasks/${await task(who)}/decision`, { ...people[who], body });

    // No signature yet: the approval is refused and nothing moves; a return needs none.
    const unsigned = await decide('t-chen', { action: 'approve', comment: '同意' });
    expect(unsigned.status).toBe(409);
    expect(unsigned.body.message.zh).toContain('签名');
    expect((await call(url, 'GET', `/api/applications/${id}`, people['t-chen'])).body.application.status).toBe('pending');
    expect((await uploadMark(url, people['t-chen'], '?kind=person', Buffer.from('MZ not an image'))).status).toBe(415);
    const signed = await uploadMark(url, people['t-chen'], '?kind=person', SIGNATURE);
    expect(signed.status).toBe(201);
    expect((await decide('t-chen', { action: 'approve', comment: '情况属实，学院已安排专人关注。' })).status).toBe(200);

    // The seal: only xgc's head uploads and uses it.
    expect((await uploadMark(url, people['t-zhao'], '?kind=seal&department=xgc', SEAL)).status).toBe(403);
    const sealed = await uploadMark(url, people['t-he'], '?kind=seal&department=xgc', SEAL);
    expect(sealed.status).toBe(201);
    const notHead = await decide('t-zhao', { action: 'approve', data: { assessedRisk: '一般关注' } });
    expect(notHead.status).toBe(409);
    expect(notHead.body.message.zh).toContain('部门负责人');
    const done = await decide('t-he', { action: 'approve', comment: '已建档，安排咨询师每周跟进。', data: { assessedRisk: '一般关注' } });
    expect(done.status, done.text).toBe(200);
    expect(done.body.application.status).toBe('approved');

    // Each image is served to its owner only; each use is recorded and listed to its owner.
    expect((await fetch(`${url}/api/signatures/${sealed.body.signature.id}`, { headers: { cookie: people['t-chen'].cookie } })).status).toBe(404);
    expect((await fetch(`${url}/api/signatures/${sealed.body.signature.id}`, { headers: { cookie: people['t-he'].cookie } })).status).toBe(200);
    expect((await call(url, 'GET', '/api/signatures', people['t-chen'])).body.uses).toEqual([expect.objectContaining({ application: id, step: 'college-review', kind: 'person', owner: 't-chen' })]);
    expect((await call(url, 'GET', '/api/signatures', people['t-he'])).body.uses).toEqual([expect.objectContaining({ application: id, step: 'center-review', kind: 'seal', owner: 'xgc' })]);
    const uses = await store.query<{ person_id: string; step: string }>('SELECT person_id, step FROM signature_use WHERE application_id = $1 ORDER BY at', [id]);
    expect(uses.map((u) => `${u.person_id} ${u.step}`)).toEqual(['t-chen college-review', 't-he center-review']);

    // The 审批单: the applicant's, in full; every step's decision, opinion, approver, time and mark.
    const page = await fetch(`${url}/applications/${id}/record`, { headers: { cookie: people['t-wang'].cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    for (const text of ['学生心理健康状况报送 审批单', '学院分管学生工作副书记审核', '情况属实，学院已安排专人关注。', '陈书记（外国语学院分管副书记）', '贺处长（学生工作处）', '中心评估风险等级：一般关注', '已办结（同意）']) expect(html).toContain(text);
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(2);
    expect((await fetch(`${url}/applications/${id}/record`, { headers: { cookie: (await signIn(url, 't-liu')).cookie } })).status).toBe(404);

    // Printed by Chromium: one A4 page, the CJK font embedded; the print layout kept as a PNG to look at.
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 794, height: 1123 } });
      const host = new URL(url);
      await context.addCookies([{ name: 'hall_session', value: people['t-wang'].cookie.split('=')[1], domain: host.hostname, path: '/' }]);
      const tab = await context.newPage();
      const blocked: string[] = [];
      tab.on('request', (r) => {
        if (!r.url().startsWith(url) && !r.url().startsWith('data:')) blocked.push(r.url());
      });
      expect((await tab.goto(`${url}/applications/${id}/record`))!.status()).toBe(200);
      await tab.emulateMedia({ media: 'print' });
      const pdf = await tab.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
      expect(pdf.toString('latin1')).toMatch(/WenQuanYi|wqy|Noto.*CJK/i);
      const out = path.join(ROOT, 'test/server/.output');
      mkdirSync(out, { recursive: true });
      writeFileSync(path.join(out, `record-${kind}.pdf`), pdf);
      await tab.screenshot({ path: path.join(out, `record-${kind}.png`), fullPage: true });
      expect(blocked).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
