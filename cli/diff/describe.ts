import type { LocalizedText } from '../model/catalog.ts';
import type { Contact, Duration, Fees, Material, OnlineDepth, Place, ServiceResult, Situation, Visits } from '../../generated/types/service.ts';
import type { Bi, Status } from './model.ts';
import { counted } from '../../lib/shared/plural.ts';

/** Describing values for people: every function returns the same fact in Chinese and English. */

export const bi = (zh: string, en: string = zh): Bi => ({ zh, en });

/** A catalog text in both languages (English falls back to the Chinese). */
export function text(value: LocalizedText | undefined): Bi {
  if (value === undefined) return bi('');
  if (typeof value === 'string') return bi(value);
  return bi(value.zh, value.en ?? value.zh);
}

export const plain = (value: string | number | boolean): Bi => bi(String(value));

const STATUS: Record<Status, Bi> = {
  draft: bi('草稿', 'draft'),
  pilot: bi('试运行', 'pilot'),
  online: bi('已上线', 'online'),
  suspended: bi('暂停办理', 'suspended'),
  retired: bi('已停办', 'retired'),
};
export const status = (s: Status | undefined): Bi => (s ? STATUS[s] ?? plain(s) : bi('—'));

const TYPE: Record<string, Bi> = {
  guide: bi('仅办事指南', 'guide only'),
  online: bi('网上办理', 'online'),
  link: bi('链接到业务系统', 'link to a system'),
  appointment: bi('预约', 'appointment'),
};
export const serviceType = (t: string): Bi => TYPE[t] ?? plain(t);

const CLASSIFICATION: Record<string, Bi> = {
  public: bi('公开', 'public'),
  campus: bi('仅校内', 'campus only'),
  confidential: bi('涉密', 'confidential'),
};
export const classification = (c: string): Bi => CLASSIFICATION[c] ?? plain(c);

export function duration(d: Duration | undefined): Bi {
  if (!d) return bi('未写', 'not given');
  const unit = d.unit === 'workday' ? bi('个工作日', 'work day') : bi('个自然日', 'calendar day');
  const note = d.note ? text(d.note) : undefined;
  return bi(`${d.value} ${unit.zh}${note ? `（${note.zh}）` : ''}`, `${counted(d.value, unit.en)}${note ? ` (${note.en})` : ''}`);
}

export const timeLimitType = (t: string | undefined): Bi =>
  t === 'immediate' ? bi('即办件', 'immediate') : t === 'promised' ? bi('承诺件', 'promised') : bi('未写', 'not given');

export function fees(f: Fees): Bi {
  if (f.free) return bi('免费', 'free');
  const items = (f.items ?? []).map((i) => {
    const computed = i.amount ? feeAmount(i.amount) : undefined;
    return { zh: `${text(i.name).zh}：${text(i.standard).zh}${computed ? `（${computed.zh}）` : ''}`, en: `${text(i.name).en}: ${text(i.standard).en}${computed ? ` (${computed.en})` : ''}` };
  });
  return bi(items.map((i) => i.zh).join('；') || '收费', items.map((i) => i.en).join('; ') || 'charged');
}

/** How the hall computes a fee item from the form (issue 15.9), in words. */
export function feeAmount(a: NonNullable<NonNullable<Fees['items']>[number]['amount']>): Bi {
  const quantity = a.quantity ?? '1';
  const price = a.tiers
    ? bi(a.tiers.map((t) => `${t.upTo === undefined ? '其余' : `至第 ${t.upTo} 件`}每件 ${t.rate} 元`).join('、'), a.tiers.map((t) => `${t.upTo === undefined ? 'beyond' : `up to ${t.upTo}`} at ${t.rate} yuan`).join(', '))
    : bi(`每件 ${a.rate} 元`, `${a.rate} yuan each`);
  const when = a.when ? bi(`，条件 ${a.when}`, `, when ${a.when}`) : bi('', '');
  return bi(`按表单计算：数量 ${quantity}，${price.zh}${when.zh}`, `computed from the form: quantity ${quantity}, ${price.en}${when.en}`);
}

export function visits(v: Visits): Bi {
  const reason = v.reason ? text(v.reason) : undefined;
  return bi(`${v.count} 次${reason ? `（${reason.zh}）` : ''}`, `${v.count}${reason ? ` (${reason.en})` : ''}`);
}

