import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runWorkflow } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import type { RuntimeDefinition } from '../../lib/interpret/index.ts';
import type { Decision } from '../../lib/interpret/interpret.ts';
import { ROOT } from '../helpers/cli.ts';
import { compileNodes } from '../../cli/compile/compile-runtime.ts';

/**
 * Payment steps (issue 15.9b) on the reference interpreter, with the example catalog's 临时商业活动: once the
 * countersign approves, the fee computed from the form is ordered, payable for 3 work days on the school
 * calendar; `paid` within them goes on, `timeout` (never before the end) ends the application as unpaid, or
 * runs the unpaid steps when the service has some; nothing owed passes at once; a live run waits and says
 * what to order.
 */
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

const applicant = { name: '陈立峰', number: 'T2009031', type: '教职工', department: 'jsj', phone: '13907310001' };
const data = {
  hostUnit: 'jsj', contactName: '陈立峰', contactPhone: '13907310001', companyName: '长沙某科技有限公司', creditCode: '91430100MA4L1XYW3K', companyContact: '彭飞', companyPhone: '13974100003',
  businessType: '商品展销', targetsStudents: false, campus: '南校区', area: '第二食堂门前', period: { start: '2026-05-12', end: '2026-05-13' }, stallCount: 1, needPower: true, staffCount: 3,
  description: '配合计算机学院创新创业周，展示和销售开发板、传感器套件等电子元器件，现场提供技术讲解。', license: ['营业执照.pdf'], agreement: ['方案.pdf'], pledge: ['承诺书.pdf'],
};
// Approved on Thursday 2026-03-05: three work days to pay run to Tuesday 2026-03-10.
const approvals: Decision[] = [
  { step: 'host-head-review', action: 'approve', at: '2026-03-05T09:00:00+08:00' },
  { step: 'zcc-review', action: 'approve', at: '2026-03-05T10:00:00+08:00' },
  { step: 'bwc-review', action: 'approve', at: '2026-03-05T11:00:00+08:00' },
];
const pay = (action: 'paid' | 'timeout', at?: string): Decision => ({ step: 'pay-site-fee', action, ...(at ? { at } : {}) });
const run = (decisions: Decision[], options: { live?: boolean; form?: Record<string, unknown>; definition?: RuntimeDefinition } = {}) =>
  runWorkflow(options.definition ?? runtime.current('commercial-stall'), runtime.calendar, { applicant, data: options.form ?? data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'commercial-stall', name: '临时商业活动摆摊设点申请' }, live: options.live });

