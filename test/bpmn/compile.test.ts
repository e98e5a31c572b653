import fc from 'fast-check';
import { evaluate } from 'feelin';
import { describe, expect, it } from 'vitest';
import { compileBpmn } from '../../cli/bpmn/compile-bpmn.ts';
import { planBpmn } from '../../cli/bpmn/plan-bpmn.ts';
import { calendarDays } from '../../cli/bpmn/names.ts';
import { compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import { canonicalJson, sha256 } from '../../lib/shared/canonical.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import { runScenario } from '../../lib/interpret/scenarios.ts';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { keptBefore155, loadFlows } from '../helpers/flows.ts';
import { runOnEngine } from './engine.ts';
import { allElements, parseBpmn } from './inspect.ts';

/**
 * The mapping, construct by construct, on the flows fixture (a branch, `parallel: all`, `parallel: any`,
 * returns, scopes from a form field, a fixed department and the university), and the same semantics
 * on bpmn-engine as on the reference interpreter for any sequence of decisions.
 */
const flows = await loadFlows();
// The mapping of a countersign member's return as versions kept from before issue 15.5 have it (see test/bpmn/return-to.test.ts for the new one).
const { calendar, catalog } = flows;
const definition = keptBefore155(flows.definition);
const NAME = '流程测试事项';
const compiled = await compileBpmn(definition, NAME);
const { rootElement, elementsById } = await parseBpmn(compiled.bpmn);
const el = (id: string) => {
  const element = elementsById[id];
  if (!element) throw new Error(`no element ${id}`);
  return element;
};
const ext = (id: string, type: string) => (el(id).extensionElements?.values ?? []).find((v: { $type: string }) => v.$type === type);
const targets = (id: string) => (el(id).outgoing ?? []).map((f: any) => ({ to: f.targetRef.id, condition: f.conditionExpression?.body, isDefault: el(id).default === f, name: f.name }));

const baseData = { amount: 5000, urgent: false, category: '设备', unit: 'dept-a' };
const big = { ...baseData, amount: 200000, urgent: true, urgentReason: '年底结算', unit: 'dept-b' };
const applicant = { name: '赵一', department: 'dept-a', number: 'T001' };

describe('the BPMN mapping', () => {
  it('is byte-identical from build to build', async () => {
    const again = await compileBpmn(structuredClone(definition), NAME);
    expect(again.bpmn).toBe(compiled.bpmn);
    expect([...again.forms]).toEqual([...compiled.forms]);
  });

  it('compiles every kept version from its own definition', async () => {
    const v1 = canonicalJson(definition);
    const changed = structuredClone(definition);
    changed.version = 2;
    (changed.workflow!.steps[0] as { deadline: number }).deadline = 3;
    const v2 = canonicalJson(changed);
    const manifest = {
      services: [{ id: 'flow', name: { zh: NAME }, versions: [{ version: 1, file: 'flow/v1.json', sha256: sha256(v1) }, { version: 2, file: 'flow/v2.json', sha256: sha256(v2) }], current: 2 }],
    } as unknown as RuntimeManifest;
    const files = await planBpmn(new Map([['flow/v1.json', v1], ['flow/v2.json', v2]]), manifest);
    expect(files.get('flow/v1.bpmn')).toBe(compiled.bpmn);
    expect(files.get('flow/v2.bpmn')).toContain('<zeebe:versionTag value="v2" />');
    expect([...files.keys()].filter((f) => f.startsWith('flow/v2/')).sort()).toEqual([...compiled.forms.keys()].map((n) => `flow/v2/${n}.form`).sort());
    expect(JSON.parse(files.get('flow/v2/review-unit-review.form')!).id).toBe('flow-v2-review-unit-review');
  });

  it('is an executable Camunda 8.7 process, versioned, with Chinese names', () => {
    const process = el('flow');
    expect(process.$type).toBe('bpmn:Process');
    expect(process.isExecutable).toBe(true);
    expect(process.name).toBe(NAME);
    expect(ext('flow', 'zeebe:VersionTag').value).toBe('v1');
    expect(rootElement.$attrs['modeler:executionPlatform']).toBe('Camunda Cloud');
    expect(rootElement.$attrs['modeler:executionPlatformVersion']).toBe('8.7.0');
    expect(el('Task_unit-review').name).toBe('使用单位审核');
    expect(el('StartEvent_submitted').name).toBe('提交申请');
    expect(ext('StartEvent_submitted', 'zeebe:FormDefinition').formId).toBe('flow-v1-apply');
  });

  it('makes each step a Camunda user task for its candidate group, with a linked form', () => {
    const groups = Object.fromEntries(['unit-review', 'a-review', 'leader', 'a-quick', 'ops-done'].map((s) => [s, ext(`Task_${s}`, 'zeebe:AssignmentDefinition').candidateGroups]));
    expect(groups).toEqual({
      'unit-review': '=["department-head@" + string(unit)]',
      'a-review': 'office-staff@dept-a',
      leader: 'university-leader',
      'a-quick': 'office-staff@dept-a',
      'ops-done': 'office-staff@ops',
    });
    expect(evaluate(groups['unit-review'].slice(1), { unit: 'dept-b' }).value).toEqual(['department-head@dept-b']);
    expect(ext('Task_unit-review', 'zeebe:UserTask')).toBeDefined();
    expect(ext('Task_unit-review', 'zeebe:FormDefinition').formId).toBe('flow-v1-review-unit-review');
    const outputs = ext('Task_unit-review', 'zeebe:IoMapping').outputParameters.map((o: { source: string; target: string }) => `${o.target}<-${o.source}`);
    expect(outputs.slice(0, 2)).toEqual(['decision_unit_review<-=review_decision', 'comment_unit_review<-=review_comment']);
    expect(ext('Task_unit-review_revise', 'zeebe:AssignmentDefinition').assignee).toBe('=applicant_user_id');
  });

  it('routes a decision by an exclusive gateway: explicit conditions, and a default that never approves', () => {
    expect(targets('Task_unit-review')).toEqual([{ to: 'Gateway_unit-review_decision', condition: undefined, isDefault: false, name: undefined }]);
    expect(targets('Gateway_unit-review_decision')).toEqual([
      { to: 'Gateway_big', condition: '=decision_unit_review = "approve"', isDefault: false, name: '同意' },
      { to: 'EndEvent_unit-review_rejected', condition: '=decision_unit_review = "reject"', isDefault: false, name: '不同意' },
      { to: 'Task_unit-review_revise', condition: '=decision_unit_review = "return"', isDefault: false, name: '退回修改' },
      { to: 'Gateway_unit-review_enter', condition: undefined, isDefault: true, name: '无有效操作，重新办理' },
    ]);
    // A step that can only approve needs no gateway.
    expect(targets('Task_ops-done').map((t: { to: string }) => t.to)).toEqual(['EndEvent_approved']);
  });

  it('sends a return to the applicant and back to the returning step', () => {
    expect(targets('Task_unit-review_revise').map((t: { to: string }) => t.to)).toEqual(['Gateway_unit-review_enter']);
    // Through the check that the applicant's unit is there (issue 11.3): re-entry is checked again.
    expect(targets('Gateway_unit-review_enter').map((t: { to: string }) => t.to)).toEqual(['Gateway_unit-review_assignable']);
    expect(targets('Gateway_unit-review_assignable').map((t: { to: string }) => t.to)).toEqual(['Task_unit-review', 'EndEvent_unit-review_unassigned']);
  });

  it('splits a branch on (condition) = true, so null takes the else path as in the interpreter', () => {
    expect(targets('Gateway_big')).toEqual([
      { to: 'Gateway_joint_enter', condition: '=(amount > 100000) = true', isDefault: false, name: '是' },
      { to: 'SubProcess_either', condition: undefined, isDefault: true, name: '否' },
    ]);
    expect(evaluate('(amount > 100000) = true', {}).value).toBe(false);
  });

  it('runs `parallel: all` in a sub-process that joins approvals and leaves by error on reject or return', () => {
    const sub = el('SubProcess_joint');
    const inner = sub.flowElements.map((e: { id: string; $type: string }) => `${e.$type}:${e.id}`);
    expect(inner).toEqual(expect.arrayContaining(['bpmn:ParallelGateway:Gateway_joint_split', 'bpmn:ParallelGateway:Gateway_joint_join', 'bpmn:UserTask:Task_a-review', 'bpmn:UserTask:Task_b-review']));
    const errorCode = (id: string) => el(id).eventDefinitions[0].errorRef.errorCode;
    expect(errorCode('EndEvent_a-review_rejected')).toBe('servicehall-reject');
    expect(errorCode('EndEvent_a-review_returned')).toBe('servicehall-return');
    expect(el('Event_joint_rejected').attachedToRef.id).toBe('SubProcess_joint');
    expect(errorCode('Event_joint_rejected')).toBe('servicehall-reject');
    expect(targets('Event_joint_returned').map((t: { to: string }) => t.to)).toEqual(['Task_joint_revise']);
    expect(targets('Task_joint_revise').map((t: { to: string }) => t.to)).toEqual(['Gateway_joint_enter']);
  });

  it('runs `parallel: any` (或签) so that the first decision decides: an approval terminates the others', () => {
    const sub = el('SubProcess_either');
    expect(sub.flowElements.some((e: { $type: string }) => e.$type === 'bpmn:ParallelGateway' && e !== el('Gateway_either_split'))).toBe(false);
    const approvedEnd = el('EndEvent_a-quick_approved');
    expect(approvedEnd.eventDefinitions[0].$type).toBe('bpmn:TerminateEventDefinition');
    expect(approvedEnd.$parent?.id).toBe('SubProcess_either');
    expect(el('EndEvent_a-quick_rejected').eventDefinitions[0].errorRef.errorCode).toBe('servicehall-reject');
  });

  it('reminds at step deadlines with non-interrupting timers (work days as calendar days)', () => {
    for (const [step, deadline] of [['unit-review', 1], ['b-review', 3], ['ops-done', 0]] as const) {
      const timer = el(`Event_${step}_overdue`);
      expect(timer.cancelActivity).toBe(false);
      expect(timer.attachedToRef.id).toBe(`Task_${step}`);
      expect(timer.eventDefinitions[0].timeDuration.body).toBe(`P${calendarDays(deadline)}D`);
      expect(ext(`Task_${step}`, 'zeebe:TaskSchedule').dueDate).toBe(`=now() + duration("P${calendarDays(deadline)}D")`);
    }
    expect([calendarDays(0), calendarDays(1), calendarDays(3), calendarDays(5), calendarDays(10)]).toEqual([1, 2, 5, 7, 14]);
  });

  it('lays the countersigns out in planes of their own, so Camunda Modeler can drill into them', () => {
    const planes = rootElement.diagrams.map((d: any) => d.plane.bpmnElement.id);
    expect(planes).toEqual(['flow', 'SubProcess_joint', 'SubProcess_either']);
    const inRoot = new Set(rootElement.diagrams[0].plane.planeElement.map((di: any) => di.bpmnElement.id));
    expect(inRoot.has('Task_a-review')).toBe(false);
    expect(inRoot.has('SubProcess_joint')).toBe(true);
    const drawn = new Set(rootElement.diagrams.flatMap((d: any) => d.plane.planeElement.map((di: any) => di.bpmnElement.id)));
    const missing = allElements(rootElement).filter((e) => /^bpmn:(UserTask|SequenceFlow|.*Gateway|.*Event|SubProcess)$/.test(e.$type) && !drawn.has(e.id));
    expect(missing.map((e) => e.id)).toEqual([]);
  });
});

/** The reference interpreter's view of a run, and bpmn-engine's. */
async function both(data: Record<string, unknown>, decisions: Decision[], options: { fireTimers?: boolean } = {}) {
  const reference = runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'flow', name: NAME } });
  const engine = await runOnEngine(compiled.bpmn, { applicant, data, decisions, ...options });
  return { reference, engine };
}

