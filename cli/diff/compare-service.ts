import { canonicalJson } from '../../lib/shared/canonical.ts';
import { deadlineHours, runtimeDeadline } from '../../lib/interpret/deadline.ts';
import { APPLICANT_STEP_DESCRIBED, applicantStepTerms } from './applicant-step.ts';
import { runtimeBehaviour } from '../compile/fingerprint.ts';
import type { Service, WorkflowNode } from '../model/catalog.ts';
import { fieldsOf, nodesOf } from '../model/catalog.ts';
import type { Decision, Guide, Step } from '../../generated/types/service.ts';
import { unaryTestInWords } from '../site/condition-words.ts';
import * as describe from './describe.ts';
import { bi, text } from './describe.ts';
import type { Bi, Change, Topic } from './model.ts';
import { counted } from '../../lib/shared/plural.ts';
import { systemCallWords } from './system-step.ts';
import { publicityWords } from './publicity.ts';
import { paymentWords } from './payment.ts';

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

const absent = (v: unknown) => v === undefined || v === null;
const isText = (v: unknown): v is string | { zh: string; en?: string } =>
  typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { zh?: unknown }).zh === 'string' && Object.keys(v).every((k) => k === 'zh' || k === 'en'));
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A value in words: texts and scalars as they are, anything else by the names of its parts. */
function brief(v: unknown): Bi {
  if (isText(v)) return text(v);
  if (typeof v === 'boolean') return v ? bi('是', 'yes') : bi('否', 'no');
  if (isScalar(v)) return describe.plain(v);
  if (Array.isArray(v)) return describe.list(v.map(brief));
  if (typeof v === 'object' && v !== null) return describe.list(Object.keys(v).map((k) => PROPERTY_NAMES[k] ?? bi(k)));
  return bi('无', 'none');
}

/**
 * The parts of two values that differ, each with its name and values for people: "备注：旧 → 新",
 * "收费项目 › 第 1 项 › 依据：删除 …". Keys in `namedOnly` are named, never quoted (internal notes).
 */
function differences(a: unknown, b: unknown, name?: Bi, depth = 0, namedOnly: Set<string> = NAMED_ONLY): Bi[] {
  if (same(a, b)) return [];
  const objects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b);
  if (objects && depth < 5) {
    const keys = Array.isArray(a)
      ? [...Array(Math.max(a.length, (b as unknown[]).length)).keys()].map(String)
      : [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => {
      const own = Array.isArray(a) ? bi(`第 ${Number(key) + 1} 项`, `item ${Number(key) + 1}`) : PROPERTY_NAMES[key] ?? bi(key);
      const path = name ? bi(`${name.zh} › ${own.zh}`, `${name.en} › ${own.en}`) : own;
      const [x, y] = [(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]];
      if (!Array.isArray(a) && namedOnly.has(key)) return same(x, y) ? [] : [path];
      return differences(x, y, path, depth + 1, namedOnly);
    });
  }
  const what = absent(a) ? bi(`新增 ${brief(b).zh}`, `added ${brief(b).en}`)
    : absent(b) ? bi(`删除 ${brief(a).zh}`, `removed ${brief(a).en}`)
    : bi(`${brief(a).zh} → ${brief(b).zh}`, `${brief(a).en} → ${brief(b).en}`);
  return [name ? bi(`${name.zh}：${what.zh}`, `${name.en}: ${what.en}`) : what];
}

/** A plain object (not an array). */
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Parts joined into one line. */
const joined = (parts: Bi[]): Bi => bi(parts.map((x) => x.zh).join('；'), parts.map((x) => x.en).join('; '));

/** Properties whose content never goes into a PR comment: internal-only notes, and scenario test data. */
const NAMED_ONLY = new Set(['internal', 'scenarios']);

/**
 * Any difference at all between two values, in words: added, removed, old → new for texts and scalars,
 * or each part that changed with its old and new value. The safety net under every describer: no change goes unsaid.
 */
