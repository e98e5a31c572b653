import { PALETTE, SERIES, barChart, columnChart, stackedBarChart } from '../render/charts.ts';
import { count, csv, escapeHtml, fixed, htmlTable, inLang, markdownTable, percent, ratio } from '../render/format.ts';
import type { Cell, Lang } from '../render/format.ts';
import { KINDS, REVIEW_DAYS, STATUSES } from './catalog-stats.ts';
import type { CatalogStats, StatsFigures } from './catalog-stats.ts';

const L = {
  zh: {
    title: '事项目录统计',
    asOf: (d: string, scope: string) => `统计日期 ${d}，范围：${scope}。`,
    scope: { public: '对外公开的事项', campus: '校内可见的事项', all: '全部事项（不含涉密事项）' },
    overview: '概览',
    fig: {
      services: '事项总数',
      inService: '在办事项',
      handledOnline: '网上可办率',
      fullyOnline: '全程网办（Ⅳ级）',
      atMostOne: '最多跑一次',
      zero: '零跑动',
      median: '承诺时限中位数',
      review: '逾期未复核的指南',
    },
    days: (n: number | null) => (n === null ? '–' : `${fixed(n, n % 1 ? 1 : 0)} 个工作日`),
    byDept: '各部门事项',
    byDeptDesc: (n: number) => `${n} 个部门的事项数，按办理方式分色。`,
    kindsStatus: '办理方式与状态',
    kindsTitle: '按办理方式',
    statusTitle: '按状态',
    depth: '网上办理深度',
    depthNote: '在办事项按网上办理深度（Ⅰ–Ⅳ级）分布。',
    visits: '到现场次数',
    visitsNote: '在办事项需要到现场的次数；0 次即“零跑动”，不超过 1 次即“最多跑一次”。',
    limits: '承诺办结时限',
    limitsNote: (mean: number | null, compared: number, compression: number | null) =>
      `平均 ${mean === null ? '–' : fixed(mean)} 个工作日。${compared ? `${compared} 个事项同时写明法定时限和承诺时限，承诺时限平均比法定时限缩短 ${percent(compression ?? 0, 1)}。` : ''}`,
    review: '逾期未复核的办事指南',
    reviewNone: (days: number) => `没有超过 ${days} 天未复核的办事指南。`,
    reviewNote: (days: number) => `在办事项中，办事指南超过 ${days} 天未复核（reviewed）的。`,
    definitions: '统计口径',
    defs: [
      '在办事项：状态为正式上线、试运行或暂停办理的事项；各项比率都以在办事项为分母。草稿和已停办的事项只计入“按状态”。',
      '网上可办：网上办理、预约或链接到已有业务系统（统一身份认证）的事项；仅办事指南（线下办理）的不计。',
      '全程网办：网上办理深度为Ⅳ级。最多跑一次：到现场次数不超过 1 次；零跑动：0 次。',
      '承诺时限按工作日计，即办件计为 0；以自然日计的时限按 5/7 折算为工作日。',
      '涉密事项不上网、不计入任何统计（000号文第十四条）。',
    ],
    kind: { online: '网上办理', appointment: '预约', link: '系统链接', guide: '仅办事指南' },
    status: { online: '正式上线', pilot: '试运行', suspended: '暂停办理', draft: '草稿', retired: '已停办' },
    grade: ['未定级', 'Ⅰ级 信息公开', 'Ⅱ级 在线申请', 'Ⅲ级 在线预审', 'Ⅳ级 全程网办'],
    visit: ['0 次（零跑动）', '1 次', '2 次', '3 次及以上'],
    limitLabels: ['即办', '1–3 天', '4–5 天', '6–10 天', '11–20 天', '20 天以上'],
    col: {
      dept: '部门',
      code: '代码',
      services: '事项数',
      inService: '在办',
      onlineRate: '网上可办率',
      fullyOnline: '全程网办率',
      atMostOne: '最多跑一次',
      zero: '零跑动',
      review: '待复核',
      count: '数量',
      share: '占比',
      figure: '指标',
      value: '数值',
      service: '事项',
      reviewed: '上次复核',
      age: '已过天数',
      total: '合计',
      kind: '办理方式',
      status: '状态',
      grade: '深度',
      visits: '到现场次数',
      limit: '承诺时限',
    },
  },
  en: {
    title: 'Catalog statistics',
    asOf: (d: string, scope: string) => `As of ${d}; covering ${scope}.`,
    scope: { public: 'public services', campus: 'services visible on campus', all: 'all services (confidential ones excluded)' },
    overview: 'Overview',
    fig: {
      services: 'Services',
      inService: 'In service',
      handledOnline: 'Handled online',
      fullyOnline: 'Fully online (grade IV)',
      atMostOne: 'At most one visit',
      zero: 'Zero visits',
      median: 'Median promised limit',
      review: 'Guides overdue for review',
    },
    days: (n: number | null) => (n === null ? '–' : `${fixed(n, n % 1 ? 1 : 0)} work days`),
    byDept: 'Services by department',
    byDeptDesc: (n: number) => `Services of ${n} departments, coloured by how they are handled.`,
    kindsStatus: 'Kinds and status',
    kindsTitle: 'By kind',
    statusTitle: 'By status',
    depth: 'Online depth',
    depthNote: 'Services in service by online depth grade I–IV.',
    visits: 'Visits required',
    visitsNote: 'How often an applicant must come in person; 0 is "zero visits", at most 1 is "at most one visit" (最多跑一次).',
    limits: 'Promised time limits',
    limitsNote: (mean: number | null, compared: number, compression: number | null) =>
      `Mean ${mean === null ? '–' : fixed(mean)} work days.${compared ? ` ${compared} services state both a legal and a promised limit; the promise is on average ${percent(compression ?? 0, 1)} shorter.` : ''}`,
    review: 'Guides overdue for review',
    reviewNone: (days: number) => `No guide has gone more than ${days} days without review.`,
    reviewNote: (days: number) => `Guides of services in service last reviewed more than ${days} days ago.`,
    definitions: 'Definitions',
    defs: [
      'In service: online, pilot or suspended. Every rate is a share of the services in service; drafts and retired services appear only under "By status".',
      'Handled online: an online form, an appointment, or a linked system reached by single sign-on; guide-only (offline) services are not.',
      'Fully online: online depth grade IV. At most one visit: visits required ≤ 1; zero visits: 0.',
      'Promised limits are in work days, immediate cases (即办件) as 0; limits in calendar days count as 5/7 of their days.',
      'Confidential services are never published and never counted (seed 000 §14).',
    ],
    kind: { online: 'Online', appointment: 'Appointment', link: 'Linked system', guide: 'Guide only' },
    status: { online: 'Online', pilot: 'Pilot', suspended: 'Suspended', draft: 'Draft', retired: 'Retired' },
    grade: ['No grade', 'I Information', 'II Apply online', 'III Online pre-check', 'IV Fully online'],
    visit: ['0 (zero visits)', '1', '2', '3 or more'],
    limitLabels: ['Immediate', '1–3 days', '4–5 days', '6–10 days', '11–20 days', 'Over 20 days'],
    col: {
      dept: 'Department',
      code: 'Code',
      services: 'Services',
      inService: 'In service',
      onlineRate: 'Handled online',
      fullyOnline: 'Fully online',
      atMostOne: 'At most one visit',
      zero: 'Zero visits',
      review: 'Overdue reviews',
      count: 'Count',
      share: 'Share',
      figure: 'Figure',
      value: 'Value',
      service: 'Service',
      reviewed: 'Last reviewed',
      age: 'Days since',
      total: 'Total',
      kind: 'Kind',
      status: 'Status',
      grade: 'Depth',
      visits: 'Visits',
      limit: 'Promised limit',
    },
  },
};

