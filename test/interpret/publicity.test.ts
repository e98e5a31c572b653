import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { ROOT } from '../helpers/cli.ts';

/**
 * Publicity periods (issue 15.2) on the reference interpreter, with the example catalog's 奖学金: published
 * after the college countersign for 5 work days on the school calendar, ending with the last day; objections
 * (`object`) count only within it; the period ends by itself in a scenario (or by a `close` not before its end)
 * and a live run waits for it; with objections the college panel's review follows once the period has ended.
 */
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

const applicant = { name: '张晓明', number: '2023010101', college: 'jsj', class: 'jsj-2301', type: '本科生' };
const data = { studentName: '张晓明', studentNumber: '2023010101', major: '计算机科学与技术', phone: '13800000001', academicYear: '2025-2026学年', scholarshipType: '校级一等奖学金', gpa: 3.82, gradeRank: 3, majorSize: 96, failedCourse: false, statement: '本学年我认真完成各门课程学习，学分绩点 3.82，专业排名第 3；担任班级学习委员，组织课程互助小组 12 次；参加全国大学生数学建模竞赛获省级二等奖，参与校级大学生创新训练项目一项，利用暑期到社区开展信息技术志愿服务 40 小时。' };
const college: Decision[] = [
  { step: 'counselor-review', action: 'approve', at: '2026-03-02T10:00:00+08:00' },
  { step: 'college-deputy', action: 'approve', at: '2026-03-02T10:30:00+08:00' },
  { step: 'grade-check', action: 'approve', at: '2026-03-02T11:00:00+08:00' },
];
const run = (decisions: Decision[], live = false) =>
  runWorkflow(runtime.current('scholarship-application'), runtime.calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'scholarship-application', name: '本科生奖学金申请' }, live });

