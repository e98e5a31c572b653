import type { RuntimeDefinition } from '../../lib/runtime/index.ts';
import type { FieldError } from '../../lib/interpret/validate-submission.ts';

/**
 * `readonly` on a prefilled field (预填后不可修改, service.schema.json) holds on the server, not only in the
 * browser's `readonly` attribute: a submission, a resubmission or an office's 代理申请 whose value differs from
 * the applicant's directory attribute is refused at that field. Without it, anyone posting the form or the
 * JSON API could apply as 李雨桐 with another student's number. Where the directory has no value for the
 * attribute the field is the applicant's to fill, as the form shows it.
 */
export function lockedPrefillErrors(definition: RuntimeDefinition, attributes: Record<string, unknown>, data: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  for (const section of definition.form?.sections ?? []) {
    for (const field of section.fields) {
      const m = /^applicant\.(\w+)$/.exec(field.prefill ?? '');
      if (!field.readonly || !m || !Object.hasOwn(data, field.id)) continue;
      const known = attributes[m[1]];
      if (known === undefined || known === null || known === '') continue;
      const expected = field.type === 'number' || field.type === 'money' ? Number(known) : String(known);
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
