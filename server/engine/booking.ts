import type { FieldError, RuntimeDefinition, WorkCalendar } from '../../lib/runtime/index.ts';
import type { Transaction } from '../store/store.ts';

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

/** The periods a quota counts in (service.schema.json `quota.period`); `term` has no dates in the calendar. */
export type QuotaPeriod = 'day' | 'week' | 'month' | 'term';

const PERIOD_ZH: Record<QuotaPeriod, string> = { day: '每天', week: '每周', month: '每月', term: '每学期' };
const PERIOD_EN: Record<QuotaPeriod, string> = { day: 'a day', week: 'a week', month: 'a month', term: 'a term' };

/**
 * The local dates (inclusive) of the period that holds `date`: the day itself, its week (Monday to Sunday, as
 * Chinese timetables run) or its calendar month. Undefined for `term`: the work calendar has no term dates, so
 * the hall cannot count per term (lint `booking/term-quota` refuses it before it gets here).
 */
export function periodOf(period: QuotaPeriod | string, date: string): { from: string; to: string } | undefined {
  const day = new Date(`${date}T00:00:00Z`);
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  if (period === 'day') return { from: date, to: date };
  if (period === 'week') {
    const monday = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000);
    return { from: iso(monday), to: iso(new Date(monday.getTime() + 6 * 86_400_000)) };
  }
  if (period === 'month') {
    const last = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 0));
    return { from: `${date.slice(0, 7)}-01`, to: iso(last) };
  }
  return undefined;
}

/** The unit a per-unit quota counts an applicant in: their department (staff), else their college (students). */
export function unitOf(attributes: Record<string, unknown>): string | undefined {
  for (const key of ['department', 'college']) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

const LIVE = "status NOT IN ('withdrawn', 'rejected')";

/**
 * 预约限额 (appointment.limits): a person books at most `perPerson.count` places of this service in a period, a
 * unit (department, else college) at most `perUnit.count`; a resource's own `limits` count its bookings only, and
 * apply with the service's. The period is the one that holds the booked date (每周 = the booked day's Monday to
 * Sunday). Live bookings count (withdrawn and rejected ones have freed their place); counted inside the submit
 * transaction under a lock per person and per unit, so two submissions for the last of a person's places cannot
 * both pass. An applicant with neither department nor college is not counted against any unit.
 */
export async function quotaProblems(tx: Transaction, definition: RuntimeDefinition, booking: BookingInput, applicant: { id: string; attributes: Record<string, unknown> }): Promise<FieldError[]> {
  const appointment = definition.appointment;
  const resource = appointment?.resources.find((r) => r.id === booking.resource);
  type Quota = { count: number; period: string };
  const rules: { quota: Quota; who: 'person' | 'unit'; resource?: { id: string; name: { zh: string; en?: string } } }[] = [];
  if (appointment?.limits?.perPerson) rules.push({ quota: appointment.limits.perPerson, who: 'person' });
  if (appointment?.limits?.perUnit) rules.push({ quota: appointment.limits.perUnit, who: 'unit' });
  if (resource?.limits?.perPerson) rules.push({ quota: resource.limits.perPerson, who: 'person', resource });
  if (resource?.limits?.perUnit) rules.push({ quota: resource.limits.perUnit, who: 'unit', resource });
  const unit = unitOf(applicant.attributes);
  const service = definition.id;
  const errors: FieldError[] = [];
  // The locks, always person before unit (and both before the slot's, in the caller): never a circle of waits.
  if (rules.some((r) => r.who === 'person' && periodOf(r.quota.period, booking.date))) await tx.lock(`servicehall:booking-quota:${service}:person:${applicant.id}`);
  if (unit !== undefined && rules.some((r) => r.who === 'unit' && periodOf(r.quota.period, booking.date))) await tx.lock(`servicehall:booking-quota:${service}:unit:${unit}`);
  for (const rule of rules) {
    const range = periodOf(rule.quota.period, booking.date);
    if (!range || (rule.who === 'unit' && unit === undefined)) continue;
    // The period's live bookings of the person, or of the service (at most one per resource slot: a bounded read).
    const rows =
      rule.who === 'person'
        ? await tx.query<{ booking: string; applicant: string }>(`SELECT booking, applicant FROM application WHERE service = $1 AND applicant_id = $2 AND booking_date >= $3 AND booking_date <= $4 AND booking_slot IS NOT NULL AND ${LIVE}`, [service, applicant.id, range.from, range.to])
        : await tx.query<{ booking: string; applicant: string }>(`SELECT booking, applicant FROM application WHERE service = $1 AND booking_date >= $2 AND booking_date <= $3 AND booking_slot IS NOT NULL AND ${LIVE}`, [service, range.from, range.to]);
    const n = rows.filter((row) => (!rule.resource || (JSON.parse(String(row.booking)) as BookingInput).resource === rule.resource.id) && (rule.who === 'person' || unitOf(JSON.parse(String(row.applicant)) as Record<string, unknown>) === unit)).length;
    if (n < rule.quota.count) continue;
    const period = rule.quota.period as QuotaPeriod;
    const where = rule.resource ? { zh: rule.resource.name.zh, en: rule.resource.name.en ?? rule.resource.name.zh } : undefined;
    const next = period === 'day' ? '日期' : '时间';
    if (rule.who === 'person') {
      errors.push(problem('date', `${PERIOD_ZH[period]}每人最多预约${where ? `“${where.zh}”` : ''} ${rule.quota.count} 次：您在 ${span(range)} 已有 ${n} 次${where ? '这个场地的' : ''}预约，请选择其他${where ? `${next}或场地` : next}，或先取消已有的预约`, `at most ${rule.quota.count} bookings${where ? ` of ${where.en}` : ''} per person ${PERIOD_EN[period]}: you already hold ${n} in ${span(range)}; choose another date${where ? ' or resource' : ''}, or cancel one first`));
    } else {
      errors.push(problem('date', `${PERIOD_ZH[period]}每个单位最多预约${where ? `“${where.zh}”` : ''} ${rule.quota.count} 次：您所在单位在 ${span(range)} 已有 ${n} 次${where ? '这个场地的' : ''}预约，请选择其他${where ? `${next}或场地` : next}`, `at most ${rule.quota.count} bookings${where ? ` of ${where.en}` : ''} per unit ${PERIOD_EN[period]}: your unit already holds ${n} in ${span(range)}; choose another date${where ? ' or resource' : ''}`));
    }
  }
  return errors;
}

const span = (range: { from: string; to: string }) => (range.from === range.to ? range.from : `${range.from} 至 ${range.to}`);

/**
 * appointment.limits.cancelBeforeHours: an applicant withdraws (cancels) a booking at least that many hours before
 * its slot begins; later the place is held for them and the refusal says until when it could be cancelled.
 */
export function cancelTooLate(definition: RuntimeDefinition, calendar: WorkCalendar, booking: BookingInput, at: Date): { zh: string; en: string } | undefined {
  const hours = definition.appointment?.limits?.cancelBeforeHours;
  if (hours === undefined) return undefined;
  const start = Date.parse(localInstant(calendar.timezone, booking.date, booking.slot.slice(0, 5)));
  if (start - at.getTime() >= hours * 3_600_000) return undefined;
  return {
    zh: `预约须在开始前 ${hours} 小时以前取消：${booking.date} ${booking.slot} 的预约已不能撤回，如不能到场请联系管理员`,
    en: `a booking is cancelled at least ${hours} hours before it begins: the booking for ${booking.date} ${booking.slot} can no longer be withdrawn; contact the manager if you cannot come`,
  };
}
