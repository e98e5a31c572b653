import path from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnosticAt } from '../diagnostics/report.ts';
import { idsByName, nameKey } from './names.ts';
import { closest } from '../diagnostics/suggest.ts';
import { locate } from '../load/parse-file.ts';
import type { Catalog, Department, Hall, Located, RoleGroup, Service } from '../model/catalog.ts';
import { fieldsOf, stepsOf } from '../model/catalog.ts';
import type { CatalogDocument } from '../validate/validate-documents.ts';

/**
 * Assemble the catalog from validated documents and check everything that crosses files: layout,
 * unique ids, and every reference (departments, groups, vocabularies, data sources, successors,
 * e-certificates, attachments). Pure: the set of existing files is given.
 */
export function resolveCatalog(documents: CatalogDocument[], dir: string, files: Set<string>): { catalog: Catalog; diagnostics: Diagnostic[] } {
  const catalog: Catalog = { dir, files, departments: new Map(), groups: new Map(), services: new Map() };
  const diagnostics: Diagnostic[] = [];
  const prefix = dir === '.' ? '' : `${dir}/`;
  const relInCatalog = (file: string) => file.slice(prefix.length);

  // Ids of documents that failed validation still count as existing, so one broken file does not
  // cascade into "unknown department" errors in every file that names it.
  const knownDepartments = new Set<string>();
  const knownServices = new Set<string>();
  const knownGroups = new Set<string>();
  /** Chinese and English names → id, so `group: 辅导员` can suggest `counselor`. */
  const idByName = idsByName(documents.map((d) => d.value));

  for (const doc of documents) {
    const rel = relInCatalog(doc.parsed.file);
    const parts = rel.split('/');
    const v = doc.value;
    if (doc.kind === 'Hall' || doc.kind === 'RoleGroups') {
      const expected = doc.kind === 'Hall' ? 'hall.yaml' : 'roles.yaml';
      if (rel !== expected) {
        diagnostics.push(diagnosticAt(doc.parsed, 'catalog/misplaced-file', ['kind'], { kind: doc.kind, expected: `${prefix}${expected}` }));
        continue;
      }
      if (doc.kind === 'Hall' && doc.valid) catalog.hall = { value: v as unknown as Hall, parsed: doc.parsed, path: [] };
      if (doc.kind === 'RoleGroups') {
        const groups = Array.isArray(v.groups) ? (v.groups as RoleGroup[]) : [];
        groups.forEach((g, i) => {
          if (typeof g?.id !== 'string') return;
          const existing = catalog.groups.get(g.id);
          if (existing) diagnostics.push(diagnosticAt(doc.parsed, 'catalog/duplicate-id', ['groups', i, 'id'], { what: { zh: '群组', en: 'group' }, id: g.id, other: `${existing.parsed.file}:${locate(existing.parsed, [...existing.path, 'id']).line}` }));
          knownGroups.add(g.id);
          if (doc.valid && !existing) catalog.groups.set(g.id, { value: g, parsed: doc.parsed, path: ['groups', i] });
        });
      }
    } else if (doc.kind === 'Department') {
      if (parts.length !== 2 || parts[1] !== 'department.yaml') {
        diagnostics.push(diagnosticAt(doc.parsed, 'catalog/misplaced-file', ['kind'], { kind: doc.kind, expected: `${prefix}<code>/department.yaml` }));
        continue;
      }
      const code = typeof v.code === 'string' ? v.code : undefined;
      if (!code) continue;
      knownDepartments.add(code);
      if (code !== parts[0]) {
        diagnostics.push(diagnosticAt(doc.parsed, 'catalog/folder-mismatch', ['code'], { code, folder: parts[0] }));
        // Files that name the folder are not wrong too: one mismatch is one finding, not one per reference.
        knownDepartments.add(parts[0]);
      }
      if (doc.valid) catalog.departments.set(code, { value: v as unknown as Department, parsed: doc.parsed, path: [] });
    } else {
      if (parts.length < 2 || parts[parts.length - 2] === 'files') {
        diagnostics.push(diagnosticAt(doc.parsed, 'catalog/misplaced-file', ['kind'], { kind: 'Service', expected: `${prefix}<code>/<service>.yaml` }));
        continue;
      }
      const id = typeof v.id === 'string' ? v.id : undefined;
      if (!id) continue;
      const existing = catalog.services.get(id);
      if (existing || (knownServices.has(id) && !doc.valid)) {
        diagnostics.push(diagnosticAt(doc.parsed, 'catalog/duplicate-id', ['id'], { what: { zh: '事项', en: 'service' }, id, other: existing?.parsed.file ?? '?' }));
        continue;
      }
      knownServices.add(id);
      const base = path.posix.basename(rel).replace(/\.ya?ml$/i, '');
      if (base !== id) diagnostics.push(diagnosticAt(doc.parsed, 'catalog/file-name', ['id'], { id, name: path.posix.basename(rel) }));
      if (typeof v.owner === 'string' && v.owner !== parts[0] && parts.length === 2) {
        diagnostics.push(diagnosticAt(doc.parsed, 'catalog/owner-folder', ['owner'], { owner: v.owner, folder: parts[0] }));
      }
      if (doc.valid) catalog.services.set(id, { value: v as unknown as Service, parsed: doc.parsed, path: [] });
    }
  }

  // A file that could not be read names its ids by where it lies (a department's folder, a service's
  // file name), so its own error is reported once instead of again at every reference to it.
  const readable = new Set(documents.map((d) => d.parsed.file));
  let groupsUnknown = false;
  for (const file of files) {
    if (readable.has(file) || !/\.ya?ml$/i.test(file)) continue;
    const parts = relInCatalog(file).split('/');
    if (parts.length === 1 && parts[0] === 'roles.yaml') groupsUnknown = true;
    else if (parts.length === 2 && parts[1] === 'department.yaml') knownDepartments.add(parts[0]);
    else if (parts.length === 2) knownServices.add(parts[1].replace(/\.ya?ml$/i, ''));
  }

  const hallFile = `${prefix}hall.yaml`;
  const rolesFile = `${prefix}roles.yaml`;
  for (const [file, present] of [[hallFile, readable.has(hallFile) || files.has(hallFile)], [rolesFile, readable.has(rolesFile) || files.has(rolesFile)]] as const) {
    if (!present) diagnostics.push({ code: 'catalog/missing-file', severity: 'error', args: { expected: file }, file, line: 1, column: 1 });
  }

  const hall = catalog.hall?.value;
  const vocab = {
    topic: new Set(hall?.topics.map((t) => t.id)),
    audience: new Set(hall?.audiences.map((t) => t.id)),
    channel: new Set(hall?.channels.map((t) => t.id)),
    dataSource: new Set(hall?.dataSources.map((t) => t.id)),
  };

  const ref = (located: Located<unknown>, code: Parameters<typeof diagnosticAt>[1], p: (string | number)[], id: string, known: Set<string>, listAllowed = false) => {
    if (known.has(id)) return;
    const byName = code === 'ref/unknown-group' ? idByName.group : code === 'ref/unknown-department' ? idByName.department : undefined;
    const suggest = byName?.get(nameKey(id)) ?? closest(id, known);
    diagnostics.push(diagnosticAt(located.parsed, code, p, { id, ...(suggest ? { suggest } : {}), ...(listAllowed ? { allowed: [...known].join(', ') } : {}) }));
  };

  for (const group of catalog.groups.values()) {
    ref(group, 'ref/unknown-department', [...group.path, 'maintainer'], group.value.maintainer, knownDepartments);
  }
  if (catalog.hall && hall) ref(catalog.hall, 'ref/unknown-department', ['itOffice'], hall.itOffice, knownDepartments);

  for (const located of catalog.services.values()) {
    const s = located.value;
    ref(located, 'ref/unknown-department', ['owner'], s.owner, knownDepartments);
    s.participants?.forEach((p, i) => ref(located, 'ref/unknown-department', ['participants', i], p, knownDepartments));
    if (hall) {
      s.topics.forEach((t, i) => ref(located, 'ref/unknown-topic', ['topics', i], t, vocab.topic, true));
      s.audiences.forEach((t, i) => ref(located, 'ref/unknown-audience', ['audiences', i], t, vocab.audience, true));
      s.channels?.forEach((t, i) => ref(located, 'ref/unknown-channel', ['channels', i], t, vocab.channel, true));
    }
    if (s.retired?.successor) {
      ref(located, 'ref/unknown-service', ['retired', 'successor'], s.retired.successor, knownServices);
      const successor = catalog.services.get(s.retired.successor);
      if (successor?.value.status === 'retired') diagnostics.push(diagnosticAt(located.parsed, 'ref/retired-successor', ['retired', 'successor'], { id: s.retired.successor }));
    }
    s.guide.materials.forEach((m, i) => {
      if (!m.eCertificate) return;
      ref(located, 'ref/unknown-service', ['guide', 'materials', i, 'eCertificate'], m.eCertificate, knownServices);
      const issuer = catalog.services.get(m.eCertificate);
      if (issuer && !issuer.value.guide.result?.eCertificate) diagnostics.push(diagnosticAt(located.parsed, 'ref/not-a-certificate', ['guide', 'materials', i, 'eCertificate'], { id: m.eCertificate }));
    });

    // Attachments: relative to the YAML file, inside the catalog, existing.
    const attachments: [string, (string | number)[]][] = [];
    s.guide.materials.forEach((m, i) => {
      if (m.blankForm) attachments.push([m.blankForm, ['guide', 'materials', i, 'blankForm']]);
      if (m.sample) attachments.push([m.sample, ['guide', 'materials', i, 'sample']]);
    });
    if (s.guide.result?.sample) attachments.push([s.guide.result.sample, ['guide', 'result', 'sample']]);
    for (const [p, keyPath] of attachments) {
      const target = resolveAttachment(located.parsed.file, p, prefix);
      if (!target) diagnostics.push(diagnosticAt(located.parsed, 'ref/file-outside-catalog', keyPath, { path: p }));
      else if (!files.has(target)) diagnostics.push(diagnosticAt(located.parsed, 'ref/missing-file', keyPath, { path: p, expected: target }));
    }

    // Workflow: groups, departments, scopes.
    const fieldTypes = new Map([...fieldsOf(s)].map(({ field }) => [field.id, field.type]));
    const labels = new Map([...fieldsOf(s)].map(({ field }) => [field.id, typeof field.label === 'string' ? field.label : field.label.zh]));
    /** Issue 11.4: a field that routes names someone from the directory, never free text. */
    const freeText = (step: { id: string }, key: 'scope' | 'department', field: string, expected: 'person' | 'department', p: (string | number)[]) =>
      diagnostics.push(diagnosticAt(located.parsed, 'scope/free-text-field', [...p, key], {
        step: step.id, field, label: labels.get(field) ?? field, type: fieldTypes.get(field)!, expected,
        expectedHint: expected === 'person' ? '申请人从人员目录中选择，提交时按 hall.yaml 的 personId 校验学号/工号。' : '申请人从部门列表中选择，提交时按目录中的部门代码校验。',
        expectedHintEn: expected === 'person' ? 'applicants pick from the directory, and the id is checked against hall.yaml\'s personId on submission.' : 'applicants pick from the departments, and the code is checked against the catalog on submission.',
      }));
    for (const { step, path: p } of stepsOf(s.workflow?.steps)) {
      if (!groupsUnknown) ref(located, 'ref/unknown-group', [...p, 'group'], step.group, knownGroups);
      if (step.department.startsWith('form.')) {
        const field = step.department.slice('form.'.length);
        if (fieldTypes.has(field) && fieldTypes.get(field) !== 'department') freeText(step, 'department', field, 'department', p);
        else if (fieldTypes.get(field) !== 'department') ref(located, 'ref/unknown-field', [...p, 'department'], field, new Set([...fieldTypes].filter(([, t]) => t === 'department').map(([id]) => id)));
      } else if (step.department.startsWith('applicant.')) {
        const source = hall?.dataSources.find((d) => d.id === step.department);
        if (hall && source?.type !== 'department') ref(located, 'ref/unknown-data-source', [...p, 'department'], step.department, new Set(hall.dataSources.filter((d) => d.type === 'department').map((d) => d.id)), true);
      } else {
        ref(located, 'ref/unknown-department', [...p, 'department'], step.department, knownDepartments);
      }
      // 抄送 (issue 15.6): a copied group exists, and its scope fits the group as a step's does.
      for (const [j, cc] of (step.cc ?? []).entries()) {
        if (!groupsUnknown) ref(located, 'ref/unknown-group', [...p, 'cc', j, 'group'], cc.group, knownGroups);
        const ccGroup = catalog.groups.get(cc.group)?.value;
        const ccKind = hall ? scopeKindOf(cc.scope, hall, fieldTypes) : undefined;
        if (ccGroup && ccKind && ccKind !== ccGroup.scope) {
          diagnostics.push(diagnosticAt(located.parsed, 'ref/scope-mismatch', [...p, 'cc', j, 'scope'], { group: cc.group, groupScope: SCOPE_NAMES[ccGroup.scope], scope: cc.scope, scopeKind: SCOPE_NAMES[ccKind] ?? { zh: '不可用的范围', en: 'an unusable scope' }, scopeHint: SCOPE_HINTS[ccGroup.scope] }));
        }
      }
      const group = catalog.groups.get(step.group)?.value;
      if (!hall) continue; // without a valid hall.yaml, scopes cannot be judged; hall.yaml's own errors say why
      // Routing (docs/routing.md): a fallback scope names a known applicant attribute or form field.
      const fallbackKind = step.fallback === undefined ? undefined : scopeKindOf(step.fallback, hall, fieldTypes);
      if (fallbackKind === 'unknown-applicant') ref(located, 'ref/unknown-data-source', [...p, 'fallback'], step.fallback!, vocab.dataSource, true);
      else if (fallbackKind === 'unknown-field') ref(located, 'ref/unknown-field', [...p, 'fallback'], step.fallback!.slice('form.'.length), new Set(fieldTypes.keys()));
      const scopeKind = scopeKindOf(step.scope, hall, fieldTypes);
      if (scopeKind === 'unknown-applicant') {
        ref(located, 'ref/unknown-data-source', [...p, 'scope'], step.scope, vocab.dataSource, true);
      } else if (scopeKind === 'unknown-field') {
        ref(located, 'ref/unknown-field', [...p, 'scope'], step.scope.slice('form.'.length), new Set(fieldTypes.keys()));
      } else if (scopeKind === 'unusable' && step.scope.startsWith('form.')) {
        freeText(step, 'scope', step.scope.slice('form.'.length), group?.scope === 'department' ? 'department' : 'person', p);
      } else if (group && scopeKind !== group.scope) {
        diagnostics.push(diagnosticAt(located.parsed, 'ref/scope-mismatch', [...p, 'scope'], {
          group: step.group,
          groupScope: SCOPE_NAMES[group.scope],
          scope: step.scope,
          scopeKind: SCOPE_NAMES[scopeKind] ?? { zh: '不可用的范围', en: 'an unusable scope' },
          scopeHint: SCOPE_HINTS[group.scope],
        }));
      }
    }
    for (const { field, path: p } of fieldsOf(s)) {
      if (field.prefill && hall) ref(located, 'ref/unknown-data-source', [...p, 'prefill'], field.prefill, vocab.dataSource, true);
    }
  }
  return { catalog, diagnostics };
}

