import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type { ReadStream } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The upload went past its limit while it was streaming; nothing of it is kept. */
export class TooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`larger than ${limit} bytes`);
    this.name = 'TooLargeError';
    this.limit = limit;
  }
}

/** An upload written to the staging folder, fsynced, not yet visible under its hash. */
export interface Staged {
  path: string;
  sha256: string;
  size: number;
}

/** Temporary files older than this are left over from killed uploads and are removed at start. */
const STALE_MS = 3600_000;

/**
 * Content-addressed file storage: a file lives at `<root>/<h0h1>/<h2h3>/<sha256>`, so identical content is
 * stored once however often it is uploaded. An upload streams to `<root>/tmp/` (counted and hashed on the
 * way, cut off at its limit), is fsynced, and only then renamed to its hash path — rename is atomic on one
 * file system, so a killed upload never leaves a half file where a reader looks. Files are never changed
 * once stored; several `hall serve` processes may share the folder (a shared volume).
 */
export class FileStore {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /** Open (creating) the folder and clear temporary files left by uploads that were killed long ago. */
  static async open(root: string): Promise<FileStore> {
    const store = new FileStore(path.resolve(root));
    await mkdir(store.tmp, { recursive: true });
    const now = Date.now();
    for (const name of await readdir(store.tmp)) {
      const file = path.join(store.tmp, name);
      const info = await stat(file).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_MS) await rm(file, { force: true });
    }
    return store;
  }

  private get tmp(): string {
    return path.join(this.root, 'tmp');
  }

  /** Where content with this sha256 lives. */
  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * Stream `source` into a new temporary file, hashing and counting as it goes; past `limit` bytes the
   * stream is abandoned, the temporary file removed, and TooLargeError thrown — the body is never held in memory.
   * A source the multipart parser cut short (`truncated`) is refused the same way.
   */
  async stage(source: Readable, limit: number): Promise<Staged> {
    const file = path.join(this.tmp, `${randomBytes(12).toString('hex')}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > limit) return done(new TooLargeError(limit));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(file, { flags: 'wx' }));
      // A multipart parser stops a part at its own size cap and marks the stream `truncated` instead of failing
      // it: what arrived is not the whole file, so it is refused as too large here, once for every caller.
      if ((source as Readable & { truncated?: boolean }).truncated) throw new TooLargeError(limit);
      const handle = await open(file, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
    return { path: file, sha256: hash.digest('hex'), size };
  }

  /** Make a staged file visible under its hash (once: identical content already stored is kept, the copy dropped). */
  async commit(staged: Staged): Promise<string> {
    const target = this.pathOf(staged.sha256);
    if (await exists(target)) {
      await rm(staged.path, { force: true });
      return target;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await rename(staged.path, target);
    await syncDirectory(path.dirname(target));
    return target;
  }

  /** Drop a staged file that was refused. */
  async discard(staged: Staged): Promise<void> {
    await rm(staged.path, { force: true });
  }

  /** Delete stored content (its last attachment passed its retention period); a missing file is not an error. */
  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** A stream of stored content, or undefined when the file is missing (a restore without the files folder). */
  async read(sha256: string): Promise<ReadStream | undefined> {
    const file = this.pathOf(sha256);
    if (!(await exists(file))) return undefined;
    return createReadStream(file);
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** fsync a directory so the rename that made a file visible survives a power cut. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
