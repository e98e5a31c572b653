import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnosticAt } from '../diagnostics/report.ts';
import type { DiagnosticCode } from '../diagnostics/registry.ts';
import { closest } from '../diagnostics/suggest.ts';
import type { Catalog, Located, Service, Step, WorkflowNode } from '../model/catalog.ts';
import { applicantStepsOf, paymentStepsOf, publicityStepsOf, directoryOf, fieldsOf, isApplicantStep, isRegExp, isParallel, nodesOf, stepsOf, systemStepsOf, textZh } from '../model/catalog.ts';
import { DEFAULT_CLOCK, evaluateFeel } from '../../lib/interpret/feel.ts';
import { FEEL_TYPE_NAMES, checkFeel, sampleContext } from './feel.ts';
import { checkPattern } from './pattern.ts';
import { forEachString } from './strings.ts';
import { checkTemplate } from './template.ts';
import { privacyReadersAreKnown, sensitiveFilesHaveRetention } from './privacy-rules.ts';
import { proxyGroupsAreKnown } from './proxy-rules.ts';
import { bookingQuotasAreCountable } from './booking-rules.ts';
import { applicantStepsCountFromADate, applicantStepsFollowApproval } from './applicant-steps.ts';
import { publicityFollowsApproval, publicityPeriodsAreSound } from './publicity.ts';
import { paymentFollowsApproval, paymentStepsAreSound } from './payment.ts';
import { countersignVariantsAreSound } from './countersign.ts';
import { fallbackScopesAreUsed } from './routing.ts';
import { columnFeel, expandDecisions, inputsOf } from '../../lib/interpret/decision.ts';
import { decisionBandsAreSound, decisionResultsAreRead, flowConditionsOf } from './decisions.ts';
import { returnTargetsComeEarlier } from './return-to.ts';
import type { RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { compileDefinition } from '../compile/compile-runtime.ts';
import { runtimeFingerprint } from '../compile/fingerprint.ts';
import { validateStepData, validateSubmission } from '../../lib/interpret/validate-submission.ts';
import type { FieldError } from '../../lib/interpret/validate-submission.ts';
import { expectedNames, workdayFunctionsStayInTheHall } from './workdays.ts';
import { longestDeadline } from '../../lib/interpret/deadline.ts';
import { hoursDeadlinesStayWithinADay, remindersComeBeforeTheDeadline } from './deadline-hours.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { compileCalendar } from '../compile/compile-runtime.ts';
import { situationFactsFollowGuideRules, situationsAreDeclared, situationsStateADifference } from './situations.ts';
import { feeAmountsAreComputable } from './fees.ts';
import { systemStepsCallDeclaredConnectors } from './system-steps.ts';
import { batchedStepsHaveNoFields, scenarioHandOversNamePeople } from './actions.ts';

export interface LintContext {
  catalog: Catalog;
  /** Today's date (YYYY-MM-DD), for freshness rules; given, so a check is reproducible. */
  today: string;
  report(located: Located<unknown>, code: DiagnosticCode, path: (string | number)[], args?: Diagnostic['args'], options?: { key?: boolean }): void;
}

/** A named assertion about the catalog. Rules report through the context and never throw on data. */
export type Rule = (ctx: LintContext) => void;

const services = (ctx: LintContext) => [...ctx.catalog.services.values()];
const isHandledOnline = (s: Service) => s.type === 'online' || s.type === 'appointment';
const isLive = (s: Service) => s.status !== 'retired' && s.status !== 'draft';

/** Seed 000 §8.4, 001 §5.5: an online service says what to do when the system is down. */
export const onlineServicesHaveContingency: Rule = (ctx) => {
  for (const s of services(ctx)) {
    if (isHandledOnline(s.value) && s.value.status !== 'retired' && !s.value.guide.contingency) ctx.report(s, 'policy/contingency-required', ['guide'], {}, { key: true });
  }
};

/** Seed 000 §14, 001 §12: confidential services are never published or handled online. */
export const confidentialServicesStayOffline: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const v = s.value;
    if (v.classification !== 'confidential') continue;
    const online = v.type !== 'guide' || v.form || v.workflow || v.link || v.appointment;
    if (online || (v.status !== 'draft' && v.status !== 'retired')) ctx.report(s, 'policy/confidential-published', ['classification'], { type: v.type, status: v.status });
  }
};

/** Seed 000 §11: every department a flow passes through is listed, so it confirms before go-live. */
export const stepsBelongToParticipants: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const allowed = new Set([s.value.owner, ...(s.value.participants ?? [])]);
    for (const { step, path } of stepsOf(s.value.workflow?.steps)) {
      if (!allowed.has(step.department) && ctx.catalog.departments.has(step.department)) ctx.report(s, 'policy/step-outside-participants', [...path, 'department'], { step: step.id, department: step.department });
    }
  }
};

/** Guide quality rules provinces run after publication; ours run at PR time. */
export const visitsHaveReason: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const visits = s.value.guide.visits;
    if (visits.count > 0 && !visits.reason) ctx.report(s, 'policy/visits-reason', ['guide', 'visits'], { count: visits.count }, { key: true });
  }
};

export const gradeFourMeansNoVisits: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const g = s.value.guide;
    if (g.onlineDepth?.grade === 4 && g.visits.count > 0) ctx.report(s, 'policy/grade-visits', ['guide', 'visits', 'count'], { count: g.visits.count });
  }
};

