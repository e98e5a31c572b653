import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import { evaluateFeel, fieldsOfDefinition, typeData } from './feel.ts';

type RuntimeFeeItem = NonNullable<RuntimeDefinition['fees']>['items'][number];

/** What one application owes (issue 15 item 9): each charged item and the total, in fen (分) so sums are exact. */
export interface FeeAssessment {
  items: { name: string; quantity: number; fen: number }[];
  totalFen: number;
}

export type FeeOutcome = { ok: true; fee: FeeAssessment } | { ok: false; problem: { zh: string; en: string } };

const fen = (yuan: number) => Math.round(yuan * 100);

/** Graduated tiers: units 1..upTo at the first rate, the next units at the next rate, and so on. */
export function tieredFen(tiers: { upTo?: number; rate: number }[], quantity: number): number {
  let total = 0;
  let from = 0;
  for (const tier of tiers) {
    const to = tier.upTo ?? Infinity;
    const units = Math.max(0, Math.min(quantity, to) - from);
    total += units * fen(tier.rate);
    from = to;
    if (quantity <= to) break;
  }
  return total;
}

/** The amount of one item for a quantity: rate × quantity, or its tiers. */
export const itemFen = (item: RuntimeFeeItem, quantity: number): number => (item.tiers ? tieredFen(item.tiers, quantity) : quantity * fen(item.rate ?? 0));

/**
 * The fee an application owes, from the definition's fee items and the submitted form: an item whose
 * `when` does not hold is not charged; its quantity is its FEEL expression's value (1 when it has none).
 * Pure; the interpreter, `hall serve` and `hall test` compute it the same way.
 */
export function assessFees(definition: RuntimeDefinition, data: Record<string, unknown>, applicant: Record<string, unknown>, at: string): FeeOutcome | undefined {
  const fees = definition.fees;
  if (!fees) return undefined;
  const context = { ...typeData(fieldsOfDefinition(definition), data), applicant };
  const items: FeeAssessment['items'] = [];
  for (const item of fees.items) {
    if (item.when) {
      const outcome = evaluateFeel(item.when, context, at);
      if (!outcome.ok) return { ok: false, problem: { zh: `收费条件“${item.when}”${outcome.failure.message.zh}`, en: `fee condition "${item.when}": ${outcome.failure.message.en}` } };
      if (outcome.value !== true) continue;
    }
    let quantity = 1;
    if (item.quantity !== undefined) {
      const outcome = evaluateFeel(item.quantity, context, at);
      if (!outcome.ok) return { ok: false, problem: { zh: `收费数量“${item.quantity}”${outcome.failure.message.zh}`, en: `fee quantity "${item.quantity}": ${outcome.failure.message.en}` } };
      // An empty optional field reads as null: nothing of this item is charged.
      const value = outcome.value === null ? 0 : outcome.value;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return { ok: false, problem: { zh: `收费数量“${item.quantity}”的结果不是非负整数：${JSON.stringify(value)}`, en: `fee quantity "${item.quantity}" is not a whole number ≥ 0: ${JSON.stringify(value)}` } };
      quantity = value;
    }
    if (quantity === 0) continue;
    items.push({ name: item.name.zh, quantity, fen: itemFen(item, quantity) });
  }
  return { ok: true, fee: { items, totalFen: items.reduce((sum, i) => sum + i.fen, 0) } };
}

/** Yuan as the guide and the hall write it: 12 元, 0.50 元. */
export const yuanText = (fenAmount: number): string => (fenAmount % 100 === 0 ? `${fenAmount / 100}` : (fenAmount / 100).toFixed(2));

/** The run's result with its fee: on the form as last revised; a fee that cannot be computed stops the run with an error. */
export function withFee<R extends { outcome: string; problem?: { zh: string; en: string }; fee?: FeeAssessment }>(definition: RuntimeDefinition, input: { data: Record<string, unknown>; applicant: Record<string, unknown>; submittedAt: string; decisions: { revise?: Record<string, unknown> }[] }, result: R): R {
  if (!definition.fees || result.outcome === 'invalid') return result;
  const data = input.decisions.reduce((d, decision) => (decision.revise ? { ...d, ...decision.revise } : d), input.data);
  const outcome = assessFees(definition, data, input.applicant, input.submittedAt);
  if (!outcome) return result;
  return outcome.ok ? { ...result, fee: outcome.fee } : { ...result, outcome: 'error', problem: outcome.problem };
}

/** `{{fee}}` for notification templates: the total in yuan, when the definition computes one. */
export function feeVariables(definition: RuntimeDefinition, data: Record<string, unknown>, applicant: Record<string, unknown>, at: string): { fee?: string } {
  const outcome = assessFees(definition, data, applicant, at);
  return outcome?.ok ? { fee: yuanText(outcome.fee.totalFen) } : {};
}
