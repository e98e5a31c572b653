import type { RuntimeBranch, RuntimeNode, RuntimePayment } from '../../generated/types/runtime/definition.ts';
import type { PaymentStep, WorkflowNode } from '../../generated/types/service.ts';
import { paidVariable, unpaidBranchId, unpaidBranchName } from '../../lib/interpret/payment.ts';
import { runtimeText } from './compile-form.ts';

/**
 * A payment step (issue 15.9b, docs/payment.md) as the runtime runs it. The step sets `variable` to whether
 * the platform confirmed payment in time; with unpaid steps an ordinary branch follows (`variable = false`),
 * as a publicity period's objection branch does, so every reading that knows branches knows them. Without
 * unpaid steps no branch is compiled and `whenUnpaid: end` says a timeout ends the application. Pure.
 */
export function compilePayment(step: PaymentStep, compileNodes: (nodes: WorkflowNode[]) => RuntimeNode[]): RuntimeNode[] {
  const variable = paidVariable(step.id);
  const unpaid = step.unpaid ?? [];
  const payment: RuntimePayment = {
    kind: 'payment',
    id: step.id,
    name: runtimeText(step.name),
    ...(step.description !== undefined ? { description: runtimeText(step.description) } : {}),
    connector: step.payment.connector,
    ...(step.payment.path !== undefined ? { path: step.payment.path } : {}),
    days: step.payment.days,
    variable,
    whenUnpaid: unpaid.length ? 'steps' : 'end',
  };
  if (!unpaid.length) return [payment];
  const branch: RuntimeBranch = { kind: 'branch', id: unpaidBranchId(step.id), name: unpaidBranchName(), condition: `${variable} = false`, then: compileNodes(unpaid), else: [] };
  return [payment, branch];
}
