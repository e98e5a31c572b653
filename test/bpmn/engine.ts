import { EventEmitter } from 'node:events';
import { decisionsThatComplete } from '../../lib/interpret/actions.ts';
import { Engine } from 'bpmn-engine';
import { Environment, Timers } from 'bpmn-elements';
import { evaluate } from 'feelin';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import type { Decision } from '../../lib/interpret/interpret.ts';
import { APPLICANT_USER_VAR, REVIEW_COMMENT_KEY, REVIEW_DECISION_KEY, UNASSIGNED_ERROR_CODE } from '../../cli/bpmn/names.ts';
import { REVIEW_RETURN_TO_KEY } from '../../cli/bpmn/return-to.ts';

/** What a run on bpmn-engine produced, in the reference interpreter's terms. */
export interface EngineRun {
  outcome: 'approved' | 'rejected' | 'unpaid' | 'pending' | 'error' | 'unassigned';
  /** Step ids in the order their tasks were completed. */
  path: string[];
  /** Step id → candidate group of its latest task (`group@scope` or `group`). */
  assignees: Record<string, string>;
  /** Tasks waiting when the run stopped. */
  waiting: string[];
  problem?: string;
  /** Boundary timers the process armed (ISO durations), in order. */
  timers: string[];
  /** End events reached, in order. */
  ends: string[];
  /** The step that could not be assigned and the name of the end event it reached (outcome `unassigned`). */
  incident?: { step: string; message: string };
}

export interface EngineInput {
  applicant: Record<string, unknown>;
  data: Record<string, unknown>;
  decisions: Decision[];
  /** For appointments: the booked resource, date and slot (the process variable `booking`). */
  booking?: { resource: string; date: string; slot: string };
  /** Fire every armed timer before each decision (to prove deadlines do not change the outcome). */
  fireTimers?: boolean;
}

type Values = Record<string, unknown>;
interface ExtensionValue { $type: string; [key: string]: any }

/**
 * FEEL for `=`-prefixed expressions, the engine's default handler for everything else (e.g. `P2D`). A timer's
 * expression is resolved with its message, which carries no environment: it reads the process's variables.
 */
const defaults = new Environment().expressions;
const expressionsOver = (processVariables: () => Values) => ({
  ...defaults,
  resolveExpression(expression: unknown, context: any, fnContext?: unknown) {
    if (typeof expression === 'string' && expression.startsWith('=')) return feel(expression, context?.environment?.variables ?? processVariables());
    return defaults.resolveExpression(expression as string, context, fnContext);
  },
});

function feel(expression: string, variables: Values): unknown {
  return evaluate(expression.slice(1), variables).value;
}

/** The zeebe:* extension elements of an activity. */
function zeebeValues(activity: any): ExtensionValue[] {
  return (activity.behaviour?.extensionElements?.values ?? []) as ExtensionValue[];
}

/**
 * Zeebe's variable handling on user task completion, which bpmn-engine does not know: with output
 * mappings only the mapped variables reach the process (sources evaluated with FEEL over the task's
 * variables), without them every completion variable does. Variables are kept on the process
 * environment, as Zeebe keeps them on the root scope when no lower scope defines them.
 */
function zeebeVariables(processEnvironment: () => any) {
  return (activity: any, context: any) => {
    if (activity.type === 'bpmn:SubProcess') return subProcessInputs(activity, context, processEnvironment);
    if (activity.type === 'bpmn:IntermediateThrowEvent' || activity.type === 'bpmn:IntermediateCatchEvent' || activity.type === 'bpmn:ReceiveTask') return eventOutputs(activity, context, processEnvironment);
    if (activity.type !== 'bpmn:UserTask') return { activate() {}, deactivate() {} };
    return {
      activate() {
        activity.on('end', (api: any) => {
          const root = processEnvironment();
          // A sub-process runs on a copy of the variables: write to it too, so its gateways see them.
          const local = context.environment;
          const output = (api.content.output ?? {}) as Values;
          const io = zeebeValues(activity).find((v) => v.$type === 'zeebe:IoMapping');
          const outputs = (io?.outputParameters ?? []) as { source: string; target: string }[];
          const scope = { ...root.variables, ...local.variables, ...output };
          const values = outputs.length ? Object.fromEntries(outputs.map((o) => [o.target, o.source.startsWith('=') ? feel(o.source, scope) : o.source])) : output;
          root.assignVariables(values);
          if (local !== root) local.assignVariables(values);
        });
      },
      deactivate() {},
    };
  };
}

/**
 * Zeebe's input mappings on a sub-process (the n-of-m countersign's: votes reset, members' `when`),
 * evaluated as it is entered. Zeebe makes them variables of the sub-process's own scope; here they go
 * to the process environment, which the sub-process's copy is taken from, so every round starts afresh.
 */
