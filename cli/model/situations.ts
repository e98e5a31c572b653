import type { Guide, Material, Situation, TimeLimit, Visits } from '../../generated/types/service.ts';

/** One situation's guide facts: the guide's own where the situation states nothing different. */
export interface SituationFacts {
  situation: Situation;
  visits: Visits;
  timeLimit?: TimeLimit;
  /** Indexes into guide.materials of the materials needed in this situation. */
  materials: number[];
}

/** Whether a material is needed in a situation: materials without `situations` are needed in all. */
export const materialApplies = (m: Material, situation: string): boolean => !m.situations || m.situations.includes(situation);

/** Each declared situation with the facts that hold in it (stated once in the guide, overridden per situation). */
export function situationFacts(guide: Guide): SituationFacts[] {
  return (guide.situations ?? []).map((situation) => ({
    situation,
    visits: situation.visits ?? guide.visits,
    timeLimit: situation.timeLimit ?? guide.timeLimit,
    materials: guide.materials.flatMap((m, i) => (materialApplies(m, situation.id) ? [i] : [])),
  }));
}

/**
 * The most visits any situation needs: the single 到办事现场次数 figure for statistics and national-standard
 * fields, so a service is not counted as 零跑动 when one of its situations needs a visit.
 */
export function mostVisits(guide: Guide): number {
  return Math.max(guide.visits.count, ...(guide.situations ?? []).map((s) => s.visits?.count ?? 0));
}
