import { createHash } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAndCheck } from '../../cli/commands/check/run.ts';
import { directoryOf, textZh } from '../../cli/model/catalog.ts';
import type { Scenario } from '../../generated/types/service.ts';
import { DEFAULT_SUBMITTED_AT, runScenario } from '../../lib/interpret/scenarios.ts';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime, RuntimeEvent, TimelineEntry } from '../../lib/runtime/index.ts';
import { Engine } from '../../server/engine/engine.ts';
import { fileFieldsOf, insertAttachment, newAttachmentId } from '../../server/files/attachments.ts';
import type { ApplicationRecord } from '../../server/engine/engine.ts';
import { migrate } from '../../server/store/migrate.ts';
import type { Store } from '../../server/store/store.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SystemCaller } from '../../server/engine/system-calls.ts';

/**
 * One semantics, on the runtime: every scenario of the example catalog (the `scenarios:` `hall test` runs
 * on the reference interpreter and test/bpmn runs on bpmn-engine) is driven through the hall's Engine on
 * both stores — submitted as the scenario's applicant, each decision taken by a holder of the task's
 * group@scope at the scenario's instant — and must end with the interpreter's outcome, path, timeline and
 * notifications. A scenario the runtime cannot run fails here with the reason; none is skipped.
 */

const checked = await loadAndCheck(path.join(ROOT, 'catalog'), {});
const directory = directoryOf(checked.catalog);
const withScenarios = [...checked.catalog.services].sort(([a], [b]) => (a < b ? -1 : 1)).filter(([, located]) => located.value.workflow && located.value.scenarios?.length);
/** Drafts are not compiled into generated/ (nothing can apply for them): every other service's scenarios run. */
const cases = withScenarios
  .filter(([, located]) => located.value.status !== 'draft')
  .flatMap(([id, located]) => located.value.scenarios!.map((scenario, index) => ({ label: `${id} › ${scenario.name}`, id, name: textZh(located.value.name), scenario, index })));

const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(path.join(ROOT, 'generated'));
});

/** The same entry, written by the interpreter and by the runtime, as a comparable line. */
const fromTimeline = (t: TimelineEntry) => ({ type: t.type, at: Date.parse(t.at), step: t.step, assignee: t.assignee, due: t.due, action: t.action, outcome: t.outcome, comment: t.comment, person: t.person, to: t.to, position: t.position, amountFen: t.amountFen });
const fromEvent = (e: RuntimeEvent) => ({
  type: e.type,
  at: Date.parse(e.at),
  step: e.step,
  assignee: ['assigned', 'acted', 'overdue', 'transferred', 'added', 'delegated', 'resolved', 'copied'].includes(e.type) ? (e.scope ? `${e.group}@${e.scope}` : e.group) : undefined,
  due: e.due,
  action: e.action,
  outcome: e.outcome,
  comment: e.comment,
  person: e.person,
  to: e.to,
  position: e.position,
  amountFen: e.amountFen,
});

const STATUS_OF_OUTCOME: Record<string, ApplicationRecord['status']> = { approved: 'approved', rejected: 'rejected', unpaid: 'unpaid', pending: 'pending', unassigned: 'incident' };

/**
 * A hall with a clock the driver sets, and a holder for every group@scope a scenario's task needs:
 * the directory the scenario needs is built from the scenario itself.
 */
/** System steps (issue 15.3): every connector is a loopback receiver that accepts each call. */
const receiver = createServer((request, response) => request.resume().on('end', () => response.writeHead(200, { connection: 'close' }).end('{}')));
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
receiver.unref();
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