type ScopeKind = 'university' | 'department' | 'class' | 'person' | 'unknown-applicant' | 'unknown-field' | 'unusable';

const SCOPE_NAMES: Record<string, { zh: string; en: string }> = {
  university: { zh: '全校', en: 'the whole university' },
  department: { zh: '部门/学院', en: 'department or college' },
  class: { zh: '班级', en: 'class' },
  person: { zh: '人员', en: 'person' },
};

const SCOPE_HINTS: Record<string, { zh: string; en: string }> = {
  university: { zh: '全校一组的群组请写 scope: university。', en: 'For a university-wide group write scope: university.' },
  department: { zh: '按部门划分的群组请写 scope: department（本环节的部门）、applicant.college（申请人的学院）或 form.<部门字段>。', en: 'For a per-department group write department, applicant.college or form.<department field>.' },
  class: { zh: '按班级划分的群组请写 scope: applicant.class。', en: 'For a per-class group write scope: applicant.class.' },
  person: { zh: '按人员划分的群组请写 scope: form.<人员字段>（表单中 type: person 的字段）。', en: 'For a per-person group write scope: form.<person field>.' },
};

function scopeKindOf(scope: string, hall: Hall | undefined, fieldTypes: Map<string, string>): ScopeKind {
  if (scope === 'university' || scope === 'department') return scope;
  if (scope.startsWith('applicant.')) {
    const source = hall?.dataSources.find((d) => d.id === scope);
    if (!source) return hall ? 'unknown-applicant' : 'unusable';
    return source.type === 'department' ? 'department' : source.type === 'class' ? 'class' : source.type === 'person' ? 'person' : 'unusable';
  }
  const field = scope.slice('form.'.length);
  const type = fieldTypes.get(field);
  if (!type) return 'unknown-field';
  return type === 'department' ? 'department' : type === 'person' ? 'person' : 'unusable';
}

/** The repository-relative path an attachment names, or undefined when it would leave the catalog. */
export function resolveAttachment(yamlFile: string, attachment: string, catalogPrefix: string): string | undefined {
  if (attachment.startsWith('/') || attachment.includes('\\') || /^[a-zA-Z]:/.test(attachment) || attachment.includes('\0')) return undefined;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(yamlFile), attachment));
  if (catalogPrefix && !joined.startsWith(catalogPrefix)) return undefined;
  if (!catalogPrefix && (joined.startsWith('../') || joined === '..')) return undefined;
  return joined;
}

