import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '../../lib/shared/canonical.ts';
import { TOOLCHAIN_ROOT } from '../shared/paths.ts';

/** A content-addressed store of compiled outputs: the key is a hash of everything the output depends on. */
export interface Cache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** A cache that remembers nothing (`hall build --no-cache`, and pure tests). */
export const NO_CACHE: Cache = { get: () => undefined, set: () => {} };

/** Default place: node_modules/.cache/servicehall, the usual home of tool caches; never committed. */
export const DEFAULT_CACHE_DIR = path.join(TOOLCHAIN_ROOT, 'node_modules/.cache/servicehall');

/** One file per entry under `dir/<namespace>/`, written atomically so a crash never leaves half an entry. */
export function diskCache(dir: string, namespace: string): Cache {
  const folder = path.join(dir, namespace);
  let ready = false;
  return {
    get(key) {
      try {
        return readFileSync(path.join(folder, key), 'utf8');
      } catch {
        return undefined;
      }
    },
    set(key, value) {
      try {
        if (!ready) mkdirSync(folder, { recursive: true });
        ready = true;
        const file = path.join(folder, key);
        writeFileSync(`${file}.${process.pid}.tmp`, value);
        renameSync(`${file}.${process.pid}.tmp`, file);
      } catch {
        // A cache that cannot be written only makes the next build slower.
      }
    },
  };
}

/**
 * A hash of a part of the toolchain: its source files and the versions of the packages it uses, so a
 * change of compiler invalidates what it compiled.
 */
export function toolchainFingerprint(folders: string[], packages: string[]): string {
  const parts: string[] = [];
  for (const folder of folders) {
    const abs = path.join(TOOLCHAIN_ROOT, folder);
    for (const name of readdirSync(abs, { recursive: true }).map(String).sort()) {
      const file = path.join(abs, name);
      if (statSync(file).isFile()) parts.push(name, readFileSync(file, 'utf8'));
    }
  }
  for (const pkg of packages) {
    try {
      parts.push(pkg, (JSON.parse(readFileSync(path.join(TOOLCHAIN_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version);
    } catch {
      parts.push(pkg, 'missing');
    }
  }
  return sha256(parts.join('\0'));
}
