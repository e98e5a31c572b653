import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { compileBpmn } from './compile-bpmn.ts';
import { createModdle } from './compile-process.ts';

/**
 * generated/bpmn/: for every kept version of every service with a workflow, `<id>/v<n>.bpmn` and its
 * forms `<id>/v<n>/<form>.form`, compiled from that version's runtime definition (so an old version's
 * process stays what it was while its instances run). `runtimeFiles` are generated/runtime/'s files,
 * relative to it. Paths in the result are relative to generated/bpmn/.
 */
export async function planBpmn(runtimeFiles: Map<string, string>, manifest: RuntimeManifest): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const moddle = createModdle();
  for (const service of manifest.services) {
    for (const version of service.versions) {
      const text = runtimeFiles.get(version.file);
      // A kept version edited by hand is not planned; the runtime plan reports it and the build stops.
      if (text === undefined) continue;
      const definition = JSON.parse(text) as RuntimeDefinition;
      if (!definition.workflow) continue;
      const { bpmn, forms } = await compileBpmn(definition, service.name.zh, moddle);
      const stem = `${service.id}/v${version.version}`;
      files.set(`${stem}.bpmn`, bpmn);
      for (const [name, form] of forms) files.set(`${stem}/${name}.form`, form);
    }
  }
  return files;
}
