import { describe, expect, it } from 'vitest';
import { compileCalendar, compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import { renderDiagnostic } from '../../cli/diagnostics/registry.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import { directoryOf } from '../../cli/model/catalog.ts';
import type { Edit } from './helpers.ts';
import { checkEdited, findingsOf, sub } from './helpers.ts';

/**
 * Issue 11.4: a form field that picks who gets a task (`scope: form.<field>`, `department: form.<field>`)
 * names someone from the directory — a `person` or `department` field, checked on submission — never
 * free text, where a typo would create a task nobody sees.
 */
const LEAVE = 'xgc/student-leave.yaml';
const PERSON_ID = sub('hall.yaml', 'itOffice: xgc\n', 'itOffice: xgc\npersonId:\n  pattern: ^(T[0-9]{7}|[0-9]{10})$\n  example: T2011052\n');

/** A per-person group, a required `teacher` field of `type`, and a last step it assigns; the scenarios name T2011052. */
function teacherStep(type: string, teacher = 'T2011052'): Edit[] {
  return [
    sub('roles.yaml', 'groups:\n', 'groups:\n  - id: course-teacher\n    name: 任课教师\n    maintainer: jsj\n    scope: person\n'),
    sub(LEAVE, '          visibleIf: leaveCampus = true\n', `          visibleIf: leaveCampus = true\n        - id: teacher\n          label: 任课教师\n          type: ${type}\n          required: true\n`),
    sub(LEAVE, '  notifications:\n', '    - id: teacher-review\n      name: 任课教师知悉\n      group: course-teacher\n      scope: form.teacher\n      department: jsj\n      deadline: 1\n      actions: [approve]\n  notifications:\n'),
    sub(LEAVE, 'days: 5, leaveCampus: false }', `days: 5, leaveCampus: false, teacher: ${teacher} }`),
    sub(LEAVE, 'destination: 家中 }', 'destination: 家中, teacher: T2011052 }'),
  ];
}

/** A required department field `unit` of `type` that the countersign's college step is assigned by. */
function unitStep(type: string, unit = 'jsj'): Edit[] {
  return [
    sub(LEAVE, '          visibleIf: leaveCampus = true\n', `          visibleIf: leaveCampus = true\n        - id: unit\n          label: 所在学院\n          type: ${type}\n          required: true\n`),
    sub(LEAVE, '              department: jsj\n', '              department: form.unit\n'),
    sub(LEAVE, 'days: 5, leaveCampus: false }', `days: 5, leaveCampus: false, unit: ${unit} }`),
    sub(LEAVE, 'destination: 家中 }', 'destination: 家中, unit: jsj }'),
  ];
}

describe('a form field that assigns a task', () => {
  it('is an error as free text, naming the field and its type, with how to fix it', async () => {
    expect(await findingsOf(teacherStep('text'))).toEqual(['scope/free-text-field xgc/student-leave.yaml:127:14']);
    const { diagnostics } = await checkEdited(teacherStep('text'));
    const zh = renderDiagnostic(diagnostics[0], 'zh');
    expect(zh.message).toBe('环节“teacher-review”按表单字段“任课教师”（teacher）分派，但它的类型是 text：任何文字都能提交，写错一个字就会生成一个谁也看不到的待办。');
    expect(zh.hint).toContain('把字段“teacher”改为 type: person');
  });

  it('is an error as free text when it gives the department of a per-department step', async () => {
    expect(await findingsOf(unitStep('text'))).toEqual(['scope/free-text-field xgc/student-leave.yaml:114:27']);
    expect(renderDiagnostic((await checkEdited(unitStep('text'))).diagnostics[0], 'en').hint).toContain('Make unit a type: department field');
  });

  it('is fine as a person or department field whose scenario values exist', async () => {
    expect(await findingsOf([PERSON_ID, ...teacherStep('person')])).toEqual([]);
    expect(await findingsOf(unitStep('department'))).toEqual([]);
  });

  it('has its scenario value checked at check time: a person id of the wrong format', async () => {
    const { diagnostics } = await checkEdited([PERSON_ID, ...teacherStep('person', '张老师')]);
    expect(diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual(['scenario/data-invalid 137:60']);
    expect(renderDiagnostic(diagnostics[0], 'zh').message).toBe('场景“五天事假，会签通过”的数据中，“任课教师”（teacher）“张老师”不是有效的学号或工号（如 T2011052）。');
  });

  it('has its scenario value checked at check time: a department code the catalog does not have', async () => {
    const { diagnostics } = await checkEdited(unitStep('department', 'jsjj'));
    expect(diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual(['scenario/data-invalid 130:60']);
    expect(renderDiagnostic(diagnostics[0], 'en').message).toContain('"jsjj" is not a department code of the catalog');
  });

  it('refuses a person-id pattern that is not a regular expression', async () => {
    expect(await findingsOf([sub('hall.yaml', 'itOffice: xgc\n', 'itOffice: xgc\npersonId:\n  pattern: ^(T[0-9]{7}\n')])).toEqual(['hall/person-id-pattern hall.yaml:14:12']);
    // A time zone Node does not know is a positioned finding, never a RangeError out of the calendar.
    expect(await findingsOf([sub('hall.yaml', '  timezone: Asia/Shanghai\n', '  timezone: Mars/Olympus\n')])).toEqual(['hall/unknown-timezone hall.yaml:48:13']);
    expect(await findingsOf([sub('hall.yaml', '  timezone: Asia/Shanghai\n', '  timezone: ""\n')])).toEqual(['hall/unknown-timezone hall.yaml:48:13']);
  });

  it('is checked by the interpreter against the directory before anyone is assigned', async () => {
    const checked = await checkEdited([PERSON_ID, ...teacherStep('person')]);
    const service = checked.catalog.services.get('student-leave')!.value;
    const definition = compileDefinition(service, 1, runtimeFingerprint(service));
    const calendar = new WorkCalendar(compileCalendar(checked.catalog.hall!.value));
    const input = {
      applicant: { name: '张晓明', college: 'jsj', class: 'jsj-2301' },
      data: { studentName: '张晓明', days: 2, leaveCampus: false, teacher: 'T201105' },
      decisions: [{ step: 'counselor-review', action: 'approve' as const }, { step: 'teacher-review', action: 'approve' as const }],
      submittedAt: '2026-03-02T09:00:00+08:00',
      service: { id: 'student-leave', name: '学生请假' },
    };
    const typo = runWorkflow(definition, calendar, { ...input, directory: directoryOf(checked.catalog) });
    expect(typo.outcome).toBe('invalid');
    expect(typo.fieldErrors).toEqual([{ field: 'teacher', label: '任课教师', message: { zh: '“T201105”不是有效的学号或工号（如 T2011052）', en: '"T201105" is not a valid person id (e.g. T2011052)' } }]);
    const known = runWorkflow(definition, calendar, { ...input, data: { ...input.data, teacher: 'T2011052' }, directory: { ...directoryOf(checked.catalog), people: ['T2011052'] } });
    expect(known.assignees['teacher-review']).toBe('course-teacher@T2011052');
    const unknown = runWorkflow(definition, calendar, { ...input, data: { ...input.data, teacher: 'T2099999' }, directory: { ...directoryOf(checked.catalog), people: ['T2011052'] } });
    expect(unknown.fieldErrors.map((e) => e.message.zh)).toEqual(['人员目录中没有“T2099999”']);
  });
});
