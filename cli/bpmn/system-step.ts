import type { BpmnElement, BpmnFactory } from './xml.ts';
import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { TypedField } from '../../lib/interpret/feel.ts';
import { zeebeTypedCondition } from './typed-condition.ts';

/** The job type a system step's service task has: one per connector, so a worker serves one campus system. */
export const systemJobType = (connector: string): string => `servicehall-connector-${connector}`;

/** A FEEL context literal of the payload, each value typed as the interpreter reads it (dates from the form's text). */
export function payloadFeel(step: RuntimeStep, fields: TypedField[], hasBooking: boolean): string {
  const entries = Object.entries(step.system!.payload).map(([key, expression]) => `${key}: ${zeebeTypedCondition(expression, fields, hasBooking)}`);
  return `={${entries.join(', ')}}`;
}

/**
 * A system step (issue 15.3) as Camunda 8 runs it: a service task whose job a worker for the connector
 * takes (`servicehall-connector-<id>`), with the step's retries (Zeebe counts the first attempt too) and
 * the payload as the `payload` input; the connector, path and timeout as task headers. When the retries
 * are used up Zeebe raises an incident, as the hall does (docs/camunda.md).
 */
export function systemServiceTask(model: BpmnFactory, step: RuntimeStep, fields: TypedField[], hasBooking: boolean, ext: (values: BpmnElement[]) => BpmnElement): Record<string, unknown> {
  const system = step.system!;
  return {
    id: `Task_${step.id}`,
    name: step.name.zh,
    extensionElements: ext([
      model.create('zeebe:TaskDefinition', { type: systemJobType(system.connector), retries: String(system.retries + 1) }),
      model.create('zeebe:IoMapping', { inputParameters: [model.create('zeebe:Input', { source: payloadFeel(step, fields, hasBooking), target: 'payload' })] }),
      model.create('zeebe:TaskHeaders', {
        values: [
          model.create('zeebe:Header', { key: 'connector', value: system.connector }),
          ...(system.path !== undefined ? [model.create('zeebe:Header', { key: 'path', value: system.path })] : []),
          model.create('zeebe:Header', { key: 'timeoutSeconds', value: String(system.timeoutSeconds) }),
        ],
      }),
    ]),
  };
}
