import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { stringify } from 'yaml';
import type { Catalog, Department } from '../model/catalog.ts';
import { textZh } from '../model/catalog.ts';
import type { Service } from '../../generated/types/service.ts';

export type ServiceType = Service['type'];
export const SERVICE_TYPES: ServiceType[] = ['online', 'guide', 'link', 'appointment'];

/** Everything `hall new` asks, whether from flags or prompts. */
export interface ScaffoldAnswers {
  id: string;
  name: { zh: string; en?: string };
  type: ServiceType;
  owner: string;
  participants: string[];
  audiences: string[];
  topics: string[];
  channels: string[];
  classification: 'public' | 'campus';
  /** The role group of the first review step (online and appointment services). */
  group?: string;
  /** The system a link service opens. */
  linkUrl?: string;
  linkSystem?: string;
}

export interface ScaffoldContext {
  catalog: Catalog;
  /** The date written as guide.reviewed (YYYY-MM-DD). */
  today: string;
  /** The service schema relative to the new file, for the editor's `# yaml-language-server` line. */
  schemaPath?: string;
}

const TEMPLATES = path.join(import.meta.dirname, 'templates');
/** Applicant data prefilled on every scaffolded form when the hall offers it. */
const PREFILLED = [
  { source: 'applicant.name', fieldId: 'applicantName' },
  { source: 'applicant.number', fieldId: 'applicantNumber' },
];

/** A YAML scalar for any text: plain when that reads back the same, quoted otherwise. */
export function yamlScalar(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = String(value ?? '');
  const out = stringify(text, { lineWidth: 0 }).replace(/\n$/, '');
  return out.includes('\n') ? JSON.stringify(text) : out;
}

let compiled: Map<ServiceType, HandlebarsTemplateDelegate> | undefined;

/** One Handlebars environment with the YAML helpers, the partials (`_*.yaml.hbs`) and a template per kind. */
function templates(): Map<ServiceType, HandlebarsTemplateDelegate> {
  if (compiled) return compiled;
  const hb = Handlebars.create();
  hb.registerHelper('y', (value: unknown) => yamlScalar(value));
  hb.registerHelper('yl', (list: unknown[]) => `[${(list ?? []).map(yamlScalar).join(', ')}]`);
  hb.registerHelper('comment', (value: unknown) => String(value ?? '').replace(/[\r\n]+/g, ' '));
  for (const file of readdirSync(TEMPLATES).sort()) {
    if (file.startsWith('_')) hb.registerPartial(file.slice(1).replace(/\.yaml\.hbs$/, ''), readFileSync(path.join(TEMPLATES, file), 'utf8'));
  }
  compiled = new Map(SERVICE_TYPES.map((type) => [type, hb.compile(readFileSync(path.join(TEMPLATES, `${type}.yaml.hbs`), 'utf8'), { noEscape: true })]));
  return compiled;
}

/** The scope a step of `group` uses: the whole university, the step's department, or the applicant's class. */
export function scopeFor(catalog: Catalog, group: string): string | undefined {
  const scope = catalog.groups.get(group)?.value.scope;
  if (scope === 'university' || scope === 'department') return scope;
  if (scope === 'class') return catalog.hall?.value.dataSources.find((d) => d.type === 'class')?.id;
  return undefined;
}

/** The group a first review step defaults to: the first one divided by department (a unit's case officers). */
export function defaultGroup(catalog: Catalog): string | undefined {
  return [...catalog.groups.values()].find((g) => g.value.scope === 'department')?.value.id ?? [...catalog.groups.keys()][0];
}

/** The text of a new service file for `answers`. Pure, apart from reading the bundled templates once. */
export function renderService(answers: ScaffoldAnswers, context: ScaffoldContext): string {
  const { catalog } = context;
  const department: Department | undefined = catalog.departments.get(answers.owner)?.value;
  const hall = catalog.hall?.value;
  const handledOnline = answers.type !== 'guide';
  const group = answers.group ?? defaultGroup(catalog);
  const prefill = PREFILLED.flatMap(({ source, fieldId }) => {
    const found = hall?.dataSources.find((d) => d.id === source);
    return found ? [{ source, fieldId, label: textZh(found.name), type: 'text' }] : [];
  });
  const data = {
    ...answers,
    schemaPath: context.schemaPath,
    today: context.today,
    handledOnline,
    needsContingency: answers.type === 'online' || answers.type === 'appointment',
    department: {
      name: department ? textZh(department.name) : answers.owner,
      office: {
        campus: department?.office.campus && textZh(department.office.campus),
        address: department ? textZh(department.office.address) : '待填写：办公地点',
        room: department?.office.room && textZh(department.office.room),
        hours: department?.office.hours && textZh(department.office.hours),
      },
      phone: department?.phone,
      email: department?.email,
    },
    step: group ? { group, scope: scopeFor(catalog, group) ?? 'department', department: answers.owner } : undefined,
    prefill,
    link: { system: answers.linkSystem || '待填写：业务系统名称', url: answers.linkUrl },
  };
  return templates().get(answers.type)!(data).replace(/\n{3,}/g, '\n\n');
}
