import type { Catalog, Service } from '../model/catalog.ts';
import { text } from '../render/format.ts';
import type { Text } from '../render/format.ts';
import { mostVisits } from '../model/situations.ts';

/** Which services the figures cover: what the public site shows, what the campus site shows, or everything but confidential ones. */
export type StatsScope = 'public' | 'campus' | 'all';
export type ServiceKind = Service['type'];
export type ServiceStatus = Service['status'];

export const KINDS: readonly ServiceKind[] = ['online', 'appointment', 'link', 'guide'];
export const STATUSES: readonly ServiceStatus[] = ['online', 'pilot', 'suspended', 'draft', 'retired'];
/** A guide not reviewed for longer than this is overdue (the same rule as `policy/review-overdue`). */
export const REVIEW_DAYS = 365;
/** Promised time limits in work days, grouped as 政务服务 reports group them; 即办件 apart. */
export const LIMIT_BINS: readonly { from: number; to: number }[] = [
  { from: 1, to: 3 },
  { from: 4, to: 5 },
  { from: 6, to: 10 },
  { from: 11, to: 20 },
  { from: 21, to: Number.POSITIVE_INFINITY },
];

export interface ServiceRow {
  id: string;
  name: Text;
  owner: string;
  kind: ServiceKind;
  status: ServiceStatus;
  classification: Service['classification'];
  /** Online depth grade 1–4, if the guide gives one. */
  grade?: number;
  visits: number;
  /** Promised limit; 即办件 are `immediate` with value 0. */
  promised?: { value: number; unit: 'workday' | 'day'; immediate: boolean };
  legal?: { value: number; unit: 'workday' | 'day' };
  reviewed: string;
  /** Days since the guide was last reviewed, as of `asOf`. */
  reviewAge: number;
  /** In service (pilot, online or suspended): what the rates are about. */
  inService: boolean;
  /** Handled online: an online form, a booking, or a linked system (不含仅办事指南). */
  handledOnline: boolean;
  reviewOverdue: boolean;
}

/** Counts over a set of services; every rate is derived from these by the renderers. */
export interface StatsFigures {
  /** Services counted here, whatever their status. */
  services: number;
  inService: number;
  handledOnline: number;
  /** Grade Ⅳ (全程网办). */
  fullyOnline: number;
  zeroVisits: number;
  /** 最多跑一次: at most one visit. */
  atMostOneVisit: number;
  reviewOverdue: number;
  byKind: Record<ServiceKind, number>;
  byStatus: Record<ServiceStatus, number>;
  /** In service, by online depth: [no grade, Ⅰ, Ⅱ, Ⅲ, Ⅳ]. */
  depth: number[];
  /** In service, by visits required: [0, 1, 2, 3 or more]. */
  visits: number[];
  /** In service, by promised limit: [即办件, …one per LIMIT_BINS entry]; services without a limit are not here. */
  limits: number[];
}

export interface DepartmentStats extends StatsFigures {
  code: string;
  name: Text;
}

/** Everything `hall stats` reports and the site's statistics page shows. Plain, serialisable data. */
export interface CatalogStats {
  format: 'servicehall-stats/v1';
  hall: Text;
  asOf: string;
  scope: StatsScope;
  total: StatsFigures;
  departments: DepartmentStats[];
  /** Promised limits of services in service (the counts per bin are in `total.limits`). */
  limits: {
    /** In-service services with a promised limit, 即办件 included. */
    counted: number;
    /** Mean and median promised limit in work days, 即办件 as 0. */
    mean: number | null;
    median: number | null;
    /** Services with both limits in the same unit, and the mean share by which the promise undercuts the legal limit. */
    compared: number;
    meanCompression: number | null;
  };
  /** In-service guides not reviewed within REVIEW_DAYS, oldest first. */
  reviewOverdue: { id: string; name: Text; owner: string; reviewed: string; days: number }[];
  services: ServiceRow[];
}

function emptyFigures(): StatsFigures {
  return {
    services: 0,
    inService: 0,
    handledOnline: 0,
    fullyOnline: 0,
    zeroVisits: 0,
    atMostOneVisit: 0,
    reviewOverdue: 0,
    byKind: { online: 0, appointment: 0, link: 0, guide: 0 },
    byStatus: { online: 0, pilot: 0, suspended: 0, draft: 0, retired: 0 },
    depth: [0, 0, 0, 0, 0],
    visits: [0, 0, 0, 0],
    limits: LIMIT_BINS.map(() => 0).concat(0),
  };
}

function counted(service: Service, scope: StatsScope): boolean {
  if (service.classification === 'confidential') return false;
  if (scope === 'all') return true;
  if (service.status === 'draft') return false;
  return scope === 'campus' || service.classification === 'public';
}

const DAY_MS = 86_400_000;

