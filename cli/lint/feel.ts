import { parseExpression } from 'feelin';
import type { SyntaxNode } from '@lezer/common';
import { DEFAULT_CLOCK, evaluateFeel, inspectFeel, isBoundName, typeBooking, typeData } from '../../lib/interpret/feel.ts';
import type { TypedField } from '../../lib/interpret/feel.ts';
import type { FormField, Hall, Service } from '../model/catalog.ts';
import { fieldsOf, stepsOf } from '../model/catalog.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { WORKDAY_PARSE_CONTEXT } from '../../lib/interpret/workdays.ts';
import { workdayArgumentProblems } from './workdays.ts';
import type { WorkdayArgumentProblem } from './workdays.ts';

/** Contexts in which a name is bound by the expression itself (for/some/every), not by our data. */
const BINDING_CONTEXTS = new Set(['ForExpression', 'QuantifiedExpression', 'FilterExpression', 'FunctionDefinition', 'Context']);

/** The FEEL types a condition's values can have, as far as the check can tell them apart. */
export type FeelType = 'number' | 'string' | 'boolean' | 'date' | 'date and time' | 'time' | 'duration' | 'list' | 'date range';

/** What admins call each type, for messages. */
export const FEEL_TYPE_NAMES: Record<FeelType, { zh: string; en: string }> = {
  number: { zh: '数字', en: 'a number' },
  string: { zh: '文本', en: 'text' },
  boolean: { zh: '是/否', en: 'a yes/no value' },
  date: { zh: '日期', en: 'a date' },
  'date and time': { zh: '日期时间', en: 'a date and time' },
  time: { zh: '时间', en: 'a time of day' },
  duration: { zh: '时长', en: 'a duration' },
  list: { zh: '列表（多项）', en: 'a list' },
  'date range': { zh: '日期区间', en: 'a date range' },
};

/** A comparison whose two sides can never be equal or ordered: a rule that silently never fires. */
export interface TypeMismatch {
  left: string;
  right: string;
  leftType: FeelType;
  rightType: FeelType;
}

export interface FeelCheck {
  /** Set when the expression is not valid FEEL or does not evaluate to true/false on typed sample data. */
  syntax?: { zh: string; en: string };
  /** Names the expression reads, as written (`days`, `applicant.type`). */
  names: string[];
  /** Comparisons of values of different types. */
  mismatches: TypeMismatch[];
  /** A function definition: refused, since functions can recurse without bound. */
  functionDefinition?: string;
  /** Over its budget on sample data, or a literal range too large to enumerate. */
  budget?: { zh: string; en: string };
  /** Work-day functions called with arguments of the wrong type (issue 15.7). */
  workdayArguments?: WorkdayArgumentProblem[];
}

/** Typed sample data for a service's conditions, and the static type of every name they may read. */
export interface FeelSample {
  values: Record<string, unknown>;
  types: Record<string, FeelType>;
}

/**
 * Parse a FEEL condition, list the data names it reads and the comparisons of mismatched types, and
 * evaluate it on typed sample data with the shared evaluator (budget and fixed clock included).
 * feelin's parser recovers from some errors silently (`a = = 1`, `a >> 1`), so a well-formed condition
 * on known names must also yield true or false, never null.
 */
export function checkFeel(expression: string, sample: FeelSample, yields: 'boolean' | 'number' | 'any' = 'boolean'): FeelCheck {
  // A name can only be read if it is written in the expression, so the rest of the sample cannot change
  // the result; leaving it out lets services that share a condition and its fields share the work.
  const relevant: FeelSample = { values: {}, types: {} };
  for (const key of Object.keys(sample.values)) if (expression.includes(key)) relevant.values[key] = sample.values[key];
  for (const key of Object.keys(sample.types)) if (expression.includes(key.split('.')[0])) relevant.types[key] = sample.types[key];
  const key = `${yields}\u0000${expression}\u0000${JSON.stringify(relevant)}`;
  let result = checked.get(key);
  if (!result) checked.set(key, (result = checkFeelOn(expression, relevant, yields)));
  return result;
}