function same({ reference, engine }: Awaited<ReturnType<typeof both>>) {
  expect(engine.problem).toBeUndefined();
  expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({ outcome: reference.outcome, path: reference.path, assignees: reference.assignees });
  if (reference.outcome === 'pending') expect(engine.waiting.sort()).toEqual(reference.waiting.map((w) => w.step).sort());
}

describe('the process on bpmn-engine behaves as the reference interpreter', () => {
  it('或签: the first decision decides, a rejection too', async () => {
    const run = await both(baseData, [{ step: 'unit-review', action: 'approve' }, { step: 'a-quick', action: 'reject', comment: '不符合条件' }]);
    expect(run.reference.outcome).toBe('rejected');
    same(run);
  });

  it('会签: a return by one signer cancels the others and restarts the whole countersign after the applicant resubmits', async () => {
    const decisions: Decision[] = [
      { step: 'unit-review', action: 'approve' },
      { step: 'a-review', action: 'approve' },
      { step: 'b-review', action: 'return', comment: '补充预算明细', revise: { urgentReason: '年底结算，已补充明细' } },
      { step: 'b-review', action: 'approve' },
      { step: 'a-review', action: 'approve' },
      { step: 'leader', action: 'approve' },
      { step: 'ops-done', action: 'approve' },
    ];
    const run = await both(big, decisions);
    expect(run.reference.path).toEqual(['unit-review', 'a-review', 'b-review', 'b-review', 'a-review', 'leader', 'ops-done']);
    same(run);
  });

  it('a return leads back to the returning step, and a branch already passed is not evaluated again', async () => {
    const decisions: Decision[] = [
      { step: 'unit-review', action: 'approve' },
      { step: 'a-review', action: 'return', revise: { amount: 5000 } },
      { step: 'a-review', action: 'approve' },
      { step: 'b-review', action: 'approve' },
    ];
    const run = await both(big, decisions);
    expect(run.reference.outcome).toBe('pending');
    same(run);
  });

  it('a scope from a form field follows the revised data', async () => {
    const decisions: Decision[] = [{ step: 'unit-review', action: 'return', revise: { unit: 'dept-b' } }];
    const run = await both(baseData, decisions);
    expect(run.reference.assignees['unit-review']).toBe('department-head@dept-b');
    same(run);
  });

  it('deadline timers remind without interrupting: firing them all changes nothing', async () => {
    const decisions: Decision[] = [{ step: 'unit-review', action: 'approve' }, { step: 'b-quick', action: 'approve' }, { step: 'ops-done', action: 'approve' }];
    const run = await both(baseData, decisions, { fireTimers: true });
    same(run);
    expect(run.engine.ends).toEqual(expect.arrayContaining(['EndEvent_unit-review_overdue', 'EndEvent_ops-done_overdue']));
    expect(run.engine.timers).toEqual(expect.arrayContaining(['P2D', 'P1D']));
  });

  it('any sequence of decisions takes the same path, assignments and outcome (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          data: fc.constantFrom(baseData, big, { ...baseData, unit: 'dept-b' }),
          choices: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 10 }),
          revise: fc.constantFrom(undefined, { amount: 5000 }, { amount: 300000 }, { unit: 'dept-b' }),
        }),
        async ({ data, choices, revise }) => {
          const decisions: Decision[] = [];
          for (const choice of choices) {
            const probe = runWorkflow(definition, calendar, { applicant, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'flow', name: NAME } });
            if (probe.outcome !== 'pending') break;
            const task = probe.waiting[choice % probe.waiting.length];
            const action = task.actions[Math.floor(choice / probe.waiting.length) % task.actions.length];
            decisions.push({ step: task.step, action, ...(action === 'return' && revise ? { revise } : {}) });
          }
          same(await both(data, decisions));
        },
      ),
      { numRuns: 80, seed: 2026 },
    );
    // 80 runs on bpmn-engine: about 40 s alone, past 60 s when the machine is shared.
  }, 180_000);

  it('step fields and the booking reach later conditions (the booking fixture)', async () => {
    const service = catalog.services.get('booking')!.value;
    const bookingDefinition = compileDefinition(service, 1, runtimeFingerprint(service));
    const { bpmn } = await compileBpmn(bookingDefinition, '场地预约测试');
    let ran = 0;
    for (const scenario of service.scenarios ?? []) {
      const reference = runScenario(bookingDefinition, calendar, scenario, { id: 'booking', name: '场地预约测试' });
      expect(reference.pass).toBe(true);
      if (scenario.expect.submission === 'invalid') continue;
      const engine = await runOnEngine(bpmn, { applicant: scenario.applicant, data: scenario.data, decisions: scenario.decisions, booking: scenario.booking });
      expect({ outcome: engine.outcome, path: engine.path, assignees: engine.assignees }).toEqual({ outcome: reference.result.outcome, path: reference.result.path, assignees: reference.result.assignees });
      ran++;
    }
    expect(ran).toBe(3);
  });
});

