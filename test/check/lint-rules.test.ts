import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../../cli/diagnostics/registry.ts';
import { RULES } from '../../cli/lint/rules.ts';
import type { BrokenCase } from './helpers.ts';
import { checkEdited, findingsOf, sub } from './helpers.ts';

const LEAVE = 'xgc/student-leave.yaml';
const CERT = 'xgc/enrolment-certificate.yaml';
const PAPER = 'xgc/paper-leave.yaml';
const LAB = 'jsj/lab-booking.yaml';
const LINK = 'jsj/teaching-platform.yaml';
const EXCHANGE = 'jsj/exchange-guide.yaml';

/** A date range, a date and a choice after the baseline leave form's last field (shifts the `if` to line 110). */
const TYPED_FIELDS = sub(LEAVE, '          visibleIf: leaveCampus = true\n', '          visibleIf: leaveCampus = true\n        - id: period\n          label: 请假时间\n          type: daterange\n        - id: returnDate\n          label: 返校日期\n          type: date\n        - id: leaveType\n          label: 请假类别\n          type: choice\n          options: [病假, 事假]\n');
const SUMMARY = '  summary: 学生因病';
const LEAVE_CONTINGENCY = '  contingency: 系统无法使用时，到学生活动中心 103室填写纸质请假单。\n';
const CERT_CONTINGENCY = '  contingency: 系统无法使用时，到行政楼 201室现场开具纸质证明。\n';
/** hall.yaml saying who carries what: staff apply as 教职工, and only students have a class or a college. */
const APPLICANT_TYPES = [
  sub('hall.yaml', '    name: 本科生\n', '    name: 本科生\n    applicantType: 本科生\n'),
  sub('hall.yaml', '    name: 教职工\n', '    name: 教职工\n    applicantType: 教职工\n'),
  sub('hall.yaml', 'values: [本科生, 研究生]', 'values: [本科生, 研究生, 教职工]'),
  sub('hall.yaml', '    name: 班级\n    type: class\n', '    name: 班级\n    type: class\n    applicantTypes: [本科生, 研究生]\n'),
  sub('hall.yaml', '    name: 所在学院\n    type: department\n', '    name: 所在学院\n    type: department\n    applicantTypes: [本科生, 研究生]\n'),
];
/** The countersign's college step assigned by the applicant's college. */
const COLLEGE_STEP = [sub(LEAVE, '              department: jsj\n', '              department: applicant.college\n')];
/** The baseline's second leave scenario and the certificate's scenarios, whole, for cases that remove them. */
const SECOND_LEAVE_SCENARIO = '  - name: 考试周两天事假离校，辅导员退回补写去向后仍不同意\n    applicant: { name: 李雨桐, college: jsj, class: jsj-2302 }\n    data: { studentName: 李雨桐, days: 2, leaveCampus: true, destination: 家中 }\n    decisions:\n      - { step: counselor-review, action: return, comment: 请写明详细去向, revise: { destination: 湖南省长沙市岳麓区家中 } }\n      - { step: counselor-review, action: reject, comment: 期末考试周不批准事假离校 }\n    expect:\n      path: [counselor-review, counselor-review]\n      outcome: rejected\n';
const CERT_SCENARIOS = 'scenarios:\n  - name: 出国用在读证明，学工处审核通过\n    applicant: { name: 张晓明, college: jsj, class: jsj-2301 }\n    data: { purpose: 出国 }\n    decisions:\n      - { step: office-review, action: approve }\n    expect:\n      path: [office-review]\n      outcome: approved\n  - name: 用途不明，学工处不同意\n    applicant: { name: 李雨桐, college: jsj, class: jsj-2302 }\n    data: { purpose: 其他 }\n    decisions:\n      - { step: office-review, action: reject, comment: 请写明证明的具体用途后重新申请 }\n    expect:\n      path: [office-review]\n      outcome: rejected\n';

/** A sensitive file field after the leave form's last field (issue 14.4). */
const PROOF_AFTER = '          visibleIf: leaveCampus = true\n';
const SENSITIVE_PROOF = '        - id: proof\n          label: 诊断证明\n          type: file\n          sensitive: true\n';
/** Issue 15 item 10: the exchange guide split into a first and a repeated application, the repeat needing no interview. */
const EXCHANGE_SITUATIONS = sub(EXCHANGE, '    reason: 面试。\n', '    reason: 面试。\n  situations:\n    - id: first\n      name: 首次申请\n    - id: again\n      name: 再次申请\n      visits:\n        count: 0\n');
const EXCHANGE_AGAIN_ONLY = (ids: string) => sub(EXCHANGE, '      source: other\n', `      source: other\n      situations: [${ids}]\n`);
/** The leave service split into ordinary and urgent leave; the urgent one promised within the day. */
const LEAVE_SITUATIONS = (limit: string) => sub(LEAVE, '  visits:\n    count: 0\n', `  visits:\n    count: 0\n  situations:\n    - id: ordinary\n      name: 一般请假\n    - id: urgent\n      name: 紧急请假\n      timeLimit:\n${limit}`);

/** Issue 15 item 9: the exchange guide's translation fee computed per page, and the same on the leave form. */
const EXCHANGE_AMOUNT = (amount: string) => sub(EXCHANGE, '        basis: 《测试大学收费管理办法》第五条\n', `        basis: 《测试大学收费管理办法》第五条\n        amount:\n${amount}`);
const LEAVE_FEE = (amount: string) => sub(LEAVE, '  fees:\n    free: true\n', `  fees:\n    free: false\n    items:\n      - name: 工本费\n        standard: 每天 2 元\n        basis: 测试\n        amount:\n${amount}`);

/** Issue 15.3: a system step on the leave's short path (else of long-leave), and hall.yaml declaring the door system. */
const SYSTEM_STEP = (connector: string, days: string) => sub(LEAVE, '              actions: [approve, reject]\n  notifications:\n', `              actions: [approve, reject]\n      else:\n        - id: door-sync\n          name: 同步门禁\n          system:\n            connector: ${connector}\n            payload:\n              days: ${days}\n  notifications:\n`);
const DOOR_CONNECTOR = sub('hall.yaml', 'itOffice: xgc\n', 'itOffice: xgc\nconnectors:\n  - { id: door-access, name: 门禁管理系统, department: xgc }\n');
/** Issue 15.5: the leave's 学工处 member may return to the counselor; a step after the branch; an else arm. */
const XGC_RETURN_TO = (target: string) => sub(LEAVE, '              deadline: 1\n              actions: [approve, reject]\n', `              deadline: 1\n              actions: [approve, reject, return]\n              returnTo: [${target}]\n`);
/** The leave's countersign as a 依次审批: 学院审批, then 学工处审批. */
const IN_TURN = sub(LEAVE, '          parallel: all\n', '          parallel: sequence\n');
const REGISTRAR_AFTER = sub(LEAVE, '  notifications:\n    approved:', '    - { id: registrar, name: 登记, group: office-staff, scope: department, department: xgc, deadline: 1, actions: [approve] }\n  notifications:\n    approved:');
const SHORT_ARM = sub(LEAVE, '  notifications:\n    approved:', '      else:\n        - { id: short-review, name: 短假登记, group: office-staff, scope: department, department: xgc, deadline: 1, actions: [approve] }\n  notifications:\n    approved:');

