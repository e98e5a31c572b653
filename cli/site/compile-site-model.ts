import path from 'node:path';
import type { Catalog, Department, Hall, LocalizedText, Service, Step, WorkflowNode } from '../model/catalog.ts';
import { fieldsOf, stepsOf, textZh } from '../model/catalog.ts';
import { situationFacts } from '../model/situations.ts';
import type { Decision, Place, SystemStep } from '../../generated/types/service.ts';
import { resolveAttachment } from '../resolve/resolve-catalog.ts';
import { conditionInWords, unaryTestInWords } from './condition-words.ts';
import { longestDeadline, runtimeDeadline, shortestDeadline } from '../../lib/interpret/deadline.ts';
import type { GitHistory } from './git-history.ts';
import { pinyinKeys, pinyinSortKey } from './pinyin.ts';
import { computeCatalogStats, renderStatsPage } from '../stats/index.ts';
import type {
  FileLink,
  Handbook,
  Ref,
  SiteChange,
  SiteContact,
  SiteDepartment,
  SiteFile,
  SiteGuide,
  SiteHistoryEntry,
  SiteModel,
  SiteNode,
  SitePlace,
  SitePrivacy,
  SiteService,
  SiteStep,
  SiteText,
  SiteDecision,
  SiteWorkflow,
  Variant,
  VocabEntry,
} from './types.ts';

export interface SiteModelOptions {
  variant: Variant;
  /** The date alerts are judged on; defaults to the newest catalog commit's date, else the newest review date. */
  asOf?: string;
  /** The admins' handbook (format and diagnostic references, PR process); compiled separately. */
  handbook?: Handbook;
}

/** How many changes a service page lists, and how many the feed carries. */
const HISTORY_PER_SERVICE = 20;
const FEED_ENTRIES = 50;

const EMPTY_HANDBOOK: Handbook = { formats: [], commonTypes: [], diagnostics: [] };

/** Catalog text as site text. */
function st(text: LocalizedText): SiteText;
function st(text: LocalizedText | undefined): SiteText | undefined;
function st(text: LocalizedText | undefined): SiteText | undefined {
  if (text === undefined) return undefined;
  if (typeof text === 'string') return { zh: text };
  return text.en ? { zh: text.zh, en: text.en } : { zh: text.zh };
}

/** Drop undefined members so the JSON (and the site built from it) has one shape per value. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Which services a variant publishes: never confidential, never drafts; campus-only only on campus. */
export function isPublished(service: Service, variant: Variant): boolean {
  if (service.classification === 'confidential' || service.status === 'draft') return false;
  return variant === 'campus' || service.classification === 'public';
}

/** Published and not retired: what listings, counts and search show. */
export function isListed(service: Service, variant: Variant): boolean {
  return isPublished(service, variant) && service.status !== 'retired';
}

function place(p: Place): SitePlace {
  return compact({ name: st(p.name), campus: st(p.campus), address: st(p.address), room: st(p.room), hours: st(p.hours), phone: p.phone });
}

function contact(c: { name?: LocalizedText; phone?: string; email?: string; url?: string }): SiteContact {
  return compact({ name: st(c.name), phone: c.phone, email: c.email, url: c.url });
}

function dateIn(time: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(time));
}

