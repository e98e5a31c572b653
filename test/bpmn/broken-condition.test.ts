import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileBpmn, zeebeConditionProblem } from '../../cli/bpmn/compile-bpmn.ts';
import { hall, scratchCopy } from '../helpers/cli.ts';
import { FLOWS, loadFlows } from '../helpers/flows.ts';

/** Zeebe rejects a condition without a leading `=`, and bpmnlint does not notice: nothing broken gets out. */

async function breakCondition(dir: string, to: string) {
  const file = path.join(dir, 'catalog/ops/flow.yaml');
  const text = await readFile(file, 'utf8');
  const next = text.replace('if: amount > 100000', `if: ${to}`);
  expect(next).not.toBe(text);
  await writeFile(file, next);
}

async function bpmnFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(dir, 'generated/bpmn'), { recursive: true }).catch(() => []);
  return entries.map(String).filter((f) => f.endsWith('.bpmn') || f.endsWith('.form')).sort();
}

describe('a hand-broken condition', () => {
  it.each([
    ['a leading =', '"=amount > 100000"', 'feel/syntax'],
    ['invalid FEEL', 'amount > 100000 and', 'feel/syntax'],
    ['FEEL that feelin half-accepts', 'amount = = 100000', 'feel/syntax'],
  ])('with %s fails hall check, and hall build writes no BPMN', async (_what, condition, code) => {
    const dir = await scratchCopy(FLOWS);
    await breakCondition(dir, condition);
    const check = await hall(['check'], { cwd: dir });
    expect(check.exitCode, check.all).toBe(1);
    expect(check.all).toContain(code);
    const build = await hall(['build'], { cwd: dir });
    expect(build.exitCode).toBe(1);
    expect(await bpmnFiles(dir)).toEqual([]);
  });

  it('after a good build, leaves the BPMN already written untouched', async () => {
    const dir = await scratchCopy(FLOWS);
    expect((await hall(['build'], { cwd: dir })).exitCode).toBe(0);
    const before = await bpmnFiles(dir);
    expect(before).toContain('flow/v1.bpmn');
    const bytes = await readFile(path.join(dir, 'generated/bpmn/flow/v1.bpmn'), 'utf8');
    await breakCondition(dir, '=amount > 100000');
    expect((await hall(['build'], { cwd: dir })).exitCode).toBe(1);
    expect(await bpmnFiles(dir)).toEqual(before);
    expect(await readFile(path.join(dir, 'generated/bpmn/flow/v1.bpmn'), 'utf8')).toBe(bytes);
  });
});

describe('the export checks what it writes', () => {
  it.each([
    ['amount > 100000', 'does not start with "="'],
    ['=amount >', 'is not valid FEEL'],
    ['=decision = = "return"', 'is not valid FEEL'],
  ])('%s %s', (condition, problem) => {
    expect(zeebeConditionProblem(condition)).toContain(problem);
  });

  it('accepts what it writes', () => {
    expect(zeebeConditionProblem('=(amount > 100000) = true')).toBeUndefined();
    expect(zeebeConditionProblem('=decision_unit_review = "approve"')).toBeUndefined();
  });

  it('refuses to write two elements with one id (two workflow nodes sharing an id pass hall check today)', async () => {
    const { definition } = await loadFlows();
    const broken = structuredClone(definition);
    const last = broken.workflow!.steps.at(-1)!;
    last.id = broken.workflow!.steps[0].id;
    await expect(compileBpmn(broken, 'x')).rejects.toThrow(/occurs twice/);
  });

  it('refuses to compile a definition whose condition slipped past the checks', async () => {
    const { definition } = await loadFlows();
    const broken = structuredClone(definition);
    const branch = broken.workflow!.steps.find((n) => n.kind === 'branch')!;
    if (branch.kind === 'branch') branch.condition = 'amount >';
    await expect(compileBpmn(broken, 'x')).rejects.toThrow(/is not valid FEEL/);
  });
});
