import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BpmnModdle } from 'bpmn-moddle';
import fc from 'fast-check';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import { afterAll, describe, expect, it } from 'vitest';
import { compileBpmn, processDefinitions } from '../../cli/bpmn/compile-bpmn.ts';
import { shownName } from '../../cli/bpmn/plan-bpmn.ts';
import { bpmnModel, escapeAttr, escapeBody, writeBpmnXml } from '../../cli/bpmn/xml.ts';
import type { BpmnFactory } from '../../cli/bpmn/xml.ts';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { planRuntime } from '../../cli/compile/plan-runtime.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import type { RuntimeDefinition, RuntimeNode } from '../../generated/types/runtime/definition.ts';
import { generateCatalog } from '../../bench/generate.ts';
import { ROOT } from '../helpers/cli.ts';

/**
 * The export writes BPMN with its own writer (cli/bpmn/xml.ts) instead of bpmn-moddle's. Held here to
 * the bytes bpmn-moddle writes for the same process, built by the same code with bpmn-moddle's own
 * elements: every kept version of every example service, a generated catalog, and random names full of
 * what XML must escape.
 */
const moddle = new BpmnModdle({ zeebe });

async function byModdle(definition: RuntimeDefinition, name = shownName(definition)): Promise<string> {
  return (await moddle.toXML(processDefinitions(moddle as unknown as BpmnFactory, definition, name), { format: true })).xml;
}

/** The runtime definitions with a workflow below a generated/runtime/ folder, every version. */
async function definitionsIn(dir: string): Promise<RuntimeDefinition[]> {
  const files = (await readdir(dir, { recursive: true })).map(String).filter((f) => /\/v\d+\.json$/.test(f)).sort();
  const out: RuntimeDefinition[] = [];
  for (const file of files) {
    const definition = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as RuntimeDefinition;
    if (definition.workflow) out.push(definition);
  }
  return out;
}

const examples = await definitionsIn(path.join(ROOT, 'generated/runtime'));

describe('the BPMN writer', () => {
  it('writes every kept version of every example byte for byte as bpmn-moddle does, and as generated/bpmn/ holds', async () => {
    expect(examples.length).toBeGreaterThan(50);
    const kinds = new Set<string>();
    for (const definition of examples) {
      const { bpmn } = await compileBpmn(definition, shownName(definition));
      expect(bpmn, `${definition.id} v${definition.version}`).toBe(await byModdle(definition));
      expect(bpmn).toBe(await readFile(path.join(ROOT, `generated/bpmn/${definition.id}/v${definition.version}.bpmn`), 'utf8'));
      for (const [, tag] of bpmn.matchAll(/<([a-zA-Z]+:[a-zA-Z]+)/g)) kinds.add(tag);
    }
    // The examples reach every construct: payment, publicity, system steps, countersigns, sub-process planes.
    for (const tag of ['bpmn:receiveTask', 'bpmn:serviceTask', 'bpmn:eventBasedGateway', 'bpmn:intermediateCatchEvent', 'bpmn:subProcess', 'bpmn:parallelGateway', 'bpmn:terminateEventDefinition', 'bpmn:messageEventDefinition', 'zeebe:taskHeaders', 'zeebe:input', 'zeebe:subscription']) {
      expect(kinds, tag).toContain(tag);
    }
  });

  describe('on a generated catalog', () => {
    let root = '';
    afterAll(() => rm(root, { recursive: true, force: true }));
    it('writes every service of it as bpmn-moddle does', async () => {
      root = await mkdtemp(path.join(tmpdir(), 'hall-xml-'));
      const dir = await generateCatalog(path.join(root, 'catalog'), 300, 7);
      const source = await readCatalog(path.basename(dir), path.dirname(dir));
      const { catalog, diagnostics } = checkSource(source, { today: '2026-10-01' });
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const runtime = planRuntime(catalog, { read: () => undefined });
      const definitions = [...runtime.files].filter(([file]) => /\/v\d+\.json$/.test(file)).map(([, text]) => JSON.parse(text) as RuntimeDefinition).filter((d) => d.workflow);
      expect(definitions.length).toBeGreaterThan(100);
      for (const definition of definitions) {
        expect((await compileBpmn(definition, shownName(definition))).bpmn, definition.id).toBe(await byModdle(definition));
      }
    }, 240_000);
  });

  it('escapes names and texts as bpmn-moddle does, whatever they hold (property)', async () => {
    // Names go into attributes (name="…"), documentation text and FEEL strings; these are what XML escapes.
    const text = fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '\n', '\r', '\t', ' ', 'a', '中', '“', ']]>', '&amp;', '\u00a0'), minLength: 1, maxLength: 12 });
    const renamed = (nodes: RuntimeNode[], names: string[], i = { n: 0 }): RuntimeNode[] =>
      nodes.map((node) => {
        const name = { ...node.name, zh: `${node.name.zh}${names[i.n++ % names.length]}` };
        if (node.kind === 'branch') return { ...node, name, then: renamed(node.then, names, i), else: renamed(node.else, names, i) };
        if (node.kind === 'parallel') return { ...node, name, steps: node.steps.map((step) => ({ ...step, name: { ...step.name, zh: `${step.name.zh}${names[i.n++ % names.length]}` } })) };
        return { ...node, name } as RuntimeNode;
      });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...examples), text, fc.array(text, { minLength: 1, maxLength: 6 }), async (example, serviceName, names) => {
        const definition = { ...example, workflow: { ...example.workflow!, steps: renamed(example.workflow!.steps, names) } } as RuntimeDefinition;
        const ours = writeBpmnXml(processDefinitions(bpmnModel, definition, serviceName));
        expect(ours).toBe(await byModdle(definition, serviceName));
        // And a parser reads the name back as written (bpmn-moddle writes `\n\r` as one line break, so not with a \r).
        const { rootElement } = await moddle.fromXML(ours);
        if (!serviceName.includes('\r')) expect(rootElement.rootElements.find((e: { $type: string }) => e.$type === 'bpmn:Process').name).toBe(serviceName);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('escapes as bpmn-moddle: a line break (\\n, or \\n\\r) in an attribute as &#10;, quotes and angle brackets by number; text by name', () => {
    expect(escapeAttr('a<b>&"c\'d')).toBe('a&#60;b&#62;&#38;&#34;c&#39;d');
    expect(escapeAttr('x\n\ry')).toBe('x&#10;y');
    expect(escapeAttr('x\r\ny\rz')).toBe('x\r&#10;y\rz');
    expect(escapeAttr('无需转义')).toBe('无需转义');
    expect(escapeBody('a<b>&"\'\n')).toBe('a&lt;b&gt;&amp;"\'\n');
  });

  it('refuses an element kind or a property it does not write, rather than drop it', () => {
    expect(() => bpmnModel.create('bpmn:ScriptTask', { id: 'x' })).toThrow(/no element kind bpmn:ScriptTask/);
    const definitions = bpmnModel.create('bpmn:Definitions', { id: 'D', rootElements: [bpmnModel.create('bpmn:Process', { id: 'P', isClosed: true })] });
    expect(() => writeBpmnXml(definitions)).toThrow(/bpmn:Process has a property isClosed/);
  });
});
