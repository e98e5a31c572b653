import { canonicalJson } from '../build/canonical.ts';
import type { Service, WorkflowNode } from '../model/catalog.ts';
import { fieldsOf, nodesOf } from '../model/catalog.ts';
import type { Guide, Step } from '../../generated/types/service.ts';
import * as describe from './describe.ts';
import { bi, text } from './describe.ts';
import type { Bi, Change, Topic } from './model.ts';
import { counted } from '../shared/plural.ts';

/** Comparing one service at two points in time. Pure; every result is described in both languages. */

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const sameBi = (a: Bi, b: Bi) => a.zh === b.zh && a.en === b.en;

function value(topic: Topic, from: Bi, to: Bi, subject?: Bi): Change[] {
  return sameBi(from, to) ? [] : [{ topic, ...(subject ? { subject } : {}), from, to }];
}

/** Items added and removed, matched by their Chinese text. */
function set(topic: Topic, before: Bi[], after: Bi[]): Change[] {
  const a = new Set(before.map((x) => x.zh));
  const b = new Set(after.map((x) => x.zh));
  const added = after.filter((x) => !a.has(x.zh));
  const removed = before.filter((x) => !b.has(x.zh));
  return added.length || removed.length ? [{ topic, ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) }] : [];
}

const edited = (topic: Topic, a: unknown, b: unknown, subject?: Bi): Change[] => (same(a, b) ? [] : [{ topic, ...(subject ? { subject } : {}) }]);

const LISTING_DESCRIBED = new Set(['$schema', 'apiVersion', 'kind', 'id', 'status', 'name', 'type', 'classification', 'owner', 'participants', 'audiences', 'topics', 'channels', 'alert', 'retired', 'guide', 'form', 'workflow', 'link', 'appointment']);
const GUIDE_DESCRIBED = new Set(['summary', 'basis', 'conditions', 'materials', 'timeLimit', 'fees', 'visits', 'onlineDepth', 'result', 'locations', 'contacts', 'contingency', 'faq', 'reviewed']);

/** Anything else that differs, by name only (never its content: it may be internal-only, like guide.internal). */
function more(topic: Topic, a: object, b: object, described: Set<string>): Change[] {
  const names = otherChanges(a, b, described);
  return names.length ? [{ topic, to: changed(names) }] : [];
}

/** How a service is listed: name, kind, visibility, departments, audiences, topics, channels, notices. */
export function serviceChanges(a: Service, b: Service): Change[] {
  return [
    ...more('listingOther', a, b, LISTING_DESCRIBED),
    ...value('name', text(a.name), text(b.name)),
    ...value('type', describe.serviceType(a.type), describe.serviceType(b.type)),
    ...value('classification', describe.classification(a.classification), describe.classification(b.classification)),
    ...value('owner', describe.plain(a.owner), describe.plain(b.owner)),
    ...set('participants', (a.participants ?? []).map(describe.plain), (b.participants ?? []).map(describe.plain)),
    ...set('audiences', a.audiences.map(describe.plain), b.audiences.map(describe.plain)),
    ...set('topics', a.topics.map(describe.plain), b.topics.map(describe.plain)),
    ...set('channels', (a.channels ?? []).map(describe.plain), (b.channels ?? []).map(describe.plain)),
    ...value('alert', a.alert ? text(a.alert.text) : bi('无', 'none'), b.alert ? text(b.alert.text) : bi('无', 'none')),
    ...value('retired', retirement(a), retirement(b)),
  ];
}

function retirement(s: Service): Bi {
  if (!s.retired) return bi('无', 'none');
  const reason = text(s.retired.reason);
  const successor = s.retired.successor;
  return bi(
    `${s.retired.date} 停办：${reason.zh}${successor ? `（由 ${successor} 接替）` : ''}`,
    `retired ${s.retired.date}: ${reason.en}${successor ? ` (succeeded by ${successor})` : ''}`,
  );
}

