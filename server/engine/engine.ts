import { randomUUID } from 'node:crypto';
import { runWorkflow } from '../../lib/runtime/index.ts';
import type { Decision, FieldError, LoadedRuntime, RunResult, RuntimeDefinition, RuntimeEvent, TimelineEntry } from '../../lib/runtime/index.ts';
import type { RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { assignmentReference, missingReference, offsetOf } from '../../lib/interpret/interpret.ts';
import type { Directory } from '../../lib/interpret/validate-submission.ts';
import { TemplateError, renderTemplate } from '../../lib/interpret/notification-template.ts';
import { feeVariables } from '../../lib/interpret/fees.ts';
import { dueLabel } from '../../lib/interpret/deadline.ts';
import type { WorkCalendar } from '../../lib/interpret/calendar.ts';
import type { Row, Sql, Store, Transaction } from '../store/store.ts';
import { claimAttachments } from '../files/attachments.ts';
import { holdsNamedReader } from '../privacy/readers.ts';
import { markFor, recordUse } from '../privacy/signatures.ts';
import { discardUnsubmittedUploads, expireAttachments } from '../privacy/retention.ts';
import type { FileStore } from '../files/file-store.ts';
import type { BookingInput } from './booking.ts';
import { PLACES_PER_SLOT, bookingProblems, cancelTooLate, quotaProblems, slotFull, slotKey } from './booking.ts';
import { Writes, later } from './writes.ts';
import { aroundAfter, readAround } from './pipelined-reads.ts';
import type { AroundRow } from './pipelined-reads.ts';
import { applyActions, handOverRefusal, mayAct, openTasksOf, seesThroughActions } from './actions.ts';
import type { Actor } from './actions.ts';
import { isHandOver } from '../../lib/interpret/actions.ts';
import { recordProxy } from './proxy.ts';
import { lockedPrefillErrors } from './prefill-lock.ts';
import { APPLICANT_ASSIGNEE, APPLICANT_TASK_GROUP, COMPLETE, applicantOverdueText, applicantReminderText, isApplicantNode } from '../../lib/interpret/applicant-step.ts';
import { enqueueSystemCall } from './system-calls.ts';
import { claimPublicity, duePublicity, openPublicity, openPublicityEntries } from './publicity.ts';
import type { PublicityEntry } from './publicity.ts';
import { CLOSE, OBJECT, REASON_MAX, publicitySteps } from '../../lib/interpret/publicity.ts';
import { claimTimeout, duePayments, lockPayment, openPayment, paymentOf, paymentsOf } from './payment.ts';
import type { PaymentCallback, PaymentRecord } from './payment.ts';
import { PAID, TIMEOUT, orderIdOf, paymentSteps } from '../../lib/interpret/payment.ts';

/**
 * The hall's engine. An application's state is never stored as a copy of the flow: it is the reference
 * interpreter run over the application's decisions so far (`runWorkflow(definition, decisions)`), so the
 * runtime cannot disagree with `hall test`, `hall simulate` or the BPMN differential. Each change is one
 * transaction that appends the decision, updates the tasks, and writes the change's events and
 * notifications (the timeline entries and notifications the new run has beyond those already written).
 */

/** `unpaid` (issue 15.9b): a payment step's period ended unpaid and the service has no unpaid steps: 未缴费. */
export type ApplicationStatus = 'pending' | 'returned' | 'approved' | 'rejected' | 'unpaid' | 'withdrawn' | 'incident';
export type Action = Decision['action'];

export interface Applicant {
  /** The person's id in the identity platform (学号/工号). */
  id: string;
  /** Attributes the flow reads as `applicant.*` (name, type, college, class …). */
  attributes: Record<string, unknown>;
}

export interface ApplicationRecord {
  id: string;
  service: string;
  version: number;
  applicantId: string;
  applicant: Record<string, unknown>;
  data: Record<string, unknown>;
  /** An appointment's booking (预约): the resource, date and slot it holds. Absent for other services. */
  booking?: Booking;
  /** 代理申请: who submitted it on the applicant's behalf (server/engine/proxy.ts). Absent when the applicant did. */
  proxy?: string;
  decisions: Decision[];
  status: ApplicationStatus;
  channel: string;
  submittedAt: string;
  updatedAt: string;
  revision: number;
}

/** An appointment's booking: which resource, on which local date, in which of the service's slots. */
export type Booking = BookingInput;

export interface TaskRecord {
  id: string;
  application: string;
  step: string;
  round: number;
  group: string;
  scope: string;
  status: 'open' | 'done' | 'cancelled';
  due: string;
  /** An hours deadline's due time (issue 15.7), UTC; `due` is then its local date. */
  dueAt?: string;
  openedAt: string;
  actedBy?: string;
  actedAt?: string;
  action?: Action;
  comment?: string;
  /** Handed to this person (转办, 加签, 委派): only they (or their stand-in) may act. */
  person?: string;
  handedBy?: string;
  handedAt?: string;
  /** Acted by a stand-in for this absent colleague (委托). */
  onBehalfOf?: string;
}

/** Why a request was refused, with a message for the person who made it (Chinese first). */
export type Refusal =
  | { kind: 'not-found'; message: Message }
  | { kind: 'refused'; message: Message }
  | { kind: 'forbidden'; message: Message }
  | { kind: 'invalid'; message: Message; fieldErrors: FieldError[] }
  | { kind: 'conflict'; message: Message; actedBy?: string; actedAt?: string; status: string };

export interface Message {
  zh: string;
  en: string;
}

export type Outcome<T> = ({ ok: true } & T) | ({ ok: false } & Refusal);

export interface EngineOptions {
  store: Store;
  runtime: LoadedRuntime;
  /** The clock; injected so tests and scenarios are reproducible. */
  now?: () => Date;
  /** The hall's address for links in notifications. */
  hallUrl?: string;
  /** Told of each timer the sweep fires (for the log). */
  onTimer?: (fired: FiredTimer) => void;
  /** Departments, the person-id pattern and the people a routing field may name (checked on submission). */
  directory?: Directory;
  /** The attachments' files: given, the sweep also deletes attachments past their service's retention period. */
  files?: FileStore;
  /** Payment platforms (issue 15.9b): a connector's callback secret and cashier address, from the configuration. */
  paymentPlatform?: (connector: string) => PaymentPlatform | undefined;
}

/** What the hall's configuration says of a payment platform connector (never the catalog). */
export interface PaymentPlatform {
  /** The shared secret the platform signs its callbacks with (HMAC-SHA256); without it no callback is accepted. */
  secret?: string;
  /** The cashier address the applicant's 去缴费 opens, with `{orderId}` (and `{amountFen}`) filled in. */
  payUrl?: string;
}

/** A payment callback refused, with the HTTP status it answers with. */
export type CallbackOutcome =
  | { ok: true; duplicate: boolean; payment: PaymentRecord }
  | { ok: false; status: 404 | 409 | 422; error: string; message: Message };

/** A step nobody can be assigned, as the IT office sees it (`GET /api/admin/incidents`). */
export interface IncidentRecord {
  id: string;
  application: string;
  service: string;
  version: number;
  step: string;
  group: string;
  /** '' for a university-wide group, or when the scope could not be worked out (reason `missing-value`). */
  scope: string;
  /**
   * Payment steps (issue 15.9b): `payment-mismatch` a signed callback named an order with another amount;
   * `payment-late` the platform confirmed an order the hall had already closed unpaid; `payment-duplicate` a
   * second payment (another transaction) for an order already paid. Each needs a person to refund or reconcile.
   */
  reason: 'no-holder' | 'missing-value' | 'system-failed' | 'payment-mismatch' | 'payment-late' | 'payment-duplicate';
  /** For `missing-value`: the reference without a value, e.g. applicant.class. */
  missing?: string;
  /** The task waiting for a holder (`no-holder`). */
  task?: string;
  since: string;
  resolvedAt?: string;
  resolution?: string;
}

/** A timer the sweep fired: an overdue mark or a due-day reminder, on one task of one application. */
export interface FiredTimer {
  kind: 'overdue' | 'reminder' | 'publicity' | 'payment';
  task: string;
  application: string;
}

let lastTick = 0;

/**
 * Sortable, unguessable ids: a time that never repeats or goes back within this process (so an
 * application's events, written in one transaction, sort in the order they happened), then 48 random bits.
 */
export function newId(now: Date): string {
  lastTick = Math.max(now.getTime(), lastTick + 1);
  // A v4 UUID's last 12 hex digits are 48 random bits; randomUUID draws them from a cached CSPRNG pool (issue 13:
  // randomBytes made a system call per id, several per change).
  return `${lastTick.toString(36).padStart(9, '0')}${randomUUID().slice(24)}`;
}

const json = (value: unknown) => JSON.stringify(value);

export class Engine {
  readonly store: Store;
  private loaded: LoadedRuntime;
  private directory: Directory | undefined;
  private readonly now: () => Date;
  private readonly hallUrl: string;
  private readonly onTimer: (fired: FiredTimer) => void;
  /** The written counts of applications locked in a transaction (their row was just read: no second read). */
  private readonly locked = new WeakMap<ApplicationRecord, { emittedTimeline: number; emittedNotifications: number }>();
  private readonly files: FileStore | undefined;
  /** A payment platform's callback secret and cashier address (issue 15.9b); none when not configured. */
  readonly paymentPlatform: (connector: string) => PaymentPlatform | undefined;

  constructor(options: EngineOptions) {
    this.paymentPlatform = options.paymentPlatform ?? (() => undefined);
    this.store = options.store;
    this.loaded = options.runtime;
    this.directory = options.directory;
    this.now = options.now ?? (() => new Date());
    this.hallUrl = options.hallUrl ?? '';
    this.onTimer = options.onTimer ?? (() => undefined);
    this.files = options.files;
  }

  /** The definitions new work runs on; replaced as a whole by a reload (applications stay on their pinned versions). */
  get runtime(): LoadedRuntime {
    return this.loaded;
  }

  /**
   * Switch to newly loaded definitions. The caller has checked them (`missingVersionsIn`): every version an
   * application in flight is pinned to is still there, and versions never change once written, so an
   * application reads the same definition before and after.
   */
  useRuntime(runtime: LoadedRuntime): void {
    this.loaded = runtime;
  }

  /** The directory routing fields are checked against on submission (after an import or reload). */
  useDirectory(directory: Directory | undefined): void {
    this.directory = directory;
  }

  /**
   * Versions that applications in flight are pinned to but the loaded generated/ no longer holds. The
   * server refuses to start on a non-empty answer: switching them silently to another version would
   * change the rules of a case half-way.
   */
  async missingVersions(runtime: LoadedRuntime = this.runtime): Promise<{ service: string; version: number; applications: number }[]> {
    const rows = await this.store.query<{ service: string; version: number; n: number | string }>(
      "SELECT service, version, COUNT(*) AS n FROM application WHERE status IN ('pending', 'returned', 'incident') GROUP BY service, version ORDER BY service, version",
    );
    return rows
      .filter((r) => !runtime.definitions.get(r.service)?.has(Number(r.version)))
      .map((r) => ({ service: r.service, version: Number(r.version), applications: Number(r.n) }));
  }

  /** Start an application on the service's current version. */
  async submit(input: { service: string; applicant: Applicant; data: Record<string, unknown>; booking?: Booking; channel?: string; proxy?: string }): Promise<Outcome<{ application: ApplicationRecord }>> {
    const entry = this.runtime.manifest.services.find((s) => s.id === input.service);
    if (!entry) return { ok: false, kind: 'not-found', message: { zh: `没有事项“${input.service}”`, en: `no service "${input.service}"` } };
    if (entry.status === 'retired') {
      const successor = entry.retired?.successor;
      return {
        ok: false,
        kind: 'refused',
        message: {
          zh: `“${entry.name.zh}”已于 ${entry.retired?.date ?? ''} 停办，不再受理新申请${successor ? `，请改为申请接替事项“${successor}”` : ''}。已提交的申请继续办理。`,
          en: `"${entry.name.en ?? entry.name.zh}" was retired on ${entry.retired?.date ?? ''} and takes no new applications${successor ? `; apply for its successor "${successor}"` : ''}. Applications already made continue.`,
        },
      };
    }
    if (entry.status === 'suspended') return { ok: false, kind: 'refused', message: { zh: `“${entry.name.zh}”暂停受理。`, en: `"${entry.name.en ?? entry.name.zh}" is suspended.` } };
    if (entry.type === 'link') return { ok: false, kind: 'refused', message: { zh: `“${entry.name.zh}”在其他系统办理，请从办事指南进入。`, en: `"${entry.name.en ?? entry.name.zh}" is handled in another system; follow the guide's link.` } };
    const definition = this.runtime.current(input.service);
    const now = this.now();
    const submittedAt = now.toISOString();
    const app: ApplicationRecord = {
      id: newId(now),
      service: input.service,
      version: definition.version,
      applicantId: input.applicant.id,
      applicant: input.applicant.attributes,
      data: input.data,
      ...(input.booking ? { booking: { resource: input.booking.resource, date: input.booking.date, slot: input.booking.slot } } : {}),
      ...(input.proxy ? { proxy: input.proxy } : {}),
      decisions: [],
      status: 'pending',
      channel: input.channel ?? 'pc',
      submittedAt,
      updatedAt: submittedAt,
      revision: 0,
    };
    // The booking is judged before the form: a form's conditions may read booking.*, which must be real.
    const bookingErrors = bookingProblems(definition, this.runtime.calendar, input.booking, now);
    if (bookingErrors.length) return invalid(undefined, bookingErrors);
    const result = this.replay(definition, app, [], this.directory);
    const outcome = await this.store.transaction(async (tx): Promise<Outcome<{ settled: Promise<ApplicationStatus> }>> => {
      // The form's file fields hold attachment ids: each must be the applicant's own upload for this field, not yet in another application.
      const files = await claimAttachments(tx, definition, { person: app.applicantId, service: app.service, values: app.data });
      const locked = lockedPrefillErrors(definition, input.applicant.attributes, input.data);
      if (result.outcome === 'invalid' || files.errors.length || locked.length) return invalid(result, [...files.errors, ...locked]);
      const place = app.booking ? slotKey(app.booking) : null;
      // 预约限额 (appointment.limits): counted under a lock per person and per unit, taken before the slot's
      // lock (always in this order, so two submissions never wait on each other in a circle).
      if (app.booking && definition.appointment?.limits) {
        const over = await quotaProblems(tx, definition, app.booking, { id: app.applicantId, attributes: app.applicant });
        if (over.length) return invalid(undefined, over);
      }
      if (app.booking && place) {
        // The slot's places are counted and taken under one lock per slot (an advisory lock on PostgreSQL;
        // SQLite's write transaction is already exclusive): of two submissions for the last place, the
        // second counts the first's committed row and is refused.
        await tx.lock(`servicehall:booking:${app.service}:${place}`);
        const [row] = await tx.query<{ n: number | string }>(
          "SELECT COUNT(*) AS n FROM application WHERE service = $1 AND booking_slot = $2 AND status NOT IN ('withdrawn', 'rejected')",
          [app.service, place],
        );
        if (Number(row.n) >= PLACES_PER_SLOT) return invalid(undefined, [slotFull(definition, app.booking)]);
      }
      // apply() inserts the application's row, with the state its first run gives it.
      const { settled } = await this.applyPipelined(tx, app, definition, result, { emittedTimeline: 0, emittedNotifications: 0, fresh: true }, submittedAt);
      await files.bind(app.id, submittedAt);
      // 代理申请 (server/engine/proxy.ts): who applied on the applicant's behalf, and the applicant told.
      if (app.proxy) await recordProxy(tx, this, app, submittedAt);
      return { ok: true as const, settled };
    });
    if (!outcome.ok) return outcome;
    // Known once the transaction committed (on PostgreSQL its answer came with the COMMIT). apply() counted the
    // submission as the first revision, as the stored row says.
    return { ok: true, application: { ...app, status: await outcome.settled, revision: app.revision + 1 } };
  }

  /** An approver decides a task. Exactly one of two people acting on the same task wins; the other gets a conflict. */
  async act(input: { task: string; person: string; action: Action; comment?: string; data?: Record<string, unknown>; to?: string; position?: 'before' | 'after'; returnTo?: string }): Promise<Outcome<{ application: ApplicationRecord; task: TaskRecord }>> {
    const outcome = await this.store.transaction(async (tx): Promise<Outcome<{ application: ApplicationRecord; task: TaskRecord; settled: Promise<ApplicationStatus> }>> => {
      // The task and its application, both locked, and whether the person holds the task's group@scope: one statement.
      const locked = tx.query(
        `SELECT ${APPLICATION_COLUMNS.map((c) => `a.${c}`).join(', ')}, ${TASK_COLUMNS.map((c) => `t.${c} AS task_${c}`).join(', ')}, EXISTS (SELECT 1 FROM membership m WHERE m.person_id = $2 AND m.group_id = t.group_id AND m.scope = t.scope) AS holds FROM task t JOIN application a ON a.id = t.application_id WHERE t.id = $1 ${tx.lockRow}`,
        [input.task, input.person],
      );
      // What apply() reads, sent behind the lock without waiting for it (one round trip for both on PostgreSQL, which
      // runs it once the lock is held): the application's open tasks and open incidents (pipelined-reads.ts).
      const around = readAround(tx, input.task);
      const [row] = await locked;
      const aroundRows = await around;
      if (!row) return { ok: false, kind: 'not-found', message: { zh: '没有这个待办', en: 'no such task' } };
      const task = toTask(Object.fromEntries(TASK_COLUMNS.map((c) => [c, row[`task_${c}`]])));
      // A task handed to a person is theirs (or their stand-in's, 委托); others' go to holders of group@scope, known from the
      // statement above unless a hand-over or a stand-in is in play (server/engine/actions.ts).
      const may: { ok: true; actor: Actor } | Awaited<ReturnType<typeof mayAct>> = !task.person && Number(row.holds) ? { ok: true, actor: { person: input.person } } : await mayAct(tx, task, input.person, this.runtime.calendar.localDate(this.now().toISOString()));
      if (!may.ok) return may;
      const app = toApplication(row);
      if (task.status !== 'open') return conflict(task);
      const refusedTo = await handOverRefusal(tx, task, input.action, input.to);
      if (refusedTo) return refusedTo;
      const definition = this.definitionOf(app);
      const at = this.now().toISOString();
      const decision: Decision = { step: task.step, action: input.action, at, ...(input.comment ? { comment: input.comment } : {}), ...(input.data ? { data: input.data } : {}), ...(input.to ? { to: input.to } : {}), ...(input.position ? { position: input.position } : {}), ...(input.returnTo ? { returnTo: input.returnTo } : {}), ...(may.actor.onBehalfOf ? { person: input.person, onBehalfOf: may.actor.onBehalfOf } : {}) };
      const decisions = [...app.decisions, decision];
      const result = this.replay(definition, app, decisions, undefined, true);
      if (result.outcome === 'invalid') return invalid(result);
      if (result.outcome === 'error') {
        return { ok: false, kind: 'refused', message: { zh: `无法办理：${result.problem?.zh ?? ''}`, en: `cannot act: ${result.problem?.en ?? ''}` } };
      }
      // A step asking for a signature or seal (server/privacy/signatures.ts): judged before anything is written, its use recorded with the decision.
      const mark = await markFor(tx, findStep(definition.workflow?.steps ?? [], task.step), task, input.person, input.action);
      if (mark.refusal) return { ok: false, kind: 'refused', message: mark.refusal };
      // A hand-over (or an added approver's or a delegate's turn) leaves the step's task open for the next person; only on
      // a step that allows hand-overs (its other decisions end the task, and need no second replay).
      const handsOver = findStep(definition.workflow?.steps ?? [], task.step)?.actions?.some((a) => isHandOver(a)) ?? false;
      // The replay before the decision runs only when the step still waits (a decision that ends the step needs none).
      const passedOn = handsOver && result.waiting.some((w) => w.step === task.step) && result.path.length === this.replay(definition, app, app.decisions, undefined, true).path.length;
      // Deferred (no round trip of its own on PostgreSQL): the task's row is locked and was read open above, so
      // the update changes it; a second approver waits on the lock and then reads it done (409).
      if (passedOn) await later(tx, "UPDATE task SET handed_by = $1, handed_at = $2 WHERE id = $3 AND status = 'open'", [input.person, at, task.id]);
      else await later(tx, "UPDATE task SET status = 'done', acted_by = $1, acted_at = $2, action = $3, comment = $4, on_behalf_of = $5 WHERE id = $6 AND status = 'open'", [input.person, at, input.action, input.comment ?? null, may.actor.onBehalfOf ?? null, task.id]);
      // The locked row's counts are current: nothing else writes them while the lock is held.
      const emitted = { emittedTimeline: Number(row.emitted_timeline), emittedNotifications: Number(row.emitted_notifications) };
      if (mark.image) await recordUse(tx, mark.image, { application: app.id, task: task.id, step: task.step, person: input.person, at }, this.now());
      const { settled } = await this.applyPipelined(tx, { ...app, decisions }, definition, result, { ...emitted, around: aroundAfter(aroundRows, task.id, passedOn) }, at);
      const { comment: _, ...undecided } = task;
      // A task passed on stays open with its new holder (written by apply): read back only then; a decided one is known.
      const decided: TaskRecord = passedOn
        ? toTask((await tx.query(`SELECT * FROM task WHERE id = $1`, [task.id]))[0])
        : { ...undecided, status: 'done', actedBy: input.person, actedAt: at, action: input.action, ...(input.comment ? { comment: input.comment } : {}), ...(may.actor.onBehalfOf ? { onBehalfOf: may.actor.onBehalfOf } : {}) };
      // The status is known once the transaction committed (a next step's holder is checked by the database meanwhile).
      return { ok: true, application: { ...app, decisions, status: app.status, updatedAt: at, revision: app.revision + 1 }, task: decided, settled };
    });
    if (!outcome.ok) return outcome;
    const { settled, ...done } = outcome;
    return { ...done, application: { ...done.application, status: await settled } };
  }

  /**
   * A system step's call succeeded (issue 15.3, ./system-calls.ts): its `approve` is recorded and the flow
   * goes on, in the caller's transaction (the one that marks the call done). Undefined when the application
   * no longer waits on that call (withdrawn, ended, or already recorded).
   */
  async recordSystemStep(tx: Transaction, application: string, step: string, at: string): Promise<ApplicationStatus | undefined> {
    const app = await this.lockApplication(tx, application);
    if (!app || (app.status !== 'pending' && app.status !== 'incident')) return undefined;
    const definition = this.definitionOf(app);
    if (this.replay(definition, app, app.decisions).calling?.step !== step) return undefined;
    const decisions: Decision[] = [...app.decisions, { step, action: 'approve', at }];
    const result = this.replay(definition, app, decisions);
    if (result.outcome === 'invalid' || result.outcome === 'error') return undefined;
    return this.apply(tx, { ...app, decisions }, definition, result, await this.emitted(tx, app), at);
  }

  /** The earlier steps an open task of `step` may return the application to now (issue 15.5): declared and passed. */
  returnTargets(app: ApplicationRecord, step: string): string[] {
    const definition = this.definitionOf(app);
    if (!findStep(definition.workflow?.steps ?? [], step)?.returnTo) return [];
    return this.replay(definition, app, app.decisions).waiting.find((w) => w.step === step)?.returnTargets ?? [];
  }

  /** The applicant resubmits a returned application, changing the fields they need to. */
  async resubmit(input: { application: string; applicant: string; changes: Record<string, unknown> }): Promise<Outcome<{ application: ApplicationRecord }>> {
    return this.store.transaction(async (tx) => {
      const app = await this.lockApplication(tx, input.application);
      if (!app || app.applicantId !== input.applicant) return { ok: false, kind: 'not-found', message: { zh: '没有这个申请', en: 'no such application' } };
      if (app.status !== 'returned') return { ok: false, kind: 'conflict', status: app.status, message: { zh: '这个申请没有被退回，不能重新提交', en: 'this application was not returned; it cannot be resubmitted' } };
      const definition = this.definitionOf(app);
      const at = this.now().toISOString();
      const last = app.decisions.at(-1)!;
      const decisions = [...app.decisions.slice(0, -1), { ...last, revise: input.changes, resubmittedAt: at }];
      const result = this.replay(definition, app, decisions, this.directory);
      const files = await claimAttachments(tx, definition, { person: app.applicantId, service: app.service, values: input.changes, application: app.id });
      const locked = lockedPrefillErrors(definition, app.applicant, input.changes);
      if (result.outcome === 'invalid' || files.errors.length || locked.length) return invalid(result, [...files.errors, ...locked]);
      await files.bind(app.id, at);
      const emitted = await this.emitted(tx, app);
      const status = await this.apply(tx, { ...app, decisions }, definition, result, emitted, at);
      return { ok: true, application: { ...app, decisions, status, updatedAt: at, revision: app.revision + 1 } };
    });
  }

  /**
   * The applicant completes their own step (issue 15.1: 销假, 报到), entering the step's fields. Their task
   * (group @applicant, scope their id) is done, and the flow goes on — to 已办结 when it was the last step.
   */
  async complete(input: { application: string; applicant: string; data?: Record<string, unknown> }): Promise<Outcome<{ application: ApplicationRecord }>> {
    return this.store.transaction(async (tx) => {
      const app = await this.lockApplication(tx, input.application);
      if (!app || app.applicantId !== input.applicant) return { ok: false, kind: 'not-found', message: { zh: '没有这个申请', en: 'no such application' } };
      const definition = this.definitionOf(app);
      const waiting = app.status === 'pending' ? this.replay(definition, app, app.decisions).waiting.find((w) => w.assignee === APPLICANT_ASSIGNEE) : undefined;
      if (!waiting) return { ok: false, kind: 'conflict', status: app.status, message: { zh: '这个申请没有等待您办理的环节', en: 'this application has no step waiting for you' } };
      const at = this.now().toISOString();
      const decisions: Decision[] = [...app.decisions, { step: waiting.step, action: COMPLETE, at, ...(input.data && Object.keys(input.data).length ? { data: input.data } : {}) }];
      const result = this.replay(definition, app, decisions);
      if (result.outcome === 'invalid') return invalid(result);
      if (result.outcome === 'error') return { ok: false, kind: 'refused', message: { zh: `无法办理：${result.problem?.zh ?? ''}`, en: `cannot complete: ${result.problem?.en ?? ''}` } };
      await tx.run("UPDATE task SET status = 'done', acted_by = $1, acted_at = $2, action = $3 WHERE application_id = $4 AND step = $5 AND status = 'open'", [input.applicant, at, COMPLETE, app.id, waiting.step]);
      const emitted = await this.emitted(tx, app);
      const status = await this.apply(tx, { ...app, decisions }, definition, result, emitted, at);
      return { ok: true, application: { ...app, decisions, status, updatedAt: at, revision: app.revision + 1 } };
    });
  }

  /**
   * 公示 (issue 15.2, docs/publicity.md): a signed-in member of the university other than the applicant objects,
   * once per period, with a reason, while the period is open. An application not in a period is not found,
   * whoever asks: the list of what is published is GET /api/publicity.
   */
  async object(input: { application: string; person: string; reason: string }): Promise<Outcome<{ application: ApplicationRecord }>> {
    const reason = input.reason.trim();
    if (!reason || reason.length > REASON_MAX) {
      return { ok: false, kind: 'invalid', fieldErrors: [{ field: 'reason', label: '异议理由', message: { zh: `请写明异议的理由（1–${REASON_MAX} 个字）`, en: `give the objection's reason (1–${REASON_MAX} characters)` } } as FieldError], message: { zh: '请写明异议的理由', en: 'give a reason' } };
    }
    return this.store.transaction(async (tx) => {
      const app = await this.lockApplication(tx, input.application);
      const definition = app ? this.definitionOf(app) : undefined;
      const open = app && definition && app.status === 'pending' ? this.replay(definition, app, app.decisions).publicizing : undefined;
      if (!app || !definition || !open) return { ok: false, kind: 'not-found', message: { zh: '没有正在公示的这个申请', en: 'no such application in publicity' } };
      if (app.applicantId === input.person) return { ok: false, kind: 'forbidden', message: { zh: '申请人本人不能对自己的公示结果提出异议', en: 'the applicant cannot object to their own result' } };
      const at = this.now().toISOString();
      if (Date.parse(at) > Date.parse(open.endsAt)) return { ok: false, kind: 'conflict', status: app.status, message: { zh: `公示已于 ${open.until} 期满`, en: `the period ended on ${open.until}` } };
      if (app.decisions.some((d) => d.step === open.step && d.action === OBJECT && d.person === input.person)) {
        return { ok: false, kind: 'conflict', status: app.status, message: { zh: '您已对本次公示提出过异议', en: 'you have already objected in this period' } };
      }
      const decisions: Decision[] = [...app.decisions, { step: open.step, action: OBJECT, at, person: input.person, comment: reason }];
      const result = this.replay(definition, app, decisions, undefined, true);
      if (result.outcome === 'error' || result.outcome === 'invalid') return { ok: false, kind: 'refused', message: { zh: `无法提出异议：${result.problem?.zh ?? ''}`, en: `cannot object: ${result.problem?.en ?? ''}` } };
      const status = await this.apply(tx, { ...app, decisions }, definition, result, await this.emitted(tx, app), at);
      return { ok: true, application: { ...app, decisions, status, updatedAt: at, revision: app.revision + 1 } };
    });
  }

  /** What is being published now (the 公示 list), with each service's and step's names. */
  async publicity(): Promise<(PublicityEntry & { serviceName: { zh: string; en?: string }; stepName: { zh: string; en?: string }; description?: { zh: string; en?: string } })[]> {
    return (await openPublicityEntries(this.store)).map((entry) => {
      const definition = this.runtime.version(entry.service, entry.version);
      const node = publicitySteps(definition.workflow?.steps ?? []).find((p) => p.id === entry.step);
      const serviceName = this.runtime.manifest.services.find((s) => s.id === entry.service)?.name ?? { zh: entry.service };
      return { ...entry, serviceName, stepName: node?.name ?? { zh: entry.step }, ...(node?.description ? { description: node.description } : {}) };
    });
  }

  /** The applicant withdraws an application nobody has acted on yet. */
  async withdraw(input: { application: string; applicant: string; reason?: string }): Promise<Outcome<{ application: ApplicationRecord }>> {
    return this.store.transaction(async (tx) => {
      const app = await this.lockApplication(tx, input.application);
      if (!app || app.applicantId !== input.applicant) return { ok: false, kind: 'not-found', message: { zh: '没有这个申请', en: 'no such application' } };
      if ((app.status !== 'pending' && app.status !== 'incident') || app.decisions.length > 0) {
        return { ok: false, kind: 'conflict', status: app.status, message: { zh: '已有人办理或申请已结束，不能撤回', en: 'someone has already acted, or the application has ended: it cannot be withdrawn' } };
      }
      // appointment.limits.cancelBeforeHours: a booking is cancelled at least that long before its slot begins.
      const late = app.booking ? cancelTooLate(this.runtime.version(app.service, app.version), this.runtime.calendar, app.booking, this.now()) : undefined;
      if (late) return { ok: false, kind: 'refused', message: late };
      const at = this.now().toISOString();
      await later(tx, "UPDATE task SET status = 'cancelled' WHERE application_id = $1 AND status = 'open'", [app.id]);
      await later(tx, "UPDATE incident SET resolved_at = $1, resolution = 'withdrawn' WHERE application_id = $2 AND resolved_at IS NULL", [at, app.id]);
      await later(tx, 'UPDATE application SET status = $1, updated_at = $2, revision = revision + 1 WHERE id = $3', ['withdrawn', at, app.id]);
      await this.appendEvent(tx, app, { type: 'withdrawn', at, ...(input.reason ? { comment: input.reason } : {}) });
      return { ok: true, application: { ...app, status: 'withdrawn', updatedAt: at, revision: app.revision + 1 } };
    });
  }

  async application(id: string): Promise<ApplicationRecord | undefined> {
    const [row] = await this.store.query('SELECT * FROM application WHERE id = $1', [id]);
    return row ? toApplication(row) : undefined;
  }

  /** A person's own applications, newest first. */
  async applicationsOf(applicant: string): Promise<ApplicationRecord[]> {
    return (await this.store.query('SELECT * FROM application WHERE applicant_id = $1 ORDER BY submitted_at DESC, id DESC', [applicant])).map(toApplication);
  }

  /**
   * Least sight: the applicant sees their application; an approver sees it while they hold one of its
   * open tasks' group@scope, and afterwards if they acted on it.
   */
  async maySee(person: string, application: ApplicationRecord): Promise<boolean> {
    if (application.applicantId === person) return true;
    // 代理申请: who applied on the applicant's behalf follows the case they submitted (server/engine/proxy.ts).
    if (application.proxy === person) return true;
    if (await seesThroughActions(this.store, person, application.id)) return true;
    const rows = await this.store.query(
      "SELECT 1 AS yes FROM task t LEFT JOIN membership m ON m.group_id = t.group_id AND m.scope = t.scope AND m.person_id = $1 WHERE t.application_id = $2 AND (t.acted_by = $1 OR (t.status = 'open' AND m.person_id IS NOT NULL))",
      [person, application.id],
    );
    if (rows.length > 0) return true;
    // A service's named readers (privacy.readers group@department) see its cases without handling a step.
    const readers = this.definitionOf(application).privacy?.readers;
    return readers ? holdsNamedReader(this.store, person, readers) : false;
  }

  async tasksOf(application: string): Promise<TaskRecord[]> {
    return (await this.store.query('SELECT * FROM task WHERE application_id = $1 ORDER BY opened_at, step, round', [application])).map(toTask);
  }

  /**
   * Open tasks of the groups@scopes a person holds, soonest due first. CROSS JOIN makes SQLite start from
   * the person's memberships (PostgreSQL plans it as any join): left to itself, SQLite walked every open
   * task in the hall by due date and probed membership for each.
   */
  async todo(person: string): Promise<TaskRecord[]> {
    return (await openTasksOf(this.store, person, this.runtime.calendar.localDate(this.now().toISOString()))).map(toTask);
  }

  async events(application: string): Promise<RuntimeEvent[]> {
    return (await this.store.query<{ body: string }>('SELECT body FROM event WHERE application_id = $1 ORDER BY id', [application])).map((r) => JSON.parse(r.body) as RuntimeEvent);
  }

  /**
   * The timers, as data: tasks whose due date has ended are marked overdue (an `overdue` event and the
   * step's overdue notification), and tasks due today are reminded from 09:00 (催办, to the holders). Each
   * mark is a conditional update inside one transaction, so a sweep run by several processes at once, or
   * again after a crash, fires each timer exactly once. State lives in the task rows: nothing is lost on
   * restart.
   */
  async sweep(now = this.now()): Promise<{ overdue: number; reminded: number; publicized?: number; unpaid?: number; expired?: number; discarded?: number }> {
    const today = this.runtime.calendar.localDate(now.toISOString());
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: this.runtime.calendar.timezone, hour: '2-digit', hourCycle: 'h23' }).format(now));
    const stamp = now.toISOString();
    // Work-day tasks are late once their due day has ended; hours tasks (issue 15.7) once their due time has passed.
    const late = await this.store.query<{ id: string }>("SELECT id FROM task WHERE status = 'open' AND overdue_at IS NULL AND ((due_at IS NULL AND due < $1) OR due_at < $2) ORDER BY due, id", [today, stamp]);
    const overdue = await this.fireOnce('overdue', late, stamp, async (tx, task, app) => {
      const step = findStep(this.definitionOf(app).workflow?.steps ?? [], task.step);
      const assignee = task.scope ? `${task.group}@${task.scope}` : task.group;
      // The same instant the interpreter gives an overdue step: the end of its due date in the school's time zone,
      // or an hours deadline's due time, written in the zone's offset as the interpreter writes it.
      const dueAt = task.dueAt ? this.runtime.calendar.addHours(task.dueAt, 0) : undefined;
      const at = dueAt ?? this.runtime.calendar.endOfDay(task.due);
      await this.appendEvent(tx, app, { type: 'overdue', at, step: task.step, group: task.group, ...(task.scope ? { scope: task.scope } : {}), due: task.due, ...(dueAt ? { dueAt } : {}) });
      const own = applicantStepOf(this.definitionOf(app), task);
      const text = own
        ? (this.render(app, own.notify?.overdue ?? applicantOverdueText(this.serviceName(app), own.name.zh, task.due), { step: { name: own.name.zh, id: own.id }, dueDate: task.due }))
        : this.render(app, step?.notify?.overdue, { step: { name: step?.name.zh ?? task.step, id: task.step }, dueDate: dueLabel(task.due, dueAt) });
      if (text) await this.enqueue(tx, app.id, 'overdue', own ? applicantRecipient(app) : assignee, text, stamp);
    });
    // Work-day tasks are reminded on their due day from 09:00, or from 09:00 `reminder` work days before it when their
    // step says so (remind_at); hours tasks (issue 15.7) once half their time has passed, at any hour; neither once
    // overdue (a sweep that did not run in the second half says "overdue", not "due soon").
    const halfway = await this.store.query<{ id: string }>("SELECT id FROM task WHERE status = 'open' AND reminded_at IS NULL AND overdue_at IS NULL AND remind_at <= $1 ORDER BY remind_at, id", [stamp]);
    const dueToday = hour >= 9 ? await this.store.query<{ id: string }>("SELECT id FROM task WHERE status = 'open' AND reminded_at IS NULL AND due_at IS NULL AND due = $1 ORDER BY id", [today]) : [];
    let reminded = 0;
    if (halfway.length + dueToday.length) {
      reminded = await this.fireOnce('reminder', [...halfway, ...dueToday], stamp, async (tx, task, app) => {
        const step = findStep(this.definitionOf(app).workflow?.steps ?? [], task.step);
        const entry = this.runtime.manifest.services.find((s) => s.id === app.service);
        const own = applicantStepOf(this.definitionOf(app), task);
        const text = own
          ? applicantReminderText(entry?.name.zh ?? app.service, own.name.zh, task.due)
          : task.dueAt || task.due !== today
            ? `【催办】“${entry?.name.zh ?? app.service}”的“${step?.name.zh ?? task.step}”将于 ${this.dueText(task)} 到期，请及时办理。`
            : `【催办】“${entry?.name.zh ?? app.service}”的“${step?.name.zh ?? task.step}”今天（${task.due}）到期，请及时办理。`;
        // A task handed to one person (转办, 加签, 委派) reminds that person, not the whole post; the applicant's own step (15.1) the applicant.
        await this.enqueue(tx, app.id, 'reminder', own ? applicantRecipient(app) : task.person ? `person:${task.person}` : task.scope ? `${task.group}@${task.scope}` : task.group, text, stamp);
      });
    }
    // Publicity periods whose end has come (issue 15.2): named in the answer only when some ended.
    const publicized = await this.endPublicity(stamp);
    // Orders still unpaid at the end of their last day (issue 15.9b): likewise.
    const unpaid = await this.endPayments(stamp);
    const ended = { ...(publicized ? { publicized } : {}), ...(unpaid ? { unpaid } : {}) };
    // Attachments past their service's retention period (server/privacy/retention.ts): deleted, and said so.
    // Uploads never submitted, past UNSUBMITTED_UPLOAD_DAYS and named by no draft: deleted too.
    if (this.files) return { overdue, reminded, ...ended, expired: await expireAttachments(this, this.files, now), discarded: await discardUnsubmittedUploads(this, this.files, now) };
    return { overdue, reminded, ...ended };
  }

  /**
   * Publicity periods whose end has come (issue 15.2): each closed once (claimPublicity), and its end recorded on
   * the application in the same transaction; the flow goes on, or into the objection branch. Returns how many.
   */
  private async endPublicity(stamp: string): Promise<number> {
    let ended = 0;
    for (const { id } of await duePublicity(this.store, stamp)) if (await this.closePublicity(id, stamp)) ended++;
    return ended;
  }

  /**
   * The preview only (`hall dev`, POST /api/dev/applications/:id/end-publicity): end an application's open period
   * now, as the sweep would at its end, so that an admin can try the objection branch without waiting the days.
   */
  async endPublicityNow(application: string): Promise<boolean> {
    const [row] = await this.store.query<{ id: string }>('SELECT id FROM publicity WHERE application_id = $1 AND closed_at IS NULL ORDER BY opened_at DESC, id DESC', [application]);
    return row ? this.closePublicity(row.id, this.now().toISOString()) : false;
  }

  /** Close one period once (claimPublicity) and record its end on the application in the same transaction. */
  private async closePublicity(id: string, stamp: string): Promise<boolean> {
    const application = await this.store.transaction(async (tx) => {
      const claimed = await claimPublicity(tx, id, stamp);
      if (!claimed) return undefined;
      const app = await this.lockApplication(tx, claimed.application);
      if (!app || app.status !== 'pending') return app?.id;
      const definition = this.definitionOf(app);
      const open = this.replay(definition, app, app.decisions).publicizing;
      if (open?.step !== claimed.step) return app.id;
      const decisions: Decision[] = [...app.decisions, { step: claimed.step, action: CLOSE, at: open.endsAt }];
      const result = this.replay(definition, app, decisions, undefined, true);
      if (result.outcome === 'error' || result.outcome === 'invalid') return app.id;
      await this.apply(tx, { ...app, decisions }, definition, result, await this.emitted(tx, app), stamp);
      return app.id;
    });
    if (application) this.onTimer({ kind: 'publicity', task: id, application });
    return application !== undefined;
  }

  /**
   * Orders still open at the end of their last day (issue 15.9b): each closed once (claimTimeout), and the
   * `timeout` recorded on the application in the same transaction: the unpaid steps follow, or it ends 未缴费.
   */
  private async endPayments(stamp: string): Promise<number> {
    let ended = 0;
    for (const { id } of await duePayments(this.store, stamp)) {
      const application = await this.store.transaction(async (tx) => {
        const claimed = await claimTimeout(tx, id, stamp);
        if (!claimed) return undefined;
        const app = await this.lockApplication(tx, claimed.application);
        if (!app || (app.status !== 'pending' && app.status !== 'incident')) return app?.id;
        const definition = this.definitionOf(app);
        const open = this.replay(definition, app, app.decisions).paying;
        if (open?.step !== claimed.step) return app.id;
        const decisions: Decision[] = [...app.decisions, { step: claimed.step, action: TIMEOUT, at: open.endsAt }];
        const result = this.replay(definition, app, decisions, undefined, true);
        if (result.outcome === 'error' || result.outcome === 'invalid') return app.id;
        await this.apply(tx, { ...app, decisions }, definition, result, await this.emitted(tx, app), stamp);
        return app.id;
      });
      if (application) {
        ended++;
        this.onTimer({ kind: 'payment', task: id, application });
      }
    }
    return ended;
  }

  /**
   * The payment platform confirms an order (issue 15.9b): the callback's signature was checked by the caller.
   * Recorded once: a replay with the same transaction is answered as done; an unknown order is 404; a wrong
   * amount, a payment after the order closed unpaid, or a second transaction is refused and raised as an
   * incident for a person to refund or reconcile. The `paid` decision carries when the platform took the money
   * (never later than now, never before the order), so a payment made in time but reported late still counts.
   */
  async confirmPayment(connector: string, callback: PaymentCallback): Promise<CallbackOutcome> {
    const received = this.now().toISOString();
    return this.store.transaction(async (tx): Promise<CallbackOutcome> => {
      const locked = await lockPayment(tx, callback.orderId);
      if (!locked || locked.record.connector !== connector) return { ok: false, status: 404, error: 'not-found', message: { zh: '没有这个订单。', en: 'No such order.' } };
      const { record, endsAt } = locked;
      const refuse = async (reason: 'payment-mismatch' | 'payment-late' | 'payment-duplicate', status: 409 | 422, message: Message): Promise<CallbackOutcome> => {
        // Platforms retry a callback until it is accepted: one open incident per order and reason, however often it comes.
        const [open] = await tx.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM incident WHERE application_id = $1 AND step = $2 AND reason = $3 AND resolved_at IS NULL', [record.application, record.step, reason]);
        if (Number(open.n) === 0) await this.raiseIncident(tx, record.application, { step: record.step, group: 'system', scope: connector, reason }, received);
        return { ok: false, status, error: status === 422 ? 'invalid' : 'conflict', message };
      };
      if (callback.amountFen !== record.amountFen) {
        return refuse('payment-mismatch', 422, { zh: `金额不符：订单应缴 ${record.amountFen} 分，回调为 ${callback.amountFen} 分。`, en: `Amount mismatch: the order is for ${record.amountFen} fen, the callback says ${callback.amountFen}.` });
      }
      if (record.status === 'paid') {
        if (record.transactionId === callback.transactionId) return { ok: true, duplicate: true, payment: record };
        return refuse('payment-duplicate', 409, { zh: '这个订单已经缴费（另一笔交易），重复缴费需要退款。', en: 'This order was already paid by another transaction; the second payment needs a refund.' });
      }
      const paidAt = callback.paidAt && !Number.isNaN(Date.parse(callback.paidAt)) ? new Date(Math.max(Date.parse(record.openedAt), Math.min(Date.parse(callback.paidAt), Date.parse(received)))).toISOString() : received;
      if (record.status === 'unpaid' || Date.parse(paidAt) > Date.parse(endsAt)) {
        return refuse('payment-late', 409, { zh: `缴费期限 ${record.until} 已过，订单已按未缴费处理，这笔款项需要退款。`, en: `The period ended on ${record.until} and the order was closed unpaid; this payment needs a refund.` });
      }
      const app = await this.lockApplication(tx, record.application);
      const definition = app ? this.definitionOf(app) : undefined;
      const open = app && definition && (app.status === 'pending' || app.status === 'incident') ? this.replay(definition, app, app.decisions).paying : undefined;
      if (!app || !definition || open?.step !== record.step) return refuse('payment-late', 409, { zh: '这个申请已不在等待缴费（已撤回或已办结），这笔款项需要退款。', en: 'The application no longer waits for this payment (withdrawn or ended); it needs a refund.' });
      const decisions: Decision[] = [...app.decisions, { step: record.step, action: PAID, at: paidAt, transaction: callback.transactionId }];
      const result = this.replay(definition, app, decisions, undefined, true);
      if (result.outcome === 'error' || result.outcome === 'invalid') return refuse('payment-late', 409, { zh: `无法记录缴费：${result.problem?.zh ?? ''}`, en: `cannot record the payment: ${result.problem?.en ?? ''}` });
      await tx.run("UPDATE payment SET status = 'paid', paid_at = $1, transaction_id = $2, closed_at = $3 WHERE id = $4", [paidAt, callback.transactionId, received, record.orderId]);
      await this.apply(tx, { ...app, decisions }, definition, result, await this.emitted(tx, app), received);
      return { ok: true, duplicate: false, payment: { ...record, status: 'paid', paidAt, transactionId: callback.transactionId } };
    });
  }

  /** One payment order by its id (issue 15.9b). */
  async payment(orderId: string): Promise<PaymentRecord | undefined> {
    const [row] = await this.store.query<Parameters<typeof paymentOf>[0]>('SELECT * FROM payment WHERE id = $1', [orderId]);
    return row ? paymentOf(row) : undefined;
  }

  /** An application's payment orders, newest first (issue 15.9b). */
  async paymentsOf(application: string): Promise<PaymentRecord[]> {
    return paymentsOf(this.store, application);
  }

  // --- internals --------------------------------------------------------------------------------------

  /**
   * Fire one kind of timer on each task, once: the mark (`overdue_at` or `reminded_at`) is a conditional
   * update in the transaction that does the work, so however many processes sweep, and however often,
   * only the one whose update took a task fires it. Returns how many fired.
   */
  private async fireOnce(kind: FiredTimer['kind'], tasks: { id: string }[], stamp: string, fire: (tx: Transaction, task: TaskRecord, app: ApplicationRecord) => Promise<void>): Promise<number> {
    const mark = kind === 'overdue' ? 'overdue_at' : 'reminded_at';
    let fired = 0;
    for (const { id } of tasks) {
      const application = await this.store.transaction(async (tx) => {
        if ((await tx.run(`UPDATE task SET ${mark} = $1 WHERE id = $2 AND status = 'open' AND ${mark} IS NULL`, [stamp, id])) !== 1) return undefined;
        const task = toTask((await tx.query('SELECT * FROM task WHERE id = $1', [id]))[0]);
        const app = (await this.lockApplication(tx, task.application))!;
        await fire(tx, task, app);
        return app.id;
      });
      if (application) {
        fired++;
        this.onTimer({ kind, task: id, application });
      }
    }
    return fired;
  }

  /** A task's due date as messages say it: the date, with the school's local time for an hours deadline (issue 15.7). */
  dueText(task: Pick<TaskRecord, 'due' | 'dueAt'>): string {
    return dueLabel(task.due, task.dueAt ? this.runtime.calendar.addHours(task.dueAt, 0) : undefined);
  }

  /** The same closed template language, and the same context, the interpreter renders with; an unusable template sends nothing. */
  private render(app: ApplicationRecord, template: string | undefined, extra: Record<string, unknown>): string | undefined {
    if (!template) return undefined;
    const entry = this.runtime.manifest.services.find((s) => s.id === app.service);
    try {
      return renderTemplate(template, { service: { id: app.service, name: entry?.name.zh ?? app.service }, applicant: app.applicant, form: latestData(app), url: this.hallUrl ? `${this.hallUrl.replace(/\/$/, '')}/applications/${app.id}` : '', ...feeVariables(this.definitionOf(app), latestData(app), app.applicant, app.submittedAt), ...extra });
    } catch (error) {
      if (error instanceof TemplateError) return undefined;
      throw error;
    }
  }

  async enqueue(tx: Sql, application: string, event: string, recipient: string, body: string, at: string) {
    await tx.run(
      "INSERT INTO outbox (id, application_id, event, recipient, body, status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
      [newId(this.now()), application, event, recipient, body, at],
    );
  }

  private serviceName(app: ApplicationRecord): string {
    return this.runtime.manifest.services.find((s) => s.id === app.service)?.name.zh ?? app.service;
  }

  private definitionOf(app: ApplicationRecord): RuntimeDefinition {
    return this.runtime.version(app.service, app.version);
  }

  /**
   * The interpreter over an application's decisions. `directory` is given where the applicant's data is
   * judged (submission, resubmission): a routing field must name a department or person the hall knows.
   * An approver's decision replays without it, so a later directory change never blocks a case in flight,
   * and (`accepted`) without judging the data again: they were accepted when the applicant sent them.
   */
  private replay(definition: RuntimeDefinition, app: ApplicationRecord, decisions: Decision[], directory?: Directory, accepted = false): RunResult {
    const entry = this.runtime.manifest.services.find((s) => s.id === app.service);
    return runWorkflow(definition, this.runtime.calendar, {
      applicant: app.applicant,
      data: app.data,
      decisions,
      submittedAt: app.submittedAt,
      ...(app.booking ? { booking: app.booking } : {}),
      service: { id: app.service, name: entry?.name.zh ?? app.service },
      url: this.hallUrl ? `${this.hallUrl.replace(/\/$/, '')}/applications/${app.id}` : '',
      live: true,
      ...(directory ? { directory } : {}),
      ...(accepted ? { accepted } : {}),
    });
  }

  private async lockApplication(tx: Transaction, id: string): Promise<ApplicationRecord | undefined> {
    const [row] = await tx.query(`SELECT * FROM application WHERE id = $1 ${tx.lockRow}`, [id]);
    if (!row) return undefined;
    const app = toApplication(row);
    this.locked.set(app, { emittedTimeline: Number(row.emitted_timeline), emittedNotifications: Number(row.emitted_notifications) });
    return app;
  }

  /** How many timeline entries and notifications of the application are written: from its locked row, read again only when not at hand. */
  private async emitted(tx: Sql, app: ApplicationRecord) {
    const known = this.locked.get(app);
    if (known) return known;
    const [row] = await tx.query<{ emitted_timeline: number; emitted_notifications: number }>('SELECT emitted_timeline, emitted_notifications FROM application WHERE id = $1', [app.id]);
    return { emittedTimeline: Number(row.emitted_timeline), emittedNotifications: Number(row.emitted_notifications) };
  }

  /**
   * Write what a new run adds: its timeline entries beyond those already written (as events), its
   * notifications (to the outbox), the tasks it now waits for; and the application's status. After a
   * return, the run is cut at the return: what follows happens only when the applicant resubmits.
   *
   * Few statements (issue 13: each is a round trip on PostgreSQL): the application's open and just-decided
   * tasks and its open incidents are read in one query (none for a new application, `fresh`, which this
   * inserts with its final state instead of updating it); events, messages and incidents are written with
   * one multi-row INSERT per table at the end; a new task says whether its group@scope has a holder.
   */
  private async apply(...args: Parameters<Engine['applyPipelined']>): Promise<ApplicationStatus> {
    return (await this.applyPipelined(...args)).settled;
  }

  /**
   * {@link apply} without waiting for the application's final status: `settled` resolves once the transaction's
   * answers are in (on PostgreSQL with its COMMIT), so a submission is one round trip (issue 13). Await it only
   * after the transaction committed (or where a round trip costs nothing).
   */
  private async applyPipelined(
    tx: Transaction,
    app: ApplicationRecord,
    definition: RuntimeDefinition,
    result: RunResult,
    emitted: { emittedTimeline: number; emittedNotifications: number; fresh?: boolean; around?: AroundRow[] },
    at: string,
  ): Promise<{ settled: Promise<ApplicationStatus> }> {
    const { timeline, notifications } = result;
    const returned = result.awaiting === 'applicant';
    const writes = new Writes();
    // The application's open tasks, those decided at this instant, and (the last row) how many of its
    // incidents are open. Read under the application's lock, so nothing changes them meanwhile.
    const rows = emitted.fresh
      ? []
      : emitted.around ?? await tx.query<{ id: string; step: string; status: string; overdue_at: string | null }>(
          "SELECT id, step, status, overdue_at FROM task WHERE application_id = $1 AND (status = 'open' OR acted_at = $2) UNION ALL SELECT '', '', '', CAST(COUNT(*) AS TEXT) FROM incident WHERE application_id = $1 AND resolved_at IS NULL AND reason NOT LIKE 'payment-%'",
          [app.id, at],
        );
    const tasks = rows.filter((r) => r.id !== '');
    let unresolved = emitted.fresh ? 0 : Number(rows.find((r) => r.id === '')?.overdue_at ?? 0);
    // An overdue the sweep already announced is not announced again when the late decision replays it:
    // only for the step's current activation (its open task, or the one decided now), never an earlier
    // round's, so a step returned and late again is announced again.
    const announced = new Set(tasks.filter((t) => t.overdue_at !== null).map((t) => t.step));
    const skipped: string[] = [];
    for (const entry of timeline.slice(emitted.emittedTimeline)) {
      if (entry.type === 'overdue' && entry.step && announced.has(entry.step)) {
        skipped.push(entry.assignee === APPLICANT_ASSIGNEE ? applicantRecipient(app) : (entry.assignee ?? ''));
        continue;
      }
      if (entry.type === 'unassigned' && entry.step) {
        // The interpreter stopped: the step's scope reads a value the application does not have.
        const step = findStep(definition.workflow?.steps ?? [], entry.step);
        const missing = step ? (missingReference(step, app.applicant, latestData(app)) ?? assignmentReference(step)) : undefined;
        const group = step?.group ?? '';
        writes.event(this.eventRow(app, { type: 'unassigned', at: entry.at, step: entry.step, group, ...(missing ? { missing } : {}) }));
        writes.incident({ id: newId(this.now()), application: app.id, task: null, step: entry.step, group, scope: '', reason: 'missing-value', missing: missing ?? null, since: entry.at });
        continue;
      }
      writes.event(this.eventRow(app, eventOf(entry)));
      if (entry.type === 'overdue' && entry.step && !emitted.fresh) await later(tx, "UPDATE task SET overdue_at = $1 WHERE application_id = $2 AND step = $3 AND overdue_at IS NULL AND (status = 'open' OR acted_at = $4)", [at, app.id, entry.step, at]);
    }
    for (const note of notifications.slice(emitted.emittedNotifications)) {
      const i = note.event === 'overdue' ? skipped.indexOf(note.to) : -1;
      if (i >= 0) {
        skipped.splice(i, 1);
        continue;
      }
      writes.message({ id: newId(this.now()), application: app.id, event: note.event, recipient: note.to, body: note.text, at });
    }
    let status: ApplicationStatus = returned
      ? 'returned'
      : result.outcome === 'approved' || result.outcome === 'rejected' || result.outcome === 'unpaid'
        ? result.outcome
        : result.outcome === 'pending'
          ? 'pending'
          : 'incident';
    const waiting = status === 'pending' ? result.waiting : [];
    // Approver actions (server/engine/actions.ts) update the new tasks and add copies: when they follow, the new rows
    // are written before them; otherwise a new application and its tasks go with the flush (one statement on PostgreSQL).
    const fresh = timeline.slice(emitted.emittedTimeline);
    const handedOver = waiting.some((w) => w.person) || app.decisions.some((d) => isHandOver(d.action));
    const actionsFollow = handedOver || fresh.some((t) => t.type === 'copied');
    const open = tasks.filter((t) => t.status === 'open');
    for (const task of open) {
      if (waiting.some((w) => w.step === task.step)) continue;
      await later(tx, "UPDATE task SET status = 'cancelled' WHERE id = $1", [task.id]);
      if (unresolved > 0) unresolved -= await tx.run("UPDATE incident SET resolved_at = $1, resolution = 'cancelled' WHERE task_id = $2 AND resolved_at IS NULL", [at, task.id]);
    }
    const opening: { id: string; step: string; round: number; group: string; scope: string; due: string; dueAt?: string; at: string; reminder?: number }[] = [];
    for (const w of waiting) {
      if (open.some((t) => t.step === w.step)) continue;
      const activations = result.timeline.filter((t) => t.type === 'assigned' && t.step === w.step);
      const last = activations.at(-1)!;
      // The applicant's own step (issue 15.1): their task, held by them alone.
      const [group, scope] = w.assignee === APPLICANT_ASSIGNEE ? [APPLICANT_TASK_GROUP, app.applicantId] : splitAssignee(w.assignee);
      opening.push({ id: newId(this.now()), step: w.step, round: activations.length, group, scope, due: last.due!, ...(last.dueAt ? { dueAt: last.dueAt } : {}), at: last.at, reminder: findStep(this.definitionOf(app).workflow?.steps ?? [], w.step)?.reminder });
    }
    if (status === 'pending' && unresolved + writes.pendingIncidents > 0) status = 'incident';
    const counts = { timeline: Math.max(timeline.length, emitted.emittedTimeline), notifications: Math.max(notifications.length, emitted.emittedNotifications) };
    const write = (s: ApplicationStatus) =>
      later(tx, 'UPDATE application SET decisions = $1, status = $2, updated_at = $3, emitted_timeline = $4, emitted_notifications = $5, revision = revision + 1 WHERE id = $6', [json(app.decisions), s, at, counts.timeline, counts.notifications, app.id]);
    if (emitted.fresh) await writes.application(tx, applicationValues(app, status, counts), !actionsFollow);
    else await write(status);
    for (const task of opening) {
      const values = [task.id, app.id, task.step, task.round, task.group, task.scope, 'open', task.due, task.at, ...taskTimers(this.runtime.calendar, task)];
      // Nobody holds the step's group@scope: an incident the IT office sees, never a task nobody sees (the applicant holds
      // their own). On PostgreSQL the database decides it with the change's other writes, without a wait (Writes.task).
      await writes.task(
        tx,
        values,
        task.group === APPLICANT_TASK_GROUP
          ? undefined
          : {
              group: task.group,
              scope: task.scope,
              event: this.eventRow(app, { type: 'unassigned', at: task.at, step: task.step, group: task.group, ...(task.scope ? { scope: task.scope } : {}), reason: 'no-holder' }),
              incident: { id: newId(this.now()), application: app.id, task: task.id, step: task.step, group: task.group, scope: task.scope, reason: 'no-holder', missing: null, since: task.at },
            },
        !actionsFollow,
      );
    }
    // Approver actions (server/engine/actions.ts): who holds a handed-over task, and copies; no statement when none is in play.
    if (actionsFollow) await applyActions(tx, app.id, fresh, waiting, () => newId(this.now()), handedOver);
    unresolved += writes.pendingIncidents;
    // Written above as pending: set 'incident' by the flush when a new task has no holder.
    const flushed = await writes.flush(tx, status === 'pending' ? app.id : undefined);
    // System steps (issue 15.3, ./system-calls.ts): the call the run now waits on, made after this transaction commits.
    if (result.calling && fresh.some((t) => t.type === 'called' && t.step === result.calling!.step)) await enqueueSystemCall(tx, app.id, result.calling, at, newId(this.now()));
    // Publicity periods (issue 15.2, ./publicity.ts): the period the run now waits in, ended by the sweep.
    if (result.publicizing && fresh.some((t) => t.type === 'published' && t.step === result.publicizing!.step)) await openPublicity(tx, app.id, result.publicizing, at, newId(this.now()));
    // Payment steps (issue 15.9b, ./payment.ts): the order the run now waits on, sent to the platform after this transaction commits.
    if (result.paying && fresh.some((t) => t.type === 'ordered' && t.step === result.paying!.step)) {
      const step = paymentSteps(definition.workflow?.steps ?? []).find((p) => p.id === result.paying!.step);
      const hall = this.hallUrl.replace(/\/$/, '');
      await openPayment(tx, { application: app.id, paying: result.paying, at, callId: newId(this.now()), subject: `${this.serviceName(app)}：${step?.name.zh ?? result.paying.step}`, notifyUrl: `${hall}/api/payments/${encodeURIComponent(result.paying.connector)}/callback` });
    }
    if ((status === 'approved' || status === 'rejected' || status === 'unpaid') && unresolved > 0) {
      // A payment refused (issue 15.9b: a wrong amount, a second or late payment) stays open: money waits for a refund whatever the outcome.
      await later(tx, "UPDATE incident SET resolved_at = $1, resolution = 'closed' WHERE application_id = $2 AND resolved_at IS NULL AND reason NOT LIKE 'payment-%'", [at, app.id]);
    }
    // On PostgreSQL the flush's answer (whether a new task had no holder) comes with the next statement waited for, or COMMIT.
    const written = status;
    const settled = flushed.unheld.then((unheld): ApplicationStatus => (unheld ? 'incident' : written));
    settled.catch(() => undefined);
    return { settled };

    function eventOf(entry: TimelineEntry): Partial<RuntimeEvent> {
      const [group, scope] = entry.assignee ? splitAssignee(entry.assignee) : [undefined, undefined];
      return {
        type: entry.type,
        at: entry.at,
        ...(entry.step ? { step: entry.step } : {}),
        ...(group ? { group } : {}),
        ...(scope ? { scope } : {}),
        ...(entry.department ? { department: entry.department } : {}),
        ...(entry.due ? { due: entry.due } : {}),
        ...(entry.dueAt ? { dueAt: entry.dueAt } : {}),
        ...(entry.action ? { action: entry.action } : {}),
        ...(entry.outcome ? { outcome: entry.outcome } : {}),
        ...(entry.comment ? { comment: entry.comment } : {}),
        ...(entry.person ? { person: entry.person } : {}),
        ...(entry.to ? { to: entry.to } : {}),
        ...(entry.position ? { position: entry.position } : {}),
        ...(entry.onBehalfOf ? { onBehalfOf: entry.onBehalfOf } : {}),
        ...(entry.returnTo ? { returnTo: entry.returnTo } : {}),
        ...(entry.until ? { until: entry.until } : {}),
        ...(entry.objections !== undefined ? { objections: entry.objections } : {}),
        // Payment steps (issue 15.9b): the amount, the order the platform knows, its transaction.
        ...(entry.amountFen !== undefined ? { amountFen: entry.amountFen } : {}),
        ...((entry.type === 'ordered' || entry.type === 'paid') && entry.step ? { order: orderIdOf(app.id, entry.step) } : {}),
        ...(entry.transaction ? { transaction: entry.transaction } : {}),
      };
    }
  }

  private async raiseIncident(tx: Sql, application: string, incident: { step: string; group: string; scope: string; reason: IncidentRecord['reason']; missing?: string; task?: string }, since: string) {
    await tx.run('INSERT INTO incident (id, application_id, task_id, step, group_id, scope, reason, missing, since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      newId(this.now()),
      application,
      incident.task ?? null,
      incident.step,
      incident.group,
      incident.scope,
      incident.reason,
      incident.missing ?? null,
      since,
    ]);
  }

  /**
   * After the directory changed (an import or reload), bring incidents in line with who holds what:
   * - an open task whose group@scope now has a holder is assignable: its incident is resolved
   *   ('holder'), the holders are told of the task (the step's `assigned` message, sent again), and the
   *   application is `pending` again once none of its incidents is open. The task keeps its due date:
   *   the promised time runs from when the step was reached, not from when the directory was fixed;
   * - an open task whose group@scope lost its last holder becomes an incident with an `unassigned` event.
   * Each change is a conditional update in its own transaction, so two processes reconciling at once
   * resolve or raise each incident once.
   */
  async reconcileIncidents(now = this.now()): Promise<{ resolved: number; raised: number }> {
    const stamp = now.toISOString();
    let resolved = 0;
    let raised = 0;
    const assignable = await this.store.query<{ id: string; task_id: string }>(
      "SELECT i.id, i.task_id FROM incident i JOIN task t ON t.id = i.task_id WHERE i.resolved_at IS NULL AND i.reason = 'no-holder' AND t.status = 'open' AND EXISTS (SELECT 1 FROM membership m WHERE m.group_id = t.group_id AND m.scope = t.scope) ORDER BY i.since, i.id",
    );
    for (const incident of assignable) {
      const done = await this.store.transaction(async (tx) => {
        const task = toTask((await tx.query('SELECT * FROM task WHERE id = $1', [incident.task_id]))[0]);
        const app = (await this.lockApplication(tx, task.application))!;
        if ((await tx.run("UPDATE incident SET resolved_at = $1, resolution = 'holder' WHERE id = $2 AND resolved_at IS NULL", [stamp, incident.id])) !== 1) return false;
        const step = findStep(this.definitionOf(app).workflow?.steps ?? [], task.step);
        const assignee = task.scope ? `${task.group}@${task.scope}` : task.group;
        const entry = this.runtime.manifest.services.find((s) => s.id === app.service);
        const text =
          this.render(app, step?.notify?.assigned, { step: { name: step?.name.zh ?? task.step, id: task.step }, dueDate: this.dueText(task) }) ??
          `【待办】“${entry?.name.zh ?? app.service}”的“${step?.name.zh ?? task.step}”等待您办理，期限 ${this.dueText(task)}。`;
        await this.enqueue(tx, app.id, 'assigned', assignee, text, stamp);
        if (app.status === 'incident' && (await unresolvedIncidents(tx, app.id)) === 0) {
          await tx.run("UPDATE application SET status = 'pending', updated_at = $1, revision = revision + 1 WHERE id = $2 AND status = 'incident'", [stamp, app.id]);
        }
        return true;
      });
      if (done) resolved++;
    }
    const orphaned = await this.store.query<{ id: string }>(
      "SELECT t.id FROM task t WHERE t.status = 'open' AND t.group_id <> '@applicant' AND NOT EXISTS (SELECT 1 FROM membership m WHERE m.group_id = t.group_id AND m.scope = t.scope) AND NOT EXISTS (SELECT 1 FROM incident i WHERE i.task_id = t.id AND i.resolved_at IS NULL) ORDER BY t.opened_at, t.id",
    );
    for (const { id } of orphaned) {
      const done = await this.store.transaction(async (tx) => {
        const task = toTask((await tx.query('SELECT * FROM task WHERE id = $1', [id]))[0]);
        const app = (await this.lockApplication(tx, task.application))!;
        // Checked again under the application's lock: another process may have raised it meanwhile.
        const open = await tx.query("SELECT 1 AS yes FROM incident WHERE task_id = $1 AND resolved_at IS NULL", [id]);
        if (open.length || task.status !== 'open' || (await hasHolder(tx, task.group, task.scope))) return false;
        await this.appendEvent(tx, app, { type: 'unassigned', at: stamp, step: task.step, group: task.group, ...(task.scope ? { scope: task.scope } : {}), reason: 'no-holder' });
        await this.raiseIncident(tx, app.id, { step: task.step, group: task.group, scope: task.scope, reason: 'no-holder', task: task.id }, stamp);
        if (app.status === 'pending') await tx.run("UPDATE application SET status = 'incident', updated_at = $1, revision = revision + 1 WHERE id = $2 AND status = 'pending'", [stamp, app.id]);
        return true;
      });
      if (done) raised++;
    }
    return { resolved, raised };
  }

  /** Incidents, oldest first: the open ones, or (with `all`) resolved ones too. */
  async incidents(options: { all?: boolean } = {}): Promise<IncidentRecord[]> {
    const rows = await this.store.query(
      `SELECT i.*, a.service, a.version FROM incident i JOIN application a ON a.id = i.application_id ${options.all ? '' : 'WHERE i.resolved_at IS NULL'} ORDER BY i.since, i.id`,
    );
    return rows.map((r) => ({
      id: String(r.id),
      application: String(r.application_id),
      service: String(r.service),
      version: Number(r.version),
      step: String(r.step),
      group: String(r.group_id),
      scope: String(r.scope),
      reason: r.reason as IncidentRecord['reason'],
      ...(r.missing ? { missing: String(r.missing) } : {}),
      ...(r.task_id ? { task: String(r.task_id) } : {}),
      since: String(r.since),
      ...(r.resolved_at ? { resolvedAt: String(r.resolved_at) } : {}),
      ...(r.resolution ? { resolution: String(r.resolution) } : {}),
    }));
  }

  /** Append one event of an application (public for the approver actions' operations, server/engine/approver-work.ts). */
  async appendEvent(tx: Sql, app: ApplicationRecord, event: Partial<RuntimeEvent>) {
    const row = this.eventRow(app, event);
    await later(tx, 'INSERT INTO event (id, application_id, at, type, body) VALUES ($1, $2, $3, $4, $5)', [row.id, row.application, row.at, row.type, row.body]);
  }

  /** An event's row: its body carries the application's service, version, channel and the applicant's type, college and department. */
  private eventRow(app: ApplicationRecord, event: Partial<RuntimeEvent>) {
    const applicant = Object.fromEntries(['type', 'college', 'department'].filter((k) => typeof app.applicant[k] === 'string').map((k) => [k, app.applicant[k]]));
    const body: RuntimeEvent = {
      type: event.type!,
      at: event.at!,
      instance: app.id,
      service: app.service,
      version: app.version,
      ...(Object.keys(applicant).length ? { applicant } : {}),
      channel: app.channel,
      ...event,
      ...(event.type === 'submitted' && app.proxy ? { proxy: app.proxy } : {}),
    } as RuntimeEvent;
    return { id: newId(this.now()), application: app.id, at: body.at, type: body.type, body: json(body) };
  }

}