async function hall(store: Store) {
  let clock = 0;
  const now = () => new Date(clock);
  const engine = new Engine({ store, runtime, now });
  // System steps' calls are made as hall serve makes them, at the same instant (the scenario's clock).
  const caller = new SystemCaller(engine, () => ({ url: receiverUrl }), { now });
  // Applications made before a service was retired or suspended keep running on it: the same runtime with the service still open.
  const reopened = new Engine({ store, runtime: { ...runtime, manifest: { ...runtime.manifest, services: runtime.manifest.services.map((s) => ({ ...s, status: 'online' as const })) } }, now });
  const holders = new Set<string>();
  const holderOf = async (group: string, scope: string) => {
    const person = `holder:${group}@${scope}`;
    if (!holders.has(person)) {
      holders.add(person);
      await store.run('INSERT INTO person (id, name, attributes, updated_at) VALUES ($1, $2, $3, $4)', [person, person, '{}', new Date(0).toISOString()]);
      await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', [person, group, scope]);
    }
    return person;
  };
  const personOf = async (person: string, holds?: [string, string]) => {
    await store.run('INSERT INTO person (id, name, attributes, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING', [person, person, '{}', new Date(0).toISOString()]);
    if (holds) await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [person, ...holds]);
  };
  return { engine, store, reopened, caller, holderOf, personOf, setClock: (instant: string | number) => void (clock = typeof instant === 'number' ? instant : Date.parse(instant)) };
}

/**
 * A scenario names files (`讲座方案.pdf`); the runtime's file fields hold ids of the applicant's own uploads.
 * Each named file becomes an upload of the applicant for that field (the same extension, so the form's
 * checks judge it the same), and the scenario runs on the ids: the interpreter is given the same data.
 */
async function withUploads(store: Store, service: string, applicant: string, data: Record<string, unknown> | undefined): Promise<Record<string, unknown> | undefined> {
  if (!data) return data;
  const out = structuredClone(data);
  const upload = async (value: unknown, field: string): Promise<unknown> => {
    if (Array.isArray(value)) return Promise.all(value.map((v) => upload(v, field)));
    const ext = typeof value === 'string' ? /\.([A-Za-z0-9]{1,10})$/.exec(value)?.[1]?.toLowerCase() : undefined;
    if (!ext) return value;
    const id = newAttachmentId(ext);
    await insertAttachment(store, { id, sha256: createHash('sha256').update(String(value)).digest('hex'), size: String(value).length, mediaType: 'application/octet-stream', ext, name: String(value), uploader: applicant, service, field, createdAt: new Date(0).toISOString() });
    return id;
  };
  for (const path of fileFieldsOf(runtime.current(service)).keys()) {
    const [top, column] = path.split('.');
    if (!column) {
      if (out[top] !== undefined) out[top] = await upload(out[top], path);
    } else if (Array.isArray(out[top])) {
      for (const row of out[top] as Record<string, unknown>[]) if (row && row[column] !== undefined) row[column] = await upload(row[column], path);
    }
  }
  return out;
}

/** The scenario as the runtime runs it: its files uploaded by the applicant (see withUploads). */
async function uploaded(store: Store, id: string, scenario: Scenario): Promise<Scenario> {
  const applicant = String((scenario.applicant as Record<string, unknown>).number ?? 'scenario-applicant');
  // An objection (公示, issue 15.2) is raised by someone: each by a person of their own, named for both readings.
  const decisions = await Promise.all(scenario.decisions.map(async (d, i) => (d.revise ? { ...d, revise: await withUploads(store, id, applicant, d.revise as Record<string, unknown>) } : d.action === 'object' ? { ...d, person: `objector-${i}` } : d)));
  return { ...scenario, data: (await withUploads(store, id, applicant, scenario.data as Record<string, unknown>)) as Scenario['data'], decisions } as Scenario;
}

