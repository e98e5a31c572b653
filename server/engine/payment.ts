import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../store/store.ts';
import type { RunResult } from '../../lib/runtime/index.ts';
import { orderIdOf } from '../../lib/interpret/payment.ts';
import { yuanText } from '../../lib/interpret/fees.ts';

/**
 * Payment steps (issue 15.9b, docs/payment.md) in `hall serve`. The transaction that reaches a payment step
 * writes its order (a `payment` row, migration 0015) and the call that sends the order to the payment platform
 * (a `system_call` row of purpose 'payment-order': sent after the commit, retried, an incident when it cannot
 * be sent). The platform confirms payment by a callback signed with HMAC-SHA256 over the raw body with the
 * secret the hall's configuration holds for the connector; the engine records it once (`paid`), refusing an
 * unknown order or a wrong amount. The sweep ends an order still open at the end of its last day (`timeout`).
 */

/** The request header carrying the callback's signature: `sha256=<hex of HMAC-SHA256(secret, raw body)>`. */
export const SIGNATURE_HEADER = 'x-hall-signature';

/** The callback's body, as the platform sends it (JSON). */
export interface PaymentCallback {
  orderId: string;
  amountFen: number;
  /** The platform's own id of the payment (流水号): a replay carries the same one. */
  transactionId: string;
  /** When the platform took the money (ISO 8601 with offset); the hall's receipt time when absent. */
  paidAt?: string;
}

export interface PaymentRecord {
  orderId: string;
  application: string;
  step: string;
  connector: string;
  amountFen: number;
  /** The amount as the guide writes it, e.g. 440 or 0.50 (元). */
  amount: string;
  /** The last day to pay; the order times out at its end. */
  until: string;
  status: 'open' | 'paid' | 'unpaid';
  openedAt: string;
  paidAt?: string;
  transactionId?: string;
}

type PaymentRow = { id: string; application_id: string; step: string; connector: string; amount_fen: number | string; until: string; ends_at: string; status: string; opened_at: string; paid_at: string | null; transaction_id: string | null };

export const paymentOf = (row: PaymentRow): PaymentRecord => ({
  orderId: row.id,
  application: row.application_id,
  step: row.step,
  connector: row.connector,
  amountFen: Number(row.amount_fen),
  amount: yuanText(Number(row.amount_fen)),
  until: row.until,
  status: row.status as PaymentRecord['status'],
  openedAt: row.opened_at,
  ...(row.paid_at ? { paidAt: row.paid_at } : {}),
  ...(row.transaction_id ? { transactionId: row.transaction_id } : {}),
});

/** The signature a body carries when signed with `secret`. */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Whether `header` is the body's signature under `secret` (compared in constant time). */
export function signatureHolds(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Write the order a run now waits on, and its sending (engine.apply, in its transaction). The order id is the
 * application's and the step's: written once, however often the run replays.
 */
export async function openPayment(tx: Sql, input: { application: string; paying: NonNullable<RunResult['paying']>; at: string; callId: string; subject: string; notifyUrl: string }): Promise<void> {
  const { application, paying, at } = input;
  const orderId = orderIdOf(application, paying.step);
  const inserted = await tx.run(
    "INSERT INTO payment (id, application_id, step, connector, amount_fen, until, ends_at, status, opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) ON CONFLICT (id) DO NOTHING",
    [orderId, application, paying.step, paying.connector, paying.amountFen, paying.until, new Date(paying.endsAt).toISOString(), at],
  );
  if (inserted !== 1) return;
  const payload = { orderId, amountFen: paying.amountFen, subject: input.subject, until: paying.until, expiresAt: paying.endsAt, notifyUrl: input.notifyUrl };
  // Sent as a payment platform expects an order: up to 6 attempts over a day, 10 s each; Idempotency-Key the call's id.
  await tx.run(
    "INSERT INTO system_call (id, application_id, step, connector, path, payload, status, attempts, max_attempts, timeout_seconds, next_attempt_at, created_at, purpose) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, 6, 10, $7, $7, 'payment-order')",
    [input.callId, application, paying.step, paying.connector, paying.path ?? null, JSON.stringify(payload), at],
  );
}

/** Orders still open whose last day has ended. */
export async function duePayments(sql: Sql, now: string): Promise<{ id: string }[]> {
  return sql.query<{ id: string }>("SELECT id FROM payment WHERE status = 'open' AND ends_at <= $1 ORDER BY ends_at, id", [now]);
}

/** Take one order for its timeout: true for exactly one caller however many sweep at once. */
export async function claimTimeout(tx: Sql, id: string, at: string): Promise<{ application: string; step: string } | undefined> {
  if ((await tx.run("UPDATE payment SET status = 'unpaid', closed_at = $1 WHERE id = $2 AND status = 'open'", [at, id])) !== 1) return undefined;
  const [row] = await tx.query<{ application_id: string; step: string }>('SELECT application_id, step FROM payment WHERE id = $1', [id]);
  return { application: row.application_id, step: row.step };
}

/** An order, locked for the callback's transaction. */
export async function lockPayment(tx: Sql & { lockRow: string }, id: string): Promise<{ record: PaymentRecord; endsAt: string } | undefined> {
  const [row] = await tx.query<PaymentRow>(`SELECT * FROM payment WHERE id = $1 ${tx.lockRow}`, [id]);
  return row ? { record: paymentOf(row), endsAt: row.ends_at } : undefined;
}

/** An application's orders, newest first. */
export async function paymentsOf(sql: Sql, application: string): Promise<PaymentRecord[]> {
  return (await sql.query<PaymentRow>('SELECT * FROM payment WHERE application_id = $1 ORDER BY opened_at DESC, id DESC', [application])).map(paymentOf);
}

/** The 去缴费 address for an order: the configured cashier address with `{orderId}` (and `{amountFen}`) filled in. */
export function payUrlOf(template: string | undefined, payment: PaymentRecord): string | undefined {
  if (!template || payment.status !== 'open') return undefined;
  return template.replaceAll('{orderId}', encodeURIComponent(payment.orderId)).replaceAll('{amountFen}', String(payment.amountFen));
}
