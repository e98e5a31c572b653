import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';
import { pageSession, startHall } from './hall.ts';

/**
 * Flow shapes beyond a chain, through the pages over plain HTTP: a countersign (会签, both offices must
 * approve, each sees it in 待办), a file uploaded with the form itself (multipart, no script), and a field
 * the approver fills in at a step (course teacher's exam score), judged by the step's schema and shown
 * in the history; a withdrawal while nobody has acted, and a rejection.
 */
const login = (url: string, person: string) => pageSession(url, person);

describe('countersign, uploads, approver-filled fields, withdrawal, rejection', () => {
  it('runs them through the pages', async () => {
    const { url } = await startHall();

    // 会签 with the plan uploaded in the same multipart form as the fields.
    const lead = await login(url, 't-chen');
    const fields: Record<string, string> = {
      'f.unit': 'wxy', 'f.unitCategory': '学院', 'f.leadName': '陈书记', 'f.phone': '13800000009',
      'f.members.0.memberName': '陈书记', 'f.members.0.memberPosition': '副书记', 'f.members.0.memberRank': '副处级',
      'f.members.1.memberName': '林院长', 'f.members.1.memberPosition': '院长', 'f.members.1.memberRank': '正处级',
      'f.allLeadersAway': 'false', 'f.dutyLeader': 'T2011052', 'f.category': '考察学习', 'f.period.start': '2026-03-02', 'f.period.end': '2026-03-03',
      'f.days': '2', 'f.destination': '上海', 'f.purpose': '赴兄弟院校考察学习外语教学改革经验', 'f.funding': '学院经费', _action: 'submit',
    };
    const multipart = new FormData();
    const csrfPage = await lead.get('/apply/collective-leave');
    expect(csrfPage.text).toContain('enctype="multipart/form-data"');
    multipart.append('_csrf', /name="_csrf" value="([^"]+)"/.exec(csrfPage.text)![1]);
    for (const [k, v] of Object.entries(fields)) multipart.append(k, v);
    multipart.append('u.plan', new Blob([readFileSync(path.join(ROOT, 'catalog/zzb/files/collective-leave-sample.pdf'))], { type: 'application/pdf' }), '考察方案.pdf');
    const submitted = await fetch(`${url}/apply/collective-leave`, { method: 'POST', headers: { cookie: (await fetch(`${url}/dev/personas`, { method: 'POST', body: new URLSearchParams({ person: 't-chen' }), redirect: 'manual' })).headers.getSetCookie()[0].split(';')[0] }, body: multipart, redirect: 'manual' });
    // A new session has a new token: the old page's token is refused, and nothing is stored for it.
    expect(submitted.status).toBe(403);
    const again = await fetch(`${url}/apply/collective-leave`, { method: 'POST', headers: { cookie: '' }, body: multipart, redirect: 'manual' });
    expect(again.status).toBe(401);

    const leadCookie = (await fetch(`${url}/dev/personas`, { method: 'POST', body: new URLSearchParams({ person: 't-chen' }), redirect: 'manual' })).headers.getSetCookie()[0].split(';')[0];
    const page = await (await fetch(`${url}/apply/collective-leave`, { headers: { cookie: leadCookie } })).text();
    const good = new FormData();
    good.append('_csrf', /name="_csrf" value="([^"]+)"/.exec(page)![1]);
    for (const [k, v] of Object.entries(fields)) good.append(k, v);
    // A renamed executable is refused by content, as a field error on the page.
    good.append('u.plan', new Blob([Buffer.from('MZ\u0090\u0000 not a pdf at all, an exe')], { type: 'application/pdf' }), 'plan.pdf');
    const refused = await fetch(`${url}/apply/collective-leave`, { method: 'POST', headers: { cookie: leadCookie }, body: good, redirect: 'manual' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('plan.pdf');
    good.delete('u.plan');
    good.append('u.plan', new Blob([readFileSync(path.join(ROOT, 'catalog/zzb/files/collective-leave-sample.pdf'))], { type: 'application/pdf' }), '考察方案.pdf');
    const ok = await fetch(`${url}/apply/collective-leave`, { method: 'POST', headers: { cookie: leadCookie }, body: good, redirect: 'manual' });
    expect(ok.status, await ok.clone().text()).toBe(303);
    const collective = /\/applications\/([^?]+)/.exec(ok.headers.get('location')!)![1];

    const dzb = await login(url, 't-dzb');
    const zzb = await login(url, 't-zzb');
    const dzbTask = await dzb.firstTask();
    const zzbTask = await zzb.firstTask();
    expect(dzbTask && zzbTask && dzbTask !== zzbTask).toBe(true);
    const taskPage = await dzb.get(`/tasks/${dzbTask}`);
    expect(taskPage.text).toContain('/api/attachments/');
    expect((await dzb.post(`/tasks/${dzbTask}`, dzb.form({ action: 'approve', comment: '同意' }))).status).toBe(303);
    // One office approving is not enough: the other still holds its part.
    expect(await zzb.firstTask()).toBe(zzbTask);
    const mid = await lead.get(`/applications/${collective}`);
    expect(mid.text).toContain('当前环节：党委组织部会签');
    expect((await zzb.post(`/tasks/${zzbTask}`, zzb.form({ action: 'approve', comment: '同意' }))).status).toBe(303);
    const after = await lead.get(`/applications/${collective}`);
    expect(after.text).toContain('“党政办公室会签”：<strong>同意</strong>');
    expect(after.text).toContain('“党委组织部会签”：<strong>同意</strong>');
    expect(after.text).toContain('分管校领导审批');

    // 审批人填写的字段: the course teacher enters the exam score.
    const student = await login(url, '2022020315');
    const exemption = await student.post('/apply/course-exemption', student.form({
      'f.studentName': '李雨桐', 'f.studentNumber': '2022020315', 'f.major': '英语', 'f.phone': '13800000002', 'f.term': '2025-2026学年第二学期', 'f.courseCode': 'ENG2031', 'f.courseName': '高级英语写作', 'f.credits': '2',
      'f.teachingCollege': 'wxy', 'f.teacher': 'T2011052', 'f.courseNature': '选修课', 'f.exemptionType': '参加免修考核', 'f.statement': '已自学完成全部课程内容，申请参加免修考核', _action: 'submit',
    }));
    expect(exemption.status, exemption.text.slice(0, 3000)).toBe(303);
    const exemptionId = /\/applications\/([^?]+)/.exec(exemption.location)![1];
    const secretary = await login(url, 't-sec');
    expect((await secretary.post(`/tasks/${await secretary.firstTask()}`, secretary.form({ action: 'approve' }))).status).toBe(303);
    const teacher = await login(url, 'T2011052');
    const teacherTask = await teacher.firstTask();
    const form = await teacher.get(`/tasks/${teacherTask}`);
    expect(form.text).toContain('本环节填写');
    expect(form.text).toContain('name="f.examScore"');
    const bad = await teacher.post(`/tasks/${teacherTask}`, teacher.form({ action: 'approve', 'f.examScore': '150' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('免修考核成绩');
    expect((await teacher.post(`/tasks/${teacherTask}`, teacher.form({ action: 'approve', 'f.examScore': '92' }))).status).toBe(303);
    const shown = await student.get(`/applications/${exemptionId}`);
    expect(shown.text).toContain('免修考核成绩：92');

    // Withdrawal while nobody has acted; then no second withdrawal.
    const leave = { 'f.studentName': '李雨桐', 'f.studentNumber': '2022020315', 'f.phone': '13800000002', 'f.leaveType': '事假', 'f.period.start': '2026-03-09', 'f.period.end': '2026-03-09', 'f.days': '1', 'f.leaveCampus': 'false', 'f.reason': '家中有事需要处理', _action: 'submit' };
    const w = await student.post('/apply/student-leave', student.form(leave));
    const wid = /\/applications\/([^?]+)/.exec(w.location)![1];
    expect((await student.get(`/applications/${wid}`)).text).toContain('撤回申请');
    expect((await student.post(`/applications/${wid}/withdraw`, student.form({}))).status).toBe(303);
    const withdrawn = await student.get(`/applications/${wid}`);
    expect(withdrawn.text).toContain('已撤回');
    expect(withdrawn.text).not.toContain('撤回申请</button>');
    expect((await student.post(`/applications/${wid}/withdraw`, student.form({}))).status).toBe(409);

    // Rejection needs a reason; then the student sees it and may rate.
    const r = await student.post('/apply/student-leave', student.form(leave));
    const rid = /\/applications\/([^?]+)/.exec(r.location)![1];
    const counselor = await login(url, 't-wang');
    const rt = await counselor.firstTask();
    const noReason = await counselor.post(`/tasks/${rt}`, counselor.form({ action: 'reject' }));
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('请写明原因');
    expect((await counselor.post(`/tasks/${rt}`, counselor.form({ action: 'reject', comment: '理由不充分' }))).status).toBe(303);
    const rejected = await student.get(`/applications/${rid}`);
    expect(rejected.text).toContain('已办结（未通过）');
    expect(rejected.text).toContain('理由不充分');
    expect(rejected.text).toContain('name="rating"');
    expect((await student.post(`/applications/${rid}/evaluate`, student.form({ rating: '很好' }))).status).toBe(422);
    expect((await student.post(`/applications/${rid}/evaluate`, student.form({ rating: '不满意', comment: '希望说明更具体' }))).status).toBe(303);
    expect((await student.post(`/applications/${rid}/evaluate`, student.form({ rating: '满意' }))).status).toBe(409);
  }, 180_000);

  it('books an appointment slot through the form, and refuses the slot once its one place is taken', async () => {
    const { url } = await startHall();
    const date = new Date(Date.now() + 12 * 86_400_000).toISOString().slice(0, 10);
    // The applicant's name is prefilled read-only from the directory: the form posts what the page holds.
    const prefilled = (page: string, name: string) => {
      const input = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(page)?.[0] ?? '';
      return /value="([^"]*)"/.exec(input)?.[1] ?? '';
    };
    const book = async (person: string, eventName: string) => {
      const cookie = (await fetch(`${url}/dev/personas`, { method: 'POST', body: new URLSearchParams({ person }), redirect: 'manual' })).headers.getSetCookie()[0].split(';')[0];
      const page = await (await fetch(`${url}/apply/theatre-booking`, { headers: { cookie } })).text();
      expect(page).toContain('name="b.resource"');
      expect(page).toContain('<option value="14:00-17:30">');
      const form = new FormData();
      form.append('_csrf', /name="_csrf" value="([^"]+)"/.exec(page)![1]);
      const fields: Record<string, string> = { 'b.resource': 'black-box', 'b.date': date, 'b.slot': '14:00-17:30', 'f.applicantName': prefilled(page, 'f.applicantName'), 'f.unit': 'wxy', 'f.phone': '13800000009', 'f.eventName': eventName, 'f.eventType': '排练', 'f.audienceSize': '30', 'f.hasExternalGuests': 'false', 'f.safetyOfficer': '陈书记', _action: 'submit' };
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('u.eventPlan', new Blob([readFileSync(path.join(ROOT, 'catalog/zzb/files/collective-leave-sample.pdf'))], { type: 'application/pdf' }), '活动方案.pdf');
      const res = await fetch(`${url}/apply/theatre-booking`, { method: 'POST', headers: { cookie }, body: form, redirect: 'manual' });
      return { status: res.status, text: await res.text(), location: res.headers.get('location') ?? '', cookie };
    };
    const first = await book('t-chen', '外语戏剧节彩排');
    expect(first.status, first.text.slice(0, 2000)).toBe(303);
    const shown = await (await fetch(`${url}${first.location}`, { headers: { cookie: first.cookie } })).text();
    expect(shown).toContain(`${date} 14:00-17:30`);
    const second = await book('t-wang', '班级话剧排练');
    expect(second.status).toBe(422);
    expect(second.text).toContain('id="b-slot-err"');
    expect(second.text).toMatch(/约满|已被预约|没有空位/);
  }, 120_000);
});
