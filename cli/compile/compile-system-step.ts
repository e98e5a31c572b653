import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { SystemStep } from '../../generated/types/service.ts';
import { runtimeText } from './compile-form.ts';

/** Who a system step's "task" belongs to in the runtime's step shape: no person; failures go to the IT office. */
export const SYSTEM_GROUP = 'system';
export const DEFAULT_RETRIES = 5;
export const DEFAULT_TIMEOUT_SECONDS = 10;

/**
 * A system step (issue 15.3) as the runtime runs it: a step of the owner department that nobody holds
 * (group `system`, deadline 0, approve only), with the call it makes. Every reading that walks steps
 * sees an ordinary step; the interpreter, the engine and the BPMN export read `system`.
 */
export function compileSystemStep(step: SystemStep, owner: string): RuntimeStep {
  return {
    kind: 'step',
    id: step.id,
    name: runtimeText(step.name),
    group: SYSTEM_GROUP,
    scope: 'university',
    department: owner,
    deadline: 0,
    actions: ['approve'],
    system: {
      connector: step.system.connector,
      ...(step.system.path !== undefined ? { path: step.system.path } : {}),
      payload: { ...step.system.payload },
      retries: step.system.retries ?? DEFAULT_RETRIES,
      timeoutSeconds: step.system.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    },
  };
}
