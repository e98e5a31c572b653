import { isApplicantStep, isPaymentStep, isPublicityStep, isSystemStep } from '../model/catalog.ts';
import type { WorkflowNode } from '../model/catalog.ts';

/**
 * The applicant steps, publicity periods and payment steps of a workflow, each with whether every way to it passed an approval
 * first: a step people decide or a countersign — not the applicant's own step, a system call or another period.
 * Both follow an approval (cli/lint/applicant-steps.ts, cli/lint/publicity.ts); a period's objections begin after
 * the result it publishes was approved.
 */
export function approvalBefore(steps: WorkflowNode[]): { node: WorkflowNode; path: (string | number)[]; approved: boolean }[] {
  const found: { node: WorkflowNode; path: (string | number)[]; approved: boolean }[] = [];
  const walk = (nodes: WorkflowNode[], base: (string | number)[], approved: boolean): boolean => {
    nodes.forEach((node, i) => {
      const path = [...base, i];
      if ('if' in node) {
        const then = walk(node.then, [...path, 'then'], approved);
        const otherwise = walk(node.else ?? [], [...path, 'else'], approved);
        approved = then && otherwise;
      } else if (isPublicityStep(node)) {
        found.push({ node, path, approved });
        walk(node.objections ?? [], [...path, 'objections'], true);
      } else if (isPaymentStep(node)) {
        // Payment steps (issue 15.9b) charge for an approved application; their unpaid steps come after it.
        found.push({ node, path, approved });
        walk(node.unpaid ?? [], [...path, 'unpaid'], true);
      } else if (isApplicantStep(node)) found.push({ node, path, approved });
      else if (!isSystemStep(node)) approved = true;
    });
    return approved;
  };
  walk(steps, ['workflow', 'steps'], false);
  return found;
}
