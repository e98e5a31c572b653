import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import type { Scenario } from '../../generated/types/service.ts';
import type { WorkCalendar } from './calendar.ts';
import { DEFAULT_CLOCK } from './feel.ts';
import { runWorkflow } from './interpret.ts';
import { yuanText } from './fees.ts';
import type { RunResult } from './interpret.ts';
import type { Directory } from './validate-submission.ts';

/** Scenarios start on a Monday morning unless they say otherwise. */
export const DEFAULT_SUBMITTED_AT = DEFAULT_CLOCK;

export interface ScenarioOutcome {
  pass: boolean;
  result: RunResult;
  /** What differs from the expectation, one line per difference, in both languages. */
  mismatches: { zh: string; en: string }[];
}

/** Run one scenario on the reference interpreter and compare it with what it expects. */
export function runScenario(definition: RuntimeDefinition, calendar: WorkCalendar, scenario: Scenario, service: { id: string; name: string }, url?: string, directory?: Directory): ScenarioOutcome {
  const result = runWorkflow(definition, calendar, {
    applicant: scenario.applicant,
    data: scenario.data,
    decisions: scenario.decisions,
    submittedAt: scenario.submittedAt ?? DEFAULT_SUBMITTED_AT,
    service,
    url,
    ...(scenario.booking ? { booking: scenario.booking } : {}),
    ...(directory ? { directory } : {}),
  });
  const mismatches: { zh: string; en: string }[] = [];
  const expect = scenario.expect;
  if (expect.submission === 'invalid') {
    if (result.outcome !== 'invalid') mismatches.push({ zh: '预期提交的数据无效，但它通过了校验', en: 'expected the submission to be invalid, but it passed validation' });
    return { pass: mismatches.length === 0, result, mismatches };
  }
  if (result.outcome === 'invalid') {
    for (const e of result.fieldErrors) mismatches.push({ zh: `提交数据无效：${e.label}（${e.field}）${e.message.zh}`, en: `invalid submission: ${e.field} ${e.message.en}` });
    return { pass: false, result, mismatches };
  }
  if (result.problem && result.outcome !== 'pending' && result.outcome !== 'unassigned') mismatches.push(result.problem);
  const path = (p: string[]) => (p.length ? p.join(' → ') : '（空）');
  if (result.path.join('|') !== expect.path.join('|')) {
    mismatches.push({ zh: `路径：预期 ${path(expect.path)}，实际 ${path(result.path)}`, en: `path: expected ${expect.path.join(' → ') || '(none)'}, got ${result.path.join(' → ') || '(none)'}` });
  }
  if (result.outcome !== expect.outcome) {
    const explained = (result.outcome === 'pending' || result.outcome === 'unassigned') && result.problem;
    mismatches.push({ zh: `结果：预期 ${expect.outcome}，实际 ${result.outcome}${explained ? `（${result.problem!.zh}）` : ''}`, en: `outcome: expected ${expect.outcome}, got ${result.outcome}${explained ? ` (${result.problem!.en})` : ''}` });
  }
  if (expect.fee !== undefined) {
    const fen = Math.round(expect.fee * 100);
    const actual = result.fee ? yuanText(result.fee.totalFen) : undefined;
    if (result.fee?.totalFen !== fen) mismatches.push({ zh: `应缴金额：预期 ${yuanText(fen)} 元，实际 ${actual === undefined ? '未计算（收费项目没有 amount）' : `${actual} 元`}`, en: `fee: expected ${yuanText(fen)} yuan, got ${actual === undefined ? 'none (no fee item gives an amount)' : `${actual} yuan`}` });
  }
  // Overdue marks (issue 15.7): the steps whose deadline the scenario's decision times miss, in order; [] says none.
  if (expect.overdue !== undefined) {
    const late = result.timeline.filter((e) => e.type === 'overdue').map((e) => e.step!);
    if (late.join('|') !== expect.overdue.join('|')) mismatches.push({ zh: `超期：预期 ${path(expect.overdue)}，实际 ${path(late)}`, en: `overdue: expected ${expect.overdue.join(', ') || '(none)'}, got ${late.join(', ') || '(none)'}` });
  }
  for (const [step, assignee] of Object.entries(expect.assignees ?? {})) {
    const actual = result.assignees[step];
    if (actual !== assignee) mismatches.push({ zh: `办理人（${step}）：预期 ${assignee}，实际 ${actual ?? '未分派'}`, en: `assignee of ${step}: expected ${assignee}, got ${actual ?? 'not assigned'}` });
  }
  return { pass: mismatches.length === 0, result, mismatches };
}