/** A new application's row (Writes' application columns), written once with the state its first run gives it (the first revision). */
function applicationValues(app: ApplicationRecord, status: ApplicationStatus, counts: { timeline: number; notifications: number }): unknown[] {
  return [app.id, app.service, app.version, app.applicantId, json(app.applicant), json(app.data), json(app.decisions), status, app.channel, app.submittedAt, app.submittedAt, counts.timeline, counts.notifications, 1, app.booking ? json(app.booking) : null, app.booking ? slotKey(app.booking) : null, app.booking?.date ?? null];
}

/** A stored application row as a record. */
export function applicationOf(row: Row): ApplicationRecord {
  return toApplication(row);
}

/** A stored task row as a record. */
export function taskOf(row: Row): TaskRecord {
  return toTask(row);
}

/** The form data after every revision the applicant made (`data` keeps the first submission: the replay applies each revision). */
export function latestData(app: ApplicationRecord): Record<string, unknown> {
  return app.decisions.reduce((data, d) => (d.revise ? { ...data, ...d.revise } : data), app.data);
}

/** A step of a workflow by id, wherever it stands (in a countersign, in a branch). */
export function findStep(nodes: RuntimeNode[], id: string): RuntimeStep | undefined {
  for (const node of nodes) {
    if (node.kind === 'step' && node.id === id) return node;
    if (node.kind === 'parallel') {
      const found = node.steps.find((s) => s.id === id);
      if (found) return found;
    }
    if (node.kind === 'branch') {
      const found = findStep(node.then, id) ?? findStep(node.else, id);
      if (found) return found;
    }
  }
  return undefined;
}

