import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import { Engine } from '../../server/engine/engine.ts';
import { deleteDraft, readDraft, readEvaluation, recordEvaluation, saveDraft } from '../../server/pages/store.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from '../server/stores.ts';

const stores = storeFactory();
const leave = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '急性肠胃炎住院治疗' };
const applicant = { id: '2022020315', attributes: { name: '李雨桐', number: '2022020315', college: 'wxy', class: 'wxy-2203', type: '本科生' } };

/** Migration 0007 on both stores: a draft per person and service (saved over, deleted), one evaluation per application, written with its `rated` event. */
describe.each(STORE_KINDS)('drafts and evaluations on %s', (kind) => {
  it('keeps one draft per person and service, and one evaluation per application with its event', async () => {
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    expect(await readDraft(store, 'p1', 'student-leave')).toBeUndefined();
    await saveDraft(store, 'p1', 'student-leave', { form: { reason: '第一稿' } });
    await saveDraft(store, 'p1', 'student-leave', { form: { reason: '第二稿 <b>' } });
    await saveDraft(store, 'p2', 'student-leave', { form: { reason: '别人的' } });
    expect((await readDraft(store, 'p1', 'student-leave'))?.data).toEqual({ form: { reason: '第二稿 <b>' } });
    await deleteDraft(store, 'p1', 'student-leave');
    expect(await readDraft(store, 'p1', 'student-leave')).toBeUndefined();
    expect((await readDraft(store, 'p2', 'student-leave'))?.data).toEqual({ form: { reason: '别人的' } });

    const runtime = await loadRuntime(`${ROOT}/generated`);
    const engine = new Engine({ store, runtime });
    await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-wang', 'counselor', 'wxy-2203']);
    const submitted = await engine.submit({ service: 'student-leave', applicant, data: leave });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    expect(await recordEvaluation(store, submitted.application, '满意', '很快')).toBe(true);
    expect(await recordEvaluation(store, submitted.application, '不满意', undefined)).toBe(false);
    expect(await readEvaluation(store, submitted.application.id)).toMatchObject({ rating: '满意', comment: '很快' });
    const rated = (await engine.events(submitted.application.id)).filter((e) => e.type === 'rated');
    expect(rated).toHaveLength(1);
    expect(rated[0]).toMatchObject({ type: 'rated', rating: '满意', comment: '很快', service: 'student-leave', instance: submitted.application.id, applicant: { college: 'wxy', type: '本科生' } });
    await store.close();
  }, 60_000);
});
