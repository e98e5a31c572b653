import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { Engine } from '../../server/engine/engine.ts';
import { Deliverer } from '../../server/notify/deliver.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { type ReceivedMail, startSmtpReceiver } from '../helpers/smtp.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * 公示 (issue 15.2): when the review of a period's objections ends, every objector is told its outcome through the
 * outbox — here to a real SMTP server on loopback. The example 本科生奖学金申请: 学院公示 (review 学院评审小组复核异议,
 * which upholds or rejects), then 学校公示 (review 学生工作处复核异议). The applicant is told as before; an objector
 * without an e-mail address is kept as undeliverable, never dropped.
 */
const stores = storeFactory();
let runtime: LoadedRuntime;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let mails: ReceivedMail[] = [];

beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
  smtp = await startSmtpReceiver();
  mails = smtp.mails;
});
afterAll(() => smtp.close());

const zhang = { id: '2023010101', attributes: { name: '张晓明', number: '2023010101', college: 'jsj', class: 'jsj-2301', type: '本科生', major: '计算机科学与技术', phone: '13800000001' } };
const STATEMENT = '本学年我认真完成各门课程学习，学分绩点 3.82，专业排名第 3；担任班级学习委员，组织课程互助小组 12 次；参加全国大学生数学建模竞赛获省级二等奖，参与校级大学生创新训练项目一项，利用暑期到社区开展信息技术志愿服务 40 小时。';
const data = { studentName: '张晓明', studentNumber: '2023010101', major: '计算机科学与技术', phone: '13800000001', academicYear: '2025-2026学年', scholarshipType: '校级一等奖学金', gpa: 3.82, gradeRank: 3, majorSize: 96, failedCourse: false, statement: STATEMENT };

/** The hall on `kind`, with the example's approvers and three objectors (one without an e-mail address), its clock movable. */
async function setUp(kind: (typeof STORE_KINDS)[number]) {
  const store = await stores.open(await stores.location(kind));
  await migrate(store);
  await importDirectory(store, {
    people: [
      { id: '2023010101', name: '张晓明', attributes: { college: 'jsj', class: 'jsj-2301', email: 'zhangxm@stu.example.edu.cn' } },
      { id: 'p-counselor', name: '刘辅导员', attributes: { email: 'liu@example.edu.cn' }, holds: ['counselor@jsj-2301'] },
      { id: 'p-deputy', name: '陈副书记', attributes: { email: 'chen@example.edu.cn' }, holds: ['department-deputy@jsj'] },
      { id: 'p-secretary', name: '赵秘书', attributes: { email: 'zhao@example.edu.cn' }, holds: ['academic-secretary@jsj'] },
      { id: 'p-xgc', name: '孙老师', attributes: { email: 'sun@example.edu.cn' }, holds: ['office-staff@xgc'] },
      { id: '2023010102', name: '李同学', attributes: { college: 'jsj', email: 'li02@stu.example.edu.cn' } },
      { id: '2023010103', name: '王同学', attributes: { college: 'jsj', email: 'wang03@stu.example.edu.cn' } },
      { id: '2023010104', name: '周同学', attributes: { college: 'jsj' } },
    ],
  });
  let now = new Date('2026-09-21T01:00:00Z');
  const engine = new Engine({ store, runtime, now: () => now });
  const submitted = await engine.submit({ service: 'scholarship-application', applicant: zhang, data });
  if (!submitted.ok) throw new Error(JSON.stringify(submitted));
  const id = submitted.application.id;
  const act = async (person: string, step: string, action: 'approve' | 'reject') => {
    const task = (await engine.todo(person)).find((t) => t.application === id && t.step === step);
    if (!task) throw new Error(`${person} has no task for ${step}`);
    const acted = await engine.act({ task: task.id, person, action, comment: action === 'reject' ? '经核实，竞赛奖项为团队奖，加分计算有误' : '经核实，维持评审结果' });
    if (!acted.ok) throw new Error(JSON.stringify(acted));
  };
  for (const [person, step] of [['p-counselor', 'counselor-review'], ['p-deputy', 'college-deputy'], ['p-secretary', 'grade-check']]) await act(person, step, 'approve');
  const object = async (person: string, reason: string) => expect((await engine.object({ application: id, person, reason })).ok).toBe(true);
  const names = (service: string) => runtime.manifest.services.find((s) => s.id === service)?.name.zh ?? service;
  /** Deliver what is due now; the mails sent by this call. */
  const deliver = async () => {
    const before = mails.length;
    const deliverer = new Deliverer(store, { smtp: `smtp://127.0.0.1:${smtp.port}`, from: '江城大学网上办事大厅 <ehall@example.edu.cn>', hall: '江城大学网上办事大厅' }, names);
    await deliverer.deliverDue(now);
    deliverer.close();
    return mails.slice(before);
  };
  const answers = () => store.query<{ recipient: string; body: string; status: string }>("SELECT recipient, body, status FROM outbox WHERE application_id = $1 AND event = 'objection-answered' ORDER BY recipient", [id]);
  return { store, engine, id, act, object, deliver, answers, later: (iso: string) => (now = new Date(iso)) };
}