/** The applicant step a task is for (issue 15.1), or undefined for an approver's task. */
function applicantStepOf(definition: RuntimeDefinition, task: TaskRecord) {
  if (task.group !== APPLICANT_TASK_GROUP) return undefined;
  const visit = (nodes: RuntimeNode[]): RuntimeNode | undefined => nodes.map((n) => (n.kind === 'branch' ? visit(n.then) ?? visit(n.else) : n.id === task.step ? n : undefined)).find(Boolean);
  const node = visit(definition.workflow?.steps ?? []);
  return node && isApplicantNode(node) ? node : undefined;
}

/** The outbox recipient of messages to an application's applicant (as the interpreter writes them). */
function applicantRecipient(app: ApplicationRecord): string {
  return `applicant:${String(app.applicant.name ?? '申请人')}`;
}

/** `group@scope` → [group, scope]; a university-wide group has the scope ''. */
function splitAssignee(assignee: string): [string, string] {
  const at = assignee.indexOf('@');
  return at < 0 ? [assignee, ''] : [assignee.slice(0, at), assignee.slice(at + 1)];
}

async function hasHolder(tx: Sql, group: string, scope: string): Promise<boolean> {
  return (await tx.query('SELECT 1 AS yes FROM membership WHERE group_id = $1 AND scope = $2 LIMIT 1', [group, scope])).length > 0;
}