function generic(topic: Topic, a: unknown, b: unknown, subject?: Bi): Change[] {
  if (same(a, b)) return [];
  const about = subject ? { subject } : {};
  if (absent(a)) return [{ topic, ...about, added: [brief(b)] }];
  if (absent(b)) return [{ topic, ...about, removed: [brief(a)] }];
  if ((isText(a) || isScalar(a)) && (isText(b) || isScalar(b))) return [{ topic, ...about, from: brief(a), to: brief(b) }];
  return [{ topic, ...about, to: joined(differences(a, b)) }];
}

/** What a describer said about a difference, or the generic account when it found nothing to say. */
function ensure(topic: Topic, a: unknown, b: unknown, described: Change[], subject?: Bi): Change[] {
  if (same(a, b)) return [];
  return described.length ? described : generic(topic, a, b, subject);
}

/**
 * Items of a list compared: equal items by key, then the items left over paired in order, so an item that
 * changed (a location that moved to another room) reads old → new instead of removed + added.
 */
function list<T>(topic: Topic, before: T[], after: T[], key: (x: T) => string, label: (x: T) => Bi, terms?: (x: T) => Bi): Change[] {
  const changes: Change[] = [];
  const afterByKey = new Map(after.map((x) => [key(x), x]));
  const beforeKeys = new Set(before.map(key));
  const leftBefore = before.filter((x) => !afterByKey.has(key(x)));
  const leftAfter = after.filter((x) => !beforeKeys.has(key(x)));
  const full = (x: T) => (terms ? bi(`${label(x).zh}（${terms(x).zh}）`, `${label(x).en} (${terms(x).en})`) : label(x));
  for (const old of before) {
    const now = afterByKey.get(key(old));
    if (now === undefined || same(old, now)) continue;
    const from = terms?.(old);
    const to = terms?.(now);
    const said = from && to && !sameBi(from, to) ? [{ topic, subject: label(now), from, to }] : [];
    changes.push(...ensure(topic, old, now, said, label(now)));
    // The terms say some of what changed (a material's form and copies); every other edit of the same item (its note,
    // its source) is said too, or the change notice would omit it. A property is "said" when changing it alone
    // changes the terms.
    if (said.length && terms && isRecord(old) && isRecord(now)) {
      const unsaid = [...new Set([...Object.keys(old), ...Object.keys(now)])].filter(
        (k) => !same(old[k], now[k]) && sameBi(terms(old as T), terms({ ...old, [k]: now[k] } as T)),
      );
      const pick = (o: Record<string, unknown>) => Object.fromEntries(unsaid.filter((k) => k in o).map((k) => [k, o[k]]));
      if (unsaid.length) changes.push({ topic, subject: label(now), to: joined(differences(pick(old), pick(now))) });
    }
  }
  const paired = leftBefore.length === leftAfter.length ? leftBefore.length : 0;
  for (let i = 0; i < paired; i++) changes.push({ topic, from: full(leftBefore[i]), to: full(leftAfter[i]) });
  const added = leftAfter.slice(paired).map(full);
  const removed = leftBefore.slice(paired).map(full);
  if (added.length || removed.length) changes.push({ topic, ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) });
  const order = (xs: T[], keep: Set<string>) => xs.map(key).filter((k) => keep.has(k)).join('\u0000');
  if (!changes.length && order(before, new Set(after.map(key))) !== order(after, beforeKeys)) changes.push({ topic, to: bi('顺序已改变', 'order changed') });
  return changes;
}

const LISTING_DESCRIBED = new Set(['$schema', 'apiVersion', 'kind', 'id', 'status', 'name', 'type', 'classification', 'owner', 'participants', 'audiences', 'topics', 'channels', 'alert', 'retired', 'guide', 'form', 'workflow', 'link', 'appointment', 'privacy']);
const GUIDE_DESCRIBED = new Set(['summary', 'basis', 'conditions', 'procedure', 'materials', 'timeLimit', 'fees', 'visits', 'onlineDepth', 'result', 'locations', 'contacts', 'contingency', 'faq', 'reviewed', 'situations']);

