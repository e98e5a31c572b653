import { d } from './define.ts';

/** 预约限额 (appointment.limits), which the hall enforces (server/engine/booking.ts). */
export const BOOKING_DIAGNOSTICS = {
  'booking/term-quota': d('error', ['按学期的预约限额无法执行', 'A per-term booking quota cannot be enforced'],
    ['appointment.{limit} 按学期（term）计数，但学校工作日历没有学期的起止日期：运行平台无法判断两次预约是否在同一学期，这个限额不会生效。', 'appointment.{limit} counts per term, but the school calendar has no term dates: the hall cannot tell whether two bookings fall in one term, and the quota would never hold.'],
    ['改用 day、week 或 month（如 { count: 16, period: month }）；学期限额要等工作日历写明学期起止后才能使用。', 'Use day, week or month (e.g. { count: 16, period: month }); a per-term quota needs term dates in the calendar first.'],
    { bad: 'limits:\n  perPerson: { count: 20, period: term }', good: 'limits:\n  perPerson: { count: 4, period: month }' }),
} as const;
