import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import { textZh } from '../../cli/model/catalog.ts';
import { hall, ROOT } from '../helpers/cli.ts';

// The date the example catalog was last reviewed as a whole; freshness warnings are judged as of it.
const REVIEWED_AS_OF = '2026-11-23';

describe('the example catalog', () => {
  it('passes hall check with no findings at all', async () => {
    const r = await hall(['check', '--format', 'json', '--today', REVIEWED_AS_OF, '--fail-on', 'warning']);
    const report = JSON.parse(r.stdout);
    expect(report.diagnostics).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('passes every scenario on the reference interpreter (hall test)', async () => {
    const r = await hall(['test', '--format', 'json']);
    const report = JSON.parse(r.stdout);
    expect(report.scenarios.filter((s: { pass: boolean }) => !s.pass)).toEqual([]);
    expect(report.passed).toBeGreaterThan(100);
    expect(r.exitCode).toBe(0);
  });

  it('has a committed generated/ that matches the catalog (hall build --check)', async () => {
    const r = await hall(['build', '--check']);
    expect(r.all).toContain('是最新的');
    expect(r.exitCode).toBe(0);
  });

  it('contains every flow in seed 004\'s list, findable by its name', async () => {
    const seed = await readFile(path.join(ROOT, '../shared/seeds/004_5572e1435aa13c77.txt'), 'utf8').catch(() => undefined);
    const { catalog } = checkSource(await readCatalog('catalog', ROOT), { today: REVIEWED_AS_OF });
    const names = [...catalog.services.values()].map((s) => `${textZh(s.value.name)} ${(s.value.keywords ?? []).join(' ')}`);
    // Seed 004's table: a number line, a department line, then the flow's name, each ending in " |".
    const lines = (seed ?? '').split('\n').map((l) => l.replace(/\s*\|\s*$/, '').trim());
    const flows: string[] = [];
    for (let i = 0; i + 2 < lines.length; i++) if (/^\d+$/.test(lines[i]) && Number(lines[i]) === flows.length + 1) flows.push(lines[i + 2]);
    if (seed !== undefined) expect(flows).toHaveLength(45);
    const missing = flows.filter((flow) => !names.some((n) => n.includes(flow)));
    expect(missing).toEqual([]);
  });
});
