import { readFile, readdir, writeFile, mkdtemp } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCatalog } from '../../bench/generate.ts';
import { checkCacheIn, checkSource } from '../../cli/check/check-catalog.ts';
import { emitGenerated } from '../../cli/compile/build-generated.ts';
import { StagedGenerated } from '../../cli/compile/generated-io.ts';
import { DEFAULT_CACHE_DIR } from '../../cli/compile/cache.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import { SCHEMAS_DIR } from '../../cli/shared/paths.ts';
import { hall } from '../helpers/cli.ts';

const TODAY = '2026-10-01';

async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    out.set(rel, (await readFile(path.join(dir, rel))).toString('base64'));
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** One build as `hall build` does it, with the cache; how many files it carried over unread. */
async function build(repo: string): Promise<{ carried: number; tampered: string[] }> {
  const cacheDir = path.join(repo, '.cache');
  const checked = checkSource(await readCatalog('catalog', repo), { today: TODAY, cache: checkCacheIn(cacheDir) });
  expect(checked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const generated = path.join(repo, 'generated');
  const staged = StagedGenerated.open(generated, { cacheDir });
  try {
    const runtime = await emitGenerated(checked.catalog, generated, SCHEMAS_DIR, staged, cacheDir);
    if (!runtime.tampered.length) await staged.commit();
    return { carried: staged.carried, tampered: runtime.tampered };
  } finally {
    staged.discard();
  }
}

/** Past the output index's racy window: a file written within it is read again on the next build. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 60));

/** The same bytes count with one character changed: the edit keeps the size, so only the time and inode tell. */
const sameSizeEdit = (text: string) => text.replace('a', 'b');

describe('the output index (issue 16 item 2: skip re-reading outputs whose inputs did not change)', () => {
  it('an unchanged rebuild carries every versioned file over unread, and a same-size hand edit of one is still found', { timeout: 600_000 }, async () => {
    const repo = await mkdtemp(path.join(os.tmpdir(), 'hall-index-'));
    await generateCatalog(repo, 6);
    const generated = path.join(repo, 'generated');
    expect((await build(repo)).carried).toBe(0);
    const first = await tree(generated);
    const versioned = [...first.keys()].filter((rel) => /^runtime\/.+\/v\d+\.json$/.test(rel) || /^bpmn\/.+\.(bpmn|form)$/.test(rel));
    expect(versioned.length).toBeGreaterThan(10);

    await settle();
    const again = await build(repo);
    // Every kept definition, BPMN file and form was linked on the index's word: none was read or compiled.
    expect(again.carried).toBe(versioned.length);
    expect(await tree(generated)).toEqual(first);

    // A hand edit that keeps the size: the file's time (and with most editors its inode) changes, so the
    // index no longer vouches for it and the build reads it: a BPMN file is written again, and an edited
    // current definition restored to the bytes its manifest records.
    await settle();
    const bpmn = versioned.find((rel) => rel.endsWith('.bpmn'))!;
    const definition = versioned.find((rel) => rel.startsWith('runtime/'))!;
    for (const rel of [bpmn, definition]) {
      const text = await readFile(path.join(generated, rel), 'utf8');
      const edited = sameSizeEdit(text);
      expect(edited).not.toBe(text);
      expect(Buffer.byteLength(edited)).toBe(Buffer.byteLength(text));
      await writeFile(path.join(generated, rel), edited);
    }
    const repaired = await build(repo);
    expect(repaired.tampered).toEqual([]);
    // The edited files are not carried (nor the forms of the edited BPMN's version, compiled with it); the rest are.
    expect(repaired.carried).toBeLessThan(versioned.length - 1);
    expect(repaired.carried).toBeGreaterThan(versioned.length / 2);
    expect(await tree(generated)).toEqual(first);
  });
});

describe('schema validators kept compiled in the build cache', () => {
  it('a build that loads them reports a schema error exactly as one that compiles them', { timeout: 600_000 }, async () => {
    const repo = await mkdtemp(path.join(os.tmpdir(), 'hall-validators-'));
    await generateCatalog(repo, 3);
    const catalog = path.join(repo, 'catalog');
    const file = (await readdir(catalog, { recursive: true, withFileTypes: true })).find((e) => e.isFile() && e.name.startsWith('svc-'))!;
    const abs = path.join(file.parentPath, file.name);
    // Two schema errors: a wrong type and an unknown key.
    await writeFile(abs, (await readFile(abs, 'utf8')).replace(/^type: .*$/m, 'type: 17\nunknownKey: 1'));
    const compiled = await hall(['build', '--no-cache', '--today', TODAY], { cwd: repo });
    expect(compiled.exitCode).toBe(1);
    expect(compiled.all).toContain('schema/');
    // The first cached build compiles (or loads) and stores them; the second certainly loads them.
    for (let i = 0; i < 2; i++) {
      const cached = await hall(['build', '--today', TODAY], { cwd: repo });
      expect(cached.exitCode).toBe(1);
      expect(cached.stderr).toBe(compiled.stderr);
      expect(cached.stdout).toBe(compiled.stdout);
    }
    const stored = path.join(DEFAULT_CACHE_DIR, 'check', 'schemas');
    expect(existsSync(stored) && readdirSync(stored).some((n) => n.endsWith('.cjs'))).toBe(true);
  });
});
