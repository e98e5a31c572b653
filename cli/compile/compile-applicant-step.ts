import type { RuntimeApplicantStep } from '../../generated/types/runtime/definition.ts';
import type { ApplicantStep } from '../../generated/types/service.ts';
import { objectSchema, runtimeField, runtimeText } from './compile-form.ts';

/** An applicant step (issue 15.1) as the runtime runs it: optional keys only when written. Pure. */
export function compileApplicantStep(step: ApplicantStep): RuntimeApplicantStep {
  return {
    kind: 'applicant',
    id: step.id,
    name: runtimeText(step.name),
    deadline: step.deadline,
    ...(step.dueAfter !== undefined ? { dueAfter: step.dueAfter } : {}),
    ...(step.description !== undefined ? { description: runtimeText(step.description) } : {}),
    ...(step.fields ? { fields: step.fields.map(runtimeField), schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...objectSchema(step.fields) } } : {}),
    ...(step.notify ? { notify: { ...step.notify } } : {}),
  };
}
