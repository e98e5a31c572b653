import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { Engine } from '../../server/engine/engine.ts';
import { BACKOFF_SECONDS, Deliverer } from '../../server/notify/deliver.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import { type ReceivedMail, startSmtpReceiver } from '../helpers/smtp.ts';

const stores = storeFactory();
let runtime: LoadedRuntime;
let mails: ReceivedMail[] = [];
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let smtpPort = 0;
const robotCalls: { path: string; body: { msgtype: string; text: { content: string } } }[] = [];
let robot: Server;
let robotUrl = '';
/** /slow answers only once this settles: a robot (or a relay) that takes its time. */
let slowRobot: Promise<void> = Promise.resolve();

beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
  // A real SMTP server on loopback, as the IT office's mail relay.
  smtp = await startSmtpReceiver();
  mails = smtp.mails;
  smtpPort = smtp.port;
  // A group robot: /ok answers errcode 0, /down answers 500 (a 企业微信 outage).
  robot = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      robotCalls.push({ path: req.url ?? '', body: JSON.parse(body) });
      if (req.url?.startsWith('/slow')) await slowRobot;
      if (req.url?.startsWith('/down')) res.writeHead(500).end('busy');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    });
  });
  await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', () => resolve()));
  robotUrl = `http://127.0.0.1:${(robot.address() as { port: number }).port}`;
});
afterAll(async () => {
  await smtp.close();
  robot.close();
});

const leave = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' };

async function setUp(kind: (typeof STORE_KINDS)[number], withEmail: boolean) {
  const store = await stores.open(await stores.location(kind));
  await migrate(store);
  await importDirectory(store, {
    people: [
      { id: '2022020315', name: '李雨桐', attributes: { college: 'wxy', class: 'wxy-2203', ...(withEmail ? { email: 'liyutong@stu.example.edu.cn' } : {}) } },
      { id: 't-wang', name: '王老师', attributes: withEmail ? { email: 'wang@example.edu.cn' } : {}, holds: ['counselor@wxy-2203'] },
    ],
  });
  const engine = new Engine({ store, runtime, now: () => new Date('2026-03-02T01:00:00Z') });
  const submitted = await engine.submit({ service: 'student-leave', applicant: { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203' } }, data: leave });
  expect(submitted.ok).toBe(true);
  const names = (id: string) => runtime.manifest.services.find((s) => s.id === id)?.name.zh ?? id;
  return { store, engine, names };
}

describe.each(STORE_KINDS)('notifications on %s', (kind) => {
  it('e-mails the applicant and the counselor and posts to the counselors’ robot, each message once', async () => {
    const { store, names } = await setUp(kind, true);
    mails.length = 0;
    robotCalls.length = 0;
    const deliverer = new Deliverer(store, { smtp: `smtp://127.0.0.1:${smtpPort}`, from: '江城大学网上办事大厅 <ehall@example.edu.cn>', hall: '江城大学网上办事大厅', webhooks: [{ kind: 'wecom', url: `${robotUrl}/ok?key=k`, for: ['counselor'] }] }, names);
    const report = await deliverer.deliverDue(new Date('2026-03-02T01:00:00Z'));
    deliverer.close();
    expect(report).toEqual({ sent: 2, retrying: 0, failed: 0 });
    expect(mails.map((m) => m.to)).toEqual([['liyutong@stu.example.edu.cn'], ['wang@example.edu.cn']]);
    expect(mails[1].data).toContain('Subject: =?UTF-8?');
    expect(robotCalls).toHaveLength(1);
    expect(robotCalls[0].body.text.content).toContain('李雨桐同学提交了5天的请假申请');
    expect((await store.query("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'"))[0].n).toEqual(kind === 'postgres' ? '2' : 2);
    expect((await new Deliverer(store, {}, names).deliverDue(new Date('2026-03-09T00:00:00Z'))).sent).toBe(0);
  });

  it('retries a failing robot with backoff, then keeps the message as failed, visible, never dropped', async () => {
    const { store, names } = await setUp(kind, false);
    robotCalls.length = 0;
    const deliverer = new Deliverer(store, { webhooks: [{ kind: 'dingtalk', url: `${robotUrl}/down`, secret: 'SEC123', for: ['counselor@wxy-2203'] }] }, names);
    let now = Date.parse('2026-03-02T01:00:00Z');
    const first = await deliverer.deliverDue(new Date(now));
    // The applicant has no e-mail: undeliverable at once, kept with the reason. The counselor's robot is down: retried.
    expect(first).toEqual({ sent: 0, retrying: 1, failed: 1 });
    const [undeliverable] = await store.query<{ status: string; last_error: string }>("SELECT status, last_error FROM outbox WHERE recipient LIKE 'applicant:%'");
    expect(undeliverable).toMatchObject({ status: 'undeliverable' });
    expect(undeliverable.last_error).toContain('没有可送达的地址');
    expect((await deliverer.deliverDue(new Date(now + 1000))).retrying).toBe(0);
    for (const delay of BACKOFF_SECONDS) {
      now += delay * 1000;
      await deliverer.deliverDue(new Date(now));
    }
    const [row] = await store.query<{ status: string; attempts: number; last_error: string }>("SELECT status, attempts, last_error FROM outbox WHERE recipient = 'counselor@wxy-2203'");
    expect(row.status).toBe('failed');
    expect(Number(row.attempts)).toBe(BACKOFF_SECONDS.length + 1);
    expect(row.last_error).toContain('HTTP 500');
    expect(robotCalls).toHaveLength(BACKOFF_SECONDS.length + 1);
    expect(robotCalls[0].path).toMatch(/timestamp=\d+&sign=/);
  });

  it('sends with no transaction open: a submission is taken while a robot is still answering', async () => {
    const { store, engine, names } = await setUp(kind, false);
    robotCalls.length = 0;
    let answer!: () => void;
    slowRobot = new Promise<void>((resolve) => (answer = resolve));
    const deliverer = new Deliverer(store, { webhooks: [{ kind: 'wecom', url: `${robotUrl}/slow?key=k`, for: ['counselor'] }] }, names);
    const delivering = deliverer.deliverDue(new Date('2026-03-02T01:00:00Z'));
    for (let i = 0; i < 200 && !robotCalls.length; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(robotCalls).toHaveLength(1);
    // The robot holds the message and has not answered. On the embedded store a transaction excludes every other
    // writer, so a send inside one would keep this submission waiting for the robot.
    const another = engine.submit({ service: 'student-leave', applicant: { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203' } }, data: { ...leave, reason: '出院后到医院复诊' } });
    const first = await Promise.race([another.then((r) => (r.ok ? 'submitted' : JSON.stringify(r))), new Promise((resolve) => setTimeout(() => resolve('waited for the robot'), 5_000))]);
    answer();
    expect(first).toBe('submitted');
    // The same run delivers both applications' messages: the applicant has no address (undeliverable), the
    // counselors' robot gets each of its messages once.
    expect(await delivering).toEqual({ sent: 2, retrying: 0, failed: 2 });
    expect(robotCalls).toHaveLength(2);
    deliverer.close();
    expect((await store.query("SELECT status FROM outbox ORDER BY recipient")).map((r) => r.status).sort()).toEqual(['sent', 'sent', 'undeliverable', 'undeliverable']);
  });
});
