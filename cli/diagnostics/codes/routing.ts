import { d } from './define.ts';

/** Diagnostics of routing (docs/routing.md): a step's fallback scope. */
export const ROUTING_DIAGNOSTICS = {
  'scope/fallback-unused': d('error', ['备用范围不会用到', 'Fallback never used'],
    ['环节“{step}”按“{reference}”分派，这个值总是有的，fallback 不会用到。', 'Step "{step}" is assigned by "{reference}", which always has a value: the fallback is never used.'],
    ['fallback 只用于按申请人属性或表单字段分派的环节（scope 或 department 写 applicant.… / form.…）；否则删除 fallback。', 'A fallback only serves a step assigned by an applicant attribute or a form field (applicant.… / form.…); otherwise remove it.'],
    { bad: 'scope: department\ndepartment: xgc\nfallback: applicant.college', good: 'scope: department\ndepartment: applicant.department\nfallback: applicant.college' }),
} as const;
