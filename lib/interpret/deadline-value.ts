// No imports: the guide site reads deadlines with this module too.

/**
 * A deadline as a service file or a runtime definition writes it (issue 15.7): an integer is work days
 * on the compiled calendar; `2h`, `2小时` (authoring) or `PT2H` (runtime) is clock hours from the step's
 * start. The calendar knows which days are worked, not which hours, so hours run through nights and
 * holidays alike.
 */
export type DeadlineValue = number | string;

const HOURS = /^(?:PT)?([1-9][0-9]*) ?(?:h|H|小时)$/;

/** The hours of an hours deadline, else undefined (a number of work days, or text that is no deadline). */
export function deadlineHours(value: DeadlineValue): number | undefined {
  if (typeof value === 'number') return undefined;
  const match = HOURS.exec(value);
  return match ? Number(match[1]) : undefined;
}

