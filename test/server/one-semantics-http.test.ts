import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadAndCheck } from '../../cli/commands/check/run.ts';
import { directoryOf } from '../../cli/model/catalog.ts';
import type { Scenario } from '../../generated/types/service.ts';
import { runScenario } from '../../lib/interpret/scenarios.ts';
import { loadRuntime } from '../../lib/runtime/index.ts';
import { bookingProblems } from '../../server/engine/booking.ts';
import { ROOT } from '../helpers/cli.ts';
import { hallProcesses } from './processes.ts';
import { call, signIn } from './routes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * One semantics through the front door: for every kind of service with a workflow, one example scenario
 * is run against a real `hall serve` process over HTTP — the applicant signs in and submits, each decision
 * is taken by a person holding the task's group@scope (the directory is built from the scenarios), and the
 * application ends as the reference interpreter says: outcome, path, assignees and the event sequence.
 * (Instants come from the process's real clock here; test/server/one-semantics.test.ts compares them.)
 */

const checked = await loadAndCheck(path.join(ROOT, 'catalog'), {});
const runtime = await loadRuntime(path.join(ROOT, 'generated'));
const directory = directoryOf(checked.catalog);

/** The first scenario of each service kind that people can apply for (not retired, suspended or a draft), which ends decided. */
const picks = (() => {
  const byKind = new Map<string, { id: string; scenario: Scenario }>();
  for (const entry of [...runtime.manifest.services].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (entry.status !== 'online' || byKind.has(entry.type)) continue;
    const service = checked.catalog.services.get(entry.id)?.value;
    const scenario = service?.scenarios?.find((s) => s.expect.submission !== 'invalid' && s.expect.outcome !== 'unassigned');
    if (service?.workflow && scenario) byKind.set(entry.type, { id: entry.id, scenario });
  }
  return [...byKind].map(([kind, pick]) => ({ kind, id: pick.id, scenario: atRealClock(pick.id, pick.scenario), label: `${kind}: ${pick.id} › ${pick.scenario.name}` }));
})();

/**
 * `hall serve` runs on the real clock, and the hall refuses a booking in the past or out of its window
 * (server/engine/booking.ts): an appointment scenario's booking moves to the first date the service opens
 * from now, keeping its resource and slot — what the flow's conditions read.
 */
function atRealClock(id: string, scenario: Scenario): Scenario {
  if (!scenario.booking) return scenario;
  const definition = runtime.current(id);
  for (let days = 0; days < 400; days++) {
    const date = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const booking = { ...scenario.booking, date };
    // Open now and still an hour from now: the process submits a moment later than this choice.
    if (![new Date(), new Date(Date.now() + 3_600_000)].some((at) => bookingProblems(definition, runtime.calendar, booking, at).length)) return { ...scenario, submittedAt: new Date().toISOString(), booking };
  }
  throw new Error(`${id}: no open date for ${scenario.booking.resource} ${scenario.booking.slot} within 400 days`);
}

const reference = (id: string, scenario: Scenario) => runScenario(runtime.current(id), runtime.calendar, scenario, { id, name: runtime.manifest.services.find((s) => s.id === id)!.name.zh }, undefined, directory);

/** The people these scenarios need: each applicant, and one holder per group@scope the interpreter assigns. */
function directoryFor(): { file: string; holderOf: Map<string, string> } {
  const people = new Map<string, { id: string; name: string; attributes: Record<string, string>; holds: string[] }>();
  const holderOf = new Map<string, string>();
  for (const { id, scenario } of picks) {
    const applicant = scenario.applicant as Record<string, unknown>;
    const number = String(applicant.number ?? `applicant-${id}`);
    const attributes = Object.fromEntries(Object.entries(applicant).filter(([k]) => k !== 'name' && k !== 'number').map(([k, v]) => [k, String(v)]));
    const known = people.get(number);
    if (known && JSON.stringify(known.attributes) !== JSON.stringify(attributes)) throw new Error(`two scenarios use applicant ${number} with different attributes`);
    people.set(number, { id: number, name: String(applicant.name ?? number), attributes, holds: [] });
    for (const entry of reference(id, scenario).result.timeline) {
      if (entry.type !== 'assigned' || !entry.assignee || holderOf.has(entry.assignee)) continue;
      const holder = `holder-${holderOf.size + 1}`;
      holderOf.set(entry.assignee, holder);
      people.set(holder, { id: holder, name: `${entry.assignee} 的办理人`, attributes: { type: '教职工' }, holds: [entry.assignee] });
    }
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'hall-directory-')), 'people.yaml');
  writeFileSync(file, stringify({ people: [...people.values()] }));
  return { file, holderOf };
}