/** Results by expression and the sample data it can read. */
const checked = new Map<string, FeelCheck>();

function checkFeelOn(expression: string, sample: FeelSample, yields: 'boolean' | 'number' | 'any'): FeelCheck {
  let tree;
  try {
    tree = parseExpression(expression, WORKDAY_PARSE_CONTEXT, undefined);
  } catch (error) {
    return { syntax: { zh: `：${(error as Error).message}`, en: `: ${(error as Error).message}` }, names: [], mismatches: [] };
  }
  const names: string[] = [];
  const cursor = tree.cursor();
  let errorAt: number | undefined;
  do {
    if (cursor.type.isError && errorAt === undefined) errorAt = cursor.from;
    if (cursor.type.name !== 'VariableName') continue;
    const node = cursor.node;
    const parent = node.parent;
    if (parent?.type.name === 'FunctionInvocation' && parent.firstChild?.from === node.from) continue;
    if (isBound(node)) continue;
    let name = expression.slice(node.from, node.to);
    if (parent?.type.name === 'PathExpression' && parent.firstChild?.from === node.from) {
      name = expression.slice(parent.from, parent.to).replace(/\s+/g, '');
    }
    names.push(name);
  } while (cursor.next());
  if (errorAt !== undefined) {
    return { syntax: { zh: `（第 ${errorAt + 1} 个字符附近）`, en: ` (near character ${errorAt + 1})` }, names, mismatches: [] };
  }
  const found = inspectFeel(expression);
  if (found.failure?.kind === 'function') return { names, mismatches: [], functionDefinition: expression.slice(found.failure.from, found.failure.to) };
  if (found.failure) return { names, mismatches: [], budget: found.failure.message };
  const workdayArguments: WorkdayArgumentProblem[] = [];
  const mismatches = typeMismatches(expression, tree.topNode, sample.types, workdayArguments);
  if (workdayArguments.length) return { names, mismatches, workdayArguments };
  const outcome = evaluateFeel(expression, sample.values, DEFAULT_CLOCK, SAMPLE_CALENDAR);
  if (!outcome.ok) {
    // A comparison of mismatched types can make feelin throw (`between`): the mismatch is the finding.
    if (outcome.failure.kind === 'error' && mismatches.length) return { names, mismatches };
    if (outcome.failure.kind === 'error') return { syntax: { zh: `：${outcome.failure.message.zh}`, en: `: ${outcome.failure.message.en}` }, names, mismatches };
    return { names, mismatches, budget: outcome.failure.message };
  }
  // A fee quantity (issue 15.9) yields a number; every other expression a yes/no.
  if (yields === 'number' && typeof outcome.value !== 'number' && outcome.value !== null && mismatches.length === 0 && names.every((n) => hasPath(sample.values, n))) {
    return { syntax: { zh: '（结果不是数字，请检查运算符和字段类型）', en: ' (it does not yield a number; check the operators and the field types)' }, names, mismatches };
  }
  if (yields === 'boolean' && typeof outcome.value !== 'boolean' && mismatches.length === 0 && names.every((n) => hasPath(sample.values, n))) {
    return { syntax: { zh: '（结果不是“是/否”，请检查运算符和比较的类型）', en: ' (it does not yield true/false; check the operators and the types compared)' }, names, mismatches };
  }
  return { names, mismatches };
}

function isBound(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) if (BINDING_CONTEXTS.has(p.type.name)) return true;
  return false;
}

/** Result types of built-ins whose result type does not depend on their arguments. */
const RESULT_TYPES: Record<string, FeelType> = {
  today: 'date', now: 'date and time', date: 'date', 'date and time': 'date and time', time: 'time', duration: 'duration', 'years and months duration': 'duration',
  number: 'number', count: 'number', 'string length': 'number', sum: 'number', mean: 'number', abs: 'number', floor: 'number', ceiling: 'number',
  decimal: 'number', 'round up': 'number', 'round down': 'number', 'round half up': 'number', 'round half down': 'number', modulo: 'number',
  'day of year': 'number', 'week of year': 'number', 'day of week': 'string', 'month of year': 'string',
  string: 'string', 'upper case': 'string', 'lower case': 'string', substring: 'string', 'substring before': 'string', 'substring after': 'string', 'string join': 'string',
  not: 'boolean', contains: 'boolean', 'starts with': 'boolean', 'ends with': 'boolean', 'list contains': 'boolean', matches: 'boolean', 'is defined': 'boolean', all: 'boolean', any: 'boolean', even: 'boolean', odd: 'boolean',
};

