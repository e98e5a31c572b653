import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';

/**
 * Routing with a fallback scope (docs/routing.md): a step whose assignment reads a value the application
 * does not have (an applicant attribute the directory lacks, a form field left empty) is assigned by its
 * `fallback` instead, e.g. `scope: department, department: applicant.department, fallback: applicant.college`
 * sends staff to their unit's head and students, who have no unit, to their college's. Every reader of a
 * step's assignment (interpreter, runtime incidents, BPMN candidate groups) goes through this.
 */
type Routed = Pick<RuntimeStep, 'scope' | 'department'> & { fallback?: string };

const isReference = (value: string) => value.startsWith('applicant.') || value.startsWith('form.');

/** The value a reference reads, or undefined when there is none. */
export function referenceValue(reference: string, applicant: Record<string, unknown>, data: Record<string, unknown>): unknown {
  const value = reference.startsWith('applicant.') ? applicant[reference.slice('applicant.'.length)] : data[reference.slice('form.'.length)];
  return value === undefined || value === null || value === '' ? undefined : value;
}

/** The step as it is assigned: its own scope and department, or its fallback where they read a missing value. */
export function routeStep<T extends Routed>(step: T, applicant: Record<string, unknown>, data: Record<string, unknown>): T {
  if (step.fallback === undefined) return step;
  const primary = step.scope === 'department' ? step.department : step.scope;
  if (!isReference(primary) || referenceValue(primary, applicant, data) !== undefined) return step;
  return {
    ...step,
    ...(step.scope === primary ? { scope: step.fallback } : {}),
    ...(step.department === primary ? { department: step.fallback } : {}),
  };
}