export const feesHaveBasis: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const fees = s.value.guide.fees;
    if (fees.free && fees.items?.length) ctx.report(s, 'policy/fee-items', ['guide', 'fees', 'items'], { detail: { zh: '写了 free: true，却列出了收费项目。', en: 'free: true, yet fee items are listed.' } }, { key: true });
    if (!fees.free && !fees.items?.length) ctx.report(s, 'policy/fee-items', ['guide', 'fees', 'free'], { detail: { zh: '收费（free: false）但没有列出收费项目。', en: 'Charged (free: false) but no fee items are listed.' } });
    fees.items?.forEach((item, i) => {
      if (!item.basis) ctx.report(s, 'policy/fee-basis', ['guide', 'fees', 'items', i], { item: textZh(item.name) });
    });
  }
};

export const resultsHaveSample: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const result = s.value.guide.result;
    if (result && result.type !== 'record' && !result.sample) ctx.report(s, 'policy/result-sample', ['guide', 'result'], { name: textZh(result.name) }, { key: true });
  }
};

export const retiredInfoMatchesStatus: Rule = (ctx) => {
  for (const s of services(ctx)) {
    if (s.value.retired && s.value.status !== 'retired') ctx.report(s, 'policy/retired-status', ['retired'], { status: s.value.status }, { key: true });
  }
};

export const immediateCasesTakeNoTime: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const limit = s.value.guide.timeLimit;
    if (limit?.type === 'immediate' && limit.promised && limit.promised.value > 0) ctx.report(s, 'policy/immediate-limit', ['guide', 'timeLimit', 'promised', 'value'], { value: limit.promised.value });
  }
};

/** The longest chain of step deadlines through a workflow, with the steps on it. Revision loops excluded. */
export function longestPath(nodes: WorkflowNode[] | undefined): { total: number; steps: string[] } {
  let total = 0;
  const steps: string[] = [];
  for (const node of nodes ?? []) {
    if ('if' in node) {
      const a = longestPath(node.then);
      const b = longestPath(node.else);
      const best = b.total > a.total ? b : a;
      total += best.total;
      steps.push(...best.steps);
    } else if (isParallel(node) && node.parallel === 'sequence') {
      // 依次审批: the members act one after another, so their deadlines add up.
      for (const st of node.steps) {
        total += longestDeadline(st);
        steps.push(st.id);
      }
    } else if (isParallel(node)) {
      const best = node.steps.reduce((m, st) => (longestDeadline(st) > longestDeadline(m) ? st : m), node.steps[0]);
      total += longestDeadline(best);
      steps.push(best.id);
    } else if (isApplicantStep(node)) {
      // The applicant's own follow-up (销假) is their time, not part of what the offices promise.
      continue;
    } else if ('publicity' in node) {
      // A publicity period, and the review of objections after it, are counted apart (公示期另计, docs/publicity.md).
      continue;
    } else if ('payment' in node) {
      // The applicant's time to pay is theirs, not the offices' (缴费期另计, docs/payment.md).
      continue;
    } else if ('system' in node) {
      steps.push(node.id);
    } else {
      total += longestDeadline(node);
      steps.push(node.id);
    }
  }
  return { total, steps };
}

export const stepDeadlinesFitPromise: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const promised = s.value.guide.timeLimit?.promised;
    if (!s.value.workflow || !promised) continue;
    const limit = promised.unit === 'workday' ? promised.value : Math.floor((promised.value * 5) / 7);
    const { total, steps } = longestPath(s.value.workflow.steps);
    if (total > limit) ctx.report(s, 'policy/deadline-exceeds-limit', ['guide', 'timeLimit', 'promised'], { path: steps.join(' → '), total, limit });
  }
};