/** The compiled catalog, ready for the site. Pure: the same catalog, options and history give the same model. */
export function compileSiteModel(catalog: Catalog, options: SiteModelOptions, history: GitHistory): SiteModel {
  const hall = catalog.hall?.value;
  if (!hall) throw new Error('compileSiteModel needs a checked catalog with hall.yaml');
  const { variant } = options;
  const timeZone = hall.calendar.timezone;
  const all = [...catalog.services.values()];
  const published = new Map(all.filter((s) => isPublished(s.value, variant)).map((s) => [s.value.id, s]));

  const departments = new Map([...catalog.departments.values()].map((d) => [d.value.code, d.value]));
  const groups = new Map([...catalog.groups.values()].map((g) => [g.value.id, g.value]));
  const deptRef = (code: string): Ref => ({ id: code, name: st(departments.get(code)?.name ?? code) });
  const vocabRef = (entries: Hall['topics'], id: string): Ref => ({ id, name: st(entries.find((e) => e.id === id)?.name ?? id) });
  const isOnCampusOnly = (id: string): boolean => {
    const target = catalog.services.get(id)?.value;
    return Boolean(target && !isPublished(target, variant) && isPublished(target, 'campus'));
  };
  const serviceRef = (id: string | undefined): (Ref & { url: string }) | undefined => {
    const target = id ? published.get(id) : undefined;
    return target ? { id: target.value.id, name: st(target.value.name), url: serviceUrl(target.value.id) } : undefined;
  };

  // Attachments: repository path → site file, only for what published services link to.
  const files = new Map<string, SiteFile>();
  const catalogPrefix = catalog.dir === '.' ? '' : `${catalog.dir}/`;
  const fileLink = (yamlFile: string, attachment: string | undefined): FileLink | undefined => {
    if (!attachment) return undefined;
    const source = resolveAttachment(yamlFile, attachment, catalog.dir);
    if (!source || !catalog.files.has(source)) return undefined;
    const rel = source.slice(catalogPrefix.length);
    const url = `/attachments/${rel.split('/').map(encodeURIComponent).join('/')}`;
    files.set(source, { source, url });
    const name = path.posix.basename(rel);
    return { url, name, format: path.posix.extname(name).slice(1).toUpperCase() };
  };

  // History: which commits touched which service file, and which commits may show their subject.
  const serviceByFile = new Map(all.map((s) => [s.parsed.file, s.value]));
  const publishedFiles = new Set<string>();
  for (const file of catalog.files) {
    if (!/\.ya?ml$/i.test(file)) continue;
    const service = serviceByFile.get(file);
    if (!service || published.has(service.id)) publishedFiles.add(file);
  }
  for (const s of published.values()) collectAttachments(s.value).forEach((a) => {
    const source = resolveAttachment(s.parsed.file, a, catalog.dir);
    if (source) publishedFiles.add(source);
  });
  const historyOf = new Map<string, SiteHistoryEntry[]>();
  const changes: SiteChange[] = [];
  for (const commit of history.commits) {
    // A subject may name anything the commit touched: show it only if everything it touched is published here.
    const subjectSafe = commit.files.every((f) => publishedFiles.has(f));
    const date = dateIn(commit.time, timeZone);
    for (const file of commit.files) {
      const service = serviceByFile.get(file);
      if (!service || !published.has(service.id)) continue;
      const entry: SiteHistoryEntry = compact({ date, commit: commit.hash, subject: subjectSafe && commit.subject ? commit.subject : undefined });
      const list = historyOf.get(service.id) ?? [];
      list.push(entry);
      historyOf.set(service.id, list);
      changes.push({ ...entry, service: service.id, name: st(service.name), time: commit.time });
    }
  }

  const asOf =
    options.asOf ??
    (history.commits.length ? history.commits.map((c) => dateIn(c.time, timeZone)).sort(byString).at(-1)! : undefined) ??
    [...published.values()].map((s) => s.value.guide.reviewed).sort(byString).at(-1) ??
    '1970-01-01';

  const services: SiteService[] = [];
  for (const located of published.values()) {
    const s = located.value;
    const labels = labelsOf(s, hall);
    const base = {
      id: s.id,
      url: serviceUrl(s.id),
      name: st(s.name),
      sortKey: `${pinyinSortKey(textZh(s.name))} ${s.id}`,
      pinyin: pinyinKeys(textZh(s.name)),
      kind: s.type,
      status: s.status as SiteService['status'],
      classification: s.classification as SiteService['classification'],
      owner: deptRef(s.owner),
      participants: (s.participants ?? []).map(deptRef),
      audiences: s.audiences.map((id) => vocabRef(hall.audiences, id)),
      topics: s.topics.map((id) => vocabRef(hall.topics, id)),
      channels: (s.channels ?? []).map((id) => vocabRef(hall.channels, id)),
      keywords: [...(s.keywords ?? [])],
      hot: Boolean(s.hot),
      recommended: Boolean(s.recommended),
      quickAccess: Boolean(s.quickAccess),
      summary: st(s.guide.summary),
      reviewed: s.guide.reviewed,
      history: (historyOf.get(s.id) ?? []).slice(0, HISTORY_PER_SERVICE),
    };
    if (s.status === 'retired') {
      const successor = serviceRef(s.retired?.successor);
      // A successor this edition does not publish but the campus edition does: there is one, on campus.
      const onCampus = !successor && s.retired?.successor !== undefined && isOnCampusOnly(s.retired.successor);
      services.push({
        ...base,
        retired: compact({ date: s.retired?.date ?? s.guide.reviewed, reason: st(s.retired?.reason ?? ''), successor, successorOnCampus: onCampus || undefined }),
      });
      continue;
    }
    const alert = s.alert && (!s.alert.until || s.alert.until >= asOf) ? compact({ text: st(s.alert.text), from: s.alert.from, until: s.alert.until }) : undefined;
    services.push(
      compact({
        ...base,
        alert,
        apply: applyOf(s, hall),
        responsible: variant === 'campus' && s.guide.internal?.responsible?.length ? s.guide.internal.responsible.map((r) => compact({ office: st(r.office), post: st(r.post), name: r.name, phone: r.phone, email: r.email })) : undefined,
        guide: guideOf(s, (a) => fileLink(located.parsed.file, a), serviceRef),
        workflow: s.workflow ? workflowOf(s.workflow.steps, { departments, groups, labels, deptRef, connectors: new Map((hall.connectors ?? []).map((c) => [c.id, c])) }, s.workflow.decisions, s) : undefined,
        appointment: s.appointment
          ? {
              resources: s.appointment.resources.map((r) => compact({ id: r.id, name: st(r.name), location: r.location ? place(r.location) : undefined, capacity: r.capacity, note: st(r.note), advanceDays: r.advanceDays, minNoticeHours: r.minNoticeHours, limits: r.limits ? compact({ perPerson: r.limits.perPerson && { ...r.limits.perPerson }, perUnit: r.limits.perUnit && { ...r.limits.perUnit } }) : undefined })),
              slots: compact({ weekdays: [...s.appointment.slots.weekdays], times: [...s.appointment.slots.times], advanceDays: s.appointment.slots.advanceDays, minNoticeHours: s.appointment.slots.minNoticeHours, workdaysOnly: Boolean(s.appointment.slots.workdaysOnly) }),
              limits: s.appointment.limits ? compact({ perPerson: s.appointment.limits.perPerson && { ...s.appointment.limits.perPerson }, perUnit: s.appointment.limits.perUnit && { ...s.appointment.limits.perUnit }, cancelBeforeHours: s.appointment.limits.cancelBeforeHours }) : undefined,
            }
          : undefined,
      }),
    );
  }
  services.sort((a, b) => byString(a.sortKey, b.sortKey));
  const listedServices = services.filter((s) => s.status !== 'retired');

  const count = (key: 'topics' | 'audiences' | 'channels', id: string) => listedServices.filter((s) => s[key].some((r) => r.id === id)).length;
  const vocab = (entries: Hall['topics'], key: 'topics' | 'audiences' | 'channels'): VocabEntry[] =>
    entries.map((e) => compact({ id: e.id, name: st(e.name), description: st(e.description), count: count(key, e.id) }));

  const siteDepartments: SiteDepartment[] = [...departments.values()]
    .map((d: Department) =>
      compact({
        code: d.code,
        name: st(d.name),
        type: d.type,
        description: st(d.description),
        leader: compact({ name: d.leader.name, title: st(d.leader.title) }),
        office: place(d.office),
        phone: d.phone,
        email: d.email,
        website: d.website,
        services: listedServices.filter((s) => s.owner.id === d.code).map((s) => s.id),
        participates: listedServices.filter((s) => s.owner.id !== d.code && s.participants.some((p) => p.id === d.code)).map((s) => s.id),
      }),
    )
    .sort((a, b) => byString(`${pinyinSortKey(a.name.zh)} ${a.code}`, `${pinyinSortKey(b.name.zh)} ${b.code}`));

  changes.sort((a, b) => byString(b.time, a.time) || byString(a.service, b.service));
  return {
    format: 'servicehall-site/v1',
    variant,
    asOf,
    hall: compact({ name: st(hall.name), university: st(hall.university), siteUrl: hall.urls.site.replace(/\/+$/, ''), campusSiteUrl: hall.urls.campusSite?.replace(/\/+$/, '') }),
    history: { available: history.available, shallow: history.shallow },
    topics: vocab(hall.topics, 'topics'),
    audiences: vocab(hall.audiences, 'audiences'),
    channels: vocab(hall.channels, 'channels'),
    departments: siteDepartments,
    services,
    campusOnly: variant === 'public' ? oncePublicNowCampus(all.map((x) => ({ service: x.value, file: x.parsed.file })), history) : [],
    changes: changes.slice(0, FEED_ENTRIES),
    files: [...files.values()].sort((a, b) => byString(a.url, b.url)),
    handbook: options.handbook ?? EMPTY_HANDBOOK,
    stats: statsPages(catalog, variant, asOf),
  };
}

