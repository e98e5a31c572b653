import { FeelDate, FeelDateTime, date } from 'feelin';
import type { WorkCalendar } from './calendar.ts';
import { shiftDay } from './calendar.ts';

/**
 * FEEL's work-day functions, over the hall's compiled calendar (weekends, public holidays and make-up
 * work days of hall.yaml), so a rule such as “答辩日期距提交不少于 10 个工作日” can be written:
 *
 * - `workdays between(a, b)`: the work days d with a < d ≤ b (the day of `a` is not counted, the day of
 *   `b` is); negative when `b` is before `a`, 0 when they are the same day;
 * - `add workdays(d, n)`: for n > 0 the n-th work day after d (so `workdays between(d, add workdays(d, n)) = n`),
 *   for n < 0 the |n|-th work day before d, and d itself for n = 0.
 *
 * Both take dates (a date and time counts by its calendar date in the hall's time zone) and give null
 * for anything else, as FEEL's built-ins do. Spans are bounded ({@link WORKDAY_SPAN_LIMIT}) so a
 * condition cannot make the server count days for ever.
 */
export const WORKDAY_FUNCTIONS = ['add workdays', 'workdays between'] as const;

/** The most calendar days one call may walk (about ten years). */
export const WORKDAY_SPAN_LIMIT = 3700;

/**
 * feelin reads a name with spaces as one name only when it knows it: the parse context every parse of a
 * condition uses, so `workdays between(…)` is a call and not `workdays` followed by the `between` operator.
 */
export const WORKDAY_PARSE_CONTEXT: Record<string, unknown> = Object.fromEntries(WORKDAY_FUNCTIONS.map((name) => [name, true]));

/** The FEEL value's calendar date (`YYYY-MM-DD`), or undefined when it is neither a date nor a date and time. */
function isoDate(value: unknown, calendar: WorkCalendar): string | undefined {
  if (value instanceof FeelDate) return value.iso.slice(0, 10);
  if (value instanceof FeelDateTime) {
    // A date and time with a zone or offset is an instant: its date is the one in the hall's time zone.
    if (value.zone === null) return value.value.toPlainDate().toString();
    const instant = value.toString().replace(/@.*$/, '');
    return Number.isFinite(Date.parse(instant)) ? calendar.localDate(instant) : value.value.toPlainDate().toString();
  }
  return undefined;
}

function daysApart(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

class WorkdaySpanError extends Error {}

/** Work days d with a < d ≤ b on the calendar; negative when b < a. */
export function workdaysBetween(calendar: WorkCalendar, a: string, b: string): number {
  if (Math.abs(daysApart(a, b)) > WORKDAY_SPAN_LIMIT) throw new WorkdaySpanError(`workdays between: the dates are more than ${WORKDAY_SPAN_LIMIT} days apart`);
  return b >= a ? calendar.workdaysBetween(a, b) : -calendar.workdaysBetween(b, a);
}

/** The n-th work day after `start` (n > 0), the |n|-th before it (n < 0), or `start` itself (n = 0). */
export function addWorkdays(calendar: WorkCalendar, start: string, n: number): string {
  if (Math.abs(n) * 3 > WORKDAY_SPAN_LIMIT) throw new WorkdaySpanError(`add workdays: ${n} work days is more than the limit of ${Math.floor(WORKDAY_SPAN_LIMIT / 3)}`);
  let day = start;
  const direction = n > 0 ? 1 : -1;
  for (let left = Math.abs(n); left > 0; ) {
    day = shiftDay(day, direction);
    if (calendar.isWorkday(day)) left--;
  }
  return day;
}

/**
 * The two functions as a FEEL context gives them to feelin, and what went wrong in a call: feelin turns
 * an exception in a function into null, which would read as "rule not met" instead of an error.
 */
export function workdayScope(calendar: WorkCalendar | undefined): { functions: Record<string, (...args: unknown[]) => unknown>; failure?: { kind: 'range' | 'error'; message: { zh: string; en: string } } } {
  const scope: ReturnType<typeof workdayScope> = { functions: {} };
  const fail = (failure: NonNullable<typeof scope.failure>) => {
    scope.failure ??= failure;
    return null;
  };
  const guarded = <T>(fn: () => T) => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof WorkdaySpanError)) throw error;
      return fail({ kind: 'range', message: { zh: `工作日计算的跨度超过上限（约十年，${WORKDAY_SPAN_LIMIT} 天）`, en: `the work-day calculation spans more than the limit of about ten years (${WORKDAY_SPAN_LIMIT} days)` } });
    }
  };
  if (!calendar) {
    // Without the hall's calendar the answer would be a guess: the evaluation fails instead, visibly.
    // feelin calls a function only with as many arguments as it declares.
    const missing = (_a?: unknown, _b?: unknown) => fail({ kind: 'error', message: { zh: '工作日函数需要学校日历（hall.yaml 的 calendar），这里没有提供', en: 'work-day functions need the hall calendar (hall.yaml calendar), and none was given here' } });
    scope.functions = { 'add workdays': missing, 'workdays between': missing };
    return scope;
  }
  scope.functions = {
    'add workdays': (d: unknown, n: unknown) => {
      const start = isoDate(d, calendar);
      if (start === undefined || typeof n !== 'number' || !Number.isInteger(n)) return null;
      return guarded(() => date(addWorkdays(calendar, start, n)));
    },
    'workdays between': (a: unknown, b: unknown) => {
      const [from, to] = [isoDate(a, calendar), isoDate(b, calendar)];
      if (from === undefined || to === undefined) return null;
      return guarded(() => workdaysBetween(calendar, from, to));
    },
  };
  return scope;
}

/** `today()` in the hall's time zone: the instant `at` may be written in UTC (the hall runtime keeps instants so). */
export function zonedToday(calendar: WorkCalendar, at: string): () => unknown {
  return () => date(calendar.localDate(at));
}

/** Whether an expression calls one of the work-day functions (a quick text test; callers parse when it matters). */
export function mentionsWorkdayFunction(expression: string): boolean {
  return WORKDAY_FUNCTIONS.some((name) => new RegExp(`\\b${name.replace(' ', '\\s+')}\\s*\\(`).test(expression));
}
