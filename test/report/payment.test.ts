import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, hall } from '../helpers/cli.ts';

/**
 * `hall report` reads the events payment steps add to the log (issue 15.9b): an order, a payment, a period
 * ended unpaid are known event types, never "invalid lines"; an application ended unpaid (未缴费) is counted
 * in the summary apart from the completed ones, and is not a completed application's time taken.
 */
describe('hall report on a log with payment steps', () => {
  it('accepts the payment events and counts the applications ended unpaid', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-report-payment-'));
    const version = JSON.parse(readFileSync(path.join(ROOT, 'generated/runtime/manifest.json'), 'utf8')).services.find((s: { id: string }) => s.id === 'commercial-stall').current;
    const base = { service: 'commercial-stall', version, channel: 'pc', applicant: { type: '教职工', department: 'xxzx' } };
    const steps = (instance: string, day: string) => [
      { type: 'submitted', at: `${day}T09:00:00+08:00` },
      { type: 'assigned', at: `${day}T09:00:00+08:00`, step: 'host-head-review', group: 'department-head', scope: 'xxzx', department: 'xxzx', due: day },
      { type: 'acted', at: `${day}T10:00:00+08:00`, step: 'host-head-review', group: 'department-head', scope: 'xxzx', action: 'approve' },
      { type: 'ordered', at: `${day}T11:00:00+08:00`, step: 'pay-site-fee', amountFen: 44_000, order: `${instance}.pay-site-fee`, until: '2026-03-10' },
    ].map((e, i) => ({ ...base, instance, id: `${instance}-${i}`, ...e }));
    const lines = [
      ...steps('paid-1', '2026-03-05'),
      { ...base, instance: 'paid-1', id: 'paid-1-p', type: 'paid', at: '2026-03-06T10:00:00+08:00', step: 'pay-site-fee', amountFen: 44_000, order: 'paid-1.pay-site-fee', transaction: 'T1' },
      { ...base, instance: 'paid-1', id: 'paid-1-c', type: 'completed', at: '2026-03-06T10:00:00+08:00', outcome: 'approved' },
      ...steps('unpaid-1', '2026-03-05'),
      { ...base, instance: 'unpaid-1', id: 'unpaid-1-u', type: 'unpaid', at: '2026-03-10T23:59:59+08:00', step: 'pay-site-fee' },
      { ...base, instance: 'unpaid-1', id: 'unpaid-1-c', type: 'completed', at: '2026-03-10T23:59:59+08:00', outcome: 'unpaid' },
    ].map((e) => JSON.stringify(e));
    writeFileSync(path.join(dir, 'events-2026-03-05.jsonl'), `${lines.join('\n')}\n`);
    const out = path.join(dir, 'report');
    const r = await hall(['report', path.join(ROOT, 'catalog'), '--events', dir, '--from', '2026-03-01', '--to', '2026-03-31', '--out', out, '--no-progress']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).not.toMatch(/无效|invalid/i);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/逾期未缴费而结束的申请[^\n]*1/);
    // Two applications; one completed (approved), one ended unpaid: neither is still open.
    expect(md).toMatch(/\| 仍在办理 \| 0 \|/);
  });
});
