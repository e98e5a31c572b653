import { parseExpression } from 'feelin';
import { isBoundName } from './feel.ts';
import { WORKDAY_PARSE_CONTEXT } from './workdays.ts';

/**
 * Decision tables (docs/routing.md): bands such as 金额 < 5,000 / [5,000..50,000) / ≥ 50,000 written once, read
 * by the flow's conditions by the table's id (`approvalLevel = "校级"`). The compiler expands each reading into
 * one FEEL `if … then … else …` expression, so the interpreter, `hall serve` and the BPMN export all evaluate the
 * same FEEL and none of them needs to know tables exist. Hit policy first; no match gives the default or null.
 */
export interface DecisionTable {
  id: string;
  /** The one input, or `inputs` for a table of several columns (issue 15: 请假类别 × 天数). */
  input?: string;
  inputs?: { input: string; label?: unknown }[];
  /** One test, or one per input when the table has several. */
  rules: { when: string | string[]; result: string }[];
  default?: string;
}

/** The table's input expressions, one per column. */
export function inputsOf(table: Pick<DecisionTable, 'input' | 'inputs'>): string[] {
  return table.inputs ? table.inputs.map((i) => i.input) : [table.input ?? ''];
}

/**
 * A rule's tests, one per column, or undefined when their number is not the table's (`decision/columns`):
 * a table of one input takes one text, a table of several a list as long as `inputs`.
 */
export function testsOf(table: Pick<DecisionTable, 'input' | 'inputs'>, rule: { when: string | string[] }): string[] | undefined {
  const columns = inputsOf(table).length;
  if (table.inputs) return Array.isArray(rule.when) && rule.when.length === columns ? rule.when : undefined;
  return typeof rule.when === 'string' ? [rule.when] : undefined;
}

/** One band of numbers; bounds may be infinite. */
export interface Interval {
  lo: number;
  loIn: boolean;
  hi: number;
  hiIn: boolean;
}

/** A rule's test, parsed: any value, a union of number bands, or one of some texts. */
export type UnaryTest = { kind: 'any' } | { kind: 'numbers'; bands: Interval[] } | { kind: 'texts'; values: string[] };

const NUMBER = String.raw`-?[0-9][0-9_,]*(?:\.[0-9]+)?`;
const COMPARISON = new RegExp(String.raw`^(<=|>=|<|>|!=|=)?\s*(${NUMBER})$`);
const RANGE = new RegExp(String.raw`^([\[(\]])\s*(${NUMBER})\s*\.\.\s*(${NUMBER})\s*([\])\[])$`);
const TEXTS = /^"[^"]*"(\s*,\s*"[^"]*")*$/;

/** `5,000` and `5_000` are how people write amounts; FEEL wants 5000. */
const toNumber = (text: string) => Number(text.replace(/[_,]/g, ''));

