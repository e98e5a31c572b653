import type { LintContext, Rule } from './rules.ts';
import type { Located, Service } from '../model/catalog.ts';
import { fieldsOf, nodesOf, stepsOf } from '../model/catalog.ts';
import type { DecisionTable, Interval, UnaryTest } from '../../lib/interpret/decision.ts';
import { bandText, decisionReads, inputsOf, isEmptyBand, parseUnaryTest, subtractBands, testsOf } from '../../lib/interpret/decision.ts';

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
      let columnsRight = true;
      table.rules.forEach((rule, r) => {
        if (testsOf(table, rule)) return;
        columnsRight = false;
        const count = Array.isArray(rule.when) ? rule.when.length : 1;
        ctx.report(s, 'decision/columns', [...at, 'rules', r, 'when'], { table: table.id, rule: r + 1, count, columns: inputsOf(table).length });
      });
      if (!columnsRight) return;
      if (table.inputs) return checkColumns(ctx, s, table, at);
      const input = table.input ?? '';
      const domain = [domainOf(s.value, input)];
      const options = optionsOf(s.value, input);
      let covered: Interval[] = [];
      const texts = new Set<string>();
      let any = false;
      table.rules.forEach((rule, r) => {
        const test = parseUnaryTest(rule.when as string);
        if (!test) return; // the schema's pattern reports it
        const args = { table: table.id, rule: r + 1, when: rule.when as string };
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
      if (options && missing.length && table.rules.some((rule) => parseUnaryTest(rule.when as string)?.kind === 'texts')) {
        return ctx.report(s, 'decision/gap', [...at, 'rules'], { table: table.id, gap: missing.map((o) => JSON.stringify(o)).join('、') }, { key: true });
      }
      const numeric = table.rules.some((rule) => parseUnaryTest(rule.when as string)?.kind === 'numbers');
      if (!numeric) return;
      const gaps = subtractBands(domain, covered);
      if (gaps.length) ctx.report(s, 'decision/gap', [...at, 'rules'], { table: table.id, gap: bandsText(gaps) }, { key: true });
    });
  }
};

/**
 * The most combinations of input values a table of several inputs is checked over. Two inputs always fit
 * (50 rules cut a column into at most 201 pieces, 201² < 50,000); beyond it the table is not checked and
 * `decision/unchecked` says so rather than passing it.
 */
export const COMBINATIONS_CHECKED = 50_000;

/** A piece of one column's values: a band of numbers no rule's end cuts, one text, or every text no rule names. */
type Atom = { kind: 'band'; band: Interval } | { kind: 'text'; value: string } | { kind: 'other' };

interface Column {
  input: string;
  atoms: Atom[];
  /** Which atoms a test covers: whole atoms only, since the atoms are cut at every end a test names. */
  covers(test: UnaryTest): boolean[];
}

const inBand = (x: number, b: Interval) => (x > b.lo || (x === b.lo && b.loIn)) && (x < b.hi || (x === b.hi && b.hiIn));

/** A value inside an atom, to test whole atoms against bands. */
function inside(b: Interval): number {
  if (b.lo === b.hi) return b.lo;
  if (b.lo === -Infinity) return b.hi === Infinity ? 0 : b.hi - 1;
  if (b.hi === Infinity) return b.lo + 1;
  return (b.lo + b.hi) / 2;
}

/**
 * One column cut into atoms: numbers at every end its tests name (within the field's min..max); texts into
 * the choice's options, or, for a free input, the texts named plus one atom for every other text.
 * Undefined when the column mixes number and text tests (feel/type-mismatch says which is wrong).
 */
