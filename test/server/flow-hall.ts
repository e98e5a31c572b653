import type { LoadedRuntime, RuntimeDefinition } from '../../lib/runtime/index.ts';
import { Engine } from '../../server/engine/engine.ts';
import { migrate } from '../../server/store/migrate.ts';
import type { Store } from '../../server/store/store.ts';
import type { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * The engine tests' shared set-up for services of the flows fixture (test/fixtures/flows): the example runtime with
 * extra definitions beside it, a clock that moves ten minutes per reading, and a migrated store with the group@scope
 * memberships a test needs.
 */

/** `base` with each of `extra` added as version 1 (and current) of its id, named as given in the manifest. */
export function runtimeWith(base: LoadedRuntime, extra: Record<string, { definition: RuntimeDefinition; name: string }>): LoadedRuntime {
  const definitions = new Map(base.definitions);
  for (const [id, { definition }] of Object.entries(extra)) definitions.set(id, new Map([[1, definition]]));
  return {
    ...base,
    manifest: { ...base.manifest, services: [...base.manifest.services, ...Object.entries(extra).map(([id, { name }]) => ({ ...base.manifest.services[0], id, name: { zh: name }, current: 1 }))] },
    definitions,
    current: (id) => extra[id]?.definition ?? base.current(id),
    version: (id, v) => extra[id]?.definition ?? base.version(id, v),
  };
}

/** A clock that starts on Monday 2 March 2026, 09:00 in Beijing, and moves ten minutes each time it is read. */
export function steppingClock(start = '2026-03-02T01:00:00Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 600_000));
}

/** An engine on a fresh, migrated store of `kind` whose people hold the given `[person, group, scope]` memberships. */
export async function flowHall(stores: ReturnType<typeof storeFactory>, kind: (typeof STORE_KINDS)[number], runtime: LoadedRuntime, memberships: [string, string, string][]): Promise<{ engine: Engine; store: Store }> {
  const store = await stores.open(await stores.location(kind));
  await migrate(store);
  for (const membership of memberships) await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', membership);
  return { engine: new Engine({ store, runtime, now: steppingClock(), hallUrl: 'https://ehall.example.edu.cn' }), store };
}
