import type { FastifyPluginAsync } from 'fastify';
import type { RuntimeField, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { ApplicationRecord, Engine, TaskRecord } from '../engine/engine.ts';
import { latestData } from '../engine/engine.ts';
import type { FileStore } from '../files/file-store.ts';
import { readsInFull, recordFieldView, revealedBy } from '../privacy/access.ts';
import { maskApplication, maskText, personalFields } from '../privacy/mask.ts';
import { usesOf } from '../privacy/signatures.ts';
import type { MarkUse } from '../privacy/signatures.ts';
import type { SignedIn } from './attachments.ts';

/**
 * The 审批单: a printable A4 record of one application — what was asked, and every step's decision,
 * opinion, approver and time, with the signature or seal image where the step asked for one. One
 * self-contained HTML page (no script, no outside requests: images are embedded) whose print stylesheet
 * lays it out on A4; the browser prints it to paper or PDF (the hall has no browser of its own to render
 * PDF on the server). Only those who may see the application open it; personal fields are masked unless
 * the reader reads the application in full, and a full print is recorded like any full view.
 */
export const recordRoutes: FastifyPluginAsync<{ engine: Engine; signedIn: SignedIn; files?: FileStore }> = async (app, { engine, signedIn, files }) => {
  app.get('/applications/:id/record', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const { id } = request.params as { id: string };
    const stored = await engine.application(id);
    if (!stored || !(await engine.maySee(person.id, stored))) return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个申请。', en: 'No such application.' } });
    const definition = engine.runtime.version(stored.service, stored.version);
    const full = await readsInFull(engine, person.id, stored);
    if (full) await recordFieldView(engine, person.id, stored, revealedBy(definition, stored), 'GET /applications/:id/record');
    const application = full ? stored : maskApplication(stored, personalFields(definition));
    const tasks = (await engine.tasksOf(id)).filter((t) => t.status === 'done');
    const ids = [...new Set([stored.applicantId, stored.proxy ?? '', ...tasks.flatMap((t) => [t.actedBy ?? '', t.onBehalfOf ?? ''])].filter(Boolean))];
    const names = new Map((await engine.store.query<{ id: string; name: string }>(`SELECT id, name FROM person WHERE id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`, ids)).map((r) => [r.id, r.name]));
    const marks = new Map<string, { use: MarkUse; dataUri?: string }>();
    for (const use of await usesOf(engine.store, id)) {
      const content = files ? await files.read(use.image.sha256) : undefined;
      const bytes = content ? await streamBytes(content) : undefined;
      marks.set(use.task, { use, ...(bytes ? { dataUri: `data:${use.image.mediaType};base64,${bytes.toString('base64')}` } : {}) });
    }
    const expired = await engine.store.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM attachment WHERE application_id = $1 AND expired_at IS NOT NULL', [id]);
    const entry = engine.runtime.manifest.services.find((s) => s.id === stored.service);
    const html = renderRecord({
      hall: engine.runtime.manifest.hall.name,
      service: entry?.name.zh ?? stored.service,
      application,
      applicantName: names.get(stored.applicantId) ?? String(stored.applicant.name ?? stored.applicantId),
      fields: (definition.form?.sections ?? []).flatMap((s) => s.fields),
      steps: stepsOf(definition.workflow?.steps ?? []),
      tasks,
      names,
      marks,
      masked: !full,
      expiredFiles: Number(expired[0]?.n ?? 0),
      timezone: engine.runtime.calendar.timezone,
    });
    return reply
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
      .header('cache-control', 'private, no-store')
      .type('text/html; charset=utf-8')
      .send(html);
  });
};

async function streamBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

function stepsOf(nodes: RuntimeNode[]): Map<string, RuntimeStep> {
  const found = new Map<string, RuntimeStep>();
  for (const node of nodes) {
    if (node.kind === 'step') found.set(node.id, node);
    if (node.kind === 'parallel') for (const s of node.steps) found.set(s.id, s);
    if (node.kind === 'branch') for (const [k, v] of [...stepsOf(node.then), ...stepsOf(node.else)]) found.set(k, v);
  }
  return found;
}

/** Text for HTML: everything a person typed is shown as text, never markup. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const ACTION_ZH: Record<string, string> = { approve: '同意', reject: '不同意', return: '退回修改' };
const STATUS_ZH: Record<string, string> = { pending: '办理中', returned: '已退回', approved: '已办结（同意）', rejected: '已办结（不同意）', withdrawn: '已撤回', incident: '办理中（待分派）' };

interface RecordView {
  hall: string;
  service: string;
  application: ApplicationRecord;
  applicantName: string;
  fields: RuntimeField[];
  steps: Map<string, RuntimeStep>;
  tasks: TaskRecord[];
  names: Map<string, string>;
  marks: Map<string, { use: MarkUse; dataUri?: string }>;
  masked: boolean;
  expiredFiles: number;
  timezone: string;
}

function localTime(iso: string, timezone: string): string {
  const parts = new Intl.DateTimeFormat('zh-CN', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

function valueText(field: RuntimeField, value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (field.type === 'daterange' && typeof value === 'object') {
    const r = value as { start?: string; end?: string };
    return `${r.start ?? ''} 至 ${r.end ?? ''}`;
  }
  if (field.type === 'file' && Array.isArray(value)) return `${value.length} 个附件`;
  if (field.type === 'table' && Array.isArray(value)) {
    return value.map((row, i) => `${i + 1}. ${(field.columns ?? []).map((c) => `${c.label.zh}：${valueText(c, (row as Record<string, unknown>)?.[c.id])}`).join('；')}`).join('\n');
  }
  if (Array.isArray(value)) return value.map(String).join('、');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const CSS = `
:root { --ink:#1a1a1a; --muted:#555; --line:#8a96a6; --soft:#f3f6fa; --brand:#0b4f9c; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); font: 14px/1.6 "PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",system-ui,sans-serif; }
.sheet { max-width: 210mm; margin: 0 auto; padding: 16mm 14mm; }
header { border-bottom: 3px solid var(--brand); padding-bottom: 6px; margin-bottom: 12px; }
header .hall { color: var(--brand); font-weight: 600; }
h1 { font-size: 22px; margin: 4px 0 0; letter-spacing: .1em; text-align: center; }
h2 { font-size: 15px; margin: 14px 0 6px; color: var(--brand); }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 1px solid var(--line); padding: 5px 7px; vertical-align: top; text-align: left; white-space: pre-wrap; overflow-wrap: anywhere; }
th { background: var(--soft); font-weight: 600; width: 26%; }
.steps th { width: auto; }
.mark img { max-height: 18mm; max-width: 100%; display: block; }
.note { color: var(--muted); font-size: 12px; margin: 6px 0; }
.expired { color: #b3261e; font-weight: 600; }
footer { margin-top: 14px; color: var(--muted); font-size: 12px; display: flex; justify-content: space-between; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 12.5px; line-height: 1.45; }
  th, td { padding: 3px 6px; }
  h2 { margin: 10px 0 4px; }
  .sheet { padding: 0; max-width: none; }
  tr, .mark { break-inside: avoid; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  header { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/** The 审批单 as one HTML document. Pure: the same data gives the same bytes. */
