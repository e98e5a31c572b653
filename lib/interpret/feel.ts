import vm from 'node:vm';
import { date, dateAndTime, evaluate, parseExpression } from 'feelin';
import type { SyntaxNode } from '@lezer/common';
import { memoised, parsedOnce } from './feel-cache.ts';
import type { RuntimeDefinition, RuntimeNode } from '../../generated/types/runtime/definition.ts';
import type { WorkCalendar } from './calendar.ts';
import { WORKDAY_FUNCTIONS, WORKDAY_PARSE_CONTEXT, workdayScope, zonedToday } from './workdays.ts';

/**
 * The one way a FEEL condition is evaluated: at check time, in `hall test` and `hall simulate`, and by
 * the runtime's `validateSubmission`. It gives conditions
 *
 * - **typed values**: a date field is a FEEL date, a date range `{start, end}` of dates, a date-time a
 *   FEEL date and time, numbers and money numbers, booleans booleans (see {@link typeData});
 * - **a clock**: `today()` and `now()` read the instant passed in, never the machine's clock, so the
 *   same scenario gives the same result on any day;
 * - **a budget**: admin-written code runs on a server every student uses. Function definitions (the only
 *   way to recurse) are refused, a range enumerated by `for`/`some`/`every` with literal bounds may hold
 *   at most {@link FEEL_LIMITS}.rangeElements values, and an expression that can iterate or call an
 *   unbounded built-in (regular expressions, sorting, context entries that double a value) runs under a
 *   wall-clock limit. Straight-line expressions (comparisons, `and`/`or`, `if`, linear built-ins) cannot
 *   take more than linear time and skip the limit, which keeps them as cheap as plain feelin.
 */
export const FEEL_LIMITS = {
  /** Wall-clock budget of one evaluation that may iterate, in milliseconds. */
  timeMs: 100,
  /** Longest expression evaluated. */
  expressionLength: 4000,
  /** Most values a literal range may enumerate. */
  rangeElements: 10_000,
  /** Largest string or list a condition may yield (its result, not its intermediate values). */
  resultSize: 100_000,
} as const;

export type FeelFailureKind = 'budget' | 'function' | 'range' | 'error';

export interface FeelFailure {
  kind: FeelFailureKind;
  message: { zh: string; en: string };
}

export type FeelOutcome = { ok: true; value: unknown } | { ok: false; failure: FeelFailure };

/** The scenarios' and check's fixed clock (a Monday morning), unless a scenario or `--at` says otherwise. */
export const DEFAULT_CLOCK = '2026-03-02T09:00:00+08:00';

/** Built-ins whose cost is linear in their arguments: expressions using only these need no watchdog. */
const LINEAR_BUILTINS = new Set([
  'date', 'time', 'date and time', 'duration', 'years and months duration', 'days and time duration', 'number', 'string', 'boolean',
  'today', 'now', 'not', 'is defined', 'get value', 'string length', 'upper case', 'lower case', 'substring', 'substring before',
  'substring after', 'contains', 'starts with', 'ends with', 'list contains', 'count', 'min', 'max', 'sum', 'mean', 'all', 'any',
  'abs', 'floor', 'ceiling', 'decimal', 'round up', 'round down', 'round half up', 'round half down', 'modulo', 'odd', 'even',
  'day of year', 'day of week', 'month of year', 'week of year', 'before', 'after', 'includes', 'during',
]);
// The work-day functions walk a bounded span of days (lib/interpret/workdays.ts).
for (const name of WORKDAY_FUNCTIONS) LINEAR_BUILTINS.add(name);

/** Node types that make work grow faster than the expression and its data. */
const ITERATING = new Set(['ForExpression', 'QuantifiedExpression', 'Context']);

interface Static {
  /** Refused before running, with where in the expression. */
  failure?: FeelFailure & { from: number; to: number };
  /** Needs the wall-clock watchdog. */
  watched: boolean;
}

const staticCache = new Map<string, Static>();

/**
 * What can be told about an expression before running it: refused constructs (function definitions,
 * huge literal ranges, over-long text) and whether it can iterate. Cached per expression text.
 */
