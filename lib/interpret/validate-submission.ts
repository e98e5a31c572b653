import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { counted } from '../shared/plural.ts';
import type { RuntimeDefinition, RuntimeField, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { evaluateFeel, typeBooking, typeData } from './feel.ts';
import type { FeelFailure } from './feel.ts';
import type { WorkCalendar } from './calendar.ts';
import { MAX_VALUE_LENGTH, ajvRegExp } from './pattern.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export interface FieldError {
  /** Field id, or `row[i].column` inside a table; empty for the submission as a whole. */
  field: string;
  label: string;
  message: { zh: string; en: string };
}

let ajv: Ajv2020 | undefined;
/**
 * Patterns run on RE2 (linear time), never on the backtracking RegExp engine. multipleOfPrecision: a money
 * field is a multiple of 0.01, and 4999.99 / 0.01 is not an integer in binary floating point.
 */
export const newAjv = () => addFormats(new Ajv2020({ allErrors: true, strict: false, multipleOfPrecision: 6, code: { regExp: ajvRegExp } }));
const compiled = new Map<string, ValidateFunction>();

function validatorFor(definition: RuntimeDefinition): ValidateFunction {
  const key = `${definition.id}@${definition.fingerprint}`;
  let v = compiled.get(key);
  if (!v) {
    v = objectValidator(definition.form!.schema);
    compiled.set(key, v);
  }
  return v;
}

/** Validators of one field's schema, by its JSON without annotations: most fields of a catalog share a handful. */
const fieldValidators = new Map<string, ValidateFunction>();
/** Most field validators kept; a province's distinct fields (patterns, option lists) stay far below it. */
const FIELD_VALIDATORS = 20_000;

/** The top-level keywords a form's (or a step's) object schema has (compile-form.ts objectSchema); any other is compiled whole. */
const OBJECT_KEYS = new Set(['$schema', 'title', 'description', 'type', 'additionalProperties', 'properties', 'required']);
const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema';

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
/** A schema that refers to another part of the document (or names itself) cannot be compiled on its own. */
const selfContained = (value: unknown): boolean =>
  Array.isArray(value) ? value.every(selfContained) : !isRecord(value) || Object.entries(value).every(([k, v]) => !k.startsWith('$') && selfContained(v));
const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The validator of a form's submission schema — `{ type: object, additionalProperties: false,
 * properties, required }` — without compiling the whole of it: ajv's code generation was most of what
 * `hall check` spent on scenario data (each form is a new schema, each field one of a few). Each field's
 * schema is compiled once per distinct shape (its title and x- annotations do not validate anything) and
 * the object's own keywords are applied here, giving the errors ajv gives for the whole schema, in its
 * order (`allErrors`: the type; then each missing required property; each property not in the form; then
 * each present property's own errors under its path). test/interpret/split-validator.test.ts compares the
 * two on random schemas and data. Any other shape is compiled whole.
 */
export function objectValidator(schema: object): ValidateFunction {
  ajv ??= newAjv();
  const s = schema as Record<string, unknown>;
  const split =
    Object.keys(s).every((k) => OBJECT_KEYS.has(k) || k.startsWith('x-')) &&
    (s.$schema === undefined || s.$schema === DRAFT_2020) &&
    s.type === 'object' &&
    s.additionalProperties === false &&
    isRecord(s.properties) &&
    (s.required === undefined || (Array.isArray(s.required) && s.required.every((r) => typeof r === 'string'))) &&
    Object.values(s.properties).every((p) => isRecord(p) && selfContained(p));
  if (!split) return ajv.compile(schema);
  const required = (s.required ?? []) as string[];
  const properties = Object.entries(s.properties as Record<string, Record<string, unknown>>).map(([key, field]) => [key, fieldValidator(field)] as const);
  const known = new Set(Object.keys(s.properties as object));
  const validate = ((data: unknown) => {
    const errors: ErrorObject[] = [];
    if (!isRecord(data)) {
      errors.push({ instancePath: '', schemaPath: '#/type', keyword: 'type', params: { type: 'object' }, message: 'must be object' });
    } else {
      for (const missing of required) {
        if (data[missing] === undefined) errors.push({ instancePath: '', schemaPath: '#/required', keyword: 'required', params: { missingProperty: missing }, message: `must have required property '${missing}'` });
      }
      for (const key in data) {
        if (!known.has(key)) errors.push({ instancePath: '', schemaPath: '#/additionalProperties', keyword: 'additionalProperties', params: { additionalProperty: key }, message: 'must NOT have additional properties' });
      }
      for (const [key, check] of properties) {
        if (data[key] === undefined || check(data[key])) continue;
        const path = `/${escapePointer(key)}`;
        for (const e of check.errors ?? []) errors.push({ ...e, instancePath: `${path}${e.instancePath}`, schemaPath: `#/properties/${encodeURIComponent(escapePointer(key))}${e.schemaPath.slice(1)}` });
      }
    }
    validate.errors = errors.length ? errors : null;
    return errors.length === 0;
  }) as ValidateFunction;
  validate.errors = null;
  validate.schema = schema;
  return validate;
}