/** Conditions parse as FEEL and read only this form's fields and the applicant's attributes. */
export const conditionsAreValidFeel: Rule = (ctx) => {
  const hall = ctx.catalog.hall?.value;
  if (!hall) return; // names cannot be judged without hall.yaml's data sources
  for (const s of services(ctx)) {
    const sample = sampleContext(s.value, hall);
    const fieldIds = new Set([...fieldsOf(s.value)].map(({ field }) => field.id));
    for (const { step } of stepsOf(s.value.workflow?.steps)) for (const f of step.fields ?? []) fieldIds.add(f.id);
    const applicantIds = new Set((hall?.dataSources ?? []).filter((d) => d.id.startsWith('applicant.')).map((d) => d.id));
    const bookingIds = s.value.type === 'appointment' ? BOOKING_NAMES : [];
    const dateRanges = new Set([...fieldsOf(s.value)].filter(({ field }) => field.type === 'daterange').map(({ field }) => field.id));
    const known = new Set([...fieldIds, ...applicantIds, ...bookingIds]);
    // Decision tables (docs/routing.md): read by the flow's conditions by id, as text; their inputs are FEEL too.
    const tables = s.value.workflow?.decisions ?? [];
    const tableIds = new Set(tables.map((t) => t.id));
    const inFlow = new Set([...known, ...tableIds]);
    for (const table of tables) {
      if (fieldIds.has(table.id)) continue; // catalog/duplicate-id
      sample.values[table.id] = table.rules[0].result;
      sample.types[table.id] = 'string';
    }
    const expressions: [string, (string | number)[], ('boolean' | 'number' | 'any')?][] = [];
    const flow = new Set<(string | number)[]>();
    for (const { expression, path } of flowConditionsOf(s.value)) {
      expressions.push([expression, path]);
      flow.add(path);
    }
    tables.forEach((table, t) => {
      inputsOf(table).forEach((input, c) => {
        const at = table.inputs ? ['workflow', 'decisions', t, 'inputs', c, 'input'] : ['workflow', 'decisions', t, 'input'];
        expressions.push([input, at, 'any']);
        // Number bands on a text input (or the reverse) never match: checked on each column's tests.
        for (const m of checkFeel(columnFeel(table, c), sample, 'any').mismatches.slice(0, 1)) ctx.report(s, 'feel/type-mismatch', at, { left: m.left, right: m.right, leftType: FEEL_TYPE_NAMES[m.leftType], rightType: FEEL_TYPE_NAMES[m.rightType] });
      });
    });
    s.value.form?.sections.forEach((section, i) => {
      if (section.visibleIf) expressions.push([section.visibleIf, ['form', 'sections', i, 'visibleIf']]);
    });
    for (const { field, path } of fieldsOf(s.value)) {
      if (field.visibleIf) expressions.push([field.visibleIf, [...path, 'visibleIf']]);
      if (field.validIf) expressions.push([field.validIf, [...path, 'validIf']]);
    }
    // issue 15.9: fee amounts computed from the form
    s.value.guide.fees.items?.forEach((item, i) => {
      if (item.amount?.quantity) expressions.push([item.amount.quantity, ['guide', 'fees', 'items', i, 'amount', 'quantity'], 'number']);
      if (item.amount?.when) expressions.push([item.amount.when, ['guide', 'fees', 'items', i, 'amount', 'when']]);
    });
    // issue 15.3: what a system step sends, any value
    for (const { step, path } of systemStepsOf(s.value.workflow?.steps)) for (const [key, expression] of Object.entries(step.system.payload)) expressions.push([expression, [...path, 'system', 'payload', key], 'any']);
    for (const [expression, path, yields] of expressions) {
      if (expression.trim().startsWith('=')) {
        ctx.report(s, 'feel/syntax', path, { expression, detail: { zh: '（不要以 = 开头，构建时会自动加上）', en: ' (no leading =; the build adds it)' } });
        continue;
      }
      // A condition reading a table carries the table's FEEL in each place it reads it: bounded like the rest.
      const expanded = flow.has(path) && tables.length ? expandDecisions(expression, tables).length : 0;
      if (expanded > EXPANDED_LIMIT) ctx.report(s, 'feel/budget', path, { expression: expression.length > 80 ? `${expression.slice(0, 80)}…` : expression, detail: { zh: `读取决策表展开后有 ${expanded} 个字符，超过 ${EXPANDED_LIMIT}（把多次读取合并，如用 !=）`, en: `it reads decision tables into ${expanded} characters, over ${EXPANDED_LIMIT} (read the table fewer times, e.g. with !=)` } });
      const check = checkFeel(expression, sample, yields);
      const names = flow.has(path) ? inFlow : known;
      const unknown = check.names.filter((n) => !names.has(n) && !subFieldKnown(n, dateRanges));
      for (const name of unknown) {
        const table = flow.has(path) ? closest(name, tableIds) : undefined;
        if (table) {
          ctx.report(s, 'decision/unknown-table', path, { name, suggest: table });
          continue;
        }
        const suggest = closest(name, names);
        ctx.report(s, 'feel/unknown-name', path, { name, ...(suggest ? { suggest } : {}) });
      }
      if (check.syntax && unknown.length === 0) ctx.report(s, 'feel/syntax', path, { expression, detail: check.syntax });
      for (const m of check.mismatches) ctx.report(s, 'feel/type-mismatch', path, { left: m.left, right: m.right, leftType: FEEL_TYPE_NAMES[m.leftType], rightType: FEEL_TYPE_NAMES[m.rightType] });
      if (check.functionDefinition) ctx.report(s, 'feel/function-definition', path, { definition: check.functionDefinition.length > 60 ? `${check.functionDefinition.slice(0, 60)}…` : check.functionDefinition });
      if (check.budget) ctx.report(s, 'feel/budget', path, { expression: expression.length > 80 ? `${expression.slice(0, 80)}…` : expression, detail: check.budget });
      for (const w of check.workdayArguments ?? []) ctx.report(s, 'feel/workday-argument', path, { call: w.call, position: w.position, argument: w.argument, actual: FEEL_TYPE_NAMES[w.actual], expected: expectedNames(w.expected) });
    }
  }
};

/** The longest a flow condition may grow when the decision tables it reads are written into it (docs/routing.md). */
const EXPANDED_LIMIT = 20_000;

/** `period.start` / `period.end` of a date-range field are known names too. */
function subFieldKnown(name: string, dateRanges: Set<string>): boolean {
  const [head, sub, ...rest] = name.split('.');
  return rest.length === 0 && dateRanges.has(head) && (sub === 'start' || sub === 'end');
}

/** Names an appointment's conditions may read about the booking made. */
const BOOKING_NAMES = ['booking.resource', 'booking.date', 'booking.slot'];

/** Step, branch and countersign ids name tasks and gateways in the runtime and in BPMN: one each. */
export const workflowIdsAreUnique: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const seen = new Map<string, (string | number)[]>();
    for (const { node, path } of nodesOf(s.value.workflow?.steps)) {
      const first = seen.get(node.id);
      if (first) ctx.report(s, 'catalog/duplicate-id', [...path, 'id'], { what: { zh: '流程节点', en: 'workflow node' }, id: node.id, other: first.join('.') });
      else seen.set(node.id, path);
    }
  }
};

/** Fields an assignee fills in at a step share one namespace with the form's fields. */
export const stepFieldsDoNotShadowFormFields: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const seen = new Map<string, string>([...fieldsOf(s.value)].map(({ field }) => [field.id, 'form']));
    for (const { step, path } of stepsOf(s.value.workflow?.steps)) {
      (step.fields ?? []).forEach((f, i) => {
        const other = seen.get(f.id);
        if (other) ctx.report(s, 'catalog/duplicate-id', [...path, 'fields', i, 'id'], { what: { zh: '字段', en: 'field' }, id: f.id, other: other === 'form' ? 'form' : `workflow step ${other}` });
        else seen.set(f.id, step.id);
      });
    }
  }
};

