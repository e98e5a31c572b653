import { closest } from '../diagnostics/suggest.ts';
import type { Lang } from '../diagnostics/diagnostic.ts';
import type { Catalog } from '../model/catalog.ts';
import { textZh } from '../model/catalog.ts';
import { UsageError } from '../shared/errors.ts';
import { SERVICE_TYPES, defaultGroup } from './scaffold.ts';
import type { ScaffoldAnswers, ServiceType } from './scaffold.ts';

/** `hall new`'s flags, as commander gives them. Lists are comma-separated. */
export interface NewFlags {
  id?: string;
  name?: string;
  nameEn?: string;
  type?: string;
  department?: string;
  participants?: string;
  audiences?: string;
  topics?: string;
  channels?: string;
  classification?: string;
  group?: string;
  url?: string;
  system?: string;
}

interface Choice<T extends string> {
  name: string;
  value: T;
  checked?: boolean;
}

/** The questions `hall new` may ask: a port, so tests can answer without a terminal. */
export interface Prompter {
  input(question: { message: string; default?: string; validate?: (value: string) => true | string }): Promise<string>;
  select<T extends string>(question: { message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
  checkbox<T extends string>(question: { message: string; choices: Choice<T>[]; validate?: (values: readonly T[]) => true | string }): Promise<T[]>;
}

const ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const splitList = (value: string | undefined) => (value ?? '').split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean);

const T = {
  zh: {
    id: '事项标识（小写英文、数字和连字符，如 student-leave；它是网址的一部分，发布后不能改）',
    name: '事项名称（中文）', nameEn: '英文名称（可留空）', type: '办理方式', department: '主管部门', participants: '参与办理的其他部门（没有就直接回车）',
    audiences: '服务对象', topics: '主题', channels: '办理渠道', classification: '公开范围', group: '第一个审核环节由哪个群组办理', url: '业务系统网址（https://…）', system: '业务系统名称',
    types: { online: '网上办理（表单 + 审批流程）', guide: '仅办事指南（线下办理）', link: '链接到已有业务系统（统一身份认证）', appointment: '预约（选时段后审核）' },
    classifications: { public: '公开', campus: '仅校内' },
    pickOne: '至少选一项',
    missing: (flags: string[]) => `缺少 ${flags.join('、')}。在终端中直接运行 hall new 会逐项询问；在脚本中请用参数给出，例如：hall new --id lab-booking --name 实验室预约 --type appointment --department jsj --audiences undergraduate --topics teaching`,
    badId: (id: string) => `标识“${id}”不合格：只能用小写英文字母、数字和连字符，以字母开头，最长 63 个字符。`,
    takenId: (id: string, file: string) => `标识“${id}”已被 ${file} 使用。`,
    unknown: (what: string, id: string, hint?: string) => `没有${what}“${id}”。${hint ? `是不是想写“${hint}”？` : ''}`,
    what: { department: '部门', audience: '服务对象', topic: '主题', channel: '渠道', group: '人员群组', type: '办理方式' },
    selfParticipant: (id: string) => `主管部门 ${id} 不需要再列为参与部门。`,
    badUrl: '业务系统网址必须以 https:// 或 http:// 开头。',
    emptyName: '事项名称不能为空。',
    needsUrl: '链接类事项需要 --url（业务系统网址）。',
  },
  en: {
    id: 'Service id (lowercase letters, digits and hyphens, e.g. student-leave; part of its URL, never changed once published)',
    name: 'Service name (Chinese)', nameEn: 'English name (optional)', type: 'How it is handled', department: 'Owning department', participants: 'Other participating departments (none: press Enter)',
    audiences: 'Audiences', topics: 'Topics', channels: 'Channels', classification: 'Visibility', group: 'Role group of the first review step', url: 'System URL (https://…)', system: 'System name',
    types: { online: 'online (form + workflow)', guide: 'guide only (handled offline)', link: 'link to an existing system (single sign-on)', appointment: 'appointment (book a slot, then review)' },
    classifications: { public: 'public', campus: 'campus only' },
    pickOne: 'Pick at least one',
    missing: (flags: string[]) => `Missing ${flags.join(', ')}. Run hall new in a terminal to be asked, or give them as flags, e.g. hall new --id lab-booking --name 实验室预约 --type appointment --department jsj --audiences undergraduate --topics teaching`,
    badId: (id: string) => `"${id}" is not a valid id: lowercase letters, digits and hyphens, starting with a letter, at most 63 characters.`,
    takenId: (id: string, file: string) => `The id "${id}" is already used by ${file}.`,
    unknown: (what: string, id: string, hint?: string) => `No ${what} "${id}".${hint ? ` Did you mean "${hint}"?` : ''}`,
    what: { department: 'department', audience: 'audience', topic: 'topic', channel: 'channel', group: 'role group', type: 'service type' },
    selfParticipant: (id: string) => `The owner ${id} need not be listed as a participant.`,
    badUrl: 'The system URL must start with https:// or http://.',
    emptyName: 'The service name must not be empty.',
    needsUrl: 'A link service needs --url (the system\'s address).',
  },
};

/** Every service id in the catalog (valid or not) with its file, so a new id never collides. */
export type TakenIds = Map<string, string>;

/** What is wrong with a set of answers, in the reader's language; empty when they can be scaffolded. */
export function answerProblems(a: ScaffoldAnswers, catalog: Catalog, taken: TakenIds, lang: Lang): string[] {
  const t = T[lang];
  const problems: string[] = [];
  const unknown = (what: keyof typeof t.what, id: string, known: Iterable<string>) => {
    const list = [...known];
    if (!list.includes(id)) problems.push(t.unknown(t.what[what], id, closest(id, list)));
  };
  if (!ID_PATTERN.test(a.id) || a.id.length > 63) problems.push(t.badId(a.id));
  else if (taken.has(a.id)) problems.push(t.takenId(a.id, taken.get(a.id)!));
  if (!a.name.zh.trim()) problems.push(t.emptyName);
  unknown('type', a.type, SERVICE_TYPES);
  const departments = [...catalog.departments.keys()];
  unknown('department', a.owner, departments);
  for (const p of a.participants) {
    if (p === a.owner) problems.push(t.selfParticipant(p));
    else unknown('department', p, departments);
  }
  const hall = catalog.hall?.value;
  for (const x of a.audiences) unknown('audience', x, hall?.audiences.map((v) => v.id) ?? []);
  for (const x of a.topics) unknown('topic', x, hall?.topics.map((v) => v.id) ?? []);
  for (const x of a.channels) unknown('channel', x, hall?.channels.map((v) => v.id) ?? []);
  if ((a.type === 'online' || a.type === 'appointment') && a.group) unknown('group', a.group, catalog.groups.keys());
  if (a.type === 'link' && !a.linkUrl) problems.push(t.needsUrl);
  if (a.linkUrl && !/^https?:\/\/\S+$/.test(a.linkUrl)) problems.push(t.badUrl);
  return problems;
}

/**
 * Answers from the flags, asking for whatever is missing when a prompter is given. Without one,
 * missing answers are a usage error that names the flags to add.
 */
export async function collectAnswers(flags: NewFlags, catalog: Catalog, taken: TakenIds, prompter: Prompter | undefined, lang: Lang): Promise<ScaffoldAnswers> {
  const t = T[lang];
  const hall = catalog.hall?.value;
  const name = (text: unknown) => textZh(text as string);
  const vocab = (items: { id: string; name: unknown }[] | undefined) => (items ?? []).map((x) => ({ name: `${name(x.name)}（${x.id}）`, value: x.id }));
  const departments = [...catalog.departments.values()].map((d) => ({ name: `${textZh(d.value.name)}（${d.value.code}）`, value: d.value.code }));

  if (!prompter) {
    const required: [keyof NewFlags, string][] = [['id', '--id'], ['name', '--name'], ['type', '--type'], ['department', '--department'], ['audiences', '--audiences'], ['topics', '--topics']];
    const missing = required.filter(([key]) => !flags[key]).map(([, flag]) => flag);
    if (flags.type === 'link' && !flags.url) missing.push('--url');
    if (missing.length) throw new UsageError(t.missing(missing));
  }
  const ask = async (value: string | undefined, question: Parameters<Prompter['input']>[0]) => value ?? (await prompter!.input(question));
  const checkIdFormat = (v: string) => (ID_PATTERN.test(v) ? (taken.has(v) ? t.takenId(v, taken.get(v)!) : true) : t.badId(v));
  const nonEmpty = (v: readonly string[]) => (v.length ? true : t.pickOne);

  const id = await ask(flags.id, { message: t.id, validate: checkIdFormat });
  const zh = await ask(flags.name, { message: t.name, validate: (v) => (v.trim() ? true : t.emptyName) });
  const en = flags.nameEn ?? (prompter && !flags.name ? await prompter.input({ message: t.nameEn }) : undefined);
  const type = (flags.type ?? (await prompter!.select<ServiceType>({ message: t.type, choices: SERVICE_TYPES.map((v) => ({ name: t.types[v], value: v })) }))) as ServiceType;
  const owner = flags.department ?? (await prompter!.select({ message: t.department, choices: departments }));
  const participants = flags.participants !== undefined || !prompter
    ? splitList(flags.participants)
    : await prompter.checkbox({ message: t.participants, choices: departments.filter((d) => d.value !== owner) });
  const audiences = flags.audiences ? splitList(flags.audiences) : await prompter!.checkbox({ message: t.audiences, choices: vocab(hall?.audiences), validate: nonEmpty });
  const topics = flags.topics ? splitList(flags.topics) : await prompter!.checkbox({ message: t.topics, choices: vocab(hall?.topics), validate: nonEmpty });
  const channels = flags.channels !== undefined
    ? splitList(flags.channels)
    : type === 'guide'
      ? []
      : prompter
        ? await prompter.checkbox({ message: t.channels, choices: vocab(hall?.channels).map((c) => ({ ...c, checked: true })) })
        : (hall?.channels ?? []).map((c) => c.id);
  const classification = (flags.classification ?? (prompter ? await prompter.select({ message: t.classification, choices: (['public', 'campus'] as const).map((v) => ({ name: t.classifications[v], value: v })), default: 'public' }) : 'public')) as ScaffoldAnswers['classification'];
  let group = flags.group;
  if (!group && (type === 'online' || type === 'appointment')) {
    const groups = [...catalog.groups.values()].map((g) => ({ name: `${textZh(g.value.name)}（${g.value.id}）`, value: g.value.id }));
    group = prompter && groups.length ? await prompter.select({ message: t.group, choices: groups, default: defaultGroup(catalog) }) : defaultGroup(catalog);
  }
  let linkUrl = flags.url;
  let linkSystem = flags.system;
  if (type === 'link' && prompter) {
    linkUrl ??= await prompter.input({ message: t.url, validate: (v) => (/^https?:\/\/\S+$/.test(v) ? true : t.badUrl) });
    linkSystem ??= (await prompter.input({ message: t.system })) || undefined;
  }
  return {
    id, name: { zh, ...(en ? { en } : {}) }, type, owner, participants, audiences, topics, channels, classification,
    ...(group ? { group } : {}), ...(linkUrl ? { linkUrl } : {}), ...(linkSystem ? { linkSystem } : {}),
  };
}
