import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Names a folder's log files may have: JSON Lines, plain or gzipped. */
const LOG_FILE = /\.(jsonl|ndjson)(\.gz)?$/i;
/** A line longer than this is not an event; it is skipped (and reported) instead of filling memory. */
export const MAX_LINE_BYTES = 1 << 20;

export interface EventFile {
  path: string;
  /** Bytes on disk (compressed for gzip), for the progress bar. */
  size: number;
}

/** The log files at a path: the file itself, or every *.jsonl / *.jsonl.gz below a folder, in name order. */
export async function listEventFiles(target: string): Promise<EventFile[]> {
  const info = await stat(target);
  if (!info.isDirectory()) return [{ path: target, size: info.size }];
  const names = (await readdir(target, { recursive: true })).filter((n) => LOG_FILE.test(n)).sort();
  const files: EventFile[] = [];
  for (const name of names) {
    const file = path.join(target, name);
    const s = await stat(file);
    if (s.isFile()) files.push({ path: file, size: s.size });
  }
  return files;
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

export interface LineSink {
  /** One line (without its line break), 1-based. Blank lines are skipped. */
  line(text: string, lineNumber: number): void;
  /** A line longer than MAX_LINE_BYTES, skipped. */
  tooLong(lineNumber: number): void;
}

/**
 * Stream one log file line by line, gunzipping when it starts with the gzip magic bytes. Lines are cut
 * on the byte 0x0A, which never occurs inside a multi-byte UTF-8 character, and decoded one at a time.
 * `onBytes` gets the bytes read from disk so far. Rejects when the file cannot be read to its end
 * (the lines before that point have been delivered).
 */
export async function readLines(file: string, sink: LineSink, onBytes?: (bytes: number) => void): Promise<void> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream: Readable = (await isGzip(file)) ? raw.pipe(createGunzip()) : raw;
  if (stream !== raw) raw.on('error', (error) => stream.destroy(error));
  let rest: Buffer | undefined;
  let skipping = false;
  let lineNumber = 0;
  const emit = (buf: Buffer, start: number, end: number) => {
    lineNumber++;
    if (skipping) {
      skipping = false;
      sink.tooLong(lineNumber);
      return;
    }
    if (end > start && buf[end - 1] === 0x0d) end--;
    if (end - start > MAX_LINE_BYTES) {
      sink.tooLong(lineNumber);
      return;
    }
    let text = buf.toString('utf8', start, end);
    if (lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() !== '') sink.line(text, lineNumber);
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf = chunk;
    if (rest) {
      buf = Buffer.concat([rest, chunk]);
      rest = undefined;
    }
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      emit(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) {
      if (buf.length - start > MAX_LINE_BYTES) {
        // Drop the overlong head; the line is reported once its end arrives.
        skipping = true;
      } else {
        rest = buf.subarray(start);
      }
    }
    onBytes?.(raw.bytesRead);
  }
  if (rest || skipping) emit(rest ?? Buffer.alloc(0), 0, rest?.length ?? 0);
}
