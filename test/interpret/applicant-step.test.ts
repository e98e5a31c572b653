import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { ROOT } from '../helpers/cli.ts';

/**
 * Applicant steps (issue 15.1) on the reference interpreter, with the example catalog's 学生请假 and its
 * 销假: due `deadline` work days after the later of the step's start and the leave's last day; the
 * applicant's task (never a group's); `complete` its only decision, with the step's required fields; late
 * completion is marked overdue and the applicant told; the application is approved only after it.
 */
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

const applicant = { name: '张晓明', number: '2023010101', college: 'jsj', class: 'jsj-2301', type: '本科生' };
// Off campus (leaveCampus): only such a leave has a 销假 (004号文附件4 “请销假”).
const leave = (start: string, end: string, days: number) => ({ studentName: '张晓明', studentNumber: '2023010101', phone: '13800000001', leaveType: '事假', period: { start, end }, days, leaveCampus: true, destination: '北京', reason: '参加全国大学生数学竞赛' });
const run = (data: Record<string, unknown>, decisions: Decision[], submittedAt = '2026-03-02T09:00:00+08:00') =>
  runWorkflow(runtime.current('student-leave'), runtime.calendar, { applicant, data, decisions, submittedAt, service: { id: 'student-leave', name: '学生请假审批' } });
const approve: Decision = { step: 'counselor-review', action: 'approve' };

describe('applicant steps on the interpreter', () => {
  it('after approval the run waits for the applicant, due the first work day after the leave ends', () => {
    // A leave ending Friday 6 March: 销假 is due Monday the 9th.
    const result = run(leave('2026-03-05', '2026-03-06', 2), [approve]);
    expect(result.outcome).toBe('pending');
    expect(result.waiting).toEqual([{ step: 'cancel-leave', name: '销假', assignee: 'applicant', actions: ['complete'] }]);
    expect(result.timeline.at(-1)).toMatchObject({ type: 'assigned', step: 'cancel-leave', assignee: 'applicant', due: '2026-03-09' });
    expect(result.assignees['cancel-leave']).toBeUndefined();
    expect(result.notifications.at(-1)).toEqual({ event: 'assigned', to: 'applicant:张晓明', text: '张晓明同学，您2天的请假已批准。假期结束返校后，请在2026-03-09前到“我的申请”中销假。' });
  });

  it('a leave that ended before the step starts counts from the step\'s start', () => {
    const result = run(leave('2026-02-26', '2026-02-27', 2), [approve]);
    expect(result.timeline.at(-1)).toMatchObject({ step: 'cancel-leave', due: '2026-03-03' });
  });

  it('completing needs the step\'s required field; no other decision is allowed', () => {
    const data = leave('2026-03-03', '2026-03-03', 1);
    expect(run(data, [approve, { step: 'cancel-leave', action: 'complete' }])).toMatchObject({ outcome: 'invalid', fieldErrors: [{ field: 'returnedOn' }] });
    expect(run(data, [approve, { step: 'cancel-leave', action: 'approve', data: { returnedOn: '2026-03-03' } }])).toMatchObject({ outcome: 'error' });
    const done = run(data, [approve, { step: 'cancel-leave', action: 'complete', data: { returnedOn: '2026-03-03' } }]);
    expect(done.outcome).toBe('approved');
    expect(done.path).toEqual(['counselor-review', 'door-sync', 'cancel-leave']); // a leave off campus: the door sync, then 销假
    expect(done.timeline.filter((t) => t.type === 'acted').map((t) => [t.step, t.action])).toEqual([['counselor-review', 'approve'], ['door-sync', 'approve'], ['cancel-leave', 'complete']]);
    expect(done.notifications.at(-1)).toMatchObject({ event: 'approved', text: '张晓明同学，您的请假已办结。' });
  });

  it('a late 销假 is marked overdue at the end of its due day and the applicant is told', () => {
    const data = leave('2026-03-03', '2026-03-03', 1);
    const late = run(data, [approve, { step: 'cancel-leave', action: 'complete', at: '2026-03-06T10:00:00+08:00', data: { returnedOn: '2026-03-05' } }]);
    expect(late.outcome).toBe('approved');
    expect(late.timeline.filter((t) => t.type === 'overdue')).toEqual([{ type: 'overdue', at: '2026-03-04T23:59:59+08:00', step: 'cancel-leave', stepName: '销假', assignee: 'applicant', due: '2026-03-04' }]);
    expect(late.notifications.filter((n) => n.event === 'overdue')).toEqual([{ event: 'overdue', to: 'applicant:张晓明', text: '张晓明同学，您的请假已于2026-03-04到期仍未销假，请立即销假并与辅导员联系。' }]);
  });
});
