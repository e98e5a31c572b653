import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Every file below `dir` by its path relative to `dir` (with /), with its bytes: base64 by default, so a
 * byte-level change shows in a comparison; 'utf8' where a test reads the text.
 */
export async function filesBelow(dir: string, encoding: 'base64' | 'utf8' = 'base64'): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    out[rel] = (await readFile(path.join(dir, rel))).toString(encoding);
  }
  return out;
}
