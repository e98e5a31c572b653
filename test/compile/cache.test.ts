import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planBpmn } from '../../cli/bpmn/plan-bpmn.ts';
import { diskCache } from '../../cli/compile/cache.ts';
import type { Cache } from '../../cli/compile/cache.ts';
import { planRuntime } from '../../cli/compile/plan-runtime.ts';
import { loadFlows } from '../helpers/flows.ts';

/** An in-memory cache that counts what had to be compiled. */
function countingCache() {
  const store = new Map<string, string>();
  const cache: Cache & { misses: number } = {
    misses: 0,
    get(key) {
      const v = store.get(key);
      if (v === undefined) this.misses++;
      return v;
    },
    set(key, value) {
      store.set(key, value);
    },
  };
  return cache;
}

describe('incremental build: BPMN is compiled once per unchanged definition', () => {
  it('a second plan compiles nothing, and gives the same bytes', async () => {
    const { catalog } = await loadFlows();
    const runtime = planRuntime(catalog, { read: () => undefined });
    const cache = countingCache();
    const cold = await planBpmn(runtime.files, runtime.manifest, cache, 'k');
    // One process per workflow service of the fixture: booking, flow, and the countersign-variant (votes, in-turn) and routing flows (routed, banded).
    expect(cache.misses).toBe(6);
    cache.misses = 0;
    const warm = await planBpmn(runtime.files, runtime.manifest, cache, 'k');
    expect(cache.misses).toBe(0);
    expect([...warm]).toEqual([...cold]);
    expect([...cold.keys()].filter((f) => f.endsWith('.bpmn'))).toEqual(['banded/v1.bpmn', 'booking/v1.bpmn', 'flow/v1.bpmn', 'in-turn/v1.bpmn', 'routed/v1.bpmn', 'votes/v1.bpmn']);
  });

  it('after one service changes, only that service is compiled again', async () => {
    const { catalog } = await loadFlows();
    const cache = countingCache();
    const first = planRuntime(catalog, { read: () => undefined });
    await planBpmn(first.files, first.manifest, cache, 'k');
    const flow = catalog.services.get('flow')!.value;
    const step = flow.workflow!.steps[0] as { deadline: number };
    step.deadline = 2;
    const files = first.files;
    const second = planRuntime(catalog, { manifest: first.manifest, read: (f) => files.get(f) });
    cache.misses = 0;
    const out = await planBpmn(second.files, second.manifest, cache, 'k');
    expect(cache.misses).toBe(1); // flow v2; flow v1 and the other services' v1 come from the cache
    expect(out.has('flow/v2.bpmn')).toBe(true);
    expect(out.get('flow/v1.bpmn')).toBeDefined();
  });

  it('a different compiler key invalidates everything', async () => {
    const { catalog } = await loadFlows();
    const runtime = planRuntime(catalog, { read: () => undefined });
    const cache = countingCache();
    await planBpmn(runtime.files, runtime.manifest, cache, 'compiler-1');
    cache.misses = 0;
    await planBpmn(runtime.files, runtime.manifest, cache, 'compiler-2');
    expect(cache.misses).toBe(6);
  });
});

describe('the BPMN cache on disk keeps only what the last build used', () => {
  it('drops entries no build uses any more (a stray one, an abandoned half-written one, those of an older compiler) and keeps those in use', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-bpmn-cache-'));
    try {
      const folder = path.join(dir, 'bpmn');
      const { catalog } = await loadFlows();
      const runtime = planRuntime(catalog, { read: () => undefined });
      const cold = await planBpmn(runtime.files, runtime.manifest, diskCache(dir, 'bpmn'), 'compiler-1');
      const first = readdirSync(folder).sort();
      // One entry per kept version of every service, workflow or not (a version without one caches `null`).
      expect(first.length).toBe(runtime.manifest.services.reduce((n, s) => n + s.versions.length, 0));
      // Left behind: a stray entry, a half-written one of a build that died an hour ago, one being written now.
      writeFileSync(path.join(folder, 'f'.repeat(64)), '{}');
      writeFileSync(path.join(folder, `${'e'.repeat(64)}.123.tmp`), '{');
      utimesSync(path.join(folder, `${'e'.repeat(64)}.123.tmp`), new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
      writeFileSync(path.join(folder, `${'d'.repeat(64)}.456.tmp`), '{');
      const warm = await planBpmn(runtime.files, runtime.manifest, diskCache(dir, 'bpmn'), 'compiler-1');
      expect([...warm]).toEqual([...cold]);
      expect(readdirSync(folder).sort()).toEqual([...first, `${'d'.repeat(64)}.456.tmp`].sort());
      // A new compiler: every old entry goes, as many new ones come.
      await planBpmn(runtime.files, runtime.manifest, diskCache(dir, 'bpmn'), 'compiler-2');
      const second = readdirSync(folder).filter((name) => !name.endsWith('.tmp'));
      expect(second.length).toBe(first.length);
      expect(second.filter((name) => first.includes(name))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
