import type { RuntimeNode, RuntimePublicity } from '../../generated/types/runtime/definition.ts';
import type { WorkCalendar } from './calendar.ts';

/**
 * Publicity periods (issue 15.2, docs/publicity.md): the result is published for `days` work days on the
 * school calendar; any signed-in member of the university but the applicant may object meanwhile. When the
 * period ends (never earlier), the process variable `variable` says whether anyone objected, and the branch
 * compiled after the period runs the objection steps when it did.
 */

/** The decision recording an objection raised during the period (its `person`, `comment`: the reason, `at`). */
export const OBJECT = 'object';

/** The decision recording the end of the period (the hall's timer; optional in a scenario). */
export const CLOSE = 'close';

/** Most characters an objection's reason may have. */
export const REASON_MAX = 500;

export function isPublicityNode(node: RuntimeNode): node is RuntimePublicity {
  return node.kind === 'publicity';
}

/** The process variable a period sets: its id made a FEEL name no form field can have (fields have no `_`). */
export function objectionVariable(stepId: string): string {
  return `objected_${stepId.replaceAll('-', '_')}`;
}

/** The id of the branch compiled after a period: it holds the objection steps. */
export function objectionBranchId(stepId: string): string {
  return `${stepId}-objected`;
}

export function objectionBranchName(): { zh: string; en: string } {
  return { zh: '有异议？', en: 'Objected?' };
}

/** The period that opens at `start`: its last day (the `days`th work day after the start's date) and the instant it ends. */
export function publicityPeriod(days: number, start: string, calendar: WorkCalendar): { until: string; endsAt: string } {
  return calendar.workdayPeriod(days, start);
}

/** Every publicity period of a compiled workflow, in order (in branches and objection branches too). */
export function publicitySteps(nodes: RuntimeNode[]): RuntimePublicity[] {
  return nodes.flatMap((node) => (node.kind === 'publicity' ? [node] : node.kind === 'branch' ? [...publicitySteps(node.then), ...publicitySteps(node.else)] : []));
}

/** What the applicant is told when their result is published. */
export function publishedText(serviceName: string, stepName: string, until: string): string {
  return `【公示】您申请的“${serviceName}”已进入“${stepName}”，公示至 ${until}；公示期满无异议后继续办理。`;
}

/** What the applicant is told when the period ended with objections: the objection steps follow. */
export function objectedText(serviceName: string, stepName: string, count: number): string {
  return `【公示】您申请的“${serviceName}”在“${stepName}”期间收到 ${count} 条异议，将进行复核。`;
}

/** How an objection review ended (issue 15.2): the result upheld, the application not passed, or sent back to a step. */
export type ReviewOutcome = { kind: 'upheld' } | { kind: 'rejected' } | { kind: 'returned'; stepName: string };

/**
 * What each objector is told when the review of the objections ends: which application (the applicant's name, as
 * the 公示 list shows it) and the outcome — never the reviewers' comments, which the applicant and approvers see.
 */
export function objectionAnsweredText(serviceName: string, stepName: string, applicantName: string, outcome: ReviewOutcome): string {
  const said = outcome.kind === 'upheld'
    ? '复核后维持公示结果，办理继续'
    : outcome.kind === 'rejected'
      ? '复核后该申请未予通过'
      : `复核后申请退回“${outcome.stepName}”重新办理`;
  return `【公示异议答复】您对${applicantName}的“${serviceName}”（${stepName}）提出的异议已复核完毕：${said}。感谢您的监督。`;
}

export const periodOverProblem = (step: RuntimePublicity, until: string): { zh: string; en: string } => ({
  zh: `“${step.name.zh}”已于 ${until} 公示期满，不能再提出异议`,
  en: `the publicity period "${step.id}" ended on ${until}; objections are closed`,
});

export const periodOpenProblem = (step: RuntimePublicity, until: string): { zh: string; en: string } => ({
  zh: `“${step.name.zh}”公示至 ${until}，公示期未满`,
  en: `the publicity period "${step.id}" runs until ${until}`,
});

export const publicityDecisionProblem = (step: RuntimePublicity, action: string): { zh: string; en: string } => ({
  zh: `公示环节“${step.id}”只能记录“object”（提出异议）或“close”（公示期满），不能记录“${action}”`,
  en: `publicity step "${step.id}" records only "object" or "close", not "${action}"`,
});

export const publicizingProblem = (step: RuntimePublicity, until: string): { zh: string; en: string } => ({
  zh: `公示中：${step.name.zh}（至 ${until}）`,
  en: `in publicity: ${step.name.en ?? step.id} (until ${until})`,
});
