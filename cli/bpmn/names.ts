import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';

/**
 * Names the export gives to process variables, element ids and forms. Catalog ids are kebab-case and
 * form field ids camelCase, so every variable the export adds contains an underscore: it can never
 * collide with a form field, and `-` → `_` keeps step ids apart.
 */

/** The applicant's user id in the identity platform: the caller sets it when starting an instance. */
export const APPLICANT_USER_VAR = 'applicant_user_id';
/** The last decision taken (step, name, action, comment): what a returned applicant is shown. */
export const LAST_DECISION_VAR = 'last_decision';
/** Keys an approval form submits; task-local, copied out by output mappings. */
export const REVIEW_DECISION_KEY = 'review_decision';
export const REVIEW_COMMENT_KEY = 'review_comment';

const snake = (id: string) => id.replace(/-/g, '_');

/** Process variable holding the latest decision of a step (approve | reject | return). */
export const decisionVar = (stepId: string) => `decision_${snake(stepId)}`;
/** Process variable holding the latest comment of a step. */
export const commentVar = (stepId: string) => `comment_${snake(stepId)}`;

/** Error codes a countersign sub-process throws to leave early (caught by its boundary events). */
export const REJECT_ERROR_CODE = 'servicehall-reject';
export const RETURN_ERROR_CODE = 'servicehall-return';
/** Error code of the end event reached when a step cannot be assigned; never caught, so Zeebe raises an incident. */
export const UNASSIGNED_ERROR_CODE = 'servicehall-unassigned';

/** Form ids: unique per service version, so a newer deployment never changes the form of a running instance. */
export const formBase = (serviceId: string, version: number) => `${serviceId}-v${version}`;
export const APPLY_FORM = 'apply';
export const REVISE_FORM = 'revise';
export const reviewForm = (stepId: string) => `review-${stepId}`;

/** A FEEL string literal. */
export function feelString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The FEEL path of a scope or department reference: `applicant.class` stays, `form.unit` reads the field `unit`. */
function feelPath(reference: string): string {
  return reference.startsWith('form.') ? reference.slice('form.'.length) : reference;
}

const isReference = (value: string) => value.startsWith('applicant.') || value.startsWith('form.');

/**
 * Candidate groups of a step, as Zeebe wants them: a static group id, or a FEEL list when the scope
 * depends on the applicant or the form. The strings equal the reference interpreter's assignees
 * (`group@scopeValue`, or `group` for the whole university): see `resolveScope` in lib/interpret.
 */
export function candidateGroups(step: Pick<RuntimeStep, 'group' | 'scope' | 'department' | 'fallback'>): string {
  if (step.scope === 'university') return step.group;
  const reference = step.scope === 'department' ? step.department : step.scope;
  if (!isReference(reference)) return `${step.group}@${reference}`;
  // Routing (docs/routing.md): the fallback's value where the reference has none, as lib/interpret/fallback.ts.
  if (step.fallback !== undefined) return `=[${feelString(`${step.group}@`)} + string(${withFallback(reference, step.fallback)})]`;
  return `=[${feelString(`${step.group}@`)} + string(${feelPath(reference)})]`;
}

/** FEEL: a reference's value, or the fallback's where it has none (null or empty). */
export function withFallback(reference: string, fallback: string): string {
  const value = feelPath(reference);
  return `(if ${value} != null and string(${value}) != "" then ${value} else ${feelPath(fallback)})`;
}

/** FEEL: true when a reference has a value (null or empty has none). */
export function hasValueFeel(reference: string): string {
  const value = feelPath(reference);
  return `${value} != null and string(${value}) != ""`;
}

/**
 * Calendar days that stand in for `workdays` work days in a timer: Zeebe has no business calendar,
 * so a week of 5 work days counts as 7 days, rounded up; 0 (same day) waits one day.
 */
export function calendarDays(workdays: number): number {
  return workdays <= 0 ? 1 : Math.ceil((workdays * 7) / 5);
}

/** Chinese labels of a step's actions: the three decisions, then the assignee's hand-overs. */
export const ACTION_LABEL: Record<'approve' | 'reject' | 'return' | 'transfer' | 'add-approver' | 'delegate', string> = {
  approve: '同意',
  reject: '不同意',
  return: '退回修改',
  transfer: '转办',
  'add-approver': '加签',
  delegate: '委派',
};

/** A step's decisions (approve, reject, return): hand-overs are Tasklist assignments, not choices in the form. */
export function decisionsOf(step: Pick<RuntimeStep, 'actions'>): ('approve' | 'reject' | 'return')[] {
  return step.actions.filter((a): a is 'approve' | 'reject' | 'return' => a === 'approve' || a === 'reject' || a === 'return');
}