// The work-day functions (lib/interpret/workdays.ts); on sample data any calendar gives the result's type.
Object.assign(RESULT_TYPES, { 'add workdays': 'date', 'workdays between': 'number' });
const SAMPLE_CALENDAR = new WorkCalendar({ format: 'servicehall-calendar/v1', timezone: 'Asia/Shanghai', years: [], holidays: [], workdays: [] });

const ORDER_OPS = new Set(['<', '<=', '>', '>=', '=', '!=']);

/** Every comparison (`=`, `!=`, `<` … and `between`) whose two sides have known, different types. */
function typeMismatches(expression: string, top: SyntaxNode, types: Record<string, FeelType>, workdayArguments: WorkdayArgumentProblem[] = []): TypeMismatch[] {
  const text = (n: SyntaxNode) => expression.slice(n.from, n.to);
  const children = (n: SyntaxNode) => {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
    return out;
  };
  const typeOf = (n: SyntaxNode | null | undefined): FeelType | undefined => {
    if (!n) return undefined;
    switch (n.type.name) {
      case 'NumericLiteral': return 'number';
      case 'StringLiteral': return 'string';
      case 'BooleanLiteral': return 'boolean';
      case 'List': return 'list';
      case 'ParenthesizedExpression': return typeOf(children(n)[1]);
      case 'Comparison': case 'Conjunction': case 'Disjunction': case 'InstanceOfExpression': case 'QuantifiedExpression': return 'boolean';
      case 'ForExpression': return 'list';
      case 'DateTimeLiteral': return RESULT_TYPES[text(n.firstChild!).replace(/\s+/g, ' ')];
      case 'VariableName': return isBoundName(n, text(n), expression) ? undefined : types[text(n).replace(/\s+/g, ' ')];
      case 'PathExpression': return n.firstChild?.type.name === 'VariableName' && isBoundName(n.firstChild, text(n.firstChild), expression) ? undefined : types[text(n).replace(/\s+/g, '')];
      case 'IfExpression': {
        const [, , , then, , otherwise] = children(n);
        const a = typeOf(then);
        return a !== undefined && a === typeOf(otherwise) ? a : undefined;
      }
      case 'FunctionInvocation': {
        const [callee, , params] = children(n);
        const fn = text(callee).replace(/\s+/g, ' ');
        if (fn === 'get value' && params) {
          // get value(period, "end") of a date range is a date, like period.end
          const [target, keyNode] = children(params);
          const key = keyNode?.type.name === 'StringLiteral' ? text(keyNode).slice(1, -1) : undefined;
          return typeOf(target) === 'date range' && (key === 'start' || key === 'end') ? 'date' : undefined;
        }
        return RESULT_TYPES[fn];
      }
      case 'ArithmeticExpression': {
        const parts = children(n);
        if (parts.length === 2) return typeOf(parts[1]);
        const [a, op, b] = parts;
        const [ta, tb, o] = [typeOf(a), typeOf(b), text(op)];
        if (ta === undefined || tb === undefined) return undefined;
        if (ta === 'number' && tb === 'number') return 'number';
        if (o === '+' && ta === 'string' && tb === 'string') return 'string';
        if (o === '-' && ta === tb && (ta === 'date' || ta === 'date and time' || ta === 'time')) return 'duration';
        if ((o === '+' || o === '-') && (ta === 'date' || ta === 'date and time' || ta === 'time') && tb === 'duration') return ta;
        if (ta === 'duration' && tb === 'duration' && (o === '+' || o === '-')) return 'duration';
        return undefined;
      }
      default: return undefined;
    }
  };
  const found: TypeMismatch[] = [];
  const check = (a: SyntaxNode, b: SyntaxNode) => {
    const [ta, tb] = [typeOf(a), typeOf(b)];
    if (ta && tb && ta !== tb) found.push({ left: text(a), right: text(b), leftType: ta, rightType: tb });
  };
  const cursor = top.cursor();
  do {
    if (cursor.type.name === 'FunctionInvocation') workdayArguments.push(...workdayArgumentProblems(cursor.node, expression, typeOf));
    if (cursor.type.name !== 'Comparison') continue;
    const parts = children(cursor.node);
    const op = parts[1];
    if (op?.type.name === 'CompareOp' && ORDER_OPS.has(text(op)) && parts[2]) check(parts[0], parts[2]);
    if (op && text(op) === 'between' && parts[2] && parts[4]) {
      check(parts[0], parts[2]);
      check(parts[0], parts[4]);
    }
  } while (cursor.next());
  return found;
}