async function unresolvedIncidents(tx: Sql, application: string): Promise<number> {
  const [row] = await tx.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM incident WHERE application_id = $1 AND resolved_at IS NULL AND reason NOT LIKE 'payment-%'", [application]);
  return Number(row.n);
}

function invalid(result: RunResult | undefined, more: FieldError[] = []): { ok: false } & Refusal {
  const fieldErrors = [...(result?.outcome === 'invalid' ? result.fieldErrors : []), ...more];
  return { ok: false, kind: 'invalid', fieldErrors, message: { zh: '提交的内容有误，请按提示修改', en: 'the submission has errors; see each field' } };
}

function conflict(task: TaskRecord): { ok: false } & Refusal {
  if (task.status === 'cancelled') {
    return { ok: false, kind: 'conflict', status: task.status, message: { zh: '这个待办已不需要办理（流程已继续或申请已撤回）', en: 'this task is no longer needed (the flow moved on or the application was withdrawn)' } };
  }
  return {
    ok: false,
    kind: 'conflict',
    status: task.status,
    actedBy: task.actedBy,
    actedAt: task.actedAt,
    message: { zh: `${task.actedBy ?? '其他办理人'} 已于 ${task.actedAt ?? ''} 办理了这个环节`, en: `${task.actedBy ?? 'another approver'} acted on this step at ${task.actedAt ?? ''}` },
  };
}

