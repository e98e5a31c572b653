import { describe, expect, it } from 'vitest';
import { compileBpmn } from '../../cli/bpmn/compile-bpmn.ts';
import { compileCalendar, compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { TODAY, baselineSource, editSource, sub } from '../check/helpers.ts';
import type { Edit } from '../check/helpers.ts';
import { runOnEngine } from './engine.ts';

/**
 * Issue 11.3: a step whose scope reads a value the application does not have ends in one explicit,
 * named outcome — `unassigned`, "无法分派：…" — on the reference interpreter and on the BPMN engine,
 * for every source a scope can read: an applicant attribute, the applicant's department, a form field.
 * (Before, the interpreter assigned `counselor@?` and the engine built a `[null]` candidate group.)
 */
const LEAVE = 'xgc/student-leave.yaml';
/** A per-person group and an optional person field that picks the teacher of a last step. */
const TEACHER_STEP: Edit[] = [
  sub('roles.yaml', 'groups:\n', 'groups:\n  - id: course-teacher\n    name: 任课教师\n    maintainer: jsj\n    scope: person\n'),
  sub(LEAVE, '          visibleIf: leaveCampus = true\n', '          visibleIf: leaveCampus = true\n        - id: teacher\n          label: 任课教师\n          type: person\n'),
  sub(LEAVE, '  notifications:\n', '    - id: teacher-review\n      name: 任课教师知悉\n      group: course-teacher\n      scope: form.teacher\n      department: jsj\n      deadline: 1\n      actions: [approve]\n  notifications:\n'),
];

interface Case {
  name: string;
  edits: Edit[];
  applicant: Record<string, unknown>;
  data: Record<string, unknown>;
  decisions: Decision[];
  expected: { step: string; missing: string; zh: string; path: string[] };
}

const STUDENT = { name: '张晓明', college: 'jsj', class: 'jsj-2301' };
const cases: Case[] = [
  {
    name: 'an applicant without the class a per-class scope reads',
    edits: [],
    applicant: { name: '张晓明', college: 'jsj' },
    data: { studentName: '张晓明', days: 2, leaveCampus: false },
    decisions: [],
    expected: { step: 'counselor-review', missing: 'applicant.class', zh: '无法分派：申请人没有“class”属性（applicant.class）', path: [] },
  },
  {
    name: 'an empty class counts as none',
    edits: [],
    applicant: { ...STUDENT, class: '' },
    data: { studentName: '张晓明', days: 2, leaveCampus: false },
    decisions: [],
    expected: { step: 'counselor-review', missing: 'applicant.class', zh: '无法分派：申请人没有“class”属性（applicant.class）', path: [] },
  },
  {
    name: 'an applicant without the college a department step reads, inside a countersign',
    edits: [sub(LEAVE, '              department: jsj\n', '              department: applicant.college\n')],
    applicant: { name: '张晓明', class: 'jsj-2301' },
    data: { studentName: '张晓明', days: 5, leaveCampus: false },
    decisions: [{ step: 'counselor-review', action: 'approve' }],
    expected: { step: 'college-review', missing: 'applicant.college', zh: '无法分派：申请人没有“college”属性（applicant.college）', path: ['counselor-review'] },
  },
  {
    name: 'a form field that picks the assignee left empty',
    edits: TEACHER_STEP,
    applicant: STUDENT,
    data: { studentName: '张晓明', days: 2, leaveCampus: false },
    decisions: [{ step: 'counselor-review', action: 'approve' }],
    expected: { step: 'teacher-review', missing: 'form.teacher', zh: '无法分派：表单没有填写“任课教师”（form.teacher）', path: ['counselor-review'] },
  },
];

async function compiled(edits: Edit[]) {
  const checked = checkSource(editSource(await baselineSource(), edits), { today: TODAY });
  expect(checked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const service = checked.catalog.services.get('student-leave')!.value;
  const definition = compileDefinition(service, 1, runtimeFingerprint(service));
  const { bpmn } = await compileBpmn(definition, '学生请假');
  return { definition, bpmn, calendar: new WorkCalendar(compileCalendar(checked.catalog.hall!.value)) };
}

describe('a step nobody can be assigned, on the interpreter and on bpmn-engine', () => {
  it.each(cases)('$name', async ({ edits, applicant, data, decisions, expected }) => {
    const { definition, bpmn, calendar } = await compiled(edits);
    const reference = runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'student-leave', name: '学生请假' } });
    expect(reference.outcome).toBe('unassigned');
    expect(reference.incident).toEqual({ type: 'unassigned', step: expected.step, group: reference.incident!.group, missing: expected.missing, message: { zh: expected.zh, en: expect.stringMatching(/^cannot assign: /) } });
    expect(reference.problem).toEqual(reference.incident!.message);
    expect(reference.path).toEqual(expected.path);
    expect(Object.values(reference.assignees).some((a) => a.includes('?'))).toBe(false);
    expect(reference.timeline.filter((t) => t.type === 'unassigned').map((t) => t.step)).toEqual([expected.step]);

    const engine = await runOnEngine(bpmn, { applicant, data, decisions });
    expect({ outcome: engine.outcome, path: engine.path, incident: engine.incident, assignees: engine.assignees }).toEqual({
      outcome: 'unassigned',
      path: reference.path,
      incident: { step: expected.step, message: expected.zh },
      assignees: reference.assignees,
    });
  });

  it('assigns as before when the value is there', async () => {
    const { definition, bpmn, calendar } = await compiled(TEACHER_STEP);
    const input = { applicant: STUDENT, data: { studentName: '张晓明', days: 2, leaveCampus: false, teacher: 'T2011052' }, decisions: [{ step: 'counselor-review', action: 'approve' as const }, { step: 'teacher-review', action: 'approve' as const }] };
    const reference = runWorkflow(definition, calendar, { ...input, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'student-leave', name: '学生请假' } });
    const engine = await runOnEngine(bpmn, input);
    expect(reference.outcome).toBe('approved');
    expect(reference.assignees).toEqual({ 'counselor-review': 'counselor@jsj-2301', 'teacher-review': 'course-teacher@T2011052' });
    expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({ outcome: 'approved', path: reference.path, assignees: reference.assignees });
  });
});
