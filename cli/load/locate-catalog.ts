import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../shared/errors.ts';

/** Where a command's catalog is, worked out from the `[dir]` it was given (or not) and where it runs. */
export interface CatalogLocation {
  /** The catalog folder, as given or as a path from the current folder. */
  dir: string;
  /** The catalog folder, absolute. */
  abs: string;
  /** Absolute folder that reported paths are relative to: the current folder when the catalog is below it, else the catalog's parent (the repository). */
  root: string;
  /** A folder or file inside the catalog that was named instead of the catalog itself, root-relative with forward slashes. */
  scope?: string;
}

const HALL_FILE = 'hall.yaml';
const toPosix = (p: string) => p.split(path.sep).join('/');

/** The nearest folder at or above `from` that holds hall.yaml (or, with `orChild`, whose `catalog/` does). */
function findUp(from: string, orChild: boolean): string | undefined {
  for (let at = from; ; at = path.dirname(at)) {
    if (existsSync(path.join(at, HALL_FILE))) return at;
    if (orChild && existsSync(path.join(at, 'catalog', HALL_FILE))) return path.join(at, 'catalog');
    if (path.dirname(at) === at) return undefined;
  }
}

/**
 * Find the catalog the way git finds a repository. No `[dir]`: walk up from the current folder to a
 * folder holding hall.yaml or `catalog/hall.yaml`, so every subfolder of the repository works. A `[dir]`
 * that is a folder or file inside a catalog names that part of it (`scope`); the catalog is still read
 * whole, because references cross files.
 */
export async function locateCatalog(arg: string | undefined, cwd = process.cwd()): Promise<CatalogLocation> {
  let abs: string;
  let scope: string | undefined;
  let dir: string;
  if (arg === undefined) {
    abs = findUp(cwd, true) ?? path.join(cwd, 'catalog');
    dir = toPosix(path.relative(cwd, abs)) || '.';
  } else {
    const named = path.resolve(cwd, arg);
    const info = await stat(named).catch(() => undefined);
    if (!info) throw new UsageError(`找不到目录文件夹“${arg}” / no catalog folder "${arg}"`);
    const found = findUp(info.isDirectory() ? named : path.dirname(named), false);
    if (!found && !info.isDirectory()) throw new UsageError(`“${arg}”不在任何目录（含 hall.yaml 的文件夹）之内 / "${arg}" is not inside a catalog (a folder with hall.yaml)`);
    abs = found ?? named;
    dir = abs === named ? arg : toPosix(path.relative(cwd, abs)) || '.';
    if (abs !== named) scope = named;
  }
  const inside = abs.startsWith(cwd + path.sep);
  const root = inside ? cwd : path.dirname(abs);
  return { dir, abs, root, ...(scope ? { scope: toPosix(path.relative(root, scope)) } : {}) };
}

/** Whether a root-relative file lies in `scope` (the file itself or anything below the folder). */
export function inScope(file: string, scope: string | undefined): boolean {
  return scope === undefined || file === scope || file.startsWith(`${scope}/`);
}

/** A path below the repository root, as the current folder reaches it (`generated` at the root, `../../generated` two levels down). */
export function fromRoot(root: string, relative: string, cwd = process.cwd()): string {
  return toPosix(path.relative(cwd, path.join(root, relative))) || '.';
}
