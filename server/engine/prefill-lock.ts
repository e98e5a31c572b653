import type { RuntimeDefinition } from '../../lib/runtime/index.ts';
import type { FieldError } from '../../lib/interpret/validate-submission.ts';

/**
 * The values a form is prefilled with from a person's attributes (`prefill: applicant.*`): a number or money field
 * gets the number, any other field the text. Where the attributes have no value the field is left to the person.
 * The applicant's form, an office's 代理申请 form and the server's check of read-only fields all read it here.
 */
export function prefilledData(definition: RuntimeDefinition, attributes: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const section of definition.form?.sections ?? []) {
    for (const field of section.fields) {
      const m = /^applicant\.(\w+)$/.exec(field.prefill ?? '');
      const known = m ? attributes[m[1]] : undefined;
      if (known === undefined || known === null || known === '') continue;
      data[field.id] = field.type === 'number' || field.type === 'money' ? Number(known) : String(known);
    }
  }
  return data;
}

/**
 * `readonly` on a prefilled field (预填后不可修改, service.schema.json) holds on the server, not only in the
 * browser's `readonly` attribute: a submission, a resubmission or an office's 代理申请 whose value differs from
 * the applicant's directory attribute is refused at that field. Without it, anyone posting the form or the
 * JSON API could apply as 李雨桐 with another student's number. Where the directory has no value for the
 * attribute the field is the applicant's to fill, as the form shows it.
 */
export function lockedPrefillErrors(definition: RuntimeDefinition, attributes: Record<string, unknown>, data: Record<string, unknown>): FieldError[] {
  const prefilled = prefilledData(definition, attributes);
  const errors: FieldError[] = [];
  for (const section of definition.form?.sections ?? []) {
    for (const field of section.fields) {
      if (!field.readonly || !Object.hasOwn(prefilled, field.id) || !Object.hasOwn(data, field.id)) continue;
      const expected = prefilled[field.id];
      if (data[field.id] === expected) continue;
      errors.push({
        field: field.id,
        label: field.label.zh,
        message: { zh: `此项按人员目录预填，不能修改（应为“${String(expected)}”）`, en: `prefilled from the directory and not editable (it is "${String(expected)}")` },
      });
    }
  }
  return errors;
}