const GRADES = ['', 'Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ'];
export const onlineDepth = (d: OnlineDepth | undefined): Bi => (d ? bi(`${GRADES[d.grade] ?? d.grade}级`, `grade ${GRADES[d.grade] ?? d.grade}`) : bi('未写', 'not given'));

const RESULT_TYPES: Record<string, Bi> = {
  certificate: bi('出证', 'certificate'),
  document: bi('出文', 'document'),
  approval: bi('审批', 'approval'),
  record: bi('备案', 'record'),
};
export function result(r: ServiceResult | undefined): Bi {
  if (!r) return bi('未写', 'not given');
  const type = RESULT_TYPES[r.type] ?? plain(r.type);
  const name = text(r.name);
  const ecert = r.eCertificate ? bi('，电子证照', ', e-certificate') : bi('');
  return bi(`${name.zh}（${type.zh}${ecert.zh}）`, `${name.en} (${type.en}${ecert.en})`);
}

const FORMS: Record<string, Bi> = {
  original: bi('原件', 'original'),
  copy: bi('复印件', 'copy'),
  electronic: bi('电子版', 'electronic'),
  'original-and-copy': bi('原件和复印件', 'original and copy'),
};

/** A material's requirements, without its name: "原件 2 份，必需". */
export function materialTerms(m: Material): Bi {
  const zh: string[] = [];
  const en: string[] = [];
  if (m.form) {
    zh.push(FORMS[m.form]?.zh ?? m.form);
    en.push(FORMS[m.form]?.en ?? m.form);
  }
  if (m.copies) {
    zh.push(`${m.copies} 份`);
    en.push(`${m.copies} cop${m.copies === 1 ? 'y' : 'ies'}`);
  }
  zh.push(m.required === false ? '非必需' : '必需');
  en.push(m.required === false ? 'optional' : 'required');
  if (m.eCertificate) {
    zh.push(`电子证照（${m.eCertificate}）`);
    en.push(`e-certificate (${m.eCertificate})`);
  }
  if (m.signature) {
    zh.push('需签字');
    en.push('signed');
  }
  if (m.stamp) {
    zh.push('需盖章');
    en.push('stamped');
  }
  if (m.situations) {
    zh.push(`仅限情形 ${m.situations.join('、')}`);
    en.push(`only in situations ${m.situations.join(', ')}`);
  }
  return bi(zh.join('，'), en.join(', '));
}

/** What a situation states differently from the guide (issue 15.10): its visits and time limit, if any, and its description. */
export function situationTerms(s: Situation): Bi {
  const zh: string[] = [];
  const en: string[] = [];
  if (s.visits) {
    const v = visits(s.visits);
    zh.push(`到现场 ${v.zh}`);
    en.push(`visits ${v.en}`);
  }
  if (s.timeLimit) {
    const limit = s.timeLimit.type === 'immediate' ? timeLimitType('immediate') : duration(s.timeLimit.promised);
    zh.push(`承诺时限 ${limit.zh}`);
    en.push(`promised ${limit.en}`);
  }
  if (!zh.length) {
    zh.push('到现场次数和时限与指南相同');
    en.push('visits and time limit as in the guide');
  }
  // The description goes with them: a list line that shows terms shows nothing else of the item.
  if (s.description) {
    zh.push(`说明：${text(s.description).zh}`);
    en.push(`note: ${text(s.description).en}`);
  }
  return bi(zh.join('，'), en.join(', '));
}

export function place(p: Place): Bi {
  const parts = [p.name, p.campus, p.address, p.room].filter((x) => x !== undefined).map((x) => text(x));
  const hours = p.hours ? text(p.hours) : undefined;
  return bi(
    parts.map((x) => x.zh).join(' ') + (hours ? `（${hours.zh}）` : '') + (p.phone ? ` ${p.phone}` : ''),
    parts.map((x) => x.en).join(', ') + (hours ? ` (${hours.en})` : '') + (p.phone ? ` ${p.phone}` : ''),
  );
}

export function contact(c: Contact | undefined): Bi {
  if (!c) return bi('未写', 'not given');
  const name = c.name ? text(c.name) : undefined;
  const rest = [c.phone, c.email, c.url].filter(Boolean).join(' ');
  return bi([name?.zh, rest].filter(Boolean).join(' '), [name?.en, rest].filter(Boolean).join(' '));
}

export const list = (items: Bi[]): Bi => bi(items.map((i) => i.zh).join('、') || '无', items.map((i) => i.en).join(', ') || 'none');