export interface StatsPageOptions {
  /** Level of the fragment's section headings (the page's own title is one above); 2 by default. */
  headingLevel?: 2 | 3;
  /** Links from service and department names to their guide pages; plain text when absent. */
  serviceHref?: (id: string) => string;
  departmentHref?: (code: string) => string;
  /** Prefix of element ids, so two fragments can share a page. */
  idPrefix?: string;
  /** Include the fragment's small `<style>` block (tables, figures); on by default. */
  styles?: boolean;
}

/** Styles the fragments need beyond a plain page: number alignment, the figure grid, scrolling tables. */
export const FRAGMENT_CSS = `.hall-stats .num{text-align:right;font-variant-numeric:tabular-nums}
.hall-stats .figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.5rem;margin:1rem 0;padding:0}
.hall-stats .figures div{border:1px solid #d4d9e0;border-radius:6px;padding:.5rem .75rem}
.hall-stats .figures dt{font-size:.85rem;color:#555}
.hall-stats .figures dd{margin:0;font-size:1.35rem;font-weight:700}
.hall-stats .table-scroll{overflow-x:auto;margin:.5rem 0 1rem}
.hall-stats th,.hall-stats td{white-space:nowrap}
.hall-stats .chart{display:block;height:auto;margin:.5rem 0}
.hall-stats .note{color:#555;font-size:.9rem}`;

