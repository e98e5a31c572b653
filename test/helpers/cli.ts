import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const NODE = path.join(ROOT, 'node_modules/.bin/node');
export const HALL = path.join(ROOT, 'cli/hall.ts');

/** Run `hall` as a real process; never throws on a non-zero exit. */
export function hall(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return execa(NODE, [HALL, ...args], { cwd: options.cwd ?? ROOT, env: { NO_COLOR: '1', ...options.env }, reject: false, all: true });
}

/** A scratch repository folder holding a copy of a fixture catalog at `catalog/`. */
export async function scratchCopy(fixtureCatalog: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hall-'));
  await cp(fixtureCatalog, path.join(dir, 'catalog'), { recursive: true });
  return dir;
}
