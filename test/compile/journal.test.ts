import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { generateCatalog } from '../../bench/generate.ts';
import { checkCacheIn, checkSource } from '../../cli/check/check-catalog.ts';
import { emitGenerated } from '../../cli/compile/build-generated.ts';
import { StagedGenerated } from '../../cli/compile/generated-io.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import { SCHEMAS_DIR } from '../../cli/shared/paths.ts';
import { hall } from '../helpers/cli.ts';
import { loadRuntime } from '../../lib/runtime/index.ts';
import { filesBelow } from './tree.ts';

/**
 * A build that changes a few files commits them in place from a journal (issue 16: a one-service change
 * must not link and unlink every file of generated/). A build dying at any rename of that commit — before
 * its commit point or after it — leaves, once the next run has looked, exactly the old folder or exactly
 * the one a clean build writes. The deaths are simulated by making the n-th rename throw, in this process.
 */
const fail = vi.hoisted(() => ({ afterRenames: Infinity, renames: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const renameSync: typeof fs.renameSync = (from, to) => {
    // Only the commit's own renames count (the caches beside it rename their files too).
    if (String(from).includes(`${path.sep}generated.`) && fail.renames++ >= fail.afterRenames) throw new Error('killed');
    fs.renameSync(from, to);
  };
  return { ...fs, default: { ...fs, renameSync }, renameSync };
});

const TODAY = '2026-10-01';


const leftovers = async (repo: string) => (await readdir(repo)).filter((n) => /^generated\.(tmp|old|apply)-/.test(n)).sort();

/** One build as `hall build` does it, with the cache, in this process (so the rename can fail). */
async function build(repo: string): Promise<StagedGenerated> {
  const cacheDir = path.join(repo, '.cache');
  const checked = checkSource(await readCatalog('catalog', repo), { today: TODAY, cache: checkCacheIn(cacheDir) });
  expect(checked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const generated = path.join(repo, 'generated');
  const staged = StagedGenerated.open(generated, { cacheDir });
  try {
    await emitGenerated(checked.catalog, generated, SCHEMAS_DIR, staged, cacheDir);
    await staged.commit();
    return staged;
  } finally {
    // As a killed process would: the staged folder stays (discard only runs in a process that lives on).
    if (fail.renames <= fail.afterRenames) staged.discard();
  }
}

/** Change the first deadline of one workflow service: a new version of it, nothing else. */
async function changeOne(repo: string): Promise<void> {
  for (const e of await readdir(path.join(repo, 'catalog'), { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !/^svc-.*\.yaml$/.test(e.name)) continue;
    const file = path.join(e.parentPath, e.name);
    const text = await readFile(file, 'utf8');
    const next = text.replace(/deadline: (\d+)/, (_, n: string) => `deadline: ${Number(n) + 1}`);
    if (next === text) continue;
    await writeFile(file, next);
    return;
  }
  throw new Error('no workflow service');
}

describe('a small change is committed in place from a journal', () => {
  it('a build dying at any rename leaves the old generated/ or, after the next run, the new one', { timeout: 600_000 }, async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'hall-journal-'));
    await generateCatalog(base, 40);
    fail.afterRenames = Infinity;
    expect((await build(base)).committedBy).toBe('swap');
    await changeOne(base);
    const old = await filesBelow(path.join(base, 'generated'));

    // The clean result: the same change built by a build that is not interrupted (and applied in place).
    const clean = await mkdtemp(path.join(os.tmpdir(), 'hall-journal-clean-'));
    await cp(base, clean, { recursive: true });
    fail.renames = 0;
    const done = await build(clean);
    expect(done.committedBy).toBe('journal');
    const renames = fail.renames;
    const expected = await filesBelow(path.join(clean, 'generated'));
    expect(expected).not.toEqual(old);
    // The real CLI, with no cache at all, writes the same folder.
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'hall-journal-fresh-'));
    await cp(path.join(base, 'catalog'), path.join(fresh, 'catalog'), { recursive: true });
    await cp(path.join(base, 'generated'), path.join(fresh, 'generated'), { recursive: true });
    expect((await hall(['build', '--no-cache', '--today', TODAY], { cwd: fresh })).exitCode).toBe(0);
    expect(await filesBelow(path.join(fresh, 'generated'))).toEqual(expected);
    // The first rename is the commit point; each later one moves one file in.
    expect(renames).toBeGreaterThan(3);

    for (let n = 0; n < renames; n++) {
      const repo = await mkdtemp(path.join(os.tmpdir(), 'hall-journal-kill-'));
      await cp(base, repo, { recursive: true });
      fail.renames = 0;
      fail.afterRenames = n;
      await expect(build(repo)).rejects.toThrow('killed');
      fail.afterRenames = Infinity;
      const left = await leftovers(repo);
      if (n === 0) {
        // Died before its commit point: the old folder, byte for byte, and a staged folder to clear.
        expect(await filesBelow(path.join(repo, 'generated'))).toEqual(old);
        expect(left.map((l) => l.replace(/-.*/, ''))).toEqual(['generated.tmp']);
      } else {
        expect(left.map((l) => l.replace(/-.*/, ''))).toEqual(['generated.apply']);
        // Past the commit point generated/ may hold new files beside the old manifest: a hall loading it
        // now is told why and what to do, and keeps what it runs (never a mix).
        await expect(loadRuntime(path.join(repo, 'generated'))).rejects.toThrow(/正在由 hall build 提交，或提交时被中断.*再运行一次 hall build/);
      }
      // The next run — here the CLI's --check, which writes nothing of its own — finishes or clears it first.
      const check = await hall(['build', '--check', '--today', TODAY], { cwd: repo });
      expect(check.exitCode, check.all).toBe(n === 0 ? 1 : 0);
      expect(await filesBelow(path.join(repo, 'generated'))).toEqual(n === 0 ? old : expected);
      expect(await leftovers(repo)).toEqual([]);
      if (n > 0) expect((await loadRuntime(path.join(repo, 'generated'))).manifest.services.length).toBeGreaterThan(0);
    }
  });
});
