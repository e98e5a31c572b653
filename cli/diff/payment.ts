import type { PaymentStep } from '../../generated/types/service.ts';
import { textEn, textZh } from '../model/catalog.ts';
import { counted } from '../../lib/shared/plural.ts';
import { bi } from './describe.ts';
import type { Bi } from './model.ts';

/** A payment step in words, for the change notice (issue 15.9b): where, within how long, and what follows when unpaid. */
export function paymentWords(step: PaymentStep): Bi {
  const unpaid = (step.unpaid ?? []).map((n) => {
    const zh = textZh(n.name ?? n.id) || n.id;
    return { zh, en: textEn(n.name ?? n.id) ?? zh };
  });
  const target = `${step.payment.connector}${step.payment.path ?? ''}`;
  const zh = unpaid.length ? `逾期未缴费的转“${unpaid.map((u) => u.zh).join('”“')}”` : '逾期未缴费视为放弃（申请以未缴费结束）';
  const en = unpaid.length ? `if unpaid, then ${unpaid.map((u) => u.en).join(', ')}` : 'if unpaid, the application ends as unpaid';
  return bi(`在 ${target} 下单缴费，${step.payment.days} 个工作日内缴清；${zh}`, `pay through ${target} within ${counted(step.payment.days, 'work day')}; ${en}`);
}