export function renderRecord(view: RecordView): string {
  const e = escapeHtml;
  const app = view.application;
  const data = latestData(app);
  const rows = view.fields
    .filter((f) => data[f.id] !== undefined)
    .map((f) => `<tr><th>${e(f.label.zh)}</th><td>${e(valueText(f, data[f.id]))}${f.type === 'file' && view.expiredFiles > 0 ? ' <span class="expired">（已过保存期限）</span>' : ''}</td></tr>`)
    .join('\n');
  const steps = view.tasks
    .map((t, i) => {
      const step = view.steps.get(t.step);
      const mark = view.marks.get(t.id);
      const markCell = mark
        ? mark.dataUri
          ? `<img src="${mark.dataUri}" alt="${mark.use.image.kind === 'seal' ? `${e(mark.use.image.owner)} 公章` : `${e(view.names.get(t.actedBy ?? '') ?? '')} 签名`}">`
          : e(mark.use.image.kind === 'seal' ? '（公章图片缺失）' : '（签名图片缺失）')
        : step?.signature && t.action === 'approve'
          ? '（未加盖）'
          : '';
      const stepData = (step?.fields ?? [])
        .map((f) => {
          const d = app.decisions.filter((x) => x.step === t.step && x.data).at(-1)?.data;
          return d && d[f.id] !== undefined ? `\n${f.label.zh}：${valueText(f, d[f.id])}` : '';
        })
        .join('');
      return `<tr><td>${i + 1}</td><td>${e(step?.name.zh ?? t.step)}</td><td>${e(ACTION_ZH[t.action ?? ''] ?? t.action ?? '')}</td><td>${e((view.masked ? maskText(t.comment ?? '') : (t.comment ?? '')) + stepData)}</td><td>${e(view.names.get(t.actedBy ?? '') ?? t.actedBy ?? '')}${t.onBehalfOf ? `（代 ${e(view.names.get(t.onBehalfOf) ?? t.onBehalfOf)} 办理）` : ''}</td><td>${t.actedAt ? e(localTime(t.actedAt, view.timezone)) : ''}</td><td class="mark">${markCell}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>审批单 · ${e(view.service)} · ${e(app.id)}</title>
<style>${CSS}</style>
</head>
<body>
<main class="sheet">
<header><div class="hall">${e(view.hall)}</div><h1>${e(view.service)} 审批单</h1></header>
<table>
<tr><th>申请编号 / No.</th><td>${e(app.id)}</td></tr>
<tr><th>申请人 / Applicant</th><td>${e(view.applicantName)}（${e(app.applicantId)}）</td></tr>${app.proxy ? `<tr><th>代为申请 / Applied for by</th><td>由 ${e(view.names.get(app.proxy) ?? app.proxy)}（${e(app.proxy)}）代为申请 / on the applicant's behalf</td></tr>` : ''}
<tr><th>提交时间 / Submitted</th><td>${e(localTime(app.submittedAt, view.timezone))}</td></tr>
<tr><th>办理状态 / Status</th><td>${e(STATUS_ZH[app.status] ?? app.status)}</td></tr>
</table>
<h2>申请内容 / Application</h2>
${view.masked ? '<p class="note">敏感个人信息已遮盖（个人信息保护法）；有权查看全文的人员打印时显示原文，并留有查看记录。</p>' : ''}
${view.expiredFiles > 0 ? '<p class="note expired">附件已过保存期限，文件已删除。</p>' : ''}
<table>
${rows}
</table>
<h2>审批记录 / Approvals</h2>
<table class="steps">
<colgroup><col style="width:6%"><col style="width:18%"><col style="width:8%"><col style="width:24%"><col style="width:16%"><col style="width:13%"><col style="width:15%"></colgroup>
<tr><th>序号</th><th>环节</th><th>决定</th><th>意见</th><th>办理人</th><th>时间</th><th>签章</th></tr>
${steps || '<tr><td colspan="7">尚无审批记录。</td></tr>'}
</table>
<footer><span>${e(view.hall)} · 申请编号 ${e(app.id)}</span><span>版本 v${app.version}</span></footer>
</main>
</body>
</html>
`;
}
