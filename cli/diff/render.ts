import type { Lang } from '../diagnostics/diagnostic.ts';
import { renderDiagnostic } from '../diagnostics/registry.ts';
import * as describe from './describe.ts';
import type { Bi, CatalogDiff, Change, ServiceDiff, Topic } from './model.ts';

/** The first line of the PR comment: the workflow finds the comment to update by it. */
export const COMMENT_MARKER = '<!-- servicehall:diff -->';
/** GitHub refuses comments over 65,536 characters; stay well below. */
const MAX_COMMENT = 60_000;

const TOPICS: Record<Topic, Bi> = {
  name: { zh: '名称', en: 'Name' }, type: { zh: '办理方式', en: 'Kind' }, classification: { zh: '公开范围', en: 'Visibility' },
  owner: { zh: '主管部门', en: 'Owner' }, participants: { zh: '参与部门', en: 'Participants' }, audiences: { zh: '服务对象', en: 'Audiences' },
  topics: { zh: '主题', en: 'Topics' }, channels: { zh: '办理渠道', en: 'Channels' }, alert: { zh: '提示', en: 'Alert' },
  retired: { zh: '停办信息', en: 'Retirement' }, summary: { zh: '事项说明', en: 'Summary' }, basis: { zh: '设定依据', en: 'Legal basis' },
  conditions: { zh: '办理条件', en: 'Conditions' }, materials: { zh: '申请材料', en: 'Materials' }, material: { zh: '材料', en: 'Material' },
  timeLimitType: { zh: '办件类型', en: 'Case type' }, legalLimit: { zh: '法定时限', en: 'Legal time limit' }, promisedLimit: { zh: '承诺时限', en: 'Promised time limit' },
  fees: { zh: '收费', en: 'Fees' }, visits: { zh: '到现场次数', en: 'Visits on site' }, onlineDepth: { zh: '网办深度', en: 'Online depth' },
  result: { zh: '办理结果', en: 'Result' }, locations: { zh: '办理地点和时间', en: 'Where and when' }, consultation: { zh: '咨询方式', en: 'Consultation' },
  complaint: { zh: '投诉方式', en: 'Complaints' }, contingency: { zh: '线下应急预案', en: 'Offline contingency' }, faq: { zh: '常见问题', en: 'FAQ' },
  sections: { zh: '表单分组', en: 'Form sections' }, fields: { zh: '表单字段', en: 'Form fields' }, field: { zh: '字段', en: 'Field' },
  steps: { zh: '流程环节', en: 'Workflow steps' }, step: { zh: '环节', en: 'Step' }, branch: { zh: '分支条件', en: 'Branch condition' },
  decisions: { zh: '决策表', en: 'Decision tables' }, decision: { zh: '决策表', en: 'Decision table' },
  parallel: { zh: '会签', en: 'Countersign' }, order: { zh: '环节顺序', en: 'Step order' }, notifications: { zh: '通知', en: 'Notifications' },
  link: { zh: '业务系统链接', en: 'System link' }, appointment: { zh: '预约资源', en: 'Appointment' }, privacy: { zh: '个人信息保护（可看全文的人员、附件保存期限）', en: 'Personal information (readers, attachment retention)' }, other: { zh: '运行定义的其他部分（标识、部门或渠道）', en: 'Other runtime settings (id, departments or channels)' },
  department: { zh: '部门信息', en: 'Department details' }, admins: { zh: '管理员', en: 'Admins' }, leader: { zh: '分管领导', en: 'Leader in charge' },
  groups: { zh: '群组', en: 'Groups' }, group: { zh: '群组', en: 'Group' }, hall: { zh: '大厅设置', en: 'Hall settings' },
  listingOther: { zh: '其他设置', en: 'Other settings' }, guideOther: { zh: '指南的其他内容', en: 'Other guide content' },
  procedure: { zh: '办理流程说明', en: 'Procedure' }, externalLimit: { zh: '校外环节时间', en: 'Time outside the university' },
  timeLimitOther: { zh: '办理时限的其他内容', en: 'Other time-limit details' }, reviewed: { zh: '复核日期', en: 'Last reviewed' },
  situations: { zh: '办理情形', en: 'Situations' }, situation: { zh: '办理情形', en: 'Situation' },
};

