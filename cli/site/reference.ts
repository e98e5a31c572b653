import { stringify } from 'yaml';
import type { DiagnosticDefinition } from '../diagnostics/registry.ts';
import type { DiagnosticReference, FormatReference, PropertyReference, SiteText, TypeReference } from './types.ts';

/** A JSON Schema node, as far as the reference needs to read one. */
type Schema = Record<string, unknown> & {
  $ref?: string;
  title?: string;
  description?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  then?: Schema;
  else?: Schema;
  additionalProperties?: boolean | Schema;
  $defs?: Record<string, Schema>;
};

/** The order the authoring formats are presented in: the file an admin edits most comes first. */
const FILE_ORDER = ['service.schema.json', 'department.schema.json', 'roles.schema.json', 'hall.schema.json'];

/** Split a schema description "中文 / English" into its two languages. */
export function splitDescription(description: string | undefined): SiteText {
  if (!description) return { zh: '' };
  // The English half starts after the first "/ " that follows Chinese text ("…。/ English…").
  const m = /^(.*?[^\x00-\x7f)\]]\s?|.*?\s)\/\s+(?=\S)(.*)$/s.exec(description);
  return m ? { zh: m[1].trim(), en: m[2].trim() } : { zh: description };
}

function yamlOf(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

const anchorOf = (title: string) => title.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();

/**
 * The format reference for admins, generated from the hand-written schemas (their bilingual
 * descriptions, examples, enums and constraints): one section per object type, one row per key.
 * Pure: `schemas` maps a file name (e.g. service.schema.json) to its parsed content.
 */
export function compileFormatReference(schemas: Record<string, unknown>): { formats: FormatReference[]; commonTypes: TypeReference[] } {
  const files = Object.keys(schemas).filter((f) => f.endsWith('.schema.json')).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const sections: FormatReference[] = [];
  const seen = new Set<string>();
  const commonTypes = new Map<string, TypeReference>();

  const resolve = (ref: string, file: string): { schema: Schema; file: string } | undefined => {
    const [target, pointer = ''] = ref.split('#');
    const targetFile = target ? target.replace(/^.*\//, '') : file;
    let node = schemas[targetFile] as Schema | undefined;
    for (const part of pointer.split('/').filter(Boolean)) node = (node as Record<string, Schema> | undefined)?.[part];
    return node ? { schema: node, file: targetFile } : undefined;
  };

  const isObject = (s: Schema) => s.type === 'object' || s.properties !== undefined || s.then !== undefined;

  /** Type in words for one schema node; registers sections and common types it links to. */
  const typeOf = (s: Schema, file: string, queue: { schema: Schema; file: string }[]): { type: SiteText; link?: string; values?: string[] } => {
    if (s.$ref) {
      const target = resolve(s.$ref, file);
      if (!target) return { type: { zh: s.$ref } };
      const title = target.schema.title ?? s.$ref;
      // A named list (e.g. StepSequence) reads as the list of its items.
      if (target.schema.type === 'array' && target.schema.items) return typeOf({ ...target.schema, title: undefined }, target.file, queue);
      if (isObject(target.schema) && !target.schema.anyOf) {
        queue.push(target);
        return { type: { zh: title }, link: `#${anchorOf(title)}` };
      }
      if (!commonTypes.has(title)) {
        commonTypes.set(title, { title, description: splitDescription(target.schema.description), constraints: constraintsOf(target.schema), examples: (target.schema.examples ?? []).map(yamlOf) });
      }
      const inner = target.schema.enum || target.schema.const !== undefined ? typeOf({ ...target.schema, $ref: undefined, title: undefined }, target.file, queue) : undefined;
      return { type: { zh: title }, link: `#type-${anchorOf(title)}`, values: inner?.values };
    }
    if (s.const !== undefined) return { type: { zh: `固定值`, en: 'fixed value' }, values: [String(s.const)] };
    if (s.enum) return { type: { zh: '取值之一', en: 'one of' }, values: s.enum.map(String) };
    const variants = s.anyOf ?? s.oneOf;
    if (variants) {
      const parts = variants.map((v) => typeOf(v, file, queue));
      return { type: { zh: parts.map((p) => p.type.zh).join(' 或 '), en: parts.map((p) => p.type.en ?? p.type.zh).join(' or ') }, link: parts.find((p) => p.link)?.link, values: parts.flatMap((p) => p.values ?? []) };
    }
    if (s.then || s.else) {
      const parts = [s.then, s.else].filter((x): x is Schema => Boolean(x)).map((v) => typeOf(v, file, queue));
      return { type: { zh: parts.map((p) => p.type.zh).join(' 或 '), en: parts.map((p) => p.type.en ?? p.type.zh).join(' or ') }, link: parts[0]?.link };
    }
    if (s.type === 'array' && s.items) {
      const inner = typeOf(s.items, file, queue);
      return { type: { zh: `列表：${inner.type.zh}`, en: `list of ${inner.type.en ?? inner.type.zh}` }, link: inner.link, values: inner.values };
    }
    const plain: Record<string, SiteText> = { string: { zh: '文本', en: 'text' }, integer: { zh: '整数', en: 'integer' }, number: { zh: '数字', en: 'number' }, boolean: { zh: '是/否（true/false）', en: 'true/false' }, object: { zh: '键值对', en: 'mapping' } };
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    return { type: plain[type ?? ''] ?? { zh: String(type ?? '任意'), en: String(type ?? 'any') } };
  };

  /** One section per object type; inline objects without a title are documented as dotted keys. */
  const document = (schema: Schema, file: string, title: string): void => {
    if (seen.has(title)) return;
    seen.add(title);
    const queue: { schema: Schema; file: string }[] = [];
    const properties: PropertyReference[] = [];
    const walk = (s: Schema, prefix: string) => {
      const required = new Set(s.required ?? []);
      for (const [key, prop] of Object.entries(s.properties ?? {})) {
        if (key === '$schema') continue;
        const target = prop.$ref ? resolve(prop.$ref, file)?.schema : undefined;
        const { type, link, values } = typeOf(prop, file, queue);
        const examples = (prop.examples ?? []).map(yamlOf);
        properties.push({
          path: prefix + key,
          required: required.has(key),
          type,
          ...(link ? { link } : {}),
          description: splitDescription(prop.description ?? target?.description),
          ...(values?.length ? { values } : {}),
          constraints: constraintsOf(prop),
          examples,
        });
        const inline = prop.type === 'array' && prop.items && !prop.items.$ref && prop.items.properties ? prop.items : !prop.$ref && prop.properties ? prop : undefined;
        if (inline && !inline.title) walk(inline, `${prefix}${key}${inline === prop ? '' : '[]'}.`);
        else if (inline?.title) queue.push({ schema: inline, file });
      }
    };
    walk(schema, '');
    sections.push({ title, schema: file, description: splitDescription(schema.description), properties, examples: (schema.examples ?? []).map(yamlOf) });
    for (const next of queue) {
      const nextTitle = next.schema.title;
      if (nextTitle && (next.schema.properties || next.schema.then)) {
        if (next.schema.then && !next.schema.properties) {
          // A union (e.g. a workflow node): a section that names the alternatives it dispatches to.
          if (seen.has(nextTitle)) continue;
          seen.add(nextTitle);
          const alternatives: string[] = [];
          const collect = (alt: Schema | undefined) => {
            if (!alt) return;
            if (alt.$ref) alternatives.push(typeOf(alt, next.file, queue).type.zh);
            collect(alt.then);
            collect(alt.else);
          };
          collect(next.schema.then);
          collect(next.schema.else);
          sections.push({ title: nextTitle, schema: next.file, description: splitDescription(next.schema.description), properties: [], examples: [], oneOf: alternatives });
        } else {
          document(next.schema, next.file, nextTitle);
        }
      }
    }
  };

  for (const file of files) {
    if (file === 'common.schema.json') continue;
    const schema = schemas[file] as Schema;
    if (schema.properties) document(schema, file, schema.title ?? file);
  }
  const types = [...commonTypes.values()].sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  return { formats: sections, commonTypes: types };
}

function rank(file: string): number {
  const i = FILE_ORDER.indexOf(file);
  return i === -1 ? FILE_ORDER.length : i;
}

function constraintsOf(s: Schema): string[] {
  const out: string[] = [];
  const n = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  if (n('minimum') !== undefined) out.push(`≥ ${n('minimum')}`);
  if (n('maximum') !== undefined) out.push(`≤ ${n('maximum')}`);
  if (n('minLength') !== undefined && n('minLength')! > 1) out.push(`minLength ${n('minLength')}`);
  if (n('maxLength') !== undefined) out.push(`maxLength ${n('maxLength')}`);
  if (n('minItems') !== undefined) out.push(`minItems ${n('minItems')}`);
  if (n('maxItems') !== undefined) out.push(`maxItems ${n('maxItems')}`);
  if (typeof s.pattern === 'string') out.push(`pattern ${s.pattern}`);
  if (typeof s.format === 'string') out.push(`format ${s.format}`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out;
}

/** Where the guide site explains a diagnostic code: the reference page's path and the entry's element id. */
export const DIAGNOSTIC_REFERENCE_PATH = '/handbook/diagnostics/';
export const diagnosticAnchor = (code: string): string => code.replace(/\//g, '-');

/** The address of a code's entry on the guide site at `siteUrl` (hall.yaml urls.site), in `lang`. */
export function diagnosticReferenceUrl(siteUrl: string, code: string, lang: 'zh' | 'en'): string {
  return `${siteUrl.replace(/\/+$/, '')}${lang === 'en' ? '/en' : ''}${DIAGNOSTIC_REFERENCE_PATH}#${diagnosticAnchor(code)}`;
}

/** The diagnostic reference: every registered code with its texts and example, sorted by code. Pure. */
export function compileDiagnosticReference(registry: Record<string, DiagnosticDefinition>): DiagnosticReference[] {
  return Object.keys(registry)
    .sort()
    .map((code) => {
      const d = registry[code];
      return {
        code,
        anchor: diagnosticAnchor(code),
        severity: d.severity,
        title: { zh: d.title.zh, en: d.title.en },
        message: { zh: d.message.zh, en: d.message.en },
        hint: { zh: d.hint.zh, en: d.hint.en },
        ...(d.example ? { example: { bad: d.example.bad, good: d.example.good } } : {}),
      };
    });
}