/** Issue 15.2: a publicity period after the leave's branch (line 120), or before its first step; objection steps. */
const RECHECK = (actions: string) => `      objections:\n        - { id: recheck, name: 复核异议, group: office-staff, scope: department, department: xgc, deadline: 3, actions: [${actions}] }\n`;
const PUBLICITY = (days: number, objections = RECHECK('approve, reject')) => sub(LEAVE, '  notifications:\n    approved:', `    - id: publicity\n      name: 公示\n      publicity: { days: ${days} }\n${objections}  notifications:\n    approved:`);
const PUBLICITY_FIRST = sub(LEAVE, '  steps:\n    - id: counselor-review\n', `  steps:\n    - id: publicity\n      name: 公示\n      publicity: { days: 5 }\n${RECHECK('approve, reject')}    - id: counselor-review\n`);
/** Issue 15.9b: a payment step after the leave's branch (line 127 once the fee's seven lines are in), the fee per day, the platform. */
const PAY_CONNECTOR = sub('hall.yaml', 'itOffice: xgc\n', 'itOffice: xgc\nconnectors:\n  - { id: campus-pay, name: 统一支付平台, department: xgc }\n');
const DAILY_FEE = LEAVE_FEE('          rate: 2\n          quantity: days\n');
const PAYMENT = (days: number, connector = 'campus-pay', unpaid = '') => sub(LEAVE, '  notifications:\n    approved:', `    - id: pay\n      name: 缴纳工本费\n      payment: { connector: ${connector}, days: ${days} }\n${unpaid}  notifications:\n    approved:`);
const PAYMENT_FIRST = sub(LEAVE, '  steps:\n    - id: counselor-review\n', '  steps:\n    - id: pay\n      name: 缴纳工本费\n      payment: { connector: campus-pay, days: 3 }\n    - id: counselor-review\n');
const RELEASE = (step: string) => `      unpaid:\n        - { id: ${step}, name: 确认放弃, group: office-staff, scope: department, department: xgc, deadline: 1, actions: [approve] }\n`;
/** Issue 15.8: the leave's length as a decision table (docs/routing.md), read by the long-leave branch. */
const LEAVE_TABLE = (rules: string, extra = '') => sub(LEAVE, 'workflow:\n  steps:\n', `workflow:\n  decisions:\n    - id: leaveLevel\n      name: 审批级别\n      input: days\n      rules:\n${rules}${extra}  steps:\n`);
const BANDS = '        - { when: "<= 3", result: 辅导员 }\n        - { when: "> 3", result: 学院 }\n';
const READ_TABLE = (condition = 'leaveLevel = "学院"') => sub(LEAVE, 'if: days > 3', `if: ${condition}`);
/** Issue 15: a table of two inputs, 请假类别 × 天数 (a choice of three types before the table, days 0.5–60). */
const LEAVE_TYPE = sub(LEAVE, '          visibleIf: leaveCampus = true\n', '          visibleIf: leaveCampus = true\n        - id: leaveType\n          label: 请假类别\n          type: choice\n          options: [病假, 事假, 公假]\n');
const TWO_INPUTS = (rules: string, extra = '', inputs = '        - input: leaveType\n        - input: days\n') => [LEAVE_TYPE, sub(LEAVE, 'workflow:\n  steps:\n', `workflow:\n  decisions:\n    - id: leaveLevel\n      name: 审批级别\n      inputs:\n${inputs}      rules:\n${rules}${extra}  steps:\n`), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')];
const GRID = '        - { when: [\'"病假"\', "<= 3"], result: 辅导员 }\n        - { when: [\'"病假"\', "> 3"], result: 学院 }\n        - { when: [\'"事假", "公假"\', "-"], result: 学院 }\n';
/** Three columns of one number, each cut at 1..20: 43³ combinations, over the checked limit. */
const CUBE = Array.from({ length: 20 }, (_, k) => `        - { when: ["= ${k + 1}", "= ${k + 1}", "= ${k + 1}"], result: 学院 }\n`).join('');

/**
 * The broken cases of each rule in RULES: the baseline with one thing broken, and exactly what the
 * check reports. Cases expecting nothing pin down where a rule must stay quiet. Every case runs the
 * whole pipeline with the real RULES table, so deleting a rule from it fails that rule's block.
 */
const RULE_CASES: Record<string, BrokenCase[]> = {
  onlineServicesHaveContingency: [
    { name: 'an online service without one', edits: [sub(LEAVE, LEAVE_CONTINGENCY, '')], expected: ['policy/contingency-required xgc/student-leave.yaml:17:1'] },
    { name: 'an appointment service without one', edits: [sub(LAB, '  contingency: 系统无法使用时，到计算机楼 305室登记预约。\n', '')], expected: ['policy/contingency-required jsj/lab-booking.yaml:12:1'] },
    {
      name: 'a retired online service needs none',
      edits: [sub(CERT, CERT_CONTINGENCY, ''), sub(CERT, 'status: online', 'status: retired\nretired:\n  date: 2026-09-30\n  reason: 改由自助打印机出具。')],
      expected: [],
    },
  ],
  confidentialServicesStayOffline: [
    { name: 'a confidential online service', edits: [sub(LEAVE, 'classification: public', 'classification: confidential')], expected: ['policy/confidential-published xgc/student-leave.yaml:9:17'] },
    { name: 'a confidential guide that is published', edits: [sub(EXCHANGE, 'classification: public', 'classification: confidential')], expected: ['policy/confidential-published jsj/exchange-guide.yaml:7:17'] },
    { name: 'a confidential guide kept as a draft is fine', edits: [sub(EXCHANGE, 'classification: public', 'classification: confidential'), sub(EXCHANGE, 'status: online', 'status: draft')], expected: [] },
  ],
  stepsBelongToParticipants: [
    { name: 'a step in a department not participating', edits: [sub(LEAVE, 'participants: [jsj]\n', '')], expected: ['policy/step-outside-participants xgc/student-leave.yaml:109:27'] },
  ],
  visitsHaveReason: [
    { name: 'a visit without a reason', edits: [sub(EXCHANGE, '    reason: 面试。\n', '')], expected: ['policy/visits-reason jsj/exchange-guide.yaml:33:3'] },
  ],
  gradeFourMeansNoVisits: [
    { name: 'grade IV with a visit', edits: [sub(LEAVE, '    count: 0', '    count: 1\n    reason: 核验原件。')], expected: ['policy/grade-visits xgc/student-leave.yaml:43:12'] },
  ],
  feesHaveBasis: [
    { name: 'a fee without basis', edits: [sub(EXCHANGE, '        basis: 《测试大学收费管理办法》第五条\n', '')], expected: ['policy/fee-basis jsj/exchange-guide.yaml:30:9'] },
    { name: 'free, yet with fee items', edits: [sub(EXCHANGE, 'free: false', 'free: true')], expected: ['policy/fee-items jsj/exchange-guide.yaml:29:5'] },
    { name: 'charged, without fee items', edits: [sub(LEAVE, 'free: true', 'free: false')], expected: ['policy/fee-items xgc/student-leave.yaml:41:11'] },
  ],
  resultsHaveSample: [
    { name: 'a certificate without a sample', edits: [sub(CERT, '    sample: files/certificate-sample.pdf\n', '')], expected: ['policy/result-sample xgc/enrolment-certificate.yaml:25:3'] },
    { name: 'a record needs no sample', edits: [sub(CERT, '    sample: files/certificate-sample.pdf\n', ''), sub(CERT, 'type: certificate', 'type: record')], expected: [] },
  ],
  retiredInfoMatchesStatus: [
    { name: 'retirement details on a draft', edits: [sub(PAPER, 'status: retired', 'status: draft')], expected: ['policy/retired-status xgc/paper-leave.yaml:11:1'] },
  ],
  immediateCasesTakeNoTime: [
    { name: 'an immediate case with a day', edits: [sub(LINK, 'value: 0', 'value: 1')], expected: ['policy/immediate-limit jsj/teaching-platform.yaml:18:14'] },
  ],
  stepDeadlinesFitPromise: [
    { name: 'the longest path over the promise', edits: [sub(LEAVE, '    promised:\n      value: 5', '    promised:\n      value: 2')], expected: ['policy/deadline-exceeds-limit xgc/student-leave.yaml:38:7'] },
    { name: 'calendar days counted as work days', edits: [sub(LEAVE, '    promised:\n      value: 5\n      unit: workday', '    promised:\n      value: 4\n      unit: day')], expected: ['policy/deadline-exceeds-limit xgc/student-leave.yaml:38:7'] },
    { name: 'a path exactly at the promise is fine', edits: [sub(LEAVE, '    promised:\n      value: 5', '    promised:\n      value: 3')], expected: [] },
    { name: 'a countersign in turn adds up its members\' deadlines (1 + 2 + 1 > 3)', edits: [sub(LEAVE, '    promised:\n      value: 5', '    promised:\n      value: 3'), sub(LEAVE, '          parallel: all\n', '          parallel: sequence\n')], expected: ['policy/deadline-exceeds-limit xgc/student-leave.yaml:38:7'] },
  ],
  conditionsAreValidFeel: [
    { name: 'a misspelt field', edits: [sub(LEAVE, 'if: days > 3', 'if: dayz > 3')], expected: ['feel/unknown-name xgc/student-leave.yaml:100:11'] },
    { name: 'an unknown applicant attribute', edits: [sub(LEAVE, 'if: days > 3', 'if: applicant.typ = "本科生"')], expected: ['feel/unknown-name xgc/student-leave.yaml:100:11'] },
    { name: 'a misspelt field in visibleIf', edits: [sub(LEAVE, 'visibleIf: leaveCampus = true', 'visibleIf: leaveCampuss = true')], expected: ['feel/unknown-name xgc/student-leave.yaml:86:22'] },
    { name: 'a doubled operator', edits: [sub(LEAVE, 'if: days > 3', 'if: days >> 3')], expected: ['feel/syntax xgc/student-leave.yaml:100:11'] },
    { name: 'a leading =', edits: [sub(LEAVE, 'if: days > 3', 'if: = days > 3')], expected: ['feel/syntax xgc/student-leave.yaml:100:11'] },
    { name: 'a condition that is not true/false', edits: [sub(LEAVE, 'if: days > 3', 'if: days + 3')], expected: ['feel/syntax xgc/student-leave.yaml:100:11'] },
    { name: 'applicant attributes and fields combined are fine', edits: [sub(LEAVE, 'if: days > 3', 'if: applicant.type = "本科生" and days > 3')], expected: [] },
    // Typed FEEL (issue 11.1) and the FEEL budget (issue 12.2): TYPED_FIELDS adds a date range, a date and a choice.
    { name: 'a date compared with text', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: returnDate >= "2027-01-01"')], expected: ['feel/type-mismatch xgc/student-leave.yaml:110:11'] },
    { name: 'a date-range part compared with text', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: period.start < "2027-01-01"')], expected: ['feel/type-mismatch xgc/student-leave.yaml:110:11'] },
    { name: 'a date compared with a date and time', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: returnDate > now()')], expected: ['feel/type-mismatch xgc/student-leave.yaml:110:11'] },
    { name: 'a number compared with text', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: days > "3"')], expected: ['feel/type-mismatch xgc/student-leave.yaml:110:11'] },
    { name: 'a choice compared with a number', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: leaveType = 1')], expected: ['feel/type-mismatch xgc/student-leave.yaml:110:11'] },
    { name: 'a yes/no compared with the text "true"', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: leaveCampus = "true"')], expected: ['feel/type-mismatch xgc/student-leave.yaml:110:11'] },
    { name: 'a duration compared with a number', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: period.end - period.start > 3')], expected: ['feel/type-mismatch xgc/student-leave.yaml:110:11'] },
    { name: 'a date between two texts', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: returnDate between "2027-01-01" and date("2027-02-01")')], expected: ['feel/type-mismatch xgc/student-leave.yaml:110:11'] },
    { name: 'an applicant attribute (text) compared with a number', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: applicant.number > 2022')], expected: ['feel/type-mismatch xgc/student-leave.yaml:110:11'] },
    { name: 'typed comparisons are fine', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: period.start >= date("2027-01-01") and returnDate - period.end > duration("P1D") and get value(period, "end") < today() and leaveType = "病假" and leaveCampus = true')], expected: [] },
    { name: 'a function definition', edits: [sub(LEAVE, 'if: days > 3', 'if: "{fib: function(n) if n < 2 then n else fib(n-1)+fib(n-2), r: fib(40)}.r > days"')], expected: ['feel/function-definition xgc/student-leave.yaml:100:11'] },
    { name: 'a huge literal range', edits: [sub(LEAVE, 'if: days > 3', 'if: count(for i in 1..100000000 return i) > days')], expected: ['feel/budget xgc/student-leave.yaml:100:11'] },
    { name: 'a range that never ends', edits: [sub(LEAVE, 'if: days > 3', 'if: count(for i in 1..1.5 return i) > days')], expected: ['feel/budget xgc/student-leave.yaml:100:11'] },
    { name: 'nested iterations over the time budget', edits: [sub(LEAVE, 'if: days > 3', 'if: count(for i in 1..2000, j in 1..2000 return i) > days')], expected: ['feel/budget xgc/student-leave.yaml:100:11'] },
    { name: 'a catastrophic regular expression', edits: [sub(LEAVE, 'if: days > 3', 'if: matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "^(a+)+$") or days > 3')], expected: ['feel/budget xgc/student-leave.yaml:100:11'] },
    { name: 'a small iteration is fine', edits: [sub(LEAVE, 'if: days > 3', 'if: count(for i in 1..10 return i) > days')], expected: [] },
  ],
  templatesUseKnownVariables: [
    { name: 'a misspelt variable', edits: [sub(LEAVE, '{{dueDate}}', '{{duedate}}')], expected: ['template/unknown-variable xgc/student-leave.yaml:97:19'] },
    { name: 'an unknown form field', edits: [sub(LEAVE, '{{comment}}', '{{form.dayz}}')], expected: ['template/unknown-variable xgc/student-leave.yaml:122:15'] },
    { name: 'an unclosed variable', edits: [sub(LEAVE, '请在{{dueDate}}前', '请在{{dueDate前')], expected: ['template/syntax xgc/student-leave.yaml:97:19'] },
  ],
  workflowIdsAreUnique: [
    { name: 'a branch with a step\'s id', edits: [sub(LEAVE, '    - id: long-leave', '    - id: counselor-review')], expected: ['catalog/duplicate-id xgc/student-leave.yaml:98:11'] },
    // The scenario names the renamed step, so it is reported too.
    {
      name: 'two countersign steps with one id',
      edits: [sub(LEAVE, '            - id: xgc-review', '            - id: college-review')],
      expected: ['catalog/duplicate-id xgc/student-leave.yaml:113:19', 'ref/unknown-step xgc/student-leave.yaml:130:17', 'ref/unknown-step xgc/student-leave.yaml:132:48'],
    },
  ],
  stepFieldsDoNotShadowFormFields: [
    {
      name: 'a step field named like a form field',
      edits: [sub(LEAVE, '      actions: [approve, reject, return]\n      notify:', '      actions: [approve, reject, return]\n      fields:\n        - id: days\n          label: 核定天数\n          type: number\n      notify:')],
      expected: ['catalog/duplicate-id xgc/student-leave.yaml:97:15'],
    },
    {
      name: 'two steps asking for the same field',
      edits: [
        sub(LEAVE, '      actions: [approve, reject, return]\n      notify:', '      actions: [approve, reject, return]\n      fields:\n        - id: approvedDays\n          label: 核定天数\n          type: number\n      notify:'),
        sub(LEAVE, '              deadline: 2\n              actions: [approve, reject]\n', '              deadline: 2\n              actions: [approve, reject]\n              fields:\n                - id: approvedDays\n                  label: 学院核定天数\n                  type: number\n'),
      ],
      expected: ['catalog/duplicate-id xgc/student-leave.yaml:118:23'],
    },
  ],
  textIsPlain: [
    { name: 'HTML in a guide', edits: [sub(LEAVE, SUMMARY, '  summary: <b>注意</b>学生因病')], expected: ['text/html xgc/student-leave.yaml:18:12'] },
    { name: 'a script tag in a department name', edits: [sub('jsj/department.yaml', 'name: 计算机学院', 'name: 计算机学院<script>alert(1)</script>')], expected: ['text/html jsj/department.yaml:4:7'] },
    { name: 'HTML in a role group', edits: [sub('roles.yaml', 'name: 辅导员', 'name: <i>辅导员</i>')], expected: ['text/html roles.yaml:5:11'] },
    { name: 'HTML in the hall', edits: [sub('hall.yaml', 'name: 学生事务', 'name: <img src=x onerror=alert(1)>')], expected: ['text/html hall.yaml:15:11'] },
    { name: 'a javascript: link in prose', edits: [sub(LEAVE, SUMMARY, '  summary: 详见 javascript:alert(1) 学生因病')], expected: ['text/unsafe-link xgc/student-leave.yaml:18:12'] },
    { name: 'a data: link in a FAQ-like text', edits: [sub(EXCHANGE, '    reason: 面试。', '    reason: "面试，见 data:text/html,<p>x</p>"')], expected: ['text/html jsj/exchange-guide.yaml:35:13', 'text/unsafe-link jsj/exchange-guide.yaml:35:13'] },
    { name: 'comparison signs in prose are fine', edits: [sub(LEAVE, SUMMARY, '  summary: 成绩 < 60 分或 > 90 分的学生因病')], expected: [] },
  ],
  onlineServicesAskNoPaperSignatures: [
    { name: 'a signed and stamped paper form', edits: [sub(LEAVE, '      copies: 1\n', '      copies: 1\n      signature: true\n      stamp: true\n')], expected: ['policy/paper-signature xgc/student-leave.yaml:30:18', 'policy/paper-signature xgc/student-leave.yaml:31:14'] },
    { name: 'a stamp on an offline guide is fine', edits: [sub(EXCHANGE, '      copies: 2\n', '      copies: 2\n      stamp: true\n')], expected: [] },
  ],
  guidesReviewedWithinAYear: [
    { name: 'a guide reviewed 366 days ago', edits: [sub(LEAVE, 'reviewed: 2026-09-01', 'reviewed: 2025-09-30')], expected: ['policy/review-overdue xgc/student-leave.yaml:61:13'] },
    { name: 'a guide reviewed 365 days ago is fine', edits: [sub(LEAVE, 'reviewed: 2026-09-01', 'reviewed: 2025-10-01')], expected: [] },
    { name: 'judged on the day given', edits: [], today: '2027-09-02', expected: ['policy/review-overdue jsj/exchange-guide.yaml:48:13', 'policy/review-overdue jsj/lab-booking.yaml:38:13', 'policy/review-overdue jsj/teaching-platform.yaml:32:13', 'policy/review-overdue xgc/enrolment-certificate.yaml:39:13', 'policy/review-overdue xgc/student-leave.yaml:61:13'] },
  ],
  nothingLeftAsTodo: [
    { name: 'a TODO summary', edits: [sub(LEAVE, SUMMARY, '  summary: TODO 学生因病')], expected: ['policy/todo xgc/student-leave.yaml:18:12'] },
    { name: 'a note to be filled in', edits: [sub(LAB, 'capacity: 40', 'capacity: 40\n      note: 待补充')], expected: ['policy/todo jsj/lab-booking.yaml:44:13'] },
  ],
  suspendedServicesExplain: [
    { name: 'suspended without an alert', edits: [sub(EXCHANGE, 'status: online', 'status: suspended')], expected: ['policy/suspended-alert jsj/exchange-guide.yaml:6:9'] },
    { name: 'suspended with an alert is fine', edits: [sub(EXCHANGE, 'status: online', 'status: suspended\nalert:\n  text: 系统升级，暂停办理至 10 月 8 日。')], expected: [] },
  ],
  complaintsGoElsewhere: [
    { name: 'complaints to the desk that handles the case', edits: [sub(LEAVE, '      phone: 010-88880012', '      phone: 010-88880202')], expected: ['policy/same-contact xgc/student-leave.yaml:59:14'] },
  ],
  scenariosNameKnownThings: [
    { name: 'a misspelt step', edits: [sub(LEAVE, '- { step: college-review, action: approve }', '- { step: colege-review, action: approve }')], expected: ['ref/unknown-step xgc/student-leave.yaml:129:17'] },
    { name: 'an action the step does not allow', edits: [sub(LEAVE, '- { step: xgc-review, action: approve }', '- { step: xgc-review, action: return }')], expected: ['scenario/invalid-step-action xgc/student-leave.yaml:130:37'] },
    { name: 'an unknown applicant attribute', edits: [sub(LEAVE, 'applicant: { name: 张晓明,', 'applicant: { nam: 张晓明,')], expected: ['ref/unknown-applicant-attribute xgc/student-leave.yaml:125:18'] },
    { name: 'an unknown form field', edits: [sub(LEAVE, 'data: { studentName: 张晓明,', 'data: { studentNam: 张晓明,')], expected: ['ref/unknown-field xgc/student-leave.yaml:126:13'] },
    { name: 'an unknown step in the expected path', edits: [sub(LEAVE, 'path: [counselor-review, college-review, xgc-review]', 'path: [counselor-review, college-review, xgc-reviews]')], expected: ['ref/unknown-step xgc/student-leave.yaml:132:48'] },
    { name: 'an unknown step among assignees', edits: [sub(LEAVE, '      outcome: approved', '      outcome: approved\n      assignees: { counsellor-review: counselor@jsj-2301 }')], expected: ['ref/unknown-step xgc/student-leave.yaml:134:20'] },
  ],
  // --- patterns (issue 12.1) ---
  patternsRunInLinearTime: [
    { name: 'nested repetition', edits: [sub(LEAVE, 'visibleIf: leaveCampus = true', "visibleIf: leaveCampus = true\n          pattern: '^(a+)+$'")], expected: ['pattern/super-linear xgc/student-leave.yaml:87:20'] },
    { name: 'overlapping alternatives under a star', edits: [sub(LEAVE, 'visibleIf: leaveCampus = true', "visibleIf: leaveCampus = true\n          pattern: '^(\\w+\\s?)*$'")], expected: ['pattern/super-linear xgc/student-leave.yaml:87:20'] },
    { name: 'polynomial backtracking', edits: [sub(LEAVE, 'visibleIf: leaveCampus = true', "visibleIf: leaveCampus = true\n          pattern: '^\\S+@\\S+\\.\\S+$'")], expected: ['pattern/super-linear xgc/student-leave.yaml:87:20'] },
    { name: 'a lookahead RE2 cannot run', edits: [sub(LEAVE, 'visibleIf: leaveCampus = true', "visibleIf: leaveCampus = true\n          pattern: '^(?=.*[0-9]).{8,}$'")], expected: ['pattern/unsupported xgc/student-leave.yaml:87:20'] },
    { name: 'a backreference', edits: [sub(LEAVE, 'visibleIf: leaveCampus = true', "visibleIf: leaveCampus = true\n          pattern: '^(a)\\1$'")], expected: ['pattern/unsupported xgc/student-leave.yaml:87:20'] },
    { name: 'a plain pattern with Chinese text is fine', edits: [sub(LEAVE, 'visibleIf: leaveCampus = true', "visibleIf: leaveCampus = true\n          pattern: '^[\\u4e00-\\u9fa5]{2,20}$'")], expected: [] },
  ],
  // --- issue 11.3: every applicant who reaches a step carries what assigns it (a contiguous block) ---
  assignmentsFindTheirValues: [
    { name: 'staff reaching a per-class step', edits: [...APPLICANT_TYPES, sub(LEAVE, 'audiences: [undergraduate]', 'audiences: [undergraduate, staff]')], expected: ['scope/attribute-not-carried xgc/student-leave.yaml:92:14'] },
    {
      name: 'staff reaching a college step in a countersign, too',
      edits: [...APPLICANT_TYPES, ...COLLEGE_STEP, sub(LEAVE, 'audiences: [undergraduate]', 'audiences: [undergraduate, staff]')],
      expected: ['scope/attribute-not-carried xgc/student-leave.yaml:92:14', 'scope/attribute-not-carried xgc/student-leave.yaml:110:27'],
    },
    {
      name: 'a branch on applicant.type keeps staff away from the college step',
      edits: [...APPLICANT_TYPES, ...COLLEGE_STEP, sub(LEAVE, 'audiences: [undergraduate]', 'audiences: [undergraduate, staff]'), sub(LEAVE, 'if: days > 3', 'if: applicant.type = "本科生" and days > 3')],
      expected: ['scope/attribute-not-carried xgc/student-leave.yaml:92:14'],
    },
    { name: 'students only: nothing to say', edits: [...APPLICANT_TYPES, ...COLLEGE_STEP], expected: [] },
    { name: 'an applicant type applicant.type does not have', edits: [...APPLICANT_TYPES, sub('hall.yaml', 'applicantType: 教职工', 'applicantType: 职工')], expected: ['ref/unknown-applicant-type hall.yaml:26:20'] },
    {
      name: 'a person field that assigns but is not required',
      edits: [
        sub('roles.yaml', 'groups:\n', 'groups:\n  - id: course-teacher\n    name: 任课教师\n    maintainer: jsj\n    scope: person\n'),
        sub(LEAVE, '          visibleIf: leaveCampus = true\n', '          visibleIf: leaveCampus = true\n        - id: teacher\n          label: 任课教师\n          type: person\n'),
        sub(LEAVE, '  notifications:\n', '    - id: teacher-review\n      name: 任课教师知悉\n      group: course-teacher\n      scope: form.teacher\n      department: jsj\n      deadline: 1\n      actions: [approve]\n  notifications:\n'),
      ],
      expected: ['scope/field-may-be-empty xgc/student-leave.yaml:126:14'],
    },
  ],
  // --- issue 11.5: scenarios are required and their data fits the form (a contiguous block) ---------
  onlineServicesHaveScenarios: [
    { name: 'an online workflow with one scenario', edits: [sub(LEAVE, SECOND_LEAVE_SCENARIO, '')], expected: ['scenario/too-few xgc/student-leave.yaml:123:1'] },
    { name: 'an online workflow without scenarios', edits: [sub(CERT, CERT_SCENARIOS, '')], expected: ['scenario/too-few xgc/enrolment-certificate.yaml:49:1'] },
    { name: 'a draft needs none yet', edits: [sub(CERT, CERT_SCENARIOS, ''), sub(CERT, 'status: online', 'status: draft')], expected: [] },
  ],
  scenarioDataFitsTheForm: [
    { name: 'a choice that is not an option', edits: [sub(CERT, 'data: { purpose: 出国 }', 'data: { purpose: 留学 }')], expected: ['scenario/data-invalid xgc/enrolment-certificate.yaml:61:13'] },
    { name: 'a missing required field', edits: [sub(LEAVE, 'data: { studentName: 李雨桐, days: 2, ', 'data: { studentName: 李雨桐, ')], expected: ['scenario/data-invalid xgc/student-leave.yaml:136:11'] },
    { name: 'a number over the maximum', edits: [sub(LEAVE, 'days: 2, leaveCampus: true', 'days: 90, leaveCampus: true')], expected: ['scenario/data-invalid xgc/student-leave.yaml:136:31'] },
    { name: 'text where a yes/no goes', edits: [sub(LEAVE, 'days: 5, leaveCampus: false', 'days: 5, leaveCampus: 否')], expected: ['scenario/data-invalid xgc/student-leave.yaml:126:40'] },
    { name: 'a hidden field filled in', edits: [sub(LEAVE, 'days: 5, leaveCampus: false }', 'days: 5, leaveCampus: false, destination: 家中 }')], expected: ['scenario/data-invalid xgc/student-leave.yaml:126:60'] },
    {
      name: 'a date that is not a date',
      edits: [sub(LEAVE, '          visibleIf: leaveCampus = true\n', '          visibleIf: leaveCampus = true\n        - id: start\n          label: 开始日期\n          type: date\n'), sub(LEAVE, 'days: 5, leaveCampus: false }', 'days: 5, leaveCampus: false, start: 2026/3/2 }')],
      expected: ['scenario/data-invalid xgc/student-leave.yaml:129:60'],
    },
    { name: 'a revision that breaks the form', edits: [sub(LEAVE, 'revise: { destination: 湖南省长沙市岳麓区家中 }', 'revise: { days: 0 }')], expected: ['scenario/data-invalid xgc/student-leave.yaml:138:79'] },
    { name: 'a scenario that expects an invalid submission may hold bad data', edits: [sub(CERT, 'data: { purpose: 出国 }', 'data: { purpose: 留学 }'), sub(CERT, '      path: [office-review]\n      outcome: approved', '      path: []\n      outcome: approved\n      submission: invalid')], expected: [] },
  ],  // --- issue 14.4: personal information (a contiguous block; rules in cli/lint/privacy-rules.ts) --------
  privacyReadersAreKnown: [
    { name: 'a reader group roles.yaml does not have', edits: [sub(LEAVE, 'workflow:\n  steps:\n', 'privacy:\n  readers: [office-staf]\nworkflow:\n  steps:\n')], expected: ['privacy/unknown-reader xgc/student-leave.yaml:88:13'] },
    { name: 'a reader department that does not exist', edits: [sub(LEAVE, 'workflow:\n  steps:\n', 'privacy:\n  readers: [office-staff, department-deputy@xgx]\nworkflow:\n  steps:\n')], expected: ['privacy/unknown-reader xgc/student-leave.yaml:88:27'] },
    { name: 'known groups and departments are fine', edits: [sub(LEAVE, 'workflow:\n  steps:\n', 'privacy:\n  readers: [office-staff, department-deputy@xgc]\nworkflow:\n  steps:\n')], expected: [] },
  ],
  sensitiveFilesHaveRetention: [
    { name: 'a sensitive file field without retention', edits: [sub(LEAVE, PROOF_AFTER, PROOF_AFTER + SENSITIVE_PROOF)], expected: ['privacy/retention-missing xgc/student-leave.yaml:90:22'] },
    { name: 'a sensitive file field with retention', edits: [sub(LEAVE, PROOF_AFTER, PROOF_AFTER + SENSITIVE_PROOF), sub(LEAVE, 'workflow:\n  steps:\n', 'privacy:\n  attachmentRetention: { value: 3, unit: year }\nworkflow:\n  steps:\n')], expected: [] },
    { name: 'a file field that is not sensitive needs none', edits: [sub(LEAVE, PROOF_AFTER, PROOF_AFTER + SENSITIVE_PROOF.replace('          sensitive: true\n', ''))], expected: [] },
  ],
  // --- issue 14.6: 代理申请 (a contiguous block; rule in cli/lint/proxy-rules.ts) ---
  proxyGroupsAreKnown: [
    { name: 'a proxy group roles.yaml does not have', edits: [sub(LEAVE, 'workflow:\n  steps:\n', 'proxy:\n  by: [office-staf@xgc]\nworkflow:\n  steps:\n')], expected: ['proxy/unknown-group xgc/student-leave.yaml:88:8'] },
    { name: 'a proxy department that does not exist', edits: [sub(LEAVE, 'workflow:\n  steps:\n', 'proxy:\n  by: [office-staff, office-staff@xgx]\nworkflow:\n  steps:\n')], expected: ['proxy/unknown-group xgc/student-leave.yaml:88:22'] },
    { name: 'known groups and departments are fine', edits: [sub(LEAVE, 'workflow:\n  steps:\n', 'proxy:\n  by: [office-staff, office-staff@xgc]\nworkflow:\n  steps:\n')], expected: [] },
  ],
  // --- 预约限额 (rule in cli/lint/booking-rules.ts): a per-term quota has no term dates to count in ---
  bookingQuotasAreCountable: [
    { name: 'a per-person quota per term', edits: [sub(LAB, '    advanceDays: 7\n', '    advanceDays: 7\n  limits:\n    perPerson: { count: 20, period: term }\n')], expected: ['booking/term-quota jsj/lab-booking.yaml:49:37'] },
    { name: 'a per-unit quota per term beside a weekly one', edits: [sub(LAB, '    advanceDays: 7\n', '    advanceDays: 7\n  limits:\n    perPerson: { count: 2, period: week }\n    perUnit: { count: 60, period: term }\n')], expected: ['booking/term-quota jsj/lab-booking.yaml:50:35'] },
    { name: 'a resource’s own quota per term', edits: [sub(LAB, '      capacity: 40\n', '      capacity: 40\n      limits:\n        perPerson: { count: 8, period: term }\n')], expected: ['booking/term-quota jsj/lab-booking.yaml:45:40'] },
    { name: 'day, week and month quotas are counted', edits: [sub(LAB, '    advanceDays: 7\n', '    advanceDays: 7\n  limits:\n    perPerson: { count: 2, period: day }\n    perUnit: { count: 60, period: month }\n')], expected: [] },
  ],
  // --- issue 15.7: FEEL work-day functions, typed, and only where the hall alone evaluates them (a contiguous block) ---
  workdayFunctionsStayInTheHall: [
    { name: 'a branch counting work days (Camunda has no calendar)', edits: [TYPED_FIELDS, sub(LEAVE, 'if: days > 3', 'if: workdays between(today(), returnDate) > 3')], expected: ['feel/workdays-outside-hall xgc/student-leave.yaml:110:11'] },
    { name: 'a visibility rule adding work days', edits: [TYPED_FIELDS, sub(LEAVE, 'visibleIf: leaveCampus = true\n        - id: period', 'visibleIf: leaveCampus = true or add workdays(today(), 3) < returnDate\n        - id: period')], expected: ['feel/workdays-outside-hall xgc/student-leave.yaml:86:22'] },
    { name: 'a validIf may count work days', edits: [TYPED_FIELDS, sub(LEAVE, '          type: date\n', '          type: date\n          validIf: workdays between(today(), returnDate) >= 1 and add workdays(returnDate, -1) > today()\n')], expected: [] },
    { name: 'a number where a date goes', edits: [TYPED_FIELDS, sub(LEAVE, '          type: date\n', '          type: date\n          validIf: workdays between(today(), days) >= 1\n')], expected: ['feel/workday-argument xgc/student-leave.yaml:93:20'] },
    { name: 'a date where the number of days goes', edits: [TYPED_FIELDS, sub(LEAVE, '          type: date\n', '          type: date\n          validIf: add workdays(today(), returnDate) > today()\n')], expected: ['feel/workday-argument xgc/student-leave.yaml:93:20'] },
    { name: 'a deadline rule counting work days (a BPMN timer has no calendar)', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 1\n      deadlineWhen:\n        - if: workdays between(today(), date("2026-10-10")) < 2\n          deadline: 0\n      actions: [approve, reject, return]\n      notify:')], expected: ['feel/workdays-outside-hall xgc/student-leave.yaml:96:15'] },
    { name: 'a deadline rule reading a field the form does not have', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 1\n      deadlineWhen:\n        - if: urgnt = true\n          deadline: 0\n      actions: [approve, reject, return]\n      notify:')], expected: ['feel/unknown-name xgc/student-leave.yaml:96:15'] },
    { name: 'a longer deadline for some forms counts against the promise', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 1\n      deadlineWhen:\n        - if: days > 10\n          deadline: 5\n      actions: [approve, reject, return]\n      notify:')], expected: ['policy/deadline-exceeds-limit xgc/student-leave.yaml:38:7'] },
    { name: 'an hours deadline counts against the promise as the one day it may run into (1 + 2 = 3)', edits: [sub(LEAVE, '    promised:\n      value: 5', '    promised:\n      value: 3'), sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 2h\n      actions: [approve, reject, return]\n      notify:')], expected: [] },
    { name: '25 hours count as two days against the promise (2 + 2 > 3)', edits: [sub(LEAVE, '    promised:\n      value: 5', '    promised:\n      value: 3'), sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 25h\n      actions: [approve, reject, return]\n      notify:')], expected: ['policy/deadline-exceeds-limit xgc/student-leave.yaml:38:7', 'time/hours-over-a-day xgc/student-leave.yaml:94:17'] },
    { name: 'a shorter deadline when urgent is fine', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 1\n      deadlineWhen:\n        - if: days <= 1\n          deadline: 0\n      actions: [approve, reject, return]\n      notify:')], expected: [] },
  ],
  // --- issue 15.7: deadlines in hours (cli/lint/deadline-hours.ts) ---
  hoursDeadlinesStayWithinADay: [
    { name: 'two days written as 48 hours', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 48h\n      actions: [approve, reject, return]\n      notify:')], expected: ['time/hours-over-a-day xgc/student-leave.yaml:94:17'] },
    { name: 'a deadline rule of 30 小时', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 1\n      deadlineWhen:\n        - if: days <= 1\n          deadline: 30小时\n      actions: [approve, reject, return]\n      notify:')], expected: ['time/hours-over-a-day xgc/student-leave.yaml:97:21'] },
    { name: '2 hours, and 24 小时 at the bound, are fine', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 24小时\n      deadlineWhen:\n        - if: days <= 1\n          deadline: 2h\n      actions: [approve, reject, return]\n      notify:')], expected: [] },
  ],
  remindersComeBeforeTheDeadline: [
    { name: 'a work-day reminder on a step timed in hours', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 4h\n      reminder: 1\n      actions: [approve, reject, return]\n      notify:')], expected: ['time/reminder-with-hours xgc/student-leave.yaml:95:17'] },
    { name: 'a reminder as long as the deadline', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 1\n      reminder: 1\n      actions: [approve, reject, return]\n      notify:')], expected: ['time/reminder-not-before-deadline xgc/student-leave.yaml:95:17'] },
    { name: 'a reminder before the work-day deadline of a step that is in hours when urgent is fine', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 3\n      reminder: 1\n      deadlineWhen:\n        - if: days <= 1\n          deadline: 2h\n      actions: [approve, reject, return]\n      notify:'), sub(LEAVE, '    promised:\n      value: 5', '    promised:\n      value: 10')], expected: [] },
    { name: 'a reminder on the due day (0) is fine', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 1\n      reminder: 0\n      actions: [approve, reject, return]\n      notify:')], expected: [] },
  ],
  // --- issue 15.4: countersign variants, n of m and members with a condition (a contiguous block) ---
  countersignVariantsAreSound: [
    { name: 'atLeast on an either-or countersign', edits: [sub(LEAVE, '          parallel: all\n', '          parallel: any\n          atLeast: 1\n')], expected: ['countersign/at-least-any xgc/student-leave.yaml:105:20'] },
    { name: 'atLeast above the number of steps', edits: [sub(LEAVE, '          parallel: all\n', '          parallel: all\n          atLeast: 3\n')], expected: ['countersign/at-least-too-many xgc/student-leave.yaml:105:20'] },
    { name: 'atLeast equal to the number of steps', edits: [sub(LEAVE, '          parallel: all\n', '          parallel: all\n          atLeast: 2\n')], expected: ['countersign/at-least-all xgc/student-leave.yaml:105:20'] },
    { name: 'when on a step outside a countersign', edits: [sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n', '      deadline: 1\n      when: days > 3\n      actions: [approve, reject, return]\n')], expected: ['countersign/when-outside xgc/student-leave.yaml:95:7'] },
    { name: 'a member condition that names no field', edits: [sub(LEAVE, '              deadline: 1\n              actions: [approve, reject]\n', '              deadline: 1\n              when: dayz > 5\n              actions: [approve, reject]\n')], expected: ['feel/unknown-name xgc/student-leave.yaml:119:21'] },
    { name: 'a member with a condition inside a countersign is fine', edits: [sub(LEAVE, '              deadline: 1\n              actions: [approve, reject]\n', '              deadline: 1\n              when: days > 3\n              actions: [approve, reject]\n')], expected: [] },
    { name: 'atLeast on a countersign in turn (依次审批)', edits: [sub(LEAVE, '          parallel: all\n', '          parallel: sequence\n          atLeast: 1\n')], expected: ['countersign/at-least-sequence xgc/student-leave.yaml:105:20'] },
    { name: 'the same group and scope twice in a row in a countersign in turn', edits: [sub(LEAVE, '          parallel: all\n', '          parallel: sequence\n'), sub(LEAVE, '              group: department-deputy\n              scope: department\n              department: xgc\n', '              group: office-staff\n              scope: department\n              department: jsj\n')], expected: ['countersign/sequence-same-holder xgc/student-leave.yaml:113:15'] },
    { name: 'the same holders in a countersign at once are not in turn', edits: [sub(LEAVE, '              group: department-deputy\n              scope: department\n              department: xgc\n', '              group: office-staff\n              scope: department\n              department: jsj\n')], expected: [] },
    { name: 'a countersign in turn of two holders is fine', edits: [sub(LEAVE, '          parallel: all\n', '          parallel: sequence\n')], expected: [] },
    { name: 'a countersign in turn of one member is a schema error', edits: [sub(LEAVE, '          parallel: all\n', '          parallel: sequence\n'), sub(LEAVE, '            - id: xgc-review\n              name: 学工处审批\n              group: department-deputy\n              scope: department\n              department: xgc\n              deadline: 1\n              actions: [approve, reject]\n', '')], expected: ['schema/range xgc/student-leave.yaml:106:13'] },
  ],
  // --- issue 15.8: routing with a fallback scope (a contiguous block) ---------------------------------
  fallbackScopesAreUsed: [
    { name: 'a fallback on a step of a fixed department', edits: [sub(LEAVE, '              department: jsj\n', '              department: jsj\n              fallback: applicant.college\n')], expected: ['scope/fallback-unused xgc/student-leave.yaml:111:25'] },
    { name: 'a fallback naming no applicant attribute', edits: [sub(LEAVE, '      scope: applicant.class\n', '      scope: applicant.class\n      fallback: applicant.dorm\n')], expected: ['ref/unknown-data-source xgc/student-leave.yaml:93:17'] },
    { name: 'a fallback staff carry keeps them off the per-class step\'s report', edits: [...APPLICANT_TYPES, sub('hall.yaml', '  - id: applicant.class\n', '  - id: applicant.department\n    name: 所在单位\n    type: department\n    applicantTypes: [教职工]\n  - id: applicant.class\n'), sub(LEAVE, 'audiences: [undergraduate]', 'audiences: [undergraduate, staff]'), sub(LEAVE, '      scope: applicant.class\n', '      scope: applicant.class\n      fallback: applicant.department\n')], expected: [] },
    { name: 'a fallback staff do not carry either is still reported', edits: [...APPLICANT_TYPES, sub(LEAVE, 'audiences: [undergraduate]', 'audiences: [undergraduate, staff]'), sub(LEAVE, '      scope: applicant.class\n', '      scope: applicant.class\n      fallback: applicant.college\n')], expected: ['scope/attribute-not-carried xgc/student-leave.yaml:92:14'] },
  ],
  // --- issue 15.8: decision tables (a contiguous block) ------------------------------------------------
  decisionBandsAreSound: [
    { name: 'bands that meet, read by the branch', edits: [LEAVE_TABLE(BANDS), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: [] },
    { name: 'a gap between two bands and no default', edits: [LEAVE_TABLE('        - { when: "< 3", result: 辅导员 }\n        - { when: "> 3", result: 学院 }\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['decision/gap xgc/student-leave.yaml:92:7'] },
    { name: 'a gap filled by a default', edits: [LEAVE_TABLE('        - { when: "< 3", result: 辅导员 }\n        - { when: "> 3", result: 学院 }\n', '      default: 辅导员\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: [] },
    { name: 'bands inside the field\'s 0.5–60 leave no gap below or above', edits: [LEAVE_TABLE('        - { when: "[0.5..3]", result: 辅导员 }\n        - { when: "(3..60]", result: 学院 }\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: [] },
    { name: 'overlapping bands', edits: [LEAVE_TABLE('        - { when: "<= 3", result: 辅导员 }\n        - { when: "[1..60]", result: 学院 }\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['decision/overlap xgc/student-leave.yaml:94:19'] },
    { name: 'a rule shadowed by an earlier one', edits: [LEAVE_TABLE('        - { when: "<= 30", result: 辅导员 }\n        - { when: "[5..10]", result: 学院 }\n        - { when: "> 30", result: 学院 }\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['decision/unreachable xgc/student-leave.yaml:94:19'] },
    { name: 'a rule after an any-value rule', edits: [LEAVE_TABLE('        - { when: "-", result: 辅导员 }\n        - { when: "> 3", result: 学院 }\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['decision/unreachable xgc/student-leave.yaml:94:19'] },
    { name: 'a band outside the field\'s range', edits: [LEAVE_TABLE('        - { when: "<= 60", result: 辅导员 }\n        - { when: "> 60", result: 学院 }\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['decision/unreachable xgc/student-leave.yaml:94:19'] },
    { name: 'an input naming no field', edits: [LEAVE_TABLE(BANDS), sub(LEAVE, '      input: days\n', '      input: dayz\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['feel/unknown-name xgc/student-leave.yaml:91:14'] },
    { name: 'number bands on a text input', edits: [LEAVE_TABLE(BANDS), sub(LEAVE, '      input: days\n', '      input: destination\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['feel/type-mismatch xgc/student-leave.yaml:91:14'] },
    { name: 'a table named like a field', edits: [LEAVE_TABLE(BANDS), sub(LEAVE, '    - id: leaveLevel\n', '    - id: days\n')], expected: ['catalog/duplicate-id xgc/student-leave.yaml:89:11', 'decision/result-unread xgc/student-leave.yaml:93:35', 'decision/result-unread xgc/student-leave.yaml:94:34'] },
    { name: 'two tables with one id', edits: [LEAVE_TABLE(BANDS, '    - id: leaveLevel\n      name: 另一张\n      input: days\n      rules:\n        - { when: "-", result: 学院 }\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['catalog/duplicate-id xgc/student-leave.yaml:95:11'] },
    { name: 'a condition reading a long table many times', edits: [LEAVE_TABLE('        - { when: "= 1", result: 辅导员 }\n        - { when: "= 2", result: 辅导员 }\n        - { when: "= 3", result: 辅导员 }\n        - { when: "= 4", result: 辅导员 }\n        - { when: "= 5", result: 辅导员 }\n        - { when: "= 6", result: 辅导员 }\n        - { when: "= 7", result: 辅导员 }\n        - { when: "= 8", result: 辅导员 }\n        - { when: "= 9", result: 辅导员 }\n        - { when: "= 10", result: 辅导员 }\n        - { when: "= 11", result: 辅导员 }\n        - { when: "= 12", result: 辅导员 }\n        - { when: "= 13", result: 辅导员 }\n        - { when: "= 14", result: 辅导员 }\n        - { when: "= 15", result: 辅导员 }\n        - { when: "= 16", result: 辅导员 }\n        - { when: "= 17", result: 辅导员 }\n        - { when: "= 18", result: 辅导员 }\n        - { when: "= 19", result: 辅导员 }\n        - { when: "= 20", result: 辅导员 }\n        - { when: "= 21", result: 辅导员 }\n        - { when: "= 22", result: 辅导员 }\n        - { when: "= 23", result: 辅导员 }\n        - { when: "= 24", result: 辅导员 }\n        - { when: "= 25", result: 辅导员 }\n        - { when: "= 26", result: 辅导员 }\n        - { when: "= 27", result: 辅导员 }\n        - { when: "= 28", result: 辅导员 }\n        - { when: "= 29", result: 辅导员 }\n        - { when: "= 30", result: 辅导员 }\n        - { when: "= 31", result: 辅导员 }\n        - { when: "= 32", result: 辅导员 }\n        - { when: "= 33", result: 辅导员 }\n        - { when: "= 34", result: 辅导员 }\n        - { when: "= 35", result: 辅导员 }\n        - { when: "= 36", result: 辅导员 }\n        - { when: "= 37", result: 辅导员 }\n        - { when: "= 38", result: 辅导员 }\n        - { when: "= 39", result: 辅导员 }\n        - { when: "= 40", result: 辅导员 }\n        - { when: "-", result: 学院 }\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['feel/budget xgc/student-leave.yaml:146:11'] },
    { name: 'a choice input with an option no rule names and no default', edits: [sub(LEAVE, '          visibleIf: leaveCampus = true\n', '          visibleIf: leaveCampus = true\n        - id: leaveType\n          label: 请假类别\n          type: choice\n          options: [病假, 事假, 公假]\n'), LEAVE_TABLE('        - { when: "\\"病假\\"", result: 辅导员 }\n        - { when: "\\"事假\\"", result: 学院 }\n'), sub(LEAVE, '      input: days\n', '      input: leaveType\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['decision/gap xgc/student-leave.yaml:96:7'] },
    { name: 'a text test naming no option of the choice', edits: [sub(LEAVE, '          visibleIf: leaveCampus = true\n', '          visibleIf: leaveCampus = true\n        - id: leaveType\n          label: 请假类别\n          type: choice\n          options: [病假, 事假, 公假]\n'), LEAVE_TABLE('        - { when: "\\"病假\\", \\"公假\\"", result: 辅导员 }\n        - { when: "\\"婚假\\"", result: 学院 }\n', '      default: 学院\n'), sub(LEAVE, '      input: days\n', '      input: leaveType\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['decision/unreachable xgc/student-leave.yaml:98:19'] },
    // Tables of several inputs: every combination of the columns' pieces is checked (cli/lint/decisions.ts).
    { name: 'two inputs whose rules cover every type × length', edits: TWO_INPUTS(GRID), expected: [] },
    { name: 'two inputs leaving one type uncovered', edits: TWO_INPUTS('        - { when: [\'"病假"\', "<= 3"], result: 辅导员 }\n        - { when: [\'"病假"\', "> 3"], result: 学院 }\n        - { when: [\'"事假"\', "-"], result: 学院 }\n'), expected: ['decision/gap xgc/student-leave.yaml:98:7'] },
    { name: 'two inputs leaving one length uncovered', edits: TWO_INPUTS('        - { when: ["-", "< 3"], result: 辅导员 }\n        - { when: ["-", "> 3"], result: 学院 }\n'), expected: ['decision/gap xgc/student-leave.yaml:98:7'] },
    { name: 'two inputs with a gap the default fills', edits: TWO_INPUTS('        - { when: ["-", "< 3"], result: 辅导员 }\n        - { when: ["-", "> 3"], result: 学院 }\n', '      default: 学院\n'), expected: [] },
    { name: 'two inputs where a row overlaps an earlier one', edits: TWO_INPUTS('        - { when: [\'"病假"\', "-"], result: 辅导员 }\n        - { when: ["-", "> 3"], result: 学院 }\n', '      default: 辅导员\n'), expected: ['decision/overlap xgc/student-leave.yaml:100:19'] },
    { name: 'two inputs where a row is wholly covered', edits: TWO_INPUTS('        - { when: ["-", "<= 30"], result: 辅导员 }\n        - { when: [\'"病假"\', "[5..10]"], result: 学院 }\n        - { when: ["-", "> 30"], result: 学院 }\n'), expected: ['decision/unreachable xgc/student-leave.yaml:100:19'] },
    { name: 'two inputs with a row after an any-value row', edits: TWO_INPUTS('        - { when: ["-", "-"], result: 辅导员 }\n        - { when: [\'"病假"\', "> 3"], result: 学院 }\n'), expected: ['decision/unreachable xgc/student-leave.yaml:100:19'] },
    { name: 'two inputs with a row naming no option', edits: TWO_INPUTS(GRID + '        - { when: [\'"婚假"\', "-"], result: 学院 }\n'), expected: ['decision/unreachable xgc/student-leave.yaml:102:19'] },
    { name: 'a row with fewer tests than inputs', edits: TWO_INPUTS('        - { when: [\'"病假"\', "<= 3"], result: 辅导员 }\n        - { when: "> 3", result: 学院 }\n', '      default: 学院\n'), expected: ['decision/columns xgc/student-leave.yaml:100:19'] },
    { name: 'a list of tests in a table of one input', edits: [LEAVE_TABLE('        - { when: ["<= 3", "-"], result: 辅导员 }\n        - { when: "> 3", result: 学院 }\n'), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false')], expected: ['decision/columns xgc/student-leave.yaml:93:19'] },
    { name: 'number bands in the column of a choice', edits: TWO_INPUTS('        - { when: ["> 3", "-"], result: 学院 }\n', '      default: 辅导员\n'), expected: ['feel/type-mismatch xgc/student-leave.yaml:96:18'] },
    { name: 'a column naming no field', edits: TWO_INPUTS(GRID, '', '        - input: leaveType\n        - input: dayz\n'), expected: ['feel/unknown-name xgc/student-leave.yaml:97:18'] },
    { name: 'three inputs with more combinations than are checked', edits: TWO_INPUTS(CUBE, '      default: 辅导员\n', '        - input: days\n        - input: days * 2\n        - input: days * 3\n'), expected: ['decision/unchecked xgc/student-leave.yaml:95:7'] },
  ],
  decisionResultsAreRead: [
    { name: 'a table no condition reads', edits: [LEAVE_TABLE(BANDS)], expected: ['decision/unread xgc/student-leave.yaml:89:11'] },
    { name: 'a result no condition names', edits: [LEAVE_TABLE(BANDS), READ_TABLE()], expected: ['decision/result-unread xgc/student-leave.yaml:93:35'] },
    { name: 'an inequality reads every other result', edits: [LEAVE_TABLE(BANDS), READ_TABLE('leaveLevel != "辅导员"')], expected: [] },
    { name: 'a table read under a mistyped id', edits: [LEAVE_TABLE(BANDS), READ_TABLE('leaveLvel = "学院"')], expected: ['decision/unread xgc/student-leave.yaml:89:11', 'decision/unknown-table xgc/student-leave.yaml:107:11'] },
    { name: 'a table read by a form condition', edits: [LEAVE_TABLE(BANDS), READ_TABLE('leaveLevel = "学院" or leaveLevel = "辅导员" and false'), sub(LEAVE, 'visibleIf: leaveCampus = true', 'visibleIf: leaveLevel = "学院"')], expected: ['feel/unknown-name xgc/student-leave.yaml:86:22'] },
  ],
  // --- issue 15 item 10: guide facts per situation (a contiguous block) ------------------------------
  situationsAreDeclared: [
    { name: 'situations declared and used', edits: [EXCHANGE_SITUATIONS, EXCHANGE_AGAIN_ONLY('first')], expected: [] },
    { name: 'a material naming a mistyped situation', edits: [EXCHANGE_SITUATIONS, EXCHANGE_AGAIN_ONLY('frist')], expected: ['guide/situation-unknown jsj/exchange-guide.yaml:22:20'] },
    { name: 'a material naming a situation when none is declared', edits: [EXCHANGE_AGAIN_ONLY('first')], expected: ['guide/situation-unknown jsj/exchange-guide.yaml:22:20'] },
    { name: 'a situation declared twice', edits: [EXCHANGE_SITUATIONS, sub(EXCHANGE, '    - id: again\n', '    - id: first\n')], expected: ['guide/situation-duplicate jsj/exchange-guide.yaml:39:11'] },
  ],
  situationsStateADifference: [
    { name: 'a situation repeating the guide\'s visits', edits: [EXCHANGE_SITUATIONS, sub(EXCHANGE, '        count: 0\n', '        count: 1\n        reason: 面试。\n')], expected: ['guide/situation-same jsj/exchange-guide.yaml:39:11', 'guide/situation-same jsj/exchange-guide.yaml:41:7'] },
    { name: 'two situations with the same facts', edits: [EXCHANGE_SITUATIONS, sub(EXCHANGE, '      visits:\n        count: 0\n', '')], expected: ['guide/situation-same jsj/exchange-guide.yaml:39:11'] },
    { name: 'situations differing only in materials', edits: [EXCHANGE_SITUATIONS, sub(EXCHANGE, '      visits:\n        count: 0\n', ''), EXCHANGE_AGAIN_ONLY('again')], expected: [] },
  ],
  situationFactsFollowGuideRules: [
    { name: 'a situation\'s visit without a reason', edits: [EXCHANGE_SITUATIONS, sub(EXCHANGE, '        count: 0\n', '        count: 2\n')], expected: ['policy/visits-reason jsj/exchange-guide.yaml:41:7'] },
    { name: 'a situation with a visit in a grade IV service', edits: [LEAVE_SITUATIONS('        type: promised\n        promised: { value: 5, unit: workday }\n      visits: { count: 1, reason: 核验原件。 }\n')], expected: ['policy/grade-visits xgc/student-leave.yaml:52:24'] },
    { name: 'an immediate situation that takes days', edits: [LEAVE_SITUATIONS('        type: immediate\n        promised: { value: 3, unit: workday }\n')], expected: ['policy/immediate-limit xgc/student-leave.yaml:51:28'] },
    { name: 'a situation promising less than its steps take', edits: [LEAVE_SITUATIONS('        type: promised\n        promised: { value: 2, unit: workday }\n')], expected: ['policy/deadline-exceeds-limit xgc/student-leave.yaml:51:19'] },
  ],
  // --- issue 15 item 9: fees computed from the form (a contiguous block) -------------------------------
  feeAmountsAreComputable: [
    { name: 'a fixed amount on a guide without a form', edits: [EXCHANGE_AMOUNT('          rate: 50\n')], expected: [] },
    { name: 'a quantity on a guide without a form', edits: [EXCHANGE_AMOUNT('          rate: 50\n          quantity: pages\n')], expected: ['fee/amount-needs-form jsj/exchange-guide.yaml:35:21', 'feel/unknown-name jsj/exchange-guide.yaml:35:21'] },
    { name: 'a rate below one fen', edits: [EXCHANGE_AMOUNT('          rate: 0.005\n')], expected: ['fee/rate-cents jsj/exchange-guide.yaml:34:17'] },
    { name: 'tiers out of order and a last tier with an end', edits: [EXCHANGE_AMOUNT('          tiers:\n            - { upTo: 10, rate: 2 }\n            - { upTo: 5, rate: 1 }\n')], expected: ['fee/tiers-order jsj/exchange-guide.yaml:36:23', 'fee/tiers-order jsj/exchange-guide.yaml:36:23'] },
    { name: 'a middle tier without an end', edits: [EXCHANGE_AMOUNT('          tiers:\n            - { rate: 2 }\n            - { rate: 1 }\n')], expected: ['fee/tiers-order jsj/exchange-guide.yaml:35:15'] },
    { name: 'a form field as the quantity, charged on a condition', edits: [LEAVE_FEE('          rate: 2\n          quantity: days\n          when: leaveCampus = true\n')], expected: [] },
  ],
  // The fee's FEEL is checked as every other expression is (conditionsAreValidFeel): names, and a number for a quantity.
  'conditionsAreValidFeel on fee expressions': [
    { name: 'a quantity naming an unknown field', edits: [LEAVE_FEE('          rate: 2\n          quantity: dayz\n')], expected: ['feel/unknown-name xgc/student-leave.yaml:48:21'] },
    { name: 'a quantity that is a yes/no', edits: [LEAVE_FEE('          rate: 2\n          quantity: days > 3\n')], expected: ['feel/syntax xgc/student-leave.yaml:48:21'] },
    { name: 'a condition that is a number', edits: [LEAVE_FEE('          rate: 2\n          when: days * 2\n')], expected: ['feel/syntax xgc/student-leave.yaml:48:17'] },
  ],
  // --- issue 15.3: system steps (a contiguous block) -------------------------------------------------
  systemStepsCallDeclaredConnectors: [
    { name: 'a system step calling a connector hall.yaml does not declare', edits: [SYSTEM_STEP('door-access', 'days')], expected: ['system/unknown-connector xgc/student-leave.yaml:124:24'] },
    { name: 'a system step calling a declared connector', edits: [SYSTEM_STEP('door-access', 'days'), DOOR_CONNECTOR], expected: [] },
    { name: 'a misspelt connector', edits: [SYSTEM_STEP('door-acess', 'days'), DOOR_CONNECTOR], expected: ['system/unknown-connector xgc/student-leave.yaml:124:24'] },
  ],
  // A system step's payload is FEEL, checked as every other expression is (conditionsAreValidFeel).
  'conditionsAreValidFeel on system step payloads': [
    { name: 'a payload naming an unknown field', edits: [SYSTEM_STEP('door-access', 'dayz'), DOOR_CONNECTOR], expected: ['feel/unknown-name xgc/student-leave.yaml:126:21'] },
    { name: 'a payload with a leading =', edits: [SYSTEM_STEP('door-access', '= days'), DOOR_CONNECTOR], expected: ['feel/syntax xgc/student-leave.yaml:126:21'] },
    { name: 'a payload of any type is fine', edits: [SYSTEM_STEP('door-access', 'applicant.name'), DOOR_CONNECTOR], expected: [] },
  ],
  // --- issue 15.6: approver actions (a contiguous block) ---------------------------------------------
  batchedStepsHaveNoFields: [
    {
      name: 'a batched step whose assignee fills in a field',
      edits: [sub(LEAVE, '      actions: [approve, reject, return]\n', '      actions: [approve, reject, return]\n      batch: true\n      fields:\n        - id: checked\n          label: 核实情况\n          type: text\n')],
      expected: ['workflow/batch-with-fields xgc/student-leave.yaml:96:14'],
    },
    { name: 'a batched step with nothing to fill in', edits: [sub(LEAVE, '      actions: [approve, reject, return]\n', '      actions: [approve, reject, return]\n      batch: true\n')], expected: [] },
  ],
  scenarioHandOversNamePeople: [
    {
      name: 'a transfer that names nobody',
      edits: [sub(LEAVE, '      actions: [approve, reject, return]\n', '      actions: [approve, reject, return, transfer]\n'), sub(LEAVE, '      - { step: counselor-review, action: approve }\n', '      - { step: counselor-review, action: transfer }\n      - { step: counselor-review, action: approve }\n')],
      expected: ['scenario/hand-over-needs-person xgc/student-leave.yaml:128:43'],
    },
    {
      name: 'a position on a transfer',
      edits: [sub(LEAVE, '      actions: [approve, reject, return]\n', '      actions: [approve, reject, return, transfer]\n'), sub(LEAVE, '      - { step: counselor-review, action: approve }\n', '      - { step: counselor-review, action: transfer, to: t-zhou, position: after }\n      - { step: counselor-review, action: approve }\n')],
      expected: ['scenario/position-without-add-approver xgc/student-leave.yaml:128:75'],
    },
    {
      name: 'an added approver before, named, then the holder',
      edits: [sub(LEAVE, '      actions: [approve, reject, return]\n', '      actions: [approve, reject, return, add-approver]\n'), sub(LEAVE, '      - { step: counselor-review, action: approve }\n', '      - { step: counselor-review, action: add-approver, to: t-zhou, position: before }\n      - { step: counselor-review, action: approve }\n      - { step: counselor-review, action: approve }\n')],
      expected: [],
    },
  ],
  // --- issue 15 item 1: applicant steps (a contiguous block) -------------------------------------------
  applicantStepsFollowApproval: [
    { name: 'an applicant step before any approval', edits: [sub(LEAVE, '  steps:\n    - id: counselor-review\n', '  steps:\n    - id: cancel-leave\n      name: 销假\n      by: applicant\n      deadline: 1\n    - id: counselor-review\n')], expected: ['applicant-step/before-approval xgc/student-leave.yaml:91:11'] },
    { name: 'an applicant step after a system call but before any approval', edits: [DOOR_CONNECTOR, sub(LEAVE, '  steps:\n    - id: counselor-review\n', '  steps:\n    - id: door-sync-first\n      name: 同步门禁\n      system:\n        connector: door-access\n        payload:\n          days: days\n    - id: cancel-leave\n      name: 销假\n      by: applicant\n      deadline: 1\n    - id: counselor-review\n')], expected: ['applicant-step/before-approval xgc/student-leave.yaml:97:11'] },
    { name: 'an applicant step after the approvals', edits: [sub(LEAVE, '  notifications:\n    approved', '    - id: cancel-leave\n      name: 销假\n      by: applicant\n      deadline: 1\n  notifications:\n    approved')], expected: [] },
    { name: 'an applicant step whose field repeats a form field', edits: [sub(LEAVE, '  notifications:\n    approved', '    - id: cancel-leave\n      name: 销假\n      by: applicant\n      deadline: 1\n      fields:\n        - { id: days, label: 实际天数, type: number }\n  notifications:\n    approved')], expected: ['catalog/duplicate-id xgc/student-leave.yaml:125:17'] },
    { name: 'an applicant step template naming an unknown variable', edits: [sub(LEAVE, '  notifications:\n    approved', '    - id: cancel-leave\n      name: 销假\n      by: applicant\n      deadline: 1\n      notify:\n        assigned: "请在{{dueDate}}前销假，{{form.returnDay}}"\n  notifications:\n    approved')], expected: ['template/unknown-variable xgc/student-leave.yaml:125:19'] },
  ],
  applicantStepsCountFromADate: [
    { name: 'dueAfter naming a number field', edits: [sub(LEAVE, '  notifications:\n    approved', '    - id: cancel-leave\n      name: 销假\n      by: applicant\n      deadline: 1\n      dueAfter: days\n  notifications:\n    approved')], expected: ['applicant-step/due-after-not-date xgc/student-leave.yaml:124:17'] },
    { name: 'dueAfter naming no field', edits: [sub(LEAVE, '  notifications:\n    approved', '    - id: cancel-leave\n      name: 销假\n      by: applicant\n      deadline: 1\n      dueAfter: period\n  notifications:\n    approved')], expected: ['applicant-step/due-after-not-date xgc/student-leave.yaml:124:17'] },
  ],
  // --- issue 15.2: publicity periods (a contiguous block) --------------------------------------------
  publicityPeriodsAreSound: [
    { name: 'a five-day period whose review may reject', edits: [PUBLICITY(5)], expected: [] },
    { name: 'a period of no days', edits: [PUBLICITY(0)], expected: ['publicity/days-out-of-range xgc/student-leave.yaml:122:26'] },
    { name: 'a period of 25 work days', edits: [PUBLICITY(25)], expected: ['publicity/days-out-of-range xgc/student-leave.yaml:122:26'] },
    { name: 'a period without objections', edits: [PUBLICITY(5, '')], expected: ['publicity/no-objection-steps xgc/student-leave.yaml:122:7'] },
    { name: 'a period with an empty objection branch', edits: [PUBLICITY(5, '      objections: []\n')], expected: ['publicity/no-objection-steps xgc/student-leave.yaml:123:7'] },
    { name: 'a review that can only approve', edits: [PUBLICITY(5, RECHECK('approve'))], expected: ['publicity/review-cannot-reject xgc/student-leave.yaml:123:7'] },
  ],
  publicityFollowsApproval: [
    { name: 'a period before any approval', edits: [PUBLICITY_FIRST], expected: ['publicity/before-approval xgc/student-leave.yaml:91:7'] },
    { name: 'a period after the approvals', edits: [PUBLICITY(5)], expected: [] },
  ],
  // --- issue 15.9b: payment steps (a contiguous block) ----------------------------------------------
  paymentStepsAreSound: [
    { name: 'a three-day payment of a computed fee on a declared platform', edits: [PAYMENT(3), DAILY_FEE, PAY_CONNECTOR], expected: [] },
    { name: 'unpaid steps a person handles', edits: [PAYMENT(3, 'campus-pay', RELEASE('release')), DAILY_FEE, PAY_CONNECTOR], expected: [] },
    { name: 'a fee stated in words only', edits: [PAYMENT(3), PAY_CONNECTOR], expected: ['payment/no-fee xgc/student-leave.yaml:122:7'] },
    { name: 'no days to pay', edits: [PAYMENT(0), DAILY_FEE, PAY_CONNECTOR], expected: ['payment/days-out-of-range xgc/student-leave.yaml:129:47'] },
    { name: 'forty work days to pay', edits: [PAYMENT(40), DAILY_FEE, PAY_CONNECTOR], expected: ['payment/days-out-of-range xgc/student-leave.yaml:129:47'] },
    { name: 'a platform hall.yaml does not declare', edits: [PAYMENT(3, 'campus-payment'), DAILY_FEE, PAY_CONNECTOR], expected: ['payment/unknown-connector xgc/student-leave.yaml:129:29'] },
    { name: 'a second order among the unpaid steps', edits: [PAYMENT(3, 'campus-pay', '      unpaid:\n        - { id: pay-again, name: 再次缴费, payment: { connector: campus-pay, days: 3 } }\n'), DAILY_FEE, PAY_CONNECTOR], expected: ['payment/second-order xgc/student-leave.yaml:131:40'] },
  ],
  paymentFollowsApproval: [
    { name: 'a payment before any approval', edits: [PAYMENT_FIRST, DAILY_FEE, PAY_CONNECTOR], expected: ['payment/before-approval xgc/student-leave.yaml:98:7'] },
    { name: 'a payment after the approvals', edits: [PAYMENT(3), DAILY_FEE, PAY_CONNECTOR], expected: [] },
  ],
  // --- issue 15.5: return to a chosen step (a contiguous block) -------------------------------------
  returnTargetsComeEarlier: [
    { name: 'a countersign member returning to the step before the countersign', edits: [XGC_RETURN_TO('counselor-review')], expected: [] },
    { name: 'a mistyped target', edits: [XGC_RETURN_TO('counselor-reveiw')], expected: ['return/unknown-target xgc/student-leave.yaml:120:26'] },
    { name: 'a target inside a countersign', edits: [sub(LEAVE, '      actions: [approve, reject, return]\n', '      actions: [approve, reject, return]\n      returnTo: [xgc-review]\n')], expected: ['return/member-target xgc/student-leave.yaml:96:18'] },
    { name: 'a member returning to an earlier member of a countersign of all', edits: [XGC_RETURN_TO('college-review')], expected: ['return/member-target xgc/student-leave.yaml:120:26'] },
    { name: 'a member returning to an earlier member of the same 依次审批', edits: [IN_TURN, XGC_RETURN_TO('college-review')], expected: [] },
    { name: 'a member of a 依次审批 returning to itself', edits: [IN_TURN, XGC_RETURN_TO('xgc-review')], expected: ['return/target-not-earlier xgc/student-leave.yaml:120:26'] },
    { name: 'a member of a 依次审批 returning to a later member', edits: [IN_TURN, sub(LEAVE, '              deadline: 2\n              actions: [approve, reject]\n', '              deadline: 2\n              actions: [approve, reject, return]\n              returnTo: [xgc-review]\n')], expected: ['return/target-not-earlier xgc/student-leave.yaml:113:26'] },
    { name: 'a step returning to itself', edits: [sub(LEAVE, '      actions: [approve, reject, return]\n', '      actions: [approve, reject, return]\n      returnTo: [counselor-review]\n')], expected: ['return/target-not-earlier xgc/student-leave.yaml:96:18'] },
    { name: 'a target after the step', edits: [sub(LEAVE, '      actions: [approve, reject, return]\n', '      actions: [approve, reject, return]\n      returnTo: [registrar]\n'), REGISTRAR_AFTER], expected: ['return/target-not-earlier xgc/student-leave.yaml:96:18'] },
    { name: 'a target on the other arm of a branch', edits: [sub(LEAVE, '              deadline: 1\n              actions: [approve, reject]\n', '              deadline: 1\n              actions: [approve, reject, return]\n              returnTo: [short-review]\n'), SHORT_ARM], expected: ['return/target-not-earlier xgc/student-leave.yaml:120:26'] },
    { name: 'targets without return among the actions', edits: [sub(LEAVE, '              deadline: 1\n              actions: [approve, reject]\n', '              deadline: 1\n              actions: [approve, reject]\n              returnTo: [counselor-review]\n')], expected: ['return/without-return xgc/student-leave.yaml:120:25'] },
  ],
};

describe('the baseline', () => {
  it('checks clean', async () => {
    expect(await findingsOf([])).toEqual([]);
  });

  it('has a block of broken cases for every rule', () => {
    expect(Object.keys(RULES).filter((rule) => !RULE_CASES[rule]?.length)).toEqual([]);
  });
});

for (const [rule, cases] of Object.entries(RULE_CASES)) {
  describe(rule, () => {
    it.each(cases)('$name', async ({ edits, expected, today }) => {
      expect(await findingsOf(edits, today)).toEqual(expected);
    });
  });
}

describe('rule messages', () => {
  it('suggest the work days an hours deadline over a day stands for', async () => {
    const { diagnostics } = await checkEdited([sub(LEAVE, '      deadline: 1\n      actions: [approve, reject, return]\n      notify:', '      deadline: 48h\n      actions: [approve, reject, return]\n      notify:')]);
    expect(renderDiagnostic(diagnostics[0], 'zh')).toMatchObject({
      message: '环节“counselor-review”的时限是 48 小时。小时从待办送达起连续计算，夜间、周末和节假日都算在内（工作日历只知道哪天上班，不知道几点上班），超过 24 小时的时限常常在没人上班时到期。',
      hint: '超过一天的时限写成工作日（如 deadline: 2），只有当天要办完的事（紧急报修 2 小时、用印 4 小时）才按小时写。',
    });
  });

  it('name the path whose deadlines exceed the promise', async () => {
    const { diagnostics } = await checkEdited([sub(LEAVE, '    promised:\n      value: 5', '    promised:\n      value: 2')]);
    expect(renderDiagnostic(diagnostics[0], 'en').message).toBe('Along counselor-review → college-review the step deadlines add up to 3 work days, over the promised 2.');
  });

  it('say the combinations of a two-input table that no rule covers, merged into boxes', async () => {
    const message = async (edits: ReturnType<typeof TWO_INPUTS>) => (await checkEdited(edits)).diagnostics.map((d) => renderDiagnostic(d, 'zh').message);
    expect(await message(TWO_INPUTS('        - { when: [\'"病假"\', "<= 3"], result: 辅导员 }\n        - { when: [\'"病假"\', "> 3"], result: 学院 }\n        - { when: [\'"事假"\', "-"], result: 学院 }\n'))).toEqual(['表“leaveLevel”的输入为 (leaveType: "公假", days: -) 时没有规则符合，也没有 default：结果为空，读这张表的条件都不成立。']);
    expect(await message(TWO_INPUTS('        - { when: [\'"病假"\', "< 3"], result: 辅导员 }\n        - { when: ["-", "> 3"], result: 学院 }\n'))).toEqual(['表“leaveLevel”的输入为 (leaveType: -, days: = 3)、(leaveType: "事假", "公假", days: [0.5..3)) 时没有规则符合，也没有 default：结果为空，读这张表的条件都不成立。']);
    expect(await message(TWO_INPUTS('        - { when: [\'"病假"\', "-"], result: 辅导员 }\n        - { when: ["-", "> 3"], result: 学院 }\n', '      default: 辅导员\n'))).toEqual(['表“leaveLevel”第 2 条规则的 (leaveType: "病假", days: (3..60]) 与前面的规则重叠；按顺序取第一条符合的规则，这部分得到前面规则的结果。']);
  });

  it('say a table too large to check was not checked, never that it is sound', async () => {
    const { diagnostics } = await checkEdited(TWO_INPUTS(CUBE, '      default: 辅导员\n', '        - input: days\n        - input: days * 2\n        - input: days * 3\n'));
    expect(renderDiagnostic(diagnostics[0], 'zh').message).toBe('表“leaveLevel”有 3 个输入、72,283 种取值组合，超过检查上限 50,000：没有检查这张表的空隙、重叠和永远用不到的规则，这些问题可能存在。');
  });

  it('suggest the field a condition meant', async () => {
    const { diagnostics } = await checkEdited([sub(LEAVE, 'if: days > 3', 'if: dayz > 3')]);
    expect(renderDiagnostic(diagnostics[0], 'zh').message).toBe('条件中的“dayz”既不是表单字段，也不是申请人属性。是不是想写“days”？');
  });
});