const rate = (f: StatsFigures, part: number) => percent(part, f.inService);

/**
 * The statistics page as an HTML fragment with inline SVG charts and the same figures as tables: no
 * script, deterministic, safe to embed with Astro's `set:html`. Pure.
 */
export function renderStatsPage(stats: CatalogStats, lang: Lang, options: StatsPageOptions = {}): string {
  const t = L[lang];
  const h = options.headingLevel ?? 2;
  const id = (name: string) => `${options.idPrefix ?? 'stats'}-${name}`;
  const heading = (key: string, title: string) => `<h${h} id="${id(key)}">${escapeHtml(title)}</h${h}>`;
  const serviceName = (sid: string, name: string) => (options.serviceHref ? `<a href="${escapeHtml(options.serviceHref(sid))}">${escapeHtml(name)}</a>` : escapeHtml(name));
  const deptName = (code: string, name: string) => (options.departmentHref ? `<a href="${escapeHtml(options.departmentHref(code))}">${escapeHtml(name)}</a>` : escapeHtml(name));
  const total = stats.total;
  const figures: [string, string][] = [
    [t.fig.services, count(total.services)],
    [t.fig.inService, count(total.inService)],
    [t.fig.handledOnline, rate(total, total.handledOnline)],
    [t.fig.fullyOnline, rate(total, total.fullyOnline)],
    [t.fig.atMostOne, rate(total, total.atMostOneVisit)],
    [t.fig.zero, rate(total, total.zeroVisits)],
    [t.fig.median, t.days(stats.limits.median)],
    [t.fig.review, count(total.reviewOverdue)],
  ];
  const depts = stats.departments.filter((d) => d.services > 0);
  const parts: string[] = [];
  if (options.styles !== false) parts.push(`<style>${FRAGMENT_CSS}</style>`);
  parts.push(`<p class="note">${escapeHtml(t.asOf(stats.asOf, t.scope[stats.scope]))}</p>`);
  parts.push(heading('overview', t.overview));
  parts.push(`<dl class="figures">${figures.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`);

  parts.push(heading('departments', t.byDept));
  parts.push(
    stackedBarChart({
      lang,
      id: id('dept-chart'),
      title: t.byDept,
      desc: `${t.byDeptDesc(depts.length)} ${depts.map((d) => `${inLang(d.name, lang)} ${d.services}`).join(lang === 'zh' ? '，' : ', ')}`,
      series: KINDS.map((k, i) => ({ name: t.kind[k], color: SERIES[i] })),
      rows: depts.map((d) => ({ label: inLang(d.name, lang), values: KINDS.map((k) => d.byKind[k]) })),
    }),
  );
  const c = t.col;
  parts.push(
    htmlTable(
      [c.dept, c.services, c.inService, c.onlineRate, c.fullyOnline, c.atMostOne, c.review],
      [
        ...depts.map((d): Cell[] => [{ text: inLang(d.name, lang), html: deptName(d.code, inLang(d.name, lang)) }, d.services, d.inService, { text: rate(d, d.handledOnline), numeric: true }, { text: rate(d, d.fullyOnline), numeric: true }, { text: rate(d, d.atMostOneVisit), numeric: true }, d.reviewOverdue]),
        [c.total, total.services, total.inService, { text: rate(total, total.handledOnline), numeric: true }, { text: rate(total, total.fullyOnline), numeric: true }, { text: rate(total, total.atMostOneVisit), numeric: true }, total.reviewOverdue],
      ],
    ),
  );

  parts.push(heading('kinds', t.kindsStatus));
  const kindBars = KINDS.map((k, i) => ({ label: t.kind[k], value: total.byKind[k], note: `${total.byKind[k]}（${percent(total.byKind[k], total.services)}）`, color: SERIES[i] }));
  parts.push(`<h${h + 1}>${escapeHtml(t.kindsTitle)}</h${h + 1}>`);
  parts.push(barChart({ lang, id: id('kind-chart'), title: t.kindsTitle, desc: kindBars.map((b) => `${b.label} ${b.note}`).join('；'), bars: kindBars }));
  const statusBars = STATUSES.map((s) => ({ label: t.status[s], value: total.byStatus[s], note: String(total.byStatus[s]), color: s === 'retired' || s === 'draft' ? PALETTE.muted : s === 'suspended' ? PALETTE.warn : PALETTE.brand }));
  parts.push(`<h${h + 1}>${escapeHtml(t.statusTitle)}</h${h + 1}>`);
  parts.push(barChart({ lang, id: id('status-chart'), title: t.statusTitle, desc: statusBars.map((b) => `${b.label} ${b.value}`).join('；'), bars: statusBars }));

  parts.push(heading('depth', t.depth));
  parts.push(`<p class="note">${escapeHtml(t.depthNote)}</p>`);
  const depthBars = [1, 2, 3, 4, 0].map((g) => ({ label: t.grade[g], value: total.depth[g], note: `${total.depth[g]}（${rate(total, total.depth[g])}）`, color: g === 4 ? PALETTE.brand : g === 0 ? PALETTE.muted : PALETTE.soft }));
  parts.push(barChart({ lang, id: id('depth-chart'), title: t.depth, desc: depthBars.map((b) => `${b.label} ${b.note}`).join('；'), bars: depthBars }));

  parts.push(heading('visits', t.visits));
  parts.push(`<p class="note">${escapeHtml(t.visitsNote)}</p>`);
  const visitBars = total.visits.map((v, i) => ({ label: t.visit[i], value: v, note: `${v}（${rate(total, v)}）`, color: i === 0 ? PALETTE.brand : i === 1 ? SERIES[5] : PALETTE.warn }));
  parts.push(barChart({ lang, id: id('visits-chart'), title: t.visits, desc: visitBars.map((b) => `${b.label} ${b.note}`).join('；'), bars: visitBars }));

  parts.push(heading('limits', t.limits));
  parts.push(`<p class="note">${escapeHtml(t.limitsNote(stats.limits.mean, stats.limits.compared, stats.limits.meanCompression))}</p>`);
  const limitCols = total.limits.map((v, i) => ({ label: t.limitLabels[i], value: v }));
  parts.push(columnChart({ lang, id: id('limits-chart'), title: t.limits, desc: limitCols.map((b) => `${b.label} ${b.value}`).join('；'), columns: limitCols, labelEvery: 1, height: 180, width: 480 }));

  parts.push(heading('review', t.review));
  if (!stats.reviewOverdue.length) parts.push(`<p>${escapeHtml(t.reviewNone(REVIEW_DAYS))}</p>`);
  else {
    parts.push(`<p class="note">${escapeHtml(t.reviewNote(REVIEW_DAYS))}</p>`);
    const deptNames = new Map(stats.departments.map((d) => [d.code, inLang(d.name, lang)]));
    parts.push(
      htmlTable(
        [c.service, c.dept, c.reviewed, c.age],
        stats.reviewOverdue.map((r) => [{ text: inLang(r.name, lang), html: serviceName(r.id, inLang(r.name, lang)) }, deptNames.get(r.owner) ?? r.owner, r.reviewed, r.days]),
      ),
    );
  }

  parts.push(heading('definitions', t.definitions));
  parts.push(`<ul class="note">${t.defs.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`);
  return `<section class="hall-stats" lang="${lang === 'zh' ? 'zh-CN' : 'en'}">${parts.join('\n')}</section>\n`;
}

