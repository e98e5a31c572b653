import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, hall } from '../helpers/cli.ts';

/**
 * `hall report` reads the events approver actions add to the log (issues 15.6, 14.6): hand-overs, copies,
 * acknowledgements and reminders are known event types, never "invalid lines", and the applicants'
 * reminders (催办) are counted in the summary.
 */
describe('hall report on a log with approver actions', () => {
  it('accepts every approver-action event and counts the reminders', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-report-actions-'));
    const version = JSON.parse(readFileSync(path.join(ROOT, 'generated/runtime/manifest.json'), 'utf8')).services.find((s: { id: string }) => s.id === 'student-leave').current;
    const base = { instance: 'a1', service: 'student-leave', version, channel: 'pc', applicant: { type: '本科生', college: 'wxy' } };
    const lines = [
      { id: 'e1', type: 'submitted', at: '2026-03-02T09:00:00+08:00' },
      { id: 'e2', type: 'assigned', at: '2026-03-02T09:00:00+08:00', step: 'counselor-review', group: 'counselor', scope: 'wxy-2203', department: 'wxy', due: '2026-03-03' },
      { id: 'e3', type: 'urged', at: '2026-03-02T15:00:00+08:00', step: 'counselor-review', group: 'counselor', scope: 'wxy-2203' },
      { id: 'e4', type: 'transferred', at: '2026-03-02T16:00:00+08:00', step: 'counselor-review', group: 'counselor', scope: 'wxy-2203', to: 't-zhou', person: 't-wang' },
      { id: 'e5', type: 'acted', at: '2026-03-02T17:00:00+08:00', step: 'counselor-review', group: 'counselor', scope: 'wxy-2203', action: 'approve', person: 't-zhou' },
      { id: 'e6', type: 'copied', at: '2026-03-02T17:00:00+08:00', step: 'counselor-review', group: 'dorm-manager', scope: 'wxy' },
      { id: 'e7', type: 'completed', at: '2026-03-02T17:00:00+08:00', outcome: 'approved' },
      { id: 'e8', type: 'acknowledged', at: '2026-03-03T08:00:00+08:00', step: 'counselor-review', group: 'dorm-manager', scope: 'wxy', person: 't-su' },
    ].map((e) => JSON.stringify({ ...base, ...e }));
    writeFileSync(path.join(dir, 'events-2026-03-02.jsonl'), `${lines.join('\n')}\n`);
    const out = path.join(dir, 'report');
    const r = await hall(['report', path.join(ROOT, 'catalog'), '--events', dir, '--from', '2026-03-01', '--to', '2026-03-31', '--out', out, '--no-progress']);
    expect(r.exitCode, r.all).toBe(0);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/申请人催办次数[^\n]*1/);
    expect(r.all).not.toMatch(/无效|invalid/i);
  });
});
