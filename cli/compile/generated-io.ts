import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, lstatSync, writeFileSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import type { PreviousRuntime } from './plan-runtime.ts';
import { execFileSync } from 'node:child_process';
import { sha256 } from '../../lib/shared/canonical.ts';
import { OutputIndex } from './output-index.ts';

const toPosix = (p: string) => p.split(path.sep).join('/');

/**
 * Every file below `dir`, relative and sorted; empty when the folder does not exist. Read with one
 * synchronous readdir per folder: a province's generated/ has tens of thousands of folders, and a promise
 * per folder cost a one-service build more than the listing itself.
 */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(rel ? path.join(dir, rel) : dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  walk(prefix ? toPosix(prefix) : '');
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
/** A staged folder past its commit point, being applied in place (see StagedGenerated). */
const APPLY_MARK = '.apply-';
/** The journal of an in-place commit, inside the staged folder. */
const JOURNAL = '.hall-commit.json';

/**
 * Put back what a killed build left beside `out` (same folder, names `<out>.tmp-*`, `<out>.apply-*` and
 * `<out>.old-*`): a staged folder is half-written, so it goes; an applied one is past its commit point,
 * so its journal is carried out; an old folder set aside is the committed generated/ when the build died
 * between the two renames of a whole swap (then it moves back), else a leftover that goes.
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
  // A commit that was applying in place when the build died is carried out first: it is past its commit point.
  for (const n of names.filter((n) => n.startsWith(`${base}${APPLY_MARK}`)).sort()) applyJournal(out, path.join(parent, n));
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
 * generated/ built beside itself. Files stream into `<out>.tmp-XXXX` as the build produces them (so
 * memory does not grow with the catalog); a file whose bytes equal the committed one is left where it is
 * (the same bytes, by construction — a kept version is carried byte-for-byte) and only the others are
 * written. With a `cacheDir`, an OutputIndex says which committed files still hold the bytes the last
 * build left, so those are compared (and carried) by hash without being read. Until `commit`'s commit
 * point the committed generated/ is untouched: a build killed before it leaves the old folder as it was.
 * `commit` syncs what was written, then either
 * - (most builds: a few files change) writes a journal of the files to move in and to delete, renames
 *   the staged folder to `<out>.apply-XXXX` — the commit point — and applies the journal, new files
 *   first and the manifest and deploy list last; a build killed while applying is completed by the next
 *   run (`recoverGenerated`), before it reads anything. A change of one service costs a few renames, not
 *   a link and an unlink of every file of a province's generated/;
 * - (many changes, or no generated/ yet) links the unchanged files into the staged folder and swaps it in
 *   whole: the old folder is renamed aside, the new one renamed in, the old one removed (after the aside
 *   rename, `recoverGenerated` on the next run moves it back).
 * With `check`, nothing is written: the sink only records how the folder on disk differs.
 */
export class StagedGenerated implements OutputSink {
  readonly diff: GeneratedDiff = { missing: [], changed: [], unexpected: [] };
  /** Every file produced, with the sha256 of its bytes. */
  private readonly planned = new Map<string, string>();
  /** The sha256 of each produced file's committed bytes (undefined: none), as first compared. */
  private readonly committed = new Map<string, string | undefined>();
  /** Files written into the staged folder (their bytes differ from the committed ones). */
  private readonly staged = new Set<string>();
  private readonly dirs = new Set<string>();
  /** Folders that got written files: what must be synced before the commit point. */
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
  /** How the last commit went: journal applied in place, or the whole folder swapped (for tests). */
  committedBy: 'journal' | 'swap' | undefined;
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
    this.planned.set(rel, hash);
    this.committed.set(rel, hash);
    this.index!.keep(rel);
    this.carried++;
    return true;
  }

  set(rel: string, content: string): void {
    const bytes = Buffer.from(content, 'utf8');
    const hash = sha256(bytes);
    const committed = path.join(this.out, rel);
    // The committed file's hash: from the index when it vouches for the file, else from its bytes.
    let oldHash: string | undefined;
    let vouched = false;
    if (this.committed.has(rel)) {
      oldHash = this.committed.get(rel);
    } else {
      oldHash = this.index?.hashOf(rel);
      vouched = oldHash !== undefined;
      if (oldHash === undefined) {
        const old = readBytes(committed);
        oldHash = old === undefined ? undefined : sha256(old);
      }
      this.committed.set(rel, oldHash);
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
    if (this.staged.delete(rel)) rmSync(target, { force: true });
    if (oldHash === hash) {
      // The committed file stays where it is.
      if (vouched) this.index?.keep(rel);
      else this.index?.stamp(rel, committed, hash);
      return;
    }
    this.written.add(this.placeDir(target));
    writeFileSync(target, bytes);
    this.index?.stamp(rel, target, hash);
    this.staged.add(rel);
  }

  get(rel: string): string | undefined {
    if (!this.planned.has(rel)) return undefined;
    if (this.staged.has(rel)) return readFileSync(path.join(this.stage!, rel), 'utf8');
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

  /** Make generated/ what this build produced (see the class comment). */
  async commit(): Promise<GeneratedDiff> {
    if (!this.stage) throw new Error('a --check build has nothing to commit');
    const diff = await this.finish();
    const moves = this.staged.size + diff.unexpected.length;
    const inPlace = existsSync(this.out) && moves <= Math.max(JOURNAL_MOVES, this.planned.size / 10) && [...this.staged].every((rel) => fitsInPlace(this.out, rel));
    if (inPlace) this.applyInPlace(diff.unexpected);
    else this.swap();
    this.index?.save();
    return diff;
  }

  private applyInPlace(deletes: string[]): void {
    const stage = this.stage!;
    // New files first, changed ones next, the files that name others (manifest, deploy list) last: a
    // reader of a folder caught mid-way meets the old manifest over files that all exist.
    const rank = (rel: string) => (LAST.has(rel) ? 2 : this.committed.get(rel) === undefined ? 0 : 1);
    const writes = [...this.staged].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    const journal = path.join(stage, JOURNAL);
    writeFileSync(journal, JSON.stringify({ writes, deletes } satisfies Journal));
    syncTree(stage, [...writes.map((rel) => path.join(stage, rel)), journal], this.written);
    fsyncDir(stage);
    const apply = `${this.out}${APPLY_MARK}${path.basename(stage).slice(path.basename(this.out).length + STAGE_MARK.length)}`;
    renameSync(stage, apply);
    fsyncDir(path.dirname(this.out));
    applyJournal(this.out, apply);
    this.committedBy = 'journal';
  }

  private swap(): void {
    const stage = this.stage!;
    // Unchanged files join the staged folder as hard links (a copy where links are not possible).
    for (const rel of this.planned.keys()) {
      if (this.staged.has(rel)) continue;
      const target = path.join(stage, rel);
      this.placeDir(target);
      try {
        linkSync(path.join(this.out, rel), target);
      } catch {
        writeFileSync(target, readFileSync(path.join(this.out, rel)));
        this.index?.stamp(rel, target, this.planned.get(rel)!);
        this.written.add(path.dirname(target));
      }
    }
    // Written files and their folders are made durable before the swap (a linked file's bytes are
    // already on disk): one syncfs where it exists.
    syncTree(stage, [...this.staged].map((rel) => path.join(stage, rel)), this.written);
    fsyncDir(stage);
    const parent = path.dirname(this.out);
    const aside = existsSync(this.out) ? `${this.out}${ASIDE_MARK}${path.basename(stage).slice(path.basename(this.out).length + STAGE_MARK.length)}` : undefined;
    if (aside) renameSync(this.out, aside);
    renameSync(stage, this.out);
    fsyncDir(parent);
    if (aside) rmSync(aside, { recursive: true, force: true });
    this.committedBy = 'swap';
  }

  /** Drop the staged folder: the committed generated/ stays as it was. */
  discard(): void {
    if (this.stage) rmSync(this.stage, { recursive: true, force: true });
  }
}

/** At most this many files moved or deleted in place (or a tenth of the folder, if more); beyond, the folder is swapped whole. */
const JOURNAL_MOVES = 256;
/** The files that name other files of generated/: moved in last. */
const LAST = new Set(['runtime/manifest.json', 'bpmn/deploy.json']);

/** What a commit applies in place: files to move from the applied folder into generated/, then files to delete. */
interface Journal {
  writes: string[];
  deletes: string[];
}

/** Whether `rel` can be renamed into `out` in place: no folder where the file goes, no file where a folder of its path goes. */
function fitsInPlace(out: string, rel: string): boolean {
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) {
    let stat;
    try {
      stat = lstatSync(path.join(out, ...parts.slice(0, i)));
    } catch {
      return true;
    }
    if (i < parts.length ? !stat.isDirectory() : stat.isDirectory()) return false;
  }
  return true;
}

/**
 * Carry out a committed journal: move each written file from `apply` into `out` (one not in `apply` any
 * more was moved already), delete the files the build no longer produces (and folders they leave empty),
 * then remove `apply`. Safe to run again after it was interrupted.
 */
function applyJournal(out: string, apply: string): void {
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(path.join(apply, JOURNAL), 'utf8')) as Journal;
  } catch {
    // Renamed only after its journal was synced: an applied folder without one is not ours to apply.
    rmSync(apply, { recursive: true, force: true });
    return;
  }
  const dirs = new Set<string>();
  for (const rel of journal.writes) {
    const target = path.join(out, rel);
    if (!existsSync(path.join(apply, rel))) continue;
    const dir = path.dirname(target);
    if (!dirs.has(dir)) mkdirSync(dir, { recursive: true });
    dirs.add(dir);
    renameSync(path.join(apply, rel), target);
  }
  const root = path.resolve(out);
  for (const rel of journal.deletes) {
    rmSync(path.join(out, rel), { force: true });
    // Folders the deletion left empty go too, as they would in a folder built afresh.
    for (let dir = path.dirname(path.resolve(out, rel)); dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
      try {
        if (readdirSync(dir).length) break;
        rmSync(dir, { recursive: true, force: true });
      } catch {
        break;
      }
      dirs.add(path.dirname(dir));
    }
  }
  syncTree(out, [], dirs);
  rmSync(apply, { recursive: true, force: true });
  fsyncDir(path.dirname(out));
}