/** One field's validator, shared by every field with the same schema but for its annotations. */
function fieldValidator(field: Record<string, unknown>): ValidateFunction {
  const bare = Object.fromEntries(Object.entries(field).filter(([k]) => k !== 'title' && k !== 'description' && !k.startsWith('x-')));
  const key = JSON.stringify(bare);
  let v = fieldValidators.get(key);
  if (!v) {
    v = ajv!.compile(bare);
    if (fieldValidators.size >= FIELD_VALIDATORS) fieldValidators.clear();
    fieldValidators.set(key, v);
  }
  return v;
}

/**
 * Whether a FEEL condition holds for this submission at instant `at`: true, false (unknown or null
 * counts as false), or the failure when it cannot be evaluated within its budget.
 */
export function conditionHolds(condition: string | undefined, context: Record<string, unknown>, at: string, calendar?: WorkCalendar): boolean | FeelFailure {
  if (!condition) return true;
  const outcome = evaluateFeel(condition, context, at, calendar);
  if (!outcome.ok) return outcome.failure.kind === 'error' ? false : outcome.failure;
  return outcome.value === true;
}

/** GB 11643 check digit of an 18-digit resident ID. */
export function idCardChecksumOk(id: string): boolean {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const codes = '10X98765432';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * weights[i];
  return codes[sum % 11] === id[17].toUpperCase();
}

/**
 * Who and what a `person` or `department` field may name. A value that routes a task (`scope:
 * form.<field>`) and names nobody would create a task no one sees, so the runtime checks it against
 * its directory; `hall check` and `hall test` use the catalog's departments and hall.yaml's person-id pattern.
 */
export interface Directory {
  /** Department codes. */
  departments?: Iterable<string>;
  /** Regular expression a person id (学号/工号) matches, and an example of one. */
  personId?: { pattern: string; example?: string };
  /** Person ids known to the identity platform. */
  people?: Iterable<string>;
}

function directoryProblem(type: string, routes: boolean, value: string, directory: Directory): { zh: string; en: string } | undefined {
  if (type === 'department' && directory.departments) {
    const codes = [...directory.departments];
    if (!codes.includes(value)) return { zh: `“${value}”不是目录中的部门代码（应为如 ${codes.slice(0, 3).join('、')} 的部门代码）`, en: `"${value}" is not a department code of the catalog (e.g. ${codes.slice(0, 3).join(', ')})` };
  }
  // A person field that only informs (a deputy's name) may hold a name; one that picks an assignee may not.
  if (type === 'person' && routes) {
    if (directory.personId && !new RegExp(directory.personId.pattern, 'u').test(value)) {
      const example = directory.personId.example;
      return { zh: `“${value}”不是有效的学号或工号${example ? `（如 ${example}）` : ''}`, en: `"${value}" is not a valid person id${example ? ` (e.g. ${example})` : ''}` };
    }
    if (directory.people && ![...directory.people].includes(value)) return { zh: `人员目录中没有“${value}”`, en: `the directory has no person "${value}"` };
  }
  return undefined;
}

/**
 * Validate a submission field by field: the compiled JSON Schema first, then what a schema cannot say —
 * fields required only when visible (FEEL), and ID-card check digits. Messages name the field's label.
 * Conditions read typed values (see ./feel.ts) and the clock `at` (the submission instant; the
 * machine's clock when omitted, as a live submission is judged now). With the hall's `calendar`,
 * `today()` is the date in the hall's time zone and rules may count work days.
 */