/** The statistics as Markdown: the same sections and tables as the page, without charts. */
export function renderStatsMarkdown(stats: CatalogStats, lang: Lang): string {
  const t = L[lang];
  const c = t.col;
  const total = stats.total;
  const out: string[] = [`# ${inLang(stats.hall, lang)} · ${t.title}`, '', t.asOf(stats.asOf, t.scope[stats.scope]), '', `## ${t.overview}`, ''];
  out.push(
    markdownTable(
      [c.figure, c.value],
      [
        [t.fig.services, count(total.services)],
        [t.fig.inService, count(total.inService)],
        [t.fig.handledOnline, rate(total, total.handledOnline)],
        [t.fig.fullyOnline, rate(total, total.fullyOnline)],
        [t.fig.atMostOne, rate(total, total.atMostOneVisit)],
        [t.fig.zero, rate(total, total.zeroVisits)],
        [t.fig.median, t.days(stats.limits.median)],
        [t.fig.review, count(total.reviewOverdue)],
      ],
    ),
  );
  const depts = stats.departments.filter((d) => d.services > 0);
  out.push('', `## ${t.byDept}`, '');
  out.push(
    markdownTable(
      [c.dept, ...KINDS.map((k) => t.kind[k]), c.services, c.inService, c.onlineRate, c.fullyOnline, c.atMostOne, c.review],
      [...depts, { ...total, name: { zh: c.total, en: c.total } }].map((d) => [inLang(d.name, lang), ...KINDS.map((k) => d.byKind[k]), d.services, d.inService, { text: rate(d, d.handledOnline), numeric: true }, { text: rate(d, d.fullyOnline), numeric: true }, { text: rate(d, d.atMostOneVisit), numeric: true }, d.reviewOverdue]),
    ),
  );
  out.push('', `## ${t.kindsStatus}`, '');
  out.push(markdownTable([c.status, c.count], STATUSES.map((s) => [t.status[s], total.byStatus[s]])));
  out.push('', `## ${t.depth}`, '', t.depthNote, '');
  out.push(markdownTable([c.grade, c.count, c.share], [1, 2, 3, 4, 0].map((g) => [t.grade[g], total.depth[g], { text: rate(total, total.depth[g]), numeric: true }])));
  out.push('', `## ${t.visits}`, '', t.visitsNote, '');
  out.push(markdownTable([c.visits, c.count, c.share], total.visits.map((v, i) => [t.visit[i], v, { text: rate(total, v), numeric: true }])));
  out.push('', `## ${t.limits}`, '', t.limitsNote(stats.limits.mean, stats.limits.compared, stats.limits.meanCompression), '');
  out.push(markdownTable([c.limit, c.count], total.limits.map((v, i) => [t.limitLabels[i], v])));
  out.push('', `## ${t.review}`, '');
  if (!stats.reviewOverdue.length) out.push(t.reviewNone(REVIEW_DAYS));
  else out.push(t.reviewNote(REVIEW_DAYS), '', markdownTable([c.service, c.code, c.dept, c.reviewed, c.age], stats.reviewOverdue.map((r) => [inLang(r.name, lang), r.id, r.owner, r.reviewed, r.days])));
  out.push('', `## ${t.definitions}`, '', ...t.defs.map((d) => `- ${d}`), '');
  return out.join('\n');
}

