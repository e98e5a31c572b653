import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maskIdCard, maskPhone, maskText } from '../../server/privacy/mask.ts';
import { REPORT, privacyHall } from './privacy-hall.ts';
import { call, routesOf, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import type { StoreKind } from './stores.ts';

/**
 * Issue 14.4 (个人信息保护法): ID-card and phone numbers and a service's sensitive fields are masked in every
 * answer that is not an entitled reader's full view; full views are recorded for the IT office; a
 * service's readers limit who reads in full; attachments of sensitive fields follow the same rule; and
 * attachments past their retention period are deleted by the sweep, said so in the application.
 */

const stores = storeFactory();

/** Strings that only a full view may contain: the report's phone numbers and its sensitive texts. */
const SECRETS = [REPORT.reporterPhone, REPORT.studentPhone, REPORT.guardianPhone, 'CANARY-DESCRIPTION', 'CANARY-HOSPITAL'];
/** Routes that answer an entitled reader's full view (and record it). Every other route must mask. */
const FULL_VIEW_ROUTES = new Set(['GET /api/applications/:id/full', 'GET /applications/:id/record']);

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% CANARY-EVIDENCE\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function upload(url: string, who: { cookie: string; csrf: string }, query: string, content: Buffer, name: string, type: string) {
  const boundary = '----privacy-test';
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`), content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const res = await fetch(`${url}${query}`, { method: 'POST', headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('masking helpers', () => {
  it('keep only the ends of ID-card and phone numbers, in fields and in free text', () => {
    expect(maskIdCard('11010519491231002X')).toBe('110***********002X');
    expect(maskPhone('13800000002')).toBe('138****0002');
    expect(maskPhone('0731-88880220')).toBe('0731-******20');
    expect(maskText('请联系 13907310040，身份证 11010519491231002X。')).toBe('请联系 139****0040，身份证 110***********002X。');
  });
});

describe.each(STORE_KINDS)('privacy (%s)', (kind: StoreKind) => {
  async function reported(now?: () => Date) {
    const hall = await privacyHall(stores, kind, now ? { now } : {});
    const people = Object.fromEntries(await Promise.all(['t-wang', 't-chen', 't-zhao', 't-he', 't-it', 't-liu'].map(async (p) => [p, await signIn(hall.url, p)] as const)));
    const evidence = await upload(hall.url, people['t-wang'], '/api/attachments?service=mental-health-report&field=evidence', PDF, '诊断证明.pdf', 'application/pdf');
    expect(evidence.status).toBe(201);
    const created = await call(hall.url, 'POST', '/api/applications', { ...people['t-wang'], body: { service: 'mental-health-report', data: { ...REPORT, evidence: [evidence.body.attachment.id] } } });
    expect(created.status, created.text).toBe(201);
    return { ...hall, people, id: created.body.application.id as string, attachment: evidence.body.attachment.id as string, created };
  }
  const taskOf = async (url: string, who: { cookie: string; csrf: string }, application: string) =>
    ((await call(url, 'GET', '/api/tasks', who)).body.tasks as { id: string; application: string }[]).find((t) => t.application === application)!.id;

  it('masks ID-card and phone numbers and sensitive fields in every answer but an entitled full view (routes enumerated)', async () => {
    const { url, app, people, id, created, attachment } = await reported();
    const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));
    expect(leaks(created.text), 'the answer to submitting').toEqual([]);
    expect(created.body.application.data.studentPhone).toBe('138****0002');
    expect(created.body.application.data.description).toBe('******');
    const decided = await call(url, 'POST', `/api/tasks/${await taskOf(url, people['t-chen'], id)}/decision`, { ...people['t-chen'], body: { action: 'approve', comment: '已核实，监护人电话 13900000002' } });
    expect(decided.status).toBe(200);
    expect(leaks(decided.text), 'the answer to deciding').toEqual([]);
    // Every GET route the app serves, by everyone involved: only the full-view routes may show the secrets.
    const routes = routesOf(app).filter((r) => r.method === 'GET');
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      const path = route.url.replace(':id', route.url.startsWith('/api/attachments') ? attachment : id);
      for (const who of ['t-wang', 't-chen', 't-zhao', 't-it']) {
        const res = await call(url, 'GET', path, people[who]);
        if (!FULL_VIEW_ROUTES.has(key)) expect(leaks(res.text), `${key} as ${who}`).toEqual([]);
      }
    }
  });

  it('records every full view for the IT office, and refuses it to approvers outside the service readers', async () => {
    const { url, people, id, attachment } = await reported();
    // 陈书记 (college deputy) acts on the report but is not among its readers: the case masked, no full view, no sensitive file.
    expect((await call(url, 'GET', `/api/applications/${id}`, people['t-chen'])).status).toBe(200);
    const refused = await call(url, 'GET', `/api/applications/${id}/full`, people['t-chen']);
    expect(refused.status).toBe(403);
    expect(refused.body.message.zh).toContain('敏感内容');
    expect((await fetch(`${url}/api/attachments/${attachment}`, { headers: { cookie: people['t-chen'].cookie } })).status).toBe(404);
    const masked = await call(url, 'GET', `/applications/${id}/record`, people['t-chen']);
    expect(masked.status).toBe(200);
    expect(SECRETS.filter((s) => masked.text.includes(s))).toEqual([]);
    expect(masked.text).toContain('敏感个人信息已遮盖');
    // Someone with no part in it: not found, whichever route.
    for (const path of [`/api/applications/${id}/full`, `/applications/${id}/record`, `/api/attachments/${attachment}`]) {
      expect((await call(url, 'GET', path, people['t-liu'])).status, path).toBe(404);
    }
    // The applicant reads their own in full, unrecorded.
    const own = await call(url, 'GET', `/api/applications/${id}/full`, people['t-wang']);
    expect(own.body.application.data.description).toBe(REPORT.description);
    // The centre (office-staff, a reader) once its step is open; 贺处长 (department-deputy@xgc) without any step.
    await call(url, 'POST', `/api/tasks/${await taskOf(url, people['t-chen'], id)}/decision`, { ...people['t-chen'], body: { action: 'approve' } });
    const full = await call(url, 'GET', `/api/applications/${id}/full`, people['t-zhao']);
    expect(full.status).toBe(200);
    expect(full.body.application.data.guardianPhone).toBe(REPORT.guardianPhone);
    expect(full.body.application.data.hospital).toBe(REPORT.hospital);
    const file = await fetch(`${url}/api/attachments/${attachment}`, { headers: { cookie: people['t-zhao'].cookie } });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).toString()).toContain('CANARY-EVIDENCE');
    expect((await call(url, 'GET', `/api/applications/${id}/full`, people['t-he'])).status).toBe(200);
    const printed = await call(url, 'GET', `/applications/${id}/record`, people['t-he']);
    expect(printed.text).toContain('CANARY-DESCRIPTION');

    // The record: who, when, which fields, through which route — listed for the IT office only.
    expect((await call(url, 'GET', '/api/admin/field-views', people['t-zhao'])).status).toBe(403);
    const views = (await call(url, 'GET', `/api/admin/field-views?application=${id}`, people['t-it'])).body.views as { person: string; fields: string[]; route: string; at: string }[];
    expect(views.map((v) => `${v.person} ${v.route}`).sort()).toEqual([
      't-he GET /api/applications/:id/full',
      't-he GET /applications/:id/record',
      't-zhao GET /api/applications/:id/full',
      't-zhao GET /api/attachments/:id',
    ]);
    expect(views.find((v) => v.route.endsWith('/full') && v.person === 't-zhao')!.fields).toEqual(['description', 'evidence', 'guardianPhone', 'hospital', 'reporterPhone', 'studentPhone']);
    expect(views.every((v) => !Number.isNaN(Date.parse(v.at)))).toBe(true);
  });

  it('deletes attachments past the retention period in the sweep: bytes gone, an event, 已过保存期限', async () => {
    let clock = new Date('2026-03-02T01:00:00Z');
    const { url, engine, files, people, id, attachment, store } = await reported(() => clock);
    for (const who of ['t-chen', 't-zhao']) {
      const res = await call(url, 'POST', `/api/tasks/${await taskOf(url, people[who], id)}/decision`, { ...people[who], body: { action: 'approve', ...(who === 't-zhao' ? { data: { assessedRisk: '一般关注' } } : {}) } });
      expect(res.status, res.text).toBe(200);
    }
    const [row] = await store.query<{ sha256: string }>('SELECT sha256 FROM attachment WHERE id = $1', [attachment]);
    const onDisk = files.pathOf(row.sha256);
    expect(existsSync(onDisk)).toBe(true);
    // Three years after it ended (2026-03-02): the day before, kept; the day after, deleted — once, however often swept.
    expect((await engine.sweep(new Date('2029-03-01T12:00:00Z'))).expired).toBe(0);
    expect(existsSync(onDisk)).toBe(true);
    clock = new Date('2029-03-03T01:00:00Z');
    const swept = await Promise.all([engine.sweep(clock), engine.sweep(clock)]);
    expect(swept.map((s) => s.expired).sort()).toEqual([0, 1]);
    expect(existsSync(onDisk)).toBe(false);
    const events = (await call(url, 'GET', `/api/applications/${id}`, people['t-wang'])).body.events as { type: string; comment?: string }[];
    expect(events.filter((e) => e.type === 'expired').map((e) => e.comment)).toEqual(['附件已过保存期限（3年），1 个文件已删除。']);
    const gone = await call(url, 'GET', `/api/attachments/${attachment}`, people['t-wang']);
    expect(gone.status).toBe(410);
    expect(gone.body.message.zh).toContain('已过保存期限');
    expect((await call(url, 'GET', `/applications/${id}/record`, people['t-wang'])).text).toContain('已过保存期限');
  });
});