/** Guide changes users will notice: materials, time limits, fees, visits, where and when, contacts … */
export function guideChanges(a: Guide, b: Guide): Change[] {
  const changes: Change[] = [
    ...edited('summary', a.summary, b.summary),
    ...set('basis', (a.basis ?? []).map((x) => text(x.name)), (b.basis ?? []).map((x) => text(x.name))),
    ...set('conditions', a.conditions.map(text), b.conditions.map(text)),
  ];
  const materialsA = new Map(a.materials.map((m) => [text(m.name).zh, m]));
  const materialsB = new Map(b.materials.map((m) => [text(m.name).zh, m]));
  changes.push(...set('materials', a.materials.map((m) => text(m.name)), b.materials.map((m) => text(m.name))));
  for (const [name, before] of materialsA) {
    const after = materialsB.get(name);
    if (!after || same(before, after)) continue;
    const termsA = describe.materialTerms(before);
    const termsB = describe.materialTerms(after);
    changes.push(sameBi(termsA, termsB) ? { topic: 'material', subject: text(after.name) } : { topic: 'material', subject: text(after.name), from: termsA, to: termsB });
  }
  changes.push(
    ...value('timeLimitType', describe.timeLimitType(a.timeLimit?.type), describe.timeLimitType(b.timeLimit?.type)),
    ...value('legalLimit', describe.duration(a.timeLimit?.legal), describe.duration(b.timeLimit?.legal)),
    ...value('promisedLimit', describe.duration(a.timeLimit?.promised), describe.duration(b.timeLimit?.promised)),
    ...value('fees', describe.fees(a.fees), describe.fees(b.fees)),
    ...value('visits', describe.visits(a.visits), describe.visits(b.visits)),
    ...value('onlineDepth', describe.onlineDepth(a.onlineDepth), describe.onlineDepth(b.onlineDepth)),
    ...value('result', describe.result(a.result), describe.result(b.result)),
    ...set('locations', a.locations.map(describe.place), b.locations.map(describe.place)),
    ...value('consultation', describe.contact(a.contacts.consultation), describe.contact(b.contacts.consultation)),
    ...value('complaint', describe.contact(a.contacts.complaint), describe.contact(b.contacts.complaint)),
    ...edited('contingency', a.contingency, b.contingency),
    ...set('faq', (a.faq ?? []).map((f) => text(f.q)), (b.faq ?? []).map((f) => text(f.q))),
    ...more('guideOther', a, b, GUIDE_DESCRIBED),
  );
  return changes;
}

const labelled = (id: string, label: Bi): Bi => bi(`${id}「${label.zh}」`, `${id} "${label.en}"`);

/** Names of form-field and step properties for "changed …" lines; a property not listed reads as its key. */
const PROPERTY_NAMES: Record<string, Bi> = {
  label: bi('名称', 'label'), options: bi('选项', 'options'), min: bi('最小值', 'minimum'), max: bi('最大值', 'maximum'),
  minLength: bi('最少字数', 'minimum length'), maxLength: bi('最多字数', 'maximum length'), pattern: bi('格式', 'pattern'),
  patternMessage: bi('格式提示', 'pattern message'), validIf: bi('校验条件', 'validation rule'), validMessage: bi('校验提示', 'validation message'),
  accept: bi('附件类型', 'file types'), maxSizeMB: bi('附件大小', 'file size'), maxFiles: bi('附件个数', 'number of files'),
  columns: bi('表格列', 'columns'), minRows: bi('最少行数', 'minimum rows'), maxRows: bi('最多行数', 'maximum rows'),
  readonly: bi('只读', 'read-only'), help: bi('说明', 'help'), placeholder: bi('提示文字', 'placeholder'),
  name: bi('名称', 'name'), description: bi('说明', 'description'), notify: bi('通知', 'notifications'), fields: bi('办理人填写的字段', 'fields filled in at the step'),
  keywords: bi('搜索关键词', 'keywords'), hot: bi('热门', 'hot'), recommended: bi('推荐', 'recommended'), quickAccess: bi('快捷通道', 'quick access'),
  scenarios: bi('测试场景', 'test scenarios'), procedure: bi('办理流程说明', 'procedure'), internal: bi('内部信息', 'internal notes'),
};

/** The properties that differ between two versions of an object, except those described elsewhere. */
function otherChanges(a: object, b: object, described: Set<string>): Bi[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !described.has(k) && !same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  return keys.map((k) => PROPERTY_NAMES[k] ?? bi(k));
}

const changed = (names: Bi[]): Bi => bi(`已修改${names.map((x) => x.zh).join('、')}`, `changed ${names.map((x) => x.en).join(', ')}`);

const FIELD_DESCRIBED = new Set(['id', 'type', 'required', 'prefill', 'visibleIf']);

function fieldTerms(f: { type: string; required?: boolean; prefill?: string; visibleIf?: string }): Bi {
  const required = f.required ? bi('必填', 'required') : bi('选填', 'optional');
  const zh = [f.type, required.zh, f.prefill ? `预填 ${f.prefill}` : '', f.visibleIf ? `显示条件 ${f.visibleIf}` : ''].filter(Boolean);
  const en = [f.type, required.en, f.prefill ? `prefilled from ${f.prefill}` : '', f.visibleIf ? `shown if ${f.visibleIf}` : ''].filter(Boolean);
  return bi(zh.join('，'), en.join(', '));
}

function fieldChanges(a: Service | undefined, b: Service): Change[] {
  const before = new Map([...(a ? fieldsOf(a) : [])].map(({ field }) => [field.id, field]));
  const after = new Map([...fieldsOf(b)].map(({ field }) => [field.id, field]));
  const changes: Change[] = [];
  const added = [...after.values()].filter((f) => !before.has(f.id)).map((f) => labelled(f.id, text(f.label)));
  const removed = [...before.values()].filter((f) => !after.has(f.id)).map((f) => labelled(f.id, text(f.label)));
  if (added.length || removed.length) changes.push({ topic: 'fields', ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) });
  for (const [id, old] of before) {
    const now = after.get(id);
    if (!now || same(old, now)) continue;
    const subject = labelled(id, text(now.label));
    const termsA = fieldTerms(old);
    const termsB = fieldTerms(now);
    if (!sameBi(termsA, termsB)) changes.push({ topic: 'field', subject, from: termsA, to: termsB });
    const other = otherChanges(old, now, FIELD_DESCRIBED);
    if (other.length) changes.push({ topic: 'field', subject, to: changed(other) });
  }
  const sectionsA = (a?.form?.sections ?? []).map((s) => text(s.title));
  const sectionsB = (b.form?.sections ?? []).map((s) => text(s.title));
  changes.push(...set('sections', sectionsA, sectionsB));
  return changes;
}

