import type { RuntimeDefinition, RuntimeField } from '../../generated/types/runtime/definition.ts';
import { validateSubmission } from '../../lib/interpret/validate-submission.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { t, tx } from './i18n.ts';
import type { Lang } from './i18n.ts';

/**
 * The one renderer of form fields, for the applicant's form and the fields an approver fills at a step:
 * each kind the runtime format has (text, textarea, phone, email, idcard, person, department, number,
 * money, date, datetime, daterange, boolean, choice, multichoice, file, table) as a plain HTML control,
 * so the form works without script. Values come back from the POST as `f.<id>` (`f.<id>.start`/`.end`
 * for a date range, `f.<id>.<row>.<column>` in a table) and are turned into the JSON the compiled form
 * schema judges; the engine's validation is the only judge, its field errors are shown beside the fields.
 */

export interface FieldProblem {
  field: string;
  label?: string;
  message: { zh: string; en: string };
}

/** A parsed urlencoded or multipart body: every name with all its values. */
export type FormBody = Map<string, string[]>;

const INPUT_TYPE: Record<string, string> = { phone: 'tel', email: 'email', number: 'number', money: 'number', date: 'date', datetime: 'datetime-local' };

/** Extra rows offered in a table beyond those filled (no script adds rows: a save shows more). */
const SPARE_ROWS = 2;

