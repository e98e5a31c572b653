import { d } from './define.ts';

/** Diagnostics of time rules (issue 15.7): FEEL's work-day functions over the hall's calendar. */
export const TIME_DIAGNOSTICS = {
  'feel/workday-argument': d('error', ['工作日函数的参数类型不对', 'Wrong argument to a work-day function'],
    ['“{call}”的第 {position} 个参数“{argument}”是{actual}，这里应为{expected}。参数类型不对时函数没有结果，这条规则会悄悄失效。', 'Argument {position} of "{call}", "{argument}", is {actual}; it should be {expected}. With the wrong type the function gives no value and the rule silently does nothing.'],
    ['workdays between(起始日期, 截止日期) 的两个参数都是日期；add workdays(日期, 天数) 的第一个参数是日期，第二个是整数。日期字段直接写字段名，固定日期写 date("2027-01-01")，今天写 today()。', 'workdays between(from, to) takes two dates; add workdays(date, n) takes a date and a whole number. Write a date field by its name, a fixed date as date("2027-01-01"), today as today().'],
    { bad: 'validIf: workdays between(today(), "2027-01-01") >= 10', good: 'validIf: workdays between(today(), defenseDate) >= 10' }),
  'feel/workdays-outside-hall': d('error', ['工作日函数只能用在校验条件中', 'Work-day functions only in validation rules'],
    ['{where}使用了工作日函数“{name}”。Camunda 8 没有工作日历（节假日和调休），导出的 BPMN 流程和 Camunda 表单无法计算它，同一个申请在两处会走不同的路线。', 'The {where} calls the work-day function "{name}". Camunda 8 has no work-day calendar (holidays, make-up work days), so the exported BPMN process and Camunda form cannot evaluate it, and the same application would take different paths there and in the hall.'],
    ['工作日函数只写在字段的 validIf 中（办事大厅在提交时用学校日历校验，Camunda 表单以文字说明这条要求）。分支或显示条件请改用表单字段（如“是否加急”），或按自然日比较：defenseDate - today() >= duration("P14D")。', 'Write work-day functions only in a field\'s validIf (the hall checks it on submission with the school calendar; the Camunda form states the rule as text). For a branch or a visibility rule, use a form field (such as "urgent") or compare calendar days: defenseDate - today() >= duration("P14D").'],
    { bad: 'if: workdays between(today(), startDate) < 3', good: 'if: urgent = true' }),
};