/** A mail's text: its quoted-printable or base64 UTF-8 body, decoded. */
function bodyOf(mail: ReceivedMail): string {
  const [head, ...rest] = mail.data.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) return Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  return body;
}

describe.each(STORE_KINDS)('objectors told the review’s outcome (%s)', (kind) => {
  it('a review that upholds the result: each objector is e-mailed once it ends, not before', async () => {
    const { engine, id, act, object, deliver, answers, later } = await setUp(kind);
    await object('2023010102', '竞赛奖项是团队奖，加分是否按个人计算？');
    await object('2023010104', '请核实学分绩点');
    await deliver();
    // The period ends: the review starts, and nobody has been answered yet.
    later('2026-09-29T01:00:00Z');
    expect(await engine.endPublicityNow(id)).toBe(true);
    expect(await answers()).toEqual([]);
    await act('p-deputy', 'college-recheck', 'approve');
    const text = '【公示异议答复】您对张晓明的“本科生奖学金申请”（学院公示）提出的异议已复核完毕：复核后维持公示结果，办理继续。感谢您的监督。';
    expect((await answers()).map((r) => [r.recipient, r.body])).toEqual([['person:2023010102', text], ['person:2023010104', text]]);
    const sent = (await deliver()).filter((m) => bodyOf(m).includes('公示异议答复'));
    expect(sent.map((m) => m.to)).toEqual([['li02@stu.example.edu.cn']]);
    expect(bodyOf(sent[0])).toContain(text);
    // Neither the reviewer's comment nor the form reaches an objector.
    expect(bodyOf(sent[0])).not.toMatch(/维持评审结果|3\.82|13800000001/);
    // The objector without an address: kept, with the reason, never silently dropped.
    expect((await answers()).find((r) => r.recipient === 'person:2023010104')?.status).toBe('undeliverable');
    // Acting on later steps tells the objectors nothing more.
    await act('p-xgc', 'xgc-review', 'approve');
    expect(await answers()).toHaveLength(2);
  });

  it('a review that rejects the application: the objector is told it did not pass', async () => {
    const { engine, id, act, object, deliver, answers, later } = await setUp(kind);
    await object('2023010103', '该同学的竞赛获奖是团队奖项');
    later('2026-09-29T01:00:00Z');
    await engine.endPublicityNow(id);
    await act('p-deputy', 'college-recheck', 'reject');
    expect((await engine.application(id))!.status).toBe('rejected');
    expect((await answers()).map((r) => r.body)).toEqual(['【公示异议答复】您对张晓明的“本科生奖学金申请”（学院公示）提出的异议已复核完毕：复核后该申请未予通过。感谢您的监督。']);
    const sent = (await deliver()).filter((m) => m.to.includes('wang03@stu.example.edu.cn'));
    expect(sent).toHaveLength(1);
    expect(bodyOf(sent[0])).toContain('复核后该申请未予通过');
  });

  it('a period without objections answers nobody', async () => {
    const { engine, id, act, answers, later } = await setUp(kind);
    later('2026-09-29T01:00:00Z');
    await engine.endPublicityNow(id);
    await act('p-xgc', 'xgc-review', 'approve');
    expect(await answers()).toEqual([]);
  });
});
