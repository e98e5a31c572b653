import type { RuntimeBranch, RuntimeNode, RuntimePublicity } from '../../generated/types/runtime/definition.ts';
import type { PublicityStep, WorkflowNode } from '../../generated/types/service.ts';
import { objectionBranchId, objectionBranchName, objectionVariable } from '../../lib/interpret/publicity.ts';
import { runtimeText } from './compile-form.ts';

/**
 * A publicity period (issue 15.2, docs/publicity.md) as the runtime runs it: two nodes. The period sets
 * `variable` to whether anyone objected when it ends; the branch after it, an ordinary one, runs the
 * objection steps when it is true. So every reading that knows branches (BPMN, masking, return targets,
 * the pages' step lists) knows the objection steps without learning a nested sequence of a new kind. Pure.
 */
export function compilePublicity(step: PublicityStep, compileNodes: (nodes: WorkflowNode[]) => RuntimeNode[]): RuntimeNode[] {
  const variable = objectionVariable(step.id);
  const period: RuntimePublicity = {
    kind: 'publicity',
    id: step.id,
    name: runtimeText(step.name),
    ...(step.description !== undefined ? { description: runtimeText(step.description) } : {}),
    days: step.publicity.days,
    variable,
  };
  const branch: RuntimeBranch = { kind: 'branch', id: objectionBranchId(step.id), name: objectionBranchName(), condition: `${variable} = true`, then: compileNodes(step.objections ?? []), else: [] };
  return [period, branch];
}