/** Parse a rule's `when`, or undefined when it is not a test tables support (the schema's pattern says which). */
export function parseUnaryTest(when: string): UnaryTest | undefined {
  const text = when.trim();
  if (text === '-') return { kind: 'any' };
  const comparison = COMPARISON.exec(text);
  if (comparison) {
    const n = toNumber(comparison[2]);
    switch (comparison[1] ?? '=') {
      case '<': return { kind: 'numbers', bands: [{ lo: -Infinity, loIn: false, hi: n, hiIn: false }] };
      case '<=': return { kind: 'numbers', bands: [{ lo: -Infinity, loIn: false, hi: n, hiIn: true }] };
      case '>': return { kind: 'numbers', bands: [{ lo: n, loIn: false, hi: Infinity, hiIn: false }] };
      case '>=': return { kind: 'numbers', bands: [{ lo: n, loIn: true, hi: Infinity, hiIn: false }] };
      case '!=': return { kind: 'numbers', bands: [{ lo: -Infinity, loIn: false, hi: n, hiIn: false }, { lo: n, loIn: false, hi: Infinity, hiIn: false }] };
      default: return { kind: 'numbers', bands: [{ lo: n, loIn: true, hi: n, hiIn: true }] };
    }
  }
  const range = RANGE.exec(text);
  if (range) return { kind: 'numbers', bands: [{ lo: toNumber(range[2]), loIn: range[1] === '[', hi: toNumber(range[3]), hiIn: range[4] === ']' }] };
  if (TEXTS.test(text)) return { kind: 'texts', values: [...text.matchAll(/"([^"]*)"/g)].map((m) => m[1]) };
  return undefined;
}

/** The input as an operand: a name stays as written, anything else is parenthesised. */
const operand = (input: string) => (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(input.trim()) ? input.trim() : `(${input.trim()})`);

const feelString = (text: string) => JSON.stringify(text);

function bandFeel(x: string, band: Interval): string {
  if (band.lo === band.hi && band.loIn && band.hiIn) return `${x} = ${band.lo}`;
  const parts: string[] = [];
  if (band.lo !== -Infinity) parts.push(`${x} ${band.loIn ? '>=' : '>'} ${band.lo}`);
  if (band.hi !== Infinity) parts.push(`${x} ${band.hiIn ? '<=' : '<'} ${band.hi}`);
  return parts.length ? parts.join(' and ') : 'true';
}

/** A rule's test as a FEEL condition on the input, with explicit comparisons every FEEL engine reads alike. */
export function testFeel(input: string, test: UnaryTest): string {
  const x = operand(input);
  if (test.kind === 'any') return 'true';
  if (test.kind === 'texts') return test.values.map((v) => `${x} = ${feelString(v)}`).join(' or ');
  return test.bands.map((band) => bandFeel(x, band)).join(' or ');
}

/** A rule's tests as one FEEL condition: each column's test, `and`-ed (parenthesised when it has an `or`); `-` drops out. */
function ruleFeel(inputs: string[], tests: UnaryTest[]): string {
  const parts = tests.flatMap((test, i) => (test.kind === 'any' ? [] : [testFeel(inputs[i], test)]));
  if (parts.length <= 1) return parts[0] ?? 'true';
  return parts.map((p) => (p.includes(' or ') ? `(${p})` : p)).join(' and ');
}

/** The whole table as one FEEL expression: `if <rule 1> then "r1" else if … else <default or null>`. */
export function decisionFeel(table: DecisionTable): string {
  const inputs = inputsOf(table);
  let feel = table.default !== undefined ? feelString(table.default) : 'null';
  for (let i = table.rules.length - 1; i >= 0; i--) {
    const rule = table.rules[i];
    const tests = testsOf(table, rule)?.map(parseUnaryTest);
    if (!tests || tests.some((t) => !t)) continue; // the schema or decision/columns refuses it; never emitted
    const condition = ruleFeel(inputs, tests as UnaryTest[]);
    feel = condition === 'true' ? feelString(rule.result) : `if ${condition} then ${feelString(rule.result)} else ${feel}`;
  }
  return feel;
}

/** One column of a table as FEEL (its tests `or`-ed), to check that column's tests against its input's type. */
export function columnFeel(table: DecisionTable, column: number): string {
  const input = inputsOf(table)[column];
  const tests = table.rules.flatMap((rule) => {
    const test = testsOf(table, rule)?.[column];
    const parsed = test === undefined ? undefined : parseUnaryTest(test);
    return parsed && parsed.kind !== 'any' ? [testFeel(input, parsed)] : [];
  });
  return tests.length ? tests.join(' or ') : 'true';
}

/** Where a condition reads a table: the spans of the table ids it names as data (not bound names, not path tails). */
export function decisionReads(expression: string, ids: ReadonlySet<string>): { id: string; from: number; to: number }[] {
  if (ids.size === 0) return [];
  let tree;
  try {
    tree = parseExpression(expression, WORKDAY_PARSE_CONTEXT, undefined);
  } catch {
    return [];
  }
  const found: { id: string; from: number; to: number }[] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.type.name !== 'VariableName') continue;
    const node = cursor.node;
    const name = expression.slice(node.from, node.to).trim();
    if (!ids.has(name)) continue;
    const parent = node.parent;
    if (parent?.type.name === 'FunctionInvocation' && parent.firstChild?.from === node.from) continue;
    if (parent?.type.name === 'PathExpression' && parent.firstChild?.from !== node.from) continue;
    if (isBoundName(node, name, expression)) continue;
    found.push({ id: name, from: node.from, to: node.to });
  } while (cursor.next());
  return found;
}

/** A condition with each table it reads replaced by the table's FEEL, parenthesised. Unchanged when it reads none. */
export function expandDecisions(expression: string, tables: readonly DecisionTable[] | undefined): string {
  if (!tables?.length) return expression;
  const byId = new Map(tables.map((t) => [t.id, t]));
  const reads = decisionReads(expression, new Set(byId.keys()));
  let out = expression;
  for (const read of reads.sort((a, b) => b.from - a.from)) out = `${out.slice(0, read.from)}(${decisionFeel(byId.get(read.id)!)})${out.slice(read.to)}`;
  return out;
}

// Band arithmetic for the checks (cli/lint/decisions.ts) and the guide's wording.

export const isEmptyBand = (b: Interval) => b.lo > b.hi || (b.lo === b.hi && !(b.loIn && b.hiIn));

/** a ∖ b, as zero, one or two bands. */
function minus(a: Interval, b: Interval): Interval[] {
  const meet: Interval = { lo: Math.max(a.lo, b.lo), loIn: a.lo > b.lo ? a.loIn : a.lo < b.lo ? b.loIn : a.loIn && b.loIn, hi: Math.min(a.hi, b.hi), hiIn: a.hi < b.hi ? a.hiIn : a.hi > b.hi ? b.hiIn : a.hiIn && b.hiIn };
  if (isEmptyBand(meet)) return [a];
  return [
    { lo: a.lo, loIn: a.loIn, hi: b.lo, hiIn: !b.loIn },
    { lo: b.hi, loIn: !b.hiIn, hi: a.hi, hiIn: a.hiIn },
  ].filter((x) => !isEmptyBand(x));
}

/** The bands of `a` that no band of `b` covers. */
export function subtractBands(a: Interval[], b: Interval[]): Interval[] {
  let rest = a;
  for (const band of b) rest = rest.flatMap((x) => minus(x, band));
  return rest;
}

const num = (n: number) => (Number.isInteger(n) && Math.abs(n) >= 10000 ? n.toLocaleString('en-US') : String(n));

/** A band as people read it: `< 5,000`, `≥ 50,000`, `5,000 – 50,000（不含 50,000）`, written as a FEEL test. */
export function bandText(b: Interval): string {
  if (b.lo === b.hi) return `= ${num(b.lo)}`;
  if (b.lo === -Infinity && b.hi === Infinity) return '-';
  if (b.lo === -Infinity) return `${b.hiIn ? '<=' : '<'} ${num(b.hi)}`;
  if (b.hi === Infinity) return `${b.loIn ? '>=' : '>'} ${num(b.lo)}`;
  return `${b.loIn ? '[' : '('}${num(b.lo)}..${num(b.hi)}${b.hiIn ? ']' : ')'}`;
}
