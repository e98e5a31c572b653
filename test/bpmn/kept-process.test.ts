import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';
import { planExampleCatalog } from './example.ts';

/**
 * A kept (non-current) version's process never changes; only its drawing may (generated/README.md, "A
 * kept version's process never changes"). Every kept version is re-exported by each build from its frozen
 * runtime definition, so a change to the exporter re-exports it: its `bpmn:process` element must stay
 * byte-identical to the one committed at git HEAD, while its `bpmndi` part (a better layout) may differ.
 */
const example = await planExampleCatalog();

/** The `<bpmn:process …>…</bpmn:process>` element of a BPMN file, exactly as written. */
export function processPart(xml: string): string {
  const start = xml.indexOf('<bpmn:process ');
  const end = xml.indexOf('</bpmn:process>');
  if (start === -1 || end === -1) throw new Error('no bpmn:process element');
  return xml.slice(start, end + '</bpmn:process>'.length);
}

async function atHead(file: string): Promise<string | undefined> {
  const shown = await execa('git', ['show', `HEAD:generated/bpmn/${file}`], { cwd: ROOT, reject: false });
  return shown.exitCode === 0 ? shown.stdout : undefined;
}

describe('kept versions keep their process', () => {
  const kept = example.manifest.services.flatMap((s) => s.versions.filter((v) => v.version !== s.current).map((v) => `${s.id}/v${v.version}.bpmn`)).filter((f) => example.files.has(f));

  it('the example catalog has kept versions with a workflow to compare', () => {
    expect(kept.length).toBeGreaterThanOrEqual(20);
  });

  it.each(kept)('%s: the re-exported process is byte-identical to git HEAD', async (file) => {
    const committed = await atHead(file);
    expect(committed, `${file} is not committed at HEAD`).toBeDefined();
    expect(processPart(example.files.get(file)!)).toBe(processPart(committed!));
  });

  it('the comparison sees a change in the process and ignores one in the drawing', async () => {
    const [file] = kept;
    const committed = (await atHead(file))!;
    const moved = committed.replace(/<dc:Bounds x="(\d+)"/, (_, x: string) => `<dc:Bounds x="${Number(x) + 10}"`);
    expect(moved).not.toBe(committed);
    expect(processPart(moved)).toBe(processPart(committed));
    const renamed = committed.replace(/(<bpmn:userTask id="[^"]+" name=")/, '$1x');
    expect(renamed).not.toBe(committed);
    expect(processPart(renamed)).not.toBe(processPart(committed));
  });
});
