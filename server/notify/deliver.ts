import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Store } from '../store/store.ts';

/** Where notifications go: e-mail through SMTP, and 企业微信/钉钉 group robots for role groups. */
export interface NotifyChannels {
  /** `smtp://user:pass@host:port` or `smtps://…`; without it no e-mail is sent (messages wait in the outbox). */
  smtp?: string;
  /** The sender, e.g. `江城大学网上办事大厅 <ehall@example.edu.cn>`. */
  from?: string;
  webhooks?: WebhookTarget[];
  /** The hall's name, for subjects. */
  hall?: string;
}

export interface WebhookTarget {
  kind: 'wecom' | 'dingtalk';
  url: string;
  /** 钉钉 robots with 加签: the secret that signs each call. */
  secret?: string;
  /** Which recipients it speaks for: `group` (every scope) or `group@scope`. */
  for: string[];
}

/** Retry delays after each failed attempt; after the last, the message is kept as failed, never dropped. */
export const BACKOFF_SECONDS = [60, 300, 1_800, 7_200, 21_600];

type OutboxRow = {
  id: string;
  application_id: string;
  event: string;
  recipient: string;
  body: string;
  attempts: number;
  applicant_id: string;
  service: string;
};

/** One failed attempt to deliver an outbox message, for the log; `final` when it will not be retried. */
export interface DeliveryFailure {
  message: string;
  application: string;
  recipient: string;
  attempts: number;
  error: string;
  final: boolean;
}

export interface DeliveryReport {
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * How long a claimed message is held for the process sending it. The send (SMTP, robots) runs outside any
 * transaction; a process killed while sending leaves the lease, and the message is due again when it ends.
 * Longer than the slowest send can take: SMTP is bounded by the timeouts below, each robot by 10 s.
 */
export const LEASE_SECONDS = 300;

/** SMTP timeouts, so a relay that stops answering cannot hold a message past its lease (nodemailer's default socket timeout is 10 minutes). */
const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

type Targets = { emails: string[]; hooks: WebhookTarget[] };

/** The configured SMTP URL with the timeouts above where it sets none (nodemailer reads them from the query). */
function withTimeouts(smtp: string): string {
  const url = new URL(smtp);
  for (const [key, value] of Object.entries(SMTP_TIMEOUTS)) if (!url.searchParams.has(key)) url.searchParams.set(key, String(value));
  return url.toString();
}

/**
 * Deliver the outbox's due messages. Each message is claimed in a short transaction (PostgreSQL: `FOR UPDATE
 * SKIP LOCKED`, so several processes never claim the same message), which moves its due time a lease ahead and
 * reads its addresses; the e-mail and the robots are then sent with no transaction open — on the embedded store
 * a transaction excludes every other writer, so a slow mail relay must never sit inside one — and the outcome is
 * recorded in a second short transaction, only if the lease is still this process's. A message to the applicant
 * goes to their e-mail; one to `group@scope` to every holder's e-mail and to the group robots that speak for it.
 * A failure is retried with backoff; a message nobody can receive is kept as `undeliverable`. Delivery is at
 * least once: a process killed after sending and before recording sends it again once the lease ends.
 */
export class Deliverer {
  private readonly store: Store;
  private readonly channels: NotifyChannels;
  private readonly names: (service: string) => string;
  private readonly transport?: Transporter;
  private readonly onFailure: (failure: DeliveryFailure) => void;

  constructor(store: Store, channels: NotifyChannels, names: (service: string) => string, onFailure: (failure: DeliveryFailure) => void = () => undefined) {
    this.store = store;
    this.channels = channels;
    this.names = names;
    this.onFailure = onFailure;
    this.transport = channels.smtp ? nodemailer.createTransport(withTimeouts(channels.smtp)) : undefined;
  }