function columnOf(service: Service, input: string, tests: UnaryTest[]): Column | undefined {
  const kinds = new Set(tests.map((t) => t.kind).filter((k) => k !== 'any'));
  if (kinds.size > 1) return undefined;
  if (kinds.has('texts')) {
    const named = [...new Set(tests.flatMap((t) => (t.kind === 'texts' ? t.values : [])))];
    const options = optionsOf(service, input);
    const atoms: Atom[] = options ? options.map((value) => ({ kind: 'text', value })) : [...named.map((value): Atom => ({ kind: 'text', value })), { kind: 'other' }];
    return { input, atoms, covers: (test) => atoms.map((a) => test.kind === 'any' || (test.kind === 'texts' && a.kind === 'text' && test.values.includes(a.value))) };
  }
  const domain = domainOf(service, input);
  const ends = new Set<number>();
  for (const b of [domain, ...tests.flatMap((t) => (t.kind === 'numbers' ? t.bands : []))]) for (const x of [b.lo, b.hi]) if (Number.isFinite(x)) ends.add(x);
  const points = [...ends].sort((a, b) => a - b);
  const pieces: Interval[] = [];
  let lo = -Infinity;
  for (const p of points) {
    pieces.push({ lo, loIn: false, hi: p, hiIn: false }, { lo: p, loIn: true, hi: p, hiIn: true });
    lo = p;
  }
  pieces.push({ lo, loIn: false, hi: Infinity, hiIn: false });
  const atoms: Atom[] = pieces.filter((b) => !isEmptyBand(b) && inBand(inside(b), domain)).map((band) => ({ kind: 'band', band }));
  return { input, atoms, covers: (test) => atoms.map((a) => test.kind === 'any' || (test.kind === 'numbers' && a.kind === 'band' && test.bands.some((b) => inBand(inside(a.band), b)))) };
}

/** Some atoms of a column as a test: `-` for all of them, joined bands, or texts (`其他文本` for the rest). */
function atomsText(column: Column, picked: number[]): string {
  if (picked.length === column.atoms.length) return '-';
  const atoms = picked.map((i) => column.atoms[i]);
  if (atoms[0]?.kind === 'band') {
    const bands: Interval[] = [];
    picked.forEach((i, k) => {
      const band = (column.atoms[i] as { band: Interval }).band;
      const last = bands[bands.length - 1];
      if (k > 0 && picked[k - 1] === i - 1) bands[bands.length - 1] = { ...last, hi: band.hi, hiIn: band.hiIn };
      else bands.push(band);
    });
    return bandsText(bands);
  }
  return atoms.map((a) => (a.kind === 'text' ? JSON.stringify(a.value) : '其他文本 other text')).join(', ');
}

/**
 * Cells (one atom per column, as indexes) merged into boxes, column by column, and said as
 * `(leaveType: "婚假", days: > 15)`; at most three boxes, then `…`.
 */
function cellsText(columns: Column[], cells: number[][]): string {
  let boxes: number[][][] = cells.map((cell) => cell.map((i) => [i]));
  for (let c = 0; c < columns.length; c++) {
    const merged = new Map<string, number[][]>();
    for (const box of boxes) {
      const key = JSON.stringify(box.filter((_, k) => k !== c));
      const found = merged.get(key);
      if (found) found[c] = [...found[c], ...box[c]].sort((a, b) => a - b);
      else merged.set(key, box.map((x) => [...x]));
    }
    boxes = [...merged.values()];
  }
  const said = boxes.slice(0, 3).map((box) => `(${box.map((picked, c) => `${columns[c].input.trim()}: ${atomsText(columns[c], picked)}`).join(', ')})`);
  return said.join('、') + (boxes.length > 3 ? ' …' : '');
}

/**
 * A table of several inputs, checked over every combination of its columns' atoms: exact, since no rule
 * cuts inside an atom. First hit decides each combination; a rule that wins none is unreachable, one that
 * shares some with earlier rules overlaps, combinations no rule covers are the gap.
 */