function subProcessInputs(activity: any, context: any, processEnvironment: () => any) {
  const io = zeebeValues(activity).find((v) => v.$type === 'zeebe:IoMapping');
  const inputs = (io?.inputParameters ?? []) as { source: string; target: string }[];
  return {
    activate() {
      if (!inputs.length) return;
      activity.on('enter', () => {
        const root = processEnvironment();
        const scope = { ...root.variables, ...context.environment.variables };
        const values = Object.fromEntries(inputs.map((i) => [i.target, i.source.startsWith('=') ? feel(i.source, scope) : i.source]));
        root.assignVariables(values);
        if (context.environment !== root) context.environment.assignVariables(values);
      });
    },
    deactivate() {},
  };
}

/** Zeebe's output mappings on intermediate events (a publicity period's: whether anyone objected, when it ends), applied as they end. */
function eventOutputs(activity: any, context: any, processEnvironment: () => any) {
  const io = zeebeValues(activity).find((v) => v.$type === 'zeebe:IoMapping');
  const outputs = (io?.outputParameters ?? []) as { source: string; target: string }[];
  return {
    activate() {
      if (!outputs.length) return;
      activity.on('end', () => {
        const root = processEnvironment();
        const scope = { ...root.variables, ...context.environment.variables };
        const values = Object.fromEntries(outputs.map((o) => [o.target, o.source.startsWith('=') ? feel(o.source, scope) : o.source]));
        root.assignVariables(values);
        if (context.environment !== root) context.environment.assignVariables(values);
      });
    },
    deactivate() {},
  };
}

/** Candidate groups as Zeebe computes them: a comma-separated list, or a FEEL list of strings. */
function candidateGroupsOf(activity: any, variables: Values): string[] | undefined {
  const assignment = zeebeValues(activity).find((v) => v.$type === 'zeebe:AssignmentDefinition');
  const groups = assignment?.candidateGroups as string | undefined;
  if (groups === undefined) return undefined;
  if (!groups.startsWith('=')) return groups.split(',').map((g) => g.trim());
  const value = feel(groups, variables);
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new Error(`candidate groups ${groups} did not give a list of strings: ${JSON.stringify(value)}`);
  return value as string[];
}

