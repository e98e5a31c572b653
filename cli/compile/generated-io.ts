import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, lstatSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import type { PreviousRuntime } from './plan-runtime.ts';
import { execFileSync } from 'node:child_process';
import { sha256 } from '../../lib/shared/canonical.ts';
import { OutputIndex } from './output-index.ts';

const toPosix = (p: string) => p.split(path.sep).join('/');

/** Every file below `dir`, relative and sorted; empty when the folder does not exist. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (e.isFile()) out.push(toPosix(rel));
  }
  return out.sort();
}

/**
 * The committed generated/runtime/: its manifest (if valid JSON), and its files read when asked for
 * (a province's kept versions do not all fit in memory at once).
 */
export async function readPreviousRuntime(runtimeDir: string): Promise<PreviousRuntime> {
  let manifest: RuntimeManifest | undefined;
  try {
    manifest = JSON.parse(await readFile(path.join(runtimeDir, 'manifest.json'), 'utf8')) ?? undefined;
  } catch {
    manifest = undefined;
  }
  const root = path.resolve(runtimeDir);
  return {
    manifest,
    read: (file) => {
      // A manifest names its files; one that points outside runtime/ is not read.
      const abs = path.resolve(root, file);
      if (!abs.startsWith(root + path.sep) || file.includes('\\')) return undefined;
      try {
        return lstatSync(abs).isFile() ? readFileSync(abs, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export interface GeneratedDiff {
  missing: string[];
  changed: string[];
  unexpected: string[];
}

/** Compare planned outputs with the folder on disk. */
export async function diffGenerated(dir: string, planned: Map<string, string>): Promise<GeneratedDiff> {
  const onDisk = new Set(await listFiles(dir));
  const diff: GeneratedDiff = { missing: [], changed: [], unexpected: [] };
  for (const [rel, content] of [...planned].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!onDisk.has(rel)) diff.missing.push(rel);
    else if ((await readFile(path.join(dir, rel), 'utf8')) !== content) diff.changed.push(rel);
  }
  for (const rel of onDisk) if (!planned.has(rel)) diff.unexpected.push(rel);
  return diff;
}

/**
 * Write planned outputs: each file atomically (temp file + rename), only when its bytes differ, then
 * remove files the build no longer produces. Everything is computed before this runs, so a bad catalog
 * never leaves a half-written folder.
 */
export async function writeGenerated(dir: string, planned: Map<string, string>): Promise<GeneratedDiff> {
  const diff = await diffGenerated(dir, planned);
  for (const rel of [...diff.missing, ...diff.changed]) {
    const target = path.join(dir, rel);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.tmp-${process.pid}`;
    await writeFile(temp, planned.get(rel)!);
    await rename(temp, target);
  }
  for (const rel of diff.unexpected) await rm(path.join(dir, rel));
  await removeEmptyDirs(dir);
  return diff;
}

async function removeEmptyDirs(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let empty = true;
  for (const e of entries) {
    if (e.isDirectory()) {
      if (await removeEmptyDirs(path.join(dir, e.name))) await rm(path.join(dir, e.name), { recursive: true });
      else empty = false;
    } else empty = false;
  }
  return empty;
}

/** Where a build puts its files: a Map (in memory, for tests) or a staged folder on disk. */
export interface OutputSink {
  set(rel: string, content: string): unknown;
  get(rel: string): string | undefined;
  /**
   * Put the committed file `rel` in place unread when its bytes are known (by the output index) to hash
   * to `sha256`; false when they are not known to, and the caller produces the bytes with `set`.
   */
  carry?(rel: string, sha256: string): boolean;
  /** The sha256 of a file already produced, when the sink knows it without reading. */
  hashOf?(rel: string): string | undefined;
  /** Facts remembered between builds under an input hash (see OutputIndex.memo). */
  memo?: { recall(key: string): string | undefined; remember(key: string, value: string): void };
}

/** `sink` seen from a subfolder: `set('a', …)` lands at `<prefix>a`. */
export function under(sink: OutputSink, prefix: string): OutputSink {
  return {
    set: (rel, content) => sink.set(`${prefix}${rel}`, content),
    get: (rel) => sink.get(`${prefix}${rel}`),
    ...(sink.carry ? { carry: (rel: string, hash: string) => sink.carry!(`${prefix}${rel}`, hash) } : {}),
    ...(sink.hashOf ? { hashOf: (rel: string) => sink.hashOf!(`${prefix}${rel}`) } : {}),
    ...(sink.memo ? { memo: sink.memo } : {}),
  };
}

const STAGE_MARK = '.tmp-';
const ASIDE_MARK = '.old-';

/**
 * Put back what a killed build left beside `out` (same folder, names `<out>.tmp-*` and `<out>.old-*`):
 * a staged folder is half-written, so it goes; an old folder set aside is the committed generated/
 * when the build died between the two renames (then it moves back), else a leftover that goes.
 */
export function recoverGenerated(out: string): void {
  const parent = path.dirname(out);
  const base = path.basename(out);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  const asides = names.filter((n) => n.startsWith(`${base}${ASIDE_MARK}`)).sort();
  const stages = names.filter((n) => n.startsWith(`${base}${STAGE_MARK}`));
  if (asides.length && !existsSync(out)) {
    renameSync(path.join(parent, asides[0]), out);
    asides.shift();
    fsyncDir(parent);
  }
  for (const n of [...asides, ...stages]) rmSync(path.join(parent, n), { recursive: true, force: true });
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not every file system lets a folder be synced; the renames are still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readBytes(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Make everything written below `dir` durable. One syncfs(2) (`sync -f`, GNU coreutils) flushes the whole
 * staged folder in one journal commit; where that is not available, each written file and folder is
 * synced on its own (the same guarantee, thousands of commits: at 1,000 services that was a fifth of a
 * cold build).
 */
function syncTree(dir: string, files: Iterable<string>, dirs: Iterable<string>): void {
  try {
    execFileSync('sync', ['-f', dir], { stdio: 'ignore' });
    return;
  } catch {
    // No coreutils sync here: sync one by one.
  }
  for (const file of files) fsyncFile(file);
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) fsyncDir(d);
}

function fsyncFile(file: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    fsyncSync(fd);
  } catch {
    // A file that cannot be synced is still renamed in atomically.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * generated/ built beside itself and swapped in whole. Files stream into `<out>.tmp-XXXX` as the build
 * produces them (so memory does not grow with the catalog); a file whose bytes equal the committed one
 * is hard-linked from it (the same bytes, by construction — a kept version is carried byte-for-byte),
 * any other is written. With a `cacheDir`, an OutputIndex says which committed files still hold the bytes
 * the last build left, so those are compared (and carried) by hash without being read. `commit` then
 * syncs the staged folder and swaps: the old folder is renamed aside, the new one renamed in, the old one
 * removed. Until the first rename the committed generated/ is untouched; a build killed at any point
 * leaves either it or the complete new one (after the aside rename, `recoverGenerated` on the next run
 * moves it back). With `check`, nothing is written: the sink only records how the folder on disk differs.
 */
export class StagedGenerated implements OutputSink {
  readonly diff: GeneratedDiff = { missing: [], changed: [], unexpected: [] };
  /** Every file produced, with the sha256 of its bytes. */
  private readonly planned = new Map<string, string>();
  private readonly dirs = new Set<string>();
  /** Files written (not linked) into the staged folder, and their folders: what must be synced before the swap. */
  private readonly writtenFiles: string[] = [];
  private readonly written = new Set<string>();
  /** --check: files that differ from the folder on disk (the others are read from it). */
  private readonly differing = new Map<string, string>();
  private readonly index: OutputIndex | undefined;
  readonly out: string;
  /** The staged folder; none with --check. */
  readonly stage: string | undefined;
  readonly memo: OutputSink['memo'];
  /** How many files were carried over unread on the output index's word (for tests and the bench). */
  carried = 0;
  private constructor(out: string, stage: string | undefined, index: OutputIndex | undefined) {
    this.out = out;
    this.stage = stage;
    this.index = index;
    this.memo = index;
  }

  /** Recover leftovers of a killed build and start a staged folder beside `out` (none with `check`). */
  static open(out: string, options: { check?: boolean; cacheDir?: string } = {}): StagedGenerated {
    recoverGenerated(out);
    if (options.check) return new StagedGenerated(out, undefined, undefined);
    mkdirSync(path.dirname(out), { recursive: true });
    const stage = mkdtempSync(`${out}${STAGE_MARK}`);
    return new StagedGenerated(out, stage, options.cacheDir ? new OutputIndex(options.cacheDir, out) : undefined);
  }

  get size(): number {
    return this.planned.size;
  }

  hashOf(rel: string): string | undefined {
    return this.planned.get(rel);
  }

  private placeDir(target: string): string {
    const dir = path.dirname(target);
    if (!this.dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    return dir;
  }

  carry(rel: string, hash: string): boolean {
    if (!this.stage || this.planned.has(rel) || this.index?.hashOf(rel) !== hash) return false;
    const target = path.join(this.stage, rel);
    this.placeDir(target);
    try {
      linkSync(path.join(this.out, rel), target);
    } catch {
      return false;
    }
    this.planned.set(rel, hash);
    this.index!.stamp(rel, target, hash);
    this.carried++;
    return true;
  }

  set(rel: string, content: string): void {
    const bytes = Buffer.from(content, 'utf8');
    const hash = sha256(bytes);
    const committed = path.join(this.out, rel);
    const again = this.planned.has(rel);
    // The committed file's hash: from the index when it vouches for the file, else from its bytes.
    let oldHash: string | undefined;
    if (!again) {
      oldHash = this.index?.hashOf(rel);
      if (oldHash === undefined) {
        const old = readBytes(committed);
        oldHash = old === undefined ? undefined : sha256(old);
      }
      if (oldHash === undefined) this.diff.missing.push(rel);
      else if (oldHash !== hash) this.diff.changed.push(rel);
    }
    this.planned.set(rel, hash);
    if (!this.stage) {
      if (oldHash !== hash) this.differing.set(rel, content);
      else this.differing.delete(rel);
      return;
    }
    const target = path.join(this.stage, rel);
    const dir = this.placeDir(target);
    if (again) rmSync(target, { force: true });
    if (oldHash === hash) {
      try {
        linkSync(committed, target);
        this.index?.stamp(rel, target, hash);
        return;
      } catch {
        // No hard links here (another file system, or none at all): write a copy.
      }
    }
    writeFileSync(target, bytes);
    this.index?.stamp(rel, target, hash);
    this.writtenFiles.push(target);
    this.written.add(dir);
  }

  get(rel: string): string | undefined {
    if (!this.planned.has(rel)) return undefined;
    if (this.stage) return readFileSync(path.join(this.stage, rel), 'utf8');
    return this.differing.get(rel) ?? readFileSync(path.join(this.out, rel), 'utf8');
  }

  /** Files in the committed folder this build did not produce, sorted; fills `diff.unexpected`. */
  async finish(): Promise<GeneratedDiff> {
    const sort = (xs: string[]) => xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.diff.unexpected = (await listFiles(this.out)).filter((rel) => !this.planned.has(rel));
    sort(this.diff.missing);
    sort(this.diff.changed);
    return this.diff;
  }

  /** Swap the staged folder in (see the class comment). */
  async commit(): Promise<GeneratedDiff> {
    if (!this.stage) throw new Error('a --check build has nothing to commit');
    const diff = await this.finish();
    // Written files and their folders are made durable before the swap (a linked file's bytes are
    // already on disk): one syncfs where it exists.
    syncTree(this.stage, this.writtenFiles, this.written);
    fsyncDir(this.stage);
    const parent = path.dirname(this.out);
    const aside = existsSync(this.out) ? `${this.out}${ASIDE_MARK}${path.basename(this.stage).slice(path.basename(this.out).length + STAGE_MARK.length)}` : undefined;
    if (aside) renameSync(this.out, aside);
    renameSync(this.stage, this.out);
    fsyncDir(parent);
    if (aside) rmSync(aside, { recursive: true, force: true });
    this.index?.save();
    return diff;
  }

  /** Drop the staged folder: the committed generated/ stays as it was. */
  discard(): void {
    if (this.stage) rmSync(this.stage, { recursive: true, force: true });
  }
}
