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
