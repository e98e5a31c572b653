import { assessFees, yuanText } from '../../lib/interpret/fees.ts';
import type { ApplicationRecord, Engine } from './engine.ts';
import { latestData } from './engine.ts';

/** What an application owes as `hall serve` answers it (issue 15.9a): each item, the total in fen and in yuan. */
export interface FeeAnswer {
  items: { name: string; quantity: number; fen: number }[];
  totalFen: number;
  /** The total as the guide writes it, e.g. 12 or 0.50 (元). */
  total: string;
}

/**
 * The fee of an application on its latest form data, computed as the interpreter computes it (`assessFees`);
 * `{}` when its service computes no fee, so answers of other services do not change.
 */
export function feeAnswer(engine: Engine, application: ApplicationRecord): { fee?: FeeAnswer } {
  const definition = engine.runtime.version(application.service, application.version);
  const outcome = assessFees(definition, latestData(application), application.applicant, application.submittedAt);
  if (!outcome?.ok) return {};
  return { fee: { ...outcome.fee, total: yuanText(outcome.fee.totalFen) } };
}
