import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { sha256 } from '../../lib/shared/canonical.ts';

/** What the index remembers of one file of generated/: where it was on disk, and the hash of its bytes. */
interface Stamp {
  ino: number;
  size: number;
  mtimeMs: number;
  sha256: string;
}

interface Stored {
  format: 1;
  /** The generated/ folder (absolute) the stamps are about. */
  out: string;
  /** When the index was written: a stamp whose mtime is this close to it is not trusted (see `trusted`). */
  savedAt: number;
  files: Map<string, Stamp>;
  /** Small facts derived from an input hash (which files a BPMN compile produced, and their hashes). */
  memo: Map<string, string>;
}

/**
 * A file of generated/ written within this many milliseconds of the index is hashed again on the next
 * build: file times advance in coarse ticks, so an edit right after a build could keep the time (git's
 * "racy clean" problem).
 */
const RACY_MS = 50;

/**
 * The build's manifest of its own outputs (issue 16 item 2): for every file of the committed generated/,
 * the inode, size and modification time it had when the build wrote (or linked) it, and the sha256 of its
 * bytes. The next build asks `hashOf(rel)` instead of reading the file: when the file still has the same
 * inode, size and time, it holds the same bytes (as git's index and make assume); any edit — by hand, by
 * git, by a copy — gives a new time or a new inode, and the file is read again. Beside it, `memo` keeps
 * what an input hash produced (the files of a BPMN version), so an unchanged version's outputs are linked
 * without reading the compile cache either. Kept under the build's cache folder, one per generated/
 * folder; a missing or unreadable index only means every file is read.
 */
export class OutputIndex {
  private readonly file: string;
  private readonly out: string;
  private readonly old: Stored | undefined;
  private readonly files = new Map<string, Stamp>();
  private readonly memoNext = new Map<string, string>();

  constructor(cacheDir: string, out: string) {
    this.out = path.resolve(out);
    this.file = path.join(cacheDir, 'outputs', `${sha256(this.out).slice(0, 32)}.bin`);
    try {
      const stored = deserialize(readFileSync(this.file)) as Stored;
      if (stored.format === 1 && stored.out === this.out && stored.files instanceof Map && stored.memo instanceof Map) this.old = stored;
    } catch {
      this.old = undefined;
    }
  }

  /** The sha256 of the committed `rel` when its stamp says it is the file the last build left, else undefined. */
  hashOf(rel: string): string | undefined {
    const stamp = this.old?.files.get(rel);
    if (!stamp || stamp.mtimeMs + RACY_MS > this.old!.savedAt) return undefined;
    try {
      const now = lstatSync(path.join(this.out, rel), { bigint: false });
      return now.isFile() && now.ino === stamp.ino && now.size === stamp.size && now.mtimeMs === stamp.mtimeMs ? stamp.sha256 : undefined;
    } catch {
      return undefined;
    }
  }

  /** Keep the stamp of `rel`, a committed file this build leaves in place (after `hashOf` vouched for it). */
  keep(rel: string): void {
    const stamp = this.old?.files.get(rel);
    if (stamp) this.files.set(rel, stamp);
  }

  /** Record the file just placed at `abs` (in the staged folder, which becomes `out/rel`; or `out/rel` itself) with its bytes' hash. */
  stamp(rel: string, abs: string, hash: string): void {
    try {
      const s = lstatSync(abs);
      this.files.set(rel, { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, sha256: hash });
    } catch {
      this.files.delete(rel);
    }
  }

  recall(key: string): string | undefined {
    const value = this.memoNext.get(key) ?? this.old?.memo.get(key);
    if (value !== undefined) this.memoNext.set(key, value);
    return value;
  }

  remember(key: string, value: string): void {
    this.memoNext.set(key, value);
  }

  /** Write the index of the folder just committed (stamps of files of this build only, memo entries used by it). */
  save(): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const stored: Stored = { format: 1, out: this.out, savedAt: Date.now(), files: this.files, memo: this.memoNext };
      writeFileSync(`${this.file}.${process.pid}.tmp`, serialize(stored));
      renameSync(`${this.file}.${process.pid}.tmp`, this.file);
    } catch {
      // An index that cannot be written only makes the next build read its outputs again.
    }
  }
}
