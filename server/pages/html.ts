/**
 * HTML with every interpolated value escaped unless it is already HTML: a tagged template
 * (`html\`<p>${text}</p>\``) returns `SafeHtml`; strings, numbers and arrays inside it are escaped (arrays
 * joined); only `SafeHtml` (from `html` itself or `raw`) passes through. The pages never build markup by
 * string concatenation, so a value typed by a user (a form field, a comment, a name) is always text.
 * Twenty lines instead of a dependency: the repository has no templating for HTML (cli/render/format.ts
 * escapes, Handlebars renders plain-text notifications), and this is the whole of what the pages need.
 */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for element content and quoted attribute values. */
export function escape(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

function part(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(part).join('');
  return escape(value);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Markup the pages made themselves (never user text). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