/** Every field with a `pattern`, in the form, in steps' own fields and in table columns. */
function* patternsOf(service: Service): Generator<{ pattern: string; path: (string | number)[] }> {
  type Field = { pattern?: string; columns?: Field[] };
  function* walk(fields: Field[] | undefined, path: (string | number)[]): Generator<{ pattern: string; path: (string | number)[] }> {
    for (let i = 0; i < (fields ?? []).length; i++) {
      const field = fields![i];
      if (typeof field.pattern === 'string') yield { pattern: field.pattern, path: [...path, i, 'pattern'] };
      yield* walk(field.columns, [...path, i, 'columns']);
    }
  }
  const sections = service.form?.sections ?? [];
  for (let s = 0; s < sections.length; s++) yield* walk(sections[s].fields as Field[], ['form', 'sections', s, 'fields']);
  for (const { step, path } of stepsOf(service.workflow?.steps)) yield* walk(step.fields as Field[] | undefined, [...path, 'fields']);
}

/**
 * Form patterns are safe by construction: the hall's validator runs them on RE2, and JavaScript's
 * backtracking engine (the Camunda form, other JSON Schema validators) runs them in linear time.
 */
export const patternsRunInLinearTime: Rule = (ctx) => {
  for (const s of services(ctx)) {
    for (const { pattern, path } of patternsOf(s.value)) {
      const problem = checkPattern(pattern);
      if (!problem) continue;
      const shown = pattern.length > 60 ? `${pattern.slice(0, 57)}…` : pattern;
      if (problem.kind === 'unsupported') ctx.report(s, 'pattern/unsupported', path, { pattern: shown, detail: problem.detail });
      else if (problem.kind === 'super-linear') {
        const growth = problem.complexity === 'exponential' ? { zh: '指数级', en: 'exponentially' } : { zh: '多项式级', en: 'polynomially' };
        ctx.report(s, 'pattern/super-linear', path, { pattern: shown, growth, attack: problem.attack });
      } else ctx.report(s, 'pattern/unproven', path, { pattern: shown });
    }
  }
};

/** Notification templates parse and use only variables the runtime provides. */
export const templatesUseKnownVariables: Rule = (ctx) => {
  const hall = ctx.catalog.hall?.value;
  if (!hall) return;
  const applicantAttrs = (hall?.dataSources ?? []).filter((d) => d.id.startsWith('applicant.')).map((d) => d.id);
  for (const s of services(ctx)) {
    const stepFields = [...stepsOf(s.value.workflow?.steps), ...applicantStepsOf(s.value.workflow?.steps)].flatMap(({ step }) => (step.fields ?? []).map((f) => `form.${f.id}`));
    const known = new Set(['service.name', 'service.id', 'step.name', 'dueDate', 'comment', 'url', ...applicantAttrs, ...[...fieldsOf(s.value)].map(({ field }) => `form.${field.id}`), ...stepFields]);
    if (s.value.guide.fees.items?.some((i) => i.amount)) known.add('fee'); // issue 15.9: the fee computed from the form
    const templates: [string, (string | number)[]][] = [];
    for (const [key, value] of Object.entries(s.value.workflow?.notifications ?? {})) if (value) templates.push([value, ['workflow', 'notifications', key]]);
    for (const { step, path } of [...stepsOf(s.value.workflow?.steps), ...applicantStepsOf(s.value.workflow?.steps)]) {
      for (const [key, value] of Object.entries(step.notify ?? {})) if (value) templates.push([value, [...path, 'notify', key]]);
    }
    for (const [template, path] of templates) {
      const check = checkTemplate(template);
      if (check.syntax) {
        ctx.report(s, 'template/syntax', path, { detail: check.syntax });
        continue;
      }
      for (const problem of check.problems) ctx.report(s, 'template/not-allowed', path, { construct: problem.construct, kind: problem.kind, line: problem.line, column: problem.column });
      if (check.problems.length) continue;
      for (const name of check.names) {
        if (known.has(name)) continue;
        const suggest = closest(name, known);
        ctx.report(s, 'template/unknown-variable', path, { name, ...(suggest ? { suggest } : {}) });
      }
    }
  }
};

