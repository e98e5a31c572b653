import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import type { Decision, RunInput } from '../../lib/interpret/interpret.ts';
import { keptBefore155, loadFlows } from '../helpers/flows.ts';

const { definition, calendar } = await loadFlows();

const small = { amount: 5000, urgent: false, category: '设备', unit: 'dept-a' };
const big = { amount: 200000, urgent: true, urgentReason: '年底结算', category: '服务', unit: 'dept-b' };

function run(data: Record<string, unknown>, decisions: Decision[], extra: Partial<RunInput> = {}) {
  return runWorkflow(definition, calendar, {
    applicant: { name: '赵一', department: 'dept-a' },
    data,
    decisions,
    submittedAt: '2026-03-02T09:00:00+08:00',
    service: { id: 'flow', name: '流程测试事项' },
    ...extra,
  });
}

describe('reference interpreter: constructs', () => {
  it('runs a sequence and takes the else branch below the threshold', () => {
    const r = run(small, [{ step: 'unit-review', action: 'approve' }, { step: 'a-quick', action: 'approve' }, { step: 'ops-done', action: 'approve' }]);
    expect(r.outcome).toBe('approved');
    expect(r.path).toEqual(['unit-review', 'a-quick', 'ops-done']);
  });

  it('resolves scopes: a form field, a fixed department, the whole university', () => {
    const r = run(big, [
      { step: 'unit-review', action: 'approve' }, { step: 'a-review', action: 'approve' }, { step: 'b-review', action: 'approve' },
      { step: 'leader', action: 'approve' }, { step: 'ops-done', action: 'approve' },
    ]);
    expect(r.assignees).toEqual({
      'unit-review': 'department-head@dept-b', 'a-review': 'office-staff@dept-a', 'b-review': 'office-staff@dept-b',
      leader: 'university-leader', 'ops-done': 'office-staff@ops',
    });
  });

  it('parallel all: every step must decide, in any order', () => {
    const r = run(big, [{ step: 'unit-review', action: 'approve' }, { step: 'b-review', action: 'approve' }]);
    expect(r.outcome).toBe('pending');
    expect(r.waiting.map((w) => w.step)).toEqual(['a-review']);
  });

  it('parallel all: one reject ends the application', () => {
    const r = run(big, [{ step: 'unit-review', action: 'approve' }, { step: 'a-review', action: 'reject', comment: '不符合' }]);
    expect(r.outcome).toBe('rejected');
    expect(r.notifications.at(-1)?.text).toBe('赵一，您的申请未通过：不符合');
  });

  it('parallel any (或签): the first decision decides and the other task closes', () => {
    const r = run(small, [{ step: 'unit-review', action: 'approve' }, { step: 'b-quick', action: 'approve' }, { step: 'a-quick', action: 'approve' }]);
    expect(r.outcome).toBe('error');
    expect(r.problem?.en).toContain('a decision for "a-quick" but the active steps are ops-done');
  });

  it('return: the applicant resubmits revised data and the same step decides again', () => {
    const r = run(small, [
      { step: 'unit-review', action: 'return', comment: '请补充', revise: { category: '服务' } },
      { step: 'unit-review', action: 'approve' }, { step: 'a-quick', action: 'approve' }, { step: 'ops-done', action: 'approve' },
    ]);
    expect(r.outcome).toBe('approved');
    expect(r.path).toEqual(['unit-review', 'unit-review', 'a-quick', 'ops-done']);
    expect(r.timeline.map((t) => t.type)).toContain('resubmitted');
  });

  it('return inside a countersign restarts the whole countersign (a version kept from before issue 15.5)', () => {
    const kept = keptBefore155(definition);
    const r = runWorkflow(kept, calendar, { applicant: { name: '赵一', department: 'dept-a' }, data: big, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'flow', name: '流程测试事项' }, decisions: [
      { step: 'unit-review', action: 'approve' }, { step: 'a-review', action: 'approve' }, { step: 'b-review', action: 'return' },
      { step: 'b-review', action: 'approve' }, { step: 'a-review', action: 'approve' }, { step: 'leader', action: 'approve' }, { step: 'ops-done', action: 'approve' },
    ] });
    expect(r.outcome).toBe('approved');
    expect(r.path).toEqual(['unit-review', 'a-review', 'b-review', 'b-review', 'a-review', 'leader', 'ops-done']);
  });

  it('refuses an action the step does not allow', () => {
    const r = run(big, [{ step: 'unit-review', action: 'approve' }, { step: 'a-review', action: 'approve' }, { step: 'b-review', action: 'approve' }, { step: 'leader', action: 'return' }]);
    expect(r.outcome).toBe('error');
    expect(r.problem?.en).toBe('step "leader" does not allow "return"');
  });

  it('reports decisions left over after the flow ends', () => {
    const r = run(small, [{ step: 'unit-review', action: 'reject' }, { step: 'a-quick', action: 'approve' }]);
    expect(r.outcome).toBe('rejected');
  });

  it('computes due dates on the work calendar and notices overdue decisions', () => {
    const r = run(small, [{ step: 'unit-review', action: 'approve', at: '2026-03-05T10:00:00+08:00' }], { submittedAt: '2026-03-06T16:00:00+08:00' });
    const assigned = r.timeline.find((t) => t.type === 'assigned' && t.step === 'unit-review');
    expect(assigned?.due).toBe('2026-03-09'); // Friday + 1 work day = Monday
    const late = run(small, [{ step: 'unit-review', action: 'approve', at: '2026-03-10T10:00:00+08:00' }], { submittedAt: '2026-03-06T16:00:00+08:00' });
    expect(late.timeline.some((t) => t.type === 'overdue' && t.step === 'unit-review')).toBe(true);
  });

  it('renders notifications with the assignee, due date and form data', () => {
    const r = run(small, [{ step: 'unit-review', action: 'approve' }]);
    expect(r.notifications[0]).toEqual({ event: 'assigned', to: 'department-head@dept-a', text: '赵一的申请待您审核，期限2026-03-03。' });
  });
});