export function inspectFeel(expression: string): Static {
  let found = staticCache.get(expression);
  if (found) return found;
  found = inspect(expression);
  if (staticCache.size > 10_000) staticCache.clear();
  staticCache.set(expression, found);
  return found;
}

function inspect(expression: string): Static {
  if (expression.length > FEEL_LIMITS.expressionLength) {
    return { watched: true, failure: { kind: 'budget', from: 0, to: expression.length, message: { zh: `表达式有 ${expression.length} 个字符，超过上限 ${FEEL_LIMITS.expressionLength}`, en: `the expression has ${expression.length} characters, over the limit of ${FEEL_LIMITS.expressionLength}` } } };
  }
  let tree;
  try {
    tree = parseExpression(expression, WORKDAY_PARSE_CONTEXT, undefined);
  } catch {
    return { watched: true };
  }
  let watched = false;
  const cursor = tree.cursor();
  do {
    const name = cursor.type.name;
    if (name === 'FunctionDefinition') {
      return { watched: true, failure: { kind: 'function', from: cursor.from, to: cursor.to, message: { zh: '条件中不能定义函数（function(…)）：函数可以递归调用自己，运行时间没有上限', en: 'a condition may not define a function (function(…)): functions can call themselves with no bound on the time they take' } } };
    }
    if (ITERATING.has(name)) watched = true;
    if (name === 'FunctionInvocation') {
      const callee = cursor.node.firstChild;
      const fn = callee ? expression.slice(callee.from, callee.to).replace(/\s+/g, ' ') : '';
      if (!LINEAR_BUILTINS.has(fn)) watched = true;
    }
    if (name === 'IterationContext') {
      const range = literalRange(expression, cursor.node);
      if (range && range.problem) return { watched: true, failure: { kind: 'range', from: cursor.from, to: cursor.to, message: range.problem } };
    }
  } while (cursor.next());
  return { watched };
}

/** A `for`/`some`/`every` range with literal bounds (`1..2000`, `[1..2000]`): too many values, or a step that never ends. */
function literalRange(expression: string, node: { firstChild: unknown; from: number; to: number }): { problem?: { zh: string; en: string } } | undefined {
  const text = expression.slice(node.from, node.to).replace(/[[\]()\s]/g, '');
  const m = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)$/.exec(text);
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (!Number.isInteger(b - a)) return { problem: { zh: `范围 ${text} 的两端相差不是整数，逐个取值永远取不完`, en: `the bounds of ${text} differ by a fraction, so enumerating it never ends` } };
  const size = Math.abs(b - a) + 1;
  if (size > FEEL_LIMITS.rangeElements) return { problem: { zh: `范围 ${text} 有 ${size} 个值，超过上限 ${FEEL_LIMITS.rangeElements}`, en: `the range ${text} has ${size} values, over the limit of ${FEEL_LIMITS.rangeElements}` } };
  return {};
}

let sandbox: vm.Context | undefined;
const RUN = new vm.Script('run()');

/**
 * Evaluate under the time budget: node:vm interrupts synchronous code, regular expressions included.
 * Its timeout counts wall-clock time, so on a loaded machine a cheap condition could be cut off while
 * it waits for a core. The budget is CPU time: when the process used less CPU than the budget, the
 * evaluation runs again with a longer limit (at most three tries, 100 + 200 + 400 ms of wall-clock time).
 */