/** Anything else that differs, each with its values, except internal notes and scenarios (named only). */
function more(topic: Topic, a: object, b: object, described: Set<string>): Change[] {
  const rest = (o: object) => Object.fromEntries(Object.entries(o).filter(([k]) => !described.has(k)));
  const parts = differences(rest(a), rest(b));
  return parts.length ? [{ topic, to: joined(parts) }] : [];
}

/** How a service is listed: name, kind, visibility, departments, audiences, topics, channels, notices. */
export function serviceChanges(a: Service, b: Service): Change[] {
  const alert = (s: Service) => (s.alert ? bi(
    `${text(s.alert.text).zh}${s.alert.from || s.alert.until ? `（${s.alert.from ?? ''} 至 ${s.alert.until ?? ''}）` : ''}`,
    `${text(s.alert.text).en}${s.alert.from || s.alert.until ? ` (${s.alert.from ?? ''} to ${s.alert.until ?? ''})` : ''}`,
  ) : bi('无', 'none'));
  return [
    ...more('listingOther', a, b, LISTING_DESCRIBED),
    ...ensure('name', a.name, b.name, value('name', text(a.name), text(b.name))),
    ...value('type', describe.serviceType(a.type), describe.serviceType(b.type)),
    ...value('classification', describe.classification(a.classification), describe.classification(b.classification)),
    ...value('owner', describe.plain(a.owner), describe.plain(b.owner)),
    ...ensure('participants', a.participants, b.participants, set('participants', (a.participants ?? []).map(describe.plain), (b.participants ?? []).map(describe.plain))),
    ...ensure('audiences', a.audiences, b.audiences, set('audiences', a.audiences.map(describe.plain), b.audiences.map(describe.plain))),
    ...ensure('topics', a.topics, b.topics, set('topics', a.topics.map(describe.plain), b.topics.map(describe.plain))),
    ...ensure('channels', a.channels, b.channels, set('channels', (a.channels ?? []).map(describe.plain), (b.channels ?? []).map(describe.plain))),
    ...ensure('alert', a.alert, b.alert, value('alert', alert(a), alert(b))),
    ...ensure('retired', a.retired, b.retired, value('retired', retirement(a), retirement(b))),
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

const TIME_LIMIT_DESCRIBED = new Set(['type', 'legal', 'promised', 'external']);

/** Guide changes users will notice: materials, time limits, fees, visits, where and when, contacts … */
export function guideChanges(a: Guide, b: Guide): Change[] {
  const limitA = a.timeLimit ?? {};
  const limitB = b.timeLimit ?? {};
  return [
    ...generic('summary', a.summary, b.summary),
    ...list('basis', a.basis ?? [], b.basis ?? [], (x) => text(x.name).zh, (x) => text(x.name)),
    ...list('conditions', a.conditions, b.conditions, (x) => text(x).zh, text),
    ...generic('procedure', a.procedure, b.procedure),
    ...list('materials', a.materials, b.materials, (m) => text(m.name).zh, (m) => text(m.name), describe.materialTerms).map((c) => (c.subject ? { ...c, topic: 'material' as const } : c)),
    ...ensure('timeLimitType', a.timeLimit?.type, b.timeLimit?.type, value('timeLimitType', describe.timeLimitType(a.timeLimit?.type), describe.timeLimitType(b.timeLimit?.type))),
    ...ensure('legalLimit', a.timeLimit?.legal, b.timeLimit?.legal, value('legalLimit', describe.duration(a.timeLimit?.legal), describe.duration(b.timeLimit?.legal))),
    ...ensure('promisedLimit', a.timeLimit?.promised, b.timeLimit?.promised, value('promisedLimit', describe.duration(a.timeLimit?.promised), describe.duration(b.timeLimit?.promised))),
    ...ensure('externalLimit', a.timeLimit?.external, b.timeLimit?.external, value('externalLimit', describe.duration(a.timeLimit?.external), describe.duration(b.timeLimit?.external))),
    ...more('timeLimitOther', limitA, limitB, TIME_LIMIT_DESCRIBED),
    ...ensure('fees', a.fees, b.fees, value('fees', describe.fees(a.fees), describe.fees(b.fees))),
    ...ensure('visits', a.visits, b.visits, value('visits', describe.visits(a.visits), describe.visits(b.visits))),
    ...list('situations', a.situations ?? [], b.situations ?? [], (x) => x.id, (x) => labelled(x.id, text(x.name)), describe.situationTerms).map((c) => (c.subject ? { ...c, topic: 'situation' as const } : c)),
    ...ensure('onlineDepth', a.onlineDepth, b.onlineDepth, value('onlineDepth', describe.onlineDepth(a.onlineDepth), describe.onlineDepth(b.onlineDepth))),
    ...ensure('result', a.result, b.result, value('result', describe.result(a.result), describe.result(b.result))),
    ...list('locations', a.locations, b.locations, (p) => canonicalJson(p), describe.place),
    ...ensure('consultation', a.contacts.consultation, b.contacts.consultation, value('consultation', describe.contact(a.contacts.consultation), describe.contact(b.contacts.consultation))),
    ...ensure('complaint', a.contacts.complaint, b.contacts.complaint, value('complaint', describe.contact(a.contacts.complaint), describe.contact(b.contacts.complaint))),
    ...more('guideOther', a.contacts, b.contacts, new Set(['consultation', 'complaint'])),
    ...generic('contingency', a.contingency, b.contingency),
    ...list('faq', a.faq ?? [], b.faq ?? [], (f) => text(f.q).zh, (f) => text(f.q)),
    ...generic('reviewed', a.reviewed, b.reviewed),
    ...more('guideOther', a, b, GUIDE_DESCRIBED),
  ];
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
  zh: bi('中文', 'Chinese'), en: bi('英文', 'English'), note: bi('备注', 'note'), value: bi('数值', 'value'), unit: bi('单位', 'unit'),
  source: bi('来源', 'source'), sourceNote: bi('来源说明', 'source note'), blankForm: bi('空白表格', 'blank form'), sample: bi('样表', 'sample'),
  basis: bi('依据', 'basis'), signature: bi('签字', 'signature'), stamp: bi('盖章', 'stamp'), copies: bi('份数', 'copies'), form: bi('形式', 'form'),
  required: bi('必需', 'required'), article: bi('条款', 'article'), url: bi('网址', 'URL'), grade: bi('等级', 'grade'), flags: bi('能力项', 'capabilities'),
  count: bi('次数', 'count'), reason: bi('原因', 'reason'), free: bi('免费', 'free'), items: bi('收费项目', 'fee items'), standard: bi('标准', 'standard'),
  q: bi('问题', 'question'), a: bi('回答', 'answer'), campus: bi('校区', 'campus'), address: bi('地址', 'address'), room: bi('房间', 'room'),
  hours: bi('办公时间', 'hours'), phone: bi('电话', 'phone'), email: bi('邮箱', 'e-mail'), system: bi('业务系统', 'system'), mobileUrl: bi('移动端网址', 'mobile URL'),
  sso: bi('统一身份认证', 'single sign-on'), resources: bi('资源', 'resources'), slots: bi('时段', 'slots'), limits: bi('限制', 'limits'),
  sections: bi('表单分组', 'form sections'), title: bi('标题', 'title'), steps: bi('环节', 'steps'), notifications: bi('通知', 'notifications'),
  type: bi('类型', 'type'), eCertificate: bi('电子证照', 'e-certificate'), text: bi('文字', 'text'), from: bi('开始日期', 'from'), until: bi('结束日期', 'until'),
  date: bi('日期', 'date'), successor: bi('接替事项', 'successor'), consultation: bi('咨询', 'consultation'), complaint: bi('投诉', 'complaint'),
  visibleIf: bi('显示条件', 'shown if'), prefill: bi('预填', 'prefill'), id: bi('标识', 'id'), group: bi('群组', 'group'), scope: bi('范围', 'scope'),
  department: bi('部门', 'department'), deadline: bi('时限', 'deadline'), actions: bi('操作', 'actions'), reminder: bi('提醒', 'reminder'),
  // Issue 15.7: form-dependent deadlines and per-resource lead times.
  deadlineWhen: bi('随表单的时限', 'form-dependent deadlines'), advanceDays: bi('最多提前天数', 'booking horizon (days)'), minNoticeHours: bi('至少提前小时数', 'minimum notice (hours)'),
  sensitive: bi('敏感个人信息', 'sensitive personal information'), readers: bi('可看全文的人员', 'readers in full'), attachmentRetention: bi('附件保存期限', 'attachment retention'),
};

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
    changes.push(...more('field', old, now, FIELD_DESCRIBED).map((c) => ({ ...c, subject })));
  }
  // Sections without their fields (those are compared above), matched by id, else by title.
  const sections = (s: Service | undefined) => (s?.form?.sections ?? []).map((x) => ({ ...x, fields: undefined }));
  changes.push(...list('sections', sections(a), sections(b), (x) => x.id ?? text(x.title).zh, (x) => text(x.title)));
  // A field moved to another section, or fields reordered: still a change to say.
  return ensure('fields', a?.form, b.form, changes);
}

