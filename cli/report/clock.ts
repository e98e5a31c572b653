import type { WorkCalendar } from '../../lib/interpret/calendar.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Offsets change only on quarter hours in every zone in use, so one lookup per quarter hour is exact. */
const BUCKET_MS = 900_000;

/** An instant in the hall's time zone, as whole numbers cheap to count by. */
export interface LocalInstant {
  /** Local calendar day as days since 1970-01-01. */
  day: number;
  /** Local hour, 0–23. */
  hour: number;
  /** Local weekday, 0 Monday … 6 Sunday. */
  weekday: number;
}

/**
 * Local days, hours and weekdays of instants in one time zone. `Intl` is asked about each UTC day twice
 * (at its start and its end); when the offset is the same at both, as on every day without a daylight-
 * saving change, the whole day shares it. Only on a change day is each quarter hour asked. A year of
 * events thus costs some seven hundred look-ups however many events it holds.
 */
export class ZoneClock {
  readonly timezone: string;
  private readonly format: Intl.DateTimeFormat;
  /** UTC day → its offset, or NaN for a day on which the offset changes. */
  private readonly days = new Map<number, number>();
  /** Quarter hour → offset, for days on which the offset changes. */
  private readonly buckets = new Map<number, number>();
  private lastDay = Number.NaN;
  private lastOffset = 0;

  constructor(timezone: string) {
    this.timezone = timezone;
    this.format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  }

  private ask(at: number): number {
    const parts: Record<string, number> = {};
    for (const p of this.format.formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) - at;
  }

  /** The zone's offset from UTC at `epochMs`, in milliseconds. */
  offsetAt(epochMs: number): number {
    const day = Math.floor(epochMs / DAY_MS);
    // Logs come roughly in time order: most look-ups fall on the day of the one before.
    if (day === this.lastDay) return this.lastOffset;
    let offset = this.days.get(day);
    if (offset === undefined) {
      const start = this.ask(day * DAY_MS);
      offset = start === this.ask((day + 1) * DAY_MS) ? start : Number.NaN;
      this.days.set(day, offset);
    }
    if (!Number.isNaN(offset)) {
      this.lastDay = day;
      this.lastOffset = offset;
      return offset;
    }
    const bucket = Math.floor(epochMs / BUCKET_MS);
    let exact = this.buckets.get(bucket);
    if (exact === undefined) {
      exact = this.ask(bucket * BUCKET_MS);
      this.buckets.set(bucket, exact);
    }
    return exact;
  }

  local(epochMs: number): LocalInstant {
    const t = epochMs + this.offsetAt(epochMs);
    const day = Math.floor(t / DAY_MS);
    return { day, hour: Math.floor((t - day * DAY_MS) / HOUR_MS), weekday: (day + 3) % 7 };
  }

  localHour(epochMs: number): number {
    const t = epochMs + this.offsetAt(epochMs);
    return Math.floor((t - Math.floor(t / DAY_MS) * DAY_MS) / HOUR_MS);
  }

  localDay(epochMs: number): number {
    return Math.floor((epochMs + this.offsetAt(epochMs)) / DAY_MS);
  }
}

/** Days since 1970-01-01 → YYYY-MM-DD. */
export function dayToDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** YYYY-MM-DD → days since 1970-01-01 (NaN when not a date). */
export function dateToDay(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return Number.NaN;
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date ? Number.NaN : t / DAY_MS;
}

/**
 * Work-day arithmetic on the hall's calendar by day number. Each day is asked of the calendar once and
 * its running count of work days kept, so "how many work days between" is one subtraction.
 */
export class WorkdayIndex {
  private readonly calendar: WorkCalendar;
  private readonly years: number[];
  /** ordinal[d - base] = work days on or before day d, counted from `base`. */
  private ordinal: Int32Array = new Int32Array(0);
  private base = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;

  constructor(calendar: WorkCalendar, years: number[]) {
    this.calendar = calendar;
    this.years = years;
  }

  isWorkday(day: number): boolean {
    return this.ord(day) - this.ord(day - 1) === 1;
  }

  private ensure(day: number): void {
    const n = this.ordinal.length;
    if (n && day >= this.base && day < this.base + n) return;
    // Grow to cover the day with a year of margin either side, keeping one contiguous range.
    const from = n ? Math.min(this.base, day - 366) : day - 366;
    const to = n ? Math.max(this.base + n, day + 367) : day + 367;
    const next = new Int32Array(to - from);
    let count = 0;
    for (let d = from; d < to; d++) {
      if (this.calendar.isWorkday(dayToDate(d))) count++;
      next[d - from] = count;
    }
    this.ordinal = next;
    this.base = from;
  }

  private ord(day: number): number {
    this.ensure(day);
    return this.ordinal[day - this.base];
  }

  /** Years that work-day figures touched but the calendar does not list: their holidays are unknown. */
  uncoveredYears(): number[] {
    if (this.first > this.last) return [];
    const out: number[] = [];
    for (let y = Number(dayToDate(this.first).slice(0, 4)); y <= Number(dayToDate(this.last).slice(0, 4)); y++) if (!this.years.includes(y)) out.push(y);
    return out;
  }

  /**
   * Work days a case took: counted from the first work day on or after the day it was submitted (that day
   * is day 0) to the day it was completed. This is the interpreter's rule for due dates read backwards
   * (`addWorkdays(start, n)` is the last day with n work days elapsed), so "elapsed ≤ promised" means on time.
   */
  workdaysElapsed(startDay: number, endDay: number): number {
    if (startDay < this.first) this.first = startDay;
    if (endDay > this.last) this.last = endDay;
    const startOrd = this.isWorkday(startDay) ? this.ord(startDay) : this.ord(startDay) + 1;
    return Math.max(0, this.ord(endDay) - startOrd);
  }
}
