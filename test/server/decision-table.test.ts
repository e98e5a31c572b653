import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime, RuntimeDefinition } from '../../lib/runtime/index.ts';
import { compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import { Engine } from '../../server/engine/engine.ts';
import { ROOT } from '../helpers/cli.ts';
import { loadFlows } from '../helpers/flows.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';
import { flowHall, runtimeWith } from './flow-hall.ts';

/**
 * Routing by a decision table (issue 15 item 8) in `hall serve`'s engine, on both stores: the flows fixture's
 * `banded` 经费报销 (审批级别: < 5,000 部门; [5,000..50,000) 财务处; ≥ 50,000 校级) added to the example runtime.
 * The engine replays the interpreter on the definition's expanded FEEL, so each band lands on its group.
 */
const stores = storeFactory();
let runtime: LoadedRuntime;
let banded: RuntimeDefinition;
beforeAll(async () => {
  const base = await loadRuntime(`${ROOT}/generated`);
  const { catalog } = await loadFlows();
  const service = catalog.services.get('banded')!.value;
  banded = compileDefinition(service, 1, runtimeFingerprint(service));
  runtime = runtimeWith(base, { banded: { definition: banded, name: '经费报销测试事项' } });
});

const hall = (kind: (typeof STORE_KINDS)[number]) =>
  flowHall(stores, kind, runtime, [
    ['a-head', 'department-head', 'dept-a'],
    ['b-staff', 'office-staff', 'dept-b'],
    ['leader', 'university-leader', ''],
  ]);

const applicant = { id: 'T001', attributes: { name: '赵一', number: 'T001', department: 'dept-a' } };

async function approve(engine: Engine, person: string, step: string) {
  const task = (await engine.todo(person)).find((t) => t.step === step);
  if (!task) throw new Error(`${person} has no task for ${step}: ${JSON.stringify(await engine.todo(person))}`);
  const result = await engine.act({ task: task.id, person, action: 'approve' });
  if (!result.ok) throw new Error(`${step}: ${JSON.stringify(result)}`);
  return result.application;
}

describe.each(STORE_KINDS)('routing by a decision table in the engine on %s', (kind) => {
  it('sends each band to its groups: 4,999.99 部门 only, 5,000 also 财务处, 50,000 also 分管校领导', async () => {
    const { engine } = await hall(kind);
    const run = async (amount: number) => {
      const submitted = await engine.submit({ service: 'banded', applicant, data: { amount }, channel: 'pc' });
      if (!submitted.ok) throw new Error(JSON.stringify(submitted));
      const id = submitted.application.id;
      const reached: string[] = [];
      let app = await approve(engine, 'a-head', 'unit-head');
      reached.push('unit-head');
      const finance = (await engine.todo('b-staff')).find((t) => t.application === id);
      if (finance) {
        expect(finance).toMatchObject({ step: 'finance', group: 'office-staff', scope: 'dept-b' });
        app = await approve(engine, 'b-staff', 'finance');
        reached.push('finance');
      }
      const leader = (await engine.todo('leader')).find((t) => t.application === id);
      if (leader) {
        expect(leader).toMatchObject({ step: 'leader', group: 'university-leader' });
        app = await approve(engine, 'leader', 'leader');
        reached.push('leader');
      }
      expect(app.status).toBe('approved');
      return reached;
    };
    expect(await run(4999.99)).toEqual(['unit-head']);
    expect(await run(5000)).toEqual(['unit-head', 'finance']);
    expect(await run(49999.99)).toEqual(['unit-head', 'finance']);
    expect(await run(50000)).toEqual(['unit-head', 'finance', 'leader']);
  });
});