const nodeName = (node: WorkflowNode): Bi => labelled(node.id, node.name ? text(node.name) : bi(node.id));

/** A step with its deadlines as the runtime writes them, so that 2h and 2小时 compare equal. */
function sameDeadlines(s: Step): Step {
  return { ...s, deadline: runtimeDeadline(s.deadline), ...(s.deadlineWhen ? { deadlineWhen: s.deadlineWhen.map((rule) => ({ ...rule, deadline: runtimeDeadline(rule.deadline) })) as Step['deadlineWhen'] } : {}) };
}

/** A step's deadline in the diff's words: `2 个工作日` / `2 work days`, or `2 小时` / `2 hours` (issue 15.7). */
function deadlineTerm(value: Step['deadline']): Bi {
  const hours = deadlineHours(value);
  if (hours !== undefined) return { zh: `${hours} 小时`, en: counted(hours, 'hour') };
  return { zh: `${value} 个工作日`, en: counted(Number(value), 'work day') };
}

/** `siblings`: for a member of a 依次审批, the other members, whose returns are said as resuming the sequence. */
function stepTerms(s: Step, keys: (keyof Step)[], siblings: ReadonlySet<string> = new Set()): Bi {
  const zh: string[] = [];
  const en: string[] = [];
  for (const key of keys) {
    if (key === 'deadline') {
      zh.push(`时限 ${deadlineTerm(s.deadline).zh}`);
      en.push(`deadline ${deadlineTerm(s.deadline).en}`);
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
    } else if (key === 'deadlineWhen') {
      // Form-dependent deadlines (issue 15.7): each rule with its condition, in the order they are tried.
      const rules = s.deadlineWhen ?? [];
      zh.push(rules.length ? `随表单的时限：${rules.map((r) => `${r.if} 时 ${deadlineTerm(r.deadline).zh}`).join('；')}` : '时限不随表单变化');
      en.push(rules.length ? `form-dependent deadline: ${rules.map((r) => `${deadlineTerm(r.deadline).en} if ${r.if}`).join('; ')}` : 'deadline does not depend on the form');
    } else if (key === 'fallback') {
      // Routing: the fallback scope.
      zh.push(s.fallback === undefined ? '没有备用范围' : `备用范围 ${s.fallback}`);
      en.push(s.fallback === undefined ? 'no fallback scope' : `fallback scope ${s.fallback}`);
    } else if (key === 'returnTo') {
      // Return to a chosen step (issue 15.5): the earlier steps the assignee may send the application back to.
      zh.push(s.returnTo?.length ? `可退回到环节 ${s.returnTo.map((t) => (siblings.has(t) ? `${t}（依次审批中前面的一位，从这一位起依次重新审批）` : t)).join('、')}（或申请人）` : '不退回到其他环节');
      en.push(s.returnTo?.length ? `may return to step ${s.returnTo.map((t) => (siblings.has(t) ? `${t} (an earlier member of the sequence, which resumes there)` : t)).join(', ')} (or the applicant)` : 'returns to no other step');
    } else if (key === 'when') {
      // Countersign variants: a member's condition to take part.
      zh.push(s.when === undefined ? '总是参加会签' : `满足“${s.when}”时参加会签`);
      en.push(s.when === undefined ? 'always takes part in the countersign' : `takes part in the countersign when ${s.when}`);
    }
  }
  return bi(zh.join('，'), en.join(', '));
}

