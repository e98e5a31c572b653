import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli.ts';
import { describe, expect, it } from 'vitest';
import { pageSession, startHall } from './hall.ts';
import type { PageSession } from './hall.ts';

/**
 * The pages under attack, as plain HTTP (no browser needed to forge a request): another person's
 * application or task (IDOR) is a 404 page, a form without the session's CSRF token is refused, typed
 * markup comes back escaped on every page that shows it, the dev persona picker does not exist without
 * --dev; and every page kind stays within the weight budget, loads nothing from another origin and has
 * no script.
 */
const XSS = `<script>alert(1)</script><img src=x onerror=alert(2)>`;

type Session = PageSession;
const session = (url: string, person: string): Promise<Session> => pageSession(url, person);

const LEAVE = (reason: string) => ({ 'f.studentName': '李雨桐', 'f.studentNumber': '2022020315', 'f.phone': '13800000002', 'f.leaveType': '病假', 'f.period.start': '2026-03-02', 'f.period.end': '2026-03-03', 'f.days': '2', 'f.leaveCampus': 'false', 'f.reason': reason, _action: 'submit' });

describe('the pages refuse what they must', () => {
  it('IDOR, CSRF, escaping, budget and origin on every page kind', async () => {
    const { url } = await startHall();
    const student = await session(url, '2022020315');
    const other = await session(url, '2023010101');
    const counselor = await session(url, 't-wang');
    const foreignCounselor = await session(url, 't-liu');

    // CSRF: without the token, or with another session's, nothing is submitted.
    expect((await student.post('/apply/student-leave', LEAVE(`请假 ${XSS}`), null)).status).toBe(403);
    expect((await student.post('/apply/student-leave', LEAVE(`请假 ${XSS}`), await other.csrf())).status).toBe(403);
    expect((await student.get('/applications')).text).not.toContain('办理中');

    const submitted = await student.post('/apply/student-leave', LEAVE(`急性肠胃炎 ${XSS}`));
    expect(submitted.status).toBe(303);
    const id = /\/applications\/([^?]+)/.exec(submitted.location!)![1];
    const tasks = await counselor.get('/tasks');
    const taskId = /href="\/tasks\/([^"]+)"/.exec(tasks.text)![1];

    // IDOR: another student, another class's counselor: the same 404 as for an id that does not exist.
    for (const [who, path] of [[other, `/applications/${id}`], [foreignCounselor, `/applications/${id}`], [foreignCounselor, `/tasks/${taskId}`], [student, `/tasks/${taskId}`], [other, '/applications/nope'], [other, `/tasks/nope`]] as const) {
      expect((await who.get(path)).status, `${who.cookie} ${path}`).toBe(404);
    }
    expect((await other.post(`/applications/${id}/withdraw`, {})).status).toBe(404);
    expect((await other.post(`/applications/${id}/evaluate`, { rating: '满意' })).status).toBe(404);
    expect((await other.post(`/applications/${id}/resubmit`, {})).status).toBe(404);
    expect((await foreignCounselor.post(`/tasks/${taskId}`, { action: 'approve' })).status).toBe(404);
    // The counselor may look at the application (it is in their to-do) but not withdraw it.
    expect((await counselor.get(`/applications/${id}`)).status).toBe(200);
    expect((await counselor.post(`/applications/${id}/withdraw`, {})).status).toBe(404);
    // A decision without the token is refused; the task stays open.
    expect((await counselor.post(`/tasks/${taskId}`, { action: 'approve' }, null)).status).toBe(403);
    expect((await counselor.get('/tasks')).text).toContain(`/tasks/${taskId}`);

    // XSS: the typed markup is text on every page that shows it.
    for (const [who, path] of [[student, `/applications/${id}`], [counselor, `/tasks/${taskId}`], [counselor, `/applications/${id}`]] as const) {
      const page = await who.get(path);
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
      expect(page.text).not.toContain(XSS);
    }
    const returned = await counselor.post(`/tasks/${taskId}`, { action: 'return', comment: `补充材料 ${XSS}` });
    expect(returned.status).toBe(303);
    const back = await student.get(`/applications/${id}`);
    expect(back.text).toContain('补充材料 &lt;script&gt;');
    expect(back.text).not.toContain(XSS);
    // The typed value of a re-shown form (an invalid resubmission) is escaped in its attribute too.
    const invalid = await student.post(`/applications/${id}/resubmit`, { ...LEAVE('x'), 'f.phone': `"><script>alert(3)</script>` });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('value="&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"');
    // Every link of an error summary leads to a control on the page (radio groups and date ranges included).
    const { 'f.leaveCampus': _campus, 'f.period.start': _start, ...incomplete } = LEAVE('x');
    const errorPage = await student.post('/apply/student-leave', incomplete);
    expect(errorPage.status).toBe(422);
    const targets = [...errorPage.text.matchAll(/<li><a href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets).toEqual(expect.arrayContaining(['f-leaveCampus', 'f-period', 'f-reason']));
    for (const target of targets) expect(errorPage.text, target).toContain(`id="${target}"`);

    // Every page kind: no script, nothing from another origin, HTML + CSS within 30 KB gzipped.
    const css = (await student.get('/applications')).text.match(/href="(\/assets\/hall-[0-9a-f]+\.css)"/)![1];
    const cssRes = await student.get(css);
    expect(cssRes.status).toBe(200);
    const cssGz = gzipSync(cssRes.text).length;
    const kinds: [Session, string][] = [[student, '/'], [student, '/apply/student-leave'], [student, '/applications'], [student, `/applications/${id}`], [counselor, '/tasks'], [counselor, '/tasks?view=done'], [student, '/dev/personas'], [student, '/apply/collective-leave'], [student, '/apply/theatre-booking']];
    const weights: Record<string, number> = {};
    for (const [who, path] of kinds) {
      const page = await who.get(path);
      expect(page.status, path).toBeLessThan(500);
      expect(/<script|<[^>]*\son[a-z]+\s*=/i.exec(page.text)?.[0], path).toBeUndefined();
      for (const [, ref] of page.text.matchAll(/(?:href|src|action)="([^"]*)"/g)) expect(ref, `${path}: ${ref}`).toMatch(/^(\/(?!\/)|#|data:,$)/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'none'");
      weights[path] = gzipSync(page.text).length + cssGz;
      expect(weights[path], path).toBeLessThanOrEqual(30 * 1024);
    }
    console.log('gzipped HTML+CSS per page kind (bytes):', JSON.stringify(weights), 'CSS alone:', cssGz);
  }, 120_000);

  // --- issue 14.6 / 14.4: 代理申请 and the privacy pages (a contiguous block) ---
  it('shows typed markup as text on every page that shows it, the proxy and privacy pages included (pages enumerated)', async () => {
    const { url } = await startHall();
    const office = await session(url, 't-zhao');
    const student = await session(url, '2022020315');
    const counselor = await session(url, 't-wang');
    const it = await session(url, 't-it');
    const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;';
    // Every free-text field of the form, applied for by the office. A readonly prefilled one posted as typed is
    // refused at the field (it must equal the directory), and the refusal shows the typed text escaped.
    const { _action: _a, ...fields } = LEAVE(`住院 ${XSS}`);
    const forged = await office.post('/proxy/student-leave', { ...fields, person: '2022020315', 'f.studentName': `李雨桐${XSS}`, 'f.leaveCampus': 'true', 'f.destination': `武汉 ${XSS}` });
    expect(forged.status).toBe(422);
    expect(forged.text).toContain('不能修改');
    expect(forged.text).not.toContain(XSS);
    const sent = await office.post('/proxy/student-leave', { ...fields, person: '2022020315', 'f.leaveCampus': 'true', 'f.destination': `武汉 ${XSS}` });
    expect(sent.status, sent.text).toBe(303);
    const id = /\/applications\/([^?]+)/.exec(sent.location!)![1];
    const taskId = /href="\/tasks\/([^"]+)"/.exec((await counselor.get('/tasks')).text)![1];
    // Opinions are text too: a decision's comment and an evaluation's.
    expect((await counselor.post(`/tasks/${taskId}`, { action: 'reject', comment: `不符合 ${XSS}` })).status).toBe(303);
    expect((await student.post(`/applications/${id}/evaluate`, { rating: '满意', comment: `好 ${XSS}` })).status).toBe(303);
    // The full view is a page too (recorded): the counselor asks for it.
    const full = await counselor.post(`/applications/${id}/full`, {});
    const pages: [Session, string, string][] = [
      [student, '/applications', 'GET'],
      [student, `/applications/${id}`, 'GET'],
      [student, `/applications/${id}/record`, 'GET'],
      [counselor, '/tasks', 'GET'],
      [counselor, '/tasks?view=done', 'GET'],
      [counselor, `/tasks/${taskId}`, 'GET'],
      [counselor, `/applications/${id}`, 'GET'],
      [office, '/proxy', 'GET'],
      [office, `/applications/${id}`, 'GET'],
      [office, `/proxy/student-leave?person=${encodeURIComponent(XSS)}`, 'GET'],
      [it, '/admin/field-views', 'GET'],
    ];
    const shown: string[] = [];
    for (const [who, path] of pages) {
      const page = await who.get(path);
      expect(page.status, path).toBeLessThan(500);
      expect(page.text, path).not.toContain(XSS);
      // Quoted attribute values hold escaped text (a typed " onerror=" inside one is not an attribute).
      expect(/<script|<[^>]*\son[a-z]+\s*=/i.exec(page.text.replace(/="[^"]*"/g, '=""'))?.[0], path).toBeUndefined();
      if (page.text.includes(escaped)) shown.push(path);
    }
    expect(full.text).not.toContain(XSS);
    expect(full.text).toContain(`武汉 ${escaped}`);
    // Where the typed text is shown at all, it is shown escaped: the application, task, record and the person form.
    expect(shown).toEqual(expect.arrayContaining([`/applications/${id}`, `/applications/${id}/record`, `/tasks/${taskId}`, `/proxy/student-leave?person=${encodeURIComponent(XSS)}`]));
    // The new pages stay in the budget with no outside request.
    for (const [who, path] of [[office, '/proxy'], [office, '/proxy/student-leave?person=2022020315'], [it, '/admin/field-views']] as const) {
      const page = await who.get(path);
      expect(page.status, path).toBe(200);
      for (const [, ref] of page.text.matchAll(/(?:href|src|action)="([^"]*)"/g)) expect(ref, `${path}: ${ref}`).toMatch(/^(\/(?!\/)|#|data:,$)/);
      expect(gzipSync(page.text).length, path).toBeLessThanOrEqual(20 * 1024);
    }
  }, 120_000);

  it('has no persona picker or preview banner without --dev, and a link service sends to its system', async () => {
    const { url } = await startHall([], false);
    expect((await fetch(`${url}/dev/personas`)).status).toBe(404);
    const login = await fetch(`${url}/dev/personas`, { method: 'POST', body: new URLSearchParams({ person: 't-wang' }), redirect: 'manual' });
    expect(login.status).toBe(404);
    expect(login.headers.getSetCookie()).toEqual([]);
    const home = await (await fetch(`${url}/`)).text();
    expect(home).not.toContain('preview');
    expect(home).not.toContain('/dev/personas');
    // A form page asks for sign-in.
    expect((await fetch(`${url}/apply/student-leave`)).status).toBe(401);
    // A link service: the hall's page sends the reader to the external system.
    const link = await fetch(`${url}/apply/oa-system`, { redirect: 'manual' });
    expect(link.status).toBe(302);
    expect(link.headers.get('location')).toBe('https://oa.example.edu.cn');
    // The guide's 在线办理 button is hall.yaml's urls.hall with the service id: on the hall's own address
    // (urls.runtime) it is the form page, which asks a visitor to sign in rather than answering 404.
    const { urls } = parse(readFileSync(path.join(ROOT, 'catalog/hall.yaml'), 'utf8')) as { urls: { hall: string; runtime: string } };
    expect(urls.hall.startsWith(urls.runtime)).toBe(true);
    const button = urls.hall.slice(urls.runtime.length).replace('{id}', 'student-leave');
    const reached = await fetch(`${url}${button}`);
    expect(reached.status).toBe(401);
    expect(await reached.text()).toContain('请先登录');
    expect((await fetch(`${url}/apply/no-such-service`)).status).toBe(401);
  }, 60_000);
});
