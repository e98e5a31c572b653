import type { RuntimeDefinition } from '../../lib/runtime/index.ts';
import type { RuntimeField, RuntimeNode } from '../../generated/types/runtime/definition.ts';

/**
 * Masking of personal information (个人信息保护法第二十八、五十一条): what a list, a summary or any answer
 * that is not an entitled reader's full view shows in place of an ID-card number, a phone number or a
 * field the service marks `sensitive`. Pure functions over data; the HTTP layer applies them to every
 * answer that carries applications (server/http/privacy.ts).
 */

/** Why a field is personal: its declared type (idcard, phone) or the service's `sensitive: true`. */
export type PersonalKind = 'idcard' | 'phone' | 'sensitive';

/** What a masked sensitive value shows, whatever its type: its length or shape would say too much. */
export const MASKED = '******';

/** An 18-digit resident ID: the first 3 and last 4 characters stay (GB/T 35273 display practice). */
export function maskIdCard(value: string): string {
  if (value.length <= 7) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
}

/** A mobile number keeps its first 3 and last 4 digits (138****5678); a landline its area code and last 2. */
export function maskPhone(value: string): string {
  const landline = /^(0\d{2,3})(-?)(\d{7,8})$/.exec(value);
  if (landline) return `${landline[1]}${landline[2]}${'*'.repeat(landline[3].length - 2)}${landline[3].slice(-2)}`;
  if (value.length <= 7) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
}

/** Numbers that look like a resident ID or a mainland mobile, wherever they occur in free text or attributes. */
const ID_IN_TEXT = /(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])/g;
const MOBILE_IN_TEXT = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g;

/** Free text (comments, attributes, undeclared values) with every ID-card and mobile number in it masked. */
export function maskText(value: string): string {
  return value.replace(ID_IN_TEXT, maskIdCard).replace(MOBILE_IN_TEXT, maskPhone);
}

function maskAs(kind: PersonalKind, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (kind === 'sensitive') return MASKED;
  if (typeof value !== 'string') return MASKED;
  return kind === 'idcard' ? maskIdCard(value) : maskPhone(value);
}

function kindOf(field: RuntimeField): PersonalKind | undefined {
  if (field.sensitive) return 'sensitive';
  if (field.type === 'idcard') return 'idcard';
  if (field.type === 'phone') return 'phone';
  return undefined;
}

/** personalFields' answers: a definition version never changes once loaded, and every answer with an application asks (issue 13). */
const personalByDefinition = new WeakMap<RuntimeDefinition, ReadonlyMap<string, PersonalKind>>();

/** The personal fields of a definition, form and step fields alike: `id` or `table.column` → kind. Found once per definition. */
export function personalFields(definition: RuntimeDefinition): ReadonlyMap<string, PersonalKind> {
  let found = personalByDefinition.get(definition);
  if (!found) {
    found = findPersonalFields(definition);
    personalByDefinition.set(definition, found);
  }
  return found;
}

function findPersonalFields(definition: RuntimeDefinition): Map<string, PersonalKind> {
  const found = new Map<string, PersonalKind>();
  const visit = (fields: RuntimeField[]) => {
    for (const field of fields) {
      const kind = kindOf(field);
      if (kind) found.set(field.id, kind);
      for (const column of field.columns ?? []) {
        const inner = field.sensitive ? 'sensitive' : kindOf(column);
        if (inner) found.set(`${field.id}.${column.id}`, inner);
      }
    }
  };
  for (const section of definition.form?.sections ?? []) visit(section.fields);
  const steps = (nodes: RuntimeNode[]) => {
    for (const node of nodes) {
      if (node.kind === 'step') visit(node.fields ?? []);
      if (node.kind === 'parallel') for (const s of node.steps) visit(s.fields ?? []);
      if (node.kind === 'branch') {
        steps(node.then);
        steps(node.else);
      }
    }
  };
  steps(definition.workflow?.steps ?? []);
  return found;
}

/** The sensitive file fields (their attachments are read in full only by entitled readers). */
export function sensitiveFileFields(definition: RuntimeDefinition): Set<string> {
  const found = new Set<string>();
  for (const section of definition.form?.sections ?? []) {
    for (const field of section.fields) {
      if (field.type === 'file' && field.sensitive) found.add(field.id);
      for (const column of field.columns ?? []) if (column.type === 'file' && (field.sensitive || column.sensitive)) found.add(`${field.id}.${column.id}`);
    }
  }
  return found;
}

/**
 * Form data (or a step's data, or a resubmission's changes) with its personal fields masked, and ID-card
 * and mobile numbers masked in every other text. `revealed` collects the personal fields that held a value.
 */
export function maskData(data: Record<string, unknown>, fields: ReadonlyMap<string, PersonalKind>, revealed?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const kind = fields.get(key);
    if (kind) {
      if (value !== undefined && value !== null && value !== '') revealed?.add(key);
      out[key] = maskAs(kind, value);
    } else if (Array.isArray(value)) {
      out[key] = value.map((row) => (row && typeof row === 'object' && !Array.isArray(row) ? maskRow(key, row as Record<string, unknown>, fields, revealed) : maskAny(row)));
    } else {
      out[key] = maskAny(value);
    }
  }
  return out;
}

function maskRow(table: string, row: Record<string, unknown>, fields: ReadonlyMap<string, PersonalKind>, revealed?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const kind = fields.get(`${table}.${column}`);
    if (kind && value !== undefined && value !== null && value !== '') revealed?.add(`${table}.${column}`);
    out[column] = kind ? maskAs(kind, value) : maskAny(value);
  }
  return out;
}

function maskAny(value: unknown): unknown {
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map(maskAny);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAny(v)]));
  return value;
}

/** The personal fields an application holds a value in (what a full view reveals). */
export function personalFieldsHeld(data: Record<string, unknown>, decisions: { data?: Record<string, unknown>; revise?: Record<string, unknown> }[], fields: ReadonlyMap<string, PersonalKind>): string[] {
  const revealed = new Set<string>();
  maskData(data, fields, revealed);
  for (const d of decisions) {
    if (d.data) maskData(d.data, fields, revealed);
    if (d.revise) maskData(d.revise, fields, revealed);
  }
  return [...revealed].sort();
}

/** An application as a list or summary shows it: form data, step data, revisions, applicant attributes and comments masked. */
export function maskApplication<T extends { data: Record<string, unknown>; applicant: Record<string, unknown>; decisions: { data?: Record<string, unknown>; revise?: Record<string, unknown>; comment?: string }[] }>(
  application: T,
  fields: ReadonlyMap<string, PersonalKind>,
): T {
  return {
    ...application,
    applicant: maskAny(application.applicant) as Record<string, unknown>,
    data: maskData(application.data, fields),
    decisions: application.decisions.map((d) => ({
      ...d,
      ...(d.data ? { data: maskData(d.data, fields) } : {}),
      ...(d.revise ? { revise: maskData(d.revise, fields) } : {}),
      ...(d.comment ? { comment: maskText(d.comment) } : {}),
    })),
  };
}
