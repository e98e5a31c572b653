import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import type { PreviousRuntime } from './plan-runtime.ts';

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

/** The committed generated/runtime/: its manifest (if valid JSON) and its files. */
export async function readPreviousRuntime(runtimeDir: string): Promise<PreviousRuntime> {
  const files = new Map<string, string>();
  for (const rel of await listFiles(runtimeDir)) files.set(rel, await readFile(path.join(runtimeDir, rel), 'utf8'));
  let manifest: RuntimeManifest | undefined;
  try {
    manifest = JSON.parse(files.get('manifest.json') ?? 'null') ?? undefined;
  } catch {
    manifest = undefined;
  }
  return { manifest, read: (file) => files.get(file) };
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
