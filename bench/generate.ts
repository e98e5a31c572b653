import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Synthetic catalogs for the benchmark: a hall, role groups, 30 departments and any number of services
 * shaped like a real one (catalog/bwc/student-leave.yaml: guide, form, workflow with branches and
 * countersigns, notifications, scenarios), varied by a seeded random source so every run is the same.
 * Every generated catalog checks clean: the benchmark measures the path a real catalog takes.
 */

/** Deterministic random numbers (mulberry32), so two runs generate the same catalog. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p,
  };
}
type Random = ReturnType<typeof randomSource>;

const DEPARTMENTS = [
  'bwc', 'cwc', 'dzb', 'gjc', 'hqc', 'jwc', 'kyc', 'rsc', 'sjc', 'tsg', 'tw', 'xcb', 'xgc', 'xxzx', 'yjsy',
  'zcc', 'zjc', 'zzb', 'jsj', 'wxy', 'sxy', 'jgxy', 'fxy', 'yyxy', 'hxxy', 'wlxy', 'smxy', 'ysxy', 'tyxy', 'mkszy',
] as const;
const TOPICS = ['party-admin', 'personnel', 'student-affairs', 'teaching', 'research', 'certificates', 'campus-security', 'campus-life', 'finance-assets', 'it-services', 'venues', 'international'];
const AUDIENCES = ['undergraduate', 'postgraduate', 'staff', 'unit', 'alumni', 'visitor'];
const CHANNELS = ['pc', 'app', 'wechat', 'counter'];
const NOUNS = ['请假', '离校', '证明', '报销', '借用', '预约', '登记', '备案', '申请', '变更', '补办', '审批', '出国', '调课', '缓考', '奖学金', '助学金', '宿舍', '车辆', '门禁', '印章', '场地', '设备', '会议室', '网络', '邮箱', '档案', '户籍', '实习', '经费'];
const WORDS = '学生教师学院部门办理审核材料提交网上系统工作日期间按照规定要求相关人员负责同意签字盖章原件复印件电子版申请表格流程时限地点电话咨询投诉结果证照'.split('');

function sentence(r: Random, min: number, max: number): string {
  let s = '';
  const n = r.int(min, max);
  for (let i = 0; i < n; i++) s += r.pick(WORDS);
  return `${s}。`;
}

function hallYaml(): string {
  const list = (ids: string[]) => ids.map((id) => `  - id: ${id}\n    name: { zh: ${id}, en: ${id} }`).join('\n');
  return `# Synthetic hall for the benchmark.
apiVersion: servicehall/v1
kind: Hall
name:
  zh: 基准测试大学网上办事大厅
  en: Benchmark University Service Hall
university: 基准测试大学
urls:
  site: https://guide.bench.edu.cn
  hall: https://ehall.bench.edu.cn/apply/{id}
  runtime: https://ehall.bench.edu.cn
itOffice: xxzx
topics:
${list(TOPICS)}
audiences:
${list(AUDIENCES)}
channels:
${list(CHANNELS)}
dataSources:
  - { id: applicant.name, name: 姓名, type: text }
  - { id: applicant.number, name: 学号/工号, type: text }
  - { id: applicant.type, name: 身份, type: choice, values: [本科生, 研究生, 教职工] }
  - { id: applicant.college, name: 所在学院, type: department }
  - { id: applicant.department, name: 所在单位, type: department }
  - { id: applicant.class, name: 班级, type: class }
  - { id: applicant.phone, name: 手机号码, type: phone }
calendar:
  timezone: Asia/Shanghai
  years:
    "2026":
      holidays:
        - { name: 国庆节, from: 2026-10-01, to: 2026-10-07 }
      workdays: [2026-10-10]
`;
}

function rolesYaml(): string {
  return `apiVersion: servicehall/v1
kind: RoleGroups
groups:
  - { id: university-leader, name: 校领导, maintainer: zzb, scope: university }
  - { id: department-head, name: 单位主要负责人, maintainer: zzb, scope: department }
  - { id: department-deputy, name: 单位分管负责人, maintainer: zzb, scope: department }
  - { id: office-staff, name: 经办人, maintainer: rsc, scope: department }
  - { id: counselor, name: 辅导员, maintainer: xgc, scope: class }
`;
}

function departmentYaml(code: string, i: number): string {
  return `apiVersion: servicehall/v1
kind: Department
code: ${code}
name:
  zh: 部门${i + 1}
  en: Department ${i + 1}
type: ${i >= 18 ? 'college' : 'office'}
description: 负责${NOUNS[i % NOUNS.length]}等事项的办理。
leader:
  name: 领导${i + 1}
  title: 副校长
admins:
  - name: 管理员${i + 1}
    github: admin-${code}
    email: ${code}@bench.edu.cn
office:
  campus: 本部校区
  address: 行政楼
  room: ${100 + i}室
  hours: 工作日 8:00-12:00，14:30-17:30
phone: 0731-8888${String(1000 + i).slice(1)}
email: ${code}@bench.edu.cn
`;
}

interface Plan {
  id: string;
  owner: string;
  kind: 'online' | 'guide' | 'link' | 'appointment';
  retiredFor?: string;
  issuesCertificate: boolean;
  usesCertificate?: string;
}

const FIELD_TYPES = ['text', 'textarea', 'date', 'daterange', 'choice', 'boolean', 'file', 'phone', 'email', 'money', 'multichoice', 'idcard'] as const;

/** A value of each field type that fits the generated form, for scenario data (`hall check` validates it). */
const SAMPLE_VALUES: Record<(typeof FIELD_TYPES)[number], string> = {
  text: '样例', textarea: '样例的说明文字', date: '2026-03-02', daterange: '{ start: 2026-03-02, end: 2026-03-04 }', choice: '选项一', boolean: 'true',
  file: '[材料.pdf]', phone: '"13800000001"', email: 'a@bench.edu.cn', money: '100', multichoice: '[选项一]', idcard: '"11010519491231002X"',
};

