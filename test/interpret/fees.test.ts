import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { assessFees, tieredFen } from '../../lib/interpret/fees.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import { runScenario } from '../../lib/interpret/scenarios.ts';
import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import type { Scenario } from '../../generated/types/service.ts';
import { ROOT } from '../helpers/cli.ts';

/**
 * Issue 15 item 9: fees computed from the form. The example catalog's commercial stall, as compiled in
 * generated/: 200 yuan per stall per day (waived for 公益性活动) plus 20 yuan per stall per day with power.
 */
const read = async (file: string) => JSON.parse(await readFile(path.join(ROOT, 'generated/runtime', file), 'utf8'));
// The current version, whatever its number: other changes to the service (its countersign) make new versions.
const current = ((await read('manifest.json')) as { services: { id: string; current: number }[] }).services.find((s) => s.id === 'commercial-stall')!.current;
const stall: RuntimeDefinition = await read(`commercial-stall/v${current}.json`);
const calendar = new WorkCalendar(await read('calendar.json'));
const AT = '2026-03-02T09:00:00+08:00';
const APPLICANT = { name: '周晓岚', number: 'T2015008', type: '教职工', department: 'xxzx', phone: '13907310060' };
const DATA = {
  hostUnit: 'xxzx', contactName: '周晓岚', contactPhone: '13907310060', companyName: '某公司', creditCode: '91430100712106385X', companyContact: '邓强', companyPhone: '13974100001',
  businessType: '通信业务', targetsStudents: false, campus: '本部校区', area: '第一食堂门前东侧', period: { start: '2026-03-02', end: '2026-03-06' }, stallCount: 2, needPower: true, staffCount: 6,
  description: '为春季入学的研究生办理校园网融合套餐和校园卡，现场提供资费说明。', license: ['执照.pdf'], agreement: ['协议.pdf'], pledge: ['承诺书.pdf'],
};
const fee = (data: Record<string, unknown>, definition = stall) => assessFees(definition, data, APPLICANT, AT);

describe('fees computed from the form', () => {
  it('multiplies the rate by the quantity expression: stalls × days, in fen', () => {
    expect(fee(DATA)).toEqual({ ok: true, fee: { items: [{ name: '场地使用费', quantity: 10, fen: 200_000 }, { name: '临时用电费', quantity: 10, fen: 20_000 }], totalFen: 220_000 } });
    expect(fee({ ...DATA, stallCount: 1, period: { start: '2026-05-12', end: '2026-05-13' } })).toMatchObject({ fee: { totalFen: 44_000 } });
  });

  it('charges an item only when its condition holds: no power, no power fee; a public-welfare stall pays no site fee', () => {
    expect(fee({ ...DATA, needPower: false })).toMatchObject({ fee: { items: [{ name: '场地使用费' }], totalFen: 200_000 } });
    expect(fee({ ...DATA, businessType: '公益性活动' })).toMatchObject({ fee: { items: [{ name: '临时用电费' }], totalFen: 20_000 } });
    expect(fee({ ...DATA, businessType: '公益性活动', needPower: false })).toEqual({ ok: true, fee: { items: [], totalFen: 0 } });
  });

  it('prices graduated tiers unit by unit, and rates in fen without float drift', () => {
    const tiers = [{ upTo: 10, rate: 2 }, { upTo: 50, rate: 1.1 }, { rate: 0.3 }];
    expect(tieredFen(tiers, 3)).toBe(600);
    expect(tieredFen(tiers, 10)).toBe(2000);
    expect(tieredFen(tiers, 11)).toBe(2110);
    expect(tieredFen(tiers, 60)).toBe(2000 + 40 * 110 + 10 * 30);
    const copies: RuntimeDefinition = { ...stall, fees: { items: [{ name: { zh: '复印费' }, quantity: 'stallCount', rate: 0.1 }] } };
    // 0.1 × 3 is 0.30000000000000004 in floating point; the hall charges 30 fen.
    expect(fee({ ...DATA, stallCount: 3 }, copies)).toMatchObject({ fee: { totalFen: 30 } });
  });

  it('stops with an error, not a wrong amount, when the quantity is not a whole number', () => {
    const half: RuntimeDefinition = { ...stall, fees: { items: [{ name: { zh: '场地使用费' }, quantity: 'stallCount / 4', rate: 200 }] } };
    const outcome = fee(DATA, half);
    expect(outcome).toMatchObject({ ok: false, problem: { en: 'fee quantity "stallCount / 4" is not a whole number ≥ 0: 0.5' } });
  });

  it('gives the run its fee on the form as revised, and {{fee}} to the approval notification', () => {
    const r = runWorkflow(stall, calendar, { applicant: APPLICANT, data: DATA, decisions: [{ step: 'host-head-review', action: 'return', comment: '摊位改为 1 个', revise: { stallCount: 1 } }, { step: 'host-head-review', action: 'approve' }, { step: 'zcc-review', action: 'approve' }, { step: 'bwc-review', action: 'approve' }, { step: 'pay-site-fee', action: 'paid' }], submittedAt: AT, service: { id: 'commercial-stall', name: '临时商业活动' } });
    expect(r.outcome).toBe('approved');
    expect(r.fee?.totalFen).toBe(110_000);
    // The payment step (issue 15.9b) orders the same amount.
    expect(r.timeline.find((t) => t.type === 'ordered')?.amountFen).toBe(110_000);
    expect(r.notifications.find((n) => n.event === 'approved')?.text).toContain('共 1100 元');
  });

  it('a scenario expecting another fee fails and says both amounts', () => {
    const scenario: Scenario = { name: '费用预期错误', applicant: APPLICANT, data: DATA, decisions: [{ step: 'host-head-review', action: 'approve' }, { step: 'zcc-review', action: 'approve' }, { step: 'bwc-review', action: 'approve' }, { step: 'pay-site-fee', action: 'paid' }], expect: { path: ['host-head-review', 'zcc-review', 'bwc-review', 'pay-site-fee'], outcome: 'approved', fee: 2000 } };
    const outcome = runScenario(stall, calendar, scenario, { id: 'commercial-stall', name: '临时商业活动' });
    expect(outcome.pass).toBe(false);
    expect(outcome.mismatches).toEqual([{ zh: '应缴金额：预期 2000 元，实际 2200 元', en: 'fee: expected 2000 yuan, got 2200 yuan' }]);
    expect(runScenario(stall, calendar, { ...scenario, expect: { ...scenario.expect, fee: 2200 } }, { id: 'commercial-stall', name: '临时商业活动' }).pass).toBe(true);
  });

  it('a service without amounts computes no fee and keeps its definition free of a fees key', async () => {
    const card: RuntimeDefinition = await read('campus-card-replacement/v1.json');
    expect('fees' in card).toBe(false);
    expect(fee(DATA, card)).toBeUndefined();
  });
});
