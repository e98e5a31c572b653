import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { bookingProblems } from '../../server/engine/booking.ts';
import { Engine } from '../../server/engine/engine.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * Issue 15.7, lead times per bookable resource: 录播教室 A301 (精品录播，需安排导播) asks 120 hours' notice,
 * the service's other rooms the slot rules' 72. Judged by hall serve on both stores.
 */
const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(path.join(ROOT, 'generated'));
});

const RECORDING = 'recording-classroom-booking';
/** Monday 2 March 2026, 09:00 in Beijing. Friday 6 March 08:00 is 95 hours away: past 72, short of 120. */
const MONDAY = '2026-03-02T01:00:00Z';
const teacher = { id: '2010031', attributes: { name: '周海涛', number: '2010031', type: '教职工', department: 'jsj', phone: '13800200001' } };
const recording = { applicantName: '周海涛', applicantNumber: '2010031', unit: 'jsj', phone: '13800200001', courseName: '算法设计与分析', recordingType: '微课', studentCount: 0, needTechnician: false, needEditing: true };

describe('lead times per resource, in the compiled definition', () => {
  it('A301 carries its own notice; rooms without one carry nothing new', () => {
    const resources = runtime.current(RECORDING).appointment!.resources;
    expect(resources.find((r) => r.id === 'a301')).toMatchObject({ minNoticeHours: 120 });
    expect(resources.find((r) => r.id === 'a305')).not.toHaveProperty('minNoticeHours');
  });

  it('bookingProblems names the resource\'s notice, not the slot rules\'', () => {
    const problems = bookingProblems(runtime.current(RECORDING), runtime.calendar, { resource: 'a301', date: '2026-03-06', slot: '08:00-10:00' }, new Date(MONDAY));
    expect(problems.map((p) => [p.field, p.message.zh])).toEqual([['booking.slot', '须至少提前 120 小时预约：2026-03-06 08:00-10:00 离现在不足 120 小时']]);
    expect(bookingProblems(runtime.current(RECORDING), runtime.calendar, { resource: 'a305', date: '2026-03-06', slot: '08:00-10:00' }, new Date(MONDAY))).toEqual([]);
  });
});

describe.each(STORE_KINDS)('lead times per resource on hall serve, %s', (kind) => {
  it('refuses A301 at 95 hours\' notice and takes A305 in the same slot', async () => {
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-secretary', 'academic-secretary', 'jsj']);
    const engine = new Engine({ store, runtime, now: () => new Date(MONDAY) });
    const a301 = await engine.submit({ service: RECORDING, applicant: teacher, data: recording, booking: { resource: 'a301', date: '2026-03-06', slot: '08:00-10:00' } });
    expect(a301.ok ? [] : a301.kind === 'invalid' ? a301.fieldErrors.map((e) => e.field) : [a301.kind]).toEqual(['booking.slot']);
    const a305 = await engine.submit({ service: RECORDING, applicant: teacher, data: recording, booking: { resource: 'a305', date: '2026-03-06', slot: '08:00-10:00' } });
    expect(a305.ok).toBe(true);
  });
});