describe('step fields', async () => {
  const service = catalog.services.get('booking')!.value;
  const bookingDefinition = compileDefinition(service, 1, runtimeFingerprint(service));
  const { bpmn, forms } = await compileBpmn(bookingDefinition, '场地预约测试');
  const input = { applicant, data: { attendees: 10, seats: 12 }, booking: { resource: 'small-room', date: '2026-03-03', slot: '08:00-10:00' } };
  const reference = (decisions: Decision[]) => runWorkflow(bookingDefinition, calendar, { ...input, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'booking', name: '场地预约测试' } });

  it('are required to approve only: the form marks them, the process checks them', async () => {
    const { rootElement: booking } = await parseBpmn(bpmn);
    const approve = allElements(booking).find((e) => e.id === 'Flow_Gateway_staff-check_decision__Gateway_big-or-costly_approve')!;
    expect(approve.conditionExpression.body).toBe('=decision_staff_check = "approve" and cleaningFee != null');
    const find = (components: any[]): any => components.map((c) => (c.key === 'cleaningFee' ? c : find(c.components ?? []))).find(Boolean);
    const fee = find(JSON.parse(forms.get('review-staff-check')!).components);
    expect(fee.description).toContain('同意时必填');
    expect(fee.validate?.required).toBeUndefined();
  });

  it('may stay empty on a rejection, in both', async () => {
    const decisions: Decision[] = [{ step: 'staff-check', action: 'reject', comment: '场地已被占用' }];
    const engine = await runOnEngine(bpmn, { ...input, decisions });
    expect(reference(decisions).outcome).toBe('rejected');
    expect(engine.outcome).toBe('rejected');
  });

  it('an approval without them opens the task again (the interpreter reports the submission invalid)', async () => {
    const decisions: Decision[] = [{ step: 'staff-check', action: 'approve' }];
    expect(reference(decisions).outcome).toBe('invalid');
    const engine = await runOnEngine(bpmn, { ...input, decisions });
    expect(engine.outcome).toBe('pending');
    expect(engine.waiting).toEqual(['staff-check']);
  });
});

describe('where BPMN is stricter than the interpreter', () => {
  it('an action the step does not allow opens the task again instead of approving (the interpreter stops with an error)', async () => {
    const decisions: Decision[] = [
      { step: 'unit-review', action: 'approve' },
      { step: 'a-quick', action: 'return' },
      { step: 'a-quick', action: 'approve' },
      { step: 'ops-done', action: 'approve' },
    ];
    const { reference, engine } = await both(baseData, decisions);
    expect(reference.outcome).toBe('error');
    expect(engine.outcome).toBe('approved');
    expect(engine.path).toEqual(['unit-review', 'a-quick', 'a-quick', 'ops-done']);
  });
});