const STEP_DESCRIBED: (keyof Step)[] = ['deadline', 'group', 'scope', 'department', 'actions', 'reminder', 'deadlineWhen', 'when', 'fallback', 'returnTo'];

function workflowChanges(a: Service | undefined, b: Service): Change[] {
  const before = new Map([...nodesOf(a?.workflow?.steps)].map(({ node }) => [node.id, node]));
  const after = new Map([...nodesOf(b.workflow?.steps)].map(({ node }) => [node.id, node]));
  const changes: Change[] = [];
  const added = [...after.values()].filter((n) => !before.has(n.id)).map(nodeName);
  const removed = [...before.values()].filter((n) => !after.has(n.id)).map(nodeName);
  if (added.length || removed.length) changes.push({ topic: 'steps', ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) });
  // The members of each 依次审批, by member: a return among them resumes the sequence (docs/countersign.md).
  const inTurnOf = (m: Map<string, WorkflowNode>) => {
    const out = new Map<string, Set<string>>();
    for (const node of m.values()) if ('parallel' in node && node.parallel === 'sequence') for (const member of node.steps) out.set(member.id, new Set(node.steps.map((x) => x.id)));
    return out;
  };
  const [inTurnA, inTurnB] = [inTurnOf(before), inTurnOf(after)];
  for (const [id, old] of before) {
    const now = after.get(id);
    if (!now || same(old, now)) continue;
    const subject = nodeName(now);
    if ('if' in old && 'if' in now) {
      changes.push(...value('branch', describe.plain(old.if), describe.plain(now.if), subject));
    } else if ('parallel' in old && 'parallel' in now) {
      const mode = (m: string) => (m === 'all' ? bi('全部同意', 'all must approve') : bi('任一同意', 'any one approves'));
      // 依次审批 is said with its order, so a reordering or a switch from 会签 reads as what the approvers now do.
      const inTurn = (p: typeof old) => {
        const names = p.steps.map((st) => text(st.name));
        return bi(`依次审批：${names.map((n) => n.zh).join(' → ')}`, `in turn: ${names.map((n) => n.en).join(' → ')}`);
      };
      // Countersign variants: n of m is said with the count, e.g. 3 人中 2 人同意.
      const votes = (p: typeof old) => (p.parallel === 'sequence' ? inTurn(p) : p.parallel === 'all' && p.atLeast !== undefined ? bi(`${p.steps.length} 人中 ${p.atLeast} 人同意即通过`, `${p.atLeast} of ${p.steps.length} must approve`) : mode(p.parallel));
      changes.push(...value('parallel', votes(old), votes(now), subject));
    } else if ('by' in old && 'by' in now) {
      // Applicant steps (issue 15.1): the deadline and where it counts from, in words.
      const keys = APPLICANT_STEP_DESCRIBED.filter((k) => !same(old[k], now[k]));
      if (keys.length) changes.push({ topic: 'step', subject, from: applicantStepTerms(old, keys), to: applicantStepTerms(now, keys) });
      changes.push(...more('step', old, now, new Set(['id', ...APPLICANT_STEP_DESCRIBED])).map((c) => ({ ...c, subject })));
    } else if ('publicity' in old && 'publicity' in now) {
      // Publicity periods (issue 15.2, cli/diff/publicity.ts): the period and its review, said as a whole; the
      // review steps' own changes are reported as steps (nodesOf walks into objections).
      changes.push(...value('step', publicityWords(old), publicityWords(now), subject));
      changes.push(...more('step', old, now, new Set(['id', 'publicity', 'objections'])).map((c) => ({ ...c, subject })));
    } else if ('payment' in old && 'payment' in now) {
      // Payment steps (issue 15.9b, cli/diff/payment.ts): the order and its period, said as a whole; unpaid steps are reported as steps.
      changes.push(...value('step', paymentWords(old), paymentWords(now), subject));
      changes.push(...more('step', old, now, new Set(['id', 'payment', 'unpaid'])).map((c) => ({ ...c, subject })));
    } else if ('system' in old && 'system' in now) {
      // System steps (issue 15.3): the call, said as a whole (cli/diff/system-step.ts).
      changes.push(...value('step', systemCallWords(old), systemCallWords(now), subject));
      changes.push(...more('step', old, now, new Set(['id', 'system'])).map((c) => ({ ...c, subject })));
    } else if (!('if' in old) && !('parallel' in old) && !('by' in old) && !('system' in old) && !('publicity' in old) && !('payment' in old) && !('if' in now) && !('parallel' in now) && !('by' in now) && !('system' in now) && !('publicity' in now) && !('payment' in now)) {
      // 2h and 2小时 are one deadline (issue 15.7): compared as the runtime writes it, PT2H.
      const [was, is] = [sameDeadlines(old), sameDeadlines(now)];
      const keys = STEP_DESCRIBED.filter((k) => !same(was[k], is[k]));
      if (keys.length) changes.push({ topic: 'step', subject, from: stepTerms(old, keys, inTurnA.get(id)), to: stepTerms(now, keys, inTurnB.get(id)) });
      changes.push(...more('step', old, now, new Set(['id', ...STEP_DESCRIBED])).map((c) => ({ ...c, subject })));
    } else {
      changes.push({ topic: 'step', subject, to: bi('类型已改变', 'changed kind') });
    }
  }
  const order = (m: Map<string, WorkflowNode>, keep: Map<string, WorkflowNode>) => [...m.keys()].filter((k) => keep.has(k));
  if (order(before, after).join() !== order(after, before).join()) changes.push({ topic: 'order' });
  const steps = ensure('steps', a?.workflow?.steps, b.workflow?.steps, changes);
  return [...decisionChanges(a, b), ...steps, ...generic('notifications', a?.workflow?.notifications, b.workflow?.notifications)];
}

