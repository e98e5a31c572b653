import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEPLOY_FILE } from '../../cli/bpmn/plan-bpmn.ts';
import type { DeployEntry } from '../../cli/bpmn/plan-bpmn.ts';
import { planGenerated } from '../../cli/compile/build-generated.ts';
import { writeGenerated } from '../../cli/compile/generated-io.ts';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import { SCHEMAS_DIR } from '../../cli/shared/paths.ts';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { ROOT, scratchCopy } from '../helpers/cli.ts';
import { FLOWS } from '../helpers/flows.ts';
import { LINT_PROFILES, lintBpmn, parseBpmn } from './inspect.ts';

interface DeployList {
  format: string;
  rule: string;
  processes: DeployEntry[];
}

/** The process of a BPMN file: its id and its zeebe:versionTag. */
async function processOf(xml: string): Promise<{ id: string; versionTag?: string; rootElement: Awaited<ReturnType<typeof parseBpmn>>['rootElement'] }> {
  const { rootElement } = await parseBpmn(xml);
  const process = rootElement.rootElements.find((e: { $type: string }) => e.$type === 'bpmn:Process');
  const tag = process.extensionElements?.values?.find((v: { $type: string }) => v.$type === 'zeebe:VersionTag');
  return { id: process.id, versionTag: tag?.value, rootElement };
}

describe('Camunda deploy order (issue 11 item 9)', () => {
  it('deploy.json names only the current version of each process, past v9, and every kept file carries its own versionTag', async () => {
    const dir = await scratchCopy(FLOWS);
    const cache = await mkdtemp(path.join(os.tmpdir(), 'hall-cache-'));
    const generated = path.join(dir, 'generated');
    const flow = path.join(dir, 'catalog/ops/flow.yaml');
    const original = await readFile(flow, 'utf8');
    let files = new Map<string, string>();
    // Eleven behaviour changes: v1 … v11, so a name sort would put v10 and v11 before v2.
    for (let n = 1; n <= 11; n++) {
      await writeFile(flow, original.replace('的申请待您审核，期限{{dueDate}}。', `的申请待您审核（第 ${n} 稿），期限{{dueDate}}。`));
      const checked = checkSource(await readCatalog(path.join(dir, 'catalog'), dir), { today: '2026-10-01' });
      expect(checked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      files = (await planGenerated(checked.catalog, generated, SCHEMAS_DIR, cache)).files;
      await writeGenerated(generated, files);
    }
    const manifest = JSON.parse(files.get('runtime/manifest.json')!) as RuntimeManifest;
    expect(manifest.services.find((s) => s.id === 'flow')).toMatchObject({ current: 11 });

    const deploy = JSON.parse(files.get(`bpmn/${DEPLOY_FILE}`)!) as DeployList;
    expect(deploy.format).toBe('servicehall-camunda-deploy/v1');
    expect(deploy.rule).toContain('不要重新部署旧版本');
    expect(deploy.processes.map((p) => [p.processId, p.version, p.versionTag])).toEqual([['banded', 1, 'v1'], ['booking', 1, 'v1'], ['flow', 11, 'v11'], ['in-turn', 1, 'v1'], ['routed', 1, 'v1'], ['votes', 1, 'v1']]);
    const current = deploy.processes.find((p) => p.processId === 'flow')!;
    expect(current.resources[0]).toBe('flow/v11.bpmn');
    expect(current.resources.slice(1).every((r) => r.startsWith('flow/v11/') && r.endsWith('.form'))).toBe(true);
    expect(current.resources).toEqual(expect.arrayContaining(['flow/v11/apply.form']));
    // Exactly the files of that version: every one exists, and none is missing.
    expect(current.resources.slice(1)).toEqual([...files.keys()].filter((f) => f.startsWith('bpmn/flow/v11/')).map((f) => f.slice('bpmn/'.length)).sort());

    for (let n = 1; n <= 11; n++) {
      const xml = files.get(`bpmn/flow/v${n}.bpmn`)!;
      const { id, versionTag } = await processOf(xml);
      expect([id, versionTag]).toEqual(['flow', `v${n}`]);
      for (const [file, form] of files) if (file.startsWith(`bpmn/flow/v${n}/`)) expect(JSON.parse(form).versionTag, file).toBe(`v${n}`);
    }
    const { rootElement } = await processOf(files.get('bpmn/flow/v11.bpmn')!);
    for (const profile of LINT_PROFILES) expect((await lintBpmn(rootElement, profile)).map((r) => `${r.rule} ${r.id}: ${r.message}`), profile).toEqual([]);
  }, 300_000);

  it('the committed deploy.json of the example catalog names each open service\'s current version and nothing else', async () => {
    const manifest = JSON.parse(await readFile(path.join(ROOT, 'generated/runtime/manifest.json'), 'utf8')) as RuntimeManifest;
    const deploy = JSON.parse(await readFile(path.join(ROOT, 'generated/bpmn', DEPLOY_FILE), 'utf8')) as DeployList;
    const expected: [string, number][] = [];
    for (const s of manifest.services) {
      const definition = JSON.parse(await readFile(path.join(ROOT, 'generated/runtime', `${s.id}/v${s.current}.json`), 'utf8'));
      if (definition.workflow && s.status !== 'retired') expected.push([s.id, s.current]);
    }
    expect(expected.length).toBeGreaterThan(10);
    expect(deploy.processes.map((p) => [p.processId, p.version])).toEqual(expected);
    for (const p of deploy.processes) {
      expect(p.versionTag).toBe(`v${p.version}`);
      const { id, versionTag } = await processOf(await readFile(path.join(ROOT, 'generated/bpmn', p.resources[0]), 'utf8'));
      expect([id, versionTag]).toEqual([p.processId, p.versionTag]);
      for (const form of p.resources.slice(1)) expect(JSON.parse(await readFile(path.join(ROOT, 'generated/bpmn', form), 'utf8')).versionTag).toBe(p.versionTag);
    }
  });
});
