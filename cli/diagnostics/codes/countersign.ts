import { d } from './define.ts';

/** Diagnostics of the countersign variants (docs/countersign.md): n of m, members with a condition, and 依次审批. */
export const COUNTERSIGN_DIAGNOSTICS = {
  'countersign/at-least-any': d('error', ['或签不能写 atLeast', 'atLeast on an either-or countersign'],
    ['会签“{id}”是或签（parallel: any），第一位办理人的决定即为结果，atLeast 没有意义。', 'Countersign "{id}" is parallel: any, where the first decision decides: atLeast means nothing there.'],
    ['要“n 人同意即通过”，把 parallel 改为 all 并保留 atLeast；否则删除 atLeast。', 'For "passes once n approve", set parallel: all and keep atLeast; otherwise remove atLeast.'],
    { bad: 'parallel: any\natLeast: 2', good: 'parallel: all\natLeast: 2' }),
  'countersign/at-least-too-many': d('error', ['atLeast 超过会签人数', 'atLeast exceeds the members'],
    ['会签“{id}”只有 {members} 个环节，却要求 {atLeast} 人同意，永远不能通过。', 'Countersign "{id}" has {members} steps but needs {atLeast} approvals: it can never pass.'],
    ['atLeast 写成小于环节数的人数（如 3 人中 2 人同意写 atLeast: 2）；要全部同意，删除 atLeast。', 'Make atLeast fewer than the steps (2 of 3: atLeast: 2); for everyone, remove atLeast.']),
  'countersign/at-least-all': d('warning', ['atLeast 等于会签人数', 'atLeast equals the members'],
    ['会签“{id}”有 {members} 个环节，atLeast: {atLeast} 就是全部同意，与不写相同。', 'Countersign "{id}" has {members} steps: atLeast: {atLeast} means everyone, the same as leaving it out.'],
    ['删除 atLeast；或把它改小，写出真正需要的同意人数。', 'Remove atLeast, or lower it to the approvals really needed.']),
  'countersign/when-outside': d('error', ['when 只能用于会签中的环节', 'when outside a countersign'],
    ['环节“{step}”不在会签（parallel）中，when 条件不起作用。', 'Step "{step}" is not inside a countersign (parallel): when has no effect there.'],
    ['单独的环节按条件办理请用条件分支：if: 条件，then: [环节]。', 'For a step that runs on a condition, use a branch: if: <condition>, then: [step].'],
    { bad: '- id: xgc-review\n  when: targetsStudents = true', good: '- id: students\n  if: targetsStudents = true\n  then:\n    - id: xgc-review' }),
  'countersign/at-least-sequence': d('error', ['依次审批不能写 atLeast', 'atLeast on a countersign in turn'],
    ['会签“{id}”是依次审批（parallel: sequence），每一位都要同意才轮到下一位，atLeast 没有意义。', 'Countersign "{id}" is parallel: sequence, where each member must approve before the next acts: atLeast means nothing there.'],
    ['要“n 人同意即通过”，把 parallel 改为 all 并保留 atLeast；要按顺序逐个审批，删除 atLeast。', 'For "passes once n approve", set parallel: all and keep atLeast; to act in turn, remove atLeast.'],
    { bad: 'parallel: sequence\natLeast: 2', good: 'parallel: sequence' }),
  'countersign/sequence-same-holder': d('warning', ['依次审批中同一办理人连续两次', 'the same holder twice in a row'],
    ['依次审批“{id}”中，“{first}”和紧接着的“{second}”由同一群组和范围（{holder}）办理：同一个人会连续审批两次。', 'In countersign "{id}", "{first}" and the next member "{second}" are held by the same group and scope ({holder}): the same person would approve twice in a row.'],
    ['合并成一个环节（需要填写的内容写在同一环节的 fields 中）；或者把其中一个改为别的群组或范围。', 'Merge them into one step (the fields both need on that one step), or give one of them another group or scope.'],
    { bad: '- { id: a, group: department-head, scope: applicant.college }\n- { id: b, group: department-head, scope: applicant.college }', good: '- { id: a, group: department-head, scope: applicant.college }\n- { id: b, group: office-staff, scope: department, department: kyc }' }),
} as const;
