import { parseExpression } from 'feelin';
import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import { fieldsOfDefinition, isBoundName } from '../../lib/interpret/feel.ts';
import type { TypedField } from '../../lib/interpret/feel.ts';

/** FEEL that turns a JSON value of a field type into the FEEL value the interpreter gives conditions. */
const CONVERT: Record<string, (ref: string) => string> = {
  date: (ref) => `date(${ref})`,
  datetime: (ref) => `date and time(${ref})`,
  daterange: (ref) => `(if ${ref} = null then null else context put(context put(${ref}, "start", date(${ref}.start)), "end", date(${ref}.end)))`,
};

function convertTable(ref: string, columns: TypedField[]): string | undefined {
  const typed = columns.filter((c) => CONVERT[c.type]);
  if (!typed.length) return undefined;
  const row = 'servicehall_row';
  const body = typed.reduce((acc, c) => `context put(${acc}, "${c.id}", ${CONVERT[c.type](`${row}.${c.id}`)})`, row);
  return `(if ${ref} = null then null else for ${row} in ${ref} return ${body})`;
}

/**
 * A condition as Zeebe must evaluate it. Process variables arrive as JSON, so a date field is a string
 * there, and comparing it with `date("2027-01-01")` would not be a date comparison. Every reference
 * to a date, date-time, date-range or table-with-dates field (and `booking.date`) is wrapped in the
 * conversion the reference interpreter applies (lib/interpret/feel.ts), so both engines see the same
 * typed values. A condition that reads no such field is returned unchanged.
 */
export function zeebeTypedCondition(condition: string, fields: TypedField[], hasBooking: boolean): string {
  const byId = new Map(fields.map((f) => [f.id, f]));
  const tree = parseExpression(condition, {}, undefined);
  const edits: { from: number; to: number; text: string }[] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.type.name !== 'VariableName') continue;
    const node = cursor.node;
    const parent = node.parent;
    if (parent?.type.name === 'FunctionInvocation' && parent.firstChild?.from === node.from) continue;
    const name = condition.slice(node.from, node.to);
    if (isBoundName(node, name, condition)) continue;
    const path = parent?.type.name === 'PathExpression' && parent.firstChild?.from === node.from ? condition.slice(parent.from, parent.to).replace(/\s+/g, '') : undefined;
    if (name === 'booking' && hasBooking) {
      if (path === 'booking.date') edits.push({ from: parent!.from, to: parent!.to, text: 'date(booking.date)' });
      else if (!path) edits.push({ from: node.from, to: node.to, text: '(if booking = null then null else context put(booking, "date", date(booking.date)))' });
      continue;
    }
    const field = byId.get(name);
    if (!field) continue;
    if (field.type === 'daterange' && (path === `${name}.start` || path === `${name}.end`)) {
      edits.push({ from: parent!.from, to: parent!.to, text: `date(${path})` });
      continue;
    }
    const text = field.type === 'table' ? convertTable(name, field.columns ?? []) : CONVERT[field.type]?.(name);
    if (text) edits.push({ from: node.from, to: node.to, text });
  } while (cursor.next());
  let out = condition;
  for (const edit of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, edit.from) + edit.text + out.slice(edit.to);
  return out;
}

/** A definition whose form visibility rules read typed values on JSON data (form-js, like Zeebe, has strings for dates). */
export function withZeebeVisibility(definition: RuntimeDefinition): RuntimeDefinition {
  if (!definition.form) return definition;
  const fields = fieldsOfDefinition(definition);
  const booking = definition.type === 'appointment';
  const typed = (condition: string | undefined) => (condition === undefined ? undefined : zeebeTypedCondition(condition, fields, booking));
  return {
    ...definition,
    form: {
      ...definition.form,
      sections: definition.form.sections.map((section) => ({
        ...section,
        ...(section.visibleIf ? { visibleIf: typed(section.visibleIf) } : {}),
        fields: section.fields.map((field) => (field.visibleIf ? { ...field, visibleIf: typed(field.visibleIf) } : field)),
      })),
    },
  };
}
