import type { RuntimeApplicantStep, RuntimeDefinition, RuntimeNode, RuntimePayment, RuntimePublicity, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { WorkCalendar } from './calendar.ts';
import { evaluateFeel, fieldsOfDefinition, typeBooking, typeData } from './feel.ts';
import { TemplateError, renderTemplate } from './notification-template.ts';
import { counted } from '../shared/plural.ts';
import { approvalsNeeded, countersignMembers, tally } from './countersign.ts';
import { routeStep } from './fallback.ts';
import { validateStepData, validateSubmission } from './validate-submission.ts';
import { dueLabel, stepDeadline } from './deadline.ts';
import { assessFees, feeVariables, withFee } from './fees.ts';
import type { FeeAssessment } from './fees.ts';
import type { Directory, FieldError } from './validate-submission.ts';
import { actionsNow, copyText, handOver, handOverText, isHandOver, personOf } from './actions.ts';
import type { HandOverAction, HandState } from './actions.ts';
import { APPLICANT_ASSIGNEE, COMPLETE, applicantAssignedText, applicantDue, applicantOverdueText, isApplicantNode } from './applicant-step.ts';
import { callingProblem, systemCallOf, systemDecisionProblem } from './system-step.ts';
import type { SystemCall } from './system-step.ts';
import { ReturnToStep, holdsStep, passedBefore, returnTargetsNow, returnToProblem } from './return-to.ts';
import { PAID, TIMEOUT, isPaymentNode, noFeeProblem, orderedText, paidLateProblem, paymentDecisionProblem, paymentPeriod, payingProblem, timeoutEarlyProblem, unpaidText } from './payment.ts';
import { CLOSE, OBJECT, isPublicityNode, objectedText, objectionAnsweredText, objectionBranchId, periodOpenProblem, periodOverProblem, publicityDecisionProblem, publicityPeriod, publicizingProblem, publishedText } from './publicity.ts';
import type { ReviewOutcome } from './publicity.ts';

export type Action = 'approve' | 'reject' | 'return' | 'complete' | 'object' | 'close' | 'paid' | 'timeout' | HandOverAction;

export interface Decision {
  step: string;
  action: Action;
  comment?: string;
  /** When the decision is made; defaults to when the step became active. */
  at?: string;
  /** Data the applicant changes when resubmitting after a return. */
  revise?: Record<string, unknown>;
  /** Values the assignee enters in the step's own fields; later conditions can read them. */
  data?: Record<string, unknown>;
  /** After a return: when the applicant resubmitted (the returned step starts again then); defaults to the return. */
  resubmittedAt?: string;
  /** transfer, add-approver, delegate: the person the task goes to. */
  to?: string;
  /** add-approver: before (default) or after the assignee. */
  position?: 'before' | 'after';
  /** 委托: a stand-in (`person`) acted for this absent colleague; carried to the decision's timeline entry. */
  onBehalfOf?: string;
  person?: string;
  /** return: the earlier step the application goes back to (one of the step's `returnTo`); the applicant when absent. */
  returnTo?: string;
  /** paid: the payment platform's id of the payment (流水号), carried to the timeline entry (issue 15.9b). */
  transaction?: string;
}

export interface RunInput {
  applicant: Record<string, unknown>;
  data: Record<string, unknown>;
  decisions: Decision[];
  /** Submission instant with offset, e.g. 2026-03-02T09:00:00+08:00. */
  submittedAt: string;
  service: { id: string; name: string };
  /** The hall's entry for applying to this service. */
  url?: string;
  /** For appointments: the booked resource, date and slot, readable by conditions as booking.*. */
  booking?: { resource: string; date: string; slot: string };
  /**
   * A live application (the hall runtime): a return waits for the applicant, whose resubmission is the
   * return decision's `resubmittedAt`, instead of resuming at once as in a scenario.
   */
  live?: boolean;
  /** Departments and people that department and person fields may name (checked on submission). */
  directory?: Directory;
  /**
   * The form data and every revision in `decisions` were judged and accepted when the applicant sent them
   * (the hall replaying an application for an approver's decision): they are not judged again, so the
   * replay does not repeat the submission's validation (issue 13) and nothing changed since blocks a case in flight.
   */
  accepted?: boolean;
}

export interface TimelineEntry {
  type: 'submitted' | 'assigned' | 'unassigned' | 'acted' | 'returned' | 'resubmitted' | 'overdue' | 'completed' | 'transferred' | 'added' | 'delegated' | 'resolved' | 'copied' | 'called' | 'published' | 'objected' | 'publicized' | 'ordered' | 'paid' | 'unpaid';
  at: string;
  step?: string;
  stepName?: string;
  assignee?: string;
  department?: string;
  due?: string;
  /** assigned, overdue: the due time of an hours deadline (issue 15.7), in the zone's offset; `due` is its local date. */
  dueAt?: string;
  action?: Exclude<Action, HandOverAction | 'object' | 'close' | 'paid' | 'timeout'>;
  comment?: string;
  outcome?: 'approved' | 'rejected' | 'unpaid';
  /** The person who acted, when the task was a person's (after a transfer, an added approver, a delegate). */
  person?: string;
  /** transferred, added, delegated: the person the task went to. */
  to?: string;
  position?: 'before' | 'after';
  /** 委托: the absent colleague a stand-in (`person`) acted for. */
  onBehalfOf?: string;
  /** returned: the earlier step the application went back to (absent: to the applicant). */
  returnTo?: string;
  /** published: the publicity period's last day (issue 15.2). */
  until?: string;
  /** publicized: how many objections the period received. */
  objections?: number;
  /** ordered, paid: the amount in fen (分) (issue 15.9b); ordered: `until` is the last day to pay. */
  amountFen?: number;
  /** paid: the payment platform's id of the payment, when the decision carries one. */
  transaction?: string;
}

export interface Notification {
  event: 'submitted' | 'assigned' | 'overdue' | 'returned' | 'approved' | 'rejected' | 'copied' | 'published' | 'objected' | 'objection-answered' | 'ordered' | 'unpaid';
  to: string;
  text: string;
}

export interface RunResult {
  /** `unpaid`: a payment step's period ended unpaid and the service has no unpaid steps (issue 15.9b): 未缴费. */
  outcome: 'approved' | 'rejected' | 'unpaid' | 'pending' | 'invalid' | 'error' | 'unassigned';
  /** Step ids in the order they were decided (a step returned and decided again appears twice). */
  path: string[];
  /** Step id → `group@scope` (or `group` for the whole university) at its latest assignment. */
  assignees: Record<string, string>;
  timeline: TimelineEntry[];
  notifications: Notification[];
  /** Submission problems, field by field (outcome `invalid`). */
  fieldErrors: FieldError[];
  /** Why the run stopped early (outcome `pending`, `error` or `unassigned`). */
  problem?: { zh: string; en: string };
  /** A step nobody can hold (outcome `unassigned`): the incident the runtime raises for the IT office. */
  incident?: Unassigned;
  /** Steps waiting for a decision when the run stopped (outcome `pending`), with their allowed actions. */
  waiting: { step: string; name: string; assignee: string; actions: Action[]; person?: string; returnTargets?: string[] }[];
  /** Set when a live run stops at a return: the applicant must revise and resubmit. */
  awaiting?: 'applicant';
  /** What the application owes (issue 15.9), when the definition has fee items: computed on the latest form data. */
  fee?: FeeAssessment;
  /** A live run stopped at a system step (issue 15.3): the call the runtime makes after the transaction commits. */
  calling?: SystemCall;
  /** A live run stopped in a publicity period (issue 15.2): the period the runtime's timer ends at `endsAt`. */
  publicizing?: { step: string; until: string; endsAt: string; objections: number };
  /** A live run stopped at a payment step (issue 15.9b): the order the runtime makes, and when its timer ends the wait. */
  paying?: { step: string; connector: string; path?: string; amountFen: number; until: string; endsAt: string };
}

/**
 * A step whose group scope (or department, for `scope: department`) reads a value the application
 * does not have: an applicant attribute the directory lacks, or a form field left empty. The run stops
 * there with this incident — never a task for `group@?` that nobody holds. The BPMN export ends the
 * same way (see docs/camunda.md), and the runtime logs it as an `unassigned` event.
 */
export interface Unassigned {
  type: 'unassigned';
  step: string;
  group: string;
  /** The reference that has no value: `applicant.<attribute>` or `form.<field>`. */
  missing: string;
  message: { zh: string; en: string };
}

/** The reference a step's assignment reads: its scope, or its department when the scope is `department`. */
export function assignmentReference(step: Pick<RuntimeStep, 'scope' | 'department'>): string | undefined {
  const reference = step.scope === 'department' ? step.department : step.scope;
  return reference.startsWith('applicant.') || reference.startsWith('form.') ? reference : undefined;
}

/** What the incident says: the same words on the interpreter, the BPMN engine and in the event log. */
export function unassignedMessage(definition: RuntimeDefinition, reference: string): { zh: string; en: string } {
  if (reference.startsWith('applicant.')) {
    const attribute = reference.slice('applicant.'.length);
    return { zh: `无法分派：申请人没有“${attribute}”属性（${reference}）`, en: `cannot assign: applicant has no ${attribute} (${reference})` };
  }
  const id = reference.slice('form.'.length);
  const field = definition.form?.sections.flatMap((section) => section.fields).find((f) => f.id === id);
  return { zh: `无法分派：表单没有填写“${field?.label.zh ?? id}”（${reference}）`, en: `cannot assign: the form has no value for ${id} (${reference})` };
}

/** The missing reference of a step's assignment, or undefined when the step can be assigned. */
export function missingReference(step: Pick<RuntimeStep, 'scope' | 'department' | 'fallback'>, applicant: Record<string, unknown>, data: Record<string, unknown>): string | undefined {
  const reference = assignmentReference(routeStep(step, applicant, data));
  if (!reference) return undefined;
  const value = reference.startsWith('applicant.') ? applicant[reference.slice('applicant.'.length)] : data[reference.slice('form.'.length)];
  return value === undefined || value === null || value === '' ? reference : undefined;
}

/**
 * How a run stops short of its end: thrown by the step that stops it, caught by runFlow (never beyond it). Not an
 * Error (issue 13): a run that waits for a decision, as every replay of an open application does, stops this way,
 * and an Error records the call stack when it is made, which was most of the cost of a stop.
 */
class Stop {
  readonly outcome: RunResult['outcome'];
  readonly problem?: { zh: string; en: string };
  constructor(outcome: RunResult['outcome'], problem?: { zh: string; en: string }) {
    this.outcome = outcome;
    this.problem = problem;
  }
}

/**
 * The reference semantics of a compiled workflow. Steps run in order; a branch takes `then` when its
 * FEEL condition is true, else `else`; a `parallel: all` countersign needs every step to approve (any
 * reject ends the application); in `parallel: any` (或签) the first decision taken decides. `return`
 * sends the application back to the applicant, who resubmits (optionally changing data); the flow then
 * resumes at the returning step (for a countersign with `returnReopens: member`, the returning member and
 * those not yet decided; in versions without it, the whole countersign). In `parallel: sequence` (依次审批)
 * the members act one after another in the order listed.
 * Branches already passed are not re-evaluated. A return naming one of the step's `returnTo` goes back
 * to that earlier step instead, and the flow re-runs from there (return-to.ts).
 */
export function runWorkflow(definition: RuntimeDefinition, calendar: WorkCalendar, input: RunInput): RunResult {
  let templateProblem: { zh: string; en: string } | undefined;
  const flow = runFlow(definition, calendar, input, (problem) => (templateProblem ??= problem));
  const result = withFee(definition, input, flow);
  // A template that cannot be rendered is the definition's fault: the run says so instead of sending half the notifications.
  return templateProblem ? { ...result, outcome: 'error', problem: templateProblem } : result;
}

function runFlow(definition: RuntimeDefinition, calendar: WorkCalendar, input: RunInput, onTemplateProblem: (problem: { zh: string; en: string }) => void): RunResult {
  const result: RunResult = { outcome: 'pending', path: [], assignees: {}, timeline: [], notifications: [], fieldErrors: [], waiting: [] };
  let data = { ...input.data };
  /** Values assignees entered in steps' own fields: readable by conditions and templates, never part of the form. */
  let entered: Record<string, unknown> = {};
  let clock = input.submittedAt;
  const queue = [...input.decisions];
  /** Plain steps approved, in order, since the flow last re-ran from before them: the steps a return may go back to. */
  let passed: string[] = [];
  const applicantName = String(input.applicant.name ?? '申请人');

  const render = (template: string | undefined, extra: Record<string, unknown>) => {
    if (!template) return undefined;
    try {
      return renderTemplate(template, { service: input.service, applicant: input.applicant, form: { ...data, ...entered }, url: input.url ?? '', ...feeVariables(definition, data, input.applicant, input.submittedAt), ...extra });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      onTemplateProblem({ zh: `通知模板无法使用（${error.message}）：${template.slice(0, 60)}`, en: `a notification template cannot be used (${error.message}): ${template.slice(0, 60)}` });
      return undefined;
    }
  };
  const notify = (event: Notification['event'], to: string, template: string | undefined, extra: Record<string, unknown> = {}) => {
    const text = render(template, extra);
    if (text) result.notifications.push({ event, to, text });
  };
  const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

  const typedFields = fieldsOfDefinition(definition);
  const invalid = input.accepted ? [] : validateSubmission(definition, data, input.applicant, input.booking, clock, input.directory, calendar);
  if (invalid.length) {
    result.outcome = 'invalid';
    result.fieldErrors = invalid;
    return result;
  }
  result.timeline.push({ type: 'submitted', at: clock });
  notify('submitted', `applicant:${applicantName}`, definition.workflow?.notifications.submitted);

  const assigneeOf = (step: RuntimeStep): string => {
    const scopeValue = resolveScope(step.scope, step.department, input.applicant, data);
    return scopeValue === undefined ? step.group : `${step.group}@${scopeValue}`;
  };
  const departmentOf = (step: RuntimeStep) => resolveDepartment(step.department, input.applicant, data);

  /** `dueAt`: the due time of an hours deadline; `due` is then its local date. */
  interface Active { step: RuntimeStep | RuntimeApplicantStep; since: string; due: string; dueAt?: string; assignee: string; hand: HandState; late?: boolean }
  const activate = (step: RuntimeStep): Active => {
    const missing = missingReference(step, input.applicant, data);
    if (missing) {
      const message = unassignedMessage(definition, missing);
      result.incident ??= { type: 'unassigned', step: step.id, group: step.group, missing, message };
      result.timeline.push({ type: 'unassigned', at: clock, step: step.id, stepName: step.name.zh });
      throw new Stop('unassigned', message);
    }
    const assignee = assigneeOf(routeStep(step, input.applicant, data));
    const deadline = stepDeadline(step, () => ({ ...typeData(typedFields, { ...data, ...entered }), applicant: input.applicant, ...(input.booking ? { booking: typeBooking(input.booking) } : {}) }), clock, calendar);
    if (!deadline.ok) throw new Stop('error', deadline.problem);
    // Work days end with the due day; hours run on the clock from now (the calendar has no working hours).
    const dueAt = deadline.hours === undefined ? undefined : calendar.addHours(clock, deadline.hours);
    const due = dueAt ? dueAt.slice(0, 10) : calendar.addWorkdays(calendar.localDate(clock), deadline.days ?? 0);
    result.assignees[step.id] = assignee;
    result.timeline.push({ type: 'assigned', at: clock, step: step.id, stepName: step.name.zh, assignee, department: departmentOf(routeStep(step, input.applicant, data)), due, ...(dueAt ? { dueAt } : {}) });
    notify('assigned', assignee, step.notify?.assigned, { step: { name: step.name.zh, id: step.id }, dueDate: dueLabel(due, dueAt) });
    return { step, since: clock, due, ...(dueAt ? { dueAt } : {}), assignee, hand: {} };
  };

  /**
   * A countersign's members all get their tasks at once, as BPMN's parallel split creates them: a member
   * that cannot be assigned stops the run with its incident after the others were assigned.
   */
  const activateAll = (steps: RuntimeStep[]): Active[] => {
    let stop: Stop | undefined;
    const active: Active[] = [];
    for (const step of steps) {
      try {
        active.push(activate(step));
      } catch (error) {
        if (!(error instanceof Stop) || error.outcome !== 'unassigned') throw error;
        stop ??= error;
      }
    }
    if (stop) throw stop;
    return active;
  };

  /** Take the next decision; it must be for one of the active steps and allowed there. */
  const take = (active: Active[]): { decision: Decision; task: Active } => {
   for (;;) {
    const decision = queue.shift();
    if (!decision) {
      result.waiting = active.map((a) => {
        const actions = allowedNow(a);
        const targets = actions.includes('return') && !isApplicantNode(a.step) ? returnTargetsNow(a.step, passed) : [];
        return { step: a.step.id, name: a.step.name.zh, assignee: a.assignee, actions: actions as Action[], ...(personOf(a.hand) ? { person: personOf(a.hand) } : {}), ...(targets.length ? { returnTargets: targets } : {}) };
      });
      throw new Stop('pending', { zh: `等待办理：${active.map((a) => a.step.id).join('、')}`, en: `waiting for ${active.map((a) => a.step.id).join(', ')}` });
    }
    const task = active.find((a) => a.step.id === decision.step);
    if (!task) {
      throw new Stop('error', { zh: `决定针对“${decision.step}”，但当前办理中的环节是：${active.map((a) => a.step.id).join('、')}`, en: `a decision for "${decision.step}" but the active steps are ${active.map((a) => a.step.id).join(', ')}` });
    }
    if (!allowedNow(task).includes(decision.action)) {
      throw new Stop('error', { zh: `环节“${task.step.id}”不允许“${decision.action}”`, en: `step "${task.step.id}" does not allow "${decision.action}"` });
    }
    const targetProblem = returnToProblem(task.step, decision, passed);
    if (targetProblem) throw new Stop('error', targetProblem);
    const at = decision.at ? later(decision.at, task.since) : task.since;
    // One overdue per activation, however many people the task passes through.
    // An hours deadline is missed by a decision after its due time; a work-day one by a decision after its due day.
    if ((task.dueAt ? Date.parse(at) > Date.parse(task.dueAt) : calendar.localDate(at) > task.due) && !task.late) {
      task.late = true;
      result.timeline.push({ type: 'overdue', at: task.dueAt ?? calendar.endOfDay(task.due), step: task.step.id, stepName: task.step.name.zh, assignee: task.assignee, due: task.due, ...(task.dueAt ? { dueAt: task.dueAt } : {}) });
      if (isApplicantNode(task.step)) applicantNotify('overdue', task.step.notify?.overdue ?? applicantOverdueText(input.service.name, task.step.name.zh, task.due), task.step, task.due);
      else notify('overdue', task.assignee, task.step.notify?.overdue, { step: { name: task.step.name.zh, id: task.step.id }, dueDate: dueLabel(task.due, task.dueAt) });
    }
    clock = later(at, clock);
    const by = personOf(task.hand);
    const handed = handOver(task.hand, decision);
    if (handed && 'problem' in handed) throw new Stop('error', handed.problem);
    if (handed) {
      const { entry, next } = handed;
      result.timeline.push({ type: entry.type, at: clock, step: task.step.id, stepName: task.step.name.zh, assignee: task.assignee, ...(entry.action ? { action: entry.action } : {}), ...(entry.person ? { person: entry.person } : {}), ...(entry.to ? { to: entry.to } : {}), ...(entry.position ? { position: entry.position } : {}), ...(decision.comment ? { comment: decision.comment } : {}), ...standIn(decision) });
      // A person newly given the task is told, with the step's own words when it has them.
      const text = next ? (render(task.step.notify?.assigned, { step: { name: task.step.name.zh, id: task.step.id }, dueDate: dueLabel(task.due, task.dueAt) }) ?? handOverText(input.service.name, task.step.name.zh, dueLabel(task.due, task.dueAt), entry.type)) : undefined;
      if (next && text) result.notifications.push({ event: 'assigned', to: `person:${next}`, text });
      continue;
    }
    const values = decision.data ?? {};
    if (task.step.fields || Object.keys(values).length) {
      // Required step fields are required to approve (or to complete an applicant step); a reject or return may leave them empty.
      const problems = validateStepData(task.step, values, { requireAll: decision.action === 'approve' || decision.action === COMPLETE });
      if (problems.length) {
        result.fieldErrors = problems;
        throw new Stop('invalid', { zh: `环节“${task.step.id}”填写的内容无效`, en: `invalid data entered at step "${task.step.id}"` });
      }
      entered = { ...entered, ...values };
    }
    result.path.push(task.step.id);
    result.timeline.push({ type: 'acted', at: clock, step: task.step.id, stepName: task.step.name.zh, assignee: task.assignee, action: decision.action as Exclude<Action, HandOverAction | 'object' | 'close' | 'paid' | 'timeout'>, ...(by ? { person: by } : {}), ...(decision.comment ? { comment: decision.comment } : {}), ...standIn(decision) });
    if (decision.action === 'approve' && !isApplicantNode(task.step)) copy(task.step);
    return { decision, task };
   }
  };

  /** The decisions a task takes now: an applicant step's is `complete` only (issue 15.1). */
  const allowedNow = (a: Active): string[] => (isApplicantNode(a.step) ? [COMPLETE] : actionsNow(a.step, a.hand));

  /** A message to the applicant about their own step: the service's template, else the default text (already a plain text). */
  const applicantNotify = (event: 'assigned' | 'overdue', template: string, step: RuntimeApplicantStep, due: string) => {
    const text = render(template, { step: { name: step.name.zh, id: step.id }, dueDate: due });
    if (text) result.notifications.push({ event, to: `applicant:${applicantName}`, text });
  };

  /**
   * An applicant step (issue 15.1): the applicant's own task, due `deadline` work days after it starts (or
   * after the `dueAfter` date); its one decision, `complete`, carries the step's fields.
   */
  const runApplicantStep = (step: RuntimeApplicantStep) => {
    const due = applicantDue(step, data, calendar.localDate(clock), calendar);
    result.timeline.push({ type: 'assigned', at: clock, step: step.id, stepName: step.name.zh, assignee: APPLICANT_ASSIGNEE, due });
    applicantNotify('assigned', step.notify?.assigned ?? applicantAssignedText(input.service.name, step.name.zh, due), step, due);
    take([{ step, since: clock, due, assignee: APPLICANT_ASSIGNEE, hand: {} }]);
  };

  /** 抄送: a step that approves copies the application to its cc groups@scopes, for information only. */
  const copy = (step: RuntimeStep) => {
    for (const cc of step.cc ?? []) {
      const scope = resolveScope(cc.scope, step.department, input.applicant, data);
      if (scope === '?') continue;
      const assignee = scope === undefined ? cc.group : `${cc.group}@${scope}`;
      result.timeline.push({ type: 'copied', at: clock, step: step.id, stepName: step.name.zh, assignee });
      result.notifications.push({ event: 'copied', to: assignee, text: copyText(input.service.name, step.name.zh, applicantName) });
    }
  };

  /** A return to an earlier step (return-to.ts), recorded: the steps from the target on are to be decided again. */
  const returnedTo = (decision: Decision, step: RuntimeStep): string => {
    const target = decision.returnTo!;
    result.timeline.push({ type: 'returned', at: clock, step: step.id, stepName: step.name.zh, returnTo: target, ...(decision.comment ? { comment: decision.comment } : {}) });
    passed = passedBefore(passed, target);
    return target;
  };

  /** A return to an earlier step (return-to.ts): the flow re-runs from there, the applicant is not involved. */
  const returnToStep = (decision: Decision, step: RuntimeStep): never => {
    throw new ReturnToStep(returnedTo(decision, step));
  };

  const applicantRevises = (decision: Decision, step: RuntimeStep) => {
    result.timeline.push({ type: 'returned', at: clock, step: step.id, stepName: step.name.zh, ...(decision.comment ? { comment: decision.comment } : {}) });
    notify('returned', `applicant:${applicantName}`, definition.workflow?.notifications.returned, { comment: decision.comment ?? '', step: { name: step.name.zh, id: step.id } });
    if (input.live && !decision.resubmittedAt) {
      result.awaiting = 'applicant';
      throw new Stop('pending', { zh: '等待申请人修改后重新提交', en: 'waiting for the applicant to revise and resubmit' });
    }
    data = { ...data, ...(decision.revise ?? {}) };
    const problems = input.accepted ? [] : validateSubmission(definition, data, input.applicant, input.booking, clock, input.directory, calendar);
    if (problems.length) {
      result.fieldErrors = problems;
      throw new Stop('invalid');
    }
    if (decision.resubmittedAt) clock = later(decision.resubmittedAt, clock);
    result.timeline.push({ type: 'resubmitted', at: clock });
  };

  /** A branch's or a countersign member's condition; null counts as false. */
  const holds = (condition: string): boolean => {
    // Conditions read typed values and the run's own clock (never the machine's), within a budget.
    const context = { ...typeData(typedFields, { ...data, ...entered }), applicant: input.applicant, ...(input.booking ? { booking: typeBooking(input.booking) } : {}) };
    const outcome = evaluateFeel(condition, context, clock, calendar);
    if (!outcome.ok) throw new Stop('error', { zh: `条件“${condition}”${outcome.failure.message.zh}`, en: `condition "${condition}": ${outcome.failure.message.en}` });
    const value = outcome.value;
    if (typeof value !== 'boolean' && value !== null) throw new Stop('error', { zh: `条件“${condition}”的结果不是是/否`, en: `condition "${condition}" is not boolean` });
    return value === true;
  };

  const reject = (decision: Decision) => {
    throw new Stop('rejected', decision.comment ? { zh: decision.comment, en: decision.comment } : undefined);
  };

  /**
   * A system step (issue 15.3, ./system-step.ts): the call is computed and recorded (`called`); its success is
   * a recorded `approve` for the step. A live run without one waits (`calling`); a scenario's call succeeds.
   */
  const runSystem = (step: RuntimeStep) => {
    const context = { ...typeData(typedFields, { ...data, ...entered }), applicant: input.applicant, ...(input.booking ? { booking: typeBooking(input.booking) } : {}) };
    const call = systemCallOf(step, context, clock, calendar);
    if (!call.ok) throw new Stop('error', call.problem);
    result.timeline.push({ type: 'called', at: clock, step: step.id, stepName: step.name.zh });
    const recorded = queue[0]?.step === step.id ? queue.shift() : undefined;
    if (recorded && recorded.action !== 'approve') throw new Stop('error', systemDecisionProblem(step, recorded.action));
    if (!recorded && input.live) {
      result.calling = call.call;
      throw new Stop('pending', callingProblem(step));
    }
    if (recorded?.at) clock = later(recorded.at, clock);
    result.path.push(step.id);
    result.timeline.push({ type: 'acted', at: clock, step: step.id, stepName: step.name.zh, action: 'approve' });
  };

  /**
   * A publicity period (issue 15.2, ./publicity.ts): published now, open until the end of its last work day.
   * Recorded objections (`object`, each within the period) are counted; the period ends at its end (a recorded
   * `close`, or in a scenario by itself); a live run without a `close` waits (`publicizing`). Whether anyone
   * objected is then entered as the period's variable, which the branch after it reads.
   */
  const runPublicity = (step: RuntimePublicity) => {
    const { until, endsAt } = publicityPeriod(step.days, clock, calendar);
    result.timeline.push({ type: 'published', at: clock, step: step.id, stepName: step.name.zh, until });
    const applicantTo = `applicant:${applicantName}`;
    result.notifications.push({ event: 'published', to: applicantTo, text: publishedText(input.service.name, step.name.zh, until) });
    let objections = 0;
    const objectors: string[] = [];
    let closed = false;
    while (queue[0]?.step === step.id) {
      const decision = queue.shift()!;
      if (decision.action === OBJECT) {
        const at = decision.at ? later(decision.at, clock) : clock;
        if (Date.parse(at) > Date.parse(endsAt)) throw new Stop('error', periodOverProblem(step, until));
        objections++;
        if (decision.person && !objectors.includes(decision.person)) objectors.push(decision.person);
        clock = at;
        result.timeline.push({ type: 'objected', at, step: step.id, stepName: step.name.zh, ...(decision.person ? { person: decision.person } : {}), ...(decision.comment ? { comment: decision.comment } : {}) });
        continue;
      }
      if (decision.action !== CLOSE) throw new Stop('error', publicityDecisionProblem(step, decision.action));
      if (decision.at && Date.parse(decision.at) < Date.parse(endsAt)) throw new Stop('error', periodOpenProblem(step, until));
      closed = true;
      break;
    }
    if (!closed && input.live) {
      result.publicizing = { step: step.id, until, endsAt, objections };
      throw new Stop('pending', publicizingProblem(step, until));
    }
    clock = later(endsAt, clock);
    result.path.push(step.id);
    result.timeline.push({ type: 'publicized', at: endsAt, step: step.id, stepName: step.name.zh, objections });
    if (objections) result.notifications.push({ event: 'objected', to: applicantTo, text: objectedText(input.service.name, step.name.zh, objections) });
    entered = { ...entered, [step.variable]: objections > 0 };
    if (objections) reviews.push({ step, objectors });
  };

  /**
   * Objection reviews under way (issue 15.2): each period that ended with objections, and who objected, until its
   * review ends — the review branch completes (the result upheld), a review step rejects, or returns to a step.
   */
  const reviews: { step: RuntimePublicity; objectors: string[] }[] = [];
  const answerObjectors = (outcome: ReviewOutcome, open = reviews.splice(0)) => {
    for (const { step, objectors } of open) {
      for (const person of objectors) result.notifications.push({ event: 'objection-answered', to: `person:${person}`, text: objectionAnsweredText(input.service.name, step.name.zh, applicantName, outcome) });
    }
  };

  /**
   * A payment step (issue 15.9b, ./payment.ts): the fee computed from the form (as last revised) is ordered now,
   * payable until the end of the period's last work day. A recorded `paid` (the platform's confirmation, within
   * the period) goes on; a recorded `timeout` (never before the end) sets the variable false: the branch after
   * the step runs the unpaid steps, or, without them, the application ends as unpaid. Nothing owed passes at
   * once. A run without either decision waits (a live one says what to order in `paying`).
   */
  const runPayment = (step: RuntimePayment) => {
    const { until, endsAt } = paymentPeriod(step.days, clock, calendar);
    const owed = assessFees(definition, data, input.applicant, input.submittedAt);
    if (!owed) throw new Stop('error', noFeeProblem(step));
    if (!owed.ok) throw new Stop('error', owed.problem);
    const amountFen = owed.fee.totalFen;
    const applicantTo = `applicant:${applicantName}`;
    const paid = (at: string, transaction?: string) => {
      clock = at;
      result.path.push(step.id);
      result.timeline.push({ type: 'paid', at, step: step.id, stepName: step.name.zh, amountFen, ...(transaction ? { transaction } : {}) });
      entered = { ...entered, [step.variable]: true };
    };
    if (amountFen === 0) return paid(clock);
    result.timeline.push({ type: 'ordered', at: clock, step: step.id, stepName: step.name.zh, amountFen, until });
    result.notifications.push({ event: 'ordered', to: applicantTo, text: orderedText(input.service.name, step.name.zh, amountFen, until) });
    const decision = queue[0]?.step === step.id ? queue.shift() : undefined;
    if (!decision) {
      // A live run says what to order; a simulation offers the platform's two answers (nobody holds a task for them).
      if (input.live) result.paying = { step: step.id, connector: step.connector, ...(step.path !== undefined ? { path: step.path } : {}), amountFen, until, endsAt };
      else result.waiting = [{ step: step.id, name: step.name.zh, assignee: `payment:${step.connector}`, actions: [PAID, TIMEOUT] }];
      throw new Stop('pending', payingProblem(step, until));
    }
    if (decision.action === PAID) {
      const at = decision.at ? later(decision.at, clock) : clock;
      if (Date.parse(at) > Date.parse(endsAt)) throw new Stop('error', paidLateProblem(step, until));
      return paid(at, decision.transaction);
    }
    if (decision.action !== TIMEOUT) throw new Stop('error', paymentDecisionProblem(step, decision.action));
    if (decision.at && Date.parse(decision.at) < Date.parse(endsAt)) throw new Stop('error', timeoutEarlyProblem(step, until));
    clock = later(endsAt, clock);
    result.path.push(step.id);
    result.timeline.push({ type: 'unpaid', at: endsAt, step: step.id, stepName: step.name.zh });
    result.notifications.push({ event: 'unpaid', to: applicantTo, text: unpaidText(input.service.name, step.name.zh, until) });
    entered = { ...entered, [step.variable]: false };
    if (step.whenUnpaid === 'end') throw new Stop('unpaid');
  };

  const runStep = (step: RuntimeStep) => {
    if (step.system) return runSystem(step);
    for (;;) {
      const { decision } = take([activate(step)]);
      if (decision.action === 'approve') {
        passed.push(step.id);
        return;
      }
      if (decision.action === 'reject') reject(decision);
      if (decision.returnTo !== undefined) returnToStep(decision, step);
      applicantRevises(decision, step);
    }
  };

  /**
   * 依次审批 (`parallel: sequence`, countersign.ts): the members taking part act one after another in the
   * order listed; a reject ends the application; a return to the applicant resumes at the returning member
   * (those before it keep their approvals), as a plain step's does; a return to an earlier member of the same
   * sequence resumes at that member, and every member after it acts again; a return to an earlier step
   * outside re-runs from there. Members taking part are judged once, as the sequence starts.
   */
  const runInTurn = (node: Extract<RuntimeNode, { kind: 'parallel' }>) => {
    const members = countersignMembers(node, holds);
    for (let i = 0; i < members.length; ) {
      const member = members[i];
      const { decision } = take([activate(member)]);
      if (decision.action === 'approve') {
        passed.push(member.id);
        i++;
        continue;
      }
      if (decision.action === 'reject') reject(decision);
      const back = decision.returnTo === undefined ? -1 : members.findIndex((m) => m.id === decision.returnTo);
      if (back >= 0 && back < i) {
        returnedTo(decision, member);
        i = back;
        continue;
      }
      if (decision.returnTo !== undefined) returnToStep(decision, member);
      applicantRevises(decision, member);
    }
  };

  const runParallel = (node: Extract<RuntimeNode, { kind: 'parallel' }>) => {
    if (node.mode === 'sequence') return runInTurn(node);
    // Countersign variants (countersign.ts): members with a condition, n of m.
    let members = countersignMembers(node, holds);
    let needed = approvalsNeeded(node, members.length);
    let approved = 0;
    let rejected = 0;
    let open = members;
    for (;;) {
      let active = activateAll(open);
      let returned: Decision | undefined;
      let returnedBy: RuntimeStep | undefined;
      while (active.length) {
        const { decision, task } = take(active);
        if (decision.action === 'reject' && (node.mode === 'any' || tally(needed, members.length, approved, ++rejected) === 'failed')) reject(decision);
        if (decision.action === 'return') {
          if (decision.returnTo !== undefined) returnToStep(decision, task.step as RuntimeStep);
          returned = decision;
          returnedBy = task.step as RuntimeStep;
          break;
        }
        if (decision.action === 'approve') approved++;
        active = node.mode === 'any' || tally(needed, members.length, approved, rejected) === 'passed' ? [] : active.filter((a) => a !== task);
      }
      if (!returned) return;
      const undecided = active.map((a) => a.step as RuntimeStep);
      applicantRevises(returned, returnedBy!);
      if (node.returnReopens === 'member') {
        // Only the returning member and those not yet decided get tasks again; decisions given stand (issue 15.5).
        open = undecided;
      } else {
        // Versions compiled before issue 15.5: the whole countersign again, its members judged on the revised data.
        members = countersignMembers(node, holds);
        needed = approvalsNeeded(node, members.length);
        approved = 0;
        rejected = 0;
        open = members;
      }
    }
  };

  /** Run `nodes` in order; `resumeAt`: start at that step, entering the branches that hold it without judging them. */
  const runSequence = (nodes: RuntimeNode[], resumeAt?: string) => {
    const start = resumeAt === undefined ? 0 : Math.max(0, nodes.findIndex((n) => holdsStep(n, resumeAt)));
    for (let i = start; i < nodes.length; i++) {
      const node = nodes[i];
      const into = i === start ? resumeAt : undefined;
      if (node.kind === 'step') runStep(node);
      else if (node.kind === 'parallel') runParallel(node);
      else if (isApplicantNode(node)) runApplicantStep(node);
      else if (isPublicityNode(node)) runPublicity(node);
      else if (isPaymentNode(node)) runPayment(node);
      else if (into !== undefined) runSequence(node.then.some((n) => holdsStep(n, into)) ? node.then : node.else, into);
      else runSequence(holds(node.condition) ? node.then : node.else);
      // The review of a period's objections ran to its end: the result stands.
      const review = reviews.findIndex((r) => objectionBranchId(r.step.id) === node.id);
      if (node.kind === 'branch' && review >= 0) answerObjectors({ kind: 'upheld' }, reviews.splice(review, 1));
    }
  };

  try {
    let resumeAt: string | undefined;
    for (;;) {
      try {
        runSequence(definition.workflow?.steps ?? [], resumeAt);
        break;
      } catch (error) {
        if (!(error instanceof ReturnToStep)) throw error;
        // A review step sent the application back to a step outside its review: that ends the review.
        const steps = definition.workflow?.steps ?? [];
        const ended = reviews.filter((r) => {
          const branch = nodeById(steps, objectionBranchId(r.step.id));
          return !(branch?.kind === 'branch' && branch.then.some((n) => holdsStep(n, error.target)));
        });
        answerObjectors({ kind: 'returned', stepName: nodeById(steps, error.target)?.name.zh ?? error.target }, ended.map((r) => reviews.splice(reviews.indexOf(r), 1)[0]));
        resumeAt = error.target;
      }
    }
    result.outcome = 'approved';
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    result.outcome = error.outcome;
    if (error.problem && error.outcome !== 'rejected') result.problem = error.problem;
    // 未缴费 (issue 15.9b): the application ends; the applicant was told when the period ended.
    if (error.outcome === 'unpaid') result.timeline.push({ type: 'completed', at: clock, outcome: 'unpaid' });
    if (error.outcome === 'rejected') {
      answerObjectors({ kind: 'rejected' });
      result.timeline.push({ type: 'completed', at: clock, outcome: 'rejected' });
      const last = result.timeline.filter((t) => t.type === 'acted').pop();
      notify('rejected', `applicant:${applicantName}`, definition.workflow?.notifications.rejected, { comment: last?.comment ?? '' });
    }
    return result;
  }
  if (queue.length) {
    result.outcome = 'error';
    result.problem = { zh: `流程已结束，还剩 ${queue.length} 个决定未用：${queue.map((d) => d.step).join('、')}`, en: `the flow ended with ${counted(queue.length, 'decision')} unused: ${queue.map((d) => d.step).join(', ')}` };
    return result;
  }
  result.timeline.push({ type: 'completed', at: clock, outcome: 'approved' });
  notify('approved', `applicant:${applicantName}`, definition.workflow?.notifications.approved);
  return result;
}

/** The node with `id` anywhere in a workflow: a step, a countersign member, a branch, a publicity period. */
function nodeById(nodes: RuntimeNode[], id: string): RuntimeNode | undefined {
  for (const node of nodes) {
    if (node.id === id) return node;
    if (node.kind === 'parallel') {
      const member = node.steps.find((m) => m.id === id);
      if (member) return member;
    }
    if (node.kind === 'branch') {
      const found = nodeById(node.then, id) ?? nodeById(node.else, id);
      if (found) return found;
    }
  }
  return undefined;
}

/** The value that picks the part of a role group: the applicant's class or college, a form field, a department. */
export function resolveScope(scope: string, department: string, applicant: Record<string, unknown>, data: Record<string, unknown>): string | undefined {
  if (scope === 'university') return undefined;
  if (scope === 'department') return resolveDepartment(department, applicant, data);
  if (scope.startsWith('applicant.')) return String(applicant[scope.slice('applicant.'.length)] ?? '?');
  if (scope.startsWith('form.')) return String(data[scope.slice('form.'.length)] ?? '?');
  return scope;
}

/** A step's department: a fixed code, the applicant's own unit, or a department chosen in the form. */
export function resolveDepartment(department: string, applicant: Record<string, unknown>, data: Record<string, unknown>): string {
  if (department.startsWith('applicant.')) return String(applicant[department.slice('applicant.'.length)] ?? '?');
  if (department.startsWith('form.')) return String(data[department.slice('form.'.length)] ?? '?');
  return department;
}

/** The UTC offset an instant is written with (`+08:00`, `Z`); `+08:00` when it has none. */
export function offsetOf(instant: string): string {
  const m = /([+-]\d{2}:\d{2}|Z)$/.exec(instant);
  return m ? m[1] : '+08:00';
}

/** 委托: who stood in for whom, on the entry of a decision a stand-in made (nothing otherwise). */
function standIn(decision: Decision): Pick<TimelineEntry, 'person' | 'onBehalfOf'> {
  return decision.onBehalfOf && decision.person ? { person: decision.person, onBehalfOf: decision.onBehalfOf } : {};
}