/**
 * Decision tables (docs/routing.md), said row by row in the guide's words: a band, a result or the default
 * that changed, rows added or removed, and the input. Each change names the table.
 */
function decisionChanges(a: Service | undefined, b: Service): Change[] {
  const before = new Map((a?.workflow?.decisions ?? []).map((t) => [t.id, t]));
  const after = new Map((b.workflow?.decisions ?? []).map((t) => [t.id, t]));
  const named = (t: Decision) => labelled(t.id, text(t.name));
  const added = [...after.values()].filter((t) => !before.has(t.id)).map(named);
  const removed = [...before.values()].filter((t) => !after.has(t.id)).map(named);
  const changes: Change[] = added.length || removed.length ? [{ topic: 'decisions', ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) }] : [];
  // A rule's tests in words; with several inputs, each named by its column (请假类别：“事假”；请假天数：大于 15).
  const band = (table: Decision, when: string | string[]): Bi => {
    const tests = Array.isArray(when) ? when : [when];
    const words = tests.map(unaryTestInWords);
    if (!table.inputs) return bi(words[0].zh, words[0].en ?? words[0].zh);
    const heads = table.inputs.map((i) => {
      const field = [...fieldsOf(b)].find(({ field: f }) => f.id === i.input.trim())?.field;
      return i.label ? text(i.label) : field ? text(field.label) : bi(i.input, i.input);
    });
    return bi(words.map((w, c) => `${heads[c]?.zh ?? c + 1}：${w.zh}`).join('；'), words.map((w, c) => `${heads[c]?.en ?? c + 1}: ${w.en ?? w.zh}`).join('; '));
  };
  const inputs = (t: Decision) => (t.inputs ? t.inputs.map((i) => i.input).join(' × ') : t.input ?? '');
  const otherwise = (d: string | undefined) => (d === undefined ? bi('没有（结果为空，条件不成立）', 'none (null: conditions are false)') : bi(d, d));
  for (const [id, old] of before) {
    const now = after.get(id);
    if (!now || same(old, now)) continue;
    const subject = bi(`“${text(now.name).zh}”`, `“${text(now.name).en}”`);
    const at = (i: number) => bi(`第 ${i + 1} 行`, `row ${i + 1}`);
    const row = (t: Decision, r: { when: string | string[]; result: string }): Bi => bi(`${band(t, r.when).zh} → ${r.result}`, `${band(t, r.when).en} → ${r.result}`);
    changes.push(...value('decision', describe.plain(inputs(old)), describe.plain(inputs(now)), bi(`${subject.zh} › 输入`, `${subject.en} › input`)));
    for (let i = 0; i < Math.max(old.rules.length, now.rules.length); i++) {
      const [x, y] = [old.rules[i], now.rules[i]];
      const where = bi(`${subject.zh} › ${at(i).zh}`, `${subject.en} › ${at(i).en}`);
      if (x && y) {
        const several = Boolean(old.inputs || now.inputs);
        changes.push(...value('decision', band(old, x.when), band(now, y.when), several ? bi(`${where.zh}的条件`, `${where.en}, tests`) : bi(`${where.zh}的区间`, `${where.en}, band`)));
        changes.push(...value('decision', bi(x.result, x.result), bi(y.result, y.result), bi(`${where.zh}的结果`, `${where.en}, result`)));
      } else if (y) {
        changes.push({ topic: 'decision', subject: where, added: [row(now, y)] });
      } else if (x) {
        changes.push({ topic: 'decision', subject: where, removed: [row(old, x)] });
      }
    }
    changes.push(...value('decision', otherwise(old.default), otherwise(now.default), bi(`${subject.zh} › 其他情况`, `${subject.en} › otherwise`)));
    changes.push(...value('decision', text(old.name), text(now.name), bi(`“${text(old.name).zh}” › 名称`, `“${text(old.name).en}” › name`)));
  }
  return changes;
}

/**
 * What changed in the runtime behaviour — form fields, workflow steps, conditions, deadlines, link and
 * appointment settings — described for a reviewer. `a` is undefined for a service new to the runtime.
 */
export function runtimeChanges(a: Service | undefined, b: Service): Change[] {
  const changes = [...fieldChanges(a, b), ...workflowChanges(a, b)];
  changes.push(...generic('link', a?.link?.url, b.link?.url), ...(a?.link?.url === b.link?.url ? generic('link', a?.link, b.link) : []));
  const resources = (s: Service | undefined) => (s?.appointment?.resources ?? []).map((r) => labelled(r.id, text(r.name)));
  changes.push(...ensure('appointment', a?.appointment, b.appointment, set('appointment', resources(a), resources(b))));
  changes.push(...generic('privacy', a?.privacy, b.privacy));
  return changes;
}

/** Whatever else the runtime fingerprint covers (id, kind, departments, channels), said with its values. */
export function otherRuntimeChanges(a: Service, b: Service): Change[] {
  return generic('other', runtimeBehaviour(a), runtimeBehaviour(b));
}