export const serviceUrl = (id: string) => `/services/${id}/`;

/**
 * Services whose file said `classification: public` in some commit and that are campus-only now:
 * links to their public pages are out there, so the public edition keeps the address (GOV.UK's
 * rule for retired pages) with a page that says only that it is visible on campus.
 */
function oncePublicNowCampus(services: { service: Service; file: string }[], history: GitHistory): string[] {
  const once = new Set(history.oncePublic ?? []);
  return services
    .filter(({ service, file }) => once.has(file) && isPublished(service, 'campus') && !isPublished(service, 'public'))
    .map(({ service }) => service.id)
    .sort(byString);
}

function collectAttachments(s: Service): string[] {
  const found: string[] = [];
  for (const m of s.guide.materials) {
    if (m.blankForm) found.push(m.blankForm);
    if (m.sample) found.push(m.sample);
  }
  if (s.guide.result?.sample) found.push(s.guide.result.sample);
  return found;
}

function applyOf(s: Service, hall: Hall): SiteService['apply'] {
  const hallUrl = hall.urls.hall.replace('{id}', encodeURIComponent(s.id));
  if (s.type === 'online') return { kind: 'hall', url: hallUrl };
  if (s.type === 'appointment') return { kind: 'appointment', url: hallUrl };
  if (s.type === 'link' && s.link) return compact({ kind: 'link' as const, url: s.link.url, mobileUrl: s.link.mobileUrl, system: st(s.link.system), sso: Boolean(s.link.sso) });
  return undefined;
}

