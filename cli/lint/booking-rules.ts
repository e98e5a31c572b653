import type { Rule } from './rules.ts';

/**
 * 预约限额: the hall counts a quota in the day, week or month that holds the booked date
 * (server/engine/booking.ts `periodOf`). The work calendar has no term dates, so a per-term quota would be a
 * limit the hall cannot count: refused here rather than silently never applied.
 */
export const bookingQuotasAreCountable: Rule = (ctx) => {
  for (const s of ctx.catalog.services.values()) {
    const limits = s.value.appointment?.limits;
    for (const limit of ['perPerson', 'perUnit'] as const) {
      if (limits?.[limit]?.period === 'term') ctx.report(s, 'booking/term-quota', ['appointment', 'limits', limit, 'period'], { limit: `limits.${limit}` });
      s.value.appointment?.resources.forEach((r, i) => {
        if (r.limits?.[limit]?.period === 'term') ctx.report(s, 'booking/term-quota', ['appointment', 'resources', i, 'limits', limit, 'period'], { limit: `resources[${r.id}].limits.${limit}` });
      });
    }
  }
};
