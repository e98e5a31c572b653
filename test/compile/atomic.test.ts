import { mkdtemp, readFile, readdir, rename, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { generateCatalog } from '../../bench/generate.ts';
import { HALL, NODE, hall, scratchCopy } from '../helpers/cli.ts';
import { FLOWS } from '../helpers/flows.ts';
import { filesBelow } from './tree.ts';


/** Names beside generated/ that a build leaves only while it runs (or when it was killed). */
const leftovers = async (repo: string) => (await readdir(repo)).filter((n) => /^generated\.(tmp|old)-/.test(n)).sort();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hall build swaps generated/ in whole (issue 16 item 1)', () => {
  it('a build killed with kill -9 mid-way leaves the old generated/ byte-identical; the next build succeeds and cleans up', { timeout: 600_000 }, async () => {
    const repo = await mkdtemp(path.join(os.tmpdir(), 'hall-kill-'));
    await generateCatalog(repo, 120);
    const first = await hall(['build', '--no-cache', '--today', '2026-10-01'], { cwd: repo });
    expect(first.exitCode, first.all).toBe(0);
    const before = await filesBelow(path.join(repo, 'generated'));
    expect(Object.keys(before).length).toBeGreaterThan(300);

    // A runtime change in every service file (each first deadline), so the next build writes new versions throughout.
    const catalog = path.join(repo, 'catalog');
    let changed = 0;
    for (const e of await readdir(catalog, { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !/^svc-.*\.yaml$/.test(e.name)) continue;
      const file = path.join(e.parentPath, e.name);
      const text = await readFile(file, 'utf8');
      const next = text.replace(/deadline: (\d+)/, (_, n: string) => `deadline: ${Number(n) === 0 ? 1 : Number(n) - 1}`);
      if (next !== text) changed++;
      await writeFile(file, next);
    }
    expect(changed).toBeGreaterThan(50);

    // Kill the real CLI process once its staged folder holds part of the new bpmn/ (caught mid-way).
    const build = execa(NODE, [HALL, 'build', '--no-cache', '--today', '2026-10-01'], { cwd: repo, reject: false, env: { NO_COLOR: '1' } });
    let caught = false;
    let ended = false;
    void build.then(() => (ended = true));
    for (let i = 0; i < 15_000 && !ended && !caught; i++) {
      const stage = (await leftovers(repo)).find((n) => n.startsWith('generated.tmp-'));
      const bpmn = stage ? await readdir(path.join(repo, stage, 'bpmn')).catch(() => []) : [];
      if (bpmn.length >= 5) caught = true;
      else await sleep(20);
    }
    expect(caught, 'the build was caught while writing its staged folder').toBe(true);
    process.kill(build.pid!, 'SIGKILL');
    const killed = await build;
    expect(killed.signal).toBe('SIGKILL');

    expect(await filesBelow(path.join(repo, 'generated'))).toEqual(before);
    expect((await leftovers(repo)).some((n) => n.startsWith('generated.tmp-'))).toBe(true);
    // The committed folder is what the loader and --check see: still complete and consistent.
    const stale = await hall(['build', '--check', '--today', '2026-10-01'], { cwd: repo });
    expect(stale.exitCode).toBe(1);
    expect(await filesBelow(path.join(repo, 'generated'))).toEqual(before);

    const again = await hall(['build', '--today', '2026-10-01'], { cwd: repo });
    expect(again.exitCode, again.all).toBe(0);
    expect(await leftovers(repo)).toEqual([]);
    expect((await hall(['build', '--check', '--today', '2026-10-01'], { cwd: repo })).exitCode).toBe(0);
    const after = await filesBelow(path.join(repo, 'generated'));
    // Every kept version of the old folder is carried over byte-for-byte, beside the new versions.
    for (const [rel, bytes] of Object.entries(before)) if (/^runtime\/[^/]+\/v\d+\.json$/.test(rel)) expect(after[rel], rel).toBe(bytes);
    expect(Object.keys(after).filter((rel) => /\/v2\.json$/.test(rel)).length).toBe(changed);
  });

  it('a build that died between its two renames is put back by the next run', { timeout: 300_000 }, async () => {
    const repo = await scratchCopy(FLOWS);
    expect((await hall(['build'], { cwd: repo })).exitCode).toBe(0);
    const before = await filesBelow(path.join(repo, 'generated'));
    // The state after "rename old aside" and before "rename new in": no generated/, the old one aside, a staged one.
    await rename(path.join(repo, 'generated'), path.join(repo, 'generated.old-x1y2z3'));
    await mkdir(path.join(repo, 'generated.tmp-x1y2z3/runtime'), { recursive: true });
    await writeFile(path.join(repo, 'generated.tmp-x1y2z3/runtime/manifest.json'), '{"half": ');
    const check = await hall(['build', '--check'], { cwd: repo });
    expect(check.exitCode, check.all).toBe(0);
    expect(await filesBelow(path.join(repo, 'generated'))).toEqual(before);
    expect(await leftovers(repo)).toEqual([]);
  });

  it('a build that stops (a hand-edited kept version) writes nothing and leaves no staged folder', { timeout: 300_000 }, async () => {
    const repo = await scratchCopy(FLOWS);
    expect((await hall(['build'], { cwd: repo })).exitCode).toBe(0);
    const flow = path.join(repo, 'catalog/ops/flow.yaml');
    await writeFile(flow, (await readFile(flow, 'utf8')).replace('if: amount > 100000', 'if: amount > 50000'));
    expect((await hall(['build'], { cwd: repo })).exitCode).toBe(0);
    const v1 = path.join(repo, 'generated/runtime/flow/v1.json');
    await writeFile(v1, (await readFile(v1, 'utf8')).replace('"deadline": 1', '"deadline": 9'));
    const before = await filesBelow(path.join(repo, 'generated'));
    const r = await hall(['build'], { cwd: repo });
    expect(r.exitCode).toBe(1);
    expect(await filesBelow(path.join(repo, 'generated'))).toEqual(before);
    expect(await leftovers(repo)).toEqual([]);
  });
});