function guideOf(s: Service, fileLink: (a: string | undefined) => FileLink | undefined, serviceRef: (id: string | undefined) => (Ref & { url: string }) | undefined): SiteGuide {
  const g = s.guide;
  const privacy = privacyOf(s);
  const duration = (d: { value: number; unit: 'workday' | 'day'; note?: LocalizedText }) => compact({ value: d.value, unit: d.unit, note: st(d.note) });
  const limit = g.timeLimit;
  const timeLimitOf = (l: typeof limit) =>
    l ? compact({ type: l.type, legal: l.legal ? duration(l.legal) : undefined, promised: duration(l.promised), external: l.external ? duration(l.external) : undefined }) : undefined;
  return compact({
    basis: (g.basis ?? []).map((b) => compact({ name: st(b.name), article: st(b.article), url: b.url })),
    conditions: g.conditions.map((c) => st(c)),
    procedure: (g.procedure ?? []).map((p) => st(p)),
    materials: g.materials.map((m) =>
      compact({
        name: st(m.name),
        required: m.required !== false,
        form: m.form,
        copies: m.copies,
        source: m.source,
        sourceNote: st(m.sourceNote),
        eCertificate: m.eCertificate ? compact({ issuer: serviceRef(m.eCertificate) }) : undefined,
        blankForm: fileLink(m.blankForm),
        sample: fileLink(m.sample),
        basis: st(m.basis),
        signature: Boolean(m.signature),
        stamp: Boolean(m.stamp),
        note: st(m.note),
        situations: m.situations ? [...m.situations] : undefined,
      }),
    ),
    timeLimit: timeLimitOf(limit),
    fees: { free: g.fees.free, items: (g.fees.items ?? []).map((i) => compact({ name: st(i.name), standard: st(i.standard), basis: st(i.basis), waiver: st(i.waiver), computed: i.amount && s.form ? compact({ rate: i.amount.rate, tiers: i.amount.tiers?.map((t) => compact({ upTo: t.upTo, rate: t.rate })) }) : undefined })), onlinePayment: Boolean(g.fees.onlinePayment) },
    visits: compact({ count: g.visits.count, reason: st(g.visits.reason) }),
    situations: g.situations
      ? situationFacts(g).map((f) => compact({ id: f.situation.id, name: st(f.situation.name), description: st(f.situation.description), visits: compact({ count: f.visits.count, reason: st(f.visits.reason) }), timeLimit: timeLimitOf(f.timeLimit), materials: f.materials }))
      : undefined,
    onlineDepth: g.onlineDepth ? { grade: g.onlineDepth.grade, flags: [...(g.onlineDepth.flags ?? [])] } : undefined,
    result: g.result ? compact({ name: st(g.result.name), type: g.result.type, sample: fileLink(g.result.sample), eCertificate: Boolean(g.result.eCertificate) }) : undefined,
    locations: g.locations.map(place),
    contacts: { consultation: contact(g.contacts.consultation), complaint: contact(g.contacts.complaint) },
    faq: (g.faq ?? []).map((f) => ({ q: st(f.q), a: st(f.a) })),
    contingency: st(g.contingency),
    privacy,
  });
}

