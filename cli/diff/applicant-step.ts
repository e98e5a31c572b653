import type { ApplicantStep } from '../../generated/types/service.ts';
import { counted } from '../../lib/shared/plural.ts';

/** The keys of an applicant step (issue 15.1) `hall diff` says in words; the rest are said with their values. */
export const APPLICANT_STEP_DESCRIBED: (keyof ApplicantStep)[] = ['deadline', 'dueAfter'];

/** An applicant step's deadline as a reviewer reads it: 申请人 1 个工作日内完成（从 period 之后起算）. */
export function applicantStepTerms(s: ApplicantStep, keys: (keyof ApplicantStep)[]): { zh: string; en: string } {
  const zh: string[] = [];
  const en: string[] = [];
  if (keys.includes('deadline')) {
    zh.push(`申请人 ${s.deadline} 个工作日内完成`);
    en.push(`the applicant completes it within ${counted(s.deadline, 'work day')}`);
  }
  if (keys.includes('dueAfter')) {
    zh.push(s.dueAfter === undefined ? '期限从环节开始起算' : `期限从“${s.dueAfter}”之后起算`);
    en.push(s.dueAfter === undefined ? 'counted from the step\'s start' : `counted from after ${s.dueAfter}`);
  }
  return { zh: zh.join('，'), en: en.join(', ') };
}
