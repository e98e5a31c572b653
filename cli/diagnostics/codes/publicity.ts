import { d } from './define.ts';

/** Publicity periods (issue 15.2, docs/publicity.md): 公示 N 个工作日，有异议时复核. */
export const PUBLICITY_DIAGNOSTICS = {
  'publicity/days-out-of-range': d('error', ['公示天数不在 1–20 个工作日之间', 'Publicity period out of range'],
    ['“{step}”公示 {days} 个工作日：{detail}', '"{step}" is published for {days} work days: {detail}'],
    ['写 1 到 20 之间的工作日数；学校的评优、奖学金公示通常为 5 个工作日。', 'Write between 1 and 20 work days; award and scholarship lists are commonly published for 5.'],
    { bad: 'publicity: { days: 0 }', good: 'publicity: { days: 5 }' }),
  'publicity/before-approval': d('error', ['公示前没有审批结果', 'Publicity before any approval'],
    ['公示“{step}”之前没有审批环节（至少有一条路线如此）：公示的是审批结果，这里还没有结果可公示。', 'Publicity "{step}" has no approval step before it (on at least one way through the flow): a period publishes a result, and there is none yet.'],
    ['把公示移到产生结果的审批环节之后（如学院评审之后的学院公示）。', 'Move the period after the approval that produces the result (e.g. the college publicity after the college review).'],
    { bad: 'steps:\n  - id: college-publicity\n    publicity: { days: 5 }\n  - id: college-review', good: 'steps:\n  - id: college-review\n  - id: college-publicity\n    publicity: { days: 5 }' }),
  'publicity/no-objection-steps': d('error', ['公示没有写异议的复核环节', 'Publicity without objection steps'],
    ['公示“{step}”没有写 objections：公示期内有人提出异议时，没有人复核。', 'Publicity "{step}" has no objections: when someone objects during the period, nobody reviews it.'],
    ['在 objections 中写复核异议的环节（如学院评审小组复核），复核不同意时申请不通过。', 'List the steps that review an objection under objections (e.g. the college panel\'s review); their reject ends the application.'],
    { bad: '- id: college-publicity\n  publicity: { days: 5 }', good: '- id: college-publicity\n  publicity: { days: 5 }\n  objections:\n    - id: college-recheck\n      name: 学院复核\n      group: department-deputy\n      scope: applicant.college\n      department: applicant.college\n      deadline: 5\n      actions: [approve, reject]' }),
  'publicity/review-cannot-reject': d('warning', ['异议复核不能作出不同意的决定', 'Objection review cannot reject'],
    ['公示“{step}”的异议复核环节都不允许 reject：异议成立时也无法改变结果。', 'None of the objection steps of "{step}" allows reject: even a well-founded objection cannot change the result.'],
    ['在复核环节的 actions 中加入 reject。', 'Add reject to the review step\'s actions.'],
    { bad: 'actions: [approve]', good: 'actions: [approve, reject]' }),
} as const;