function formYaml(r: Random): { text: string; fields: string[]; data: string } {
  const fields: string[] = ['amount', 'category'];
  const data: string[] = ['applicantName: 张三', 'amount: 1', 'category: 丙类'];
  const sections = r.int(1, 4);
  let text = `form:\n  sections:\n`;
  for (let s = 0; s < sections; s++) {
    text += `    - id: section-${s + 1}\n      title: ${s === 0 ? '申请人信息' : `第${s + 1}部分`}\n      fields:\n`;
    if (s === 0) {
      text += `        - id: applicantName\n          label: 姓名\n          type: text\n          required: true\n          prefill: applicant.name\n          readonly: true\n`;
      text += `        - id: amount\n          label: 数量\n          type: number\n          required: true\n          min: 0\n          max: 100000\n          help: 按实际填写。\n`;
      text += `        - id: category\n          label: 类别\n          type: choice\n          required: true\n          options: [甲类, 乙类, 丙类]\n`;
      fields.push('applicantName');
    }
    for (let f = 0, n = r.int(2, 6); f < n; f++) {
      const id = `field${s}${f}`;
      const type = r.pick(FIELD_TYPES);
      fields.push(id);
      const required = r.chance(0.6);
      text += `        - id: ${id}\n          label: ${sentence(r, 2, 6).slice(0, -1)}\n          type: ${type}\n          required: ${required}\n`;
      if (type === 'choice' || type === 'multichoice') text += `          options: [选项一, 选项二, 选项三]\n`;
      if (type === 'textarea') text += `          minLength: 5\n          maxLength: 500\n`;
      if (type === 'file') text += `          accept: [.pdf, .jpg, .png]\n          maxSizeMB: 10\n`;
      // Scenarios submit amount 1, which hides every conditional field: they fill only the others.
      if (r.chance(0.2)) text += `          visibleIf: amount > ${r.int(1, 50)}\n`;
      else if (required) data.push(`${id}: ${SAMPLE_VALUES[type]}`);
    }
  }
  return { text, fields, data: `{ ${data.join(', ')} }` };
}

function stepYaml(r: Random, indent: string, id: string, owner: string, partner: string | undefined, deadline: number): string {
  const variant = r.int(0, 3);
  const [group, scope, department] =
    variant === 0 ? ['counselor', 'applicant.class', 'applicant.college']
      : variant === 1 ? ['department-deputy', 'department', 'applicant.college']
        : variant === 2 ? ['office-staff', 'department', partner ?? owner]
          : ['department-head', 'department', owner];
  let text = `${indent}- id: ${id}\n${indent}  name: ${sentence(r, 3, 6).slice(0, -1)}\n${indent}  group: ${group}\n${indent}  scope: ${scope}\n${indent}  department: ${department}\n${indent}  deadline: ${deadline}\n${indent}  actions: [approve, reject${r.chance(0.5) ? ', return' : ''}]\n`;
  if (r.chance(0.5)) text += `${indent}  notify:\n${indent}    assigned: "{{applicant.name}}提交了{{service.name}}，请在{{dueDate}}前办理。"\n`;
  return text;
}

