import path from 'node:path';
import { planBpmn } from '../../cli/bpmn/plan-bpmn.ts';
import { compileCalendar } from '../../cli/compile/compile-runtime.ts';
import { readPreviousRuntime } from '../../cli/compile/generated-io.ts';
import { planRuntime } from '../../cli/compile/plan-runtime.ts';
import { loadAndCheck } from '../../cli/commands/check/run.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { textZh } from '../../cli/model/catalog.ts';
import type { Service } from '../../cli/model/catalog.ts';
import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import { ROOT } from '../helpers/cli.ts';

export interface PlannedService {
  id: string;
  name: string;
  service: Service;
  /** The current version's definition. */
  definition: RuntimeDefinition;
  /** The current version's BPMN, when the service has a workflow. */
  bpmn?: string;
}

/**
 * What `hall build` writes to generated/bpmn/ for the example catalog, planned in memory exactly as the
 * build plans it (against the committed generated/runtime/), with the services it came from.
 */
export async function planExampleCatalog() {
  const checked = await loadAndCheck(path.join(ROOT, 'catalog'), {});
  const errors = checked.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !checked.catalog.hall) throw new Error(`the example catalog has errors: ${errors.slice(0, 5).map((d) => `${d.file}:${d.line} ${d.code}`).join('; ')}`);
  const runtime = planRuntime(checked.catalog, await readPreviousRuntime(path.join(ROOT, 'generated/runtime')));
  const files = await planBpmn(runtime.files, runtime.manifest);
  const services: PlannedService[] = runtime.manifest.services.map((entry) => {
    const current = entry.versions.find((v) => v.version === entry.current)!;
    const definition = JSON.parse(runtime.files.get(current.file)!) as RuntimeDefinition;
    const service = checked.catalog.services.get(entry.id)!.value;
    return { id: entry.id, name: textZh(service.name), service, definition, bpmn: files.get(`${entry.id}/v${entry.current}.bpmn`) };
  });
  const calendar = new WorkCalendar(compileCalendar(checked.catalog.hall.value));
  return { files, services, calendar, manifest: runtime.manifest, runtimeFiles: runtime.files };
}
