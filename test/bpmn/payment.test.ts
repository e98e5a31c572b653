import { describe, expect, it } from 'vitest';
import { evaluate } from 'feelin';
import { compileBpmn } from '../../cli/bpmn/compile-bpmn.ts';
import { feeFeel } from '../../cli/bpmn/payment.ts';
import { fieldsOfDefinition } from '../../lib/interpret/feel.ts';
import { assessFees } from '../../lib/interpret/fees.ts';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { RuntimeDefinition } from '../../lib/interpret/index.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { ROOT } from '../helpers/cli.ts';
import { runOnEngine } from './engine.ts';
import { LINT_PROFILES, allElements, lintBpmn, parseBpmn } from './inspect.ts';

/**
 * Issue 15.9b in the BPMN export, on the example catalog's 临时商业活动: the amount computed in FEEL, a gateway
 * that skips the order when nothing is owed, the order's service task, a receive task for the platform's
 * confirmation with an interrupting timer at the period's end, and the end 未缴费. Camunda-lint clean;
 * bpmn-engine takes the interpreter's path and outcome when paid, when unpaid and when nothing is owed.
 */
const runtime = await loadRuntime(`${ROOT}/generated`);
const definition = runtime.current('commercial-stall');
const { bpmn } = await compileBpmn(definition, '临时商业活动摆摊设点申请');
const { rootElement } = await parseBpmn(bpmn);
const byId = new Map(allElements(rootElement).map((e) => [e.id, e]));

const applicant = { name: '周晓岚', number: 'T2015008', type: '教职工', department: 'xxzx', phone: '13907310060' };
const data = {
  hostUnit: 'xxzx', contactName: '周晓岚', contactPhone: '13907310060', companyName: '长沙某科技有限公司', creditCode: '91430100MA4L1XYW3K', companyContact: '彭飞', companyPhone: '13974100003',
  businessType: '商品展销', targetsStudents: false, campus: '南校区', area: '第二食堂门前', period: { start: '2026-05-12', end: '2026-05-14' }, stallCount: 2, needPower: true, staffCount: 3,
  description: '配合计算机学院创新创业周，展示和销售开发板、传感器套件等电子元器件，现场提供技术讲解。', license: ['营业执照.pdf'], agreement: ['方案.pdf'], pledge: ['承诺书.pdf'],
};
const approvals: Decision[] = ['host-head-review', 'zcc-review', 'bwc-review'].map((step) => ({ step, action: 'approve' }));

describe('payment steps in the BPMN export', () => {
  it('orders through a service task and waits in a receive task with an interrupting timer', () => {
    const wait = byId.get('Task_pay-site-fee')!;
    expect(wait.$type).toBe('bpmn:ReceiveTask');
    expect([wait.messageRef.name, wait.messageRef.extensionElements.values[0].correlationKey]).toEqual(['servicehall-payment-pay-site-fee', '=applicationId']);
    const timeout = byId.get('Event_pay-site-fee_timeout')!;
    expect([timeout.attachedToRef.id, timeout.cancelActivity, timeout.eventDefinitions[0].timeDuration.body]).toEqual(['Task_pay-site-fee', true, 'P5D']);
    expect(byId.get('Task_pay-site-fee_order')!.extensionElements.values[0].type).toBe('servicehall-payment-campus-pay');
    expect(byId.get('Event_pay-site-fee_unpaid')!.outgoing[0].targetRef.id).toBe('EndEvent_pay-site-fee_unpaid');
    expect(byId.get('Gateway_pay-site-fee_owed')!.outgoing.map((f: { targetRef: { id: string } }) => f.targetRef.id).sort()).toEqual(['Event_pay-site-fee_free', 'Task_pay-site-fee_order']);
  });

  it.each(LINT_PROFILES)('lints clean under %s', async (profile) => {
    expect((await lintBpmn(rootElement, profile)).map((r) => `${r.rule} ${r.id}: ${r.message}`)).toEqual([]);
  });

  it.each([
    { name: 'paid within the period', form: data, decisions: [...approvals, { step: 'pay-site-fee', action: 'paid' } as Decision], outcome: 'approved' },
    { name: 'not paid: ends as unpaid', form: data, decisions: [...approvals, { step: 'pay-site-fee', action: 'timeout' } as Decision], outcome: 'unpaid' },
    { name: 'nothing owed: passes without an order', form: { ...data, businessType: '公益性活动', needPower: false }, decisions: approvals, outcome: 'approved' },
    { name: 'waiting for payment', form: data, decisions: approvals, outcome: 'pending' },
  ])('$name: the engine takes the interpreter\'s path', async ({ form, decisions, outcome }) => {
    const reference = runWorkflow(definition, runtime.calendar, { applicant, data: form, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: definition.id, name: '临时商业活动' } });
    expect(reference.outcome).toBe(outcome);
    const engine = await runOnEngine(bpmn, { applicant, data: form, decisions });
    expect(engine.problem).toBeUndefined();
    expect({ outcome: engine.outcome, path: engine.path }).toEqual({ outcome: reference.outcome, path: reference.path });
  });

  it('computes in FEEL what the interpreter computes, tiers and conditions included', () => {
    const tiered: RuntimeDefinition = {
      ...definition,
      fees: { items: [
        { name: { zh: '分档' }, quantity: 'stallCount', tiers: [{ upTo: 2, rate: 100 }, { upTo: 4, rate: 80.5 }, { rate: 50 }] },
        { name: { zh: '用电' }, rate: 20, when: 'needPower = true' },
        { name: { zh: '天数' }, rate: 3.33, quantity: '(date(get value(period, "end")) - date(get value(period, "start"))).days + 1' },
      ] },
    };
    const fields = fieldsOfDefinition(tiered);
    for (const [stallCount, needPower] of [[1, false], [2, true], [3, true], [6, false]] as const) {
      const form = { ...data, stallCount, needPower };
      const owed = assessFees(tiered, form, applicant, '2026-03-02T09:00:00+08:00');
      expect(owed?.ok).toBe(true);
      const fen = evaluate(feeFeel(tiered.fees, fields, false), { ...form, applicant }).value;
      expect(fen, `${stallCount} stalls`).toBe(owed!.ok ? owed!.fee.totalFen : NaN);
    }
  });
});
