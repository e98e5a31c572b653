import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine } from '../engine/engine.ts';

/** Who may read `/metrics`: by default only a client on this machine; with a token, whoever sends it. */
export interface MetricsAccess {
  /** When set, `/metrics` needs `Authorization: Bearer <token>` from everyone. */
  token?: string;
}

/**
 * The hall's Prometheus metrics. Counters and the request histogram count what this process did (sum them
 * over processes); the gauges are read from the database at scrape time, so every process reports the
 * same, database-wide numbers (take max, not sum). Each gauge is one indexed COUNT.
 */
export class HallMetrics {
  readonly registry = new Registry();
  private readonly submittedCounter: Counter<'service'>;
  private readonly decisionCounter: Counter<'action'>;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(engine: Engine) {
    const registry = this.registry;
    const store = engine.store;
    collectDefaultMetrics({ register: registry });
    this.requestDuration = new Histogram({
      name: 'hall_http_request_duration_seconds',
      help: 'HTTP 请求耗时，按路由和状态码 / HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.submittedCounter = new Counter({ name: 'hall_applications_submitted_total', help: '本进程受理的申请 / applications this process accepted', labelNames: ['service'], registers: [registry] });
    this.decisionCounter = new Counter({ name: 'hall_decisions_total', help: '本进程记录的审批决定，按动作 / decisions this process recorded, by action', labelNames: ['action'], registers: [registry] });
    new Gauge({
      name: 'hall_store_up',
      help: '数据库能否访问（1 能，0 不能）/ whether the store answers',
      registers: [registry],
      async collect() {
        this.set(await store.query('SELECT 1 AS one').then(() => 1, () => 0));
      },
    });
    /** A gauge read from the store at scrape time; an unreachable store leaves it without samples (hall_store_up says why). */
    const fromStore = (name: string, help: string, read: (gauge: Gauge<string>) => Promise<void>, labelNames: string[] = []) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          this.reset();
          await read(this).catch(() => this.reset());
        },
      });
    const count = async (sql: string, params: unknown[] = []) => Number((await store.query<{ n: number | string }>(sql, params))[0]?.n ?? 0);
    fromStore('hall_tasks_open', '办理中的待办 / open tasks', async (g) => g.set(await count("SELECT COUNT(*) AS n FROM task WHERE status = 'open'")));
    fromStore('hall_tasks_overdue', '已过期限仍未办理的待办 / open tasks past their due date', async (g) => {
      const now = new Date().toISOString();
      // Hours tasks (issue 15.7) are past due after their due time, work-day tasks after their due day.
      g.set(await count("SELECT COUNT(*) AS n FROM task WHERE status = 'open' AND ((due_at IS NULL AND due < $1) OR due_at < $2)", [engine.runtime.calendar.localDate(now), now]));
    });
    fromStore(
      'hall_outbox_messages',
      '通知 outbox 中的消息，按状态（pending 待发送，failed 重试后仍失败，undeliverable 无可送达地址）/ outbox messages by status',
      async (g) => {
        const rows = await store.query<{ status: string; n: number | string }>("SELECT status, COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'failed', 'undeliverable') GROUP BY status");
        for (const status of ['pending', 'failed', 'undeliverable']) g.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
      },
      ['status'],
    );
    fromStore('hall_incidents_unassigned', '无人可分派的申请（事故，等待信息化办处理）/ applications stopped at a step nobody holds', async (g) =>
      g.set(await count("SELECT COUNT(*) AS n FROM application WHERE status = 'incident'")),
    );
  }

  submitted(service: string): void {
    this.submittedCounter.inc({ service });
  }

  decided(action: string): void {
    this.decisionCounter.inc({ action });
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * May this request read the metrics? With a token: only with it. Without: only a direct client on this
 * machine. A request a proxy forwarded arrives from loopback too, so one carrying forwarding headers is
 * refused: the metrics never leak through the public proxy.
 */
function allowed(request: FastifyRequest, access: MetricsAccess): boolean {
  if (access.token) {
    const given = Buffer.from(String(request.headers.authorization ?? ''));
    const expected = Buffer.from(`Bearer ${access.token}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  const forwarded = request.headers['x-forwarded-for'] ?? request.headers.forwarded ?? request.headers['x-real-ip'];
  return !forwarded && LOOPBACK.test(request.socket.remoteAddress ?? '');
}

/** Time every request by route and status, and serve `GET /metrics`. */
export const metrics = fp(
  async (app: FastifyInstance, options: { metrics: HallMetrics; access: MetricsAccess }) => {
    const { metrics: hall, access } = options;
    // A callback hook, not an async one: on every request, and an async hook costs a promise and a turn of the microtask queue.
    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      hall.requestDuration.observe({ method: request.method, route: request.routeOptions.url ?? '(unmatched)', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });
    app.get('/metrics', async (request, reply) => {
      if (!allowed(request, access)) {
        return reply.code(403).send({
          error: 'forbidden',
          message: access.token
            ? { zh: '读取指标需要配置文件中的令牌（Authorization: Bearer …）。', en: 'Reading the metrics needs the configured token (Authorization: Bearer …).' }
            : { zh: '指标只允许在本机直接读取；如需从其他机器采集，请在配置文件中设置 metrics.token。', en: 'The metrics are readable from this machine only; set metrics.token to scrape from elsewhere.' },
        });
      }
      return reply.type(hall.registry.contentType).send(await hall.registry.metrics());
    });
  },
  { name: 'hall-metrics' },
);