export function validateSubmission(definition: RuntimeDefinition, data: Record<string, unknown>, applicant: Record<string, unknown>, booking?: Record<string, unknown>, at: string = new Date().toISOString(), directory?: Directory, calendar?: WorkCalendar): FieldError[] {
  if (!definition.form) return [];
  const fields = new Map<string, RuntimeField>();
  for (const section of definition.form.sections) for (const field of section.fields) fields.set(field.id, field);
  const label = (id: string) => fields.get(id)?.label.zh ?? id;
  const errors: FieldError[] = [];
  const tooLong = overlongValues(data, definition.form.schema as { properties?: Record<string, { maxLength?: number }> }, label);
  if (tooLong.length) return tooLong;
  const validate = validatorFor(definition);
  if (!validate(data)) errors.push(...(validate.errors ?? []).map((e) => toFieldError(e, label)));
  const context = { ...typeData(fields.values(), data), applicant, ...(booking ? { booking: typeBooking(booking) } : {}) };
  // A condition over its budget is the field's error, never a hang: the submission cannot be judged.
  const holds = (condition: string | undefined, field: { id: string; label: string }): boolean | undefined => {
    const result = conditionHolds(condition, context, at, calendar);
    if (typeof result === 'boolean') return result;
    errors.push({ field: field.id, label: field.label, message: { zh: `无法判断这一项：${result.message.zh}，请联系事项管理员`, en: `cannot be judged: ${result.message.en}; contact the service's administrator` } });
    return undefined;
  };
  const routing = routingFields(definition);
  for (const section of definition.form.sections) {
    const sectionVisible = section.visibleIf ? holds(section.visibleIf, { id: section.fields[0]?.id ?? '', label: section.title.zh }) === true : true;
    for (const field of section.fields) {
      const shown = sectionVisible ? holds(field.visibleIf, { id: field.id, label: field.label.zh }) : false;
      if (shown === undefined) continue;
      const visible = shown;
      const value = data[field.id];
      const missing = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
      if (visible && field.required && missing && (field.visibleIf || section.visibleIf)) {
        errors.push({ field: field.id, label: field.label.zh, message: { zh: '必填', en: 'is required' } });
      }
      if (!visible && !missing && (field.visibleIf || section.visibleIf)) {
        errors.push({ field: field.id, label: field.label.zh, message: { zh: '当前条件下不应填写（该字段不显示）', en: 'must be empty: the field is hidden under these answers' } });
      }
      if (visible && !missing && field.validIf && holds(field.validIf, { id: field.id, label: field.label.zh }) === false) {
        errors.push({ field: field.id, label: field.label.zh, message: field.validMessage ? { zh: field.validMessage.zh, en: field.validMessage.en ?? field.validMessage.zh } : { zh: `不满足条件：${field.validIf}`, en: `does not satisfy ${field.validIf}` } });
      }
      if (field.type === 'daterange' && value && typeof value === 'object' && (field.min !== undefined || field.max !== undefined)) {
        const { start, end } = value as { start?: string; end?: string };
        const days = start && end ? Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000) + 1 : NaN;
        if (days < 1) errors.push({ field: field.id, label: field.label.zh, message: { zh: '结束日期不能早于开始日期', en: 'the end is before the start' } });
        else if (field.min !== undefined && days < field.min) errors.push({ field: field.id, label: field.label.zh, message: { zh: `至少 ${field.min} 天`, en: `at least ${counted(field.min, 'day')}` } });
        else if (field.max !== undefined && days > field.max) errors.push({ field: field.id, label: field.label.zh, message: { zh: `最多 ${field.max} 天`, en: `at most ${counted(field.max, 'day')}` } });
      }
      if (directory && !missing && typeof value === 'string') {
        const problem = directoryProblem(field.type, routing.has(field.id), value, directory);
        if (problem) errors.push({ field: field.id, label: field.label.zh, message: problem });
      }
      if (field.type === 'idcard' && typeof value === 'string' && /^[1-9][0-9]{16}[0-9Xx]$/.test(value) && !idCardChecksumOk(value)) {
        errors.push({ field: field.id, label: field.label.zh, message: { zh: '身份证号校验位不正确，请核对', en: 'the ID number\'s check digit is wrong' } });
      }
    }
  }
  return dedupe(errors);
}

/** Text values past their field's `maxLength` (or MAX_VALUE_LENGTH), found before any pattern or rule reads them. */
function overlongValues(data: Record<string, unknown>, schema: { properties?: Record<string, { maxLength?: number }> }, label: (id: string) => string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [id, value] of Object.entries(data)) {
    const own = Object.hasOwn(schema.properties ?? {}, id) ? schema.properties![id].maxLength : undefined;
    const limit = Math.max(MAX_VALUE_LENGTH, typeof own === 'number' ? own : 0);
    if (longestText(value, 0) > limit) {
      errors.push({ field: id, label: label(id), message: { zh: `内容太长：最多 ${limit} 个字`, en: `is too long: at most ${limit} characters` } });
    }
  }
  return errors;
}

/** The longest string inside a submitted value (tables hold rows of values); nesting past a table's depth stops the walk. */
function longestText(value: unknown, depth: number): number {
  if (typeof value === 'string') return value.length;
  if (depth > 4 || value === null || typeof value !== 'object') return 0;
  let longest = 0;
  for (const v of Object.values(value)) longest = Math.max(longest, longestText(v, depth + 1));
  return longest;
}

