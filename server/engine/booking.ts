import type { FieldError, RuntimeDefinition, WorkCalendar } from '../../lib/runtime/index.ts';

/**
 * Appointments (预约): what the hall judges about a booking before it takes a place. The reference
 * interpreter reads a booking only through conditions (`booking.*`) and judges nothing else about it, so
 * everything here is stricter than the interpreter, never looser: the runtime still runs the interpreter
 * over the same booking afterwards and refuses whatever it refuses.
 */

/** A booking as the engine receives it (the HTTP layer has already bounded its shape and lengths). */
export interface BookingInput {
  resource: string;
  date: string;
  slot: string;
}

/**
 * Places one resource offers in one slot: one. A resource's `capacity` in the catalog is how many people
 * the room holds (容纳人数, schemas/service.schema.json; forms check head counts against it, e.g.
 * `participants <= 40`), not how many parties may book the same slot: a room, a stage, a studio is used by
 * one booking at a time.
 */
export const PLACES_PER_SLOT = 1;

const LABEL = { resource: '预约场地', date: '预约日期', slot: '预约时段' } as const;
const WEEKDAY_ZH = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const WEEKDAY_EN = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const problem = (part: keyof typeof LABEL, zh: string, en: string): FieldError => ({ field: `booking.${part}`, label: LABEL[part], message: { zh, en } });

/** The place a booking takes: `<resource> <date> <slot>`, the value of `application.booking_slot`. */
export function slotKey(booking: BookingInput): string {
  return `${booking.resource} ${booking.date} ${booking.slot}`;
}

/** The refusal of a slot whose places are taken. */
export function slotFull(definition: RuntimeDefinition, booking: BookingInput): FieldError {
  const resource = definition.appointment?.resources.find((r) => r.id === booking.resource);
  const name = resource?.name.zh ?? booking.resource;
  return problem('slot', `${name} ${booking.date} ${booking.slot} 已约满，请选择其他时段或场地`, `${resource?.name.en ?? name} on ${booking.date} ${booking.slot} is fully booked; choose another slot or resource`);
}

/**
 * Why a booking cannot be taken, field by field (`booking.resource`, `booking.date`, `booking.slot`),
 * judged at the submission instant `at` in the school's time zone: an appointment service needs one, any
 * other service refuses one; the resource must be the service's; the date a real date on one of its
 * weekdays (and a work day on the calendar when `workdaysOnly`), at most `advanceDays` ahead; the slot one
 * of its times, not yet begun, and at least `minNoticeHours` away.
 */
export function bookingProblems(definition: RuntimeDefinition, calendar: WorkCalendar, booking: BookingInput | undefined, at: Date): FieldError[] {
  const appointment = definition.appointment;
  if (!appointment) {
    return booking ? [{ field: 'booking', label: '预约', message: { zh: '这个事项不需要预约，请不要提交预约信息', en: 'this service takes no booking; leave it out' } }] : [];
  }
  if (!booking) return [problem('resource', '必填：这个事项须预约场地和时段', 'is required: this service is booked by resource and slot'), problem('date', '必填', 'is required'), problem('slot', '必填', 'is required')];
  const errors: FieldError[] = [];
  const resources = appointment.resources;
  if (typeof booking.resource !== 'string' || !resources.some((r) => r.id === booking.resource)) {
    errors.push(problem('resource', `没有可预约的“${String(booking.resource)}”，可选：${resources.map((r) => `${r.id}（${r.name.zh}）`).join('、')}`, `no bookable resource "${String(booking.resource)}"; choose one of ${resources.map((r) => r.id).join(', ')}`));
  }
  const { weekdays, times, workdaysOnly } = appointment.slots;
  // A resource's own lead times (issue 15.7) take the place of the slot rules'.
  const own = resources.find((r) => r.id === booking.resource);
  const advanceDays = own?.advanceDays ?? appointment.slots.advanceDays;
  const minNoticeHours = own?.minNoticeHours ?? appointment.slots.minNoticeHours;
  const dateOk = typeof booking.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(booking.date) && new Date(`${booking.date}T00:00:00Z`).toISOString().slice(0, 10) === booking.date;
  const slotOk = typeof booking.slot === 'string' && times.includes(booking.slot);
  if (!dateOk) errors.push(problem('date', '不是有效的日期（YYYY-MM-DD）', 'is not a valid date (YYYY-MM-DD)'));
  if (!slotOk) errors.push(problem('slot', `只能选择这些时段：${times.join('、')}`, `must be one of ${times.join(', ')}`));
  if (!dateOk) return errors;
  const weekday = ((new Date(`${booking.date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
  const today = calendar.localDate(at.toISOString());
  const daysAhead = Math.round((Date.parse(`${booking.date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (!weekdays.includes(weekday)) {
    errors.push(problem('date', `${booking.date} 是${WEEKDAY_ZH[weekday]}，不开放预约（开放：${weekdays.map((d) => WEEKDAY_ZH[d]).join('、')}）`, `${booking.date} is a ${WEEKDAY_EN[weekday]}, not open for booking (open: ${weekdays.map((d) => WEEKDAY_EN[d]).join(', ')})`));
  } else if (workdaysOnly && !calendar.isWorkday(booking.date)) {
    errors.push(problem('date', `${booking.date} 不是工作日（按学校工作日历），只在工作日开放预约`, `${booking.date} is not a work day on the school's calendar; bookings are for work days only`));
  } else if (daysAhead < 0) {
    errors.push(problem('date', `${booking.date} 已经过去，请选择今天（${today}）以后的日期`, `${booking.date} has passed; choose a date from today (${today})`));
  } else if (advanceDays !== undefined && daysAhead > advanceDays) {
    errors.push(problem('date', `最多提前 ${advanceDays} 天预约：${booking.date} 距今天（${today}）${daysAhead} 天`, `bookings open at most ${advanceDays} days ahead: ${booking.date} is ${daysAhead} days from today (${today})`));
  }
  if (errors.length || !slotOk) return errors;
  const start = Date.parse(localInstant(calendar.timezone, booking.date, booking.slot.slice(0, 5)));
  const hoursAhead = (start - at.getTime()) / 3_600_000;
  if (hoursAhead <= 0) {
    errors.push(problem('slot', `${booking.date} ${booking.slot} 已经开始或已过去，请选择以后的时段`, `${booking.date} ${booking.slot} has begun or passed; choose a later slot`));
  } else if (minNoticeHours !== undefined && hoursAhead < minNoticeHours) {
    errors.push(problem('slot', `须至少提前 ${minNoticeHours} 小时预约：${booking.date} ${booking.slot} 离现在不足 ${minNoticeHours} 小时`, `book at least ${minNoticeHours} hours ahead: ${booking.date} ${booking.slot} is less than ${minNoticeHours} hours away`));
  }
  return errors;
}

/** `2026-03-09` `08:00` in the school's time zone as an ISO instant with that zone's offset on that day. */
export function localInstant(timezone: string, date: string, time: string): string {
  const guess = new Date(`${date}T${time}:00Z`);
  const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' }).formatToParts(guess).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return `${date}T${time}:00${name === 'GMT' ? 'Z' : name.slice(3)}`;
}
