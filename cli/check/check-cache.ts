import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writevSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { DocumentKind } from '../validate/schemas.ts';
import type { Catalog } from '../model/catalog.ts';

/** One remembered result: the hash of everything it was computed from, and the result, encoded (see `encode`). */
interface Entry {
  key: string;
  data: Buffer;
}

/** What a cache file holds: the toolchain it was made by, and one entry per file. */
interface Blob {
  toolchain: string;
  entries: Map<string, Entry>;
}

/** What was loaded of one cache (base file + log), and how large its files are on disk. */
interface Loaded extends Blob {
  /** Whether the base file was read for this toolchain: only then may a save append to its log. */
  fromDisk: boolean;
  baseBytes: number;
  logBytes: number;
  /** Whether the whole log was read: after a record cut short or damaged, appending would go unread. */
  logWhole: boolean;
}

/** A file that parsed without a finding and is valid against the schema of its kind. */
export interface CleanFile {
  kind: DocumentKind;
  value: Record<string, unknown>;
  /** A service's runtime fingerprint (a function of its value alone), so an unchanged one is not hashed again. */
  fingerprint?: string;
}

const hashOf = (...parts: (string | Uint8Array)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};

/** The first bytes of a base file in this format (the v8-serialized blob before it is read as nothing). */
const MAGIC = Buffer.from('hallcc2\n', 'latin1');
/** An entry's first byte: how the rest of it is encoded. */
const JSON_TAG = 0x4a; // 'J'
const V8_TAG = 0x56; // 'V'
/** A log is folded into its base file once it is this large relative to it (or past LOG_MIN bytes on a small base). */
const LOG_SHARE = 0.25;
const LOG_MIN = 1 << 20;

/**
 * Whether JSON gives `value` back exactly: plain objects and arrays of finite numbers (not -0), strings,
 * booleans and null, no undefined members, no `__proto__` key. JSON.parse reads such data several times
 * faster than v8's deserializer; anything else (an infinity, a date) is kept with v8's serializer.
 */
