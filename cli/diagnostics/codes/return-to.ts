import { d } from './define.ts';

/** Diagnostics of returns to a chosen step (issue 15.5, docs/return-to.md). */
export const RETURN_TO_DIAGNOSTICS = {
  'return/unknown-target': d('error', ['退回的环节不存在', 'Unknown return target'],
    ['环节“{step}”的 returnTo 写了“{target}”，本流程没有这个环节。{suggestion}', 'Step "{step}" lists "{target}" in returnTo, which is not a step of this workflow. {suggestion}'],
    ['returnTo 写本流程中在它之前的环节标识（id）。', 'List ids of steps of this workflow that come before it.'],
    { bad: '- id: leader\n  returnTo: [councelor]', good: '- id: leader\n  returnTo: [counselor]' }),
  'return/target-not-earlier': d('error', ['只能退回到之前的环节', 'Return target is not earlier'],
    ['环节“{step}”不能退回到“{target}”：{reason}', 'Step "{step}" cannot return to "{target}": {reason}'],
    ['退回是“从那个环节重新办理”，只能退回到一定在本环节之前办理过的环节（同一条路线上、更靠前）；要让后面的环节再办一次，在那个环节退回。', 'A return re-runs the flow from the target, so the target must come before this step on its way (same route, earlier); to have a later step decide again, return from that step.'],
    { bad: '- id: counselor\n  returnTo: [dean]\n- id: dean', good: '- id: counselor\n- id: dean\n  returnTo: [counselor]' }),
  'return/member-target': d('error', ['不能退回到会签中的一个环节', 'Return target inside a countersign'],
    ['环节“{step}”的 returnTo 写了会签“{countersign}”中的环节“{target}”，会签只能整体办理。', 'Step "{step}" lists "{target}", a member of countersign "{countersign}": a countersign runs as a whole.'],
    ['退回到会签之前的环节（会签随后整体重新办理），或退回申请人。只有依次审批（parallel: sequence）中后面的一位可以退回到同一依次审批中前面的一位。', 'Return to a step before the countersign (which then runs again as a whole), or to the applicant. Only a later member of a parallel: sequence may return to an earlier member of the same sequence.']),
  'return/without-return': d('error', ['写了 returnTo 却不允许退回', 'returnTo without return'],
    ['环节“{step}”写了 returnTo，但 actions 中没有 return，办理人无法退回。', 'Step "{step}" has returnTo, but return is not among its actions: its assignee cannot return.'],
    ['在 actions 中加上 return，或删除 returnTo。', 'Add return to actions, or remove returnTo.'],
    { bad: 'actions: [approve, reject]\nreturnTo: [counselor]', good: 'actions: [approve, reject, return]\nreturnTo: [counselor]' }),
} as const;