/** The privacy notice, only for services that declare privacy or sensitive fields (others' site data stays as it was). */
function privacyOf(s: Service): SitePrivacy | undefined {
  const sensitive = [...fieldsOf(s)].filter(({ field }) => field.sensitive).map(({ field }) => st(field.label));
  if (!s.privacy && !sensitive.length) return undefined;
  return compact({ sensitive, restricted: Boolean(s.privacy?.readers?.length), retention: s.privacy?.attachmentRetention ? { ...s.privacy.attachmentRetention } : undefined });
}

/** Field labels and data-source names a condition may mention, for conditions in words. */
function labelsOf(s: Service, hall: Hall): (name: string, lang: 'zh' | 'en') => string | undefined {
  const fields = new Map<string, SiteText>();
  for (const section of s.form?.sections ?? []) for (const f of section.fields) fields.set(f.id, st(f.label));
  // Fields approvers fill in at a step may be read by later conditions too.
  for (const { step } of stepsOf(s.workflow?.steps)) for (const f of step.fields ?? []) fields.set(f.id, st(f.label));
  const sources = new Map(hall.dataSources.map((d) => [d.id, st(d.name)]));
  return (name, lang) => {
    const field = fields.get(name);
    if (field) return lang === 'en' ? (field.en ?? field.zh) : field.zh;
    const source = sources.get(name);
    if (source) return lang === 'en' ? `applicant's ${(source.en ?? source.zh).toLowerCase()}` : `申请人的${source.zh}`;
    return undefined;
  };
}

interface WorkflowContext {
  departments: Map<string, Department>;
  groups: Map<string, { name: LocalizedText }>;
  labels: (name: string, lang: 'zh' | 'en') => string | undefined;
  /** Decision tables' names by id (docs/routing.md): a condition reading one says 按“审批级别”表. */
  tables?: (name: string, lang: 'zh' | 'en') => string | undefined;
  deptRef: (code: string) => Ref;
  /** hall.yaml connectors (issue 15.3): a system step names the system it calls. */
  connectors?: Map<string, { name: LocalizedText; department: string }>;
  /** Step names by id (return to a chosen step, issue 15.5). */
  stepNames?: Map<string, LocalizedText>;
}

