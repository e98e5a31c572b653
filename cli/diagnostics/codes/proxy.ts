import { d } from './define.ts';

/** 代理申请 (issue 14.6): who may apply on someone's behalf. */
export const PROXY_DIAGNOSTICS = {
  'proxy/unknown-group': d('error', ['可代为申请的人员不存在', 'Unknown proxy group'],
    ['proxy.by 中的“{entry}”无法对应：{detail}{suggestion}', 'proxy.by lists "{entry}", which matches nothing: {detail} {suggestion}'],
    ['写 roles.yaml 中的群组和部门代码，如 office-staff@xgc（学生工作处的经办人）；只写群组名时指本事项主管部门的该群组。写错时，应当代为申请的人员会被拒绝。', 'Write a roles.yaml group and a department code, e.g. office-staff@xgc; a bare group means that group in the owning department. A wrong name refuses the people who should apply for others.'],
    { bad: 'proxy:\n  by: [office-staf@xgc]', good: 'proxy:\n  by: [office-staff@xgc]' }),
} as const;
