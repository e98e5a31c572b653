import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { LoadedRuntime, RuntimeDefinition } from '../../lib/runtime/index.ts';
import { compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import { Engine } from '../../server/engine/engine.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { loadFlows } from '../helpers/flows.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import { flowHall, runtimeWith } from './flow-hall.ts';

/**
 * Countersign variants (issue 15 item 4) and the fallback scope (item 8) in `hall serve`'s engine, on both stores: the flows fixture's
 * `votes` service (2 of 3, members with `when`) and `in-turn` (依次审批) added to the example runtime. The example catalog's
 * 临时商业活动 (a member with `when`) runs on both stores in one-semantics.test.ts with its scenarios.
 */
const stores = storeFactory();
let runtime: LoadedRuntime;
let votes: RuntimeDefinition;
let routed: RuntimeDefinition;
let inTurn: RuntimeDefinition;
beforeAll(async () => {
  const base = await loadRuntime(`${ROOT}/generated`);
  const { catalog } = await loadFlows();
  const service = catalog.services.get('votes')!.value;
  votes = compileDefinition(service, 1, runtimeFingerprint(service));
  const routedService = catalog.services.get('routed')!.value;
  routed = compileDefinition(routedService, 1, runtimeFingerprint(routedService));
  const inTurnService = catalog.services.get('in-turn')!.value;
  inTurn = compileDefinition(inTurnService, 1, runtimeFingerprint(inTurnService));
  runtime = runtimeWith(base, {
    votes: { definition: votes, name: '会签变体测试事项' },
    routed: { definition: routed, name: '备用范围测试事项' },
    'in-turn': { definition: inTurn, name: '依次审批测试事项' },
  });
});

const hall = (kind: (typeof STORE_KINDS)[number]) =>
  flowHall(stores, kind, runtime, [
    ['a-staff', 'office-staff', 'dept-a'],
    ['b-staff', 'office-staff', 'dept-b'],
    ['ops-staff', 'office-staff', 'ops'],
    ['a-head', 'department-head', 'dept-a'],
    ['b-head', 'department-head', 'dept-b'],
    ['leader', 'university-leader', ''],
    ['xgc-staff', 'office-staff', 'xgc'],
    ['zcc-staff', 'office-staff', 'zcc'],
    ['bwc-staff', 'office-staff', 'bwc'],
    ['xxzx-head', 'department-head', 'xxzx'],
    ['ops-head', 'department-head', 'ops'],
  ]);

const applicant = { id: 'T001', attributes: { name: '赵一', number: 'T001', department: 'dept-a' } };
const big = { amount: 200000, urgent: true, urgentReason: '年底结算', category: '服务', unit: 'dept-b' };

async function act(engine: Engine, person: string, step: string, action: 'approve' | 'reject' | 'return', extra: Record<string, unknown> = {}) {
  const task = (await engine.todo(person)).find((t) => t.step === step);
  if (!task) throw new Error(`${person} has no task for ${step}: ${JSON.stringify(await engine.todo(person))}`);
  const result = await engine.act({ task: task.id, person, action, ...extra });
  if (!result.ok) throw new Error(`${step}: ${JSON.stringify(result)}`);
  return result.application;
}

const openSteps = async (store: Store, application: string) =>
  (await store.query<{ step: string }>("SELECT step FROM task WHERE application_id = $1 AND status = 'open' ORDER BY step", [application])).map((r) => r.step);

describe.each(STORE_KINDS)('countersign variants in the engine on %s', (kind) => {
  it('2 of 3: one rejection is outvoted; the second approval passes and withdraws nothing left open', async () => {
    const { engine, store } = await hall(kind);
    const submitted = await engine.submit({ service: 'votes', applicant, data: big, channel: 'pc' });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    const id = submitted.application.id;
    expect(await openSteps(store, id)).toEqual(['a-vote', 'b-vote', 'ops-vote']);
    expect((await act(engine, 'b-staff', 'b-vote', 'reject', { comment: '预算偏高' })).status).toBe('pending');
    expect(await openSteps(store, id)).toEqual(['a-vote', 'ops-vote']);
    await act(engine, 'a-staff', 'a-vote', 'approve');
    await act(engine, 'ops-staff', 'ops-vote', 'approve');
    // The urgent member joins the next countersign; the 或签 takes the 服务 member only.
    expect(await openSteps(store, id)).toEqual(['a-sign', 'b-sign']);
    await act(engine, 'a-head', 'a-sign', 'approve');
    await act(engine, 'b-head', 'b-sign', 'approve');
    expect(await openSteps(store, id)).toEqual(['b-any']);
    expect((await act(engine, 'leader', 'b-any', 'approve')).status).toBe('approved');
    const app = (await engine.application(id))!;
    const reference = runWorkflow(votes, runtime.calendar, { applicant: applicant.attributes, data: big, decisions: app.decisions, submittedAt: app.submittedAt, service: { id: 'votes', name: '会签变体测试事项' } });
    expect(reference.outcome).toBe('approved');
  });

  it('2 of 3: two approvals pass at once and the third member’s task is withdrawn', async () => {
    const { engine, store } = await hall(kind);
    const submitted = await engine.submit({ service: 'votes', applicant, data: big, channel: 'pc' });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    const id = submitted.application.id;
    await act(engine, 'a-staff', 'a-vote', 'approve');
    await act(engine, 'ops-staff', 'ops-vote', 'approve');
    expect(await openSteps(store, id)).toEqual(['a-sign', 'b-sign']);
    const [withdrawn] = await store.query<{ status: string }>("SELECT status FROM task WHERE application_id = $1 AND step = 'b-vote'", [id]);
    expect(withdrawn.status).toBe('cancelled');
    expect(await engine.todo('b-staff')).toEqual([]);
  });

  it('2 of 3: a second rejection makes two approvals unreachable and rejects the application', async () => {
    const { engine } = await hall(kind);
    const submitted = await engine.submit({ service: 'votes', applicant, data: big, channel: 'pc' });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    await act(engine, 'a-staff', 'a-vote', 'reject', { comment: '不必要' });
    expect((await act(engine, 'ops-staff', 'ops-vote', 'reject', { comment: '已有同类设备' })).status).toBe('rejected');
  });

  it('members whose condition does not hold get no task; with two taking part, both must approve', async () => {
    const { engine, store } = await hall(kind);
    const small = { amount: 5000, urgent: false, category: '设备', unit: 'dept-a' };
    const submitted = await engine.submit({ service: 'votes', applicant, data: small, channel: 'pc' });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    const id = submitted.application.id;
    expect(await openSteps(store, id)).toEqual(['a-vote', 'b-vote']);
    expect(await engine.todo('ops-staff')).toEqual([]);
    await act(engine, 'a-staff', 'a-vote', 'approve');
    expect(await openSteps(store, id)).toEqual(['b-vote']);
    await act(engine, 'b-staff', 'b-vote', 'approve');
    expect(await openSteps(store, id)).toEqual(['a-sign']);
    await act(engine, 'a-head', 'a-sign', 'approve');
    expect(await openSteps(store, id)).toEqual(['a-any']);
  });

  it('routing: a fallback scope sends a student (no unit) to their college\'s head; with neither, an incident names the fallback', async () => {
    const { engine, store } = await hall(kind);
    const data = { amount: 5000, urgent: false, category: '设备', unit: 'dept-a' };
    const staffApp = await engine.submit({ service: 'routed', applicant, data, channel: 'pc' });
    if (!staffApp.ok) throw new Error(JSON.stringify(staffApp));
    expect((await engine.todo('a-head')).map((t) => t.step)).toEqual(['unit-head']);
    const studentApp = await engine.submit({ service: 'routed', applicant: { id: 'S001', attributes: { name: '钱二', number: 'S001', college: 'dept-b' } }, data, channel: 'pc' });
    if (!studentApp.ok) throw new Error(JSON.stringify(studentApp));
    const [task] = await engine.todo('b-head');
    expect(task).toMatchObject({ application: studentApp.application.id, step: 'unit-head', group: 'department-head', scope: 'dept-b' });
    const lost = await engine.submit({ service: 'routed', applicant: { id: 'X001', attributes: { name: '孙三', number: 'X001' } }, data, channel: 'pc' });
    if (!lost.ok) throw new Error(JSON.stringify(lost));
    expect(lost.application.status).toBe('incident');
    const [incident] = await store.query<{ body: string }>("SELECT body FROM event WHERE application_id = $1 AND type = 'unassigned'", [lost.application.id]);
    expect(JSON.parse(incident.body)).toMatchObject({ step: 'unit-head', missing: 'applicant.college' });
  });
});

describe.each(STORE_KINDS)('依次审批 (parallel: sequence) in the engine on %s', (kind) => {
  const submit = async (engine: Engine, data: Record<string, unknown>) => {
    const submitted = await engine.submit({ service: 'in-turn', applicant, data, channel: 'pc' });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    return submitted.application.id;
  };

  it('opens one task at a time, in the order listed; the next member sees the earlier decision', async () => {
    const { engine, store } = await hall(kind);
    const id = await submit(engine, { amount: 200000 });
    await act(engine, 'ops-staff', 'intake', 'approve');
    expect(await openSteps(store, id)).toEqual(['a-turn']);
    expect(await engine.todo('b-head')).toEqual([]);
    await act(engine, 'a-staff', 'a-turn', 'approve', { comment: '预算合理' });
    expect(await openSteps(store, id)).toEqual(['b-turn']);
    expect(await engine.todo('ops-head')).toEqual([]);
    // What B sees of the application: A's decision and comment, before B acts.
    const acted = (await engine.events(id)).filter((e) => e.type === 'acted').map((e) => [e.step, e.action, e.comment]);
    expect(acted).toEqual([['intake', 'approve', undefined], ['a-turn', 'approve', '预算合理']]);
    await act(engine, 'b-head', 'b-turn', 'approve');
    expect(await openSteps(store, id)).toEqual(['ops-turn']);
    await act(engine, 'ops-head', 'ops-turn', 'approve');
    expect((await act(engine, 'ops-staff', 'archive', 'approve')).status).toBe('approved');
    const app = (await engine.application(id))!;
    const reference = runWorkflow(inTurn, runtime.calendar, { applicant: applicant.attributes, data: app.data, decisions: app.decisions, submittedAt: app.submittedAt, service: { id: 'in-turn', name: '依次审批测试事项' } });
    expect(reference.outcome).toBe('approved');
    expect(reference.path).toEqual(['intake', 'a-turn', 'b-turn', 'ops-turn', 'archive']);
  });

  it('a member whose condition does not hold gets no task', async () => {
    const { engine, store } = await hall(kind);
    const id = await submit(engine, { amount: 5000 });
    await act(engine, 'ops-staff', 'intake', 'approve');
    await act(engine, 'a-staff', 'a-turn', 'approve');
    expect(await openSteps(store, id)).toEqual(['ops-turn']);
  });

  it('a rejection ends the application; later members never get a task', async () => {
    const { engine, store } = await hall(kind);
    const id = await submit(engine, { amount: 200000 });
    await act(engine, 'ops-staff', 'intake', 'approve');
    expect((await act(engine, 'a-staff', 'a-turn', 'reject', { comment: '不符合规定' })).status).toBe('rejected');
    const steps = (await store.query<{ step: string }>('SELECT step FROM task WHERE application_id = $1 ORDER BY step', [id])).map((r) => r.step);
    expect(steps).toEqual(['a-turn', 'intake']);
  });

  it('a return to the applicant: after resubmission the returning member acts again, earlier approvals stand', async () => {
    const { engine, store } = await hall(kind);
    const id = await submit(engine, { amount: 200000 });
    await act(engine, 'ops-staff', 'intake', 'approve');
    await act(engine, 'a-staff', 'a-turn', 'approve');
    expect((await act(engine, 'b-head', 'b-turn', 'return', { comment: '请补充说明' })).status).toBe('returned');
    expect(await openSteps(store, id)).toEqual([]);
    const resubmitted = await engine.resubmit({ application: id, applicant: applicant.id, changes: { note: '年底设备更新' } });
    if (!resubmitted.ok) throw new Error(JSON.stringify(resubmitted));
    expect(await openSteps(store, id)).toEqual(['b-turn']);
    const rounds = await store.query<{ step: string; round: number }>("SELECT step, round FROM task WHERE application_id = $1 AND step IN ('a-turn', 'b-turn') ORDER BY step, round", [id]);
    expect(rounds.map((r) => `${r.step}#${Number(r.round)}`)).toEqual(['a-turn#1', 'b-turn#1', 'b-turn#2']);
  });

  it('a return to an earlier member: that member gets a new task, then every later member again; the applicant is not involved', async () => {
    const { engine, store } = await hall(kind);
    const id = await submit(engine, { amount: 200000 });
    await act(engine, 'ops-staff', 'intake', 'approve');
    await act(engine, 'a-staff', 'a-turn', 'approve');
    await act(engine, 'b-head', 'b-turn', 'approve');
    const opsTask = (await engine.todo('ops-head')).find((t) => t.step === 'ops-turn')!;
    expect(engine.returnTargets((await engine.application(id))!, opsTask.step)).toEqual(['intake', 'a-turn', 'b-turn']);
    expect((await act(engine, 'ops-head', 'ops-turn', 'return', { returnTo: 'a-turn', comment: '请 A 补充预算意见' })).status).toBe('pending');
    expect(await openSteps(store, id)).toEqual(['a-turn']);
    await act(engine, 'a-staff', 'a-turn', 'approve');
    expect(await openSteps(store, id)).toEqual(['b-turn']);
    await act(engine, 'b-head', 'b-turn', 'approve');
    await act(engine, 'ops-head', 'ops-turn', 'approve');
    expect((await act(engine, 'ops-staff', 'archive', 'approve')).status).toBe('approved');
    const rounds = await store.query<{ step: string; round: number }>("SELECT step, round FROM task WHERE application_id = $1 AND step <> 'intake' ORDER BY step, round", [id]);
    expect(rounds.map((r) => `${r.step}#${Number(r.round)}`)).toEqual(['a-turn#1', 'a-turn#2', 'archive#1', 'b-turn#1', 'b-turn#2', 'ops-turn#1', 'ops-turn#2']);
    const returned = (await engine.events(id)).filter((e) => e.type === 'returned');
    expect(returned).toEqual([expect.objectContaining({ step: 'ops-turn', returnTo: 'a-turn', comment: '请 A 补充预算意见' })]);
    const app = (await engine.application(id))!;
    const reference = runWorkflow(inTurn, runtime.calendar, { applicant: applicant.attributes, data: app.data, decisions: app.decisions, submittedAt: app.submittedAt, service: { id: 'in-turn', name: '依次审批测试事项' } });
    expect(reference.path).toEqual(['intake', 'a-turn', 'b-turn', 'ops-turn', 'a-turn', 'b-turn', 'ops-turn', 'archive']);
  });

  it('a return to a member its condition skipped is refused, and the task stays open', async () => {
    const { engine, store } = await hall(kind);
    const id = await submit(engine, { amount: 5000 });
    await act(engine, 'ops-staff', 'intake', 'approve');
    await act(engine, 'a-staff', 'a-turn', 'approve');
    const task = (await engine.todo('ops-head')).find((t) => t.step === 'ops-turn')!;
    const refused = await engine.act({ task: task.id, person: 'ops-head', action: 'return', returnTo: 'b-turn' });
    expect(refused.ok).toBe(false);
    expect(await openSteps(store, id)).toEqual(['ops-turn']);
  });

  it('a return to the step before it runs the whole sequence again from its first member', async () => {
    const { engine, store } = await hall(kind);
    const id = await submit(engine, { amount: 5000 });
    await act(engine, 'ops-staff', 'intake', 'approve');
    await act(engine, 'a-staff', 'a-turn', 'approve');
    await act(engine, 'ops-head', 'ops-turn', 'return', { returnTo: 'intake', comment: '受理材料不全' });
    expect(await openSteps(store, id)).toEqual(['intake']);
    await act(engine, 'ops-staff', 'intake', 'approve');
    expect(await openSteps(store, id)).toEqual(['a-turn']);
  });
});
