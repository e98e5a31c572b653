import type { Hall, Service, WorkflowNode } from '../model/catalog.ts';
import type { RuntimeDefinition, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { RuntimeCalendar } from '../../generated/types/runtime/calendar.ts';
import type { PaymentStep, PublicityStep, Step, SystemStep } from '../../generated/types/service.ts';
import { compilePublicity } from './compile-publicity.ts';
import { compilePayment } from './compile-payment.ts';
import { compileApplicantStep } from './compile-applicant-step.ts';
import { compileForm, objectSchema, runtimeField, runtimeText } from './compile-form.ts';
import { compileFees } from './compile-fees.ts';
import { compileSystemStep } from './compile-system-step.ts';
import { expandDecisions } from '../../lib/interpret/decision.ts';
import { runtimeDeadline } from '../../lib/interpret/deadline.ts';
import type { DecisionTable } from '../../lib/interpret/decision.ts';

/** Services the runtime loads: handled online, linked or booked; never confidential, never drafts. */
export function hasRuntimeDefinition(service: Service): boolean {
  return service.type !== 'guide' && service.classification !== 'confidential' && service.status !== 'draft';
}

function compileStep(step: Step, tables?: readonly DecisionTable[]): RuntimeStep {
  const expand = (condition: string) => expandDecisions(condition, tables);
  return {
    kind: 'step',
    id: step.id,
    name: runtimeText(step.name),
    group: step.group,
    scope: step.scope,
    department: step.department,
    // Hours (issue 15.7) become an ISO duration, PT2H; work days stay the number they were, so other services keep their bytes.
    deadline: runtimeDeadline(step.deadline),
    ...(step.deadlineWhen ? { deadlineWhen: step.deadlineWhen.map((rule) => ({ condition: expand(rule.if), deadline: runtimeDeadline(rule.deadline) })) as RuntimeStep['deadlineWhen'] } : {}),
    ...(step.reminder !== undefined ? { reminder: step.reminder } : {}),
    actions: [...step.actions],
    ...(step.notify ? { notify: { ...step.notify } } : {}),
    ...(step.fields ? { fields: step.fields.map(runtimeField), schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...objectSchema(step.fields) } } : {}),
    ...(step.signature ? { signature: step.signature } : {}),
    // Countersign variants (docs/countersign.md): emitted only when used, so other services keep their versions.
    ...(step.when !== undefined ? { when: expand(step.when) } : {}),
    // Routing (docs/routing.md): a fallback scope, emitted only when used.
    ...(step.fallback !== undefined ? { fallback: step.fallback } : {}),
    // Approver actions (issue 15.6): keys only when used, so services without them keep their versions.
    ...(step.cc ? { cc: step.cc.map((c) => ({ group: c.group, scope: c.scope })) } : {}),
    ...(step.batch ? { batch: true } : {}),
    // Return to a chosen step (issue 15.5, lib/interpret/return-to.ts): only when used.
    ...(step.returnTo ? { returnTo: [...step.returnTo] } : {}),
  };
}

/**
 * Issue 15.5: a countersign whose members may return reopens only the returning member (and those not yet
 * decided) after the applicant resubmits. Written into the definition so versions kept from before keep
 * restarting the whole countersign for the applications still running on them.
 */
function returnReopens(node: { steps: Step[] }): { returnReopens?: 'member' } {
  return node.steps.some((step) => step.actions.includes('return')) ? { returnReopens: 'member' } : {};
}

/**
 * The flow's nodes as the runtime runs them. Conditions that read a decision table (docs/routing.md) carry the
 * table's FEEL in place of its id, so every engine evaluates the same expression and the definition needs no
 * new kind: services without tables keep their versions.
 */