describe('publicity periods on the interpreter', () => {
  it('publishes until the fifth work day and, with no objection, goes on to 学生工作处 at the end of it', () => {
    const result = run(college);
    expect(result.timeline.find((t) => t.type === 'published')).toMatchObject({ step: 'college-publicity', at: '2026-03-02T11:00:00+08:00', until: '2026-03-09' });
    expect(result.timeline.find((t) => t.type === 'publicized')).toMatchObject({ step: 'college-publicity', at: '2026-03-09T23:59:59+08:00', objections: 0 });
    expect(result.waiting.map((w) => w.step)).toEqual(['xgc-review']);
    expect(result.timeline.at(-1)).toMatchObject({ type: 'assigned', step: 'xgc-review', due: '2026-03-16' });
    expect(result.notifications.find((n) => n.event === 'published')?.text).toBe('【公示】您申请的“本科生奖学金申请”已进入“学院公示”，公示至 2026-03-09；公示期满无异议后继续办理。');
  });

  it('a live run waits in the period, with nothing for anyone to do', () => {
    const result = run(college, true);
    expect(result.outcome).toBe('pending');
    expect(result.waiting).toEqual([]);
    expect(result.publicizing).toEqual({ step: 'college-publicity', until: '2026-03-09', endsAt: '2026-03-09T23:59:59+08:00', objections: 0 });
    expect(run([...college, { step: 'college-publicity', action: 'close', at: '2026-03-09T23:59:59+08:00' }], true).waiting.map((w) => w.step)).toEqual(['xgc-review']);
  });

  it('with objections, the college panel reviews once the period has ended; its reject ends the application', () => {
    const objections: Decision[] = [
      { step: 'college-publicity', action: 'object', at: '2026-03-04T15:00:00+08:00', person: '2022020315', comment: '竞赛奖项是团队奖' },
      { step: 'college-publicity', action: 'object', at: '2026-03-09T20:00:00+08:00', person: 't-xgc', comment: '排名有误' },
    ];
    const result = run([...college, ...objections]);
    expect(result.timeline.filter((t) => t.type === 'objected').map((t) => [t.person, t.comment])).toEqual([['2022020315', '竞赛奖项是团队奖'], ['t-xgc', '排名有误']]);
    expect(result.timeline.find((t) => t.type === 'publicized')).toMatchObject({ objections: 2 });
    expect(result.waiting.map((w) => w.step)).toEqual(['college-recheck']);
    expect(result.assignees['college-recheck']).toBe('department-deputy@jsj');
    const rejected = run([...college, ...objections, { step: 'college-recheck', action: 'reject', comment: '异议成立' }]);
    expect([rejected.outcome, rejected.path]).toEqual(['rejected', ['counselor-review', 'college-deputy', 'grade-check', 'college-publicity', 'college-recheck']]);
  });

  it('refuses an objection after the period and an end before it, and any other decision on the period', () => {
    expect(run([...college, { step: 'college-publicity', action: 'object', at: '2026-03-10T00:00:01+08:00' }])).toMatchObject({ outcome: 'error', problem: { zh: '“学院公示”已于 2026-03-09 公示期满，不能再提出异议' } });
    expect(run([...college, { step: 'college-publicity', action: 'close', at: '2026-03-06T12:00:00+08:00' }])).toMatchObject({ outcome: 'error', problem: { zh: '“学院公示”公示至 2026-03-09，公示期未满' } });
    expect(run([...college, { step: 'college-publicity', action: 'approve' }]).outcome).toBe('error');
  });

  describe('each objector is told the review\'s outcome once it ends', () => {
    const objections: Decision[] = [
      { step: 'college-publicity', action: 'object', at: '2026-03-04T15:00:00+08:00', person: '2022020315', comment: '竞赛奖项是团队奖' },
      { step: 'college-publicity', action: 'object', at: '2026-03-05T09:00:00+08:00', comment: '没有署名的异议' },
      { step: 'college-publicity', action: 'object', at: '2026-03-09T20:00:00+08:00', person: 't-xgc', comment: '排名有误' },
    ];
    const answered = (result: ReturnType<typeof run>) => result.notifications.filter((n) => n.event === 'objection-answered').map((n) => [n.to, n.text]);
    const said = (outcome: string) => `【公示异议答复】您对张晓明的“本科生奖学金申请”（学院公示）提出的异议已复核完毕：${outcome}。感谢您的监督。`;

    it('while the review is open, nobody', () => {
      expect(answered(run([...college, ...objections]))).toEqual([]);
    });

    it('the result upheld: each named objector, once', () => {
      const result = run([...college, ...objections, { step: 'college-recheck', action: 'approve' }]);
      expect(answered(result)).toEqual([['person:2022020315', said('复核后维持公示结果，办理继续')], ['person:t-xgc', said('复核后维持公示结果，办理继续')]]);
      expect(answered(run([...college, ...objections, { step: 'college-recheck', action: 'approve' }, { step: 'xgc-review', action: 'approve' }]))).toHaveLength(2);
    });

    it('the application rejected by the review', () => {
      expect(answered(run([...college, ...objections, { step: 'college-recheck', action: 'reject' }]))).toEqual([['person:2022020315', said('复核后该申请未予通过')], ['person:t-xgc', said('复核后该申请未予通过')]]);
    });

    it('a rejection after the review says nothing more to objectors, and a period without objections none at all', () => {
      expect(answered(run([...college, ...objections, { step: 'college-recheck', action: 'approve' }, { step: 'xgc-review', action: 'reject' }]))).toHaveLength(2);
      expect(answered(run([...college, { step: 'xgc-review', action: 'reject' }]))).toEqual([]);
    });

    it('a review step sending it back to an earlier step: told so, and the new period\'s objectors apart', () => {
      const definition = structuredClone(runtime.current('scholarship-application'));
      const review = definition.workflow!.steps.find((n) => n.id === 'college-publicity-objected');
      if (review?.kind !== 'branch' || review.then[0].kind !== 'step') throw new Error('the example changed: no college review branch');
      review.then[0].actions = ['approve', 'reject', 'return'];
      review.then[0].returnTo = ['counselor-review'];
      const result = runWorkflow(definition, runtime.calendar, { applicant, data, decisions: [...college, ...objections, { step: 'college-recheck', action: 'return', returnTo: 'counselor-review', comment: '请辅导员重新核实' }], submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'scholarship-application', name: '本科生奖学金申请' } });
      expect(answered(result)).toEqual([['person:2022020315', said('复核后申请退回“辅导员审核”重新办理')], ['person:t-xgc', said('复核后申请退回“辅导员审核”重新办理')]]);
      expect(result.waiting.map((w) => w.step)).toEqual(['counselor-review']);
    });
  });
});