/**
 * The application columns toApplication() reads, and the emitted counts apply() needs: what act() selects by
 * name (issue 13: `a.*` kept the approval's statement from being prepared, so PostgreSQL parsed and planned
 * its join on every approval). test/server/statements.test.ts checks it against the table's columns.
 */
export const APPLICATION_COLUMNS = ['id', 'service', 'version', 'applicant_id', 'applicant', 'data', 'booking', 'proxy_id', 'decisions', 'status', 'channel', 'submitted_at', 'updated_at', 'revision', 'emitted_timeline', 'emitted_notifications'] as const;

function toApplication(row: Row): ApplicationRecord {
  return {
    id: String(row.id),
    service: String(row.service),
    version: Number(row.version),
    applicantId: String(row.applicant_id),
    applicant: JSON.parse(String(row.applicant)),
    data: JSON.parse(String(row.data)),
    ...(row.booking ? { booking: JSON.parse(String(row.booking)) as Booking } : {}),
    ...(row.proxy_id ? { proxy: String(row.proxy_id) } : {}),
    decisions: JSON.parse(String(row.decisions)),
    status: row.status as ApplicationStatus,
    channel: String(row.channel),
    submittedAt: String(row.submitted_at),
    updatedAt: String(row.updated_at),
    revision: Number(row.revision),
  };
}

