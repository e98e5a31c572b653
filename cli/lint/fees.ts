import { textZh } from '../model/catalog.ts';
import type { Rule } from './rules.ts';

/** Issue 15 item 9: a fee computed from the form can be computed, in whole fen, from a form that exists. */
export const feeAmountsAreComputable: Rule = (ctx) => {
  for (const s of ctx.catalog.services.values()) {
    s.value.guide.fees.items?.forEach((item, i) => {
      const amount = item.amount;
      if (!amount) return;
      const at = ['guide', 'fees', 'items', i, 'amount'];
      const name = textZh(item.name);
      if (!s.value.form && (amount.quantity || amount.when)) {
        ctx.report(s, 'fee/amount-needs-form', [...at, amount.quantity ? 'quantity' : 'when'], { item: name, what: amount.quantity ? `quantity: ${amount.quantity}` : `when: ${amount.when}` });
      }
      const rates = [...(amount.rate !== undefined ? [{ rate: amount.rate, path: [...at, 'rate'] }] : []), ...(amount.tiers ?? []).map((t, j) => ({ rate: t.rate, path: [...at, 'tiers', j, 'rate'] }))];
      for (const { rate, path } of rates) if (Math.abs(Math.round(rate * 100) - rate * 100) > 1e-6) ctx.report(s, 'fee/rate-cents', path, { item: name, rate });
      const tiers = amount.tiers ?? [];
      tiers.forEach((tier, j) => {
        const last = j === tiers.length - 1;
        const previous = j > 0 ? tiers[j - 1].upTo : undefined;
        if (last && tier.upTo !== undefined) ctx.report(s, 'fee/tiers-order', [...at, 'tiers', j, 'upTo'], { item: name, detail: { zh: '最后一段写了 upTo：超过它的件数没有单价。', en: 'end with an upTo: units beyond it have no rate.' } });
        if (!last && tier.upTo === undefined) ctx.report(s, 'fee/tiers-order', [...at, 'tiers', j], { item: name, detail: { zh: `第 ${j + 1} 段不是最后一段，却没有写 upTo。`, en: `include tier ${j + 1} without upTo before the last.` } }, { key: true });
        if (tier.upTo !== undefined && previous !== undefined && tier.upTo <= previous) ctx.report(s, 'fee/tiers-order', [...at, 'tiers', j, 'upTo'], { item: name, detail: { zh: `第 ${j + 1} 段的 upTo ${tier.upTo} 不大于上一段的 ${previous}。`, en: `have tier ${j + 1} ending at ${tier.upTo}, not above the previous ${previous}.` } });
      });
    });
  }
};