/** Every user task waiting in the execution, sub-processes included. */
function waitingUserTasks(apis: any[], parent?: string): any[] {
  const out: any[] = [];
  for (const api of apis) {
    if (api.id === parent) continue;
    if (api.type === 'bpmn:UserTask') out.push(api);
    if (api.type === 'bpmn:SubProcess') out.push(...waitingUserTasks(api.getPostponed(), api.id));
  }
  return out;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Run one scenario on bpmn-engine: start the process with the form data and the applicant, then
 * complete the waiting user tasks in the scenario's decision order, the applicant's revision tasks
 * with the data the returning decision carries. Timers are recorded, not run (unless `fireTimers`).
 */
export async function runOnEngine(xml: string, input: EngineInput): Promise<EngineRun> {
  const run: EngineRun = { outcome: 'pending', path: [], assignees: {}, waiting: [], timers: [], ends: [] };
  const armed = new Map<number, () => void>();
  let nextTimer = 1;
  const timers = new Timers({
    setTimeout: ((callback: (...args: unknown[]) => void, _delay: number, ...args: unknown[]) => {
      const ref = nextTimer++;
      armed.set(ref, () => callback(...args));
      return ref;
    }) as unknown as typeof setTimeout,
    clearTimeout: ((ref: number) => armed.delete(ref)) as unknown as typeof clearTimeout,
  });
  let engineRef: any;
  const processEnvironment = () => engineRef.execution.definitions[0].getProcesses()[0].environment;
  // System steps (issue 15.3) are service tasks whose job a connector worker completes: here the call succeeds at once.
  const expressions = expressionsOver(() => processEnvironment().variables);
  const engine = new Engine({ name: 'servicehall', source: xml, moddleOptions: { zeebe }, expressions, timers, settings: { enableDummyService: true }, extensions: { zeebe: zeebeVariables(processEnvironment) } });
  engineRef = engine;
  const listener = new EventEmitter();
  listener.on('activity.timer', (api: any) => run.timers.push(String(api.content?.timeDuration ?? api.content?.expireAt ?? '')));
  listener.on('activity.end', (api: any) => {
    if (api.type === 'bpmn:EndEvent') run.ends.push(api.id);
    // A system step's completion is on the path, as the interpreter's is; so is a publicity period's end.
    if (api.type === 'bpmn:ServiceTask' && !/_order$/.test(api.id)) run.path.push(api.id.replace(/^Task_/, ''));
    // A payment step (issue 15.9b) is on the path once settled: paid (its receive task), unpaid (its timer) or nothing owed.
    if (api.type === 'bpmn:ReceiveTask') run.path.push(api.id.replace(/^Task_/, ''));
    const settled = /^Event_(.+)_(unpaid|free)$/.exec(api.id);
    if (settled) run.path.push(settled[1]);
    const ended = /^Event_(.+)_ended$/.exec(api.id);
    if (ended) run.path.push(ended[1]);
  });
  // An error end event ends with its event definition's type; the unassigned one is never caught.
  listener.on('activity.throw', (api: any) => {
    const unassigned = /^EndEvent_(.+)_unassigned$/.exec(api.id);
    if (unassigned && api.content?.message?.code === UNASSIGNED_ERROR_CODE) run.incident ??= { step: unassigned[1], message: String(api.name) };
  });
  let failure: Error | undefined;
  engine.on('error', (error: Error) => (failure = error));
  const ended = engine.waitFor('end').then(() => true, (error: Error) => ((failure = error), true));
  let done = false;
  void ended.then(() => (done = true));

  const variables = {
    ...input.data,
    applicant: input.applicant,
    ...(input.booking ? { booking: input.booking } : {}),
    [APPLICANT_USER_VAR]: String(input.applicant.number ?? input.applicant.name ?? 'applicant'),
  };
  const execution = await engine.execute({ listener, variables });
  // A hand-over (转办, 加签, 委派) reassigns the open user task; only the decision that ends the step completes it.
  const queue = decisionsThatComplete(input.decisions);
  let revise: Values | undefined;
  const seen = new Set<any>();

  for (let guard = 0; guard < 1000; guard++) {
    await settle();
    if (done || failure) break;
    if (input.fireTimers) for (const [ref, fire] of [...armed]) (armed.delete(ref), fire());
    await settle();
    const waiting = waitingUserTasks(execution.getPostponed());
    for (const task of waiting) {
      if (seen.has(task.executionId) || task.id.endsWith('_revise')) continue;
      seen.add(task.executionId);
      const groups = candidateGroupsOf(task.owner, processEnvironment().variables);
      if (groups) {
        if (groups.length !== 1) throw new Error(`${task.id}: expected one candidate group, got ${groups.join(',')}`);
        run.assignees[task.id.replace(/^Task_/, '')] = groups[0];
      }
    }
    // The tasks of a countersign's other members are created (and recorded above) before it stops.
    if (run.incident) break;
    const revision = waiting.find((t) => t.id.endsWith('_revise'));
    if (revision) {
      revision.signal({ ...(revise ?? {}) });
      revise = undefined;
      continue;
    }
    // A publicity period (issue 15.2): an objection is the message, the period's end its timer (the one armed now).
    const objection = execution.getPostponed().find((a: any) => /^Event_.+_objection$/.test(a.id));
    if (!waiting.length && objection) {
      const step = objection.id.replace(/^Event_(.+)_objection$/, '$1');
      if (queue[0]?.step === step && queue[0].action === 'object') {
        queue.shift();
        objection.signal({});
        continue;
      }
      if (queue[0]?.step === step && queue[0].action === 'close') queue.shift();
      for (const [ref, fire] of [...armed]) (armed.delete(ref), fire());
      continue;
    }
    // A payment step (issue 15.9b): the platform's confirmation is the message, the period's end its timer.
    const payment = execution.getPostponed().find((a: any) => a.type === 'bpmn:ReceiveTask');
    if (!waiting.length && payment) {
      const step = payment.id.replace(/^Task_/, '');
      const decision = queue[0]?.step === step ? queue.shift() : undefined;
      if (!decision) {
        run.waiting = [step];
        run.outcome = 'pending';
        engine.stop();
        return run;
      }
      if (decision.action === 'paid') payment.signal({});
      else for (const [ref, fire] of [...armed]) (armed.delete(ref), fire());
      continue;
    }
    if (!waiting.length) {
      run.outcome = 'error';
      run.problem = 'no user task is waiting and the process has not ended';
      break;
    }
    const decision = queue.shift();
    if (!decision) {
      run.waiting = waiting.map((t) => t.id.replace(/^Task_/, ''));
      run.outcome = 'pending';
      engine.stop();
      return run;
    }
    const task = waiting.find((t) => t.id === `Task_${decision.step}`);
    if (!task) {
      run.outcome = 'error';
      run.problem = `a decision for ${decision.step} but the waiting tasks are ${waiting.map((t) => t.id).join(', ')}`;
      engine.stop();
      return run;
    }
    run.path.push(decision.step);
    if (decision.action === 'return') revise = decision.revise ?? {};
    task.signal({ ...(decision.data ?? {}), [REVIEW_DECISION_KEY]: decision.action, [REVIEW_COMMENT_KEY]: decision.comment ?? '', ...(decision.returnTo ? { [REVIEW_RETURN_TO_KEY]: decision.returnTo } : {}) });
  }
  await settle();
  if (run.incident) {
    // Zeebe raises an incident for an uncaught error: the instance stops there, as the interpreter's does.
    run.outcome = 'unassigned';
    if (!done) engine.stop();
    return run;
  }
  if (failure) {
    run.outcome = 'error';
    run.problem = failure.message;
    return run;
  }
  if (!done) {
    if (run.outcome !== 'error') {
      run.outcome = 'error';
      run.problem = 'the process did not end';
    }
    engine.stop();
    return run;
  }
  const terminal = run.ends.filter((id) => id === 'EndEvent_approved' || /_rejected$/.test(id) || /_unpaid$/.test(id));
  const last = terminal.at(-1);
  run.outcome = last === 'EndEvent_approved' ? 'approved' : last && /_unpaid$/.test(last) ? 'unpaid' : last ? 'rejected' : 'error';
  if (queue.length) {
    run.outcome = 'error';
    run.problem = `the process ended with ${queue.length} decision(s) unused`;
  }
  return run;
}
