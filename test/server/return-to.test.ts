import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { LoadedRuntime, RuntimeDefinition } from '../../lib/runtime/index.ts';
import type { RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { Engine } from '../../server/engine/engine.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { loadFlows } from '../helpers/flows.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import { flowHall, runtimeWith } from './flow-hall.ts';

/**
 * Issue 15.5 in `hall serve`'s engine, on both stores: the flows fixture's `flow` with `leader` allowed to
 * return to `unit-review`. A return to a step opens that step's task again (the applicant is not asked); a
 * return inside the 两部门会签 reopens only the returning member after the applicant resubmits.
 */
const stores = storeFactory();
let runtime: LoadedRuntime;
let flow: RuntimeDefinition;
beforeAll(async () => {
  const base = await loadRuntime(`${ROOT}/generated`);
  const { definition } = await loadFlows();
  flow = structuredClone(definition);
  const walk = (nodes: RuntimeNode[]): RuntimeStep | undefined => {
    for (const n of nodes) {
      if (n.kind === 'step' && n.id === 'leader') return n;
      if (n.kind === 'branch') {
        const found = walk(n.then) ?? walk(n.else);
        if (found) return found;
      }
    }
    return undefined;
  };
  const leader = walk(flow.workflow!.steps)!;
  leader.actions = ['approve', 'reject', 'return'];
  leader.returnTo = ['unit-review'];
  runtime = runtimeWith(base, { flow: { definition: flow, name: '流程测试事项' } });
});

const hall = (kind: (typeof STORE_KINDS)[number]) =>
  flowHall(stores, kind, runtime, [
    ['a-staff', 'office-staff', 'dept-a'],
    ['b-staff', 'office-staff', 'dept-b'],
    ['ops-staff', 'office-staff', 'ops'],
    ['b-head', 'department-head', 'dept-b'],
    ['leader', 'university-leader', ''],
  ]);

const applicant = { id: 'T001', attributes: { name: '赵一', number: 'T001', department: 'dept-a' } };
const big = { amount: 200000, urgent: false, category: '设备', unit: 'dept-b' };

async function taskOf(engine: Engine, person: string, step: string) {
  const task = (await engine.todo(person)).find((t) => t.step === step);
  if (!task) throw new Error(`${person} has no task for ${step}: ${JSON.stringify(await engine.todo(person))}`);
  return task;
}
async function act(engine: Engine, person: string, step: string, action: 'approve' | 'reject' | 'return', extra: Record<string, unknown> = {}) {
  const result = await engine.act({ task: (await taskOf(engine, person, step)).id, person, action, ...extra });
  if (!result.ok) throw new Error(`${step}: ${JSON.stringify(result)}`);
  return result.application;
}
const openSteps = async (store: Store, application: string) =>
  (await store.query<{ step: string; round: number }>("SELECT step, round FROM task WHERE application_id = $1 AND status = 'open' ORDER BY step", [application])).map((r) => `${r.step}#${r.round}`);

describe.each(STORE_KINDS)('return to a chosen step in the engine on %s', (kind) => {
  it('the leader returns to the unit review: its task opens again, the applicant is not asked, and the run agrees with the interpreter', async () => {
    const { engine, store } = await hall(kind);
    const submitted = await engine.submit({ service: 'flow', applicant, data: big, channel: 'pc' });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    const id = submitted.application.id;
    await act(engine, 'b-head', 'unit-review', 'approve');
    await act(engine, 'a-staff', 'a-review', 'approve');
    await act(engine, 'b-staff', 'b-review', 'approve');
    const leaderTask = await taskOf(engine, 'leader', 'leader');
    expect(engine.returnTargets((await engine.application(id))!, 'leader')).toEqual(['unit-review']);
    expect(engine.returnTargets((await engine.application(id))!, 'b-review')).toEqual([]);
    const returned = await act(engine, 'leader', 'leader', 'return', { returnTo: 'unit-review', comment: '请使用单位补充说明用途' });
    expect(returned.status).toBe('pending');
    expect(await openSteps(store, id)).toEqual(['unit-review#2']);
    const events = await engine.events(id);
    expect(events.find((e) => e.type === 'returned')).toMatchObject({ step: 'leader', returnTo: 'unit-review', comment: '请使用单位补充说明用途' });
    const [done] = await store.query<{ status: string; action: string }>('SELECT status, action FROM task WHERE id = $1', [leaderTask.id]);
    expect(done).toEqual({ status: 'done', action: 'return' });
    await act(engine, 'b-head', 'unit-review', 'approve');
    await act(engine, 'a-staff', 'a-review', 'approve');
    await act(engine, 'b-staff', 'b-review', 'approve');
    await act(engine, 'leader', 'leader', 'approve');
    expect((await act(engine, 'ops-staff', 'ops-done', 'approve')).status).toBe('approved');
    const app = (await engine.application(id))!;
    const reference = runWorkflow(flow, runtime.calendar, { applicant: applicant.attributes, data: big, decisions: app.decisions, submittedAt: app.submittedAt, service: { id: 'flow', name: '流程测试事项' } });
    expect(reference.outcome).toBe('approved');
    expect(reference.path).toEqual(['unit-review', 'a-review', 'b-review', 'leader', 'unit-review', 'a-review', 'b-review', 'leader', 'ops-done']);
  });

  it('a target the step does not declare is refused and nothing is written', async () => {
    const { engine, store } = await hall(kind);
    const submitted = await engine.submit({ service: 'flow', applicant, data: big, channel: 'pc' });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    const id = submitted.application.id;
    await act(engine, 'b-head', 'unit-review', 'approve');
    await act(engine, 'a-staff', 'a-review', 'approve');
    await act(engine, 'b-staff', 'b-review', 'approve');
    const task = await taskOf(engine, 'leader', 'leader');
    const refused = await engine.act({ task: task.id, person: 'leader', action: 'return', returnTo: 'a-review' });
    expect(refused).toMatchObject({ ok: false, kind: 'refused' });
    expect(await openSteps(store, id)).toEqual(['leader#1']);
  });

  it('a return inside the countersign reopens only the returning member once the applicant resubmits', async () => {
    const { engine, store } = await hall(kind);
    const submitted = await engine.submit({ service: 'flow', applicant, data: big, channel: 'pc' });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    const id = submitted.application.id;
    await act(engine, 'b-head', 'unit-review', 'approve');
    await act(engine, 'a-staff', 'a-review', 'approve');
    expect((await act(engine, 'b-staff', 'b-review', 'return', { comment: '缺报价单' })).status).toBe('returned');
    expect(await openSteps(store, id)).toEqual([]);
    const resubmitted = await engine.resubmit({ application: id, applicant: applicant.id, changes: { amount: 190000 } });
    if (!resubmitted.ok) throw new Error(JSON.stringify(resubmitted));
    expect(await openSteps(store, id)).toEqual(['b-review#2']);
    expect(await engine.todo('a-staff')).toEqual([]);
    await act(engine, 'b-staff', 'b-review', 'approve');
    expect(await openSteps(store, id)).toEqual(['leader#1']);
  });
});