const WORDS = {
  zh: {
    title: '事项变更摘要', base: '基准', head: '本 PR 的工作区', service: '事项', owner: '主管部门', change: '变更', status: '状态', runtime: '运行版本',
    none: '本 PR 没有修改任何事项。', forbidden: '🚫 不允许的变更（合并前必须改正）', other: '其他变更', reviewers: '需要评审的部门',
    department: '部门', admins: '管理员', why: '涉及', added: '新增', removed: '删除', edited: '已修改', retired: '停办', renamed: '标识修改',
    statusChange: '状态', listing: '名称与分类', guide: '指南', flow: '表单与流程', incomplete: '文件有错误，只比较了一部分；请先运行 npx hall check',
    newService: '新增事项', deletedService: '文件被删除', review: '需评审', version: (v: ServiceDiff['runtime']) => versionText(v, 'zh'),
    generated: { fresh: 'generated/ 已是最新 ✅', stale: 'generated/ 未更新 ❌', skipped: 'generated/ 未检查', failed: 'generated/ 检查失败 ⚠️' },
    toolchain: '工具链文件（由信息化主管部门评审）', truncated: '（内容过长，其余各事项的明细已省略；完整内容见工作流的 Summary 或 hall-diff 附件。）',
    idChanged: (from: string) => `标识：${from} → `, sep: '；', colon: '：', list: '、',
  },
  en: {
    title: 'Catalog changes', base: 'Base', head: 'this PR\'s working tree', service: 'Service', owner: 'Owner', change: 'Change', status: 'Status', runtime: 'Runtime version',
    none: 'This PR changes no service.', forbidden: '🚫 Changes that are not allowed (fix before merging)', other: 'Other changes', reviewers: 'Departments whose review is needed',
    department: 'Department', admins: 'Admins', why: 'For', added: 'added', removed: 'removed', edited: 'edited', retired: 'retired', renamed: 'id changed',
    statusChange: 'status', listing: 'listing', guide: 'guide', flow: 'form & workflow', incomplete: 'the file has errors, so only part of it was compared; run npx hall check first',
    newService: 'new service', deletedService: 'file deleted', review: 'Review by', version: (v: ServiceDiff['runtime']) => versionText(v, 'en'),
    generated: { fresh: 'generated/ is up to date ✅', stale: 'generated/ is stale ❌', skipped: 'generated/ not checked', failed: 'generated/ check failed ⚠️' },
    toolchain: 'Toolchain files (reviewed by the IT office)', truncated: '(Too long: the remaining services\' details are left out; see the workflow summary or the hall-diff artifact.)',
    idChanged: (from: string) => `id: ${from} → `, sep: '; ', colon: ': ', list: ', ',
  },
};

function versionText(runtime: ServiceDiff['runtime'], lang: Lang): string {
  const v = runtime?.version;
  if (!v) return '—';
  if (v.from === undefined && v.newDefinition) return lang === 'zh' ? `v${v.to}（新的运行定义）` : `v${v.to} (new runtime definition)`;
  if (v.from === undefined) return lang === 'zh' ? `v${v.to}（基准没有运行清单）` : `v${v.to} (the base has no runtime manifest)`;
  if (v.from === v.to) return `v${v.to}`;
  return `v${v.from} → v${v.to}`;
}

/** Markdown special characters in catalog text are shown literally, never interpreted. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]<>|#~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

const t = (value: Bi, lang: Lang) => escapeMarkdown(value[lang]);
const paren = (s: string, lang: Lang) => (lang === 'zh' ? `（${s}）` : ` (${s})`);

function renderChange(c: Change, lang: Lang): string {
  const W = WORDS[lang];
  const label = `**${TOPICS[c.topic][lang]}${c.subject ? ` ${t(c.subject, lang)}` : ''}**`;
  const parts: string[] = [];
  if (c.from && c.to) parts.push(`${t(c.from, lang)} → ${t(c.to, lang)}`);
  else if (c.to) parts.push(t(c.to, lang));
  if (c.added?.length) parts.push(`${W.added} ${c.added.map((x) => t(x, lang)).join(W.list)}`);
  if (c.removed?.length) parts.push(`${W.removed} ${c.removed.map((x) => t(x, lang)).join(W.list)}`);
  return `${label}${W.colon}${parts.length ? parts.join(W.sep) : W.edited}`;
}

/** The "change" column: what kinds of change a service has, in a few words. */
function kinds(s: ServiceDiff, lang: Lang): string {
  const W = WORDS[lang];
  if (s.change === 'added') return W.added;
  if (s.change === 'removed') return W.removed;
  const out: string[] = [];
  if (s.previousId) out.push(W.renamed);
  const retiring = s.service.some((c) => c.topic === 'retired') || (s.status.to === 'retired' && s.status.from !== 'retired');
  if (retiring) out.push(W.retired);
  if (s.status.from !== s.status.to && s.status.to !== 'retired') out.push(W.statusChange);
  // The retirement block is the retirement itself, not a change to how the service is listed.
  if (s.service.some((c) => c.topic !== 'retired')) out.push(W.listing);
  if (s.guide.length) out.push(W.guide);
  if (s.runtime) out.push(W.flow);
  if (!out.length) out.push(s.incomplete ? '⚠️' : W.edited);
  return out.join(W.list);
}

function statusCell(s: ServiceDiff, lang: Lang): string {
  const from = s.status.from ? describe.status(s.status.from)[lang] : undefined;
  const to = s.status.to ? describe.status(s.status.to)[lang] : undefined;
  if (from && to && from !== to) return `${from} → ${to}`;
  return to ?? from ?? '—';
}

