import { d } from './define.ts';

/** Approver actions (issue 15.6): 转办, 加签, 委派, 抄送, 批量审批. */
export const ACTION_DIAGNOSTICS = {
  'workflow/batch-with-fields': d('error', ['要填写内容的环节不能批量审批', 'A step with fields cannot be approved in batch'],
    ['环节“{step}”设置了 batch: true，但办理人须在本环节填写字段（{fields}）：批量审批时无法逐件填写。', 'Step "{step}" sets batch: true, but its assignee fills in fields ({fields}): a batch approval cannot fill them case by case.'],
    ['去掉 batch: true，或把需要逐件填写的内容移到后面不批量的环节。', 'Remove batch: true, or move what must be filled case by case to a later step that is not batched.'],
    { bad: '- id: finance-check\n  batch: true\n  fields:\n    - { id: assessed, type: money, label: 核定金额, required: true }', good: '- id: finance-check\n  fields:\n    - { id: assessed, type: money, label: 核定金额, required: true }' }),
  'scenario/hand-over-needs-person': d('error', ['转交没有写交给谁', 'A hand-over names nobody'],
    ['场景的第 {index} 个决定是“{action}”，但没有写 to（交给谁的学号/工号）。', 'Decision {index} of the scenario is "{action}" but has no `to` (the id of the person it goes to).'],
    ['加上 to，如 { step: {step}, action: {action}, to: t-zhang }。', 'Add `to`, e.g. { step: {step}, action: {action}, to: t-zhang }.'],
    { bad: '- { step: counselor-review, action: transfer }', good: '- { step: counselor-review, action: transfer, to: t-zhang }' }),
  'scenario/position-without-add-approver': d('error', ['position 只用于加签', 'position is only for add-approver'],
    ['场景的第 {index} 个决定是“{action}”，却写了 position：只有加签（add-approver）有前后之分。', 'Decision {index} of the scenario is "{action}" yet sets position: only add-approver goes before or after.'],
    ['删除 position，或把操作改为 add-approver。', 'Remove position, or make the action add-approver.']),
};