  async deliverDue(now = new Date(), limit = 50): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0 };
    for (let i = 0; i < limit; i++) {
      const lease = new Date(now.getTime() + LEASE_SECONDS * 1000).toISOString();
      const claimed = await this.store.transaction(async (tx) => {
        const skip = this.store.kind === 'postgres' ? 'FOR UPDATE OF o SKIP LOCKED' : '';
        const [row] = await tx.query<OutboxRow>(
          `SELECT o.id, o.application_id, o.event, o.recipient, o.body, o.attempts, a.applicant_id, a.service FROM outbox o JOIN application a ON a.id = o.application_id
           WHERE o.status = 'pending' AND o.next_attempt_at <= $1 ORDER BY o.next_attempt_at, o.id LIMIT 1 ${skip}`,
          [now.toISOString()],
        );
        if (!row) return undefined;
        await tx.run('UPDATE outbox SET next_attempt_at = $1 WHERE id = $2', [lease, row.id]);
        return { row, targets: await this.targets(tx, row) };
      });
      if (!claimed) break;
      const { row, targets } = claimed;
      // No transaction is open here: other requests write while the relay and the robots answer.
      const outcome = await this.send(row, targets);
      const attempts = Number(row.attempts) + 1;
      if (!outcome.ok) {
        const final = Boolean(outcome.permanent) || attempts > BACKOFF_SECONDS.length;
        this.onFailure({ message: row.id, application: row.application_id, recipient: row.recipient, attempts, error: outcome.error, final });
      }
      // Recorded only while the lease is ours: had it ended (a send slower than the lease), another process owns
      // the message now and records its own attempt.
      // `AND next_attempt_at = lease`: the lease is still ours.
      if (outcome.ok) {
        await this.store.run("UPDATE outbox SET status = 'sent', attempts = $1, last_error = NULL WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3", [attempts, row.id, lease]);
        report.sent++;
      } else if (outcome.permanent || attempts > BACKOFF_SECONDS.length) {
        await this.store.run("UPDATE outbox SET status = $1, attempts = $2, last_error = $3 WHERE id = $4 AND status = 'pending' AND next_attempt_at = $5", [outcome.permanent ? 'undeliverable' : 'failed', attempts, outcome.error, row.id, lease]);
        report.failed++;
      } else {
        const next = new Date(now.getTime() + BACKOFF_SECONDS[attempts - 1] * 1000).toISOString();
        await this.store.run("UPDATE outbox SET attempts = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4 AND status = 'pending' AND next_attempt_at = $5", [attempts, next, outcome.error, row.id, lease]);
        report.retrying++;
      }
    }
    return report;
  }

  close(): void {
    this.transport?.close();
  }

  /** Where a message goes: the applicant's or a person's e-mail, or every holder's of `group@scope` and the group's robots. */
  private async targets(tx: { query: Store['query'] }, row: OutboxRow): Promise<Targets> {
    const emails: string[] = [];
    const hooks: WebhookTarget[] = [];
    if (row.recipient.startsWith('applicant:')) {
      const [person] = await tx.query<{ attributes: string }>('SELECT attributes FROM person WHERE id = $1', [row.applicant_id]);
      const email = person ? (JSON.parse(person.attributes) as Record<string, string>).email : undefined;
      if (email) emails.push(email);
    } else if (row.recipient.startsWith('person:')) {
      // A task handed to one person (转办, 加签, 委派): their own address.
      const [person] = await tx.query<{ attributes: string }>('SELECT attributes FROM person WHERE id = $1', [row.recipient.slice('person:'.length)]);
      const email = person ? (JSON.parse(person.attributes) as Record<string, string>).email : undefined;
      if (email) emails.push(email);
    } else {
      const at = row.recipient.indexOf('@');
      const [group, scope] = at < 0 ? [row.recipient, ''] : [row.recipient.slice(0, at), row.recipient.slice(at + 1)];
      const holders = await tx.query<{ attributes: string }>('SELECT p.attributes FROM membership m JOIN person p ON p.id = m.person_id WHERE m.group_id = $1 AND m.scope = $2 ORDER BY p.id', [group, scope]);
      for (const h of holders) {
        const email = (JSON.parse(h.attributes) as Record<string, string>).email;
        if (email) emails.push(email);
      }
      hooks.push(...(this.channels.webhooks ?? []).filter((w) => w.for.includes(group) || w.for.includes(row.recipient)));
    }
    return { emails, hooks };
  }

  private async send(row: OutboxRow, { emails, hooks }: Targets): Promise<{ ok: true } | { ok: false; error: string; permanent?: boolean }> {
    if (!emails.length && !hooks.length) return { ok: false, permanent: true, error: `没有可送达的地址：${row.recipient} / no address for ${row.recipient}` };
    const errors: string[] = [];
    if (emails.length) {
      if (!this.transport) errors.push('未配置邮件服务器 / no SMTP server configured');
      else {
        try {
          await this.transport.sendMail({
            from: this.channels.from ?? 'servicehall <noreply@localhost>',
            to: emails,
            subject: `【${this.channels.hall ?? '网上办事大厅'}】${this.names(row.service)}`,
            text: row.body,
            headers: { 'X-Servicehall-Outbox': row.id },
          });
        } catch (error) {
          errors.push(`邮件 / e-mail: ${(error as Error).message}`);
        }
      }
    }
    for (const hook of hooks) {
      try {
        await postRobot(hook, `【${this.names(row.service)}】${row.body}`);
      } catch (error) {
        errors.push(`${hook.kind}: ${(error as Error).message}`);
      }
    }
    return errors.length ? { ok: false, error: errors.join('; ') } : { ok: true };
  }
}

/** A text message to a 企业微信 or 钉钉 group robot; both answer `{errcode: 0}` on success. */
async function postRobot(hook: WebhookTarget, text: string): Promise<void> {
  let url = hook.url;
  if (hook.kind === 'dingtalk' && hook.secret) {
    const timestamp = Date.now();
    const sign = createHmac('sha256', hook.secret).update(`${timestamp}\n${hook.secret}`).digest('base64');
    url += `${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
  }
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgtype: 'text', text: { content: text } }), signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const answer = (await res.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
  if (answer.errcode !== 0) throw new Error(`errcode ${answer.errcode ?? '?'}: ${answer.errmsg ?? ''}`);
}
