import { describe, expect, it } from 'vitest';
import { pageSession, startHall } from './hall.ts';

/**
 * 依次审批 (`parallel: sequence`, issue 15 item 4) through the hall's pages over plain HTTP, on the example
 * catalog's 本科课程教材选用审批: a teacher applies; 教学秘书, 教学副院长 and 教务处 each get the task only once
 * the one before approved, and each sees the earlier decisions and comments on the task page.
 */
const login = (url: string, person: string) => pageSession(url, person, '/apply/textbook-selection');

describe('依次审批 through the pages', () => {
  it('gives the members their tasks one after another; each sees the earlier comments', async () => {
    const { url } = await startHall();
    const teacher = await login(url, 'T2011052');
    const applied = await teacher.post('/apply/textbook-selection', {
      'f.teacherName': '周老师（任课教师）', 'f.teacherUnit': 'wxy', 'f.term': '2026-2027学年第一学期', 'f.courseName': '高级英语写作', 'f.classes': '英语2401-2402', 'f.copies': '60',
      'f.bookTitle': '高级英语写作教程', 'f.isbn': '9787560000001', 'f.origin': '国内出版', 'f.reason': '国家级规划教材，写作训练体系完整，与课程教学大纲一致。', _action: 'submit',
    });
    expect(applied.status, applied.text.slice(0, 2000)).toBe(303);
    const id = /\/applications\/([^?]+)/.exec(applied.location)![1];

    const secretary = await login(url, 't-sec');
    const deputy = await login(url, 't-chen');
    const jwc = await login(url, 't-jwc');
    // Only the first member has a task.
    const first = await secretary.firstTask();
    expect(first).toBeDefined();
    expect(await deputy.firstTask()).toBeUndefined();
    expect(await jwc.firstTask()).toBeUndefined();
    expect((await secretary.post(`/tasks/${first}`, { action: 'approve', comment: '征订数量与选课人数一致' })).status).toBe(303);

    // Now the second, who sees the first one's decision and comment before deciding.
    const second = await deputy.firstTask();
    expect(second).toBeDefined();
    expect(await jwc.firstTask()).toBeUndefined();
    const page = await deputy.get(`/tasks/${second}`);
    expect(page.text).toContain('征订数量与选课人数一致');
    expect(page.text).toContain('“学院教学秘书初审”：<strong>同意</strong>');
    expect((await teacher.get(`/applications/${id}`)).text).toContain('当前环节：学院教学副院长审核');
    expect((await deputy.post(`/tasks/${second}`, { action: 'approve', comment: '教材适用' })).status).toBe(303);

    const third = await jwc.firstTask();
    const jwcPage = await jwc.get(`/tasks/${third}`);
    expect(jwcPage.text).toContain('征订数量与选课人数一致');
    expect(jwcPage.text).toContain('教材适用');
    expect((await jwc.post(`/tasks/${third}`, { action: 'approve' })).status).toBe(303);
    // A textbook published at home: the 宣传统战部 member does not take part; the application is done.
    expect((await teacher.get(`/applications/${id}`)).text).toContain('已办结（通过）');
  }, 180_000);
});