/** Drive one scenario through the engine; the reasons it could not be run, if any. */
async function drive(h: Awaited<ReturnType<typeof hall>>, id: string, scenario: Scenario, lateBy = 0): Promise<{ application?: ApplicationRecord; problems: string[]; fieldErrors?: string[] }> {
  const problems: string[] = [];
  // Everyone the interpreter assigns holds their group@scope before the application starts: a task opened
  // with nobody holding it is an unassigned incident on the runtime (as it should be), not a scenario's path.
  const service = runtime.manifest.services.find((s) => s.id === id);
  const expected = runScenario(runtime.current(id), runtime.calendar, scenario, { id, name: service?.name.zh ?? id }, undefined, directory);
  for (const entry of expected.result.timeline) {
    if (entry.type !== 'assigned' || !entry.assignee || entry.assignee === 'applicant') continue;
    const at = entry.assignee.indexOf('@');
    await h.holderOf(at === -1 ? entry.assignee : entry.assignee.slice(0, at), at === -1 ? '' : entry.assignee.slice(at + 1));
  }
  // Approver actions: a transferee holds the step's group@scope; an added approver or a delegate is a person in the directory.
  for (const entry of expected.result.timeline) {
    if (!entry.to || !entry.assignee) continue;
    const at = entry.assignee.indexOf('@');
    await h.personOf(entry.to, entry.type === 'transferred' ? [at === -1 ? entry.assignee : entry.assignee.slice(0, at), at === -1 ? '' : entry.assignee.slice(at + 1)] : undefined);
  }
  h.setClock(scenario.submittedAt ?? DEFAULT_SUBMITTED_AT);
  const applicantId = String((scenario.applicant as Record<string, unknown>).number ?? 'scenario-applicant');
  let engine = h.engine;
  const status = runtime.manifest.services.find((s) => s.id === id)?.status;
  if (status === 'retired' || status === 'suspended') {
    const refused = await h.engine.submit({ service: id, applicant: { id: applicantId, attributes: scenario.applicant }, data: scenario.data });
    if (refused.ok || refused.kind !== 'refused') problems.push(`a ${status} service must refuse new applications, got ${refused.ok ? 'an application' : refused.kind}`);
    engine = h.reopened;
  }
  const submitted = await engine.submit({ service: id, applicant: { id: applicantId, attributes: scenario.applicant }, data: scenario.data, ...(scenario.booking ? { booking: scenario.booking } : {}) });
  if (!submitted.ok) {
    if (submitted.kind === 'invalid') return { problems, fieldErrors: submitted.fieldErrors.map((e) => e.field).sort() };
    return { problems: [...problems, `submission refused: ${submitted.kind} ${submitted.message.en}`] };
  }
  const appId = submitted.application.id;
  await h.caller.callDue();
  // 公示 (issue 15.2): the period open now, if any; ending it is the sweep's, at the end of its last work day.
  const period = async () => (await h.store.query<{ step: string; ends_at: string }>('SELECT step, ends_at FROM publicity WHERE application_id = $1 AND closed_at IS NULL', [appId]))[0];
  const endPeriod = async (ends: string) => {
    h.setClock(ends);
    await engine.sweep(new Date(ends));
    await h.caller.callDue();
  };
  for (const [i, decision] of scenario.decisions.entries()) {
    let open_ = await period();
    // A scenario's period ends by itself before any decision that is not an objection in it.
    while (open_ && !(decision.step === open_.step && decision.action === 'object')) {
      await endPeriod(open_.ends_at);
      const closing = decision.step === open_.step && decision.action === 'close';
      open_ = await period();
      if (closing) break;
    }
    if (decision.action === 'close') continue;
    // 缴费 (issue 15.9b): the platform's confirmation is its callback, at the scenario's instant (an hour after the
    // order when every decision is late: a payment after the period is refused); the period's end is the sweep's.
    if (decision.action === 'paid' || decision.action === 'timeout') {
      const [order] = await h.store.query<{ id: string; connector: string; amount_fen: number | string; opened_at: string; ends_at: string }>("SELECT id, connector, amount_fen, opened_at, ends_at FROM payment WHERE application_id = $1 AND status = 'open'", [appId]);
      if (!order) {
        problems.push(`decision ${i + 1} (${decision.step} ${decision.action}): no open order`);
        break;
      }
      if (decision.action === 'timeout') {
        await endPeriod(order.ends_at);
        continue;
      }
      h.setClock(!lateBy && decision.at && Date.parse(decision.at) > Date.parse(order.opened_at) ? decision.at : Date.parse(order.opened_at) + (lateBy ? 3_600_000 : 0));
      const paid = await engine.confirmPayment(order.connector, { orderId: order.id, amountFen: Number(order.amount_fen), transactionId: `scenario-${i}` });
      if (!paid.ok) {
        problems.push(`decision ${i + 1} (${decision.step} paid) refused: ${paid.status} ${paid.message.en}`);
        break;
      }
      await h.caller.callDue();
      continue;
    }
    if (decision.action === 'object') {
      const published = (await engine.events(appId)).filter((e) => e.type === 'published').at(-1)!;
      h.setClock(!lateBy && decision.at && Date.parse(decision.at) > Date.parse(published.at) ? decision.at : Date.parse(published.at) + (lateBy ? 3_600_000 : 0));
      const objected = await engine.object({ application: appId, person: (decision as { person?: string }).person ?? `objector-${i}`, reason: decision.comment ?? '' });
      if (!objected.ok) {
        problems.push(`decision ${i + 1} (${decision.step} object) refused: ${objected.kind} ${objected.message.en}`);
        break;
      }
      continue;
    }
    const open = (await engine.tasksOf(appId)).filter((t) => t.status === 'open');
    const task = open.find((t) => t.step === decision.step);
    if (!task) {
      const app = await engine.application(appId);
      problems.push(`decision ${i + 1} is for "${decision.step}" but the runtime's application is ${app?.status} with open tasks [${open.map((t) => t.step).join(', ')}]`);
      break;
    }
    if (lateBy) h.setClock(Date.parse(task.openedAt) + lateBy);
    else h.setClock(decision.at && Date.parse(decision.at) > Date.parse(task.openedAt) ? decision.at : task.openedAt);
    // The applicant's own step (issue 15.1) is completed by the applicant.
    if (task.group === '@applicant') {
      const completed = await engine.complete({ application: appId, applicant: applicantId, ...(decision.data ? { data: decision.data } : {}) });
      if (!completed.ok) {
        problems.push(`decision ${i + 1} (${decision.step} complete) refused: ${completed.kind} ${completed.message.en}`);
        break;
      }
      continue;
    }
    const person = task.person ?? (await h.holderOf(task.group, task.scope));
    const acted = await engine.act({ task: task.id, person, action: decision.action, ...(decision.comment ? { comment: decision.comment } : {}), ...(decision.data ? { data: decision.data } : {}), ...(decision.to ? { to: decision.to } : {}), ...(decision.position ? { position: decision.position } : {}), ...(decision.returnTo ? { returnTo: decision.returnTo } : {}) });
    if (!acted.ok) {
      problems.push(`decision ${i + 1} (${decision.step} ${decision.action}) refused: ${acted.kind} ${acted.message.en}`);
      break;
    }
    await h.caller.callDue();
    if (acted.application.status === 'returned') {
      // The applicant revises and resubmits at once: a scenario's return resumes when it is made.
      const again = await engine.resubmit({ application: appId, applicant: applicantId, changes: decision.revise ?? {} });
      if (!again.ok) {
        if (again.kind === 'invalid') return { application: await engine.application(appId), problems, fieldErrors: again.fieldErrors.map((e) => e.field).sort() };
        problems.push(`resubmission after decision ${i + 1} refused: ${again.kind} ${again.message.en}`);
        break;
      }
    }
  }
  // Periods still open when the decisions run out end by themselves, as in the scenario.
  for (let open_ = await period(); open_ && !problems.length; open_ = await period()) await endPeriod(open_.ends_at);
  return { application: await engine.application(appId), problems };
}