function serviceSection(s: ServiceDiff, lang: Lang): string[] {
  const W = WORDS[lang];
  const lines = [`#### ${t(s.name, lang)}${paren(`\`${s.id}\``, lang)}`];
  if (s.incomplete) lines.push(`- ⚠️ ${W.incomplete}`);
  if (s.previousId) lines.push(`- **${W.idChanged(s.previousId)}${s.id}**`);
  if (s.change === 'added') lines.push(`- **${W.newService}**${W.colon}${statusCell(s, lang)}`);
  if (s.change === 'removed') lines.push(`- **${W.deletedService}**${W.colon}\`${s.file}\``);
  else if (s.status.from && s.status.to && s.status.from !== s.status.to) lines.push(`- **${W.status}**${W.colon}${statusCell(s, lang)}`);
  for (const c of [...s.service, ...s.guide]) lines.push(`- ${renderChange(c, lang)}`);
  if (s.runtime) {
    lines.push(`- **${W.flow}** → ${W.runtime} **${W.version(s.runtime)}**`);
    for (const c of s.runtime.changes) lines.push(`  - ${renderChange(c, lang)}`);
  }
  if (s.departments.length) lines.push(`- ${W.review}${W.colon}${s.departments.map((d) => `\`${d}\``).join(W.list)}`);
  return lines;
}

/** The PR comment: summary table first, then forbidden changes, per-service details and reviewers. */
export function renderMarkdown(diff: CatalogDiff, lang: Lang): string {
  const W = WORDS[lang];
  const head: string[] = [COMMENT_MARKER, `### 📋 ${W.title}`, '', `${W.base}${W.colon}\`${diff.base.ref}\`${paren(diff.base.commit.slice(0, 10), lang)} → ${W.head}`, ''];
  if (diff.services.length === 0) {
    if (!diff.forbidden.length) head.push(W.none, '');
  } else {
    head.push(`| ${W.service} | ${W.owner} | ${W.change} | ${W.status} | ${W.runtime} |`, '| --- | --- | --- | --- | --- |');
    for (const s of diff.services) {
      const owner = s.departments[0] ?? '';
      head.push(`| ${t(s.name, lang)}<br>\`${s.id}\` | \`${owner}\` | ${kinds(s, lang)} | ${statusCell(s, lang)} | ${W.version(s.runtime)} |`);
    }
    head.push('');
  }
  if (diff.forbidden.length) {
    head.push(`#### ${W.forbidden}`);
    for (const d of diff.forbidden) {
      const r = renderDiagnostic(d, lang);
      head.push(`- **${r.title}** \`${d.file}:${d.line}\` (${d.code})${W.colon}${escapeMarkdown(r.message)} ${escapeMarkdown(r.hint)}`);
    }
    head.push('');
  }

  const tail: string[] = [];
  if (diff.other.length || diff.toolchain.length) {
    tail.push(`#### ${W.other}`);
    for (const o of diff.other) {
      const what = `**${t(o.what, lang)}** \`${o.file}\``;
      if (o.change !== 'changed') tail.push(`- ${what}${W.colon}${o.change === 'added' ? W.added : W.removed}`);
      else for (const c of o.changes) tail.push(`- ${what} ${renderChange(c, lang)}`);
    }
    if (diff.toolchain.length) {
      const shown = diff.toolchain.slice(0, 10).map((p) => `\`${p}\``).join(W.list);
      tail.push(`- **${W.toolchain}**${W.colon}${shown}${diff.toolchain.length > 10 ? ` … (+${diff.toolchain.length - 10})` : ''}`);
    }
    tail.push('');
  }
  if (diff.departments.length) {
    tail.push(`#### ${W.reviewers}`, '', `| ${W.department} | ${W.admins} | ${W.why} |`, '| --- | --- | --- |');
    for (const d of diff.departments) {
      tail.push(`| ${t(d.name, lang)} \`${d.code}\` | ${d.admins.map((a) => `\`${a}\``).join(' ') || '—'} | ${d.reasons.map((r) => `\`${r}\``).join(' ')} |`);
    }
    tail.push('');
  }
  const note = diff.generated.note ? `${W.colon}${t(diff.generated.note, lang)}` : '';
  tail.push(`<sub>${W.generated[diff.generated.status]}${note}</sub>`, '');

  const details: string[][] = diff.services.filter((s) => s.change !== 'removed' || s.incomplete).map((s) => [...serviceSection(s, lang), '']);
  const removed = diff.services.filter((s) => s.change === 'removed' && !s.incomplete).map((s) => [...serviceSection(s, lang), '']);
  const sections = [...removed, ...details];
  const budget = MAX_COMMENT - head.join('\n').length - tail.join('\n').length - 400;
  const kept: string[] = [];
  let used = 0;
  for (const section of sections) {
    const text = section.join('\n');
    if (used + text.length > budget) {
      kept.push(W.truncated, '');
      break;
    }
    kept.push(...section);
    used += text.length + 1;
  }
  return [...head, ...kept, ...tail].join('\n');
}

/** The diff as data, forbidden changes rendered in `lang`, for tools and tests. */
export function renderJson(diff: CatalogDiff, lang: Lang): string {
  const forbidden = diff.forbidden.map((d) => ({ ...d, ...renderDiagnostic(d, lang) }));
  return JSON.stringify({ ...diff, forbidden }, null, 2) + '\n';
}
