import type { PublicityStep } from '../../generated/types/service.ts';
import { textEn, textZh } from '../model/catalog.ts';
import { counted } from '../../lib/shared/plural.ts';
import { bi } from './describe.ts';
import type { Bi } from './model.ts';

/** A publicity period in words, for the change notice (issue 15.2): how long, and what an objection leads to. */
export function publicityWords(step: PublicityStep): Bi {
  const reviews = (step.objections ?? []).map((n) => {
    const zh = textZh(n.name ?? n.id) || n.id;
    return { zh, en: textEn(n.name ?? n.id) ?? zh };
  });
  const zh = reviews.length ? `有异议时，公示期满后由“${reviews.map((r) => r.zh).join('”“')}”复核` : '有异议时无人复核';
  const en = reviews.length ? `objections are reviewed after the period by ${reviews.map((r) => r.en).join(', ')}` : 'objections go to no review';
  return bi(`公示 ${step.publicity.days} 个工作日；${zh}`, `published for ${counted(step.publicity.days, 'work day')}; ${en}`);
}