const SCOPE_WORDS: Record<string, SiteText> = {
  'applicant.class': { zh: '申请人所在班级', en: "applicant's class" },
  'applicant.college': { zh: '申请人所在学院', en: "applicant's college" },
  'applicant.department': { zh: '申请人所在单位', en: "applicant's unit" },
};

/** applicant.* and form.* scopes in words; undefined for a department code, university or department. */
function scopeWords(scope: string, ctx: WorkflowContext): SiteText | undefined {
  if (SCOPE_WORDS[scope]) return SCOPE_WORDS[scope];
  if (!scope.startsWith('form.')) return undefined;
  const field = scope.slice(5);
  return { zh: `表单所选「${ctx.labels(field, 'zh') ?? field}」`, en: `as chosen in the form: ${ctx.labels(field, 'en') ?? field}` };
}

function stepOf(step: Step, ctx: WorkflowContext): SiteStep {
  const group = st(ctx.groups.get(step.group)?.name ?? step.group);
  const scope = scopeWords(step.scope, ctx);
  const role: SiteText = scope ? { zh: `${group.zh}（${scope.zh}）`, en: `${group.en ?? group.zh} (${scope.en})` } : group;
  const department = scopeWords(step.department, ctx) ?? ctx.deptRef(step.department).name;
  const cc = step.cc?.map((c): SiteText => {
    const name = st(ctx.groups.get(c.group)?.name ?? c.group);
    const part = scopeWords(c.scope, ctx);
    return part ? { zh: `${name.zh}（${part.zh}）`, en: `${name.en ?? name.zh} (${part.en})` } : name;
  });
  // Return to a chosen step (issue 15.5): the earlier steps this one may send the application back to.
  const returnTo = step.returnTo?.map((id) => st(ctx.stepNames?.get(id) ?? id));
  const deadlineWhen = step.deadlineWhen?.map((rule) => ({ condition: conditionInWords(rule.if, ctx.labels, ctx.tables), deadline: runtimeDeadline(rule.deadline) }));
  // Routing (docs/routing.md): a fallback scope, said after the scope it stands in for.
  const fallback = step.fallback === undefined ? undefined : scopeWords(step.fallback, ctx);
  if (fallback) {
    const orElse = (t: SiteText): SiteText => ({ zh: `${t.zh}；没有时为${fallback.zh}`, en: `${t.en ?? t.zh}; if none, ${fallback.en}` });
    return compact({ kind: 'step' as const, id: step.id, name: st(step.name), department: step.scope === 'department' || step.department === step.scope ? orElse(department) : department, role: step.scope === 'department' ? role : { zh: `${group.zh}（${orElse(scope ?? group).zh}）`, en: `${group.en ?? group.zh} (${orElse(scope ?? group).en})` }, deadline: runtimeDeadline(step.deadline), deadlineWhen, actions: [...step.actions], description: st(step.description), when: step.when === undefined ? undefined : conditionInWords(step.when, ctx.labels, ctx.tables), ...(cc ? { cc } : {}), ...(step.batch ? { batch: true } : {}), ...(returnTo ? { returnTo } : {}) });
  }
  return compact({ kind: 'step' as const, id: step.id, name: st(step.name), department, role, deadline: runtimeDeadline(step.deadline), deadlineWhen, actions: [...step.actions], description: st(step.description), when: step.when === undefined ? undefined : conditionInWords(step.when, ctx.labels, ctx.tables), ...(cc ? { cc } : {}), ...(step.batch ? { batch: true } : {}), ...(returnTo ? { returnTo } : {}) });
}

