import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import type { RuntimeDefinition, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { ROOT } from '../helpers/cli.ts';

/**
 * Approver actions (issue 15.6) on the reference interpreter: 转办, 加签 before and after, 委派 and its
 * hand-back, 抄送. 学生请假's counselor step is given the actions; everything else is the compiled example.
 */
const manifest = JSON.parse(readFileSync(`${ROOT}/generated/runtime/manifest.json`, 'utf8'));
const calendar = new WorkCalendar(JSON.parse(readFileSync(`${ROOT}/generated/runtime/calendar.json`, 'utf8')));
const entry = manifest.services.find((s: { id: string }) => s.id === 'student-leave');
const base: RuntimeDefinition = JSON.parse(readFileSync(`${ROOT}/generated/runtime/${entry.versions.at(-1).file}`, 'utf8'));

function withCounselor(patch: Partial<RuntimeStep>): RuntimeDefinition {
  const definition = structuredClone(base);
  const step = definition.workflow!.steps[0] as RuntimeStep;
  Object.assign(step, patch);
  return definition;
}

const applicant = { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' };
const data = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '事假', period: { start: '2026-03-03', end: '2026-03-04' }, days: 2, leaveCampus: false, reason: '回家参加亲属婚礼' };
const ALL: RuntimeStep['actions'] = ['approve', 'reject', 'return', 'transfer', 'add-approver', 'delegate'];

function run(definition: RuntimeDefinition, decisions: Decision[]) {
  return runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'student-leave', name: '学生请假' } });
}

describe('approver actions on the reference interpreter', () => {
  it('转办: the transferee holds the task, keeps its due date, and is told; the path has one decision', () => {
    const definition = withCounselor({ actions: ALL });
    const waiting = run(definition, [{ step: 'counselor-review', action: 'transfer', to: 't-counselor-2', comment: '我出差，请王老师办理' }]);
    expect(waiting.outcome).toBe('pending');
    expect(waiting.waiting).toEqual([expect.objectContaining({ step: 'counselor-review', person: 't-counselor-2', assignee: 'counselor@wxy-2203' })]);
    expect(waiting.timeline.at(-1)).toMatchObject({ type: 'transferred', to: 't-counselor-2', comment: '我出差，请王老师办理' });
    expect(waiting.notifications.at(-1)).toMatchObject({ event: 'assigned', to: 'person:t-counselor-2' });
    const done = run(definition, [{ step: 'counselor-review', action: 'transfer', to: 't-counselor-2' }, { step: 'counselor-review', action: 'approve' }]);
    expect(done.outcome).toBe('approved');
    expect(done.path).toEqual(['counselor-review']);
    expect(done.timeline.find((t) => t.type === 'acted')).toMatchObject({ person: 't-counselor-2', action: 'approve' });
  });

  it('加签 before: the added approver decides first, then the task comes back; their rejection ends the application', () => {
    const definition = withCounselor({ actions: ALL });
    const back = run(definition, [{ step: 'counselor-review', action: 'add-approver', to: 't-teacher', position: 'before' }, { step: 'counselor-review', action: 'approve', comment: '情况属实' }]);
    expect(back.outcome).toBe('pending');
    expect(back.path).toEqual([]);
    expect(back.waiting[0]).not.toHaveProperty('person');
    expect(back.waiting[0].actions).toEqual(ALL);
    const rejected = run(definition, [{ step: 'counselor-review', action: 'add-approver', to: 't-teacher' }, { step: 'counselor-review', action: 'reject', comment: '不属实' }]);
    expect(rejected.outcome).toBe('rejected');
  });

  it('加签 after: I approve, the added approver passes the step', () => {
    const definition = withCounselor({ actions: ALL });
    const waiting = run(definition, [{ step: 'counselor-review', action: 'add-approver', to: 't-teacher', position: 'after' }]);
    expect(waiting.waiting[0]).toMatchObject({ person: 't-teacher', actions: ['approve', 'reject'] });
    const done = run(definition, [{ step: 'counselor-review', action: 'add-approver', to: 't-teacher', position: 'after' }, { step: 'counselor-review', action: 'approve' }]);
    expect(done.outcome).toBe('approved');
    expect(done.path).toEqual(['counselor-review']);
  });

  it('委派: the delegate can only hand back; the holder decides', () => {
    const definition = withCounselor({ actions: ALL });
    const delegated = run(definition, [{ step: 'counselor-review', action: 'delegate', to: 't-assistant' }, { step: 'counselor-review', action: 'approve' }]);
    expect(delegated.outcome).toBe('error');
    const back = run(definition, [{ step: 'counselor-review', action: 'delegate', to: 't-assistant' }, { step: 'counselor-review', action: 'resolve', comment: '已核实' }]);
    expect(back.outcome).toBe('pending');
    expect(back.timeline.at(-1)).toMatchObject({ type: 'resolved', person: 't-assistant', comment: '已核实' });
    expect(back.waiting[0]).not.toHaveProperty('person');
  });

  it('a step that does not allow a hand-over refuses it; a hand-over needs its person', () => {
    expect(run(withCounselor({ actions: ['approve', 'reject', 'return'] }), [{ step: 'counselor-review', action: 'transfer', to: 't-counselor-2' }]).outcome).toBe('error');
    const noPerson = run(withCounselor({ actions: ALL }), [{ step: 'counselor-review', action: 'transfer' }]);
    expect(noPerson.outcome).toBe('error');
    expect(noPerson.problem?.zh).toMatch(/交给谁/);
  });

  it('a task passed on late is overdue once', () => {
    const r = run(withCounselor({ actions: ALL }), [
      { step: 'counselor-review', action: 'transfer', to: 't-counselor-2', at: '2026-03-05T10:00:00+08:00' },
      { step: 'counselor-review', action: 'approve', at: '2026-03-06T10:00:00+08:00' },
    ]);
    expect(r.timeline.filter((t) => t.type === 'overdue')).toHaveLength(1);
  });

  it('抄送: an approved step copies its cc group@scope, with no task; a rejected one does not', () => {
    const definition = withCounselor({ cc: [{ group: 'office-staff', scope: 'applicant.college' }] });
    const r = run(definition, [{ step: 'counselor-review', action: 'approve' }]);
    expect(r.outcome).toBe('approved');
    expect(r.timeline.filter((t) => t.type === 'copied')).toEqual([expect.objectContaining({ step: 'counselor-review', assignee: 'office-staff@wxy' })]);
    expect(r.notifications).toContainEqual(expect.objectContaining({ event: 'copied', to: 'office-staff@wxy' }));
    expect(r.waiting).toEqual([]);
    const no = run(definition, [{ step: 'counselor-review', action: 'reject' }]);
    expect(no.timeline.some((t) => t.type === 'copied')).toBe(false);
  });
});