/** The task columns a TaskRecord reads (act() selects them beside the application's, prefixed `task_`). */
const TASK_COLUMNS = ['id', 'application_id', 'step', 'round', 'group_id', 'scope', 'status', 'due', 'due_at', 'opened_at', 'acted_by', 'acted_at', 'action', 'comment', 'person_id', 'handed_by', 'handed_at', 'on_behalf_of'] as const;

/**
 * A task's timers as the store keeps them (UTC), `due_at` and `remind_at`. An hours task: its due time, and half
 * way from its opening to it. A work-day task whose step has a `reminder` of n work days: no due time (the due-day
 * rule marks it overdue) and 09:00 on the work day n work days before its due date — or its opening, when that is
 * later (a `deadlineWhen` branch shorter than the reminder: it reminds at once, as the BPMN timer of "deadline
 * minus reminder, never below zero" does). Both null otherwise: reminded on its due day from 09:00.
 */
function taskTimers(calendar: WorkCalendar, task: { at: string; due: string; dueAt?: string; reminder?: number }): [string | null, string | null] {
  const opened = Date.parse(task.at);
  if (task.dueAt) {
    const due = Date.parse(task.dueAt);
    return [new Date(due).toISOString(), new Date(opened + Math.floor((due - opened) / 2)).toISOString()];
  }
  if (!task.reminder) return [null, null];
  const remind = Date.parse(calendar.atLocalTime(calendar.workdaysBefore(task.due, task.reminder), '09:00:00'));
  return [null, new Date(Math.max(remind, opened)).toISOString()];
}

function toTask(row: Row): TaskRecord {
  return {
    id: String(row.id),
    application: String(row.application_id),
    step: String(row.step),
    round: Number(row.round),
    group: String(row.group_id),
    scope: String(row.scope),
    status: row.status as TaskRecord['status'],
    due: String(row.due),
    ...(row.due_at ? { dueAt: String(row.due_at) } : {}),
    openedAt: String(row.opened_at),
    ...(row.acted_by ? { actedBy: String(row.acted_by) } : {}),
    ...(row.acted_at ? { actedAt: String(row.acted_at) } : {}),
    ...(row.action ? { action: row.action as Action } : {}),
    ...(row.comment ? { comment: String(row.comment) } : {}),
    ...(row.person_id ? { person: String(row.person_id) } : {}),
    ...(row.handed_by ? { handedBy: String(row.handed_by) } : {}),
    ...(row.handed_at ? { handedAt: String(row.handed_at) } : {}),
    ...(row.on_behalf_of ? { onBehalfOf: String(row.on_behalf_of) } : {}),
  };
}