/**
 * The statistics as one CSV table: a row per department and a total row, every distribution broken down
 * in columns (kinds, statuses, depth grades, visits, promised-limit bins), rates as fractions.
 */
export function renderStatsCsv(stats: CatalogStats, lang: Lang): string {
  const t = L[lang];
  const c = t.col;
  const head = [
    c.code,
    c.dept,
    c.services,
    c.inService,
    ...KINDS.map((k) => `${c.kind}:${t.kind[k]}`),
    ...STATUSES.map((s) => `${c.status}:${t.status[s]}`),
    c.onlineRate,
    ...[0, 1, 2, 3, 4].map((g) => `${c.grade}:${t.grade[g]}`),
    c.fullyOnline,
    ...t.visit.map((v) => `${c.visits}:${v}`),
    c.atMostOne,
    c.zero,
    ...t.limitLabels.map((l) => `${c.limit}:${l}`),
    c.review,
  ];
  const row = (code: string, name: string, f: StatsFigures) => [
    code,
    name,
    f.services,
    f.inService,
    ...KINDS.map((k) => f.byKind[k]),
    ...STATUSES.map((s) => f.byStatus[s]),
    ratio(f.handledOnline, f.inService),
    ...f.depth,
    ratio(f.fullyOnline, f.inService),
    ...f.visits,
    ratio(f.atMostOneVisit, f.inService),
    ratio(f.zeroVisits, f.inService),
    ...f.limits,
    f.reviewOverdue,
  ];
  return csv(head, [...stats.departments.map((d) => row(d.code, inLang(d.name, lang), d)), row('', c.total, stats.total)]);
}