function workflowYaml(r: Random, owner: string, partner: string | undefined): { text: string; topSteps: string[]; days: number } {
  let text = `workflow:\n  steps:\n`;
  const topSteps: string[] = [];
  let days = 0;
  const n = r.int(1, 3);
  for (let i = 0; i < n; i++) {
    topSteps.push(`review-${i + 1}`);
    text += stepYaml(r, '    ', `review-${i + 1}`, owner, partner, 1);
    days += 1;
  }
  if (r.chance(0.6)) {
    text += `    - id: large-amount\n      name: 数量较大？\n      if: amount > ${r.int(100, 5000)} and category != "丙类"\n      then:\n`;
    text += stepYaml(r, '        ', 'branch-review', owner, partner, 1);
    if (r.chance(0.4)) {
      text += `        - id: very-large\n          name: 数量很大？\n          if: amount > 50000\n          then:\n`;
      text += stepYaml(r, '            ', 'leader-review', owner, partner, 1);
      days += 1;
    }
    days += 1;
  }
  if (r.chance(0.4)) {
    text += `    - id: countersign\n      name: 会签\n      parallel: ${r.pick(['all', 'any'])}\n      steps:\n`;
    for (let i = 0, k = r.int(2, 3); i < k; i++) text += stepYaml(r, '        ', `countersign-${i + 1}`, owner, partner, 2);
    days += 2;
  }
  text += `  notifications:\n    submitted: "{{applicant.name}}，您的{{service.name}}已提交。"\n    approved: "{{applicant.name}}，您的{{service.name}}已通过。"\n    rejected: "{{applicant.name}}，您的{{service.name}}未通过：{{comment}}"\n`;
  return { text, topSteps, days };
}

function serviceYaml(plan: Plan, r: Random, partner: string | undefined, dir: { attachments: string[] }): string {
  const online = plan.kind === 'online' || plan.kind === 'appointment';
  const form = plan.kind === 'online' ? formYaml(r) : undefined;
  const workflow = plan.kind === 'online' ? workflowYaml(r, plan.owner, partner) : undefined;
  const promised = (workflow?.days ?? 0) + r.int(1, 5);
  const status = plan.retiredFor ? 'retired' : r.pick(['online', 'online', 'online', 'pilot']);
  const materials = r.int(0, 6);
  let text = `# yaml-language-server: $schema=../../schemas/service.schema.json
apiVersion: servicehall/v1
kind: Service
id: ${plan.id}
name:
  zh: ${r.pick(NOUNS)}${r.pick(NOUNS)}${plan.id.slice(-5)}
  en: Service ${plan.id}
type: ${plan.kind}
status: ${status}
classification: ${r.pick(['public', 'public', 'campus'])}
owner: ${plan.owner}
${partner ? `participants: [${partner}]\n` : ''}audiences: [${[...new Set([r.pick(AUDIENCES), r.pick(AUDIENCES)])].join(', ')}]
topics: [${[...new Set([r.pick(TOPICS), r.pick(TOPICS)])].join(', ')}]
channels: [pc, app, wechat]
keywords: [${[...new Set([r.pick(NOUNS), r.pick(NOUNS), r.pick(NOUNS)])].join(", ")}]
hot: ${r.chance(0.1)}
`;
  if (plan.retiredFor) text += `retired:\n  date: 2026-03-01\n  reason: ${sentence(r, 8, 20)}\n  successor: ${plan.retiredFor}\n`;
  text += `
guide:
  summary:
    zh: ${sentence(r, 80, 200)}
    en: A synthetic service used to measure how fast the catalog is checked, shaped like a real one with a guide, a form and a workflow.
  basis:
    - name: 《普通高等学校学生管理规定》（教育部令第41号）
      article: 第二十二条
  conditions:
${Array.from({ length: r.int(2, 5) }, () => `    - ${sentence(r, 20, 60)}`).join('\n')}
  procedure:
${Array.from({ length: r.int(4, 8) }, () => `    - ${sentence(r, 20, 60)}`).join('\n')}
  materials:${materials === 0 && !plan.usesCertificate ? ' []' : ''}
`;
  for (let m = 0; m < materials; m++) {
    text += `    - name: ${sentence(r, 4, 10).slice(0, -1)}\n      required: ${r.chance(0.5)}\n      form: ${r.pick(['original', 'copy', 'electronic'])}\n      source: ${r.pick(['applicant', 'university'])}\n      note: ${sentence(r, 15, 40)}\n`;
    if (m === 0 && r.chance(0.5)) {
      const file = `files/${plan.id}-form.docx`;
      dir.attachments.push(file);
      text += `      blankForm: ${file}\n`;
    }
  }
  if (plan.usesCertificate) text += `    - name: 电子证照\n      eCertificate: ${plan.usesCertificate}\n`;
  const sample = `files/${plan.id}-sample.pdf`;
  dir.attachments.push(sample);
  text += `  timeLimit:
    type: promised
    legal:
      value: ${promised + 5}
      unit: workday
    promised:
      value: ${promised}
      unit: workday
      note: ${sentence(r, 8, 16)}
  fees:
    free: true
  visits:
    count: 0
  onlineDepth:
    grade: ${online ? 4 : 2}
    flags: [consult, receive, accept]
  result:
    name: ${sentence(r, 3, 6).slice(0, -1)}
    type: ${plan.issuesCertificate ? 'certificate' : 'approval'}
    sample: ${sample}
${plan.issuesCertificate ? '    eCertificate: true\n' : ''}  locations:
    - name: 服务大厅
      campus: 本部校区
      address: 行政楼
      room: 一楼 ${r.int(100, 199)}室
      hours: 工作日 8:30-11:30，14:30-17:00
  contacts:
    consultation:
      name: 咨询窗口
      phone: 0731-8888${r.int(1000, 4999)}
    complaint:
      name: 监督电话
      phone: 0731-8888${r.int(5000, 9999)}
  faq:
${Array.from({ length: r.int(3, 6) }, () => `    - q: ${sentence(r, 8, 20).slice(0, -1)}？\n      a: ${sentence(r, 40, 120)}`).join('\n')}
${online ? `  contingency: ${sentence(r, 40, 120)}\n` : ''}  reviewed: 2026-0${r.int(1, 9)}-01
  internal:
    responsible:
      - office: 办公室
        post: 审核岗
        name: 负责人
        phone: 0731-88880203
`;
  if (plan.kind === 'link') text += `link:\n  system: 业务系统\n  url: https://sys.bench.edu.cn/${plan.id}\n  sso: true\n`;
  if (plan.kind === 'appointment') {
    text += `appointment:\n  resources:\n    - id: room-1\n      name: 会议室\n      capacity: ${r.int(5, 200)}\n  slots:\n    weekdays: [1, 2, 3, 4, 5]\n    times: [08:00-10:00, 10:00-12:00, 14:00-16:00]\n    advanceDays: 7\n`;
  }
  if (form && workflow) {
    text += `\n${form.text}\n${workflow.text}`;
    const scenarios = r.int(2, 3);
    if (scenarios) text += `\nscenarios:\n`;
    for (let s = 0; s < scenarios; s++) {
      text += `  - name: 场景${s + 1}\n    applicant: { name: 张三, number: "2023010101", college: jsj, class: jsj-2301, type: 本科生 }\n    data: ${form.data}\n    decisions:\n`;
      text += workflow.topSteps.map((step) => `      - { step: ${step}, action: approve }\n`).join('');
      text += `    expect:\n      path: [${workflow.topSteps.join(', ')}]\n      outcome: approved\n`;
    }
  }
  return text;
}

