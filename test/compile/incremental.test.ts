import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCatalog } from '../../bench/generate.ts';
import { checkCacheIn, checkSource } from '../../cli/check/check-catalog.ts';
import { emitGenerated, planGenerated } from '../../cli/compile/build-generated.ts';
import { StagedGenerated } from '../../cli/compile/generated-io.ts';
import type { Removal } from '../../cli/compile/plan-runtime.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import { SCHEMAS_DIR } from '../../cli/shared/paths.ts';
import { oneEditPerPath } from './edits.ts';

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

const encoded = (files: Map<string, string>) => new Map([...files].map(([rel, text]) => [rel, Buffer.from(text, 'utf8').toString('base64')] as const).sort(([a], [b]) => (a < b ? -1 : 1)));

/** One random edit of the catalog: what to do, to which file (an index into a list), which of its edits. */
const editArb = fc.record({
  kind: fc.constantFrom('service', 'service', 'service', 'add', 'delete', 'roles', 'hall', 'department'),
  file: fc.nat(),
  which: fc.nat(),
});
type Edit = typeof editArb extends fc.Arbitrary<infer T> ? T : never;

async function applyEdit(catalog: string, edit: Edit): Promise<string> {
  const all = (await readdir(catalog, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.yaml')).map((e) => path.join(e.parentPath, e.name)).sort();
  const services = all.filter((f) => /\/svc-[^/]+\.yaml$/.test(f));
  const pick = <T>(xs: T[], n: number) => xs[n % xs.length];
  const fieldEdit = async (file: string) => {
    const edits = oneEditPerPath(await readFile(file, 'utf8'));
    const chosen = pick(edits, edit.which);
    await writeFile(file, chosen.text);
    return `${path.relative(catalog, file)}: ${chosen.label}`;
  };
  switch (edit.kind) {
    case 'service':
      return fieldEdit(pick(services, edit.file));
    case 'add': {
      const from = pick(services, edit.file);
      const id = `${path.basename(from, '.yaml')}-copy`;
      const text = (await readFile(from, 'utf8')).replace(/^id: .*$/m, `id: ${id}`);
      await writeFile(path.join(path.dirname(from), `${id}.yaml`), text);
      return `add ${id}`;
    }
    case 'delete': {
      const file = pick(services, edit.file);
      await rm(file);
      return `delete ${path.relative(catalog, file)}`;
    }
    case 'roles':
      return fieldEdit(path.join(catalog, 'roles.yaml'));
    case 'hall':
      return fieldEdit(path.join(catalog, 'hall.yaml'));
    case 'department':
      return fieldEdit(pick(all.filter((f) => f.endsWith('/department.yaml')), edit.file));
  }
  throw new Error(edit.kind);
}

describe('incremental build equals a clean build (issue 16 item 2)', () => {
  it('for random edits of random files, diagnostics and every output byte are those of a build without caches', { timeout: 1_200_000 }, async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'hall-incremental-'));
    const pristine = path.join(root, 'pristine');
    await generateCatalog(pristine, 6);
    const repo = path.join(root, 'repo');
    const cacheDir = path.join(repo, '.cache');
    const generated = path.join(repo, 'generated');
    await cp(pristine, repo, { recursive: true });
    // The committed state every run starts from: the pristine catalog built once (which also warms the cache).
    {
      const checked = checkSource(await readCatalog('catalog', repo), { today: TODAY, cache: checkCacheIn(cacheDir) });
      expect(checked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const staged = StagedGenerated.open(generated, { cacheDir });
      await emitGenerated(checked.catalog, generated, SCHEMAS_DIR, staged, cacheDir);
      await staged.commit();
    }
    await cp(generated, path.join(root, 'generated-pristine'), { recursive: true });
    let incrementalHits = 0;

    /**
     * Check and build the catalog as it is now, with every cache, and compare with a check and a plan
     * without any; commit the incremental build. False when the catalog has errors (nothing is built).
     */
    const buildAndCompare = async (labels: string[]): Promise<boolean> => {
      const source = await readCatalog('catalog', repo);
      const clean = checkSource(source, { today: TODAY });
      const cache = checkCacheIn(cacheDir);
      const incremental = checkSource(source, { today: TODAY, cache });
      expect(incremental.diagnostics, labels.join('; ')).toStrictEqual(clean.diagnostics);
      if (cache.misses.parse < source.yaml.length) incrementalHits++;
      if (clean.diagnostics.some((d) => d.severity === 'error')) return false;

      // A deleted published service is refused by both; then removed by the IT office's procedure in both.
      let removals: Removal[] = [];
      for (let attempt = 0; attempt < 2; attempt++) {
        const planned = await planGenerated(clean.catalog, generated, SCHEMAS_DIR, undefined, removals);
        const staged = StagedGenerated.open(generated, { cacheDir });
        let runtime;
        try {
          runtime = await emitGenerated(incremental.catalog, generated, SCHEMAS_DIR, staged, cacheDir, removals);
          const { files: _planned, ...cleanRuntime } = planned.runtime;
          const { files: _staged, ...stagedRuntime } = runtime;
          expect(stagedRuntime, labels.join('; ')).toStrictEqual(cleanRuntime);
          if (runtime.orphaned.length || runtime.tampered.length || runtime.refusedRemovals.length) {
            removals = runtime.orphaned.map((o) => ({ id: o.id }));
            continue;
          }
          await staged.commit();
          carried += staged.carried;
        } finally {
          staged.discard();
        }
        expect(await tree(generated), labels.join('; ')).toEqual(encoded(planned.files));
        return true;
      }
      throw new Error(`still refused after removing the orphans: ${labels.join('; ')}`);
    };
    let carried = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(editArb, { minLength: 1, maxLength: 3 }), editArb, async (edits, then) => {
        // Each run: the pristine catalog and generated/, plus the edits; the cache carries over from every earlier run.
        await rm(path.join(repo, 'catalog'), { recursive: true });
        await cp(path.join(pristine, 'catalog'), path.join(repo, 'catalog'), { recursive: true });
        await rm(generated, { recursive: true });
        await cp(path.join(root, 'generated-pristine'), generated, { recursive: true });
        const labels: string[] = [];
        for (const edit of edits) labels.push(await applyEdit(path.join(repo, 'catalog'), edit));
        if (!(await buildAndCompare(labels))) return;
        // Then one more edit on top of that build: now generated/ is the build's own, so the output index
        // vouches for its files and the unchanged ones are carried over unread. Past the index's racy
        // window first (a file written within it is read again).
        await new Promise((resolve) => setTimeout(resolve, 60));
        labels.push(`then ${await applyEdit(path.join(repo, 'catalog'), then)}`);
        await buildAndCompare(labels);
      }),
      { numRuns: 24, seed: 16 },
    );
    // The index must have been used: most second builds carry files over unread.
    expect(carried).toBeGreaterThan(0);
    // The property is about the cache: most runs must have used it.
    expect(incrementalHits).toBeGreaterThan(12);
  });
});
