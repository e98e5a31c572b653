import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import type { Cache } from '../build/cache.ts';
import { NO_CACHE } from '../build/cache.ts';
import { sha256 } from '../build/canonical.ts';
import { compileBpmn } from './compile-bpmn.ts';
import { createModdle } from './compile-process.ts';

/**
 * generated/bpmn/: for every kept version of every service with a workflow, `<id>/v<n>.bpmn` and its
 * forms `<id>/v<n>/<form>.form`, compiled from that version's runtime definition (so an old version's
 * process stays what it was while its instances run). `runtimeFiles` are generated/runtime/'s files,
 * relative to it. Paths in the result are relative to generated/bpmn/. Compiling and laying out is the
 * slow part of a build, so each version's output is cached under a hash of its definition, its name and
 * `compilerKey` (the compiler's own fingerprint): an unchanged service is never laid out again.
 */
export async function planBpmn(runtimeFiles: Map<string, string>, manifest: RuntimeManifest, cache: Cache = NO_CACHE, compilerKey = ''): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const moddle = createModdle();
  for (const service of manifest.services) {
    for (const version of service.versions) {
      const text = runtimeFiles.get(version.file);
      // A kept version edited by hand is not planned; the runtime plan reports it and the build stops.
      if (text === undefined) continue;
      const key = sha256(`${compilerKey}\0${service.name.zh}\0${text}`);
      const hit = cache.get(key);
      let compiled: { bpmn: string; forms: [string, string][] } | null;
      if (hit !== undefined) {
        compiled = JSON.parse(hit) as typeof compiled;
      } else {
        const definition = JSON.parse(text) as RuntimeDefinition;
        if (definition.workflow) {
          const { bpmn, forms } = await compileBpmn(definition, service.name.zh, moddle);
          compiled = { bpmn, forms: [...forms] };
        } else {
          compiled = null;
        }
        cache.set(key, JSON.stringify(compiled));
      }
      if (!compiled) continue;
      const { bpmn, forms } = compiled;
      const stem = `${service.id}/v${version.version}`;
      files.set(`${stem}.bpmn`, bpmn);
      for (const [name, form] of forms) files.set(`${stem}/${name}.form`, form);
    }
  }
  return files;
}