/** A system step (issue 15.3): done by the hall calling another campus system, at once; nobody's task. */
function systemStepOf(step: SystemStep, ctx: WorkflowContext): SiteStep {
  const connector = ctx.connectors?.get(step.system.connector);
  const system = st(connector?.name ?? step.system.connector);
  return compact({ kind: 'step' as const, id: step.id, name: st(step.name), department: connector ? ctx.deptRef(connector.department).name : system, role: { zh: `系统自动办理（${system.zh}）`, en: `done by the system (${system.en ?? system.zh})` }, deadline: 0, actions: ['approve' as const], description: st(step.description), system });
}

function nodesOf(nodes: WorkflowNode[], ctx: WorkflowContext): SiteNode[] {
  return nodes.map((node): SiteNode => {
    if ('if' in node) {
      return compact({ kind: 'branch' as const, id: node.id, name: st(node.name), condition: conditionInWords(node.if, ctx.labels, ctx.tables), expression: node.if, then: nodesOf(node.then, ctx), else: nodesOf(node.else ?? [], ctx) });
    }
    if ('parallel' in node) {
      // 依次审批: a later member may return to an earlier one, and the sequence resumes there (docs/countersign.md).
      const ids = node.steps.map((s) => s.id);
      const returnsWithin = node.parallel === 'sequence' && node.steps.some((s, i) => (s.returnTo ?? []).some((t) => ids.indexOf(t) >= 0 && ids.indexOf(t) < i)) ? true : undefined;
      return compact({ kind: 'parallel' as const, id: node.id, name: st(node.name), mode: node.parallel, steps: node.steps.map((s) => stepOf(s, ctx)), atLeast: node.atLeast, returnsWithin });
    }
    // Applicant steps (issue 15.1): the applicant's own follow-up, with its deadline and what to fill in.
    if ('by' in node) {
      const label = node.dueAfter === undefined ? undefined : { zh: ctx.labels(node.dueAfter, 'zh') ?? node.dueAfter, en: ctx.labels(node.dueAfter, 'en') ?? ctx.labels(node.dueAfter, 'zh') ?? node.dueAfter };
      return compact({ kind: 'applicant' as const, id: node.id, name: st(node.name), deadline: node.deadline, dueAfter: label, description: st(node.description), fields: node.fields?.map((f) => st(f.label)) });
    }
    if ('system' in node) return systemStepOf(node, ctx);
    // Publicity periods (issue 15.2): the period, and what an objection leads to.
    if ('publicity' in node) return compact({ kind: 'publicity' as const, id: node.id, name: st(node.name), days: node.publicity.days, description: st(node.description), objections: nodesOf(node.objections ?? [], ctx) });
    // Payment steps (issue 15.9b): where to pay, within how long, and what follows when unpaid.
    if ('payment' in node) return compact({ kind: 'payment' as const, id: node.id, name: st(node.name), days: node.payment.days, platform: st(ctx.connectors?.get(node.payment.connector)?.name ?? node.payment.connector), description: st(node.description), unpaid: nodesOf(node.unpaid ?? [], ctx) });
    return stepOf(node, ctx);
  });
}

/** Work days along the longest and the shortest path through a sequence of nodes. */
/**
 * Countersign variants: the quickest an `all` countersign can pass. Members with a condition may not
 * take part; with n of m, the n quickest of those that must take part (at least the required ones).
 */
function variantShortest(node: Extract<SiteNode, { kind: 'parallel' }>): number {
  const required = node.steps.filter((s) => !s.when).map((s) => shortestDeadline({ deadline: s.deadline })).sort((a, b) => a - b);
  if (!required.length) return 0;
  const needed = node.atLeast === undefined ? required.length : Math.min(node.atLeast, required.length);
  return required[needed - 1];
}

