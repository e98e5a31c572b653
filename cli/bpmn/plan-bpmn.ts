import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { canonicalJson, sha256 } from '../../lib/shared/canonical.ts';
import { compileBpmn } from './compile-bpmn.ts';

/**
 * generated/bpmn/: for every kept version of every service with a workflow, `<id>/v<n>.bpmn` and its
 * forms `<id>/v<n>/<form>.form`, compiled from that version's runtime definition (so an old version's
 * process stays what it was while its instances run). `runtimeFiles` are generated/runtime/'s files,
 * relative to it. Paths in the result are relative to generated/bpmn/. Each version's files depend on
 * its kept definition alone (the name shown is the one pinned in it), so no catalog edit changes them.
 * An unchanged version is not compiled again: `memo` (the build's output index) remembers, under a hash of
 * its definition and `compilerKey` (the compiler's own fingerprint), the hashes of the files it compiled
 * to, and while generated/ still holds those bytes they are carried over unread. Files go to `files` as
 * each version is done (a Map by default; the build streams them to disk, so a province's diagrams are
 * never all in memory).
 *
 * Compiled output is not cached beyond that. Since the export writes its XML itself (./xml.ts), a version
 * compiles in about 3 ms of CPU; a cache of the output (JSON of each version's XML and forms, about 88 KB)
 * cost a cold build more to write — serialising and writing it was about a tenth of the build — than it
 * saved on the rare build that read it (one whose generated/ the output index cannot vouch for).
 */
export async function planBpmn<Out extends { set(rel: string, content: string): unknown; carry?(rel: string, sha256: string): boolean } = Map<string, string>>(
  runtimeFiles: { get(rel: string): string | undefined; hashOf?(rel: string): string | undefined },
  manifest: RuntimeManifest,
  compilerKey = '',
  files: Out = new Map<string, string>() as unknown as Out,
  memo?: { recall(key: string): string | undefined; remember(key: string, value: string): void },
): Promise<Out> {
  const deploy: DeployEntry[] = [];
  for (const service of manifest.services) {
    for (const version of service.versions) {
      let text: string | undefined;
      const hash = runtimeFiles.hashOf?.(version.file) ?? ((text = runtimeFiles.get(version.file)) === undefined ? undefined : sha256(text));
      // A kept version edited by hand is not planned; the runtime plan reports it and the build stops.
      if (hash === undefined) continue;
      const key = sha256(`${compilerKey}\0${hash}`);
      const stem = `${service.id}/v${version.version}`;
      // What this version compiled to last time (its files' hashes): when every file of generated/ still
      // holds those bytes, they are carried over unread and nothing is compiled or read from the cache.
      const known = memo?.recall(`bpmn:${key}`);
      const outline = known === undefined ? undefined : (JSON.parse(known) as Outline);
      let forms: string[];
      if (outline === null) continue;
      if (outline && files.carry && files.carry(`${stem}.bpmn`, outline.bpmn) && outline.forms.every(([name, h]) => files.carry!(`${stem}/${name}.form`, h))) {
        forms = outline.forms.map(([name]) => name);
      } else {
        let compiled: { bpmn: string; forms: [string, string][] } | null = null;
        const definition = JSON.parse(text ?? runtimeFiles.get(version.file)!) as RuntimeDefinition;
        if (definition.workflow) {
          const { bpmn, forms } = await compileBpmn(definition, shownName(definition));
          compiled = { bpmn, forms: [...forms] };
        }
        memo?.remember(`bpmn:${key}`, JSON.stringify(compiled && ({ bpmn: sha256(compiled.bpmn), forms: compiled.forms.map(([name, form]) => [name, sha256(form)]) } satisfies Outline)));
        if (!compiled) continue;
        // Files a partial carry already placed hold these very bytes; the rest are produced here.
        files.set(`${stem}.bpmn`, compiled.bpmn);
        for (const [name, form] of compiled.forms) files.set(`${stem}/${name}.form`, form);
        forms = compiled.forms.map(([name]) => name);
      }
      if (version.version === service.current && service.status !== 'retired') {
        deploy.push({ processId: service.id, version: version.version, versionTag: `v${version.version}`, resources: [`${stem}.bpmn`, ...[...forms.map((name) => `${stem}/${name}.form`)].sort()] });
      }
    }
  }
  files.set(DEPLOY_FILE, canonicalJson({ format: 'servicehall-camunda-deploy/v1', rule: DEPLOY_RULE, processes: deploy }));
  return files;
}

/** The hashes of one version's compiled files (null: the version has no workflow, so no files). */
type Outline = { bpmn: string; forms: [string, string][] } | null;

/** generated/bpmn/'s deploy list: the one file a deployment reads (docs/camunda.md). */
export const DEPLOY_FILE = 'deploy.json';

/** What deploy.json says to whoever reads it. */
const DEPLOY_RULE =
  '只部署这里列出的文件：每个事项的当前版本及其表单。不要重新部署旧版本的 .bpmn：Camunda 会把最后部署的文件当作新申请使用的版本。/ Deploy exactly these files: each service\'s current version and its forms. Never redeploy an older .bpmn: Camunda starts new instances on the last one deployed.';

/** One process to deploy: its current version and every resource that goes with it, in one deployment. */
export interface DeployEntry {
  processId: string;
  version: number;
  versionTag: string;
  resources: string[];
}

/** The service name a version shows in Camunda: the one pinned in it (its form's title), else its id. */
export function shownName(definition: RuntimeDefinition): string {
  const title = (definition.form?.schema as { title?: unknown } | undefined)?.title;
  return typeof title === 'string' ? title : definition.id;
}