/** Form fields a step's scope or department reads: their values pick who gets the task. */
export function routingFields(definition: Pick<RuntimeDefinition, 'workflow'>): Set<string> {
  const fields = new Set<string>();
  const visit = (nodes: RuntimeNode[]) => {
    for (const node of nodes) {
      if (node.kind === 'branch') (visit(node.then), visit(node.else));
      else if (node.kind === 'applicant' || node.kind === 'publicity' || node.kind === 'payment') continue;
      else for (const step of node.kind === 'parallel' ? node.steps : [node]) {
        for (const reference of [step.scope, step.department]) if (reference.startsWith('form.')) fields.add(reference.slice('form.'.length));
      }
    }
  };
  visit(definition.workflow?.steps ?? []);
  return fields;
}

function toFieldError(e: ErrorObject, label: (id: string) => string): FieldError {
  const parts = e.instancePath.split('/').filter(Boolean);
  let field = parts[0] ?? '';
  if (e.keyword === 'required') field = (e.params as { missingProperty: string }).missingProperty;
  if (e.keyword === 'additionalProperties' && !parts.length) field = (e.params as { additionalProperty: string }).additionalProperty;
  const where = parts.length > 1 ? parts.slice(1).join('.') : '';
  const p = e.params as Record<string, unknown>;
  const msg = ((): { zh: string; en: string } => {
    switch (e.keyword) {
      case 'required': return where || parts.length ? { zh: `缺少“${String(p.missingProperty)}”`, en: `missing "${String(p.missingProperty)}"` } : { zh: '必填', en: 'is required' };
      case 'additionalProperties': return { zh: '表单中没有这个字段', en: 'is not a field of this form' };
      case 'type': return { zh: `应为${TYPE_ZH[String(p.type)] ?? String(p.type)}`, en: `must be ${String(p.type)}` };
      case 'enum': return { zh: `只能从这些选项中选择：${(p.allowedValues as unknown[]).join('、')}`, en: `must be one of ${(p.allowedValues as unknown[]).join(', ')}` };
      case 'minimum': return { zh: `不能小于 ${String(p.limit)}`, en: `must be at least ${String(p.limit)}` };
      case 'maximum': return { zh: `不能大于 ${String(p.limit)}`, en: `must be at most ${String(p.limit)}` };
      case 'minLength': return { zh: Number(p.limit) <= 1 ? '必填' : `至少 ${String(p.limit)} 个字`, en: Number(p.limit) <= 1 ? 'is required' : `needs at least ${String(p.limit)} characters` };
      case 'maxLength': return { zh: `最多 ${String(p.limit)} 个字`, en: `at most ${String(p.limit)} characters` };
      case 'minItems': return { zh: `至少 ${String(p.limit)} 项`, en: `needs at least ${counted(Number(p.limit), 'item')}` };
      case 'maxItems': return { zh: `最多 ${String(p.limit)} 项`, en: `at most ${counted(Number(p.limit), 'item')}` };
      case 'pattern': return { zh: '格式不正确', en: 'has the wrong format' };
      case 'format': return { zh: `不是有效的${FORMAT_ZH[String(p.format)] ?? String(p.format)}`, en: `is not a valid ${String(p.format)}` };
      case 'multipleOf': return { zh: '金额最多保留两位小数', en: 'at most two decimals' };
      case 'uniqueItems': return { zh: '有重复的选项', en: 'has duplicates' };
      default: return { zh: e.message ?? '不符合要求', en: e.message ?? 'is invalid' };
    }
  })();
  return { field: where ? `${field}.${where}` : field, label: label(field), message: msg };
}

const TYPE_ZH: Record<string, string> = { string: '文本', number: '数字', integer: '整数', boolean: '是/否', array: '列表', object: '对象' };
const FORMAT_ZH: Record<string, string> = { date: '日期（YYYY-MM-DD）', 'date-time': '日期时间', email: '邮箱地址' };

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.field}:${e.message.zh}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const stepValidators = new Map<RuntimeStep['schema'], ValidateFunction>();

/** Validate what an assignee entered in a step's own fields. */
export function validateStepData(step: Pick<RuntimeStep, 'id' | 'schema' | 'fields'>, data: Record<string, unknown>, options: { requireAll: boolean } = { requireAll: true }): FieldError[] {
  if (!step.schema || !step.fields) return Object.keys(data).length ? [{ field: Object.keys(data)[0], label: Object.keys(data)[0], message: { zh: `环节“${step.id}”没有需要填写的字段`, en: `step "${step.id}" has no fields` } }] : [];
  const schema = options.requireAll ? step.schema : { ...(step.schema as Record<string, unknown>), required: [] };
  const key = options.requireAll ? step.schema : (schema as RuntimeStep['schema']);
  let v = options.requireAll ? stepValidators.get(key) : undefined;
  if (!v) {
    v = objectValidator(schema as object);
    if (options.requireAll) stepValidators.set(key, v);
  }
  const labels = new Map(step.fields.map((f) => [f.id, f.label.zh]));
  return v(data) ? [] : dedupe((v.errors ?? []).map((e) => toFieldError(e, (id) => labels.get(id) ?? id)));
}