const stores = storeFactory();
const { serve } = hallProcesses();

describe.each(STORE_KINDS)('one scenario per service kind through hall serve over HTTP (%s)', (kind) => {
  it('covers every kind of service that has a workflow', () => {
    const kinds = new Set(runtime.manifest.services.filter((s) => s.status === 'online' && s.versions.length && runtime.current(s.id).workflow).map((s) => s.type));
    expect(picks.map((p) => p.kind).sort()).toEqual([...kinds].sort());
  });

  it.each(picks)('$label', async ({ id, scenario }) => {
    const { file, holderOf } = directoryFor();
    const { url } = await serve(['--dev', '--directory', file, '--store', await stores.location(kind)]);
    const expected = reference(id, scenario);
    expect(expected.pass, expected.mismatches.map((m) => m.en).join('; ')).toBe(true);
    const applicantId = String((scenario.applicant as Record<string, unknown>).number ?? `applicant-${id}`);
    const applicant = await signIn(url, applicantId);
    const created = await call(url, 'POST', '/api/applications', { ...applicant, body: { service: id, data: scenario.data, ...(scenario.booking ? { booking: scenario.booking } : {}) } });
    expect(created.status, `submission: ${created.text.slice(0, 300)}`).toBe(201);
    const appId = created.body.application.id as string;
    for (const [i, decision] of scenario.decisions.entries()) {
      const view = await call(url, 'GET', `/api/applications/${appId}`, applicant);
      const task = (view.body.tasks as { id: string; step: string; group: string; scope: string; status: string }[]).find((t) => t.status === 'open' && t.step === decision.step);
      expect(task, `decision ${i + 1} is for ${decision.step}; the application is ${view.body.application.status}`).toBeDefined();
      const assignee = task!.scope ? `${task!.group}@${task!.scope}` : task!.group;
      const holder = await signIn(url, holderOf.get(assignee) ?? 'nobody-holds-it');
      const acted = await call(url, 'POST', `/api/tasks/${task!.id}/decision`, { ...holder, body: { action: decision.action, ...(decision.comment ? { comment: decision.comment } : {}), ...(decision.data ? { data: decision.data } : {}) } });
      expect(acted.status, `decision ${i + 1}: ${acted.text.slice(0, 300)}`).toBe(200);
      if (acted.body.application.status === 'returned') {
        const again = await call(url, 'POST', `/api/applications/${appId}/resubmit`, { ...applicant, body: { changes: decision.revise ?? {} } });
        expect(again.status, `resubmission: ${again.text.slice(0, 300)}`).toBe(200);
      }
    }
    const done = await call(url, 'GET', `/api/applications/${appId}`, applicant);
    expect(done.body.application.status).toBe(expected.result.outcome);
    const events = done.body.events as { type: string; step?: string; group?: string; scope?: string; action?: string; outcome?: string }[];
    expect(events.map((e) => [e.type, e.step ?? '', e.action ?? e.outcome ?? ''])).toEqual(expected.result.timeline.map((t) => [t.type, t.step ?? '', t.action ?? t.outcome ?? '']));
    expect(events.filter((e) => e.type === 'acted').map((e) => e.step)).toEqual(expected.result.path);
    const assigned = Object.fromEntries(events.filter((e) => e.type === 'assigned').map((e) => [e.step, e.scope ? `${e.group}@${e.scope}` : e.group]));
    expect(assigned).toEqual(expected.result.assignees);
  });
});