/** Write a catalog of `services` services under `<root>/catalog`; returns the catalog folder. */
export async function generateCatalog(root: string, services: number, seed = 2026): Promise<string> {
  const r = randomSource(seed);
  const catalog = path.join(root, 'catalog');
  await mkdir(catalog, { recursive: true });
  await writeFile(path.join(catalog, 'hall.yaml'), hallYaml());
  await writeFile(path.join(catalog, 'roles.yaml'), rolesYaml());
  const attachments = new Map<string, string[]>();
  for (const [i, code] of DEPARTMENTS.entries()) {
    await mkdir(path.join(catalog, code, 'files'), { recursive: true });
    await writeFile(path.join(catalog, code, 'department.yaml'), departmentYaml(code, i));
    attachments.set(code, []);
  }

  const plans: Plan[] = [];
  for (let i = 0; i < services; i++) {
    const owner = DEPARTMENTS[i % DEPARTMENTS.length];
    const kind = r.next() < 0.65 ? 'online' : r.pick(['guide', 'link', 'appointment'] as const);
    plans.push({ id: `svc-${owner}-${String(i).padStart(5, '0')}`, owner, kind, issuesCertificate: kind === 'online' && r.chance(0.1) });
  }
  const certificates = plans.filter((p) => p.issuesCertificate);
  for (const [i, plan] of plans.entries()) {
    // A few services are retired in favour of the next one; some accept another's e-certificate.
    if (i + 1 < plans.length && r.chance(0.05) && !plan.issuesCertificate) plan.retiredFor = plans[i + 1].id;
    if (certificates.length && r.chance(0.15)) plan.usesCertificate = r.pick(certificates).id;
  }
  for (const plan of plans) if (plan.retiredFor) plans.find((p) => p.id === plan.retiredFor)!.retiredFor = undefined;

  const writes: Promise<void>[] = [];
  for (const plan of plans) {
    const partner = r.chance(0.3) ? r.pick(DEPARTMENTS.filter((d) => d !== plan.owner)) : undefined;
    const dir = { attachments: [] as string[] };
    const text = serviceYaml(plan, r, partner, dir);
    writes.push(writeFile(path.join(catalog, plan.owner, `${plan.id}.yaml`), text));
    for (const file of dir.attachments) writes.push(writeFile(path.join(catalog, plan.owner, file), 'attachment\n'));
    if (writes.length > 256) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return catalog;
}