const nameOf = (id: string) => `f.${id}`;
const domId = (id: string) => `f-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function errorsFor(id: string, problems: FieldProblem[]): FieldProblem[] {
  return problems.filter((p) => p.field === id || p.field.startsWith(`${id}[`) || p.field.startsWith(`${id}.`) || p.field.startsWith(`${id}/`));
}

function errorText(problems: FieldProblem[], lang: Lang, prefix: string): SafeHtml | '' {
  if (!problems.length) return '';
  return html`<p class="err" id="${prefix}-err">${problems.map((p, i) => html`${i ? '；' : ''}${p.field.includes('[') ? `${p.field}：` : ''}${tx(p.message, lang)}`)}</p>`;
}

/** The text shown in a control for a value (the value may be anything the applicant or a draft sent). */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return '';
  return String(value);
}

/** One field, labelled, with its help and its errors linked by aria-describedby. */
export function renderField(field: RuntimeField, value: unknown, problems: FieldProblem[], lang: Lang, attachmentName?: (id: string) => string, items: { minItems?: number; maxItems?: number } = {}): SafeHtml {
  const id = domId(field.id);
  const mine = errorsFor(field.id, problems);
  const described = [field.help || field.visibleIf ? `${id}-help` : '', mine.length ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const label = tx(field.label, lang);
  const req = field.required ? html`<span class="req" aria-hidden="true">*</span>` : '';
  const conditional = field.visibleIf ? t(lang, '（视前面的选择，可能不需要填写；不需要时所填内容不会提交）', '(depending on your answers above this may not apply; if not, it is not submitted)') : '';
  const help = field.help || conditional ? html`<span class="help" id="${id}-help">${field.help ? tx(field.help, lang) : ''}${conditional}</span>` : '';
  const common = (extra = '') => html`${field.required && !field.visibleIf ? html` required` : ''}${field.readonly ? html` readonly` : ''}${described ? html` aria-describedby="${described}"` : ''}${mine.length ? html` aria-invalid="true"` : ''}${extra}`;
  const wrap = (control: SafeHtml, group = false) =>
    group
      ? html`<div class="field${mine.length ? ' bad' : ''}"><fieldset class="choices-wrap"><legend>${label}${req}</legend>${help}${control}</fieldset>${errorText(mine, lang, id)}</div>`
      : html`<div class="field${mine.length ? ' bad' : ''}"><label for="${id}">${label}${req}</label>${help}${control}${errorText(mine, lang, id)}</div>`;
  const placeholder = field.placeholder ? html` placeholder="${tx(field.placeholder, lang)}"` : '';
  switch (field.type) {
    case 'textarea':
      return wrap(html`<textarea id="${id}" name="${nameOf(field.id)}"${common()}${placeholder}>${text(value)}</textarea>`);
    case 'boolean': {
      const v = value === true ? 'true' : value === false ? 'false' : '';
      return wrap(
        html`<div class="choices">${[
          ['true', t(lang, '是', 'Yes')],
          ['false', t(lang, '否', 'No')],
        ].map(([val, shown], i) => html`<label><input type="radio"${i === 0 ? html` id="${id}"` : ''} name="${nameOf(field.id)}" value="${val}"${v === val ? html` checked` : ''}${field.required ? html` required` : ''}${described ? html` aria-describedby="${described}"` : ''}> ${shown}</label>`)}</div>`,
        true,
      );
    }
    case 'choice':
      return wrap(
        html`<select id="${id}" name="${nameOf(field.id)}"${common()}><option value="">${t(lang, '请选择', 'Choose')}</option>${(field.options ?? []).map((o) => html`<option value="${o.value}"${text(value) === o.value ? html` selected` : ''}>${tx(o.label, lang)}</option>`)}</select>`,
      );
    case 'multichoice': {
      const chosen = new Set(Array.isArray(value) ? value.map(String) : []);
      return wrap(html`<div class="choices">${(field.options ?? []).map((o, i) => html`<label><input type="checkbox"${i === 0 ? html` id="${id}"` : ''} name="${nameOf(field.id)}" value="${o.value}"${chosen.has(o.value) ? html` checked` : ''}${described ? html` aria-describedby="${described}"` : ''}> ${tx(o.label, lang)}</label>`)}</div>`, true);
    }
    case 'daterange': {
      const range = (value && typeof value === 'object' ? value : {}) as { start?: unknown; end?: unknown };
      return wrap(
        html`<div class="range"><label>${t(lang, '开始', 'From')} <input type="date" id="${id}" name="${nameOf(field.id)}.start" value="${text(range.start)}"${common()}></label><label>${t(lang, '结束', 'To')} <input type="date" name="${nameOf(field.id)}.end" value="${text(range.end)}"${common()}></label></div>`,
        true,
      );
    }
    case 'file': {
      const ids = Array.isArray(value) ? value.map(String) : [];
      const kept = ids.map((a) => html`<label><input type="checkbox" name="${nameOf(field.id)}" value="${a}" checked> <a href="/api/attachments/${encodeURIComponent(a)}">${attachmentName ? attachmentName(a) : a}</a></label>`);
      const accept = field.accept?.join(',');
      const limits = t(lang, `${field.accept?.join('、') ?? 'PDF、JPG、PNG'}，每个不超过 ${field.maxSizeMB ?? 10} MB，最多 ${field.maxFiles ?? 1} 个`, `${field.accept?.join(', ') ?? 'PDF, JPG, PNG'}; up to ${field.maxSizeMB ?? 10} MB each, at most ${field.maxFiles ?? 1}`);
      return wrap(
        html`<span class="help">${limits}</span>${kept.length ? html`<div class="choices">${kept}</div>` : ''}<input type="file" id="${id}" name="u.${field.id}"${(field.maxFiles ?? 1) > 1 ? html` multiple` : ''}${accept ? html` accept="${accept}"` : ''}${described ? html` aria-describedby="${described}"` : ''}>`,
      );
    }
    case 'table': {
      const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
      const columns = field.columns ?? [];
      const count = Math.max(rows.length + SPARE_ROWS, items.minItems ?? 1, 3);
      const shown = Math.min(count, items.maxItems ?? count);
      return html`<div class="field${mine.length ? ' bad' : ''}"><div class="label" id="${id}-label">${label}${req}</div>${help}<div class="scroll"><table class="rows" aria-labelledby="${id}-label"><thead><tr><th scope="col">#</th>${columns.map((c) => html`<th scope="col">${tx(c.label, lang)}</th>`)}</tr></thead><tbody>${Array.from({ length: shown }, (_, r) => html`<tr><th scope="row">${r + 1}</th>${columns.map((c) => html`<td>${cellControl(field.id, r, c, rows[r]?.[c.id], lang)}</td>`)}</tr>`)}</tbody></table></div>${errorText(mine, lang, id)}</div>`;
    }
    default: {
      const type = INPUT_TYPE[field.type] ?? 'text';
      const step = field.type === 'money' ? html` step="0.01"` : field.type === 'number' ? html` step="any"` : '';
      const shownValue = field.type === 'datetime' ? text(value).slice(0, 16) : text(value);
      return wrap(html`<input type="${type}" id="${id}" name="${nameOf(field.id)}" value="${shownValue}"${step}${common()}${placeholder}${field.type === 'number' || field.type === 'money' ? html` inputmode="decimal"` : ''}>`);
    }
  }
}

