import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { WorkCalendar } from './calendar.ts';
import { evaluateFeel } from './feel.ts';

/** The call a live run waits on at a system step (issue 15.3): the runtime makes it after the transaction commits. */
export interface SystemCall {
  step: string;
  connector: string;
  path?: string;
  payload: Record<string, unknown>;
  retries: number;
  timeoutSeconds: number;
}

/** A FEEL value as JSON: dates and times as their ISO text (FEEL dates know their JSON), nothing else changed. */
function jsonOf(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') return (value as { toJSON(): unknown }).toJSON();
  if (Array.isArray(value)) return value.map(jsonOf);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonOf(v)]));
  return value;
}

/**
 * What a system step sends: each payload key's FEEL expression evaluated on the application's typed data,
 * within FEEL's budget, as the interpreter and `hall serve` both compute it. An expression that cannot be
 * evaluated stops the run with the reason, as a branch condition does.
 */
export function systemCallOf(step: RuntimeStep, context: Record<string, unknown>, at: string, calendar: WorkCalendar): { ok: true; call: SystemCall } | { ok: false; problem: { zh: string; en: string } } {
  const system = step.system!;
  const payload: Record<string, unknown> = {};
  for (const [key, expression] of Object.entries(system.payload)) {
    const outcome = evaluateFeel(expression, context, at, calendar);
    if (!outcome.ok) return { ok: false, problem: { zh: `系统环节“${step.id}”发送的“${key}”（${expression}）${outcome.failure.message.zh}`, en: `system step "${step.id}": payload ${key} (${expression}) ${outcome.failure.message.en}` } };
    payload[key] = jsonOf(outcome.value);
  }
  return { ok: true, call: { step: step.id, connector: system.connector, ...(system.path !== undefined ? { path: system.path } : {}), payload, retries: system.retries, timeoutSeconds: system.timeoutSeconds } };
}

/** What the applicant and the timeline say while the call is under way. */
export const callingProblem = (step: RuntimeStep): { zh: string; en: string } => ({ zh: `系统处理中：${step.name.zh}`, en: `the system is processing: ${step.name.en ?? step.id}` });

/** A recorded outcome of a system step other than success is not a decision the flow knows. */
export const systemDecisionProblem = (step: RuntimeStep, action: string): { zh: string; en: string } => ({
  zh: `系统环节“${step.id}”只能记录“approve”（调用成功），不能记录“${action}”`,
  en: `system step "${step.id}" records only "approve" (the call succeeded), not "${action}"`,
});
