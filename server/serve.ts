import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadRuntime } from '../lib/runtime/index.ts';
import { readVocabulary } from './directory/vocabulary.ts';
import { Reloader } from './reload.ts';
import type { ReloadReport } from './reload.ts';
import { Engine } from './engine/engine.ts';
import type { FiredTimer } from './engine/engine.ts';
import { buildApp } from './http/app.ts';
import { FileStore } from './files/file-store.ts';
import { exportEvents, rotateEventLog } from './eventlog/export.ts';
import { Deliverer } from './notify/deliver.ts';
import { SystemCaller } from './engine/system-calls.ts';
import type { ConnectorTarget } from './engine/system-calls.ts';
import type { NotifyChannels } from './notify/deliver.ts';
import type { CasOptions } from './identity/cas.ts';
import { discoverOidc } from './identity/oidc.ts';
import type { OidcOptions } from './identity/oidc.ts';
import { migrate } from './store/migrate.ts';
import { openStore } from './store/store.ts';
import type { Store } from './store/store.ts';
import type { MetricsAccess } from './http/metrics.ts';
import type { RateLimits } from './http/rate-limit.ts';

export interface ServeOptions {
  /** The folder holding runtime/ (the repository's generated/). */
  generated: string;
  /** `sqlite:<file>` or `postgres://…`. */
  store: string;
  host: string;
  port: number;
  dev: boolean;
  /** A directory export (YAML or CSV) to import before serving, and again on every reload. */
  directory?: string;
  /** The catalog folder (roles.yaml, departments, hall.yaml) a directory export is checked against; default: `catalog/` beside generated/. */
  catalog?: string;
  hallUrl?: string;
  logger?: boolean | object;
  /** Where notifications go; the outbox is worked every `deliverEverySeconds` (default 5). */
  notify?: NotifyChannels;
  deliverEverySeconds?: number;
  /** The folder of the JSONL event log that `hall report` reads. */
  events: string;
  /** The folder attachments are stored in (content-addressed). */
  files: string;
  identity?: { cas?: CasOptions; oidc?: OidcOptions };
  rateLimits?: RateLimits;
  metrics?: MetricsAccess;
  trustProxy?: boolean | string | string[];
  /** The hall's version, shown in the OpenAPI document. */
  version?: string;
  /** Told what every reload did (the log). */
  onReload?: (report: ReloadReport) => void;
  /** System steps' connectors (issue 15.3): id → base address and the Authorization value; called with the outbox. */
  connectors?: Record<string, ConnectorTarget>;
}

/** The pg-boss queue whose scheduled job runs the timers' sweep. */
export const SWEEP_QUEUE = 'hall-sweep';

/** Startup refused: the message says what to do. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface RunningHall {
  url: string;
  app: FastifyInstance;
  store: Store;
  /** Reload the directory and generated/ (SIGHUP, POST /api/admin/reload): a part that fails its check is refused, the running one kept. */
  reload(): Promise<ReloadReport>;
  close(): Promise<void>;
}

/**
 * Start the hall: verify generated/ through the public loader, bring the store's schema up to date,
 * refuse to run when applications in flight are pinned to a version generated/ no longer holds, then
 * listen.
 */
