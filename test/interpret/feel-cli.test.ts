import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hall, scratchCopy } from '../helpers/cli.ts';
import { FLOWS } from '../helpers/flows.ts';

/** A scratch copy of the flows fixture whose branch reads `condition`, with `edit` applied to flow.yaml. */
async function flowsWith(condition: string, edit: (text: string) => string = (t) => t): Promise<string> {
  const dir = await scratchCopy(FLOWS);
  const file = path.join(dir, 'catalog/ops/flow.yaml');
  const text = await readFile(file, 'utf8');
  const next = edit(text.replace('if: amount > 100000', `if: ${JSON.stringify(condition)}`));
  expect(next).not.toBe(text);
  await writeFile(file, next);
  await writeFile(path.join(dir, 'as.yaml'), 'name: 钱二\ndepartment: dept-b\n');
  return dir;
}

const LEADER = '校领导审批';

describe('hall test and hall simulate take their clock from the scenario (issue 11.2)', () => {
  it('hall test: today() is the scenario\'s submittedAt, so each scenario passes on any day', async () => {
    // The small scenario runs at the default clock (2026-03-02) and expects the else path; the big one
    // says it was submitted on 2026-10-01 and expects the then path.
    const dir = await flowsWith('today() >= date("2026-09-01")', (t) => t.replace('  - name: 大额，会签后校领导不同意\n', '  - name: 大额，会签后校领导不同意\n    submittedAt: 2026-10-01T09:00:00+08:00\n'));
    const result = await hall(['test', '--service', 'flow'], { cwd: dir });
    expect(result.all).toContain('✔ flow › 小额，任一部门审核');
    expect(result.all).toContain('✔ flow › 大额，会签后校领导不同意');
    expect(result.all).toContain('2 passed, 0 failed');
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it('hall simulate --at decides today() and now()', async () => {
    const dir = await flowsWith('today() >= date("2026-09-01") and now() < date and time("2027-01-01T00:00:00+08:00")');
    await writeFile(path.join(dir, 'data.yaml'), 'amount: 5000\nurgent: false\ncategory: 设备\nunit: dept-b\n');
    await writeFile(path.join(dir, 'decisions.yaml'), '- { step: unit-review, action: approve }\n- { step: a-review, action: approve }\n- { step: b-review, action: approve }\n');
    const common = ['simulate', 'flow', '--as', 'as.yaml', '--data', 'data.yaml', '--decisions', 'decisions.yaml'];
    const autumn = await hall([...common, '--at', '2026-10-01T09:00:00+08:00'], { cwd: dir });
    expect(autumn.all).toContain('待办  校领导审批');
    const spring = await hall([...common, '--at', '2026-03-02T09:00:00+08:00'], { cwd: dir });
    expect(spring.all).not.toContain(LEADER);
    expect(spring.all).toContain('场景有误');
  }, 60_000);
});

describe('hall simulate stays within the FEEL budget (issue 12.2)', () => {
  it('for i in 1..days with days = 2e8 ends with a clear error, not a 4 GB crash', async () => {
    // Check time sees amount = 1 (1,000 values), so the check passes; the simulated data asks for 2e8.
    const dir = await flowsWith('count(for i in 1..amount * 1000 return i) > 3');
    await writeFile(path.join(dir, 'data.yaml'), 'amount: 200000\nurgent: false\ncategory: 设备\nunit: dept-b\n');
    await writeFile(path.join(dir, 'decisions.yaml'), '- { step: unit-review, action: approve }\n');
    const started = Date.now();
    const result = await hall(['simulate', 'flow', '--as', 'as.yaml', '--data', 'data.yaml', '--decisions', 'decisions.yaml'], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.exitCode, result.all).toBe(1);
    expect(result.all).toContain('超出了限制');
    expect(result.all).not.toMatch(/heap|internal error|内部错误|at .*\.ts:\d+/i);
  }, 60_000);

  it('hall check reports a recursive function with its position', async () => {
    const dir = await flowsWith('{fib: function(n) if n < 2 then n else fib(n-1) + fib(n-2)}.fib(40) > amount');
    const result = await hall(['check'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.all).toMatch(/catalog\/ops\/flow\.yaml:39:11 .*feel\/function-definition/);
  }, 60_000);
});

describe('hall test and hall simulate on a deadline in hours (issue 15.7)', () => {
  /** The flows fixture with unit-review due 2 hours after it opens. */
  async function twoHours(edit: (text: string) => string = (t) => t): Promise<string> {
    return flowsWith('amount > 100000', (t) => edit(t.replace('department: applicant.department, deadline: 1, actions', 'department: applicant.department, deadline: 2h, actions')));
  }

  it('hall test: a scenario states which steps are overdue, and fails, naming both lists, when they differ', async () => {
    const late = (overdue: string) => (t: string) =>
      t.replace('      - { step: unit-review, action: approve }\n      - { step: b-quick', '      - { step: unit-review, action: approve, at: "2026-03-02T11:30:00+08:00" }\n      - { step: b-quick').replace('      path: [unit-review, b-quick, ops-done]\n', `      path: [unit-review, b-quick, ops-done]\n      overdue: ${overdue}\n`);
    const right = await hall(['test', '--service', 'flow'], { cwd: await twoHours(late('[unit-review]')) });
    expect(right.all).toContain('2 passed, 0 failed');
    const wrong = await hall(['test', '--service', 'flow'], { cwd: await twoHours(late('[]')) });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.all).toContain('超期：预期 （空），实际 unit-review');
  }, 60_000);

  it('hall simulate shows the due time and the overdue mark at it', async () => {
    const dir = await twoHours();
    await writeFile(path.join(dir, 'data.yaml'), 'amount: 5000\nurgent: false\ncategory: 设备\nunit: dept-b\n');
    await writeFile(path.join(dir, 'decisions.yaml'), '- { step: unit-review, action: approve, at: "2026-03-02T11:30:00+08:00" }\n- { step: a-quick, action: approve }\n- { step: ops-done, action: approve }\n');
    const run = await hall(['simulate', 'flow', '--as', 'as.yaml', '--data', 'data.yaml', '--decisions', 'decisions.yaml'], { cwd: dir });
    expect(run.all).toMatch(/待办\s+使用单位审核.*（期限 2026-03-02 11:00）/);
    expect(run.all).toMatch(/2026-03-02 11:00\s+超期\s+使用单位审核/);
  }, 60_000);
});
