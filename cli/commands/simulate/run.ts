import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { nonCoreTags } from '../../load/parse-file.ts';
import { compileCalendar, compileDefinition } from '../../compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../compile/fingerprint.ts';
import { WorkCalendar } from '../../../lib/interpret/calendar.ts';
import { runWorkflow } from '../../../lib/interpret/interpret.ts';
import { dueLabel } from '../../../lib/interpret/deadline.ts';
import type { Action, Decision, RunResult } from '../../../lib/interpret/interpret.ts';
import { closest } from '../../diagnostics/suggest.ts';
import { directoryOf, textZh } from '../../model/catalog.ts';
import { UsageError } from '../../shared/errors.ts';
import { checkOrStop } from '../check/run.ts';
import { counted } from '../../../lib/shared/plural.ts';
import { yuanText } from '../../../lib/interpret/fees.ts';
import type { SimulateOptions } from './index.ts';

const ACTION_NAMES: Record<Action, { zh: string; en: string }> = {
  approve: { zh: '同意', en: 'approve' },
  reject: { zh: '不同意', en: 'reject' },
  return: { zh: '退回修改', en: 'return for revision' },
  transfer: { zh: '转办', en: 'transfer' },
  'add-approver': { zh: '加签', en: 'add an approver' },
  delegate: { zh: '委派', en: 'delegate' },
  resolve: { zh: '办完交回', en: 'hand back' },
  complete: { zh: '完成', en: 'complete' },
  object: { zh: '提出异议', en: 'object' },
  close: { zh: '公示期满', en: 'period ended' },
  paid: { zh: '已缴费', en: 'paid' },
  timeout: { zh: '逾期未缴费', en: 'not paid in time' },
};

async function readYaml(file: string, what: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`读不到${what}文件 ${file} / cannot read ${file}`);
  });
  try {
    const doc = parseDocument(text);
    if (doc.errors.length) throw doc.errors[0];
    const tag = nonCoreTags(doc, text)[0];
    if (tag) throw new Error(`标签 ${tag.tag} 不允许使用 / the tag ${tag.tag} is not allowed`);
    return doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    throw new UsageError(`${file} 不是有效的 YAML / is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

function asObject(value: unknown, file: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${file} 应当是“键: 值”结构 / must be a mapping`);
  return value as Record<string, unknown>;
}

/** `hall simulate`: run one flow from files, or ask for each decision on a terminal, and print the timeline. */
export async function runSimulate(serviceId: string, dir: string | undefined, options: SimulateOptions): Promise<number> {
  const lang = options.lang;
  const checked = await checkOrStop(dir, { lang }, undefined);
  if (!checked) return 1;
  const located = checked.catalog.services.get(serviceId);
  if (!located) {
    const suggest = closest(serviceId, checked.catalog.services.keys());
    throw new UsageError(`没有事项“${serviceId}”${suggest ? `，是不是“${suggest}”？` : ''} / no service "${serviceId}"`);
  }
  const service = located.value;
  if (!service.workflow) throw new UsageError(`事项“${serviceId}”没有审批流程 / "${serviceId}" has no workflow`);
  const applicant = asObject(await readYaml(options.as, '申请人'), options.as);
  const data = asObject(await readYaml(options.data, '表单'), options.data);
  const hall = checked.catalog.hall.value;
  const calendar = new WorkCalendar(compileCalendar(hall));
  const definition = compileDefinition(service, 1, runtimeFingerprint(service));
  const input = { applicant, data, directory: directoryOf(checked.catalog), submittedAt: options.at ?? '2026-03-02T09:00:00+08:00', service: { id: serviceId, name: textZh(service.name) }, url: hall.urls.hall.replace('{id}', serviceId) };

  let decisions: Decision[] = [];
  if (options.decisions) {
    const list = await readYaml(options.decisions, '决定');
    if (!Array.isArray(list)) throw new UsageError(`${options.decisions} 应当是列表，每项 {step, action} / must be a list of {step, action}`);
    decisions = list as Decision[];
  }
  let result = runWorkflow(definition, calendar, { ...input, decisions });
  if (!options.decisions && process.stdin.isTTY) {
    const { select, input: ask } = await import('@inquirer/prompts');
    while (result.outcome === 'pending' && result.waiting.length) {
      const choices = result.waiting.flatMap((w) => w.actions.map((a) => ({ name: `${w.name}（${w.assignee}）：${ACTION_NAMES[a][lang]}`, value: { step: w.step, action: a } })));
      const choice = await select({ message: lang === 'zh' ? '下一步由谁做出什么决定？' : 'Who decides what next?', choices });
      const comment = await ask({ message: lang === 'zh' ? '意见（可空）' : 'Comment (optional)' });
      decisions = [...decisions, { ...choice, ...(comment ? { comment } : {}) }];
      result = runWorkflow(definition, calendar, { ...input, decisions });
    }
  }
  process.stdout.write(formatTimeline(result, textZh(service.name), lang));
  return result.outcome === 'invalid' || result.outcome === 'error' || result.outcome === 'unassigned' ? 1 : 0;
}

