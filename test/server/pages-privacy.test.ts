import { describe, expect, it } from 'vitest';
import { REPORT, privacyHall } from './privacy-hall.ts';
import { call, routesOf, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import type { StoreKind } from './stores.ts';

/**
 * Issue 14.4 in the hall's pages: every page goes through the API's privacy rules (server/privacy/mask.ts,
 * access.ts via server/pages/privacy.ts). Pages show the mental-health report masked to everyone but its
 * applicant; a "查看完整信息" POST shows it in full to an entitled reader only, and records the view; the
 * service's readers restrict who may; people with no part in it get 404 on every page.
 */

const stores = storeFactory();
const SECRETS = [REPORT.reporterPhone, REPORT.guardianPhone, 'CANARY-DESCRIPTION', 'CANARY-HOSPITAL'];
const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));

async function post(url: string, path: string, who: { cookie: string; csrf: string }, fields: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: who.csrf, ...fields }) });
  return { status: res.status, text: await res.text() };
}

describe.each(STORE_KINDS)('privacy in the pages (%s)', (kind: StoreKind) => {
  it('masks every page but the applicant\'s own; the full view is a recorded POST for readers only; outsiders get 404 (page routes enumerated)', async () => {
    const hall = await privacyHall(stores, kind, { pages: true });
    const people = Object.fromEntries(await Promise.all(['t-wang', 't-chen', 't-zhao', 't-he', 't-it', 't-liu'].map(async (p) => [p, await signIn(hall.url, p)] as const)));
    // A comment with a phone number in it: free text is masked like a declared field.
    const created = await call(hall.url, 'POST', '/api/applications', { ...people['t-wang'], body: { service: 'mental-health-report', data: REPORT } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.application.id as string;
    const taskOf = async (who: string) => ((await call(hall.url, 'GET', '/api/tasks', people[who])).body.tasks as { id: string; application: string }[]).find((t) => t.application === id)!.id;
    const collegeTask = await taskOf('t-chen');
    expect((await call(hall.url, 'POST', `/api/tasks/${collegeTask}/decision`, { ...people['t-chen'], body: { action: 'approve', comment: `已核实，监护人电话 ${REPORT.guardianPhone}` } })).status).toBe(200);
    const centreTask = await taskOf('t-zhao');
    const get = async (path: string, who: string) => {
      const res = await fetch(`${hall.url}${path}`, { headers: { cookie: people[who].cookie }, redirect: 'manual' });
      return { status: res.status, text: await res.text() };
    };

    // Every GET page of the hall (not the JSON API), by everyone: none shows the secrets but the applicant's own.
    const pages = routesOf(hall.app).filter((r) => r.method === 'GET' && !r.url.startsWith('/api/') && !['/healthz', '/readyz', '/metrics', '/openapi.json'].includes(r.url));
    expect(pages.length).toBeGreaterThan(8);
    const fill = (url: string) => url.replace(':lang', 'zh').replace(':service', 'mental-health-report').replace(':id', url.startsWith('/tasks/') ? centreTask : id).replace(':application', id);
    for (const route of pages) {
      for (const who of ['t-chen', 't-zhao', 't-he', 't-it', 't-liu']) {
        const res = await get(fill(route.url), who);
        // The 审批单 is a full view for readers (recorded: GET /applications/:id/record), as in the API's test.
        if (route.url === '/applications/:id/record' && (who === 't-zhao' || who === 't-he')) continue;
        expect(leaks(res.text), `${route.url} as ${who}`).toEqual([]);
      }
    }
    // The approver's task page, as the lead saw it: masked now, with the button for a reader.
    const centrePage = await get(`/tasks/${centreTask}`, 't-zhao');
    expect(centrePage.text).toContain('139****0040');
    expect(centrePage.text).toContain('查看完整信息');
    expect(centrePage.text).toContain('已核实，监护人电话 139****0002');
    // The applicant sees their own in full, with no button and nothing recorded.
    const own = await get(`/applications/${id}`, 't-wang');
    expect(own.text).toContain('CANARY-DESCRIPTION');
    expect(own.text).not.toContain('action="/applications/' + id + '/full"');

    // Outsiders: 404 on every page naming the application or its tasks, GET and the full-view POSTs.
    for (const path of [`/applications/${id}`, `/applications/${id}/record`, `/tasks/${centreTask}`, `/tasks/${collegeTask}`]) expect((await get(path, 't-liu')).status, path).toBe(404);
    for (const path of [`/applications/${id}/full`, `/tasks/${centreTask}/full`]) expect((await post(hall.url, path, people['t-liu'])).status, path).toBe(404);
    // 陈书记 decided a step but is not among the readers: masked, no button, the full view refused (403).
    const chenPage = await get(`/applications/${id}`, 't-chen');
    expect(chenPage.status).toBe(200);
    expect(chenPage.text).not.toContain('查看完整信息');
    const refused = await post(hall.url, `/applications/${id}/full`, people['t-chen']);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('敏感内容只能看到遮盖后的');
    expect(leaks(refused.text)).toEqual([]);
    expect((await post(hall.url, `/tasks/${collegeTask}/full`, people['t-chen'])).status).toBe(403);
    // Without the CSRF token the full view is refused and not recorded.
    expect((await post(hall.url, `/tasks/${centreTask}/full`, { ...people['t-zhao'], csrf: 'wrong' })).status).toBe(403);

    // The reader asks: shown in full, recorded (who, when, which fields, which page), listed for the IT office.
    const full = await post(hall.url, `/tasks/${centreTask}/full`, people['t-zhao']);
    expect(full.status).toBe(200);
    expect(full.text).toContain('CANARY-HOSPITAL');
    expect(full.text).toContain(REPORT.guardianPhone);
    const heFull = await post(hall.url, `/applications/${id}/full`, people['t-he']);
    expect(heFull.text).toContain('CANARY-DESCRIPTION');
    const views = (await call(hall.url, 'GET', `/api/admin/field-views?application=${id}`, people['t-it'])).body.views as { person: string; route: string; fields: string[] }[];
    expect(views.filter((v) => v.route.startsWith('POST')).map((v) => `${v.person} ${v.route}`).sort()).toEqual(['t-he POST /applications/:id/full', 't-zhao POST /tasks/:id/full']);
    expect(views.find((v) => v.person === 't-zhao' && v.route === 'POST /tasks/:id/full')!.fields).toEqual(['description', 'guardianPhone', 'hospital', 'reporterPhone', 'studentPhone']);
    // The IT office's page lists them; anyone else is refused.
    const log = await get('/admin/field-views', 't-it');
    expect(log.status).toBe(200);
    expect(log.text).toContain('POST /tasks/:id/full');
    expect(log.text).toContain('赵老师（学生工作处）');
    expect((await get('/admin/field-views', 't-zhao')).status).toBe(403);
  });
});