export async function startHall(options: ServeOptions): Promise<RunningHall> {
  const runtime = await loadRuntime(options.generated);
  const store = await openStore(options.store);
  try {
    await migrate(store);
    const reload = async () => {
      const report = await reloader.reload();
      options.onReload?.(report);
      return report;
    };
    const catalog = options.catalog ?? path.join(path.dirname(path.resolve(options.generated)), 'catalog');
    // The log exists once the app does; timers fire only after that.
    let logTimer: (fired: FiredTimer) => void = () => undefined;
    const files = await FileStore.open(options.files);
    // Payment platforms (issue 15.9b): a callback is accepted only under a configured secret. The preview pays at its own
    // stand-in cashier (server/http/dev.ts) when no cashier address is configured.
    const paymentPlatform = (id: string) => {
      const configured = options.connectors && Object.hasOwn(options.connectors, id) ? options.connectors[id] : undefined;
      const payUrl = configured?.payUrl ?? (options.dev ? '/dev/pay/{orderId}' : undefined);
      return configured || payUrl ? { ...(configured?.callbackSecret ? { secret: configured.callbackSecret } : {}), ...(payUrl ? { payUrl } : {}) } : undefined;
    };
    const engine = new Engine({ store, runtime, hallUrl: options.hallUrl, onTimer: (fired) => logTimer(fired), files, paymentPlatform });
    const reloader = new Reloader({ engine, generated: options.generated, catalog, directory: options.directory, vocabulary: await readVocabulary(catalog) });
    // A bad export refuses the start with its diagnostics (DirectoryRefused), exactly as `hall directory check` lists them.
    if (options.directory) await reloader.importDirectory(options.directory);
    else await reloader.refreshEngineDirectory();
    const missing = await engine.missingVersions();
    if (missing.length) {
      throw new StartupError(
        `以下运行定义版本仍有办理中的申请，但 generated/ 中已没有它们。不能静默换用其他版本：请恢复这些版本后再启动。\n` +
          `These definition versions have applications in flight but are missing from generated/. Restore them before starting:\n` +
          missing.map((m) => `  - ${m.service} v${m.version}：${m.applications} 个申请 / applications`).join('\n'),
      );
    }
    let oidc;
    if (options.identity?.oidc) {
      try {
        oidc = { options: options.identity.oidc, config: await discoverOidc(options.identity.oidc) };
      } catch (error) {
        throw new StartupError(`无法从 ${options.identity.oidc.issuer} 读取 OpenID 配置 / cannot discover the OpenID provider: ${(error as Error).message}`);
      }
    }
    // Tasks left without a holder while the hall was down (or by this import) become incidents; those that have one again are resolved.
    await engine.reconcileIncidents();
    const app = await buildApp({
      engine,
      admin: { reload, itOffice: () => reloader.vocabulary.itOffice },
      dev: options.dev,
      secureCookies: !options.dev,
      logger: options.logger,
      publicUrl: options.hallUrl,
      identity: { cas: options.identity?.cas, oidc },
      rateLimits: options.rateLimits,
      metrics: options.metrics,
      trustProxy: options.trustProxy,
      version: options.version,
      files,
      pages: true,
      catalog,
    });
    // The address is announced once everything (timers, delivery) runs, not when the socket opens.
    const address = await app.listen({ host: options.host, port: options.port, listenTextResolver: (at) => `listening on ${new URL(at).host}` });
    const names = (id: string) => runtime.manifest.services.find((s) => s.id === id)?.name.zh ?? id;
    const deliverer = new Deliverer(store, { hall: runtime.manifest.hall.name, ...options.notify }, names, (failure) =>
      app.log.warn({ event: 'delivery-failed', ...failure }, failure.final ? 'delivery failed; kept in the outbox' : 'delivery failed; will retry'),
    );
    const timezone = runtime.calendar.timezone;
    const writeLog = async () => {
      await exportEvents(store, options.events, { timezone });
      await store.transaction(async (tx) => {
        await tx.lock('servicehall:event-log');
        await rotateEventLog(options.events, { timezone });
      });
    };
    // Timers: the sweep marks overdue tasks and sends due-day reminders; it fires each timer once however
    // often and wherever it runs. On PostgreSQL pg-boss runs it every minute, once across all processes;
    // the embedded store has one process, which runs it itself.
    logTimer = (fired) => app.log.info({ event: fired.kind, task: fired.task, application: fired.application }, `timer fired: ${fired.kind}`);
    let stopTimers: () => Promise<void>;
    if (store.kind === 'postgres') {
      const { PgBoss } = await import('pg-boss');
      const boss = new PgBoss({ connectionString: options.store, schema: 'pgboss', application_name: 'servicehall-jobs' });
      boss.on('error', (error) => app.log.warn(error));
      await boss.start();
      if (!(await boss.getQueue(SWEEP_QUEUE))) await boss.createQueue(SWEEP_QUEUE);
      await boss.schedule(SWEEP_QUEUE, '* * * * *', null, { tz: timezone });
      await boss.work(SWEEP_QUEUE, async () => {
        await engine.sweep();
      });
      stopTimers = () => boss.stop({ graceful: true, timeout: 10_000 });
    } else {
      const sweeper = setInterval(() => void engine.sweep().catch((error) => app.log.warn(error)), 60_000);
      void engine.sweep().catch((error) => app.log.warn(error));
      stopTimers = async () => clearInterval(sweeper);
    }
    // System steps (issue 15.3): calls to declared connectors only, made after their transaction committed.
    // The preview (hall dev, --dev) calls no campus system: a connector without an address goes to the preview's stand-in (server/http/dev.ts).
    const systemCaller = new SystemCaller(engine, (id) =>
      options.connectors && Object.hasOwn(options.connectors, id) ? options.connectors[id] : options.dev ? { url: `${address.replace(/\/$/, '')}/api/dev/connectors/${encodeURIComponent(id)}?path=` } : undefined,
    );
    let delivering: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      // One round at a time; an outage is retried on the next tick (events and messages wait in the store).
      delivering = delivering.then(() =>
        Promise.all([deliverer.deliverDue(), writeLog(), systemCaller.callDue()]).catch((error) => app.log.warn(error)),
      );
    }, (options.deliverEverySeconds ?? 5) * 1000);
    app.log.info({ url: address, store: store.where }, 'hall started');
    return {
      url: address,
      app,
      store,
      reload,
      async close() {
        clearInterval(timer);
        await stopTimers();
        await app.close();
        await delivering;
        await writeLog().catch((error) => app.log.warn(error));
        deliverer.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
