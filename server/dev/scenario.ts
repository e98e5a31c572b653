import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Document, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node, YAMLMap, YAMLSeq } from 'yaml';
import type { Scenario } from '../../generated/types/service.ts';
import type { RuntimeDefinition, WorkCalendar } from '../../lib/runtime/index.ts';
import { runScenario } from '../../lib/interpret/scenarios.ts';
import type { ApplicationRecord, Message, TaskRecord } from '../engine/engine.ts';

/**
 * `hall dev`: a run tried in the browser, saved as a test scenario in the service's YAML file, so the flow
 * test before go-live (002号文第九条) is kept and rerun by `hall test`. The scenario says what the run did:
 * the submission, the applicant's attributes the flow may read, each decision in order with its comment,
 * step fields and time, and what was expected — the path, the outcome and who held each step (group@scope).
 */

/** Why a run cannot be saved, for the person who asked (Chinese first). */
export class ScenarioRefused extends Error {
  readonly messages: Message;
  readonly status: number;
  constructor(messages: Message, status = 409) {
    super(messages.en);
    this.name = 'ScenarioRefused';
    this.messages = messages;
    this.status = status;
  }
}

const OUTCOME: Partial<Record<ApplicationRecord['status'], Scenario['expect']['outcome']>> = { approved: 'approved', rejected: 'rejected', unpaid: 'unpaid', incident: 'unassigned' };