function cellControl(table: string, row: number, column: RuntimeField, value: unknown, lang: Lang): SafeHtml {
  const name = `${nameOf(table)}.${row}.${column.id}`;
  const label = `${tx(column.label, lang)} ${row + 1}`;
  if (column.type === 'choice' || column.type === 'boolean') {
    const options = column.type === 'boolean' ? [{ value: 'true', label: { zh: '是', en: 'Yes' } }, { value: 'false', label: { zh: '否', en: 'No' } }] : (column.options ?? []);
    return html`<select name="${name}" aria-label="${label}"><option value=""></option>${options.map((o) => html`<option value="${o.value}"${text(value) === o.value ? html` selected` : ''}>${tx(o.label, lang)}</option>`)}</select>`;
  }
  const type = INPUT_TYPE[column.type] ?? 'text';
  return html`<input type="${type}" name="${name}" value="${text(value)}" aria-label="${label}"${column.type === 'money' ? html` step="0.01"` : column.type === 'number' ? html` step="any"` : ''}>`;
}

/** Sections of a definition's form, each a fieldset. */
export function renderForm(definition: RuntimeDefinition, values: Record<string, unknown>, problems: FieldProblem[], lang: Lang, attachmentName?: (id: string) => string): SafeHtml {
  const schema = (definition.form?.schema ?? {}) as { properties?: Record<string, { minItems?: number; maxItems?: number }> };
  return html`${(definition.form?.sections ?? []).map((s) => html`<fieldset><legend>${tx(s.title, lang)}</legend>${s.fields.map((f) => renderField(f, values[f.id], problems, lang, attachmentName, schema.properties?.[f.id]))}</fieldset>`)}`;
}

/** Turn one typed value of the body into the JSON the compiled schema expects (unchanged when it is not of the expected shape: the schema then says what is wrong). */
function scalar(type: string, raw: string, timezoneOffset: string): unknown {
  const s = raw.trim();
  switch (type) {
    case 'number':
    case 'money':
      return s !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
    case 'boolean':
      return s === 'true' ? true : s === 'false' ? false : s;
    case 'datetime':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(s) ? `${s}:00${timezoneOffset}` : s;
    default:
      return raw.replace(/\r\n/g, '\n');
  }
}

