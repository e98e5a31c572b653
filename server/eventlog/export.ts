import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Store } from '../store/store.ts';

/** The log's file for a day: `events-YYYY-MM-DD.jsonl`, gzipped to `.jsonl.gz` once the day is over. */
const DAY_FILE = /^events-(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** Date formatters by time zone: making one costs more than formatting with it (issue 13: once per exported batch). */
const formats = new Map<string, Intl.DateTimeFormat>();

function localDate(instant: Date, timezone: string): string {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(timezone, format);
  }
  return format.format(instant);
}

/**
 * Copy the events committed since the last export to the day's JSONL file and mark them exported, under a
 * lock so that one process writes at a time. A line is the event as written in its transaction, with its
 * id: the file is synced before the events are marked, so a crash between the two writes an event twice,
 * never loses one, and `hall report` counts an id once. Files are named by the day they are written (in
 * the hall's time zone); the report selects events by their own time.
 */
export async function exportEvents(store: Store, dir: string, options: { timezone: string; now?: Date; batch?: number }): Promise<number> {
  const now = options.now ?? new Date();
  await mkdir(dir, { recursive: true });
  let total = 0;
  for (;;) {
    const count = await store.transaction(async (tx) => {
      await tx.lock('servicehall:event-log');
      const rows = await tx.query<{ id: string; body: string }>('SELECT id, body FROM event WHERE exported_at IS NULL ORDER BY id LIMIT $1', [options.batch ?? 1000]);
      if (!rows.length) return 0;
      const lines = rows.map((r) => `${JSON.stringify({ id: r.id, ...JSON.parse(r.body) })}\n`).join('');
      const file = await open(path.join(dir, `events-${localDate(now, options.timezone)}.jsonl`), 'a');
      try {
        await file.write(lines);
        await file.sync();
      } finally {
        await file.close();
      }
      const stamp = now.toISOString();
      // One statement for the batch (issue 13: one per event was a round trip each, a thousand in a row under load,
      // holding a pooled connection, and the export fell behind the events the hall wrote). One text whatever the
      // batch's size, so it stays one prepared statement: the ids as an array (PostgreSQL) or a JSON list (SQLite).
      const ids = rows.map((r) => r.id);
      if (store.kind === 'postgres') await tx.run('UPDATE event SET exported_at = $1 WHERE id = ANY($2::text[])', [stamp, ids]);
      else await tx.run('UPDATE event SET exported_at = $1 WHERE id IN (SELECT value FROM json_each($2))', [stamp, JSON.stringify(ids)]);
      return rows.length;
    });
    total += count;
    if (!count) return total;
  }
}

/** Gzip every day file before today (hall time); the `.jsonl.gz` replaces the `.jsonl` only once complete. */
export async function rotateEventLog(dir: string, options: { timezone: string; now?: Date }): Promise<string[]> {
  const today = localDate(options.now ?? new Date(), options.timezone);
  const rotated: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const m = DAY_FILE.exec(name);
    if (!m || m[1] >= today) continue;
    const source = path.join(dir, name);
    const target = `${source}.gz`;
    await pipeline(createReadStream(source), createGzip(), createWriteStream(`${target}.tmp`));
    await rename(`${target}.tmp`, target);
    await rm(source);
    rotated.push(path.basename(target));
  }
  return rotated;
}