function rowOf(s: Service, asOf: string): ServiceRow {
  const limit = s.guide.timeLimit;
  const reviewAge = Math.floor((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${s.guide.reviewed}T00:00:00Z`)) / DAY_MS);
  const inService = s.status === 'online' || s.status === 'pilot' || s.status === 'suspended';
  return {
    id: s.id,
    name: text(s.name),
    owner: s.owner,
    kind: s.type,
    status: s.status,
    classification: s.classification,
    ...(s.guide.onlineDepth ? { grade: s.guide.onlineDepth.grade } : {}),
    // A service whose situations differ counts with its most demanding one (never 零跑动 when one needs a visit).
    visits: mostVisits(s.guide),
    ...(limit ? { promised: { value: limit.type === 'immediate' ? 0 : limit.promised.value, unit: limit.type === 'immediate' ? 'workday' : limit.promised.unit, immediate: limit.type === 'immediate' } } : {}),
    ...(limit?.legal ? { legal: { value: limit.legal.value, unit: limit.legal.unit } } : {}),
    reviewed: s.guide.reviewed,
    reviewAge,
    inService,
    handledOnline: s.type !== 'guide',
    reviewOverdue: inService && reviewAge > REVIEW_DAYS,
  };
}

function tally(into: StatsFigures, row: ServiceRow): void {
  into.services++;
  into.byKind[row.kind]++;
  into.byStatus[row.status]++;
  if (!row.inService) return;
  into.inService++;
  if (row.handledOnline) into.handledOnline++;
  if (row.grade === 4) into.fullyOnline++;
  if (row.visits === 0) into.zeroVisits++;
  if (row.visits <= 1) into.atMostOneVisit++;
  if (row.reviewOverdue) into.reviewOverdue++;
  into.depth[row.grade ?? 0]++;
  into.visits[Math.min(3, row.visits)]++;
  if (row.promised) into.limits[limitBin(row.promised)]++;
}

/** 0 for 即办件, else 1 + the LIMIT_BINS index of the limit in work days. */
function limitBin(limit: NonNullable<ServiceRow['promised']>): number {
  if (limit.immediate) return 0;
  const days = limitWorkdays(limit);
  const bin = LIMIT_BINS.findIndex((b) => days >= b.from && days <= b.to);
  return bin < 0 ? 0 : bin + 1;
}

/** Promised limit in work days: calendar days count as 5/7 (rounded up). */
export function limitWorkdays(limit: { value: number; unit: 'workday' | 'day' }): number {
  return limit.unit === 'workday' ? limit.value : Math.ceil((limit.value * 5) / 7);
}

/**
 * The catalog's own statistics (seed 000 §7.6; prior art: coverage, depth, visits, freshness): services by
 * department, kind and status; how many are handled online; online depth; 最多跑一次 and zero visits;
 * promised time limits; guides overdue for review. Rates are over services in service (pilot, online,
 * suspended). Confidential services are never counted. Pure.
 */
export function computeCatalogStats(catalog: Catalog, options: { asOf: string; scope?: StatsScope }): CatalogStats {
  if (!catalog.hall) throw new Error('computeCatalogStats needs a catalog with hall.yaml');
  const scope = options.scope ?? 'all';
  const rows = [...catalog.services.values()]
    .map((s) => s.value)
    .filter((s) => counted(s, scope))
    .map((s) => rowOf(s, options.asOf))
    .sort((a, b) => a.owner.localeCompare(b.owner) || a.id.localeCompare(b.id));
  const total = emptyFigures();
  const departments = new Map<string, DepartmentStats>(
    [...catalog.departments.values()].map(({ value: d }) => [d.code, { ...emptyFigures(), code: d.code, name: text(d.name) }]),
  );
  const limitDays: number[] = [];
  const compressions: number[] = [];
  for (const row of rows) {
    tally(total, row);
    let dept = departments.get(row.owner);
    if (!dept) {
      dept = { ...emptyFigures(), code: row.owner, name: { zh: row.owner } };
      departments.set(row.owner, dept);
    }
    tally(dept, row);
    if (!row.inService) continue;
    if (row.promised) {
      limitDays.push(limitWorkdays(row.promised));
      if (row.legal && row.legal.unit === row.promised.unit && row.legal.value > 0 && !row.promised.immediate) compressions.push(1 - row.promised.value / row.legal.value);
    }
  }
  limitDays.sort((a, b) => a - b);
  const median = limitDays.length ? (limitDays.length % 2 ? limitDays[(limitDays.length - 1) / 2] : (limitDays[limitDays.length / 2 - 1] + limitDays[limitDays.length / 2]) / 2) : null;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    format: 'servicehall-stats/v1',
    hall: text(catalog.hall.value.name),
    asOf: options.asOf,
    scope,
    total,
    departments: [...departments.values()].sort((a, b) => b.services - a.services || a.code.localeCompare(b.code)),
    limits: {
      counted: limitDays.length,
      mean: limitDays.length ? round(limitDays.reduce((a, b) => a + b, 0) / limitDays.length) : null,
      median,
      compared: compressions.length,
      meanCompression: compressions.length ? round(compressions.reduce((a, b) => a + b, 0) / compressions.length) : null,
    },
    reviewOverdue: rows
      .filter((r) => r.reviewOverdue)
      .sort((a, b) => b.reviewAge - a.reviewAge || a.id.localeCompare(b.id))
      .map((r) => ({ id: r.id, name: r.name, owner: r.owner, reviewed: r.reviewed, days: r.reviewAge })),
    services: rows,
  };
}
