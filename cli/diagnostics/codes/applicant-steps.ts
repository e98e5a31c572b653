import { d } from './define.ts';

/** Diagnostics of applicant steps (issue 15.1): the applicant's own follow-up after approval (销假, 报到). */
export const APPLICANT_STEP_DIAGNOSTICS = {
  'applicant-step/before-approval': d('error', ['申请人环节须在审批之后', 'Applicant step before any approval'],
    ['申请人环节“{step}”前面没有审批环节：申请人提交申请本身就是第一步，这里的环节没有可跟进的审批结果。', 'Applicant step "{step}" comes before any approval step: applying is already the applicant\'s first step, so there is no approval for this step to follow up.'],
    ['把它移到审批环节之后（如请假审批之后的销假）；申请时要填的内容写在表单里。', 'Move it after the approval steps (e.g. 销假 after the leave is approved); what the applicant gives when applying belongs in the form.'],
    { bad: 'steps:\n  - id: cancel-leave\n    by: applicant\n  - id: counselor-review', good: 'steps:\n  - id: counselor-review\n  - id: cancel-leave\n    by: applicant' }),
  'applicant-step/due-after-not-date': d('error', ['dueAfter 须是日期字段', 'dueAfter is not a date field'],
    ['申请人环节“{step}”的 dueAfter 写的是“{field}”，{detail}', 'Applicant step "{step}" has dueAfter "{field}", {detail}'],
    ['dueAfter 写表单中 date 或 daterange 类型字段的标识（daterange 取结束日期），如请假时间 period；期限从该日期之后起算。', 'Name a date or daterange field of the form (a daterange counts from its end), e.g. period; the deadline counts from after that date.'],
    { bad: 'dueAfter: days', good: 'dueAfter: period' }),
} as const;