describe('payment steps on the interpreter', () => {
  it('orders the computed fee once approved and goes on when the platform confirms within the period', () => {
    const result = run([...approvals, pay('paid', '2026-03-09T16:00:00+08:00')]);
    expect(result.outcome).toBe('approved');
    expect(result.path).toEqual(['host-head-review', 'zcc-review', 'bwc-review', 'pay-site-fee']);
    // 1 stall × 2 days × 200 元 + 1 × 2 × 20 元 = 440 元.
    expect(result.timeline.find((t) => t.type === 'ordered')).toMatchObject({ step: 'pay-site-fee', at: '2026-03-05T11:00:00+08:00', amountFen: 44_000, until: '2026-03-10' });
    expect(result.timeline.find((t) => t.type === 'paid')).toMatchObject({ step: 'pay-site-fee', at: '2026-03-09T16:00:00+08:00', amountFen: 44_000 });
    expect(result.timeline.at(-1)).toMatchObject({ type: 'completed', outcome: 'approved', at: '2026-03-09T16:00:00+08:00' });
    expect(result.notifications.find((n) => n.event === 'ordered')?.text).toBe('【缴费】您申请的“临时商业活动摆摊设点申请”已审批通过，请在 2026-03-10 前完成“缴纳场地使用费”：应缴 440 元，请在申请页面点击“去缴费”，通过学校统一支付平台支付。');
  });

  it('ends as unpaid when the period ends unpaid, at the end of its last work day', () => {
    const result = run([...approvals, pay('timeout')]);
    expect(result.outcome).toBe('unpaid');
    expect(result.problem).toBeUndefined();
    expect(result.path.at(-1)).toBe('pay-site-fee');
    expect(result.timeline.slice(-2)).toMatchObject([
      { type: 'unpaid', step: 'pay-site-fee', at: '2026-03-10T23:59:59+08:00' },
      { type: 'completed', outcome: 'unpaid', at: '2026-03-10T23:59:59+08:00' },
    ]);
    expect(result.notifications.map((n) => n.event)).toContain('unpaid');
    expect(result.notifications.map((n) => n.event)).not.toContain('approved');
  });

  it('refuses a payment recorded after the period and a timeout recorded before its end', () => {
    expect(run([...approvals, pay('paid', '2026-03-11T00:00:01+08:00')])).toMatchObject({ outcome: 'error', problem: { zh: '“缴纳场地使用费”的缴费期限 2026-03-10 已过，不能再记录缴费' } });
    expect(run([...approvals, pay('timeout', '2026-03-10T18:00:00+08:00')])).toMatchObject({ outcome: 'error', problem: { en: 'the payment period of "pay-site-fee" runs until 2026-03-10; it cannot time out earlier' } });
    expect(run([...approvals, { step: 'pay-site-fee', action: 'approve' }])).toMatchObject({ outcome: 'error', problem: { en: 'payment step "pay-site-fee" records only "paid" or "timeout", not "approve"' } });
  });

  it('a live run waits for the platform and says what to order; a scenario without a decision is pending', () => {
    const live = run(approvals, { live: true });
    expect(live.outcome).toBe('pending');
    expect(live.paying).toEqual({ step: 'pay-site-fee', connector: 'campus-pay', amountFen: 44_000, until: '2026-03-10', endsAt: '2026-03-10T23:59:59+08:00' });
    expect(live.waiting).toEqual([]);
    const scenario = run(approvals);
    expect(scenario.outcome).toBe('pending');
    expect(scenario.paying).toBeUndefined();
    // hall simulate offers the platform's two answers.
    expect(scenario.waiting).toEqual([{ step: 'pay-site-fee', name: '缴纳场地使用费', assignee: 'payment:campus-pay', actions: ['paid', 'timeout'] }]);
  });

  it('charges the form as last revised', () => {
    const decisions: Decision[] = [{ step: 'host-head-review', action: 'return', comment: '摊位数改为 3 个', revise: { stallCount: 3 } }, ...approvals, pay('paid')];
    expect(run(decisions).timeline.find((t) => t.type === 'ordered')?.amountFen).toBe(132_000);
  });

  it('passes at once when nothing is owed, without an order', () => {
    const result = run(approvals, { form: { ...data, businessType: '公益性活动', needPower: false } });
    expect(result.outcome).toBe('approved');
    expect(result.timeline.some((t) => t.type === 'ordered')).toBe(false);
    expect(result.timeline.find((t) => t.type === 'paid')).toMatchObject({ amountFen: 0 });
  });

  it('runs the unpaid steps instead of ending when the service has some, and skips them when paid', () => {
    const base = runtime.current('commercial-stall');
    // The compiler's reading of `unpaid:` (cli/compile/compile-payment.ts): the step, then a branch on its variable.
    const compiled = compileNodes([{ id: 'pay-site-fee', name: '缴纳场地使用费', payment: { connector: 'campus-pay', days: 3 }, unpaid: [{ id: 'release-site', name: '释放场地', group: 'office-staff', scope: 'department', department: 'zcc', deadline: 1, actions: ['approve', 'reject'] }] }]);
    expect(compiled.map((n) => [n.kind, n.id, 'condition' in n ? n.condition : 'whenUnpaid' in n ? n.whenUnpaid : '']).flat()).toEqual(['payment', 'pay-site-fee', 'steps', 'branch', 'pay-site-fee-unpaid', 'paid_pay_site_fee = false']);
    const definition = { ...base, workflow: { ...base.workflow!, steps: [...base.workflow!.steps.filter((n) => n.kind !== 'payment'), ...compiled] } } as RuntimeDefinition;
    const unpaid = run([...approvals, pay('timeout'), { step: 'release-site', action: 'reject', comment: '逾期未缴费，场地另行安排' }], { definition });
    expect({ outcome: unpaid.outcome, last: unpaid.path.at(-1) }).toEqual({ outcome: 'rejected', last: 'release-site' });
    const paid = run([...approvals, pay('paid')], { definition });
    expect({ outcome: paid.outcome, path: paid.path.at(-1) }).toEqual({ outcome: 'approved', path: 'pay-site-fee' });
  });
});
