import type { SyntaxNode } from '@lezer/common';
import type { Service } from '../model/catalog.ts';
import { fieldsOf, nodesOf } from '../model/catalog.ts';
import type { FeelType } from './feel.ts';
import type { Rule } from './rules.ts';
import { FEEL_TYPE_NAMES } from './feel.ts';
import { WORKDAY_FUNCTIONS, mentionsWorkdayFunction } from '../../lib/interpret/workdays.ts';

/** A work-day function called with an argument of the wrong type (issue 15.7). */
export interface WorkdayArgumentProblem {
  call: string;
  position: number;
  argument: string;
  actual: FeelType;
  expected: FeelType[];
}

/** What each work-day function takes, argument by argument. */
const PARAMETERS: Record<(typeof WORKDAY_FUNCTIONS)[number], FeelType[][]> = {
  'add workdays': [['date', 'date and time'], ['number']],
  'workdays between': [['date', 'date and time'], ['date', 'date and time']],
};

/** The arguments of one call of a work-day function whose static type is known and not one it takes. */
export function workdayArgumentProblems(call: SyntaxNode, expression: string, typeOf: (n: SyntaxNode) => FeelType | undefined): WorkdayArgumentProblem[] {
  const callee = call.firstChild;
  const name = callee ? expression.slice(callee.from, callee.to).replace(/\s+/g, ' ') : '';
  const parameters = (PARAMETERS as Record<string, FeelType[][]>)[name];
  const list = call.getChild('PositionalParameters');
  if (!parameters || !list) return [];
  const problems: WorkdayArgumentProblem[] = [];
  let position = 0;
  for (let argument = list.firstChild; argument; argument = argument.nextSibling) {
    if ([',', '(', ')'].includes(argument.type.name)) continue;
    const expected = parameters[position++];
    const actual = typeOf(argument);
    if (expected && actual && !expected.includes(actual)) {
      problems.push({ call: expression.slice(call.from, call.to), position, argument: expression.slice(argument.from, argument.to), actual, expected });
    }
  }
  return problems;
}

/** The expected types of an argument as the message names them. */
export function expectedNames(expected: FeelType[]): { zh: string; en: string } {
  return { zh: expected.map((t) => FEEL_TYPE_NAMES[t].zh).join('或'), en: expected.map((t) => FEEL_TYPE_NAMES[t].en).join(' or ') };
}

/**
 * Where a work-day function may not go: a branch condition (the BPMN gateway), a deadline condition
 * (the BPMN timer's duration) and a visibility rule (the Camunda form's FEEL), which Camunda 8 evaluates without the hall's calendar. A `validIf` is
 * checked by the hall alone on submission, so it may count work days.
 */
export function workdayCallsOutsideTheHall(service: Service): { path: (string | number)[]; name: string; where: { zh: string; en: string } }[] {
  const found: { path: (string | number)[]; name: string; where: { zh: string; en: string } }[] = [];
  const check = (expression: string | undefined, path: (string | number)[], where: { zh: string; en: string }) => {
    if (!expression || !mentionsWorkdayFunction(expression)) return;
    const name = WORKDAY_FUNCTIONS.find((fn) => new RegExp(`\\b${fn.replace(' ', '\\s+')}\\s*\\(`).test(expression))!;
    found.push({ path, name, where });
  };
  for (const { node, path } of nodesOf(service.workflow?.steps)) if ('if' in node) check(node.if, [...path, 'if'], { zh: '分支条件', en: 'branch condition' });
  for (const { node, path } of nodesOf(service.workflow?.steps)) if ('deadlineWhen' in node) node.deadlineWhen?.forEach((rule, i) => check(rule.if, [...path, 'deadlineWhen', i, 'if'], { zh: '时限条件', en: 'deadline condition' }));
  service.form?.sections.forEach((section, i) => check(section.visibleIf, ['form', 'sections', i, 'visibleIf'], { zh: '分组的显示条件', en: 'section\'s visibility rule' }));
  for (const { field, path } of fieldsOf(service)) check(field.visibleIf, [...path, 'visibleIf'], { zh: '字段的显示条件', en: 'field\'s visibility rule' });
  return found;
}

/**
 * Work-day functions stay where the hall alone evaluates them: in `validIf` (see
 * {@link workdayCallsOutsideTheHall}). Camunda 8 has no business calendar, so a branch or visibility
 * rule that counts work days would decide differently in the exported process: the named limit of the
 * BPMN export (docs/camunda.md).
 */
export const workdayFunctionsStayInTheHall: Rule = (ctx) => {
  for (const s of ctx.catalog.services.values()) {
    for (const { path, name, where } of workdayCallsOutsideTheHall(s.value)) ctx.report(s, 'feel/workdays-outside-hall', path, { name, where });
  }
};
