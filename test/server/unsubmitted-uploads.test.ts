// Uploads nobody submitted are personal data with no purpose left (个人信息保护法第十九条): the sweep deletes
// them after UNSUBMITTED_UPLOAD_DAYS, unless the uploader's saved draft still names them; content another
// upload still uses stays on disk. Before, they were kept for ever.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UNSUBMITTED_UPLOAD_DAYS } from '../../server/privacy/retention.ts';
import { REPORT, privacyHall } from './privacy-hall.ts';
import { call, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

const stores = storeFactory();

function pdf(marker: string): Buffer {
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${marker}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

async function upload(url: string, who: { cookie: string; csrf: string }, content: Buffer): Promise<string> {
  const boundary = '----unsubmitted-test';
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="证明.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const res = await fetch(`${url}/api/attachments?service=mental-health-report&field=evidence`, { method: 'POST', headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
  expect(res.status).toBe(201);
  return ((await res.json()) as { attachment: { id: string } }).attachment.id;
}

describe.each(STORE_KINDS)('unsubmitted uploads on %s', (kind) => {
  it('are deleted after the grace period, row and file, unless a draft names them or a submitted upload shares their content', async () => {
    const { url, engine, files, store } = await privacyHall(stores, kind);
    const wang = await signIn(url, 't-wang');
    const abandoned = await upload(url, wang, pdf('ABANDONED'));
    const drafted = await upload(url, wang, pdf('DRAFTED'));
    const submitted = await upload(url, wang, pdf('SHARED'));
    const twin = await upload(url, wang, pdf('SHARED')); // the same bytes uploaded again and never submitted
    const created = await call(url, 'POST', '/api/applications', { ...wang, body: { service: 'mental-health-report', data: { ...REPORT, evidence: [submitted] } } });
    expect(created.status, created.text).toBe(201);
    // The pages' 保存草稿 keeps the form as typed, file fields holding their upload ids.
    await store.run('INSERT INTO draft (person_id, service, data, saved_at) VALUES ($1, $2, $3, $4)', ['t-wang', 'mental-health-report', JSON.stringify({ form: { evidence: [drafted] } }), new Date().toISOString()]);
    const pathOf = async (id: string) => files.pathOf((await store.query<{ sha256: string }>('SELECT sha256 FROM attachment WHERE id = $1', [id]))[0].sha256);
    const [abandonedFile, draftedFile, sharedFile] = [await pathOf(abandoned), await pathOf(drafted), await pathOf(submitted)];
    expect(await pathOf(twin)).toBe(sharedFile);

    const day = 86_400_000;
    expect((await engine.sweep(new Date(Date.now() + (UNSUBMITTED_UPLOAD_DAYS - 1) * day))).discarded).toBe(0);
    expect(existsSync(abandonedFile)).toBe(true);
    // Past the grace period, two processes sweeping at once: each upload deleted once.
    const later = new Date(Date.now() + (UNSUBMITTED_UPLOAD_DAYS + 1) * day);
    const swept = await Promise.all([engine.sweep(later), engine.sweep(later)]);
    expect(swept.map((s) => s.discarded).reduce((a, b) => a! + b!, 0)).toBe(2);
    const left = (await store.query<{ id: string }>('SELECT id FROM attachment ORDER BY id')).map((r) => r.id);
    expect(left.sort()).toEqual([drafted, submitted].sort());
    expect(existsSync(abandonedFile)).toBe(false);
    expect(existsSync(draftedFile)).toBe(true);
    expect(existsSync(sharedFile)).toBe(true);
    expect((await fetch(`${url}/api/attachments/${abandoned}`, { headers: { cookie: wang.cookie } })).status).toBe(404);
    // The submitted one still downloads.
    const kept = await fetch(`${url}/api/attachments/${submitted}`, { headers: { cookie: wang.cookie } });
    expect(kept.status).toBe(200);
    expect(Buffer.from(await kept.arrayBuffer()).toString()).toContain('SHARED');
  });
});