function hasPath(sample: Record<string, unknown>, name: string): boolean {
  let cursor: unknown = sample;
  for (const part of name.split('.')) {
    if (!cursor || typeof cursor !== 'object' || !(part in cursor)) return false;
    cursor = (cursor as Record<string, unknown>)[part];
  }
  return true;
}

const SAMPLE_BY_TYPE: Record<string, unknown> = {
  number: 1, money: 1, boolean: true, date: '2026-03-02', datetime: '2026-03-02T09:00:00+08:00', daterange: { start: '2026-03-02', end: '2026-03-04' },
  multichoice: [], table: [], file: [],
};

/** The FEEL type of a form field's value. */
const FIELD_TYPES: Record<string, FeelType> = {
  number: 'number', money: 'number', boolean: 'boolean', date: 'date', datetime: 'date and time', daterange: 'date range',
  multichoice: 'list', table: 'list', file: 'list',
};

/**
 * The FEEL type of an applicant attribute. Attributes come from the identity platform as JSON, with no
 * types attached: a `date` attribute arrives as text on every engine (write `date(applicant.x)`).
 */
const ATTRIBUTE_TYPES: Record<string, FeelType> = { number: 'number' };

function sampleOf(field: FormField): unknown {
  const first = field.options?.[0];
  return field.type === 'choice' ? (typeof first === 'string' ? first : first?.value ?? 'x') : field.type in SAMPLE_BY_TYPE ? SAMPLE_BY_TYPE[field.type] : 'x';
}

/** Typed sample data for a service's conditions (its form and step fields, the hall's applicant attributes, the booking) and their types. */
export function sampleContext(service: Service, hall: Hall | undefined): FeelSample {
  const raw: Record<string, unknown> = {};
  const types: Record<string, FeelType> = {};
  const fields: TypedField[] = [];
  const add = (field: FormField) => {
    raw[field.id] = sampleOf(field);
    types[field.id] = FIELD_TYPES[field.type] ?? 'string';
    if (field.type === 'daterange') types[`${field.id}.start`] = types[`${field.id}.end`] = 'date';
    fields.push(field);
  };
  for (const { field } of fieldsOf(service)) add(field);
  for (const { step } of stepsOf(service.workflow?.steps)) for (const field of step.fields ?? []) add(field);
  const values = typeData(fields, raw);
  if (service.type === 'appointment') {
    values.booking = typeBooking({ resource: service.appointment?.resources[0]?.id ?? 'x', date: '2026-03-02', slot: '08:00-10:00' });
    Object.assign(types, { 'booking.resource': 'string', 'booking.date': 'date', 'booking.slot': 'string' });
  }
  const applicant: Record<string, unknown> = {};
  for (const source of hall?.dataSources ?? []) {
    const [root, ...rest] = source.id.split('.');
    if (root !== 'applicant' || rest.length !== 1) continue;
    applicant[rest[0]] = source.type === 'choice' ? source.values?.[0] ?? 'x' : source.type === 'number' ? 1 : 'x';
    types[source.id] = ATTRIBUTE_TYPES[source.type] ?? 'string';
  }
  values.applicant = applicant;
  return { values, types };
}