/** The values of the given fields from a POSTed body; an empty control is an absent value. */
export function parseFields(fields: RuntimeField[], body: FormBody, timezoneOffset = '+08:00'): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const one = (name: string) => body.get(name)?.[0] ?? '';
  for (const field of fields) {
    const name = nameOf(field.id);
    switch (field.type) {
      case 'multichoice': {
        const values = (body.get(name) ?? []).filter((v) => v !== '');
        if (values.length) data[field.id] = values;
        break;
      }
      case 'file': {
        const values = (body.get(name) ?? []).filter((v) => v !== '');
        if (values.length) data[field.id] = values;
        break;
      }
      case 'daterange': {
        const start = one(`${name}.start`).trim();
        const end = one(`${name}.end`).trim();
        if (start || end) data[field.id] = { start, end };
        break;
      }
      case 'table': {
        const rows: Record<string, unknown>[] = [];
        for (let r = 0; r < 200 && [...body.keys()].some((k) => k.startsWith(`${name}.${r}.`)); r++) {
          const row: Record<string, unknown> = {};
          for (const c of field.columns ?? []) {
            const raw = one(`${name}.${r}.${c.id}`);
            if (raw.trim() !== '') row[c.id] = scalar(c.type, raw, timezoneOffset);
          }
          if (Object.keys(row).length) rows.push(row);
        }
        if (rows.length) data[field.id] = rows;
        break;
      }
      default: {
        const raw = one(name);
        if (raw.trim() !== '') data[field.id] = scalar(field.type, raw, timezoneOffset);
      }
    }
  }
  return data;
}

/** Every field of a form, in order. */
export function formFields(definition: RuntimeDefinition): RuntimeField[] {
  return (definition.form?.sections ?? []).flatMap((s) => s.fields);
}

/**
 * Without script every field is on the page, including those a condition hides (a destination when the
 * student stays on campus): what the applicant typed into a field the conditions hide is dropped, as a
 * scripted form would have hidden it, instead of being refused.
 */
export function withoutHidden(definition: RuntimeDefinition, data: Record<string, unknown>, applicant: Record<string, unknown>): Record<string, unknown> {
  const hidden = validateSubmission(definition, data, applicant).filter((e) => e.message.en.startsWith('must be empty: the field is hidden')).map((e) => e.field);
  if (!hidden.length) return data;
  return Object.fromEntries(Object.entries(data).filter(([k]) => !hidden.includes(k)));
}

/** A value as read-only text (the submission on the task and application pages). */
export function shownValue(field: RuntimeField, value: unknown, lang: Lang): string {
  if (value === undefined || value === null || value === '') return '—';
  if (field.type === 'boolean') return value === true ? t(lang, '是', 'Yes') : value === false ? t(lang, '否', 'No') : String(value);
  if (field.type === 'daterange' && typeof value === 'object') {
    const r = value as { start?: unknown; end?: unknown };
    return `${String(r.start ?? '')} — ${String(r.end ?? '')}`;
  }
  if (field.type === 'choice') return tx(field.options?.find((o) => o.value === value)?.label, lang) || String(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : tx(field.options?.find((o) => o.value === v)?.label, lang) || String(v))).join('、');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A submission as a definition list (a table's rows as a table). */
export function renderValues(definition: RuntimeDefinition, data: Record<string, unknown>, lang: Lang, fields = formFields(definition)): SafeHtml {
  return html`<dl class="facts">${fields.map((f) => {
    const value = data[f.id];
    if (f.type === 'table' && Array.isArray(value)) {
      const cols = f.columns ?? [];
      return html`<div><dt>${tx(f.label, lang)}</dt><dd><div class="scroll"><table><thead><tr>${cols.map((c) => html`<th scope="col">${tx(c.label, lang)}</th>`)}</tr></thead><tbody>${(value as Record<string, unknown>[]).map((row) => html`<tr>${cols.map((c) => html`<td>${shownValue(c, row[c.id], lang)}</td>`)}</tr>`)}</tbody></table></div></dd></div>`;
    }
    if (f.type === 'file' && Array.isArray(value)) return html`<div><dt>${tx(f.label, lang)}</dt><dd>${value.map((a, i) => html`${i ? '、' : ''}<a href="/api/attachments/${encodeURIComponent(String(a))}">${String(a)}</a>`)}</dd></div>`;
    return html`<div><dt>${tx(f.label, lang)}</dt><dd>${shownValue(f, value, lang)}</dd></div>`;
  })}</dl>`;
}