function watched(run: () => unknown): unknown {
  sandbox ??= vm.createContext({});
  sandbox.run = run;
  let spentMs = 0;
  try {
    for (let attempt = 0; ; attempt++) {
      const cpu = process.cpuUsage();
      try {
        return RUN.runInContext(sandbox, { timeout: FEEL_LIMITS.timeMs * 2 ** attempt, breakOnSigint: false });
      } catch (error) {
        if ((error as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
        const used = process.cpuUsage(cpu);
        spentMs += (used.user + used.system) / 1000;
        if (spentMs >= FEEL_LIMITS.timeMs || attempt === 2) throw error;
      }
    }
  } finally {
    sandbox.run = undefined;
  }
}

const BUDGET: FeelFailure = {
  kind: 'budget',
  message: { zh: `条件的计算超出了限制（${FEEL_LIMITS.timeMs} 毫秒或结果过大），已停止计算`, en: `evaluating the condition went over its budget (${FEEL_LIMITS.timeMs} ms or too large a value) and was stopped` },
};

/** The clock functions conditions call: `today()` is the local date of `at`, `now()` the instant itself. */
export function clockOf(at: string): { today: () => unknown; now: () => unknown } {
  // Parsed only when called: most conditions never read the clock.
  return { today: () => date(at.slice(0, 10)), now: () => dateAndTime(at) };
}

/** A key FEEL can only reach by writing it as one name: one of these is in scope only when the expression says it. */
const PLAIN_NAME = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;
const NAME = /[\p{L}_$][\p{L}\p{N}_$]*/gu;
const mentioned = new Map<string, Set<string>>();

/** Every name-like word of an expression (string literals included: over-counting keeps a key, never drops one). */
function namesOf(expression: string): Set<string> {
  let names = mentioned.get(expression);
  if (!names) {
    names = new Set(expression.match(NAME) ?? []);
    if (mentioned.size >= 2_000) mentioned.delete(mentioned.keys().next().value!);
    mentioned.set(expression, names);
  }
  return names;
}

/**
 * Evaluate one FEEL expression on a typed context at instant `at` (ISO date-time with offset).
 * Never throws for anything the expression does: refusals, budget overruns and feelin's own errors
 * come back as a failure with a message in both languages. With the hall's `calendar`, `today()` is
 * the date in the hall's time zone and the work-day functions (./workdays.ts) count on it; without
 * one, a call of a work-day function fails rather than guess.
 */
export function evaluateFeel(expression: string, context: Record<string, unknown>, at: string, calendar?: WorkCalendar): FeelOutcome {
  const found = inspectFeel(expression);
  if (found.failure) return { ok: false, failure: { kind: found.failure.kind, message: found.failure.message } };
  const workdays = workdayScope(calendar);
  // Only the names the expression mentions: feelin looks a name up by normalising every key of the context
  // whenever it is not an exact key (a built-in such as count() or date() is not), and the parse cache keys on the
  // context's shape: with the whole form, the applicant and the clock in scope, scenario runs took about 10% more CPU.
  const names = namesOf(expression);
  const scope: Record<string, unknown> = {};
  for (const source of [context, clockOf(at), workdays.functions, calendar ? { today: zonedToday(calendar, at) } : {}]) {
    for (const key of Object.keys(source)) if (!PLAIN_NAME.test(key) || names.has(key)) scope[key] = (source as Record<string, unknown>)[key];
  }
  // Answered from the memo when evaluated before on the same values (and nothing time-dependent in scope); else
  // parsed once per expression and context shape, and evaluated on this context (feel-cache.ts).
  const run = () => memoised(expression, scope, (word) => names.has(word), () => parsedOnce(scope, () => evaluate(expression, scope).value));
  let value: unknown;
  try {
    value = found.watched ? watched(run) : run();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT' || error instanceof RangeError) return { ok: false, failure: BUDGET };
    return { ok: false, failure: { kind: 'error', message: { zh: `无法计算：${(error as Error).message}`, en: `cannot be evaluated: ${(error as Error).message}` } } };
  }
  if ((typeof value === 'string' || Array.isArray(value)) && value.length > FEEL_LIMITS.resultSize) return { ok: false, failure: BUDGET };
  if (workdays.failure) return { ok: false, failure: workdays.failure };
  return { ok: true, value };
}

/** A field as far as typing its value goes. */
export interface TypedField {
  id: string;
  type: string;
  columns?: TypedField[];
}

/**
 * A date field's text as a FEEL date, remembered per text (issue 13: every replay types the application's
 * data again, and building a date through Temporal cost more than the rest of the typing). FEEL dates are
 * immutable values, so one object may stand for its text wherever it appears.
 */
const typedDates = new Map<string, unknown>();
function typedDate(text: string): unknown {
  if (typedDates.has(text)) return typedDates.get(text);
  const typed = date(text);
  if (typedDates.size >= 10_000) typedDates.delete(typedDates.keys().next().value!);
  typedDates.set(text, typed);
  return typed;
}

/** One submitted value as FEEL sees it; a value that does not parse stays as it is (the schema reports it). */
export function typeValue(field: TypedField, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (field.type) {
    case 'date':
      return typeof value === 'string' ? (typedDate(value) ?? value) : value;
    case 'datetime':
      return typeof value === 'string' ? (dateAndTime(value) ?? value) : value;
    case 'daterange': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const range = value as Record<string, unknown>;
      return { ...range, start: typeValue({ id: 'start', type: 'date' }, range.start), end: typeValue({ id: 'end', type: 'date' }, range.end) };
    }
    case 'table':
      return Array.isArray(value) && field.columns ? value.map((row) => (row && typeof row === 'object' && !Array.isArray(row) ? typeData(field.columns!, row as Record<string, unknown>) : row)) : value;
    default:
      return value;
  }
}

/** Submitted data with every field's value typed by its field definition; keys of no field stay as they are. */
export function typeData(fields: Iterable<TypedField>, data: Record<string, unknown>): Record<string, unknown> {
  const typed: Record<string, unknown> = { ...data };
  for (const field of fields) if (Object.hasOwn(data, field.id)) typed[field.id] = typeValue(field, data[field.id]);
  return typed;
}

/** An appointment's booking as conditions read it: `booking.date` is a FEEL date. */
export function typeBooking(booking: Record<string, unknown>): Record<string, unknown> {
  return { ...booking, date: typeValue({ id: 'date', type: 'date' }, booking.date) };
}

/** Every field whose value a definition's conditions can read: the form's, and each step's own. */
export function fieldsOfDefinition(definition: RuntimeDefinition): TypedField[] {
  const ofSteps = (nodes: RuntimeNode[]): TypedField[] =>
    nodes.flatMap((node): TypedField[] => (node.kind === 'step' || node.kind === 'applicant' ? (node.fields ?? []) : node.kind === 'parallel' ? node.steps.flatMap((s) => s.fields ?? []) : node.kind === 'publicity' || node.kind === 'payment' ? [] : [...ofSteps(node.then), ...ofSteps(node.else)]));
  return [...(definition.form?.sections ?? []).flatMap((s) => s.fields), ...ofSteps(definition.workflow?.steps ?? [])];
}

/**
 * Whether the variable `node` (text `name`) is bound by the expression itself rather than read from the
 * data: a `for`/`some`/`every` variable, a key of an enclosing context literal, a function parameter,
 * or any name inside a filter's brackets (an item's property).
 */
export function isBoundName(node: SyntaxNode, name: string, expression: string): boolean {
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    const kind = p.type.name;
    if (kind === 'FilterExpression' && p.firstChild && child.from !== p.firstChild.from) return true;
    if (kind === 'ForExpression' || kind === 'QuantifiedExpression') {
      const inExpressions = p.getChild('InExpressions');
      for (const inExpression of inExpressions?.getChildren('InExpression') ?? []) {
        const bound = inExpression.getChild('Name');
        if (bound && expression.slice(bound.from, bound.to).trim() === name && !(child.from >= inExpression.from && child.to <= inExpression.to)) return true;
      }
    }
    if (kind === 'Context') {
      for (const entry of p.getChildren('ContextEntry')) {
        const key = entry.firstChild;
        if (key && expression.slice(key.from, key.to).trim().replace(/^"|"$/g, '') === name) return true;
      }
    }
    if (kind === 'FunctionDefinition') {
      const params = p.getChild('FormalParameters');
      for (const param of params?.getChildren('FormalParameter') ?? []) if (expression.slice(param.from, param.to).trim().split(/\s*:/)[0] === name) return true;
    }
  }
  return false;
}
