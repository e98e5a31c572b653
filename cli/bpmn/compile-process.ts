import type { BpmnElement, BpmnFactory } from './xml.ts';
import type { RuntimeApplicantStep, RuntimeBranch, RuntimeDefinition, RuntimeField, RuntimeNode, RuntimeParallel, RuntimePayment, RuntimePublicity, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { APPLICATION_ID_VAR, OBJECTION_MESSAGE, endsVar, periodDuration, publicityIds } from './publicity.ts';
import { PAYMENT_MESSAGE, amountVar, feeFeel, paymentDuration, paymentIds, paymentJobType } from './payment.ts';
import {
  ACTION_LABEL,
  APPLICANT_USER_VAR,
  APPLY_FORM,
  LAST_DECISION_VAR,
  REJECT_ERROR_CODE,
  RETURN_ERROR_CODE,
  REVIEW_COMMENT_KEY,
  REVIEW_DECISION_KEY,
  REVISE_FORM,
  UNASSIGNED_ERROR_CODE,
  calendarDays,
  candidateGroups,
  commentVar,
  hasValueFeel,
  decisionVar,
  feelString,
  formBase,
  reviewForm,
} from './names.ts';
import { fieldsOfDefinition } from '../../lib/interpret/feel.ts';
import { zeebeTypedCondition } from './typed-condition.ts';
import { deadlineDuration, deadlineLabel, hasReminder } from './deadline-duration.ts';
import { hasHoursDeadline } from '../../lib/interpret/deadline.ts';
import { countsApprovals, failedCondition, joinedVar, passedCondition, usesCountersignVariants } from './countersign.ts';
import { decisionsOf } from './names.ts';
import { assignmentReference, unassignedMessage } from '../../lib/interpret/interpret.ts';
import { systemServiceTask } from './system-step.ts';
import { REVIEW_RETURN_TO_KEY, returnTargetsOf, returnToApplicantCondition, returnToCondition, returnToErrorCode, returnToVar } from './return-to.ts';

/** The Camunda 8 minor the export targets (user tasks, version tags and linked forms need 8.6+). */
export const EXECUTION_PLATFORM_VERSION = '8.7.0';

/** Where the next element attaches: the element a flow leaves from, and what that flow carries. */
interface Exit {
  from: BpmnElement;
  name?: string;
  /** A FEEL condition, already `=`-prefixed. */
  condition?: string;
  isDefault?: boolean;
  /** Tells flows between the same two elements apart. */
  tag?: string;
}

/** A process or sub-process being filled. */
interface Scope {
  owner: BpmnElement;
  /** Inside a countersign: reject and return leave the sub-process by throwing an error. */
  countersign: boolean;
  /** Inside an n-of-m countersign: where a member's reject goes (it counts a vote, see countersign.ts). */
  vote?: (step: RuntimeStep, exit: Exit) => void;
  /** Inside a countersign with `returnReopens: member`: a member's return to the applicant loops in its own branch. */
  reopen?: boolean;
  /** Inside a countersign: the steps outside it its members return to (return-to.ts), for its boundary events. */
  returnsTo?: Set<string>;
  /** Inside a 依次审批: its members, which a later member returns to by a loop inside the sub-process. */
  inTurn?: Map<string, RuntimeStep>;
}

export interface CompiledProcess {
  definitions: BpmnElement;
  /** Every sequence flow condition written, for the caller to verify (`=`-prefixed FEEL). */
  conditions: string[];
}

/**
 * Build the BPMN model (no diagram yet) of one runtime definition's workflow. Pure: ids derive from
 * the service, its version and the step, branch and countersign ids, so the same definition always
 * gives the same model. See docs/camunda.md for the mapping.
 */
export function compileProcess(model: BpmnFactory, definition: RuntimeDefinition, serviceName: string): CompiledProcess {
  const base = formBase(definition.id, definition.version);
  const conditions: string[] = [];
  const errors = new Map<string, BpmnElement>();
  const process = model.create('bpmn:Process', {
    id: definition.id,
    name: serviceName,
    isExecutable: true,
    flowElements: [],
    documentation: [doc(model, `${serviceName}（${definition.id}）第 ${definition.version} 版审批流程，由 hall build 从运行定义生成，请勿手工修改。`)],
    extensionElements: ext(model, [model.create('zeebe:VersionTag', { value: `v${definition.version}` })]),
  });
  const root: Scope = { owner: process, countersign: false };
  // Return to a chosen step (return-to.ts): each target's entry gateway, for the return loops.
  const returnTargets = returnTargetsOf(definition);
  const enters = new Map<string, BpmnElement>();
  const stepName = (id: string) => stepNames.get(id) ?? id;
  const stepNames = new Map<string, string>();
  const nameSteps = (nodes: RuntimeNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'branch') (nameSteps(n.then), nameSteps(n.else));
      else if (n.kind === 'publicity' || n.kind === 'payment') stepNames.set(n.id, n.name.zh);
      else for (const st of n.kind === 'parallel' ? n.steps : [n]) stepNames.set(st.id, st.name.zh);
    }
  };
  nameSteps(definition.workflow?.steps ?? []);
  /** Fields whose JSON values conditions must convert on Zeebe, as the interpreter types them. */
  const conditionFields = fieldsOfDefinition(definition);

  const ids = new Set<string>();
  const add = (scope: Scope, type: string, attrs: Record<string, unknown>): BpmnElement => {
    const id = attrs.id as string;
    // Two workflow nodes with one id would give two BPMN elements with one id: an invalid file.
    if (ids.has(id)) throw new Error(`BPMN export of ${definition.id}: the element id ${id} occurs twice (two workflow nodes share an id?)`);
    ids.add(id);
    const element = model.create(type, attrs);
    scope.owner.get('flowElements').push(element);
    return element;
  };

  const connect = (scope: Scope, exit: Exit, target: BpmnElement): void => {
    const flow = add(scope, 'bpmn:SequenceFlow', {
      id: flowId(exit.from.id!, target.id!, exit.tag),
      sourceRef: exit.from,
      targetRef: target,
      ...(exit.name ? { name: exit.name } : {}),
      ...(exit.condition ? { conditionExpression: model.create('bpmn:FormalExpression', { body: exit.condition }) } : {}),
    });
    if (exit.condition) conditions.push(exit.condition);
    // The layout keeps a gateway's first outgoing flow on its row: let the approval continue straight on.
    if (exit.tag === 'approve' || exit.tag === 'assignable') exit.from.get('outgoing').unshift(flow);
    else exit.from.get('outgoing').push(flow);
    target.get('incoming').push(flow);
    if (exit.isDefault) exit.from.set('default', flow);
  };

  const errorRef = (code: string, name: string): BpmnElement => {
    let error = errors.get(code);
    if (!error) {
      error = model.create('bpmn:Error', { id: `Error_${code.replace(/-/g, '_')}`, name, errorCode: code });
      errors.set(code, error);
    }
    return error;
  };

  const endEvent = (scope: Scope, id: string, name: string, kind: 'none' | 'terminate' | { error: string; name: string } = 'none'): BpmnElement => {
    const eventDefinitions =
      kind === 'none' ? [] : kind === 'terminate' ? [model.create('bpmn:TerminateEventDefinition', { id: `${id}_terminate` })] : [model.create('bpmn:ErrorEventDefinition', { id: `${id}_error`, errorRef: errorRef(kind.error, kind.name) })];
    return add(scope, 'bpmn:EndEvent', { id, name, eventDefinitions });
  };

  const reviseTask = (scope: Scope, id: string, returnedBy: string): BpmnElement =>
    add(scope, 'bpmn:UserTask', {
      id: `Task_${id}_revise`,
      name: `申请人修改后重新提交（${returnedBy}退回）`,
      extensionElements: ext(model, [
        model.create('zeebe:UserTask'),
        model.create('zeebe:AssignmentDefinition', { assignee: `=${APPLICANT_USER_VAR}` }),
        model.create('zeebe:FormDefinition', { formId: `${base}-${REVISE_FORM}` }),
      ]),
    });

  const timer = (scope: Scope, task: BpmnElement, id: string, name: string, days: number | string, endName: string) => {
    const boundary = add(scope, 'bpmn:BoundaryEvent', {
      id: `Event_${id}`,
      name,
      attachedToRef: task,
      cancelActivity: false,
      eventDefinitions: [model.create('bpmn:TimerEventDefinition', { id: `Event_${id}_timer`, timeDuration: model.create('bpmn:FormalExpression', { body: typeof days === 'string' ? days : `P${days}D` }) })],
    });
    connect(scope, { from: boundary }, endEvent(scope, `EndEvent_${id}`, endName));
  };

  const approvalTask = (scope: Scope, step: RuntimeStep): BpmnElement => {
    // A form-dependent deadline (deadlineWhen) is a FEEL duration: see ./deadline-duration.ts.
    const days = step.deadlineWhen || hasHoursDeadline(step) ? deadlineDuration(step, conditionFields, definition.type === 'appointment') : calendarDays(Number(step.deadline));
    const last = `{step: ${feelString(step.id)}, name: ${feelString(step.name.zh)}, action: ${REVIEW_DECISION_KEY}, comment: ${REVIEW_COMMENT_KEY}}`;
    const task = add(scope, 'bpmn:UserTask', {
      id: `Task_${step.id}`,
      name: step.name.zh,
      documentation: [
        doc(model, `办理人：${step.group}（范围 ${step.scope}，部门 ${step.department}）；时限 ${deadlineLabel(step)}${step.reminder !== undefined ? `，到期前 ${step.reminder} 个工作日提醒` : ''}${hasHoursDeadline(step) ? '，按小时计的时限过半时提醒' : ''}；可选操作：${step.actions.map((a) => ACTION_LABEL[a]).join('、')}。`),
      ],
      extensionElements: ext(model, [
        model.create('zeebe:UserTask'),
        model.create('zeebe:AssignmentDefinition', { candidateGroups: candidateGroups(step) }),
        model.create('zeebe:FormDefinition', { formId: `${base}-${reviewForm(step.id)}` }),
        // A FEEL duration (`=if …`) goes in as the expression; an ISO one (`PT2H`, `P5D`) as a string.
        model.create('zeebe:TaskSchedule', { dueDate: typeof days === 'string' ? `=now() + duration(${days.startsWith('=') ? days.slice(1) : `"${days}"`})` : `=now() + duration("P${days}D")` }),
        model.create('zeebe:IoMapping', {
          outputParameters: [
            model.create('zeebe:Output', { source: `=${REVIEW_DECISION_KEY}`, target: decisionVar(step.id) }),
            model.create('zeebe:Output', { source: `=${REVIEW_COMMENT_KEY}`, target: commentVar(step.id) }),
            model.create('zeebe:Output', { source: `=${last}`, target: LAST_DECISION_VAR }),
            // What the assignee fills in at this step joins the application's data, for later conditions.
            ...(step.fields ?? []).map((f) => model.create('zeebe:Output', { source: `=${f.id}`, target: f.id })),
            ...(step.returnTo ? [model.create('zeebe:Output', { source: `=${REVIEW_RETURN_TO_KEY}`, target: returnToVar(step.id) })] : []),
          ],
        }),
      ]),
    });
    timer(scope, task, `${step.id}_overdue`, `超过办理时限（${deadlineLabel(step)}）`, days, `超期，提醒办理人（${step.name.zh}）`);
    if (hasReminder(step)) {
      const name = hasHoursDeadline(step) ? (step.reminder !== undefined ? `到期前 ${step.reminder} 个工作日或时限过半` : '时限过半') : `到期前 ${step.reminder} 个工作日`;
      timer(scope, task, `${step.id}_reminder`, name, step.deadlineWhen || hasHoursDeadline(step) ? deadlineDuration(step, conditionFields, definition.type === 'appointment', step.reminder ?? 0, true) : calendarDays(Number(step.deadline) - step.reminder!), `到期提醒（${step.name.zh}）`);
    }
    return task;
  };

  /**
   * Before a task whose candidate group reads the applicant or the form: a gateway that checks the value
   * is there. Without it the group would be `group@null`, an incident nobody can read; with it the
   * instance ends in an uncaught error end event named as the interpreter's `unassigned` outcome
   * (e.g. 无法分派：申请人没有“class”属性), which Zeebe raises as an incident for the IT office.
   */
  const assignable = (scope: Scope, step: RuntimeStep, exit: Exit): Exit => {
    const reference = assignmentReference(step);
    if (!reference) return exit;
    const gateway = add(scope, 'bpmn:ExclusiveGateway', { id: `Gateway_${step.id}_assignable`, name: `${step.name.zh}：能否分派？` });
    connect(scope, exit, gateway);
    const end = endEvent(scope, `EndEvent_${step.id}_unassigned`, unassignedMessage(definition, step.fallback ?? reference).zh, { error: UNASSIGNED_ERROR_CODE, name: '无法分派' });
    connect(scope, { from: gateway, name: '缺少数据', isDefault: true, tag: 'unassigned' }, end);
    const value = reference.startsWith('form.') ? reference.slice('form.'.length) : reference;
    // Routing (docs/routing.md): with a fallback, either value will do.
    if (step.fallback !== undefined) return { from: gateway, name: '可以分派', condition: `=(${hasValueFeel(reference)}) or (${hasValueFeel(step.fallback)})`, tag: 'assignable' };
    return { from: gateway, name: '可以分派', condition: `=${value} != null and string(${value}) != ""`, tag: 'assignable' };
  };

  /** A step: its task, and unless it can only approve, an exclusive gateway routing its decision. */
  const compileStep = (scope: Scope, step: RuntimeStep, exit: Exit): Exit => {
    // System steps (issue 15.3): a service task for the connector's worker (./system-step.ts).
    if (step.system) {
      const task = add(scope, 'bpmn:ServiceTask', systemServiceTask(model, step, conditionFields, definition.type === 'appointment', (values) => ext(model, values)));
      connect(scope, exit, task);
      return { from: task };
    }
    const decides = decisionsOf(step).some((a) => a !== 'approve');
    if (!decides && !returnTargets.has(step.id)) {
      const task = approvalTask(scope, step);
      connect(scope, assignable(scope, step, exit), task);
      return { from: task };
    }
    const variable = decisionVar(step.id);
    const enter = add(scope, 'bpmn:ExclusiveGateway', { id: `Gateway_${step.id}_enter`, name: `${step.name.zh}（办理）` });
    connect(scope, exit, enter);
    enters.set(step.id, enter);
    const task = approvalTask(scope, step);
    connect(scope, assignable(scope, step, { from: enter }), task);
    const decision = add(scope, 'bpmn:ExclusiveGateway', { id: `Gateway_${step.id}_decision`, name: `${step.name.zh}：决定？` });
    connect(scope, { from: task }, decision);
    const when = (action: string) => `=${variable} = ${feelString(action)}`;
    if (step.actions.includes('reject') && scope.vote) scope.vote(step, { from: decision, name: ACTION_LABEL.reject, condition: when('reject'), tag: 'reject' });
    else if (step.actions.includes('reject')) {
      const end = scope.countersign
        ? endEvent(scope, `EndEvent_${step.id}_rejected`, `${step.name.zh}不同意`, { error: REJECT_ERROR_CODE, name: '不同意' })
        : endEvent(scope, `EndEvent_${step.id}_rejected`, `不同意，办结（${step.name.zh}）`);
      connect(scope, { from: decision, name: ACTION_LABEL.reject, condition: when('reject'), tag: 'reject' }, end);
    }
    if (step.actions.includes('return')) {
      // Return to a chosen step (return-to.ts): a loop back to each target's entry, or out of the countersign to it.
      for (const target of step.returnTo ?? []) {
        const back: Exit = { from: decision, name: `退回到${stepName(target)}`, condition: returnToCondition(step, variable, target), tag: `return_${target}` };
        const member = scope.inTurn?.get(target);
        if (member && enters.has(target)) {
          // 依次审批: back to an earlier member's entry, inside the sub-process; the members after it act again.
          // A member with `when` that did not take part is no target: the choice is refused and the task opens again.
          connect(scope, member.when === undefined ? back : { ...back, condition: `${back.condition} and ${joinedVar(target)} = true` }, enters.get(target)!);
        } else if (scope.countersign) {
          scope.returnsTo?.add(target);
          connect(scope, back, endEvent(scope, `EndEvent_${step.id}_return_${target}`, `${step.name.zh}退回到${stepName(target)}`, { error: returnToErrorCode(target), name: `退回到${stepName(target)}` }));
        } else if (enters.has(target)) connect(scope, back, enters.get(target)!);
      }
      const toApplicant = step.returnTo ? returnToApplicantCondition(step, variable) : when('return');
      if (scope.countersign && !scope.reopen) {
        const end = endEvent(scope, `EndEvent_${step.id}_returned`, `${step.name.zh}退回`, { error: RETURN_ERROR_CODE, name: '退回修改' });
        connect(scope, { from: decision, name: ACTION_LABEL.return, condition: toApplicant, tag: 'return' }, end);
      } else {
        // A countersign member of `returnReopens: member` loops in its own branch: the other members' decisions stand.
        const revise = reviseTask(scope, step.id, step.name.zh);
        connect(scope, { from: decision, name: ACTION_LABEL.return, condition: toApplicant, tag: 'return' }, revise);
        connect(scope, { from: revise }, enter);
      }
    }
    // Approval is never implied: a completion without an allowed decision, or an approval without the
    // step's required fields (required to approve only, as in the interpreter), opens the task again.
    connect(scope, { from: decision, name: '无有效操作，重新办理', isDefault: true, tag: 'invalid' }, enter);
    const filled = (step.fields ?? []).filter((f) => f.required).map(filledCheck);
    return { from: decision, name: ACTION_LABEL.approve, condition: [when('approve'), ...filled].join(' and '), tag: 'approve' };
  };

  /** A branch: a split on `(condition) = true` (null counts as false, as in the interpreter) and a join. */
  const compileBranch = (scope: Scope, branch: RuntimeBranch, exit: Exit): Exit => {
    const split = add(scope, 'bpmn:ExclusiveGateway', { id: `Gateway_${branch.id}`, name: branch.name.zh });
    connect(scope, exit, split);
    const join = add(scope, 'bpmn:ExclusiveGateway', { id: `Gateway_${branch.id}_join`, name: `${branch.name.zh}（合并）` });
    const condition = zeebeTypedCondition(branch.condition, conditionFields, definition.type === 'appointment');
    connect(scope, compileSequence(scope, branch.then, { from: split, name: '是', condition: `=(${condition}) = true`, tag: 'then' }), join);
    connect(scope, compileSequence(scope, branch.else, { from: split, name: '否', isDefault: true, tag: 'else' }), join);
    return { from: join };
  };

  /**
   * A countersign: an embedded sub-process with a parallel split. `all` joins the approvals; `any` (或签)
   * ends the sub-process with a terminate end event at the first approval, which cancels the other
   * tasks. A reject or a return anywhere throws an error that interrupts the whole sub-process: reject
   * ends the application, return sends it to the applicant and then restarts the whole countersign.
   */
  const compileParallel = (scope: Scope, node: RuntimeParallel, exit: Exit): Exit => {
    // 依次审批 (countersign.ts): the members chained in order; a return loops at the returning member, as in `returnReopens: member`.
    const inTurn = node.mode === 'sequence';
    const reopen = inTurn || node.returnReopens === 'member';
    const returns = !reopen && node.steps.some((s) => s.actions.includes('return'));
    const rejects = node.steps.some((s) => s.actions.includes('reject'));
    let entry = exit;
    let enter: BpmnElement | undefined;
    if (returns) {
      enter = add(scope, 'bpmn:ExclusiveGateway', { id: `Gateway_${node.id}_enter`, name: `${node.name.zh}（办理）` });
      connect(scope, exit, enter);
      entry = { from: enter };
    }
    const mode = inTurn ? '依次审批' : node.mode === 'all' ? '会签：全部同意' : '或签：任一人办理';
    // A 依次审批 named as one (教材选用依次审批) is not told so twice.
    const name = inTurn && node.name.zh.includes(mode) ? node.name.zh : `${node.name.zh}（${node.atLeast !== undefined && node.mode === 'all' ? `会签：${node.atLeast} 人同意即通过` : mode}）`;
    const sub = add(scope, 'bpmn:SubProcess', { id: `SubProcess_${node.id}`, name, flowElements: [], ...countersignInputs(node) });
    connect(scope, entry, sub);
    const inner: Scope = { owner: sub, countersign: true, reopen, returnsTo: new Set() };
    const start = add(inner, 'bpmn:StartEvent', { id: `StartEvent_${node.id}`, name: '开始' });
    const split = inTurn ? undefined : add(inner, 'bpmn:ParallelGateway', { id: `Gateway_${node.id}_split`, name: '同时办理' });
    if (split) connect(inner, { from: start }, split);
    if (!split) {
      compileInTurn({ ...inner, inTurn: new Map(node.steps.map((step) => [step.id, step])) }, node, start);
    } else if (usesCountersignVariants(node)) {
      compileCountersignVariants(inner, node, split);
    } else if (node.mode === 'all') {
      const join = add(inner, 'bpmn:ParallelGateway', { id: `Gateway_${node.id}_join`, name: '全部同意' });
      for (const step of node.steps) connect(inner, compileStep(inner, step, { from: split }), join);
      connect(inner, { from: join }, endEvent(inner, `EndEvent_${node.id}_approved`, '会签通过'));
    } else {
      for (const step of node.steps) connect(inner, compileStep(inner, step, { from: split }), endEvent(inner, `EndEvent_${step.id}_approved`, `${step.name.zh}同意，或签结束`, 'terminate'));
    }
    if (rejects) {
      const caught = add(scope, 'bpmn:BoundaryEvent', { id: `Event_${node.id}_rejected`, name: '有人不同意', attachedToRef: sub, cancelActivity: true, eventDefinitions: [model.create('bpmn:ErrorEventDefinition', { id: `Event_${node.id}_rejected_error`, errorRef: errorRef(REJECT_ERROR_CODE, '不同意') })] });
      connect(scope, { from: caught }, endEvent(scope, `EndEvent_${node.id}_rejected`, `不同意，办结（${node.name.zh}）`));
    }
    if (returns) {
      const caught = add(scope, 'bpmn:BoundaryEvent', { id: `Event_${node.id}_returned`, name: '有人退回', attachedToRef: sub, cancelActivity: true, eventDefinitions: [model.create('bpmn:ErrorEventDefinition', { id: `Event_${node.id}_returned_error`, errorRef: errorRef(RETURN_ERROR_CODE, '退回修改') })] });
      const revise = reviseTask(scope, node.id, node.name.zh);
      connect(scope, { from: caught }, revise);
      connect(scope, { from: revise }, enter!);
    }
    // A member's return to a step before the countersign (return-to.ts): caught per target, back to its entry.
    for (const target of inner.returnsTo ?? []) {
      const caught = add(scope, 'bpmn:BoundaryEvent', { id: `Event_${node.id}_return_${target}`, name: `退回到${stepName(target)}`, attachedToRef: sub, cancelActivity: true, eventDefinitions: [model.create('bpmn:ErrorEventDefinition', { id: `Event_${node.id}_return_${target}_error`, errorRef: errorRef(returnToErrorCode(target), `退回到${stepName(target)}`) })] });
      if (enters.has(target)) connect(scope, { from: caught, tag: `return_${target}` }, enters.get(target)!);
    }
    return { from: sub };
  };

  /**
   * Countersign variants (docs/countersign.md). A member with `when` sits behind an exclusive gateway
   * whose default skips it (to the join, or to a plain end event). An n-of-m countersign has no join:
   * each approval checks the count and, when enough approved, ends the sub-process with a terminate end
   * event (withdrawing the other tasks); each rejection checks whether n can still be reached and
   * otherwise throws the reject error. Votes are counted over sub-process variables (countersign.ts).
   */
  const countersignInputs = (node: RuntimeParallel): { extensionElements?: BpmnElement } => {
    const inTurn = node.mode === 'sequence';
    if (!countsApprovals(node) && !(inTurn && node.steps.some((step) => step.when !== undefined))) return {};
    const inputs = node.steps.flatMap((step) => [
      ...(inTurn ? [] : [model.create('zeebe:Input', { source: '=null', target: decisionVar(step.id) })]),
      ...(step.when !== undefined ? [model.create('zeebe:Input', { source: `=(${zeebeTypedCondition(step.when, conditionFields, definition.type === 'appointment')}) = true`, target: joinedVar(step.id) })] : []),
    ]);
    return { extensionElements: ext(model, [model.create('zeebe:IoMapping', { inputParameters: inputs })]) };
  };

  /**
   * 依次审批: start → each member in the order listed → end, no split. A member with `when` (judged as the
   * sub-process starts, `joined_<step>`) sits between an exclusive gateway whose default skips it and a
   * merge after it. A reject throws `servicehall-reject`; a return loops to the returning member's entry.
   */
  const compileInTurn = (inner: Scope, node: RuntimeParallel, start: BpmnElement): void => {
    let current: Exit = { from: start };
    for (const step of node.steps) {
      if (step.when === undefined) {
        current = compileStep(inner, step, current);
        continue;
      }
      const gateway = add(inner, 'bpmn:ExclusiveGateway', { id: `Gateway_${step.id}_when`, name: `${step.name.zh}：是否参加？` });
      connect(inner, current, gateway);
      const merge = add(inner, 'bpmn:ExclusiveGateway', { id: `Gateway_${step.id}_merge`, name: `${step.name.zh}（合并）` });
      connect(inner, compileStep(inner, step, { from: gateway, name: '参加', condition: `=${joinedVar(step.id)} = true`, tag: 'when' }), merge);
      connect(inner, { from: gateway, name: '不参加', isDefault: true, tag: 'skip' }, merge);
      current = { from: merge };
    }
    connect(inner, current, endEvent(inner, `EndEvent_${node.id}_approved`, '依次审批通过'));
  };

  const compileCountersignVariants = (inner: Scope, node: RuntimeParallel, split: BpmnElement): void => {
    const counted = countsApprovals(node);
    const join = node.mode === 'all' && !counted ? add(inner, 'bpmn:ParallelGateway', { id: `Gateway_${node.id}_join`, name: '全部同意' }) : undefined;
    const vote = (step: RuntimeStep, exit: Exit) => {
      const check = add(inner, 'bpmn:ExclusiveGateway', { id: `Gateway_${step.id}_rejects`, name: `${step.name.zh}不同意：会签还能通过？` });
      connect(inner, exit, check);
      connect(inner, { from: check, name: '不能通过', condition: failedCondition(node), tag: 'failed' }, endEvent(inner, `EndEvent_${step.id}_rejected`, `${step.name.zh}不同意，会签不通过`, { error: REJECT_ERROR_CODE, name: '不同意' }));
      connect(inner, { from: check, name: '还能通过', isDefault: true, tag: 'open' }, endEvent(inner, `EndEvent_${step.id}_vote_reject`, `${step.name.zh}不同意（计票）`));
    };
    const scope: Scope = counted ? { ...inner, vote } : inner;
    for (const step of node.steps) {
      let entry: Exit = { from: split };
      if (step.when !== undefined) {
        const gateway = add(inner, 'bpmn:ExclusiveGateway', { id: `Gateway_${step.id}_when`, name: `${step.name.zh}：是否参加？` });
        connect(inner, entry, gateway);
        const condition = counted ? `${joinedVar(step.id)} = true` : `(${zeebeTypedCondition(step.when, conditionFields, definition.type === 'appointment')}) = true`;
        entry = { from: gateway, name: '参加', condition: `=${condition}`, tag: 'when' };
        const skip: Exit = { from: gateway, name: '不参加', isDefault: true, tag: 'skip' };
        connect(inner, skip, join ?? endEvent(inner, `EndEvent_${step.id}_skipped`, `${step.name.zh}不参加`));
      }
      const approved = compileStep(scope, step, entry);
      if (join) connect(inner, approved, join);
      else if (counted) {
        const check = add(inner, 'bpmn:ExclusiveGateway', { id: `Gateway_${step.id}_approvals`, name: node.atLeast === undefined ? `${step.name.zh}同意：全部同意？` : `${step.name.zh}同意：已够 ${node.atLeast} 人？` });
        connect(inner, approved, check);
        connect(inner, { from: check, name: '已够', condition: passedCondition(node), tag: 'passed' }, endEvent(inner, `EndEvent_${step.id}_approved`, `${step.name.zh}同意，会签通过`, 'terminate'));
        connect(inner, { from: check, name: '还不够', isDefault: true, tag: 'open' }, endEvent(inner, `EndEvent_${step.id}_vote_approve`, `${step.name.zh}同意（计票）`));
      } else connect(inner, approved, endEvent(inner, `EndEvent_${step.id}_approved`, `${step.name.zh}同意，或签结束`, 'terminate'));
    }
    if (join) connect(inner, { from: join }, endEvent(inner, `EndEvent_${node.id}_approved`, '会签通过'));
  };

  /**
   * An applicant step (issue 15.1, docs/camunda.md): a user task assigned to the applicant, with the step's
   * own form and a non-interrupting overdue timer. Completing it is its one decision; its fields join the data.
   */
  const compileApplicantStep = (scope: Scope, step: RuntimeApplicantStep, exit: Exit): Exit => {
    const days = calendarDays(step.deadline);
    const task = add(scope, 'bpmn:UserTask', {
      id: `Task_${step.id}`,
      name: step.name.zh,
      documentation: [doc(model, `申请人本人办理；时限 ${step.deadline} 个工作日${step.dueAfter !== undefined ? `（从表单“${step.dueAfter}”之后起算，大厅按此计算；Camunda 的计时器从任务开始起算）` : ''}。`)],
      extensionElements: ext(model, [
        model.create('zeebe:UserTask'),
        model.create('zeebe:AssignmentDefinition', { assignee: `=${APPLICANT_USER_VAR}` }),
        model.create('zeebe:FormDefinition', { formId: `${base}-${reviewForm(step.id)}` }),
        model.create('zeebe:TaskSchedule', { dueDate: `=now() + duration("P${days}D")` }),
        ...(step.fields?.length ? [model.create('zeebe:IoMapping', { outputParameters: step.fields.map((f) => model.create('zeebe:Output', { source: `=${f.id}`, target: f.id })) })] : []),
      ]),
    });
    connect(scope, exit, task);
    timer(scope, task, `${step.id}_overdue`, `超过完成期限（${step.deadline} 个工作日）`, days, `超期，提醒申请人（${step.name.zh}）`);
    return { from: task };
  };

  /** A publicity period (./publicity.ts): events and an event-based gateway; the branch after it reads the variable. */
  const messages: BpmnElement[] = [];
  const compilePublicity = (scope: Scope, node: RuntimePublicity, exit: Exit): Exit => {
    const ids = publicityIds(node.id);
    const output = (pairs: [string, string][]) => ext(model, [model.create('zeebe:IoMapping', { outputParameters: pairs.map(([source, target]) => model.create('zeebe:Output', { source, target })) })]);
    const published = add(scope, 'bpmn:IntermediateThrowEvent', {
      id: ids.published,
      name: `${node.name.zh}开始（${node.days} 个工作日）`,
      documentation: [doc(model, `公示 ${node.days} 个工作日（Camunda 按 ${periodDuration(node)} 计时）；期内学校的集成以消息 ${OBJECTION_MESSAGE}-${node.id}（关联键 ${APPLICATION_ID_VAR}）转来每条异议；期满时 ${node.variable} 为是否有异议。`)],
      extensionElements: output([['=false', node.variable], [`=string(now() + duration("${periodDuration(node)}"))`, endsVar(node)]]),
    });
    connect(scope, exit, published);
    const open = add(scope, 'bpmn:ExclusiveGateway', { id: ids.open, name: `${node.name.zh}中` });
    connect(scope, { from: published }, open);
    const wait = add(scope, 'bpmn:EventBasedGateway', { id: ids.wait, name: '异议或期满' });
    connect(scope, { from: open }, wait);
    const message = model.create('bpmn:Message', { id: ids.message, name: `${OBJECTION_MESSAGE}-${node.id}`, extensionElements: ext(model, [model.create('zeebe:Subscription', { correlationKey: `=${APPLICATION_ID_VAR}` })]) });
    messages.push(message);
    const objection = add(scope, 'bpmn:IntermediateCatchEvent', {
      id: ids.objection,
      name: '收到异议',
      eventDefinitions: [model.create('bpmn:MessageEventDefinition', { id: `${ids.objection}_message`, messageRef: message })],
      extensionElements: output([['=true', node.variable]]),
    });
    connect(scope, { from: wait }, objection);
    connect(scope, { from: objection }, open);
    const ended = add(scope, 'bpmn:IntermediateCatchEvent', {
      id: ids.ended,
      name: '公示期满',
      eventDefinitions: [model.create('bpmn:TimerEventDefinition', { id: `${ids.ended}_timer`, timeDate: model.create('bpmn:FormalExpression', { body: `=${endsVar(node)}` }) })],
    });
    connect(scope, { from: wait }, ended);
    return { from: ended };
  };

  /** A payment step (./payment.ts): the order's service task, a receive task for the confirmation, an interrupting timer. */
  const compilePayment = (scope: Scope, node: RuntimePayment, exit: Exit): Exit => {
    const ids = paymentIds(node.id);
    const output = (pairs: [string, string][]) => model.create('zeebe:IoMapping', { outputParameters: pairs.map(([source, target]) => model.create('zeebe:Output', { source, target })) });
    const amount = add(scope, 'bpmn:IntermediateThrowEvent', {
      id: ids.amount,
      name: `${node.name.zh}：计算应缴金额`,
      documentation: [doc(model, `按收费项目和表单计算应缴金额（分），写入 ${amountVar(node)}。`)],
      extensionElements: ext(model, [output([[`=${feeFeel(definition.fees, conditionFields, definition.type === 'appointment')}`, amountVar(node)]])]),
    });
    connect(scope, exit, amount);
    const owed = add(scope, 'bpmn:ExclusiveGateway', { id: ids.owed, name: `${node.name.zh}：需要缴费？` });
    connect(scope, { from: amount }, owed);
    const settled = add(scope, 'bpmn:ExclusiveGateway', { id: ids.settled, name: `${node.name.zh}（合并）` });
    const free = add(scope, 'bpmn:IntermediateThrowEvent', { id: ids.free, name: '无需缴费', extensionElements: ext(model, [output([['=true', node.variable]])]) });
    connect(scope, { from: owed, name: '无应缴金额', isDefault: true, tag: 'free' }, free);
    connect(scope, { from: free }, settled);
    const order = add(scope, 'bpmn:ServiceTask', {
      id: ids.order,
      name: `${node.name.zh}：下单`,
      documentation: [doc(model, `在统一支付平台（接口 ${node.connector}）为本申请下单，订单号为“申请标识.${node.id}”，金额为 ${amountVar(node)}（分）。`)],
      extensionElements: ext(model, [
        model.create('zeebe:TaskDefinition', { type: paymentJobType(node.connector), retries: '6' }),
        model.create('zeebe:TaskHeaders', {
          values: [
            model.create('zeebe:Header', { key: 'connector', value: node.connector }),
            ...(node.path !== undefined ? [model.create('zeebe:Header', { key: 'path', value: node.path })] : []),
            model.create('zeebe:Header', { key: 'step', value: node.id }),
          ],
        }),
      ]),
    });
    connect(scope, { from: owed, name: '需要缴费', condition: `=(${amountVar(node)} > 0) = true`, tag: 'owed' }, order);
    const message = model.create('bpmn:Message', { id: ids.message, name: `${PAYMENT_MESSAGE}-${node.id}`, extensionElements: ext(model, [model.create('zeebe:Subscription', { correlationKey: `=${APPLICATION_ID_VAR}` })]) });
    messages.push(message);
    const wait = add(scope, 'bpmn:ReceiveTask', {
      id: ids.wait,
      name: `${node.name.zh}（等待缴费确认）`,
      documentation: [doc(model, `缴费期限 ${node.days} 个工作日（Camunda 按 ${paymentDuration(node)} 计时）；统一支付平台确认到账后，学校的集成以消息 ${PAYMENT_MESSAGE}-${node.id}（关联键 ${APPLICATION_ID_VAR}）通知；${node.variable} 为是否已缴费。`)],
      messageRef: message,
      extensionElements: ext(model, [output([['=true', node.variable]])]),
    });
    connect(scope, { from: order }, wait);
    const timeout = add(scope, 'bpmn:BoundaryEvent', {
      id: ids.timeout,
      name: `缴费期满（${node.days} 个工作日）`,
      attachedToRef: wait,
      cancelActivity: true,
      eventDefinitions: [model.create('bpmn:TimerEventDefinition', { id: `${ids.timeout}_timer`, timeDuration: model.create('bpmn:FormalExpression', { body: paymentDuration(node) }) })],
    });
    const unpaid = add(scope, 'bpmn:IntermediateThrowEvent', { id: ids.unpaid, name: '逾期未缴费', extensionElements: ext(model, [output([['=false', node.variable]])]) });
    connect(scope, { from: timeout }, unpaid);
    connect(scope, { from: wait }, settled);
    if (node.whenUnpaid === 'end') connect(scope, { from: unpaid }, endEvent(scope, ids.end, `未缴费，办结（${node.name.zh}）`));
    else connect(scope, { from: unpaid }, settled);
    return { from: settled };
  };

  const compileSequence = (scope: Scope, nodes: RuntimeNode[], exit: Exit): Exit => {
    let current = exit;
    for (const node of nodes) {
      if (node.kind === 'step') current = compileStep(scope, node, current);
      else if (node.kind === 'applicant') current = compileApplicantStep(scope, node, current);
      else if (node.kind === 'publicity') current = compilePublicity(scope, node, current);
      else if (node.kind === 'payment') current = compilePayment(scope, node, current);
      else if (node.kind === 'branch') current = compileBranch(scope, node, current);
      else current = compileParallel(scope, node, current);
    }
    return current;
  };

  const start = add(root, 'bpmn:StartEvent', {
    id: 'StartEvent_submitted',
    name: '提交申请',
    extensionElements: ext(model, [model.create('zeebe:FormDefinition', { formId: `${base}-${APPLY_FORM}` })]),
  });
  const last = compileSequence(root, definition.workflow?.steps ?? [], { from: start });
  connect(root, last, endEvent(root, 'EndEvent_approved', '同意，办结'));

  const definitions = model.create('bpmn:Definitions', {
    id: `Definitions_${definition.id}_v${definition.version}`,
    targetNamespace: 'https://servicehall.dev/bpmn',
    exporter: 'servicehall',
    exporterVersion: '1',
    rootElements: [...[...errors.values()].sort((a, b) => (a.id! < b.id! ? -1 : 1)), ...messages, process],
  });
  definitions.$attrs['xmlns:modeler'] = 'http://camunda.org/schema/modeler/1.0';
  definitions.$attrs['modeler:executionPlatform'] = 'Camunda Cloud';
  definitions.$attrs['modeler:executionPlatformVersion'] = EXECUTION_PLATFORM_VERSION;
  return { definitions, conditions };
}

/** A sequence flow's id: its source and target, and a tag telling flows between the same two elements apart. */
export function flowId(from: string, to: string, tag?: string): string {
  return `Flow_${from}__${to}${tag ? `_${tag}` : ''}`;
}

/** FEEL that is true when a required step field has a value (or is hidden), false otherwise, never null. */
function filledCheck(field: RuntimeField): string {
  const name = field.id;
  const present = ['file', 'multichoice', 'table'].includes(field.type)
    ? `(${name} != null and count(${name}) > 0)`
    : ['number', 'money', 'boolean', 'daterange'].includes(field.type)
      ? `${name} != null`
      : `(${name} != null and ${name} != "")`;
  return field.visibleIf ? `(not((${field.visibleIf}) = true) or ${present})` : present;
}

function ext(model: BpmnFactory, values: BpmnElement[]): BpmnElement {
  return model.create('bpmn:ExtensionElements', { values });
}

function doc(model: BpmnFactory, text: string): BpmnElement {
  return model.create('bpmn:Documentation', { text });
}
