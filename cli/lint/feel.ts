import { evaluate, parseExpression } from 'feelin';
import type { FormField, Hall, Service } from '../model/catalog.ts';
import { fieldsOf, stepsOf } from '../model/catalog.ts';

/** Contexts in which a name is bound by the expression itself (for/some/every), not by our data. */
const BINDING_CONTEXTS = new Set(['ForExpression', 'QuantifiedExpression', 'FilterExpression', 'FunctionDefinition', 'Context']);

export interface FeelCheck {
  /** Set when the expression is not valid FEEL or does not evaluate to true/false on typed sample data. */
  syntax?: { zh: string; en: string };
  /** Names the expression reads, as written (`days`, `applicant.type`). */
  names: string[];
}

/**
 * Parse a FEEL condition and list the data names it reads. feelin's parser recovers from some errors
 * silently (`a = = 1`, `a >> 1`), so the expression is also evaluated against typed sample data: a
 * well-formed condition on known names yields true or false, never null.
 */
export function checkFeel(expression: string, sample: Record<string, unknown>): FeelCheck {
  // A name can only be read if it is written in the expression, so the rest of the sample cannot change
  // the result; leaving it out lets services that share a condition and its fields share the work.
  const relevant: Record<string, unknown> = {};
  for (const key of Object.keys(sample)) if (expression.includes(key)) relevant[key] = sample[key];
  const key = `${expression}\u0000${JSON.stringify(relevant)}`;
  let result = checked.get(key);
  if (!result) checked.set(key, (result = checkFeelOn(expression, relevant)));
  return result;
}

/** Results by expression and the sample data it can read. */
const checked = new Map<string, FeelCheck>();

function checkFeelOn(expression: string, sample: Record<string, unknown>): FeelCheck {
  let tree;
  try {
    tree = parseExpression(expression, {}, undefined);
  } catch (error) {
    return { syntax: { zh: `：${(error as Error).message}`, en: `: ${(error as Error).message}` }, names: [] };
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
    let bound = false;
    for (let p = parent; p; p = p.parent) if (BINDING_CONTEXTS.has(p.type.name)) bound = true;
    if (bound) continue;
    let name = expression.slice(node.from, node.to);
    if (parent?.type.name === 'PathExpression' && parent.firstChild?.from === node.from) {
      name = expression.slice(parent.from, parent.to).replace(/\s+/g, '');
    }
    names.push(name);
  } while (cursor.next());
  if (errorAt !== undefined) {
    return { syntax: { zh: `（第 ${errorAt + 1} 个字符附近）`, en: ` (near character ${errorAt + 1})` }, names };
  }
  try {
    const { value } = evaluate(expression, sample);
    if (typeof value !== 'boolean' && names.every((n) => hasPath(sample, n))) {
      return { syntax: { zh: '（结果不是“是/否”，请检查运算符和比较的类型）', en: ' (it does not yield true/false; check the operators and the types compared)' }, names };
    }
  } catch (error) {
    return { syntax: { zh: `：${(error as Error).message}`, en: `: ${(error as Error).message}` }, names };
  }
  return { names };
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
  number: 1, money: 1, boolean: true, date: '2026-03-02', datetime: '2026-03-02T09:00:00', daterange: { start: '2026-03-02', end: '2026-03-04' },
  multichoice: [], table: [], file: [],
};

function sampleOf(field: FormField): unknown {
  const first = field.options?.[0];
  return field.type === 'choice' ? (typeof first === 'string' ? first : first?.value ?? 'x') : field.type in SAMPLE_BY_TYPE ? SAMPLE_BY_TYPE[field.type] : 'x';
}

/** Typed sample data for a service's conditions: its form fields and the hall's applicant attributes. */
export function sampleContext(service: Service, hall: Hall | undefined): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const { field } of fieldsOf(service)) context[field.id] = sampleOf(field);
  for (const { step } of stepsOf(service.workflow?.steps)) {
    for (const field of step.fields ?? []) context[field.id] = sampleOf(field);
  }
  if (service.type === 'appointment') context.booking = { resource: service.appointment?.resources[0]?.id ?? 'x', date: '2026-03-02', slot: '08:00-10:00' };
  const applicant: Record<string, unknown> = {};
  for (const source of hall?.dataSources ?? []) {
    const [root, ...rest] = source.id.split('.');
    if (root !== 'applicant' || rest.length !== 1) continue;
    applicant[rest[0]] = source.type === 'choice' ? source.values?.[0] ?? 'x' : source.type in SAMPLE_BY_TYPE ? SAMPLE_BY_TYPE[source.type] : 'x';
  }
  context.applicant = applicant;
  return context;
}
