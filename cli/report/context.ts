import type { RuntimeCalendar } from '../../generated/types/runtime/calendar.ts';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { compileCalendar } from '../compile/compile-runtime.ts';
import type { Catalog } from '../model/catalog.ts';
import { text } from '../render/format.ts';
import type { Text } from '../render/format.ts';

export type { Text };

export interface KnownService {
  id: string;
  name: Text;
  owner: string;
  /** Versions the runtime may have run; absent when no manifest was given (versions are then not checked). */
  versions?: number[];
  /** The promised time limit of the guide; 即办件 count as 0 work days. */
  promised?: { value: number; unit: 'workday' | 'day'; immediate: boolean };
}

/** What the report needs to know beyond the log: names, owners, promises, versions and the calendar. */
export interface ReportContext {
  hallName: Text;
  calendar: RuntimeCalendar;
  services: Map<string, KnownService>;
  departments: Map<string, Text>;
  groups: Map<string, Text>;
}

/**
 * The report's context from a checked catalog and, when there is one, the runtime manifest. Confidential
 * services are left out (they appear nowhere, seed 000 §14), so events naming them are reported as unknown.
 * Pure.
 */
export function reportContext(catalog: Catalog, manifest?: RuntimeManifest): ReportContext {
  if (!catalog.hall) throw new Error('reportContext needs a catalog with hall.yaml');
  const versions = new Map((manifest?.services ?? []).map((s) => [s.id, s.versions.map((v) => v.version)]));
  const services = new Map<string, KnownService>();
  for (const { value: s } of catalog.services.values()) {
    if (s.classification === 'confidential') continue;
    const limit = s.guide.timeLimit;
    services.set(s.id, {
      id: s.id,
      name: text(s.name),
      owner: s.owner,
      ...(manifest ? { versions: versions.get(s.id) ?? [] } : {}),
      ...(limit ? { promised: { value: limit.type === 'immediate' ? 0 : limit.promised.value, unit: limit.type === 'immediate' ? 'workday' : limit.promised.unit, immediate: limit.type === 'immediate' } } : {}),
    });
  }
  // A manifest may still list services whose files left this catalog folder: keep them known.
  for (const m of manifest?.services ?? []) {
    if (!services.has(m.id)) services.set(m.id, { id: m.id, name: { zh: m.name.zh, ...(m.name.en ? { en: m.name.en } : {}) }, owner: m.owner, versions: m.versions.map((v) => v.version) });
  }
  return {
    hallName: text(catalog.hall.value.name),
    calendar: compileCalendar(catalog.hall.value),
    services,
    departments: new Map([...catalog.departments.values()].map(({ value: d }) => [d.code, text(d.name)])),
    groups: new Map([...catalog.groups.values()].map(({ value: g }) => [g.id, text(g.name)])),
  };
}