function checkColumns(ctx: LintContext, s: Located<Service>, table: DecisionTable, at: (string | number)[]): void {
  const service = s.value;
  const inputs = inputsOf(table);
  const tests = table.rules.map((rule) => testsOf(table, rule)!.map((w) => parseUnaryTest(w)));
  if (tests.some((row) => row.some((t) => !t))) return; // the schema's pattern reports it
  const rows = tests as UnaryTest[][];
  const columns: Column[] = [];
  for (let c = 0; c < inputs.length; c++) {
    const column = columnOf(service, inputs[c], rows.map((row) => row[c]));
    if (!column) return ctx.report(s, 'decision/unchecked', [...at, 'inputs', c, 'input'], { table: table.id, why: { zh: `第 ${c + 1} 个输入既有数值条件又有文本条件`, en: `input ${c + 1} has both number and text tests` } });
    columns.push(column);
  }
  const combinations = columns.reduce((n, col) => n * col.atoms.length, 1);
  if (combinations > COMBINATIONS_CHECKED) {
    return ctx.report(s, 'decision/unchecked', [...at, 'inputs'], { table: table.id, why: { zh: `有 ${inputs.length} 个输入、${combinations.toLocaleString('en-US')} 种取值组合，超过检查上限 ${COMBINATIONS_CHECKED.toLocaleString('en-US')}`, en: `has ${inputs.length} inputs and ${combinations.toLocaleString('en-US')} combinations of values, over the limit of ${COMBINATIONS_CHECKED.toLocaleString('en-US')}` } }, { key: true });
  }
  const masks = rows.map((row) => row.map((test, c) => columns[c].covers(test)));
  // Combinations by number, the last column counting fastest; decoded only to be said.
  const own = rows.map(() => 0);
  const shared = rows.map(() => [] as number[]);
  const gaps: number[] = [];
  const cell = columns.map(() => 0);
  for (let n = 0; n < combinations; n++) {
    let hit = -1;
    for (let r = 0; r < rows.length; r++) {
      if (!masks[r].every((mask, c) => mask[cell[c]])) continue;
      if (hit < 0) hit = r;
      else shared[r].push(n);
      own[r]++;
    }
    if (hit < 0) gaps.push(n);
    for (let c = columns.length - 1; c >= 0; c--) {
      if (++cell[c] < columns[c].atoms.length) break;
      cell[c] = 0;
    }
  }
  const decode = (n: number) => {
    const out = columns.map(() => 0);
    for (let c = columns.length - 1; c >= 0; c--) {
      out[c] = n % columns[c].atoms.length;
      n = Math.floor(n / columns[c].atoms.length);
    }
    return out;
  };
  const anyRow = rows.findIndex((row) => row.every((t) => t.kind === 'any'));
  rows.forEach((row, r) => {
    const args = { table: table.id, rule: r + 1, when: testsOf(table, table.rules[r])!.join(' | ') };
    const where = [...at, 'rules', r, 'when'];
    if (anyRow >= 0 && r > anyRow) return ctx.report(s, 'decision/unreachable', where, { ...args, why: { zh: '都已被前面每一列都是“-”（任何值）的规则取走', en: 'are all taken by an earlier rule of "-" (any value) in every column' } });
    if (!own[r]) return ctx.report(s, 'decision/unreachable', where, { ...args, why: { zh: '不在输入的取值范围内（某一列的条件不是该输入的选项或超出字段的范围）', en: "lie outside the inputs' values (a column's test names no option or lies outside the field's range)" } });
    if (shared[r].length === own[r]) return ctx.report(s, 'decision/unreachable', where, { ...args, why: { zh: '都已被前面的规则取走', en: 'are all taken by earlier rules' } });
    if (shared[r].length) ctx.report(s, 'decision/overlap', where, { table: table.id, rule: r + 1, overlap: cellsText(columns, shared[r].map(decode)) });
  });
  if (table.default === undefined && gaps.length) ctx.report(s, 'decision/gap', [...at, 'rules'], { table: table.id, gap: cellsText(columns, gaps.map(decode)) }, { key: true });
}

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
