/** A mistake in how the command was called (bad option, missing folder): exit code 2, no stack trace. */
export class UsageError extends Error {}

/** A bug in hall itself: say so plainly and ask for a report; the stack only with HALL_DEBUG=1. */
export function reportInternalError(error: unknown): void {
  process.stderr.write(
    `hall：内部错误，这不是您的文件的问题。请把下面的信息报告给信息化办。\n` +
      `hall: internal error; this is not a problem in your files. Please report it to the IT office.\n` +
      `  ${error instanceof Error ? error.message : String(error)}\n`,
  );
  if (process.env.HALL_DEBUG) process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
}