const nodeName = (node: WorkflowNode): Bi => labelled(node.id, node.name ? text(node.name) : bi(node.id));

function stepTerms(s: Step, keys: (keyof Step)[]): Bi {
  const zh: string[] = [];
  const en: string[] = [];
  for (const key of keys) {
    if (key === 'deadline') {
      zh.push(`时限 ${s.deadline} 个工作日`);
      en.push(`deadline ${counted(s.deadline, 'work day')}`);
    } else if (key === 'group' || key === 'scope') {
      if (zh.some((x) => x.startsWith('办理人'))) continue;
      zh.push(`办理人 ${s.group}@${s.scope}`);
      en.push(`assignee ${s.group}@${s.scope}`);
    } else if (key === 'department') {
      zh.push(`部门 ${s.department}`);
      en.push(`department ${s.department}`);
    } else if (key === 'actions') {
      zh.push(`操作 ${s.actions.join('/')}`);
      en.push(`actions ${s.actions.join('/')}`);
    } else if (key === 'reminder') {
      zh.push(`提前 ${s.reminder ?? 0} 天提醒`);
      en.push(`reminder ${counted(s.reminder ?? 0, 'day')} ahead`);
    }
  }
  return bi(zh.join('，'), en.join(', '));
}

const STEP_DESCRIBED: (keyof Step)[] = ['deadline', 'group', 'scope', 'department', 'actions', 'reminder'];

function workflowChanges(a: Service | undefined, b: Service): Change[] {
  const before = new Map([...nodesOf(a?.workflow?.steps)].map(({ node }) => [node.id, node]));
  const after = new Map([...nodesOf(b.workflow?.steps)].map(({ node }) => [node.id, node]));
  const changes: Change[] = [];
  const added = [...after.values()].filter((n) => !before.has(n.id)).map(nodeName);
  const removed = [...before.values()].filter((n) => !after.has(n.id)).map(nodeName);
  if (added.length || removed.length) changes.push({ topic: 'steps', ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) });
  for (const [id, old] of before) {
    const now = after.get(id);
    if (!now || same(old, now)) continue;
    const subject = nodeName(now);
    if ('if' in old && 'if' in now) {
      changes.push(...value('branch', describe.plain(old.if), describe.plain(now.if), subject));
    } else if ('parallel' in old && 'parallel' in now) {
      const mode = (m: string) => (m === 'all' ? bi('全部同意', 'all must approve') : bi('任一同意', 'any one approves'));
      changes.push(...value('parallel', mode(old.parallel), mode(now.parallel), subject));
    } else if (!('if' in old) && !('parallel' in old) && !('if' in now) && !('parallel' in now)) {
      const keys = STEP_DESCRIBED.filter((k) => !same(old[k], now[k]));
      if (keys.length) changes.push({ topic: 'step', subject, from: stepTerms(old, keys), to: stepTerms(now, keys) });
      const other = otherChanges(old, now, new Set(['id', ...STEP_DESCRIBED]));
      if (other.length) changes.push({ topic: 'step', subject, to: changed(other) });
    } else {
      changes.push({ topic: 'step', subject, to: bi('类型已改变', 'changed kind') });
    }
  }
  const order = (m: Map<string, WorkflowNode>, keep: Map<string, WorkflowNode>) => [...m.keys()].filter((k) => keep.has(k));
  if (order(before, after).join() !== order(after, before).join()) changes.push({ topic: 'order' });
  changes.push(...edited('notifications', a?.workflow?.notifications, b.workflow?.notifications));
  return changes;
}

/**
 * What changed in the runtime behaviour — form fields, workflow steps, conditions, deadlines, link and
 * appointment settings — described for a reviewer. `a` is undefined for a service new to the runtime.
 */
export function runtimeChanges(a: Service | undefined, b: Service): Change[] {
  const changes = [...fieldChanges(a, b), ...workflowChanges(a, b)];
  if (!same(a?.link, b.link)) {
    changes.push(...(b.link ? value('link', a?.link ? describe.plain(a.link.url) : bi('无', 'none'), describe.plain(b.link.url)) : []));
    if (b.link && a?.link?.url === b.link.url) changes.push({ topic: 'link' });
  }
  if (!same(a?.appointment, b.appointment)) {
    const resources = (s: Service | undefined) => (s?.appointment?.resources ?? []).map((r) => labelled(r.id, text(r.name)));
    const found = set('appointment', resources(a), resources(b));
    changes.push(...(found.length ? found : [{ topic: 'appointment' as const }]));
  }
  return changes;
}
