import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectSchema } from '../../cli/compile/compile-form.ts';
import type { FormField } from '../../cli/model/catalog.ts';
import { newAjv, objectValidator } from '../../lib/interpret/validate-submission.ts';

/**
 * A form's submission schema is validated field by field (each field's schema compiled once per distinct
 * shape), not compiled whole: the errors — which, in what order, at which paths — must be exactly those
 * ajv gives for the whole schema, on any form the compiler emits and any data a scenario or a client sends.
 */
const TYPES = ['text', 'textarea', 'number', 'money', 'date', 'datetime', 'daterange', 'choice', 'multichoice', 'boolean', 'file', 'person', 'department', 'phone', 'email', 'idcard', 'table'] as const;

const ids = fc.constantFrom('amount', 'reason', 'start', 'field_1', 'field_2', 'a~b', 'x/y', 'constructor', 'dates', 'files');

const field: fc.Arbitrary<FormField> = fc.record({
  id: ids,
  type: fc.constantFrom(...TYPES),
  required: fc.boolean(),
  label: fc.string({ maxLength: 4 }),
  min: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  max: fc.option(fc.integer({ min: 5, max: 100 }), { nil: undefined }),
  maxLength: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  pattern: fc.option(fc.constantFrom('^[0-9]+$', '^[A-Z]{2}$'), { nil: undefined }),
  options: fc.constantFrom(['甲', '乙'], ['一', '二', '三']),
  visibleIf: fc.option(fc.constant('amount > 1'), { nil: undefined }),
  maxFiles: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  accept: fc.option(fc.constantFrom(['.pdf'], ['.jpg', '.png']), { nil: undefined }),
}).map((f) => {
  const out = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as unknown as FormField;
  if (f.type === 'table') out.columns = [{ id: 'name', type: 'text', label: '名', required: true } as FormField, { id: 'n', type: 'number', label: '数', max: 9 } as FormField];
  return out;
});

const leaf = fc.oneof(
  fc.constantFrom('', 'x', '甲', '二', '2026-10-01', '2026-13-45', '2026-10-01T08:00:00+08:00', 'a@b.cn', 'not-mail', '13800138000', '110101199003077777', 'a.pdf', 'a.exe', '12', 'AB'),
  fc.integer({ min: -5, max: 200 }),
  fc.double({ min: -1, max: 1000, noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('start', 'end', 'name', 'n', 'other'), tie('v'), { maxKeys: 3 })),
})).v;
const data = fc.dictionary(fc.oneof(ids, fc.constantFrom('extra', 'other')), value, { maxKeys: 6 });

const strip = (errors: unknown) => JSON.parse(JSON.stringify(errors ?? null));

describe('a form schema validated field by field', () => {
  it('gives the errors ajv gives for the whole schema', () => {
    const ajv = newAjv();
    fc.assert(
      fc.property(fc.uniqueArray(field, { selector: (f) => f.id, minLength: 1, maxLength: 6 }), fc.oneof({ weight: 9, arbitrary: data }, { weight: 1, arbitrary: value }), (fields, submitted) => {
        const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', title: '表单', ...objectSchema(fields) };
        const whole = ajv.compile(schema);
        const split = objectValidator(schema);
        expect(split(submitted)).toBe(whole(submitted));
        expect(strip(split.errors)).toEqual(strip(whole.errors));
      }),
      { numRuns: 600 },
    );
  });

  it('compiles a schema of another shape whole', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, minProperties: 1 };
    const v = objectValidator(schema);
    expect(v({})).toBe(false);
    expect(v.errors?.[0].keyword).toBe('minProperties');
    expect(v({ a: 'x', b: 1 })).toBe(true);
  });
});
