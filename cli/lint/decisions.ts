import type { LintContext, Rule } from './rules.ts';
import type { Service } from '../model/catalog.ts';
import { fieldsOf, nodesOf, stepsOf } from '../model/catalog.ts';
import type { Interval } from '../../lib/interpret/decision.ts';
import { bandText, decisionReads, isEmptyBand, parseUnaryTest, subtractBands } from '../../lib/interpret/decision.ts';

/** The flow's conditions, where tables may be read: branches, deadline rules and countersign members. */
export function flowConditionsOf(service: Service): { expression: string; path: (string | number)[] }[] {
  const found: { expression: string; path: (string | number)[] }[] = [];
  for (const { node, path } of nodesOf(service.workflow?.steps)) if ('if' in node) found.push({ expression: node.if, path: [...path, 'if'] });
  for (const { node, path } of nodesOf(service.workflow?.steps)) if ('deadlineWhen' in node) node.deadlineWhen?.forEach((rule, i) => found.push({ expression: rule.if, path: [...path, 'deadlineWhen', i, 'if'] }));
  for (const { step, path } of stepsOf(service.workflow?.steps)) if (step.when !== undefined) found.push({ expression: step.when, path: [...path, 'when'] });
  return found;
}

const EVERYTHING: Interval = { lo: -Infinity, loIn: false, hi: Infinity, hiIn: false };

/** The values the input can take: a field's min..max when the input is one number field, else every number. */
function domainOf(service: Service, input: string): Interval {
  for (const { field } of fieldsOf(service)) {
    if (field.id !== input.trim()) continue;
    return { lo: field.min ?? -Infinity, loIn: field.min !== undefined, hi: field.max ?? Infinity, hiIn: field.max !== undefined };
  }
  return EVERYTHING;
}

const bandsText = (bands: Interval[]) => bands.map(bandText).join('、');

/** The values a choice field offers, when the input is one: the whole domain of a table of texts. */
function optionsOf(service: Service, input: string): string[] | undefined {
  for (const { field } of fieldsOf(service)) {
    if (field.id !== input.trim() || field.type !== 'choice' || !field.options) continue;
    return field.options.map((o) => (typeof o === 'string' ? o : String((o as { value: unknown }).value)));
  }
  return undefined;
}

/**
 * Hit policy first (docs/routing.md): a rule wholly covered by earlier ones never matches; one partly covered
 * gets the earlier result there; without a default, the input's values no rule covers give null.
 */
export const decisionBandsAreSound: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    const fieldIds = new Set([...fieldsOf(s.value)].map(({ field }) => field.id));
    const seen = new Set<string>();
    s.value.workflow?.decisions?.forEach((table, t) => {
      const at = ['workflow', 'decisions', t];
      if (fieldIds.has(table.id) || seen.has(table.id)) ctx.report(s, 'catalog/duplicate-id', [...at, 'id'], { what: { zh: '决策表', en: 'decision table' }, id: table.id, other: fieldIds.has(table.id) ? 'form' : 'workflow.decisions' });
      seen.add(table.id);
      const domain = [domainOf(s.value, table.input)];
      const options = optionsOf(s.value, table.input);
      let covered: Interval[] = [];
      const texts = new Set<string>();
      let any = false;
      table.rules.forEach((rule, r) => {
        const test = parseUnaryTest(rule.when);
        if (!test) return; // the schema's pattern reports it
        const args = { table: table.id, rule: r + 1, when: rule.when };
        if (any) return ctx.report(s, 'decision/unreachable', [...at, 'rules', r, 'when'], { ...args, why: { zh: '都已被前面的“-”（任何值）规则取走', en: 'are all taken by an earlier "-" (any value) rule' } });
        if (test.kind === 'any') return void (any = true);
        if (test.kind === 'texts') {
          const offered = options ? test.values.filter((v) => options.includes(v)) : test.values;
          if (!offered.length) ctx.report(s, 'decision/unreachable', [...at, 'rules', r, 'when'], { ...args, why: { zh: '不是输入的选项', en: 'are not among the input\'s options' } });
          else if (offered.every((v) => texts.has(v))) ctx.report(s, 'decision/unreachable', [...at, 'rules', r, 'when'], { ...args, why: { zh: '都已被前面的规则取走', en: 'are all taken by earlier rules' } });
          test.values.forEach((v) => texts.add(v));
          return;
        }
        const own = test.bands.flatMap((band) => subtractBands([band], subtractBands([band], domain)));
        const fresh = subtractBands(own, covered);
        if (own.every(isEmptyBand) || own.length === 0) {
          ctx.report(s, 'decision/unreachable', [...at, 'rules', r, 'when'], { ...args, why: { zh: '不在输入的取值范围内', en: 'lie outside the input\'s range' } });
        } else if (fresh.length === 0) {
          ctx.report(s, 'decision/unreachable', [...at, 'rules', r, 'when'], { ...args, why: { zh: '都已被前面的规则取走', en: 'are all taken by earlier rules' } });
        } else {
          const shared = subtractBands(own, fresh);
          if (shared.length) ctx.report(s, 'decision/overlap', [...at, 'rules', r, 'when'], { table: table.id, rule: r + 1, overlap: bandsText(shared) });
        }
        covered = [...covered, ...own];
      });
      if (table.default !== undefined || any) return;
      // A choice input: the options no rule names.
      const missing = options?.filter((o) => !texts.has(o)) ?? [];
      if (options && missing.length && table.rules.some((rule) => parseUnaryTest(rule.when)?.kind === 'texts')) {
        return ctx.report(s, 'decision/gap', [...at, 'rules'], { table: table.id, gap: missing.map((o) => JSON.stringify(o)).join('、') }, { key: true });
      }
      const numeric = table.rules.some((rule) => parseUnaryTest(rule.when)?.kind === 'numbers');
      if (!numeric) return;
      const gaps = subtractBands(domain, covered);
      if (gaps.length) ctx.report(s, 'decision/gap', [...at, 'rules'], { table: table.id, gap: bandsText(gaps) }, { key: true });
    });
  }
};

/** A table is written to be read: by a flow condition, which names each of its results. */
export const decisionResultsAreRead: Rule = (ctx: LintContext) => {
  for (const s of ctx.catalog.services.values()) {
    const tables = s.value.workflow?.decisions ?? [];
    if (!tables.length) continue;
    const ids = new Set(tables.map((t) => t.id));
    const reading = new Map<string, string[]>();
    for (const { expression } of flowConditionsOf(s.value)) {
      for (const read of decisionReads(expression, ids)) reading.set(read.id, [...(reading.get(read.id) ?? []), expression]);
    }
    tables.forEach((table, t) => {
      const at = ['workflow', 'decisions', t];
      const conditions = reading.get(table.id);
      if (!conditions) return ctx.report(s, 'decision/unread', [...at, 'id'], { table: table.id });
      // `contractLevel != "科研处审批"` tells every other result apart from that one: all of them are read.
      const negated = conditions.some((c) => c.includes('!=') || /\bnot\s*\(/.test(c));
      const named = (result: string) => negated || conditions.some((c) => c.includes(JSON.stringify(result)));
      const reported = new Set<string>();
      table.rules.forEach((rule, r) => {
        if (named(rule.result) || reported.has(rule.result)) return;
        reported.add(rule.result);
        ctx.report(s, 'decision/result-unread', [...at, 'rules', r, 'result'], { table: table.id, result: rule.result });
      });
      if (table.default !== undefined && !named(table.default) && !reported.has(table.default)) ctx.report(s, 'decision/result-unread', [...at, 'default'], { table: table.id, result: table.default });
    });
  }
};
