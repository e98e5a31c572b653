import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { RuntimeEvent } from '../../generated/types/runtime/event.ts';

/**
 * Write events as JSON Lines, gzipped when asked or when the file name ends in .gz. With `split: 'month'`
 * the target is a folder and each month (of the event's UTC date) gets its own file, as a runtime rotating
 * its log would.
 * Returns the number of events written.
 */
export async function writeEventLog(events: Iterable<RuntimeEvent>, target: string, options: { split?: 'month'; gzip?: boolean } = {}): Promise<number> {
  const streams = new Map<string, { out: Writable; file: Writable }>();
  const gzip = options.gzip ?? target.endsWith('.gz');
  const open = async (file: string) => {
    await mkdir(path.dirname(file), { recursive: true });
    const fileStream = createWriteStream(file);
    const out = gzip ? createGzip() : fileStream;
    if (gzip) out.pipe(fileStream);
    return { out, file: fileStream };
  };
  let count = 0;
  let batch = '';
  let current: Writable | undefined;
  const flush = async () => {
    if (!batch || !current) return;
    if (!current.write(batch)) await once(current, 'drain');
    batch = '';
  };
  for (const event of events) {
    let out: Writable;
    if (options.split === 'month') {
      const month = event.at.slice(0, 7);
      let s = streams.get(month);
      if (!s) {
        s = await open(path.join(target, `events-${month}.jsonl${gzip ? '.gz' : ''}`));
        streams.set(month, s);
      }
      out = s.out;
    } else {
      let s = streams.get('');
      if (!s) {
        s = await open(target);
        streams.set('', s);
      }
      out = s.out;
    }
    if (out !== current) {
      await flush();
      current = out;
    }
    batch += `${JSON.stringify(event)}\n`;
    count++;
    if (batch.length > 1 << 16) await flush();
  }
  await flush();
  for (const { out, file } of streams.values()) {
    out.end();
    await once(file, 'close');
  }
  return count;
}