export function pathWorkdays(nodes: SiteNode[]): { longest: number; shortest: number; steps: number } {
  let longest = 0;
  let shortest = 0;
  let steps = 0;
  for (const node of nodes) {
    if (node.kind === 'step') {
      longest += longestDeadline(node);
      shortest += shortestDeadline(node);
      steps += 1;
    } else if (node.kind === 'parallel' && node.mode === 'sequence') {
      // 依次审批: one member after another, so their deadlines add up; a member with a condition may not take part.
      longest += node.steps.reduce((sum, st) => sum + longestDeadline(st), 0);
      shortest += node.steps.filter((st) => !st.when).reduce((sum, st) => sum + shortestDeadline(st), 0);
      steps += node.steps.length;
    } else if (node.kind === 'parallel') {
      // Parallel steps run at once: the countersign takes as long as its slowest step (any: its fastest).
      const [longs, shorts] = [node.steps.map(longestDeadline), node.steps.map(shortestDeadline)];
      longest += Math.max(...longs);
      shortest += node.mode === 'any' ? Math.min(...shorts) : node.atLeast !== undefined || node.steps.some((s) => s.when) ? variantShortest(node) : Math.max(...shorts);
      steps += node.steps.length;
    } else if (node.kind === 'applicant') {
      // The applicant's own time: not part of what the offices promise.
      continue;
    } else if (node.kind === 'publicity') {
      // 公示期另计: the period and the review of objections are not part of what the offices promise (docs/publicity.md).
      continue;
    } else if (node.kind === 'payment') {
      // 缴费期另计: the applicant's time to pay is not part of what the offices promise (docs/payment.md).
      continue;
    } else {
      const a = pathWorkdays(node.then);
      const b = pathWorkdays(node.else);
      longest += Math.max(a.longest, b.longest);
      shortest += Math.min(a.shortest, b.shortest);
      steps += a.steps + b.steps;
    }
  }
  return { longest, shortest, steps };
}

function workflowOf(nodes: WorkflowNode[], base: WorkflowContext, tables?: Decision[], service?: Service): SiteWorkflow {
  const names = new Map((tables ?? []).map((table) => [table.id, st(table.name)]));
  const ctx = { ...base, stepNames: new Map([...stepsOf(nodes)].map(({ step }) => [step.id, step.name])), tables: (id: string, lang: 'zh' | 'en') => (lang === 'en' ? names.get(id)?.en ?? names.get(id)?.zh : names.get(id)?.zh) };
  const siteNodes = nodesOf(nodes, ctx);
  const { longest, shortest, steps } = pathWorkdays(siteNodes);
  const decisions = tables?.length ? tables.map((table) => decisionOf(table, base.labels, service)) : undefined;
  return { ...(decisions ? { decisions } : {}), nodes: siteNodes, longestWorkdays: longest, shortestWorkdays: shortest, steps };
}

/**
 * A decision table as the guide shows it (docs/routing.md): one column per input (金额 | 审批级别, or
 * 请假类别 | 请假天数 | 审批层级), one row per rule, then 其他情况.
 */
function decisionOf(table: Decision, labels: WorkflowContext['labels'], service?: Service): SiteDecision {
  const heading = (input: string, label: Decision['inputLabel']): SiteText => {
    const field = service ? [...fieldsOf(service)].find(({ field: f }) => f.id === input.trim())?.field : undefined;
    return label ? st(label) : field ? st(field.label) : { zh: labels(input.trim(), 'zh') ?? input, en: labels(input.trim(), 'en') ?? input };
  };
  const inputs = table.inputs ? table.inputs.map((i) => heading(i.input, i.label)) : [heading(table.input ?? '', table.inputLabel)];
  const rows = table.rules.map((rule) => ({ when: (Array.isArray(rule.when) ? rule.when : [rule.when]).map(unaryTestInWords), result: rule.result }));
  return compact({ id: table.id, name: st(table.name), inputs, rows, otherwise: table.default });
}

/** The statistics page in both languages, counted over this variant's services only. */
function statsPages(catalog: Catalog, variant: Variant, asOf: string): { zh: string; en: string } {
  const stats = computeCatalogStats(catalog, { asOf, scope: variant });
  const page = (lang: 'zh' | 'en') => {
    const prefix = lang === 'en' ? '/en' : '';
    return renderStatsPage(stats, lang, { serviceHref: (id) => `${prefix}/services/${id}/`, departmentHref: (code) => `${prefix}/departments/${code}/` });
  };
  return { zh: page('zh'), en: page('en') };
}
