import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../engine/engine.ts';
import { SIGNATURE_HEADER, payUrlOf, signatureHolds } from '../engine/payment.ts';
import type { PaymentCallback } from '../engine/payment.ts';
import type { SignedIn } from './attachments.ts';

/**
 * Payment steps over HTTP (issue 15.9b, docs/payment.md). The payment platform's callback is the one route a
 * machine calls without a session: it is authenticated by its HMAC-SHA256 signature over the raw body with the
 * connector's secret from the hall's configuration (never by a session or a CSRF token), so the body is read
 * raw in this route alone. The applicant (and whoever may see the application) reads its orders: amount, last
 * day, state and the 去缴费 address while it is open.
 */
export const paymentRoutes: FastifyPluginAsync<{ engine: Engine; signedIn: SignedIn }> = async (app, { engine, signedIn }) => {
  await app.register(async (callbacks) => {
    // The signature is over the bytes sent: the JSON is parsed only after it is checked.
    callbacks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    callbacks.post('/api/payments/:connector/callback', { schema: { params: { type: 'object', required: ['connector'], properties: { connector: { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: 64 } } } } }, async (request, reply) => {
      const { connector } = request.params as { connector: string };
      const secret = engine.paymentPlatform(connector)?.secret;
      // A connector without a configured secret takes no callback at all: nothing could prove where it came from.
      if (!secret) return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个支付平台接口（或没有配置回调密钥）。', en: 'No such payment platform connector (or no callback secret configured).' } });
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const header = request.headers[SIGNATURE_HEADER];
      if (!signatureHolds(secret, raw, typeof header === 'string' ? header : undefined)) {
        request.log.warn({ event: 'payment-callback-refused', connector, reason: 'signature' }, 'payment callback with a bad signature');
        return reply.code(401).send({ error: 'bad-signature', message: { zh: `签名无效：请求头 ${SIGNATURE_HEADER} 应为 sha256=<用回调密钥对请求体计算的 HMAC-SHA256>。`, en: `Bad signature: ${SIGNATURE_HEADER} must be sha256=<HMAC-SHA256 of the body under the callback secret>.` } });
      }
      const callback = parseCallback(raw);
      if (!callback) return reply.code(400).send({ error: 'bad-request', message: { zh: '回调内容应为 JSON：orderId、amountFen（整数，分）、transactionId，可选 paidAt。', en: 'The callback must be JSON with orderId, amountFen (whole fen), transactionId and optionally paidAt.' } });
      const outcome = await engine.confirmPayment(connector, callback);
      request.log.info({ event: outcome.ok ? (outcome.duplicate ? 'payment-replayed' : 'payment-confirmed') : 'payment-callback-refused', connector, order: callback.orderId, transaction: callback.transactionId, ...(outcome.ok ? {} : { status: outcome.status }) }, 'payment callback');
      if (!outcome.ok) return reply.code(outcome.status).send({ error: outcome.error, message: outcome.message });
      return reply.send({ ok: true, duplicate: outcome.duplicate, orderId: outcome.payment.orderId, status: outcome.payment.status });
    });
  });

  app.get('/api/applications/:id/payment', { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } } }, async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const application = await engine.application((request.params as { id: string }).id);
    if (!application || !(await engine.maySee(person.id, application))) return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个申请。', en: 'No such application.' } });
    const payments = (await engine.paymentsOf(application.id)).map((p) => {
      const payUrl = payUrlOf(engine.paymentPlatform(p.connector)?.payUrl, p);
      return { step: p.step, orderId: p.orderId, amountFen: p.amountFen, amount: p.amount, until: p.until, status: p.status, ...(p.paidAt ? { paidAt: p.paidAt } : {}), ...(payUrl ? { payUrl } : {}) };
    });
    return reply.send({ payments });
  });
};

/** The callback's fields, or undefined when the body is not the JSON the platform promised. */
function parseCallback(raw: Buffer): PaymentCallback | undefined {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { orderId, amountFen, transactionId, paidAt } = body as Record<string, unknown>;
  if (typeof orderId !== 'string' || orderId.length < 1 || orderId.length > 200) return undefined;
  if (typeof amountFen !== 'number' || !Number.isSafeInteger(amountFen) || amountFen < 0) return undefined;
  if (typeof transactionId !== 'string' || transactionId.length < 1 || transactionId.length > 100) return undefined;
  if (paidAt !== undefined && (typeof paidAt !== 'string' || Number.isNaN(Date.parse(paidAt)))) return undefined;
  return { orderId, amountFen, transactionId, ...(typeof paidAt === 'string' ? { paidAt } : {}) };
}
