import type { RuntimeCalendar } from '../../generated/types/runtime/calendar.ts';

/** Most instants whose local date a calendar keeps (the oldest dropped first); also most quarter hours, and most work-day steps. */
const REMEMBERED = 10_000;

/**
 * A UTC quarter hour: the local date changes at most once inside one (at local midnight, or at an offset change,
 * and no zone changes its offset twice in fifteen minutes), so a quarter hour whose first and last millisecond
 * have the same local date has it throughout. One that holds a change (a midnight at a whole quarter hour's
 * offset falls on its first millisecond, so only odd offsets such as local mean time's) is formatted per instant.
 */
const QUARTER_HOUR = 900_000;

/** Work days on the hall's calendar: weekends off, public holidays off, make-up weekend days on. */
export class WorkCalendar {
  readonly timezone: string;
  private readonly holidays: Set<string>;
  private readonly workdays: Set<string>;
  /** Made once: building an Intl formatter costs more than a whole step of a run (the hall replays flows per request). */
  private readonly dateFormat: Intl.DateTimeFormat;
  private readonly localDates = new Map<string, string>();
  /** The local date of a whole UTC quarter hour, when its first and last millisecond have the same one. */
  private readonly quarterDates = new Map<number, string>();
  /** {@link stepWorkdays}' answers: every replay of an application asks again for the same due days. */
  private readonly steps = new Map<string, string>();

  constructor(calendar: RuntimeCalendar) {
    this.timezone = calendar.timezone;
    this.holidays = new Set(calendar.holidays);
    this.workdays = new Set(calendar.workdays);
    this.dateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: this.timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  isWorkday(date: string): boolean {
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The calendar date of an instant in the hall's time zone. */
  localDate(instant: string): string {
    // Remembered (issue 13): every replay of an application asks again for the dates of the same instants.
    let date = this.localDates.get(instant);
    if (date === undefined) {
      date = this.dateOf(Date.parse(instant)) ?? this.dateFormat.format(new Date(instant));
      remember(this.localDates, instant, date);
    }
    return date;
  }

  /**
   * The local date of the millisecond `ms` through its quarter hour: formatted once per quarter hour (each request
   * brings a new instant, the clock's now), not once per instant. Undefined for a quarter hour in which the date
   * changes, or an instant that is not one: the caller formats it directly.
   */
  private dateOf(ms: number): string | undefined {
    if (!Number.isFinite(ms)) return undefined;
    const quarter = Math.floor(ms / QUARTER_HOUR);
    let date = this.quarterDates.get(quarter);
    if (date === undefined) {
      const first = this.dateFormat.format(new Date(quarter * QUARTER_HOUR));
      if (first !== this.dateFormat.format(new Date(quarter * QUARTER_HOUR + QUARTER_HOUR - 1))) return undefined;
      date = first;
      remember(this.quarterDates, quarter, date);
    }
    return date;
  }

  /**
   * The last second of a date in the hall's time zone, e.g. `2026-03-03T23:59:59+08:00`: when a task due
   * that day becomes overdue. Written with the zone's own offset, whatever offset the instants around it
   * use (the hall runtime keeps instants in UTC, scenarios write them in local time).
   */
  endOfDay(date: string): string {
    return this.atLocalTime(date, '23:59:59');
  }

  /** An instant given as a date and a wall-clock time in the hall's time zone, e.g. `2026-03-03T09:00:00+08:00`. */
  atLocalTime(date: string, time: string): string {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: this.timezone, timeZoneName: 'longOffset' }).formatToParts(new Date(`${date}T12:00:00Z`)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const offset = name === 'GMT' ? 'Z' : name.slice(3);
    return `${date}T${time}${offset}`;
  }

  /**
   * A period of `days` work days opening at the instant `start` (a 公示 period, a payment period): its last
   * day (the `days`th work day after the start's date) and the instant it ends (that day's last second).
   */
  workdayPeriod(days: number, start: string): { until: string; endsAt: string } {
    const until = this.addWorkdays(this.localDate(start), days);
    return { until, endsAt: this.endOfDay(until) };
  }

  /**
   * The instant `hours` clock hours after `instant` (issue 15.7), to the millisecond, written in the zone's own offset as
   * {@link endOfDay} writes a due day's end, e.g. `2026-03-03T11:00:00+08:00`: an hours deadline's due time.
   */
  addHours(instant: string, hours: number): string {
    const at = new Date(Date.parse(instant) + hours * 3_600_000);
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: this.timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset' }).formatToParts(at).map((p) => [p.type, p.value]));
    const offset = /^GMT([+-]00:00)?$/.test(String(parts.timeZoneName)) ? 'Z' : String(parts.timeZoneName).slice(3);
    // Milliseconds only when there are some (the hall's own clock): scenario instants stay as they were written.
    const ms = at.getUTCMilliseconds();
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${ms ? `.${String(ms).padStart(3, '0')}` : ''}${offset}`;
  }

  /**
   * The due date of a task that starts on `start` and is allowed `days` work days: 0 means by the end of
   * the first work day on or after `start`; each further day moves to the next work day.
   */
  addWorkdays(start: string, days: number): string {
    return this.stepWorkdays(start, days, 1);
  }

  /**
   * The work day `days` work days before `date` (a step's `reminder`: that many work days before its due date);
   * `date` itself, or the first work day before it, for 0.
   */
  workdaysBefore(date: string, days: number): string {
    return this.stepWorkdays(date, days, -1);
  }

  /** From `date` (or the first work day from it in `direction`), `days` work days on in `direction` (1 forward, -1 back). */
  private stepWorkdays(date: string, days: number, direction: 1 | -1): string {
    const key = `${date}|${days}|${direction}`;
    let day = this.steps.get(key);
    if (day === undefined) {
      day = this.walkWorkdays(date, days, direction);
      remember(this.steps, key, day);
    }
    return day;
  }

  private walkWorkdays(date: string, days: number, direction: 1 | -1): string {
    let day = date;
    while (!this.isWorkday(day)) day = shiftDay(day, direction);
    for (let i = 0; i < days; i++) {
      day = shiftDay(day, direction);
      while (!this.isWorkday(day)) day = shiftDay(day, direction);
    }
    return day;
  }

  /** Work days from `from` (exclusive) to `to` (inclusive); 0 when `to` is not after `from`. */
  workdaysBetween(from: string, to: string): number {
    let count = 0;
    for (let d = nextDay(from); d <= to; d = nextDay(d)) if (this.isWorkday(d)) count++;
    return count;
  }
}

/** Keep `value` under `key`, dropping the oldest entry beyond REMEMBERED. */
function remember<K>(map: Map<K, string>, key: K, value: string): void {
  if (map.size >= REMEMBERED) map.delete(map.keys().next().value!);
  map.set(key, value);
}

export function nextDay(date: string): string {
  return shiftDay(date, 1);
}

/** The date `days` calendar days after `date` (before it when negative). */
export function shiftDay(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
