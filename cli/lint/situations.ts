import { closest } from '../diagnostics/suggest.ts';
import type { Located, Service } from '../model/catalog.ts';
import { situationFacts } from '../model/situations.ts';
import { textZh } from '../model/catalog.ts';
import { canonicalJson } from '../../lib/shared/canonical.ts';
import { longestPath } from './rules.ts';
import type { LintContext, Rule } from './rules.ts';

/** Issue 15 item 10: guide facts per situation (办理情形, the national 业务办理项 split), stated once. */

const withSituations = (ctx: LintContext) => [...ctx.catalog.services.values()].filter((s) => s.value.guide.situations || s.value.guide.materials.some((m) => m.situations));

/** Situation ids are declared once, and every material's situations name a declared one. */
export const situationsAreDeclared: Rule = (ctx) => {
  for (const s of withSituations(ctx)) {
    const g = s.value.guide;
    const seen = new Set<string>();
    (g.situations ?? []).forEach((situation, i) => {
      if (seen.has(situation.id)) ctx.report(s, 'guide/situation-duplicate', ['guide', 'situations', i, 'id'], { situation: situation.id });
      seen.add(situation.id);
    });
    g.materials.forEach((m, i) => {
      (m.situations ?? []).forEach((id, j) => {
        if (seen.has(id)) return;
        const suggest = closest(id, seen);
        ctx.report(s, 'guide/situation-unknown', ['guide', 'materials', i, 'situations', j], { material: textZh(m.name), situation: id, ...(suggest ? { suggest } : {}) });
      });
    });
  }
};

/** Said once: a situation does not repeat the guide's facts, and no two situations come to the same facts. */
export const situationsStateADifference: Rule = (ctx) => {
  for (const s of withSituations(ctx)) {
    const g = s.value.guide;
    const facts = situationFacts(g);
    facts.forEach(({ situation }, i) => {
      for (const key of ['visits', 'timeLimit'] as const) {
        if (situation[key] !== undefined && canonicalJson(situation[key]) === canonicalJson(g[key])) {
          const detail = key === 'visits' ? { zh: '写的到现场次数与指南相同。', en: 'repeats the guide\'s visits.' } : { zh: '写的办理时限与指南相同。', en: 'repeats the guide\'s time limit.' };
          ctx.report(s, 'guide/situation-same', ['guide', 'situations', i, key], { situation: situation.id, detail }, { key: true });
        }
      }
      const key = (f: (typeof facts)[number]) => canonicalJson({ visits: f.visits, timeLimit: f.timeLimit ?? null, materials: f.materials });
      const twin = facts.slice(0, i).find((other) => key(other) === key(facts[i]));
      if (twin) {
        const detail = { zh: `与情形“${twin.situation.id}”的到现场次数、办理时限和材料完全相同。`, en: `has the same visits, time limit and materials as situation "${twin.situation.id}".` };
        ctx.report(s, 'guide/situation-same', ['guide', 'situations', i, 'id'], { situation: situation.id, detail });
      }
    });
  }
};

/** The guide's quality rules hold in every situation: a situation's own visits and time limit are checked as the guide's are. */
export const situationFactsFollowGuideRules: Rule = (ctx) => {
  for (const s of withSituations(ctx)) {
    const g = s.value.guide;
    (g.situations ?? []).forEach((situation, i) => {
      const at = ['guide', 'situations', i];
      const visits = situation.visits;
      if (visits && visits.count > 0 && !visits.reason) ctx.report(s, 'policy/visits-reason', [...at, 'visits'], { count: visits.count }, { key: true });
      if (visits && g.onlineDepth?.grade === 4 && visits.count > 0) ctx.report(s, 'policy/grade-visits', [...at, 'visits', 'count'], { count: visits.count });
      const limit = situation.timeLimit;
      if (limit?.type === 'immediate' && limit.promised.value > 0) ctx.report(s, 'policy/immediate-limit', [...at, 'timeLimit', 'promised', 'value'], { value: limit.promised.value });
      deadlinesFit(ctx, s, limit, [...at, 'timeLimit', 'promised']);
    });
  }
};

function deadlinesFit(ctx: LintContext, s: Located<Service>, limit: Service['guide']['timeLimit'], path: (string | number)[]) {
  if (!limit || !s.value.workflow) return;
  const days = limit.promised.unit === 'workday' ? limit.promised.value : Math.floor((limit.promised.value * 5) / 7);
  const { total, steps } = longestPath(s.value.workflow.steps);
  if (total > days) ctx.report(s, 'policy/deadline-exceeds-limit', path, { path: steps.join(' → '), total, limit: days });
}
