import path from 'node:path';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { compileCalendar, compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import { ROOT } from './cli.ts';

export const FLOWS = path.join(ROOT, 'test/fixtures/flows/catalog');

/** The flows fixture, checked and compiled: its one service's definition and the hall calendar. */
export async function loadFlows() {
  const source = await readCatalog(FLOWS, ROOT);
  const result = checkSource(source, { today: '2026-10-01' });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`fixture has errors: ${JSON.stringify(errors)}`);
  const service = result.catalog.services.get('flow')!.value;
  return {
    catalog: result.catalog,
    service,
    definition: compileDefinition(service, 1, runtimeFingerprint(service)),
    calendar: new WorkCalendar(compileCalendar(result.catalog.hall!.value)),
  };
}

/**
 * A definition as versions kept from before issue 15.5 have it: no `returnReopens`, so a countersign member's
 * return restarts the whole countersign. The tests of that mapping (test/bpmn/compile.test.ts,
 * countersign-variants.test.ts) run on it; the return-to tests run the new one.
 */
export function keptBefore155<T>(definition: T): T {
  const copy = structuredClone(definition) as T & { workflow?: { steps: unknown[] } };
  const strip = (nodes: unknown[]): void => {
    for (const node of nodes as Record<string, unknown>[]) {
      delete node.returnReopens;
      if (node.kind === 'branch') (strip(node.then as unknown[]), strip(node.else as unknown[]));
    }
  };
  strip(copy.workflow?.steps ?? []);
  return copy;
}