const EVENT_NAMES = {
  zh: { submitted: '提交', assigned: '待办', unassigned: '无法分派', acted: '办理', returned: '退回申请人', resubmitted: '重新提交', overdue: '超期', completed: '办结', transferred: '转办', added: '加签', delegated: '委派', resolved: '交回', copied: '抄送', called: '调用业务系统', published: '公示', objected: '提出异议', publicized: '公示期满', ordered: '下单待缴费', paid: '已缴费', unpaid: '逾期未缴费' },
  en: { submitted: 'submitted', assigned: 'assigned', unassigned: 'cannot assign', acted: 'decided', returned: 'returned', resubmitted: 'resubmitted', overdue: 'overdue', completed: 'completed', transferred: 'transferred', added: 'approver added', delegated: 'delegated', resolved: 'handed back', copied: 'copied', called: 'called a campus system', published: 'published', objected: 'objection raised', publicized: 'publicity period ended', ordered: 'ordered, awaiting payment', paid: 'paid', unpaid: 'not paid in time' },
};
const OUTCOMES = {
  zh: { approved: '通过', rejected: '未通过', unpaid: '未缴费', pending: '办理中（缺少后续决定）', invalid: '提交的数据无效', error: '场景有误', unassigned: '无法分派，等待信息化办处理' },
  en: { approved: 'approved', rejected: 'rejected', unpaid: 'unpaid', pending: 'pending (no further decisions)', invalid: 'invalid submission', error: 'error', unassigned: 'cannot assign: an incident for the IT office' },
};

export function formatTimeline(result: RunResult, name: string, lang: 'zh' | 'en'): string {
  const lines = [lang === 'zh' ? `时间线：${name}` : `Timeline: ${name}`, ''];
  for (const t of result.timeline) {
    const when = t.at.replace('T', ' ').slice(0, 16);
    const parts = [when, EVENT_NAMES[lang][t.type]];
    if (t.stepName || t.step) parts.push(t.stepName ?? t.step!);
    if (t.assignee) parts.push(`→ ${t.assignee}`);
    // An hours deadline (issue 15.7) says its time too: （期限 2026-03-06 18:30）.
    if (t.due) parts.push(lang === 'zh' ? `（期限 ${dueLabel(t.due, t.dueAt)}）` : `(due ${dueLabel(t.due, t.dueAt)})`);
    if (t.amountFen !== undefined) parts.push(lang === 'zh' ? `${yuanText(t.amountFen)} 元` : `${yuanText(t.amountFen)} yuan`);
    if (t.until) parts.push(t.type === 'ordered' ? (lang === 'zh' ? `（${t.until} 前缴费）` : `(pay by ${t.until})`) : lang === 'zh' ? `（公示至 ${t.until}）` : `(until ${t.until})`);
    if (t.objections !== undefined) parts.push(lang === 'zh' ? `异议 ${t.objections} 条` : counted(t.objections, 'objection'));
    if (t.action) parts.push(ACTION_NAMES[t.action][lang]);
    if (t.to) parts.push(lang === 'zh' ? `交给 ${t.to}${t.position === 'after' ? '（在后）' : t.position === 'before' ? '（在前）' : ''}` : `to ${t.to}${t.position ? ` (${t.position})` : ''}`);
    if (t.person) parts.push(lang === 'zh' ? `（${t.person}）` : `(${t.person})`);
    if (t.comment) parts.push(`“${t.comment}”`);
    if (t.outcome) parts.push(OUTCOMES[lang][t.outcome]);
    lines.push(`  ${parts.join('  ')}`);
  }
  for (const e of result.fieldErrors) lines.push(`  ✘ ${e.label}（${e.field}）：${e.message[lang]}`);
  lines.push('', `${lang === 'zh' ? '结果' : 'Outcome'}：${OUTCOMES[lang][result.outcome]}${result.problem ? `（${result.problem[lang]}）` : ''}`);
  if (result.notifications.length) {
    lines.push('', lang === 'zh' ? '通知：' : 'Notifications:');
    for (const n of result.notifications) lines.push(`  [${n.event}] → ${n.to}：${n.text}`);
  }
  return lines.join('\n') + '\n';
}