describe('reference interpreter: submissions are validated field by field first', () => {
  it.each([
    ['a missing required field', { ...small, category: undefined }, 'category', '必填'],
    ['a value outside the options', { ...small, category: '其他' }, 'category', '只能从这些选项中选择：设备、服务'],
    ['an amount above the maximum', { ...small, amount: 2000000 }, 'amount', '不能大于 1000000'],
    ['money with three decimals', { ...small, amount: 10.005 }, 'amount', '金额最多保留两位小数'],
    ['a field required only when visible', { ...small, urgent: true }, 'urgentReason', '必填'],
    ['a hidden field that was filled', { ...small, urgentReason: '无' }, 'urgentReason', '当前条件下不应填写（该字段不显示）'],
    ['an ID number with a wrong check digit', { ...small, idNumber: '110101199003074515' }, 'idNumber', '身份证号校验位不正确，请核对'],
    ['a field the form does not have', { ...small, colour: 'red' }, 'colour', '表单中没有这个字段'],
    ['the wrong type', { ...small, urgent: 'yes' }, 'urgent', '应为是/否'],
  ])('rejects %s', (_name, data, field, message) => {
    const r = run(JSON.parse(JSON.stringify(data)), []);
    expect(r.outcome).toBe('invalid');
    expect(r.fieldErrors).toContainEqual(expect.objectContaining({ field, message: expect.objectContaining({ zh: message }) }));
    expect(r.timeline).toEqual([]);
  });

  it('accepts a valid ID number', () => {
    expect(run({ ...small, idNumber: '11010519491231002X' }, []).outcome).toBe('pending');
  });

  it('validates revised data after a return', () => {
    const r = run(small, [{ step: 'unit-review', action: 'return', revise: { amount: -5 } }]);
    expect(r.outcome).toBe('invalid');
    expect(r.fieldErrors[0]).toMatchObject({ field: 'amount' });
  });
});

