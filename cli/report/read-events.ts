import { isUtf8 } from 'node:buffer';
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

/** A symbolic link that leads back into a folder above it (or to itself): not followed. */
export interface SymlinkLoop {
  /** The link, as reached from the folder given. */
  link: string;
  /** The folder it leads back to (the link itself when it points at itself). */
  target: string;
}

export interface EventFiles {
  files: EventFile[];
  loops: SymlinkLoop[];
}

/**
 * The log files at a path: the file itself, or every *.jsonl / *.jsonl.gz below a folder, in name order.
 * Symbolic links are followed, each folder and each file at most once (by device and inode): a link back
 * into a folder above it is a loop, recorded and not followed, so a looping folder is still read whole.
 * Rejects (with the `fs` error's code) only when `target` itself cannot be read.
 */
export async function findEventFiles(target: string): Promise<EventFiles> {
  const info = await stat(target);
  if (!info.isDirectory()) return { files: [{ path: target, size: info.size }], loops: [] };
  const found: { rel: string; file: EventFile }[] = [];
  const loops: SymlinkLoop[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const id = (s: { dev: number; ino: number }) => `${s.dev}:${s.ino}`;
  const walk = async (dir: string, rel: string, ancestors: Map<string, string>) => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(dir, entry.name);
      const relName = rel ? path.join(rel, entry.name) : entry.name;
      if (!entry.isDirectory() && !entry.isFile() && !entry.isSymbolicLink()) continue;
      let s;
      try {
        s = await stat(full);
      } catch (error) {
        // A link to itself (or a chain longer than the system allows) cannot be resolved at all.
        if ((error as NodeJS.ErrnoException).code === 'ELOOP') loops.push({ link: relName, target: relName });
        continue; // a dangling link names nothing to read
      }
      if (s.isDirectory()) {
        const key = id(s);
        const above = ancestors.get(key);
        if (above !== undefined) {
          loops.push({ link: relName, target: above || '.' });
          continue;
        }
        if (seenDirs.has(key)) continue; // a second link to a folder already read
        seenDirs.add(key);
        await walk(full, relName, new Map([...ancestors, [key, relName]]));
      } else if (s.isFile() && LOG_FILE.test(entry.name)) {
        const key = id(s);
        if (seenFiles.has(key)) continue; // the same file reached by a second link is read once
        seenFiles.add(key);
        found.push({ rel: relName, file: { path: full, size: s.size } });
      }
    }
  };
  const root = id(info);
  seenDirs.add(root);
  await walk(target, '', new Map([[root, '']]));
  found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { files: found.map((f) => f.file), loops };
}

/** The log files at a path (see findEventFiles), without the loops. */
export async function listEventFiles(target: string): Promise<EventFile[]> {
  return (await findEventFiles(target)).files;
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
  /** One line (without its line break), 1-based. */
  line(text: string, lineNumber: number): void;
  /** A line longer than MAX_LINE_BYTES, skipped. */
  tooLong(lineNumber: number): void;
  /** An empty or whitespace-only line, skipped. */
  blank(lineNumber: number): void;
  /** A line that is not valid UTF-8; `column` is the 1-based character where decoding first fails. */
  badUtf8(lineNumber: number, column: number): void;
  /**
   * Optional: offered the bytes of a line (line break and CR cut off, known to be UTF-8, never the first
   * line, which may start with a BOM) before it is decoded. Returning true means it was read; false sends
   * it on to `line` (or `blank`) as usual.
   */
  bytes?(buf: Buffer, start: number, end: number, lineNumber: number): boolean;
}

/** Where a file stopped being readable: the line that broke off and the (decompressed) byte offset. */
export class ReadBreak extends Error {
  readonly line: number;
  readonly byte: number;
  readonly code: string;
  constructor(cause: NodeJS.ErrnoException, line: number, byte: number) {
    super(cause.message, { cause });
    this.line = line;
    this.byte = byte;
    this.code = typeof cause.code === 'string' ? cause.code : 'EIO';
  }
}

/**
 * Stream one log file line by line, gunzipping when it starts with the gzip magic bytes. Lines are cut
 * on the byte 0x0A, which never occurs inside a multi-byte UTF-8 character, and decoded one at a time;
 * a line whose bytes are not UTF-8 goes to `badUtf8`, never through as U+FFFD. `onBytes` gets the bytes
 * read from disk so far. Rejects with a ReadBreak when the file cannot be read to its end (the lines
 * before that point have been delivered; a partial last line is not).
 */
export async function readLines(file: string, sink: LineSink, onBytes?: (bytes: number) => void): Promise<void> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream: Readable = (await isGzip(file)) ? raw.pipe(createGunzip()) : raw;
  if (stream !== raw) raw.on('error', (error) => stream.destroy(error));
  let rest: Buffer | undefined;
  let skipping = false;
  let lineNumber = 0;
  /** Decompressed bytes received, and those before the line being cut. */
  let received = 0;
  let lineStart = 0;
  const bytes = sink.bytes?.bind(sink);
  const emit = (buf: Buffer, start: number, end: number, utf8 = false) => {
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
    if (end === start) {
      sink.blank(lineNumber);
      return;
    }
    if (utf8 && bytes && lineNumber !== 1 && bytes(buf, start, end, lineNumber)) return;
    let text = buf.toString('utf8', start, end);
    // Decoding turns bad bytes into U+FFFD; a real U+FFFD in the text is valid UTF-8, so ask the bytes.
    const replaced = text.indexOf('\ufffd');
    if (replaced !== -1 && !isUtf8(buf.subarray(start, end))) {
      sink.badUtf8(lineNumber, replaced + 1);
      return;
    }
    if (lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() === '') sink.blank(lineNumber);
    else sink.line(text, lineNumber);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const base = received;
      received += chunk.length;
      let start = 0;
      if (rest || skipping) {
        // Finish the line begun in an earlier chunk: join only its two parts, never the whole chunk.
        const nl = chunk.indexOf(10);
        if (nl === -1) {
          if (skipping || rest!.length + chunk.length > MAX_LINE_BYTES) {
            rest = undefined;
            skipping = true;
          } else rest = Buffer.concat([rest!, chunk]);
          onBytes?.(raw.bytesRead);
          continue;
        }
        if (skipping || rest!.length + nl > MAX_LINE_BYTES) {
          rest = undefined;
          skipping = true;
          emit(chunk, 0, 0);
        } else {
          const line = Buffer.concat([rest!, chunk.subarray(0, nl)]);
          rest = undefined;
          emit(line, 0, line.length);
        }
        start = nl + 1;
        lineStart = base + start;
      }
      // The whole lines of this chunk, checked as UTF-8 at once (a multi-byte character never holds the
      // byte 0x0A): when they are, each is offered to `bytes` without checking it again.
      const last = bytes ? chunk.lastIndexOf(10) : -1;
      const utf8 = last > start && isUtf8(chunk.subarray(start, last));
      for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
        emit(chunk, start, nl, utf8);
        start = nl + 1;
        lineStart = base + start;
      }
      if (start < chunk.length) {
        if (chunk.length - start > MAX_LINE_BYTES) {
          // Drop the overlong head; the line is reported once its end arrives.
          skipping = true;
        } else {
          rest = chunk.subarray(start);
        }
      }
      onBytes?.(raw.bytesRead);
    }
  } catch (error) {
    // Read and gunzip errors carry a code; anything else came from the sink and is not the file's fault.
    if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw new ReadBreak(error as NodeJS.ErrnoException, lineNumber + 1, lineStart);
  }
  if (rest || skipping) emit(rest ?? Buffer.alloc(0), 0, rest?.length ?? 0);
}
