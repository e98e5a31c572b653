import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';

/**
 * Approver actions beyond the decision itself (issue 15.6; seed 003 asks that each node of a flow have a
 * responsible person, seed 000 §7 that approvers handle their tasks online): the assignee of a step may
 * hand its task over without deciding, when the step allows it.
 *
 * - transfer (转办): to another person of the same group@scope; they now hold the task and decide.
 * - add-approver (加签): `before` me — the added approver decides first (approve hands the task back to
 *   me, reject ends the application); `after` me — I approve now, the added approver's approval passes
 *   the step, their rejection ends the application.
 * - delegate (委派): someone works on the task and hands it back (`resolve`); I then decide.
 *
 * A hand-over never changes the step's due date, never enters the path (only decisions that end a
 * person's turn with approve/reject/return at the step's holder do), and is replayed like any decision:
 * the runtime's state stays `runWorkflow(definition, decisions)`.
 */
export type HandOverAction = 'transfer' | 'add-approver' | 'delegate' | 'resolve';
export const HAND_OVER_ACTIONS: readonly HandOverAction[] = ['transfer', 'add-approver', 'delegate', 'resolve'];

export function isHandOver(action: string): action is HandOverAction {
  return (HAND_OVER_ACTIONS as readonly string[]).includes(action);
}

/** Who holds an active step's task right now, beyond its group@scope. */
export interface HandState {
  /** The person the task was transferred to (undefined: any holder of the group@scope). */
  holder?: string;
  /** An added approver's or a delegate's turn, before the task comes back to the holder (or passes, for `after`). */
  turn?: { person: string; kind: 'before' | 'after' | 'delegate' };
}

/** The person who must act now, if the task is a person's rather than the group@scope's. */
export function personOf(hand: HandState): string | undefined {
  return hand.turn?.person ?? hand.holder;
}

/** What the person whose turn it is may do. An added approver approves or rejects; a delegate only hands back. */
export function actionsNow(step: Pick<RuntimeStep, 'actions'>, hand: HandState): string[] {
  if (hand.turn?.kind === 'delegate') return ['resolve'];
  if (hand.turn) return ['approve', ...(step.actions.includes('reject') ? ['reject'] : [])];
  return [...step.actions];
}

export interface HandOverDecision {
  action: string;
  to?: string;
  position?: 'before' | 'after';
  comment?: string;
}

export interface HandOverEntry {
  type: 'transferred' | 'added' | 'delegated' | 'resolved';
  /** Who acted (when the task was a person's). */
  person?: string;
  to?: string;
  position?: 'before' | 'after';
  action?: 'approve';
}

/**
 * Apply one decision that does not end the step. Returns the timeline entry and the person newly given the
 * task (to notify), or undefined when the decision ends the step (approve/reject/return by the holder, or
 * the `after` approver's decision) and the interpreter decides as before. Throws a message when a hand-over
 * lacks its person.
 */
export function handOver(hand: HandState, decision: HandOverDecision): { entry: HandOverEntry; next?: string } | { problem: { zh: string; en: string } } | undefined {
  const by = personOf(hand);
  if (hand.turn) {
    if (hand.turn.kind === 'delegate') {
      hand.turn = undefined;
      return { entry: { type: 'resolved', person: by }, ...(hand.holder ? { next: hand.holder } : {}) };
    }
    if (hand.turn.kind === 'before' && decision.action === 'approve') {
      hand.turn = undefined;
      // The added approver's approval is their turn ending (an opinion), not the step's decision: it is no `acted`.
      return { entry: { type: 'resolved', action: 'approve', person: by }, ...(hand.holder ? { next: hand.holder } : {}) };
    }
    return undefined;
  }
  if (!isHandOver(decision.action)) return undefined;
  if (!decision.to) return { problem: { zh: `“${decision.action}”须写明交给谁（to）`, en: `"${decision.action}" needs the person it goes to (to)` } };
  if (decision.to === by) return { problem: { zh: `不能把待办交给自己（${decision.to}）`, en: `a task cannot be handed to oneself (${decision.to})` } };
  if (decision.action === 'transfer') {
    hand.holder = decision.to;
    return { entry: { type: 'transferred', to: decision.to, ...(by ? { person: by } : {}) }, next: decision.to };
  }
  if (decision.action === 'delegate') {
    hand.turn = { person: decision.to, kind: 'delegate' };
    return { entry: { type: 'delegated', to: decision.to, ...(by ? { person: by } : {}) }, next: decision.to };
  }
  const position = decision.position ?? 'before';
  hand.turn = { person: decision.to, kind: position };
  return { entry: { type: 'added', to: decision.to, position, ...(by ? { person: by } : {}) }, next: decision.to };
}

/** The default text of a hand-over's new task, when the step has no `assigned` template. */
export function handOverText(serviceName: string, stepName: string, due: string, kind: HandOverEntry['type']): string {
  const how = kind === 'transferred' ? '转办给您' : kind === 'added' ? '加签给您' : kind === 'delegated' ? '委派给您' : '交回给您';
  return `【待办】“${serviceName}”的“${stepName}”已${how}，期限 ${due}。`;
}

/** The default text of a copy (抄送), when the step has no `copied` template. */
export function copyText(serviceName: string, stepName: string, applicantName: string): string {
  return `【抄送】${applicantName}的“${serviceName}”已通过“${stepName}”，抄送您知悉，无需办理。`;
}

/**
 * The decisions that complete a step's task, without the hand-overs and the turns they open: what a BPMN
 * engine sees, where a hand-over is an assignment of the open user task (Camunda 8 Tasklist) and only the
 * decision that ends the step completes it (docs/camunda.md, "Approver actions").
 */
export function decisionsThatComplete<D extends HandOverDecision & { step: string }>(decisions: readonly D[]): D[] {
  const hands = new Map<string, HandState>();
  const out: D[] = [];
  for (const decision of decisions) {
    const hand = hands.get(decision.step) ?? {};
    const handed = handOver(hand, decision);
    if (handed && !('problem' in handed)) {
      hands.set(decision.step, hand);
      continue;
    }
    hands.delete(decision.step);
    out.push(decision);
  }
  return out;
}
