import { d } from './define.ts';

/** Diagnostics of time rules (issue 15.7): FEEL's work-day functions over the hall's calendar. */
export const TIME_DIAGNOSTICS = {
  'time/hours-over-a-day': d('warning', ['按小时计的时限超过一天', 'An hours deadline longer than a day'],
    ['环节“{step}”的时限是 {hours} 小时。小时从待办送达起连续计算，夜间、周末和节假日都算在内（工作日历只知道哪天上班，不知道几点上班），超过 {limit} 小时的时限常常在没人上班时到期。', 'Step "{step}" has a deadline of {hours} hours. Hours run on the clock from when the task is sent, through nights, weekends and holidays (the work calendar knows which days are worked, not which hours), so a deadline over {limit} hours often ends when nobody is at work.'],
    ['超过一天的时限写成工作日（如 deadline: {days}），只有当天要办完的事（紧急报修 2 小时、用印 4 小时）才按小时写。', 'Write deadlines over a day in work days (e.g. deadline: {days}); use hours only for what is done within the day (an urgent repair in 2 hours, a seal in 4).'],
    { bad: 'deadline: 48h', good: 'deadline: 2' }),
  'time/reminder-with-hours': d('warning', ['提醒对按小时计的时限不起作用', 'A reminder on an hours deadline has no effect'],
    ['环节“{step}”写了 reminder: {reminder}（到期前若干工作日提醒），但它的时限都按小时计。按小时计的时限总在过半时提醒办理人（2 小时的在 1 小时后），这里的 reminder 不会生效。', 'Step "{step}" sets reminder: {reminder} (work days before the deadline), but all its deadlines are in hours. An hours deadline always reminds the assignee when half of it has passed (after 1 hour of 2), so this reminder does nothing.'],
    ['删去 reminder；或者把时限改回工作日。', 'Remove reminder, or write the deadline in work days.'],
    { bad: 'deadline: 2h\nreminder: 1', good: 'deadline: 2h' }),
  'time/reminder-not-before-deadline': d('warning', ['提醒不早于时限', 'The reminder is not before the deadline'],
    ['环节“{step}”在到期前 {reminder} 个工作日提醒，而它最长的时限只有 {deadline} 个工作日：提醒会在待办送达当天发出（导出的 BPMN 中则没有这个提醒），起不到“快到期了”的作用。', 'Step "{step}" reminds {reminder} work days before the deadline, but its longest deadline is {deadline} work days: the reminder would go out the day the task arrives (and the exported BPMN drops it), which says nothing about the deadline coming.'],
    ['把 reminder 改小（如 1），或删去它（默认在到期当天提醒）。', 'Lower reminder (e.g. 1) or remove it (by default the reminder comes on the due day).'],
    { bad: 'deadline: 2\nreminder: 2', good: 'deadline: 3\nreminder: 1' }),
  'feel/workday-argument': d('error', ['工作日函数的参数类型不对', 'Wrong argument to a work-day function'],
    ['“{call}”的第 {position} 个参数“{argument}”是{actual}，这里应为{expected}。参数类型不对时函数没有结果，这条规则会悄悄失效。', 'Argument {position} of "{call}", "{argument}", is {actual}; it should be {expected}. With the wrong type the function gives no value and the rule silently does nothing.'],
    ['workdays between(起始日期, 截止日期) 的两个参数都是日期；add workdays(日期, 天数) 的第一个参数是日期，第二个是整数。日期字段直接写字段名，固定日期写 date("2027-01-01")，今天写 today()。', 'workdays between(from, to) takes two dates; add workdays(date, n) takes a date and a whole number. Write a date field by its name, a fixed date as date("2027-01-01"), today as today().'],
    { bad: 'validIf: workdays between(today(), "2027-01-01") >= 10', good: 'validIf: workdays between(today(), defenseDate) >= 10' }),
  'feel/workdays-outside-hall': d('error', ['工作日函数只能用在校验条件中', 'Work-day functions only in validation rules'],
    ['{where}使用了工作日函数“{name}”。Camunda 8 没有工作日历（节假日和调休），导出的 BPMN 流程和 Camunda 表单无法计算它，同一个申请在两处会走不同的路线。', 'The {where} calls the work-day function "{name}". Camunda 8 has no work-day calendar (holidays, make-up work days), so the exported BPMN process and Camunda form cannot evaluate it, and the same application would take different paths there and in the hall.'],
    ['工作日函数只写在字段的 validIf 中（办事大厅在提交时用学校日历校验，Camunda 表单以文字说明这条要求）。分支或显示条件请改用表单字段（如“是否加急”），或按自然日比较：defenseDate - today() >= duration("P14D")。', 'Write work-day functions only in a field\'s validIf (the hall checks it on submission with the school calendar; the Camunda form states the rule as text). For a branch or a visibility rule, use a form field (such as "urgent") or compare calendar days: defenseDate - today() >= duration("P14D").'],
    { bad: 'if: workdays between(today(), startDate) < 3', good: 'if: urgent = true' }),
};