function jsonExact(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) if (!(i in value) || !jsonExact(value[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key of Object.keys(value)) if (key === '__proto__' || !jsonExact((value as Record<string, unknown>)[key])) return false;
  return true;
}

/** Exported for tests: how an entry is stored. */
export function encode(value: unknown): Buffer {
  // One allocation for the common case ('J' is JSON_TAG): a cold build encodes a province's every file.
  return jsonExact(value) ? Buffer.from(`J${JSON.stringify(value)}`, 'utf8') : Buffer.concat([Buffer.of(V8_TAG), serialize(value)]);
}

/** A fresh copy of an encoded value (nothing downstream can alter the cache). */
export function decode(data: Buffer): unknown {
  return data[0] === JSON_TAG ? JSON.parse(data.toString('utf8', 1)) : deserialize(data.subarray(1));
}

/** Log records: 4 bytes of length, the sha256 of the body, the body (a v8-serialized LogRecord). */
interface LogRecord {
  toolchain: string;
  puts: [file: string, key: string, data: Uint8Array][];
  deletes: string[];
}

/**
 * The check's memory between builds (issue 16 item 2), kept in two caches under `<cacheDir>/check/`:
 * - parse: for each YAML file that parsed cleanly and is valid, its data (and a service's runtime
 *   fingerprint), under a hash of its path and bytes. Parsing and validating a file depend on nothing
 *   else, so an unchanged file is not parsed again.
 * - lint: for each service, the lint findings in its file, under a hash of its path and bytes and of
 *   everything a rule may read besides the service itself (`lintContext`). Every rule looks at one
 *   service at a time with that as context; a change of the context reaches every service and relints
 *   them all, any other change only the services whose files changed. (Resolving, which checks the
 *   references between files — departments, groups, successors, e-certificates — reads no YAML and
 *   runs in full every time.)
 * Both are keyed by a fingerprint of the toolchain (`toolchain`), so a change of parser, schemas or rules
 * starts from nothing. Each value is stored as JSON when JSON gives it back exactly (`jsonExact`), else
 * with v8's serializer (exact for every value YAML gives: infinities, nested data), and decoded afresh for
 * each use, so nothing downstream can alter the cache.
 * On disk each cache is a base file (`<name>.bin`: a header of files, keys and lengths, then the entries'
 * bytes one after another, read as views of one buffer) and a log (`<name>.log`) of the entries a build
 * changed or dropped since: a one-file change appends a few kilobytes instead of rewriting a province's
 * tens of megabytes. The log is folded into a new base when it grows past a quarter of it. A log record
 * is checked by its hash, and one cut short by a crash ends the log; since every entry is keyed by the
 * hash of what it was computed from, a lost or stale record only costs a miss, never a wrong result.
 * The result is the same as without the cache: test/compile/incremental.test.ts compares them on random edits.
 */
export class CheckCache {
  /** `<cacheDir>/check`: where this cache (and the compiled schema validators) live. */
  readonly dir: string;
  private readonly toolchain: string;
  private readonly old: { parse: Loaded; lint: Loaded };
  private readonly next = { parse: new Map<string, Entry>(), lint: new Map<string, Entry>() };
  /** How many files were parsed and services linted anew (for tests and the bench). */
  readonly misses = { parse: 0, lint: 0 };

  constructor(cacheDir: string, toolchain: string) {
    this.dir = path.join(cacheDir, 'check');
    this.toolchain = toolchain;
    this.old = { parse: this.load('parse'), lint: this.load('lint') };
  }

  private load(name: 'parse' | 'lint'): Loaded {
    const entries = new Map<string, Entry>();
    let base: Buffer;
    try {
      base = readFileSync(path.join(this.dir, `${name}.bin`));
      if (!base.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not this format');
      const headerLength = base.readUInt32LE(MAGIC.length);
      let offset = MAGIC.length + 4 + headerLength;
      const header = deserialize(base.subarray(MAGIC.length + 4, offset)) as { toolchain: string; files: string[]; keys: string[]; lengths: number[] };
      if (header.toolchain !== this.toolchain) throw new Error('another toolchain');
      for (let i = 0; i < header.files.length; i++) {
        const end = offset + header.lengths[i];
        if (end > base.length) throw new Error('cut short');
        entries.set(header.files[i], { key: header.keys[i], data: base.subarray(offset, end) });
        offset = end;
      }
    } catch {
      // No cache yet, an unreadable one or another toolchain's: start from nothing (the next save writes a base).
      return { toolchain: this.toolchain, entries: new Map(), fromDisk: false, baseBytes: 0, logBytes: 0, logWhole: true };
    }
    let log: Buffer | undefined;
    try {
      log = readFileSync(path.join(this.dir, `${name}.log`));
    } catch {
      log = undefined;
    }
    let at = 0;
    while (log && at + 36 <= log.length) {
      const length = log.readUInt32LE(at);
      const body = log.subarray(at + 36, at + 36 + length);
      if (body.length !== length || !createHash('sha256').update(body).digest().equals(log.subarray(at + 4, at + 36))) break;
      let record: LogRecord;
      try {
        record = deserialize(body) as LogRecord;
      } catch {
        break;
      }
      at += 36 + length;
      if (record.toolchain !== this.toolchain) continue;
      for (const [file, key, data] of record.puts) entries.set(file, { key, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
      for (const file of record.deletes) entries.delete(file);
    }
    return { toolchain: this.toolchain, entries, fromDisk: true, baseBytes: base.length, logBytes: log?.length ?? 0, logWhole: at === (log?.length ?? 0) };
  }

  private lookup(name: 'parse' | 'lint', file: string, key: string): Buffer | undefined {
    const entry = this.old[name].entries.get(file);
    if (entry?.key !== key) {
      this.misses[name]++;
      return undefined;
    }
    this.next[name].set(file, entry);
    return entry.data;
  }

  private store(name: 'parse' | 'lint', file: string, key: string, value: unknown): void {
    this.next[name].set(file, { key, data: encode(value) });
  }

  /** Keys already computed in this check, by the bytes read (each file's key is asked for parse and lint). */
  private readonly keys = new WeakMap<Uint8Array, { file: string; key: string }>();

  /** The hash of a file's path and bytes, computed once per check. */
  fileKey(file: string, bytes: Uint8Array): string {
    const known = this.keys.get(bytes);
    if (known?.file === file) return known.key;
    const key = hashOf(file, bytes);
    this.keys.set(bytes, { file, key });
    return key;
  }

  /** The clean parse of `file` when its bytes are those remembered. */
  parsed(file: string, bytes: Uint8Array): CleanFile | undefined {
    const data = this.lookup('parse', file, this.fileKey(file, bytes));
    return data && (decode(data) as CleanFile);
  }

  rememberParsed(file: string, bytes: Uint8Array, clean: CleanFile): void {
    this.store('parse', file, this.fileKey(file, bytes), clean);
  }

  /**
   * A key for everything a rule reads besides the service it looks at: hall.yaml's settings (the data
   * sources, audiences, person-id format …), which department codes exist (in catalog order), and the
   * judging date. Role groups and the departments' own texts are read only by rules about those files,
   * which run every time: editing roles.yaml or a department's name relints no service.
   */
  static lintContext(catalog: Pick<Catalog, 'hall' | 'departments'>, today: string): string {
    // Encoded as the cache stores values: exact, and the same bytes whether the value was just parsed or
    // decoded from the cache (v8's serializer writes an integer differently as it was held: hash unstable).
    return hashOf(today, catalog.hall ? catalog.hall.parsed.file : '', catalog.hall ? encode(catalog.hall.value) : '', ...catalog.departments.keys());
  }

  /** The lint findings of the service in `file`, when it and the context are as remembered. */
  linted(file: string, serviceKey: string): Diagnostic[] | undefined {
    const data = this.lookup('lint', file, serviceKey);
    return data && (decode(data) as Diagnostic[]);
  }

  rememberLinted(file: string, serviceKey: string, diagnostics: Diagnostic[]): void {
    this.store('lint', file, serviceKey, diagnostics);
  }

  /**
   * Write what this check used and found (entries of files that are gone are dropped): appended to the
   * log when the base file is this toolchain's and the log stays small, else as a new base file.
   */
  save(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      for (const name of ['parse', 'lint'] as const) {
        const old = this.old[name];
        const next = this.next[name];
        const puts = [...next].filter(([file, entry]) => old.entries.get(file) !== entry);
        const deletes = [...old.entries.keys()].filter((file) => !next.has(file));
        if (old.fromDisk && !puts.length && !deletes.length) continue;
        const base = path.join(this.dir, `${name}.bin`);
        const log = path.join(this.dir, `${name}.log`);
        // A log with a cut or damaged record is never appended to (what follows would go unread): a new base.
        if (old.fromDisk && old.logWhole) {
          const body = serialize({ toolchain: this.toolchain, puts: puts.map(([file, e]) => [file, e.key, e.data]), deletes } satisfies LogRecord);
          if (old.logBytes + body.length + 36 <= Math.max(LOG_MIN, old.baseBytes * LOG_SHARE)) {
            const head = Buffer.alloc(36);
            head.writeUInt32LE(body.length, 0);
            createHash('sha256').update(body).digest().copy(head, 4);
            // One write of the whole record: a crash leaves it whole or cut short (then it ends the log).
            appendFileSync(log, Buffer.concat([head, body]));
            continue;
          }
        }
        const files = [...next.keys()];
        const entries = [...next.values()];
        const header = serialize({ toolchain: this.toolchain, files, keys: entries.map((e) => e.key), lengths: entries.map((e) => e.data.length) });
        const length = Buffer.alloc(4);
        length.writeUInt32LE(header.length, 0);
        const temp = `${base}.${process.pid}.tmp`;
        const fd = openSync(temp, 'w');
        try {
          writevAll(fd, [MAGIC, length, header, ...entries.map((e) => e.data)]);
        } finally {
          closeSync(fd);
        }
        // The log belongs to the base it follows: it goes before the new base comes in.
        rmSync(log, { force: true });
        renameSync(temp, base);
      }
    } catch {
      // A cache that cannot be written only makes the next check slower.
    }
  }
}

/** Write all of `buffers` to `fd`, in batches (writev takes at most IOV_MAX buffers at once). */
function writevAll(fd: number, buffers: Uint8Array[]): void {
  for (let i = 0; i < buffers.length; i += 1024) {
    let batch = buffers.slice(i, i + 1024);
    let left = batch.reduce((sum, b) => sum + b.byteLength, 0);
    while (left > 0) {
      let written = writevSync(fd, batch);
      left -= written;
      // A short write: drop what went out and write the rest.
      while (left > 0 && written >= batch[0].byteLength) {
        written -= batch[0].byteLength;
        batch = batch.slice(1);
      }
      if (left > 0 && written > 0) batch = [batch[0].subarray(written), ...batch.slice(1)];
    }
  }
}
