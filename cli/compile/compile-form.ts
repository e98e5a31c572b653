import type { FormField, LocalizedText, Service } from '../model/catalog.ts';
import { pinnedName } from './fingerprint.ts';
import type { RuntimeField, RuntimeForm, RuntimeText } from '../../generated/types/runtime/definition.ts';

export function runtimeText(text: LocalizedText): RuntimeText;
export function runtimeText(text: LocalizedText | undefined): RuntimeText | undefined;
export function runtimeText(text: LocalizedText | undefined): RuntimeText | undefined {
  if (text === undefined) return undefined;
  return typeof text === 'string' ? { zh: text } : { zh: text.zh, ...(text.en ? { en: text.en } : {}) };
}

/** Mainland mobile or landline with area code. */
const PHONE_PATTERN = '^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$';
/** 18-digit resident ID; the check digit is verified by the interpreter. */
const IDCARD_PATTERN = '^[1-9][0-9]{16}[0-9Xx]$';

const optionValue = (o: NonNullable<FormField['options']>[number]) => (typeof o === 'string' ? o : o.value);

/** JSON Schema (2020-12) for one field's submitted value. */
export function fieldSchema(field: FormField): Record<string, unknown> {
  const title = typeof field.label === 'string' ? field.label : field.label.zh;
  const base: Record<string, unknown> = { title };
  switch (field.type) {
    case 'text':
    case 'textarea':
      return { ...base, type: 'string', minLength: field.minLength ?? (field.required ? 1 : 0), ...(field.maxLength ? { maxLength: field.maxLength } : {}), ...(field.pattern ? { pattern: field.pattern } : {}) };
    case 'number':
      return { ...base, type: 'number', ...(field.min !== undefined ? { minimum: field.min } : {}), ...(field.max !== undefined ? { maximum: field.max } : {}) };
    case 'money':
      return { ...base, type: 'number', minimum: field.min ?? 0, ...(field.max !== undefined ? { maximum: field.max } : {}), multipleOf: 0.01 };
    case 'date':
      return { ...base, type: 'string', format: 'date' };
    case 'datetime':
      return { ...base, type: 'string', format: 'date-time' };
    case 'daterange':
      return { ...base, type: 'object', additionalProperties: false, required: ['start', 'end'], properties: { start: { type: 'string', format: 'date' }, end: { type: 'string', format: 'date' } } };
    case 'choice':
      return { ...base, type: 'string', enum: (field.options ?? []).map(optionValue) };
    case 'multichoice':
      return { ...base, type: 'array', uniqueItems: true, items: { type: 'string', enum: (field.options ?? []).map(optionValue) }, ...(field.required ? { minItems: 1 } : {}) };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'file': {
      const ext = field.accept?.map((a) => a.slice(1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      return {
        ...base,
        type: 'array',
        items: { type: 'string', minLength: 1, ...(ext?.length ? { pattern: `\\.(${ext.join('|')})$` } : {}) },
        ...(field.required ? { minItems: 1 } : {}),
        ...(field.maxFiles ? { maxItems: field.maxFiles } : {}),
        ...(field.maxSizeMB ? { 'x-maxSizeMB': field.maxSizeMB } : {}),
      };
    }
    case 'person':
    case 'department':
      return { ...base, type: 'string', minLength: 1 };
    case 'phone':
      return { ...base, type: 'string', pattern: PHONE_PATTERN };
    case 'email':
      return { ...base, type: 'string', format: 'email' };
    case 'idcard':
      return { ...base, type: 'string', pattern: IDCARD_PATTERN, 'x-idcard': true };
    case 'table': {
      const columns = field.columns ?? [];
      const rows = objectSchema(columns);
      return { ...base, type: 'array', items: rows, ...(field.minRows !== undefined ? { minItems: field.minRows } : field.required ? { minItems: 1 } : {}), ...(field.maxRows ? { maxItems: field.maxRows } : {}) };
    }
  }
}

/** An object schema for a list of fields: unconditional required fields are required here; fields with
 * visibleIf are required only when visible, which the runtime decides with FEEL (x-visibleIf). */
export function objectSchema(fields: FormField[], sectionVisibleIf: Map<string, string> = new Map()): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const field of fields) {
    const visibleIf = field.visibleIf ?? sectionVisibleIf.get(field.id);
    properties[field.id] = { ...fieldSchema(field), ...(visibleIf ? { 'x-visibleIf': visibleIf } : {}) };
    if (field.required && !visibleIf) required.push(field.id);
  }
  return { type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) };
}

export function runtimeField(field: FormField): RuntimeField {
  return {
    id: field.id,
    label: runtimeText(field.label),
    type: field.type,
    required: field.required ?? false,
    ...(field.help ? { help: runtimeText(field.help) } : {}),
    ...(field.placeholder ? { placeholder: runtimeText(field.placeholder) } : {}),
    ...(field.options ? { options: field.options.map((o) => (typeof o === 'string' ? { value: o, label: { zh: o } } : { value: o.value, label: runtimeText(o.label) })) } : {}),
    ...(field.visibleIf ? { visibleIf: field.visibleIf } : {}),
    ...(field.type === 'daterange' && field.min !== undefined ? { min: field.min } : {}),
    ...(field.type === 'daterange' && field.max !== undefined ? { max: field.max } : {}),
    ...(field.validIf ? { validIf: field.validIf } : {}),
    ...(field.validMessage ? { validMessage: runtimeText(field.validMessage) } : {}),
    ...(field.prefill ? { prefill: field.prefill } : {}),
    ...(field.readonly ? { readonly: true } : {}),
    ...(field.accept ? { accept: field.accept } : {}),
    ...(field.maxSizeMB ? { maxSizeMB: field.maxSizeMB } : {}),
    ...(field.maxFiles ? { maxFiles: field.maxFiles } : {}),
    ...(field.patternMessage ? { patternMessage: runtimeText(field.patternMessage) } : {}),
    ...(field.columns ? { columns: field.columns.map(runtimeField) } : {}),
    ...(field.sensitive ? { sensitive: true } : {}),
  };
}

/** The compiled form: a submission schema any validator can use, plus the UI the runtime renders. */
export function compileForm(service: Service): RuntimeForm | undefined {
  if (!service.form) return undefined;
  const sectionVisibleIf = new Map<string, string>();
  const all: FormField[] = [];
  for (const section of service.form.sections) {
    for (const field of section.fields) {
      all.push(field);
      if (section.visibleIf) sectionVisibleIf.set(field.id, field.visibleIf ? `(${section.visibleIf}) and (${field.visibleIf})` : section.visibleIf);
    }
  }
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: pinnedName(service),
    ...objectSchema(all, sectionVisibleIf),
  };
  return {
    schema,
    sections: service.form.sections.map((section, i) => ({
      id: section.id ?? `section-${i + 1}`,
      title: runtimeText(section.title),
      ...(section.visibleIf ? { visibleIf: section.visibleIf } : {}),
      fields: section.fields.map(runtimeField),
    })),
  };
}
