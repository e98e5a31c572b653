import { ReportAggregator } from './aggregate.ts';
import type { ReportData, ReportOptions } from './aggregate.ts';
import type { ReportContext } from './context.ts';
import type { RuntimeEvent } from '../../generated/types/runtime/event.ts';
import { checkEvent, notJson } from './parse-event.ts';
import { ReadBreak, readLines } from './read-events.ts';
import { scanEvent } from './scan-event.ts';
import type { EventFile } from './read-events.ts';

export interface ReportProgress {
  /** Bytes read from disk so far over all files, and in total. */
  (bytes: number, total: number): void;
}

/**
 * Read every line of the given log files once, in order, and aggregate them. Memory stays flat whatever
 * the log's length: lines are never kept, only open applications and counters. A file that breaks off
 * (truncated gzip, I/O error) is reported at the line it broke off and the next file is read.
 */
export async function buildReport(files: EventFile[], context: ReportContext, options: ReportOptions & { onProgress?: ReportProgress; label?: (file: string) => string } = {}): Promise<ReportData> {
  const total = files.reduce((n, f) => n + f.size, 0);
  // Events take some 180 bytes a line, a tenth of that gzipped: size the table of seen events once.
  const expected = files.reduce((n, f) => n + (/\.gz$/i.test(f.path) ? f.size * 10 : f.size), 0) / 180;
  const aggregator = new ReportAggregator(context, { expectedEvents: expected, ...options });
  let done = 0;
  for (const file of files) {
    const name = options.label ? options.label(file.path) : file.path;
    aggregator.beginFile(name);
    const sink = {
      line(text: string, line: number) {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          aggregator.addProblem(line, notJson(error));
          return;
        }
        const checked = checkEvent(value);
        if (typeof checked === 'number') aggregator.add(value as RuntimeEvent, checked, line, true);
        else aggregator.addProblem(line, checked);
      },
      // Most lines are read from their bytes (scan-event.ts); the rest, and every line it is unsure of, as above.
      bytes(buf: Buffer, start: number, end: number, line: number) {
        const at = scanEvent(buf, start, end);
        if (Number.isNaN(at)) return false;
        aggregator.add(undefined, at, line, true);
        return true;
      },
      tooLong(line: number) {
        aggregator.addProblem(line, { kind: 'too-long' });
      },
      blank(line: number) {
        aggregator.addBlank(line);
      },
      badUtf8(line: number, column: number) {
        aggregator.addProblem(line, { kind: 'bad-utf8', column });
      },
    };
    try {
      await readLines(file.path, sink, options.onProgress ? (bytes) => options.onProgress!(done + bytes, total) : undefined);
    } catch (error) {
      // Only a failure to read (I/O, gzip) is the file's problem; anything else is a bug and must surface.
      if (!(error instanceof ReadBreak)) throw error;
      aggregator.addProblem(error.line, { kind: 'unreadable', detail: error.message.slice(0, 120), byte: error.byte });
    }
    done += file.size;
    options.onProgress?.(done, total);
  }
  return aggregator.finish();
}
