import { describe, expect, it } from 'vitest';
import { call, inProcessHall, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * 公示 over HTTP and in the pages (issue 15.2), on both stores: a 奖学金 approved by the college is published;
 * signed-in members see the 公示 list (the result, never the form) and object by name, through the API or the
 * page's form (CSRF checked); the applicant cannot object; nobody objects twice.
 */
const stores = storeFactory();
const zhang = { id: '2023010101', attributes: { name: '张晓明', number: '2023010101', college: 'jsj', class: 'jsj-2301', type: '本科生', major: '计算机科学与技术', phone: '13800000001' } };
const STATEMENT = '本学年我认真完成各门课程学习，学分绩点 3.82，专业排名第 3；担任班级学习委员，组织课程互助小组 12 次；参加全国大学生数学建模竞赛获省级二等奖，参与校级大学生创新训练项目一项，利用暑期到社区开展信息技术志愿服务 40 小时。';
const data = { studentName: '张晓明', studentNumber: '2023010101', major: '计算机科学与技术', phone: '13800000001', academicYear: '2025-2026学年', scholarshipType: '校级一等奖学金', gpa: 3.82, gradeRank: 3, majorSize: 96, failedCourse: false, statement: STATEMENT };
const form = (fields: Record<string, string>) => ({ raw: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });

describe.each(STORE_KINDS)('公示 over HTTP and in the pages (%s)', (kind) => {
  it('lists the published result to signed-in members and takes their objections, by the API or the page', async () => {
    const { engine, store, url } = await inProcessHall(stores, kind, { pages: true });
    for (const [person, group, scope] of [['p-counselor', 'counselor', 'jsj-2301'], ['p-deputy', 'department-deputy', 'jsj'], ['p-secretary', 'academic-secretary', 'jsj']]) {
      await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [person, group, scope]);
    }
    const submitted = await engine.submit({ service: 'scholarship-application', applicant: zhang, data });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    const id = submitted.application.id;
    for (const person of ['p-counselor', 'p-deputy', 'p-secretary']) {
      const [task] = (await engine.todo(person)).filter((t) => t.application === id);
      expect((await engine.act({ task: task.id, person, action: 'approve' })).ok).toBe(true);
    }
    const li = await signIn(url, '2022020315');
    const list = await call(url, 'GET', '/api/publicity', li);
    expect(list.status).toBe(200);
    expect(list.body.entries).toHaveLength(1);
    expect(list.body.entries[0]).toMatchObject({ application: id, step: 'college-publicity', stepName: { zh: '学院公示' }, applicant: { name: '张晓明', college: 'jsj' } });
    // The result is published, not the application: no student number, no statement.
    expect(list.text).not.toMatch(/2023010101|数学建模|13800000001/);

    const pageText = (await call(url, 'GET', '/publicity', li)).text;
    expect(pageText).toContain('学院公示');
    expect(pageText).toContain(`action="/publicity/${id}/objections"`);
    expect((await call(url, 'GET', '/publicity')).status).toBe(401);
    // The page's form: refused without the session's token; received with it.
    expect((await call(url, 'POST', `/publicity/${id}/objections`, { cookie: li.cookie, ...form({ reason: '竞赛奖项是团队奖', _csrf: 'forged' }) })).status).toBe(403);
    const posted = await call(url, 'POST', `/publicity/${id}/objections`, { cookie: li.cookie, ...form({ reason: '竞赛奖项是团队奖', _csrf: li.csrf }) });
    expect([posted.status, posted.headers.get('location')]).toEqual([303, '/publicity?done=objected']);
    expect((await call(url, 'POST', `/api/applications/${id}/objections`, { ...li, body: { reason: '再提一次' } })).status).toBe(409);

    const own = await signIn(url, '2023010101');
    // The applicant's own page: being published until when; each objection without who raised it.
    const mine = (await call(url, 'GET', `/applications/${id}`, own)).text;
    expect(mine).toContain('公示中，至');
    expect(mine).toContain('期间收到一条异议');
    expect(mine).not.toContain('2022020315');
    expect((await call(url, 'POST', `/api/applications/${id}/objections`, { ...own, body: { reason: '我自己' } })).status).toBe(403);
    expect((await call(url, 'GET', '/publicity', own)).text).toContain('不能对自己提出异议');
    const wang = await signIn(url, 't-wang');
    expect((await call(url, 'POST', `/api/applications/${id}/objections`, { ...wang, body: { reason: '' } })).status).toBe(422);
    expect((await call(url, 'POST', `/api/applications/${id}/objections`, { ...wang, body: { reason: '排名与教务系统不一致' } })).status).toBe(201);
    expect((await engine.events(id)).filter((e) => e.type === 'objected').map((e) => e.person)).toEqual(['2022020315', 't-wang']);
    expect((await call(url, 'GET', `/dev/applications/${id}`, own)).text).toContain('立即结束公示期');
    // The preview ends the period now: the objections lead to the college panel's review at once.
    expect((await call(url, 'POST', `/api/dev/applications/${id}/end-publicity`, own)).status).toBe(200);
    expect((await engine.todo('p-deputy')).filter((t) => t.application === id).map((t) => t.step)).toEqual(['college-recheck']);
    expect((await call(url, 'POST', `/api/dev/applications/${id}/end-publicity`, own)).status).toBe(409);
  });
});
