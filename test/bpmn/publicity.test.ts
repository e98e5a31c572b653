import { describe, expect, it } from 'vitest';
import { compileBpmn } from '../../cli/bpmn/compile-bpmn.ts';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { ROOT } from '../helpers/cli.ts';
import { runOnEngine } from './engine.ts';
import { LINT_PROFILES, allElements, lintBpmn, parseBpmn } from './inspect.ts';

/**
 * Issue 15.2 in the BPMN export, on the example catalog's 奖学金: each publicity period is a throw event
 * that starts it (`objected_<id>` false, the end instant), an event-based gateway between the objection
 * message (`objected_<id>` true, back to wait) and the timer at the period's end, then the objection branch.
 * Camunda-lint clean; bpmn-engine takes the interpreter's path with none, one and several objections.
 */
const runtime = await loadRuntime(`${ROOT}/generated`);
const definition = runtime.current('scholarship-application');
const { bpmn } = await compileBpmn(definition, '本科生奖学金申请');
const { rootElement } = await parseBpmn(bpmn);
const byId = new Map(allElements(rootElement).map((e) => [e.id, e]));

const applicant = { name: '张晓明', number: '2023010101', college: 'jsj', class: 'jsj-2301', type: '本科生' };
const data = { studentName: '张晓明', studentNumber: '2023010101', major: '计算机科学与技术', phone: '13800000001', academicYear: '2025-2026学年', scholarshipType: '校级一等奖学金', gpa: 3.82, gradeRank: 3, majorSize: 96, failedCourse: false, statement: '本学年我认真完成各门课程学习，学分绩点 3.82，专业排名第 3；担任班级学习委员，组织课程互助小组 12 次；参加全国大学生数学建模竞赛获省级二等奖，参与校级大学生创新训练项目一项，利用暑期到社区开展信息技术志愿服务 40 小时。' };
const approve = (step: string): Decision => ({ step, action: 'approve' });
const object = (step: string, comment: string): Decision => ({ step, action: 'object', comment });
const college = [approve('counselor-review'), approve('college-deputy'), approve('grade-check')];

describe('publicity periods in the BPMN export', () => {
  it('waits on an event-based gateway between the objection message and the timer at the period end', () => {
    const wait = byId.get('Gateway_college-publicity_wait')!;
    expect(wait.$type).toBe('bpmn:EventBasedGateway');
    expect(wait.outgoing.map((f: { targetRef: { id: string } }) => f.targetRef.id).sort()).toEqual(['Event_college-publicity_ended', 'Event_college-publicity_objection']);
    const ended = byId.get('Event_college-publicity_ended')!;
    expect(ended.eventDefinitions[0].timeDate.body).toBe('=objected_college_publicity_ends');
    const published = byId.get('Event_college-publicity_published')!;
    expect(published.extensionElements.values[0].outputParameters.map((o: { source: string; target: string }) => [o.source, o.target])).toEqual([['=false', 'objected_college_publicity'], ['=string(now() + duration("P7D"))', 'objected_college_publicity_ends']]);
    const objection = byId.get('Event_college-publicity_objection')!;
    const message = objection.eventDefinitions[0].messageRef;
    expect([message.name, message.extensionElements.values[0].correlationKey]).toEqual(['servicehall-objection-college-publicity', '=applicationId']);
    expect(objection.outgoing[0].targetRef.id).toBe('Gateway_college-publicity_open');
    expect(byId.get('Gateway_college-publicity-objected')!.$type).toBe('bpmn:ExclusiveGateway');
  });

  it.each(LINT_PROFILES)('lints clean under %s', async (profile) => {
    expect((await lintBpmn(rootElement, profile)).map((r) => `${r.rule} ${r.id}: ${r.message}`)).toEqual([]);
  });

  it.each([
    { name: 'no objection anywhere', decisions: [...college, approve('xgc-review')] },
    { name: 'one objection, upheld by the college panel', decisions: [...college, object('college-publicity', '团队奖'), { step: 'college-recheck', action: 'reject', comment: '异议成立' } as Decision] },
    { name: 'three objections at the school, the review keeps the result', decisions: [...college, approve('xgc-review'), object('school-publicity', '兼得'), object('school-publicity', '兼得'), object('school-publicity', '排名'), approve('xgc-recheck')] },
  ])('$name: the engine takes the interpreter\'s path', async ({ decisions }) => {
    const reference = runWorkflow(definition, runtime.calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: definition.id, name: '本科生奖学金申请' } });
    const engine = await runOnEngine(bpmn, { applicant, data, decisions });
    expect(engine.problem).toBeUndefined();
    expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({ outcome: reference.outcome, path: reference.path, assignees: reference.assignees });
  });
});
