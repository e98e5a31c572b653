import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Scenario } from '../../generated/types/service.ts';
import { ScenarioRefused, withScenario } from '../../server/dev/scenario.ts';
import { ROOT } from '../helpers/cli.ts';

/** Issue 14.5: a saved run is added to the service file with every other byte kept (comments, quoting, flow style). */

const SCENARIO: Scenario = {
  name: '试办：两天事假，辅导员同意',
  submittedAt: '2026-12-03T21:00:05+08:00',
  applicant: { name: '张晓明', number: '2023010101', class: 'jsj-2301' },
  data: { studentNumber: '2023010101', period: { start: '2026-03-03', end: '2026-03-04' }, days: 2, leaveCampus: true, reason: '回家: 参加婚礼 # 不是注释' },
  decisions: [{ step: 'counselor-review', action: 'approve', comment: '同意，注意安全', at: '2026-12-03T21:03:00+08:00' }],
  expect: { path: ['counselor-review'], outcome: 'approved', assignees: { 'counselor-review': 'counselor@jsj-2301' } },
};

/** The text with one contiguous block inserted: that block, or undefined when anything else changed. */
function insertedBlock(before: string, after: string): string | undefined {
  let i = 0;
  while (i < before.length && before[i] === after[i]) i++;
  const block = after.slice(i, i + after.length - before.length);
  return after.slice(0, i) + after.slice(i + block.length) === before ? block : undefined;
}

async function serviceFiles(): Promise<string[]> {
  const catalog = path.join(ROOT, 'catalog');
  const files: string[] = [];
  for (const dept of await readdir(catalog, { withFileTypes: true })) {
    if (!dept.isDirectory()) continue;
    for (const f of await readdir(path.join(catalog, dept.name))) if (f.endsWith('.yaml') && f !== 'department.yaml') files.push(path.join(catalog, dept.name, f));
  }
  return files.sort();
}

describe('adding a scenario to a service file', () => {
  it('keeps every byte of every service file in the example catalog and adds exactly one block that parses to the scenario', async () => {
    let withList = 0;
    let without = 0;
    for (const file of await serviceFiles()) {
      const before = await readFile(file, 'utf8');
      const old = parse(before) as { scenarios?: unknown[] };
      if (old.scenarios && !/^scenarios:\s*\n\s+- /m.test(before)) continue; // flow-style lists are refused (next test)
      const after = withScenario(before, SCENARIO, path.basename(file));
      const block = insertedBlock(before, after);
      expect([file, block !== undefined]).toEqual([file, true]);
      const now = parse(after) as { scenarios: unknown[] };
      expect(now.scenarios.at(-1)).toEqual(SCENARIO);
      expect(now).toEqual({ ...old, scenarios: [...(old.scenarios ?? []), SCENARIO] });
      if (old.scenarios) withList++;
      else {
        without++;
        expect(block!.startsWith('scenarios:\n  - name: ')).toBe(true);
      }
    }
    expect(withList).toBeGreaterThan(10);
    expect(without).toBeGreaterThan(10);
  });

  it('keeps CRLF line ends, a comment after the last item, a last line without a newline, and deeper indentation', async () => {
    const crlf = 'id: x\r\nscenarios:\r\n  - name: a\r\n    data: {}\r\n';
    const out = withScenario(crlf, SCENARIO);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(insertedBlock(crlf, out)).toBeDefined();

    const commented = 'id: x\nscenarios:\n    - name: a   # the first\n      data: {}\n# 以上为测试场景\nstatus: active\n';
    const out2 = withScenario(commented, SCENARIO);
    expect(insertedBlock(commented, out2)).toMatch(/^ {4}- name: 试办/);
    expect(out2.endsWith('# 以上为测试场景\nstatus: active\n')).toBe(true);
    expect((parse(out2) as { scenarios: unknown[] }).scenarios.at(-1)).toEqual(SCENARIO);

    const unterminated = 'id: x\nscenarios:\n  - name: a';
    const out3 = withScenario(unterminated, SCENARIO);
    expect((parse(out3) as { scenarios: unknown[] }).scenarios).toEqual([{ name: 'a' }, SCENARIO]);
    expect(out3.startsWith(unterminated)).toBe(true);
  });

  it('refuses, leaving the text alone, what it cannot extend in place: a flow list, an empty key, a duplicate name, broken YAML', () => {
    const refused = (text: string, name = SCENARIO.name) => {
      try {
        withScenario(text, { ...SCENARIO, name });
      } catch (error) {
        expect(error).toBeInstanceOf(ScenarioRefused);
        return (error as ScenarioRefused).messages.zh;
      }
      throw new Error('not refused');
    };
    expect(refused('id: x\nscenarios: []\n')).toContain('不是块状列表');
    expect(refused('id: x\nscenarios:\n')).toContain('scenarios 是空的');
    expect(refused(`id: x\nscenarios:\n  - name: ${SCENARIO.name}\n`)).toContain('已有名为');
    expect(refused('id: x\n  bad: [\n')).toContain('不是有效的 YAML');
  });
});
