import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEveryLine, prepareEventLog, runReport } from '../../bench/report.ts';
import { tempDir } from './helpers.ts';

/**
 * The report stage of `npm run bench` measures what it says: the whole `hall report` over every event of a
 * generated log (read by the byte reader, every line counted, none a problem), beside a floor that reads and
 * parses the same lines.
 */
describe('bench: the hall report stage', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(() => tmp.cleanup());

  it('reports every event of the log its floor parses', async () => {
    const log = await prepareEventLog(path.join(tmp.dir, 'events.jsonl'), 5000);
    const lines = await parseEveryLine(log);
    expect(lines).toBeGreaterThan(4000);
    expect(await runReport(log)).toBe(lines);
  });
});