const HTML_TAG = /<\s*\/?\s*([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?\/?\s*>/;
const UNSAFE_SCHEME = /(^|[\s"'(=])(javascript|vbscript|data):/i;
/** Keys whose values are code, not prose: FEEL conditions, patterns, templates. */
const CODE_KEYS = new Set(['if', 'visibleIf', 'pattern']);

/** Text is plain: no HTML (the site escapes it anyway) and no script or data links. */
export const textIsPlain: Rule = (ctx) => {
  const all: Located<unknown>[] = [...ctx.catalog.services.values(), ...ctx.catalog.departments.values()];
  if (ctx.catalog.hall) all.push(ctx.catalog.hall);
  const roleFiles = new Map([...ctx.catalog.groups.values()].map((g) => [g.parsed.file, g]));
  for (const g of roleFiles.values()) all.push({ value: g.parsed.value, parsed: g.parsed, path: [] });
  for (const located of all) {
    if (located.path.some((p) => typeof p === 'string' && CODE_KEYS.has(p))) continue;
    forEachString(located.value, (text, path) => {
      const tag = HTML_TAG.exec(text);
      if (tag) ctx.report(located, 'text/html', [...path], { tag: tag[0].slice(0, 40) });
      const scheme = UNSAFE_SCHEME.exec(text);
      if (scheme) ctx.report(located, 'text/unsafe-link', [...path], { value: text.slice(0, 60), scheme: `${scheme[2].toLowerCase()}:` });
    }, [...located.path], CODE_KEYS);
  }
};

/** Seed 000 §10: online services drop unnecessary signatures and stamps. */
export const onlineServicesAskNoPaperSignatures: Rule = (ctx) => {
  for (const s of services(ctx)) {
    if (!isHandledOnline(s.value) || !isLive(s.value)) continue;
    s.value.guide.materials.forEach((m, i) => {
      if (m.signature) ctx.report(s, 'policy/paper-signature', ['guide', 'materials', i, 'signature'], { material: textZh(m.name), what: { zh: '手写签字', en: 'handwritten signature' } });
      if (m.stamp) ctx.report(s, 'policy/paper-signature', ['guide', 'materials', i, 'stamp'], { material: textZh(m.name), what: { zh: '盖章', en: 'stamp' } });
    });
  }
};

export const guidesReviewedWithinAYear: Rule = (ctx) => {
  const today = Date.parse(`${ctx.today}T00:00:00Z`);
  for (const s of services(ctx)) {
    if (!isLive(s.value)) continue;
    const days = Math.floor((today - Date.parse(`${s.value.guide.reviewed}T00:00:00Z`)) / 86_400_000);
    if (days > 365) ctx.report(s, 'policy/review-overdue', ['guide', 'reviewed'], { reviewed: s.value.guide.reviewed, days });
  }
};

const PLACEHOLDER = /\bTODO\b|\bTBD\b|待填写|待补充|请填写/;

export const nothingLeftAsTodo: Rule = (ctx) => {
  for (const s of services(ctx)) {
    forEachString(s.value, (text, path) => {
      if (PLACEHOLDER.test(text)) ctx.report(s, 'policy/todo', [...path], { value: text.slice(0, 40) });
    });
  }
};

export const suspendedServicesExplain: Rule = (ctx) => {
  for (const s of services(ctx)) if (s.value.status === 'suspended' && !s.value.alert) ctx.report(s, 'policy/suspended-alert', ['status']);
};

export const complaintsGoElsewhere: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const { consultation, complaint } = s.value.guide.contacts;
    if (consultation.phone && consultation.phone === complaint.phone) ctx.report(s, 'policy/same-contact', ['guide', 'contacts', 'complaint', 'phone'], { phone: complaint.phone });
  }
};

/** Scenarios name steps, fields and attributes that exist, and use actions their steps allow. */
export const scenariosNameKnownThings: Rule = (ctx) => {
  const hall = ctx.catalog.hall?.value;
  const attrs = new Set((hall?.dataSources ?? []).filter((d) => d.id.startsWith('applicant.')).map((d) => d.id.slice('applicant.'.length)));
  for (const s of services(ctx)) {
    const steps = new Map<string, { fields?: Step['fields']; actions: string[] }>([...stepsOf(s.value.workflow?.steps)].map(({ step }) => [step.id, step]));
    // Applicant steps (issue 15.1): their one decision is `complete`.
    for (const { step } of applicantStepsOf(s.value.workflow?.steps)) steps.set(step.id, { fields: step.fields, actions: ['complete'] });
    // Publicity periods (issue 15.2): a scenario records objections and, optionally, the period's end.
    for (const { step } of publicityStepsOf(s.value.workflow?.steps)) steps.set(step.id, { actions: ['object', 'close'] });
    // Payment steps (issue 15.9b): a scenario records the platform's confirmation or the period's end unpaid.
    for (const { step } of paymentStepsOf(s.value.workflow?.steps)) steps.set(step.id, { actions: ['paid', 'timeout'] });
    const fields = new Set([...fieldsOf(s.value)].map(({ field }) => field.id));
    const stepIds = new Set(steps.keys());
    // System steps (issue 15.3) appear in a scenario's path; a decision may record their success.
    const systemIds = new Set([...systemStepsOf(s.value.workflow?.steps)].map(({ step }) => step.id));
    const unknownStep = (id: string, path: (string | number)[], key = false) => {
      if (steps.has(id) || systemIds.has(id)) return;
      const suggest = closest(id, stepIds);
      ctx.report(s, 'ref/unknown-step', path, { id, ...(suggest ? { suggest } : {}) }, { key });
    };
    s.value.scenarios?.forEach((scenario, i) => {
      const base = ['scenarios', i];
      for (const key of Object.keys(scenario.applicant)) {
        if (!hall || attrs.has(key)) continue;
        const suggest = closest(key, attrs);
        ctx.report(s, 'ref/unknown-applicant-attribute', [...base, 'applicant', key], { id: key, ...(suggest ? { suggest } : {}) }, { key: true });
      }
      const dataKeys: [string, (string | number)[]][] = Object.keys(scenario.data).map((k) => [k, [...base, 'data', k]]);
      scenario.decisions.forEach((d, j) => {
        for (const k of Object.keys(d.revise ?? {})) dataKeys.push([k, [...base, 'decisions', j, 'revise', k]]);
      });
      for (const [key, path] of dataKeys) {
        if (fields.has(key)) continue;
        const suggest = closest(key, fields);
        ctx.report(s, 'ref/unknown-field', [...path], { id: key, ...(suggest ? { suggest } : {}) }, { key: true });
      }
      scenario.decisions.forEach((d, j) => {
        const step = steps.get(d.step);
        const stepFields = new Set((step?.fields ?? []).map((f) => f.id));
        for (const key of Object.keys(d.data ?? {})) {
          if (!step || stepFields.has(key)) continue;
          const suggest = closest(key, stepFields);
          ctx.report(s, 'ref/unknown-field', [...base, 'decisions', j, 'data', key], { id: key, ...(suggest ? { suggest } : {}) }, { key: true });
        }
        if (!step) unknownStep(d.step, [...base, 'decisions', j, 'step']);
        else if (!step.actions.includes(d.action) && !(d.action === 'resolve' && step.actions.includes('delegate')) && !(d.action === 'approve' && step.actions.includes('add-approver'))) ctx.report(s, 'scenario/invalid-step-action', [...base, 'decisions', j, 'action'], { step: d.step, action: d.action });
      });
      // Overdue marks (issue 15.7) name steps of the flow.
      scenario.expect.overdue?.forEach((id, j) => unknownStep(id, [...base, 'expect', 'overdue', j]));
      if (scenario.booking && s.value.appointment) {
        const { resources, slots } = s.value.appointment;
        const b = scenario.booking;
        const resourceIds = new Set(resources.map((r) => r.id));
        if (!resourceIds.has(b.resource)) {
          const suggest = closest(b.resource, resourceIds);
          ctx.report(s, 'scenario/invalid-booking', [...base, 'booking', 'resource'], { detail: { zh: `没有可预约的资源“${b.resource}”${suggest ? `，是不是“${suggest}”？` : ''}`, en: `no bookable resource "${b.resource}"${suggest ? `; did you mean "${suggest}"?` : ''}` } });
        }
        if (!slots.times.includes(b.slot)) ctx.report(s, 'scenario/invalid-booking', [...base, 'booking', 'slot'], { detail: { zh: `时段“${b.slot}”不在可预约时段 ${slots.times.join('、')} 中`, en: `slot "${b.slot}" is not one of ${slots.times.join(', ')}` } });
        const weekday = ((new Date(`${b.date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
        if (!slots.weekdays.includes(weekday)) ctx.report(s, 'scenario/invalid-booking', [...base, 'booking', 'date'], { detail: { zh: `${b.date} 是星期${'一二三四五六日'[weekday - 1]}，不在可预约的日子里`, en: `${b.date} falls on a weekday that is not bookable` } });
      } else if (scenario.booking && s.value.type !== 'appointment') {
        ctx.report(s, 'scenario/invalid-booking', [...base, 'booking'], { detail: { zh: '只有预约类事项的场景可以写 booking', en: 'only appointment services take a booking' } }, { key: true });
      }
      scenario.expect.path.forEach((id, j) => unknownStep(id, [...base, 'expect', 'path', j]));
      for (const id of Object.keys(scenario.expect.assignees ?? {})) unknownStep(id, [...base, 'expect', 'assignees', id], true);
    });
  }
};

/**
 * Issue 11.3: every applicant who can reach a step carries what its assignment reads. For each audience
 * of a service, the applicant type it maps to (hall.yaml `audiences[].applicantType`) walks the workflow,
 * taking only the branches its `applicant.type` allows; a step assigned by an applicant attribute that
 * hall.yaml gives to other types only (`dataSources[].applicantTypes`) would end `unassigned`. A form
 * field that assigns must be required and shown whenever its step is reached.
 */
/** Whether `name` is a time zone this Node knows (an IANA name such as Asia/Shanghai). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name !== '';
  } catch {
    return false;
  }
}

export const assignmentsFindTheirValues: Rule = (ctx) => {
  const located = ctx.catalog.hall;
  if (!located) return;
  const hall = located.value;
  const typeValues = hall.dataSources.find((d) => d.id === 'applicant.type')?.values ?? [];
  const unknownType = (value: string, path: (string | number)[]) => {
    if (!typeValues.length || typeValues.includes(value)) return false;
    const suggest = closest(value, typeValues);
    ctx.report(located, 'ref/unknown-applicant-type', path, { value, allowed: typeValues.join('、'), ...(suggest ? { suggest } : {}) });
    return true;
  };
  hall.audiences.forEach((a, i) => a.applicantType !== undefined && unknownType(a.applicantType, ['audiences', i, 'applicantType']));
  if (hall.personId && !isRegExp(hall.personId.pattern)) ctx.report(located, 'hall/person-id-pattern', ['personId', 'pattern'], { pattern: hall.personId.pattern });
  if (!isTimeZone(hall.calendar.timezone)) ctx.report(located, 'hall/unknown-timezone', ['calendar', 'timezone'], { timezone: hall.calendar.timezone });
  hall.dataSources.forEach((d, i) => d.applicantTypes?.forEach((t, j) => unknownType(t, ['dataSources', i, 'applicantTypes', j])));
  const sources = new Map(hall.dataSources.map((d) => [d.id, d]));
  for (const s of services(ctx)) {
    const v = s.value;
    if (!v.workflow || !isLive(v)) continue;
    const fields = new Map([...fieldsOf(v)].map(({ field }) => [field.id, field]));
    const sectionOf = new Map(v.form?.sections.flatMap((section) => section.fields.map((f) => [f.id, section.visibleIf] as const)) ?? []);
    const byType = new Map<string, string>();
    for (const id of v.audiences) {
      const type = hall.audiences.find((a) => a.id === id)?.applicantType;
      if (type !== undefined && !byType.has(type)) byType.set(type, id);
    }
    const seen = new Set<string>();
    /** type undefined: walk every branch (for form fields, which do not depend on who applies). */
    const walk = (nodes: WorkflowNode[], base: (string | number)[], type: string | undefined, conditions: string[]) => {
      nodes.forEach((node, i) => {
        const path = [...base, i];
        if ('if' in node) {
          let taken: unknown = null;
          if (type !== undefined) {
            // Through the one bounded evaluator, on the check's fixed clock.
            const outcome = evaluateFeel(node.if, { applicant: { type } }, DEFAULT_CLOCK);
            taken = outcome.ok ? outcome.value : null;
          }
          if (taken !== false) walk(node.then, [...path, 'then'], type, [...conditions, node.if]);
          if (taken !== true) walk(node.else ?? [], [...path, 'else'], type, conditions);
          return;
        }
        if ('by' in node) return;
        if ('system' in node) return;
        if ('publicity' in node) return walk(node.objections ?? [], [...path, 'objections'], type, conditions);
        if ('payment' in node) return walk(node.unpaid ?? [], [...path, 'unpaid'], type, conditions);
        const steps = isParallel(node) ? node.steps.map((step, j) => ({ step, at: [...path, 'steps', j] })) : [{ step: node, at: path }];
        for (const { step, at } of steps) {
          const reference = step.scope === 'department' ? step.department : step.scope;
          const key = step.scope === 'department' ? 'department' : 'scope';
          if (type !== undefined && reference.startsWith('applicant.')) {
            const carriers = sources.get(reference)?.applicantTypes;
            if (!carriers || carriers.includes(type) || seen.has(`${step.id}\0${type}`)) continue;
            // Routing: an applicant without the attribute is assigned by the step's fallback, if they carry that.
            const fallbackCarriers = step.fallback?.startsWith('applicant.') ? sources.get(step.fallback)?.applicantTypes : undefined;
            if (step.fallback !== undefined && (!step.fallback.startsWith('applicant.') || !fallbackCarriers || fallbackCarriers.includes(type))) continue;
            seen.add(`${step.id}\0${type}`);
            ctx.report(s, 'scope/attribute-not-carried', [...at, key], { applicantType: type, audience: byType.get(type)!, step: step.id, attribute: reference, name: textZh(sources.get(reference)!.name), carriers: carriers.join('、') });
          } else if (type === undefined && reference.startsWith('form.')) {
            const field = fields.get(reference.slice('form.'.length));
            if (!field || seen.has(step.id)) continue;
            const visibleIf = field.visibleIf ?? sectionOf.get(field.id);
            const guarded = visibleIf !== undefined && conditions.some((c) => c.replace(/\s+/g, '') === visibleIf.replace(/\s+/g, ''));
            const why = !field.required ? { zh: '不是必填', en: 'is not required' } : visibleIf !== undefined && !guarded ? { zh: `只在 ${visibleIf} 时显示`, en: `is shown only when ${visibleIf}` } : undefined;
            if (!why) continue;
            seen.add(step.id);
            ctx.report(s, 'scope/field-may-be-empty', [...at, key], { step: step.id, field: field.id, label: textZh(field.label), why: why.zh, whyEn: why.en });
          }
        }
      });
    };
    for (const type of byType.keys()) walk(v.workflow.steps, ['workflow', 'steps'], type, []);
    walk(v.workflow.steps, ['workflow', 'steps'], undefined, []);
  }
};

/** Seed 002 §9.1 (完成流程测试相关工作): a live workflow is tested before go-live, with at least two scenarios. */
export const onlineServicesHaveScenarios: Rule = (ctx) => {
  for (const s of services(ctx)) {
    const v = s.value;
    if (!isHandledOnline(v) || !isLive(v) || !v.workflow) continue;
    const count = v.scenarios?.length ?? 0;
    if (count < 2) ctx.report(s, 'scenario/too-few', v.scenarios ? ['scenarios'] : ['workflow'], { count }, { key: true });
  }
};

/**
 * Scenario data fits the compiled form, checked as `hall test` and the runtime check a submission
 * (schema, required-when-visible, validIf, ID check digits, and department fields against the catalog's
 * departments), so a bad date or choice fails at `hall check`, positioned at the scenario's data key.
 */
export const scenarioDataFitsTheForm: Rule = (ctx) => {
  const directory = directoryOf(ctx.catalog);
  // The hall's calendar, as hall test runs the scenarios (today() in its zone, work-day rules).
  // An unknown time zone is hall/unknown-timezone's to report: with no usable calendar the scenarios' dates and
  // work-day rules cannot be judged, and every finding here would only echo it.
  if (ctx.catalog.hall && !isTimeZone(ctx.catalog.hall.value.calendar.timezone)) return;
  const calendar = ctx.catalog.hall ? new WorkCalendar(compileCalendar(ctx.catalog.hall.value)) : undefined;
  for (const s of services(ctx)) {
    const v = s.value;
    if (!v.form || !v.scenarios?.length) continue;
    // A form whose conditions do not evaluate is conditionsAreValidFeel's to report: its scenarios would only echo it.
    const sample = sampleContext(v, ctx.catalog.hall?.value);
    const conditions = [...fieldsOf(v)].flatMap(({ field }) => [field.visibleIf, field.validIf]).concat(v.form.sections.map((section) => section.visibleIf));
    if (conditions.some((c) => c !== undefined && !readsOnly(checkFeel(c, sample), sample.values))) continue;
    // Likewise a pattern that cannot run safely is patternsRunInLinearTime's to report.
    if ([...patternsOf(v)].some(({ pattern }) => checkPattern(pattern))) continue;
    const definition = compileDefinition(v, 1, runtimeFingerprint(v));
    const fields = new Set([...fieldsOf(v)].map(({ field }) => field.id));
    const steps = new Map<string, Pick<RuntimeStep, 'id' | 'schema' | 'fields'>>();
    const collect = (nodes: RuntimeNode[]): void => nodes.forEach((n) => (n.kind === 'branch' ? (collect(n.then), collect(n.else)) : n.kind === 'parallel' ? n.steps.forEach((st) => steps.set(st.id, st)) : steps.set(n.id, n)));
    collect(definition.workflow?.steps ?? []);
    v.scenarios.forEach((scenario, i) => {
      if (scenario.expect.submission === 'invalid') return;
      // Unknown keys are ref/unknown-field's (scenariosNameKnownThings); a misspelt key would also read as a missing one.
      const keys = [...Object.keys(scenario.data), ...scenario.decisions.flatMap((d) => Object.keys(d.revise ?? {}))];
      if (keys.some((k) => !fields.has(k))) return;
      const report = (errors: FieldError[], at: (string | number)[], only?: Set<string>) => {
        for (const e of errors) {
          const key = e.field.split('.')[0];
          if (only && !only.has(key)) continue;
          ctx.report(s, 'scenario/data-invalid', key ? [...at, key] : at, { name: scenario.name, field: e.field, label: e.label, problem: e.message }, { key: true });
        }
      };
      const applicant = scenario.applicant as Record<string, unknown>;
      const booking = scenario.booking ? { ...scenario.booking } : undefined;
      // The scenario's own clock, as hall test runs it (today() in a validIf reads it).
      const at = scenario.submittedAt ?? DEFAULT_CLOCK;
      report(validateSubmission(definition, scenario.data, applicant, booking, at, directory, calendar), ['scenarios', i, 'data']);
      let data = { ...scenario.data };
      scenario.decisions.forEach((d, j) => {
        if (d.revise) {
          data = { ...data, ...d.revise };
          report(validateSubmission(definition, data, applicant, booking, at, directory, calendar), ['scenarios', i, 'decisions', j, 'revise'], new Set(Object.keys(d.revise)));
        }
        const step = steps.get(d.step);
        if (d.data && step?.fields) report(validateStepData(step, d.data, { requireAll: d.action === 'approve' || d.action === 'complete' }), ['scenarios', i, 'decisions', j, 'data']);
      });
    });
  }
};

/** True when a condition is well-formed and reads only names the sample data has. */
function readsOnly(check: ReturnType<typeof checkFeel>, sample: Record<string, unknown>): boolean {
  return !check.syntax && check.names.every((name) => {
    let cursor: unknown = sample;
    for (const part of name.split('.')) {
      if (!cursor || typeof cursor !== 'object' || !(part in cursor)) return false;
      cursor = (cursor as Record<string, unknown>)[part];
    }
    return true;
  });
}

/** Every rule, in the order their findings read best. Removing one makes its tests fail. */
export const RULES: Record<string, Rule> = {
  onlineServicesHaveContingency,
  confidentialServicesStayOffline,
  stepsBelongToParticipants,
  visitsHaveReason,
  gradeFourMeansNoVisits,
  feesHaveBasis,
  resultsHaveSample,
  retiredInfoMatchesStatus,
  immediateCasesTakeNoTime,
  stepDeadlinesFitPromise,
  conditionsAreValidFeel,
  templatesUseKnownVariables,
  patternsRunInLinearTime,
  stepFieldsDoNotShadowFormFields,
  workflowIdsAreUnique,
  textIsPlain,
  onlineServicesAskNoPaperSignatures,
  guidesReviewedWithinAYear,
  nothingLeftAsTodo,
  suspendedServicesExplain,
  complaintsGoElsewhere,
  scenariosNameKnownThings,
  assignmentsFindTheirValues,
  onlineServicesHaveScenarios,
  scenarioDataFitsTheForm,
  workdayFunctionsStayInTheHall,
  // issue 15.7: deadlines in hours (cli/lint/deadline-hours.ts)
  hoursDeadlinesStayWithinADay,
  remindersComeBeforeTheDeadline,
  // Personal information (cli/lint/privacy-rules.ts).
  privacyReadersAreKnown,
  sensitiveFilesHaveRetention,
  // 代理申请 (cli/lint/proxy-rules.ts).
  proxyGroupsAreKnown,
  countersignVariantsAreSound,
  fallbackScopesAreUsed,
  // issue 15.8: decision tables (cli/lint/decisions.ts)
  decisionBandsAreSound,
  decisionResultsAreRead,
  // issue 15 item 10: guide facts per situation (cli/lint/situations.ts)
  situationsAreDeclared,
  situationsStateADifference,
  situationFactsFollowGuideRules,
  // issue 15 item 9: fees computed from the form (cli/lint/fees.ts)
  feeAmountsAreComputable,
  batchedStepsHaveNoFields,
  scenarioHandOversNamePeople,
  // issue 15 item 1: applicant steps (cli/lint/applicant-steps.ts)
  applicantStepsFollowApproval,
  applicantStepsCountFromADate,
  // issue 15.3: system steps (cli/lint/system-steps.ts)
  systemStepsCallDeclaredConnectors,
  // issue 15 item 5: return to a chosen step (cli/lint/return-to.ts)
  returnTargetsComeEarlier,
  // issue 15 item 2: publicity periods (cli/lint/publicity.ts)
  publicityPeriodsAreSound,
  publicityFollowsApproval,
  // issue 15 item 9b: payment steps (cli/lint/payment.ts)
  paymentStepsAreSound,
  paymentFollowsApproval,
  // 预约限额 (cli/lint/booking-rules.ts)
  bookingQuotasAreCountable,
};