describe('reference interpreter: step fields, validity rules and bookings', async () => {
  const { catalog, calendar: cal } = await loadFlows();
  const { compileDefinition } = await import('../../cli/compile/compile-runtime.ts');
  const service = catalog.services.get('booking')!.value;
  const booking = compileDefinition(service, 1, 'x'.repeat(64));
  const go = (data: Record<string, unknown>, decisions: Decision[], resource = 'small-room') =>
    runWorkflow(booking, cal, { applicant: { name: '孙三' }, data, decisions, submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'booking', name: '场地预约测试' }, booking: { resource, date: '2026-03-03', slot: '08:00-10:00' } });

  it('a value entered by an assignee drives a later branch', () => {
    expect(go({ attendees: 5, seats: 5 }, [{ step: 'staff-check', action: 'approve', data: { cleaningFee: 0 } }]).outcome).toBe('approved');
    const costly = go({ attendees: 5, seats: 5 }, [{ step: 'staff-check', action: 'approve', data: { cleaningFee: 80 } }]);
    expect(costly.outcome).toBe('pending');
    expect(costly.waiting.map((w) => w.step)).toEqual(['head-approve']);
  });

  it('the booked resource is visible to conditions as booking.resource', () => {
    const r = go({ attendees: 5, seats: 5 }, [{ step: 'staff-check', action: 'approve', data: { cleaningFee: 0 } }], 'big-hall');
    expect(r.waiting.map((w) => w.step)).toEqual(['head-approve']);
  });

  it("step fields are validated: required, typed, and only the step's own", () => {
    expect(go({ attendees: 5, seats: 5 }, [{ step: 'staff-check', action: 'approve' }]).fieldErrors).toContainEqual(expect.objectContaining({ field: 'cleaningFee' }));
    expect(go({ attendees: 5, seats: 5 }, [{ step: 'staff-check', action: 'approve', data: { cleaningFee: 'free' } }]).outcome).toBe('invalid');
    expect(go({ attendees: 5, seats: 5 }, [{ step: 'staff-check', action: 'approve', data: { cleaningFee: 0, extra: 1 } }]).fieldErrors).toContainEqual(expect.objectContaining({ field: 'extra' }));
  });

  it('a return after a step entered values resubmits the form alone, and the values stay readable', () => {
    const r = go({ attendees: 5, seats: 5 }, [
      { step: 'staff-check', action: 'approve', data: { cleaningFee: 80 } },
      { step: 'head-approve', action: 'return', comment: '请确认人数', revise: { attendees: 6, seats: 6 } },
      { step: 'head-approve', action: 'approve' },
    ]);
    expect(r.fieldErrors).toEqual([]);
    expect(r.outcome).toBe('approved');
    expect(r.path).toEqual(['staff-check', 'head-approve', 'head-approve']);
  });

  it('required step fields are required to approve, not to return or reject', () => {
    expect(go({ attendees: 5, seats: 5 }, [{ step: 'staff-check', action: 'return' }]).outcome).toBe('pending');
    expect(go({ attendees: 5, seats: 5 }, [{ step: 'staff-check', action: 'reject' }]).outcome).toBe('rejected');
    expect(go({ attendees: 5, seats: 5 }, [{ step: 'staff-check', action: 'reject', data: { cleaningFee: 'x' } }]).outcome).toBe('invalid');
  });

  it('a validIf rule compares fields and shows its message', () => {
    const r = go({ attendees: 30, seats: 20 }, []);
    expect(r.outcome).toBe('invalid');
    expect(r.fieldErrors).toEqual([{ field: 'seats', label: '申请座位数', message: { zh: '座位数不能少于参加人数', en: '座位数不能少于参加人数' } }]);
  });

  it('compiles booking limits and step field schemas into the definition', () => {
    expect(booking.appointment?.limits).toEqual({ perPerson: { count: 2, period: 'week' }, cancelBeforeHours: 24 });
    const step = booking.workflow!.steps[0];
    expect(step).toMatchObject({ kind: 'step', fields: [{ id: 'cleaningFee', type: 'money', required: true }], schema: { required: ['cleaningFee'] } });
  });
});
