import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hall, scratchCopy } from '../helpers/cli.ts';
import { FLOWS } from '../helpers/flows.ts';

/** Check a scratch copy of the flows fixture after one text edit of ops/booking.yaml; JSON diagnostics. */
async function checkAfter(from: string, to: string) {
  const dir = await scratchCopy(FLOWS);
  const file = path.join(dir, 'catalog/ops/booking.yaml');
  const text = await readFile(file, 'utf8');
  expect(text.includes(from), `fixture contains ${from}`).toBe(true);
  await writeFile(file, text.replace(from, to));
  const r = await hall(['check', '--format', 'json', '--today', '2026-10-01'], { cwd: dir });
  const lines = (await readFile(file, 'utf8')).split('\n');
  return { report: JSON.parse(r.stdout), exitCode: r.exitCode, lineOf: (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1 };
}

describe('step fields, validIf and bookings are checked like the rest of the format', () => {
  it('the clean fixture has no findings', async () => {
    const r = await hall(['check', 'test/fixtures/flows/catalog', '--format', 'json', '--today', '2026-10-01']);
    expect(JSON.parse(r.stdout).diagnostics).toEqual([]);
  });

  it('stepFieldsDoNotShadowFormFields: a step field may not reuse a form field id', async () => {
    const { report, exitCode, lineOf } = await checkAfter('- { id: cleaningFee, label: 核定保洁费', '- { id: seats, label: 核定保洁费');
    expect(exitCode).toBe(1);
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ code: 'catalog/duplicate-id', line: lineOf('- { id: seats, label: 核定保洁费') }));
  });

  it('a validIf rule must be valid FEEL on known names', async () => {
    const bad = await checkAfter('validIf: seats >= attendees', 'validIf: seats >= atendees');
    expect(bad.report.diagnostics).toContainEqual(expect.objectContaining({ code: 'feel/unknown-name', line: bad.lineOf('validIf: seats >= atendees') }));
    expect(bad.report.diagnostics[0].message).toContain('是不是想写“attendees”');
    const broken = await checkAfter('validIf: seats >= attendees', 'validIf: seats >>= attendees');
    expect(broken.report.diagnostics).toContainEqual(expect.objectContaining({ code: 'feel/syntax' }));
  });

  it('booking.* names are known in appointment conditions', async () => {
    const ok = await checkAfter('if: booking.resource = "big-hall" or cleaningFee > 0', 'if: booking.slot = "08:00-10:00" or cleaningFee > 0');
    expect(ok.report.diagnostics).toEqual([]);
    const typo = await checkAfter('if: booking.resource = "big-hall"', 'if: booking.room = "big-hall"');
    expect(typo.report.diagnostics).toContainEqual(expect.objectContaining({ code: 'feel/unknown-name' }));
  });

  it('a scenario may only enter the deciding step\'s own fields', async () => {
    const { report, lineOf } = await checkAfter('data: { cleaningFee: 200 }', 'data: { cleaningFees: 200 }');
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ code: 'ref/unknown-field', line: lineOf('data: { cleaningFees: 200 }') }));
  });

  it('templates may use step fields as form.<id>', async () => {
    const { report } = await checkAfter('      actions: [approve, reject, return]\n      fields:', '      actions: [approve, reject, return]\n      notify: { assigned: "保洁费{{form.cleaningFee}}元，{{form.cleaningFeez}}" }\n      fields:');
    expect(report.diagnostics.map((d: { code: string; message: string }) => [d.code, d.message])).toEqual([['template/unknown-variable', '模板变量“form.cleaningFeez”不存在。是不是想写“form.cleaningFee”？']]);
  });
});

describe('workflowIdsAreUnique', () => {
  it('reports a second workflow node with the same id, at that id', async () => {
    const { report, exitCode, lineOf } = await checkAfter('- { id: head-approve, name: 负责人审批', '- { id: staff-check, name: 负责人审批');
    expect(exitCode).toBe(1);
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ code: 'catalog/duplicate-id', line: lineOf('- { id: staff-check, name: 负责人审批') }));
  });
});
