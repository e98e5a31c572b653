import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { LoadedRuntime, RuntimeDefinition } from '../../lib/runtime/index.ts';
import { ROOT } from '../helpers/cli.ts';

/**
 * System steps in the reference interpreter (issue 15.3), on the example catalog's 学生请假审批: a leave off
 * campus syncs the door system after the counselor approves. A scenario's call succeeds; a live run waits
 * for the runtime to record the call's success; the payload is the step's FEEL on the typed form data.
 */
let runtime: LoadedRuntime;
let leave: RuntimeDefinition;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
  leave = runtime.current('student-leave');
});

const applicant = { name: '张晓明', number: '2023010101', college: 'jsj', class: 'jsj-2301', type: '本科生' };
const data = { studentName: '张晓明', studentNumber: '2023010101', phone: '13800000001', leaveType: '事假', period: { start: '2026-03-03', end: '2026-03-04' }, days: 2, leaveCampus: true, destination: '湖南长沙', reason: '回家参加亲属婚礼' };
const service = { id: 'student-leave', name: '学生请假审批' };
const submittedAt = '2026-03-02T09:00:00+08:00';
const cancelLeave = { step: 'cancel-leave', action: 'complete' as const, at: '2026-03-05T08:00:00+08:00', data: { returnedOn: '2026-03-04' } };

describe('system steps in the interpreter', () => {
  it('a scenario: the call succeeds, the step is on the path after a called entry', () => {
    // After the door sync the student's own 销假 (issue 15.1) ends the leave.
    const result = runWorkflow(leave, runtime.calendar, { applicant, data, decisions: [{ step: 'counselor-review', action: 'approve' }, cancelLeave], submittedAt, service });
    expect(result.outcome).toBe('approved');
    expect(result.path).toEqual(['counselor-review', 'door-sync', 'cancel-leave']);
    expect(result.timeline.filter((t) => t.step === 'door-sync').map((t) => t.type)).toEqual(['called', 'acted']);
    expect(result.calling).toBeUndefined();
  });

  it('a live run waits on the call, with the payload mapped from the form and the applicant, and no task for anyone', () => {
    const result = runWorkflow(leave, runtime.calendar, { applicant, data, decisions: [{ step: 'counselor-review', action: 'approve' }], submittedAt, service, live: true });
    expect(result.outcome).toBe('pending');
    expect(result.waiting).toEqual([]);
    expect(result.problem?.zh).toBe('系统处理中：同步门禁');
    expect(result.calling).toEqual({ step: 'door-sync', connector: 'door-access', path: '/leave-permits', payload: { number: '2023010101', from: '2026-03-03', until: '2026-03-04', destination: '湖南长沙' }, retries: 5, timeoutSeconds: 10 });
    const recorded = runWorkflow(leave, runtime.calendar, { applicant, data, decisions: [{ step: 'counselor-review', action: 'approve' }, { step: 'door-sync', action: 'approve', at: '2026-03-02T10:00:00+08:00' }], submittedAt, service, live: true });
    // Recorded: the call is done and the leave waits for the student's 销假, which starts when the call was recorded.
    expect(recorded.outcome).toBe('pending');
    expect(recorded.calling).toBeUndefined();
    expect(recorded.waiting.map((w) => w.step)).toEqual(['cancel-leave']);
    expect(recorded.timeline.filter((t) => t.step === 'door-sync').at(-1)).toMatchObject({ type: 'acted', at: '2026-03-02T10:00:00+08:00' });
  });

  it('a leave on campus does not call: the branch skips the step', () => {
    const result = runWorkflow(leave, runtime.calendar, { applicant, data: { ...data, leaveCampus: false, destination: undefined }, decisions: [{ step: 'counselor-review', action: 'approve' }], submittedAt, service, live: true });
    expect(result.outcome).toBe('approved');
    expect(result.path).toEqual(['counselor-review']);
  });

  it('only success can be recorded for a system step', () => {
    const result = runWorkflow(leave, runtime.calendar, { applicant, data, decisions: [{ step: 'counselor-review', action: 'approve' }, { step: 'door-sync', action: 'reject' }], submittedAt, service });
    expect(result.outcome).toBe('error');
    expect(result.problem?.en).toMatch(/records only "approve"/);
  });

  it('a payload beyond the FEEL budget stops the run with the reason, as a condition does', () => {
    const broken: RuntimeDefinition = structuredClone(leave);
    const branch = broken.workflow!.steps.find((n) => n.id === 'leaves-campus');
    if (branch?.kind !== 'branch' || branch.then[0].kind !== 'step') throw new Error('the example leave has no door sync');
    branch.then[0].system!.payload = { until: 'for i in 1..100000000 return i' };
    const result = runWorkflow(broken, runtime.calendar, { applicant, data, decisions: [{ step: 'counselor-review', action: 'approve' }], submittedAt, service });
    expect(result.outcome).toBe('error');
    expect(result.problem?.zh).toContain('系统环节“door-sync”发送的“until”');
  });
});