/** An instant written with the school's own offset (2026-03-02T09:00:00+08:00), as scenarios in the catalog are. */
export function localInstant(iso: string, timezone: string): string {
  const date = new Date(iso);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const offset = parts.timeZoneName === 'GMT' ? 'Z' : parts.timeZoneName.replace(/^GMT/, '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/**
 * The scenario a finished run is: refused (ScenarioRefused) when the run is not finished, was withdrawn, or
 * its replay as a scenario on the definition the working tree builds now does not end as the run did.
 */
export function scenarioOf(input: {
  application: ApplicationRecord;
  tasks: TaskRecord[];
  definition: RuntimeDefinition;
  calendar: WorkCalendar;
  serviceName: string;
  /** hall.yaml's applicant.* data sources (without the prefix); other attributes are the directory's, not the flow's. */
  applicantKeys?: Set<string>;
  name?: string;
}): Scenario {
  const { application: app, tasks, definition, calendar } = input;
  const outcome = OUTCOME[app.status];
  if (app.status === 'withdrawn') {
    throw new ScenarioRefused({ zh: '这个申请已被申请人撤回。测试场景只能以“通过”“不通过”或“无法分派”结束，撤回无法写成场景。', en: 'This application was withdrawn. A scenario ends approved, rejected or unassigned; a withdrawal cannot be written as one.' });
  }
  if (!outcome) {
    throw new ScenarioRefused({
      zh: `这个申请还没有办结（当前状态：${app.status === 'returned' ? '已退回，等待申请人修改' : '办理中'}）。测试场景要写明最终结果，请把流程走完（通过、不通过，或停在无法分派的环节）后再保存。`,
      en: `This application is not finished (status: ${app.status}). A scenario states the final outcome: take the run to approval, rejection or an unassigned step, then save it.`,
    });
  }
  const tz = calendar.timezone;
  const keys = input.applicantKeys;
  const applicant = Object.fromEntries(Object.entries(app.applicant).filter(([k, v]) => /^[a-z][a-zA-Z0-9]*$/.test(k) && v !== undefined && v !== null && (!keys || keys.has(k))).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const decisions: Scenario['decisions'] = app.decisions.map((d) => ({
    step: d.step,
    action: d.action,
    ...(d.comment ? { comment: d.comment } : {}),
    ...(d.data && Object.keys(d.data).length ? { data: d.data } : {}),
    ...(d.revise && Object.keys(d.revise).length ? { revise: d.revise } : {}),
    ...(d.at ? { at: localInstant(d.at, tz) } : {}),
  }));
  // Who held each step: the tasks' group@scope at the step's latest activation, as the interpreter names it.
  const assignees: Record<string, string> = {};
  for (const task of [...tasks].sort((a, b) => (a.openedAt < b.openedAt ? -1 : a.openedAt > b.openedAt ? 1 : a.round - b.round))) {
    assignees[task.step] = task.scope ? `${task.group}@${task.scope}` : task.group;
  }
  // An objection (公示, issue 15.2) is no step decided: the period is on the path once, where its `close` ended it.
  const path = app.decisions.filter((d) => d.action !== 'object').map((d) => d.step);
  const scenario: Scenario = {
    name: input.name?.trim() || `试办：${String(app.applicant.name ?? app.applicantId)}，${label(outcome)}（${localInstant(app.submittedAt, tz).slice(0, 16).replace('T', ' ')}）`,
    submittedAt: localInstant(app.submittedAt, tz),
    applicant,
    data: app.data,
    ...(app.booking ? { booking: app.booking } : {}),
    decisions,
    expect: { path, outcome, ...(Object.keys(assignees).length ? { assignees } : {}) },
  };
  const replay = runScenario(definition, calendar, scenario, { id: app.service, name: input.serviceName });
  if (!replay.pass) {
    throw new ScenarioRefused({
      zh: `这次试办无法写成测试场景：按场景重放时结果不同（${replay.mismatches.map((m) => m.zh).join('；')}）。常见原因是保存前事项文件改过，或办理中有只在运行时发生的情况（如到期提醒后才办理）。请在当前定义上重新试办一次再保存。`,
      en: `This run cannot be written as a scenario: replayed as one it ends differently (${replay.mismatches.map((m) => m.en).join('; ')}). Usually the service file changed since the run, or something happened only at run time. Try the flow again on the current definition, then save it.`,
    });
  }
  return scenario;
}

function label(outcome: Scenario['expect']['outcome']): string {
  return outcome === 'approved' ? '通过' : outcome === 'rejected' ? '不通过' : outcome === 'unpaid' ? '未缴费' : '无法分派';
}

/** The YAML file of a service in a catalog folder: `<dept>/<id>.yaml` whose `id:` is the service's. */
export async function serviceFile(catalog: string, id: string): Promise<string | undefined> {
  for (const entry of await readdir(catalog, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    for (const name of [`${id}.yaml`, `${id}.yml`]) {
      const file = path.join(catalog, entry.name, name);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const doc = parseDocument(text);
      if (doc.get('id') === id) return file;
    }
  }
  return undefined;
}

/** hall.yaml's applicant.* data sources, without the prefix (undefined when it lists none). */
export async function applicantKeysOf(catalog: string): Promise<Set<string> | undefined> {
  const text = await readFile(path.join(catalog, 'hall.yaml'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const sources = (parseDocument(text).toJS() as { dataSources?: { id?: unknown }[] } | null)?.dataSources;
  if (!Array.isArray(sources)) return undefined;
  const keys = sources.map((s) => (typeof s?.id === 'string' && s.id.startsWith('applicant.') ? s.id.slice('applicant.'.length) : '')).filter(Boolean);
  return keys.length ? new Set(keys) : undefined;
}

/**
 * The file's text with the scenario added as the last item of `scenarios:` (the key added at the end when
 * missing). Only the added block is new: the rest of the text is kept byte for byte — comments, blank lines,
 * quoting and flow style — because the item is written by the `yaml` Document API on its own and spliced in
 * after the last item the parsed document locates, then the whole file is parsed again to prove it holds the
 * scenario and nothing else changed.
 */
export function withScenario(text: string, scenario: Scenario, file = 'service.yaml'): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length) throw new ScenarioRefused({ zh: `${file} 现在不是有效的 YAML（${doc.errors[0].message}），请先修正。`, en: `${file} is not valid YAML now (${doc.errors[0].message}); fix it first.` }, 422);
  if (!isMap(doc.contents)) throw new ScenarioRefused({ zh: `${file} 的顶层不是映射。`, en: `${file} is not a mapping at the top level.` }, 422);
  const names = ((doc.toJS() as { scenarios?: { name?: unknown }[] }).scenarios ?? []).map((s) => s?.name);
  if (names.includes(scenario.name)) throw new ScenarioRefused({ zh: `${file} 中已有名为“${scenario.name}”的场景，请换一个名称。`, en: `${file} already has a scenario named "${scenario.name}"; choose another name.` });
  const existing = doc.get('scenarios', true) as Node | undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let next: string;
  if (existing === undefined || (isScalar(existing) && existing.value === null)) {
    if (existing !== undefined) throw new ScenarioRefused({ zh: `${file} 的 scenarios 是空的，请删除这一行或写成列表后再保存。`, en: `${file} has an empty scenarios key; remove it or make it a list, then save.` }, 422);
    const block = `scenarios:${eol}${itemText(scenario, 2, eol)}`;
    next = text.length === 0 || text.endsWith('\n') ? `${text}${block}` : `${text}${eol}${block}`;
  } else if (isSeq(existing) && !existing.flow && existing.items.length && existing.range) {
    const seq = existing as YAMLSeq;
    const indent = columnOf(text, seq.range![0]);
    const last = seq.items.at(-1) as Node;
    const end = lineEnd(text, last.range![1] > 0 ? last.range![1] - 1 : 0);
    const before = text.slice(0, end);
    const after = text.slice(end);
    next = `${before}${before.endsWith('\n') ? '' : eol}${itemText(scenario, indent, eol)}${after}`;
  } else {
    throw new ScenarioRefused({ zh: `${file} 的 scenarios 不是块状列表（“- name: …”逐项书写），无法在保留原文的同时添加，请改写后再保存。`, en: `${file}'s scenarios is not a block list ("- name: …" items); it cannot be extended while keeping the text. Rewrite it, then save.` }, 422);
  }
  // Proof: the new text parses, holds every old scenario and the new one last, and everything else is unchanged.
  const check = parseDocument(next);
  const was = doc.toJS() as Record<string, unknown>;
  const now = check.errors.length ? undefined : (check.toJS() as Record<string, unknown>);
  const expected = { ...was, scenarios: [...((was.scenarios as unknown[]) ?? []), JSON.parse(JSON.stringify(scenario))] };
  if (!now || JSON.stringify(now) !== JSON.stringify(expected)) {
    throw new ScenarioRefused({ zh: `无法在 ${file} 中原样添加场景（文件的写法特殊），未修改文件。`, en: `The scenario could not be added to ${file} while keeping its text; the file was not changed.` }, 422);
  }
  return next;
}

/** Write the scenario into the service's file in the working tree. */
export async function saveScenario(file: string, scenario: Scenario): Promise<void> {
  const text = await readFile(file, 'utf8');
  await writeFile(file, withScenario(text, scenario, path.basename(file)));
}

/** One `- name: …` item, indented to the list, written in the catalog's style: short maps and lists on one line. */
function itemText(scenario: Scenario, indent: number, eol: string): string {
  const item = new Document([scenario]);
  const seq = item.contents as YAMLSeq;
  const map = seq.items[0] as YAMLMap;
  for (const key of ['applicant', 'data', 'booking']) flow(map.get(key, true));
  const decisions = map.get('decisions', true);
  if (isSeq(decisions)) {
    if (!decisions.items.length) decisions.flow = true;
    for (const d of decisions.items) flow(d);
  }
  const expectation = map.get('expect', true);
  if (isMap(expectation)) {
    flow(expectation.get('path', true));
    flow(expectation.get('assignees', true));
  }
  const body = item.toString({ lineWidth: 0, indent: 2, indentSeq: true, flowCollectionPadding: true });
  const pad = ' '.repeat(indent);
  return body
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `${pad}${line}`)
    .join(eol)
    .concat(eol);
}

function flow(node: unknown): void {
  if (isMap(node) || isSeq(node)) node.flow = true;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** The offset just past the newline that ends the line holding `offset` (or the text's end). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}