describe.each(STORE_KINDS)('every example scenario on the hall runtime (%s) equals the reference interpreter', (kind) => {
  let store: Store;
  let h: Awaited<ReturnType<typeof hall>>;
  beforeAll(async () => {
    store = await stores.open(await stores.location(kind));
    await migrate(store);
    h = await hall(store);
  });

  it('finds the scenarios, and leaves out only drafts, which generated/ does not hold', () => {
    expect(cases.length).toBeGreaterThan(50);
    const absent = withScenarios.filter(([id]) => !runtime.manifest.services.some((s) => s.id === id));
    expect(absent.map(([id, located]) => `${id}: ${located.value.status}`).filter((s) => !s.endsWith(': draft'))).toEqual([]);
  });

  it.each(cases)('$label', async ({ id, name, scenario: named }) => {
    const scenario = await uploaded(store, id, named);
    const reference = runScenario(runtime.current(id), runtime.calendar, scenario, { id, name: runtime.manifest.services.find((s) => s.id === id)?.name.zh ?? name }, undefined, directory);
    const run = await drive(h, id, scenario);
    expect(run.problems, 'the runtime could not run this scenario').toEqual([]);
    if (reference.result.outcome === 'invalid') {
      expect(run.fieldErrors, 'the interpreter refuses the submission; the runtime must refuse the same fields').toEqual(reference.result.fieldErrors.map((e) => e.field).sort());
      return;
    }
    expect(run.fieldErrors, 'the runtime refused data the interpreter accepts').toBeUndefined();
    const app = run.application!;
    expect(app.status).toBe(STATUS_OF_OUTCOME[reference.result.outcome] ?? `(interpreter outcome ${reference.result.outcome})`);
    const events = await h.engine.events(app.id);
    expect(events.map(fromEvent)).toEqual(reference.result.timeline.map(fromTimeline));
    // The path: every decision taken, each publicity period where it ended (issue 15.2), each payment step where it was settled (15.9b).
    expect(events.filter((e) => ['acted', 'publicized', 'paid', 'unpaid'].includes(e.type)).map((e) => e.step)).toEqual(reference.result.path);
    const outbox = await store.query<{ event: string; recipient: string; body: string }>('SELECT event, recipient, body FROM outbox WHERE application_id = $1 ORDER BY id', [app.id]);
    expect(outbox.map((o) => ({ event: o.event, to: o.recipient, text: o.body }))).toEqual(reference.result.notifications);
    const open = (await h.engine.tasksOf(app.id)).filter((t) => t.status === 'open');
    expect(open.map((t) => t.step).sort()).toEqual(reference.result.waiting.map((w) => w.step).sort());
  });

  // Every decision taken ten days after its task opened: each step is overdue, and the runtime must mark it
  // at the same instant as the interpreter — the end of the due date in the school's time zone.
  it.each(cases.filter((c) => !c.scenario.booking && c.scenario.expect.submission !== 'invalid'))('$label, every decision ten days late', async ({ id, scenario: named }) => {
    const scenario = await uploaded(store, id, named);
    const run = await drive(h, id, scenario, 10 * 86_400_000);
    expect(run.problems).toEqual([]);
    const app = run.application!;
    const name = runtime.manifest.services.find((s) => s.id === id)!.name.zh;
    const reference = runScenario(runtime.current(id), runtime.calendar, { ...scenario, decisions: app.decisions.map(({ resubmittedAt: _r, ...d }) => d) } as Scenario, { id, name }, undefined, directory);
    const events = await h.engine.events(app.id);
    expect(events.some((e) => e.type === 'overdue') || !scenario.decisions.length).toBe(true);
    expect(events.map(fromEvent)).toEqual(reference.result.timeline.map(fromTimeline));
    const outbox = await store.query<{ event: string; recipient: string; body: string }>('SELECT event, recipient, body FROM outbox WHERE application_id = $1 ORDER BY id', [app.id]);
    expect(outbox.map((o) => ({ event: o.event, to: o.recipient, text: o.body }))).toEqual(reference.result.notifications);
  });
});
