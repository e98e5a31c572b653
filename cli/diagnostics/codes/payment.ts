import { d } from './define.ts';

/** Payment steps (issue 15.9b, docs/payment.md): 审批通过后在线缴费，逾期未缴费视为放弃或转入 unpaid 环节. */
export const PAYMENT_DIAGNOSTICS = {
  'payment/no-fee': d('error', ['缴费环节没有可计算的金额', 'Payment step without a computed fee'],
    ['缴费环节“{step}”要在统一支付平台下单，但本事项的收费项目（guide.fees.items）都没有写 amount：大厅算不出应缴金额。', 'Payment step "{step}" orders the fee on the payment platform, but none of the service\'s fee items (guide.fees.items) has an amount: the hall cannot compute what is owed.'],
    ['给收费项目写 amount（rate 单价，quantity 数量的 FEEL，或 tiers 分档），或删去缴费环节。', 'Give a fee item an amount (rate, a FEEL quantity, or tiers), or remove the payment step.'],
    { bad: 'fees:\n  items:\n    - name: 场地使用费\n      standard: 每天 200 元', good: 'fees:\n  items:\n    - name: 场地使用费\n      standard: 每天 200 元\n      amount: { rate: 200, quantity: days }' }),
  'payment/before-approval': d('error', ['缴费在审批之前', 'Payment before any approval'],
    ['缴费环节“{step}”之前没有审批环节（至少有一条路线如此）：申请人会在结果未定时付款，不通过时还要退费。', 'Payment step "{step}" has no approval step before it (on at least one way through the flow): the applicant would pay before the result is known, and be refunded when it is not approved.'],
    ['把缴费环节移到审批环节之后（审批通过后缴费）。', 'Move the payment step after the approval (pay once approved).'],
    { bad: 'steps:\n  - id: pay-fee\n    payment: { connector: campus-pay, days: 3 }\n  - id: review', good: 'steps:\n  - id: review\n  - id: pay-fee\n    payment: { connector: campus-pay, days: 3 }' }),
  'payment/days-out-of-range': d('error', ['缴费期限不在 1–30 个工作日之间', 'Payment period out of range'],
    ['“{step}”的缴费期限为 {days} 个工作日：{detail}', 'The payment period of "{step}" is {days} work days: {detail}'],
    ['写 1 到 30 之间的工作日数；场地、活动类收费通常为 3 到 5 个工作日。', 'Write between 1 and 30 work days; venue and event fees commonly allow 3 to 5.'],
    { bad: 'payment: { connector: campus-pay, days: 0 }', good: 'payment: { connector: campus-pay, days: 3 }' }),
  'payment/unknown-connector': d('error', ['缴费环节使用未声明的支付平台接口', 'Payment step uses an undeclared connector'],
    ['缴费环节“{step}”在接口“{connector}”下单，但 hall.yaml 的 connectors 中没有声明它。大厅只调用声明过的接口。', 'Payment step "{step}" orders through connector "{connector}", which hall.yaml does not declare under connectors. The hall calls declared connectors only.'],
    ['在 hall.yaml 的 connectors 中声明统一支付平台（标识、名称、主管部门，通常为财务处；地址和回调密钥由信息化办在运行平台配置），或改用已声明的接口：{known}。', 'Declare the payment platform in hall.yaml connectors (id, name, owning department, usually the finance office; the IT office configures its address and callback secret), or use a declared one: {known}.'],
    { bad: 'payment:\n  connector: pay', good: '# hall.yaml\nconnectors:\n  - { id: campus-pay, name: 统一支付平台, department: cwc }\n# service\npayment:\n  connector: campus-pay' }),
  'payment/second-order': d('error', ['缴费环节放在了公示异议或未缴费环节之中', 'Payment step inside objections or unpaid steps'],
    ['缴费环节“{step}”写在另一个缴费环节的 unpaid 或公示的 objections 中：一个申请只下一笔订单，在这里重新下单会让申请人付两次。', 'Payment step "{step}" sits in another payment step\'s unpaid steps or a publicity period\'s objections: an application orders once, and ordering again here could make the applicant pay twice.'],
    ['把缴费环节放在流程的主线上（审批之后），unpaid 中写逾期后由人办理的环节。', 'Put the payment step on the flow\'s main line (after the approval); in unpaid, list steps people handle after the period.'],
    { bad: 'unpaid:\n  - id: pay-again\n    payment: { connector: campus-pay, days: 3 }', good: 'unpaid:\n  - id: release-site\n    name: 释放场地\n    group: office-staff\n    scope: department\n    department: zcc\n    deadline: 1\n    actions: [approve]' }),
} as const;