export function compileNodes(nodes: WorkflowNode[], owner = '', tables?: readonly DecisionTable[]): RuntimeNode[] {
  return nodes.flatMap((node): RuntimeNode | RuntimeNode[] => {
    if ('if' in node) {
      return { kind: 'branch', id: node.id, name: runtimeText(node.name ?? node.id), condition: expandDecisions(node.if, tables), then: compileNodes(node.then, owner, tables), else: compileNodes(node.else ?? [], owner, tables) };
    }
    // System steps (issue 15.3): a step nobody handles; see ./compile-system-step.ts.
    if ('system' in node) return compileSystemStep(node as SystemStep, owner);
    if ('parallel' in node) {
      return { kind: 'parallel', id: node.id, name: runtimeText(node.name ?? node.id), mode: node.parallel, steps: node.steps.map((step) => compileStep(step, tables)), ...(node.atLeast !== undefined ? { atLeast: node.atLeast } : {}), ...returnReopens(node) };
    }
    // Publicity periods (issue 15.2): the period, then an ordinary branch on whether anyone objected (./compile-publicity.ts).
    if ('publicity' in node) return compilePublicity(node as PublicityStep, (steps) => compileNodes(steps, owner, tables));
    // Payment steps (issue 15.9b): the step, then (with unpaid steps) an ordinary branch on whether it was paid (./compile-payment.ts).
    if ('payment' in node) return compilePayment(node as PaymentStep, (steps) => compileNodes(steps, owner, tables));
    // Applicant steps (issue 15.1): a node kind of their own, so services without one keep their versions.
    if ('by' in node) return compileApplicantStep(node);
    return compileStep(node as Step, tables);
  });
}

/** One version of a service as the runtime runs it. Pure. */
export function compileDefinition(service: Service, version: number, fingerprint: string): RuntimeDefinition {
  const form = compileForm(service);
  return {
    format: 'servicehall-runtime/v1',
    id: service.id,
    version,
    fingerprint,
    type: service.type as RuntimeDefinition['type'],
    owner: service.owner,
    ...(service.participants?.length ? { participants: [...service.participants] } : {}),
    channels: [...(service.channels ?? [])],
    ...(form ? { form } : {}),
    ...(service.workflow ? { workflow: { steps: compileNodes(service.workflow.steps, service.owner, service.workflow.decisions), notifications: { ...(service.workflow.notifications ?? {}) } } } : {}),
    ...compileFees(service),
    ...(service.link ? { link: { ...(service.link.system ? { system: runtimeText(service.link.system) } : {}), url: service.link.url, ...(service.link.mobileUrl ? { mobileUrl: service.link.mobileUrl } : {}), sso: service.link.sso ?? false } } : {}),
    ...(service.appointment
      ? {
          appointment: {
            resources: service.appointment.resources.map((r) => ({
              id: r.id,
              name: runtimeText(r.name),
              ...(r.capacity ? { capacity: r.capacity } : {}),
              ...(r.location ? { location: [r.location.campus, r.location.address, r.location.room].filter(Boolean).map((t) => runtimeText(t)!.zh).join(' ') } : {}),
              // Per-resource lead times (issue 15.7), emitted only when a resource has its own.
              ...(r.advanceDays !== undefined ? { advanceDays: r.advanceDays } : {}),
              ...(r.minNoticeHours !== undefined ? { minNoticeHours: r.minNoticeHours } : {}),
              // A resource's own quotas, counted on its bookings only (server/engine/booking.ts).
              ...(r.limits ? { limits: { ...r.limits } } : {}),
            })),
            slots: { ...service.appointment.slots },
            ...(service.appointment.limits ? { limits: { ...service.appointment.limits } } : {}),
          },
        }
      : {}),
    ...(service.proxy ? { proxy: { by: service.proxy.by.map((g) => (g.includes('@') ? g : `${g}@${service.owner}`)) } } : {}),
    ...(service.privacy ? { privacy: { ...(service.privacy.readers ? { readers: [...service.privacy.readers] } : {}), ...(service.privacy.attachmentRetention ? { attachmentRetention: { ...service.privacy.attachmentRetention } } : {}) } } : {}),
  };
}

/** Each day from `from` to `to`, inclusive, as YYYY-MM-DD. */
function eachDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The hall's calendar, flattened to the dates the runtime needs. Pure. */
export function compileCalendar(hall: Hall): RuntimeCalendar {
  const years = Object.keys(hall.calendar.years).sort();
  const holidays = new Set<string>();
  const workdays = new Set<string>();
  for (const year of years) {
    const y = hall.calendar.years[year];
    for (const h of y.holidays ?? []) for (const day of eachDay(h.from, h.to)) holidays.add(day);
    for (const w of y.workdays ?? []) workdays.add(w);
  }
  return { format: 'servicehall-calendar/v1', timezone: hall.calendar.timezone, years: years.map(Number), holidays: [...holidays].sort(), workdays: [...workdays].sort() };
}
