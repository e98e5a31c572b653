import { describe, expect, it } from 'vitest';
import { planBpmn } from '../../cli/bpmn/plan-bpmn.ts';
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
