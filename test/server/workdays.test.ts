import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import type { LoadedRuntime } from '../../lib/runtime/index.ts';
import { Engine } from '../../server/engine/engine.ts';
import { insertAttachment, newAttachmentId } from '../../server/files/attachments.ts';
import { migrate } from '../../server/store/migrate.ts';
import { ROOT } from '../helpers/cli.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

/**
 * Issue 15.7 on hall serve: 研究生学位论文答辩申请 refuses a defence fewer than 10 work days after the
 * submission (validIf: workdays between(today(), defenseDate) >= 10), counted on the compiled calendar
 * (劳动节 2026-05-01..05 off, Saturday 05-09 a make-up work day) from the date in the school's time zone.
 * The runtime keeps its clock in UTC: at 17:00Z on 04-27 it is already 04-28 in 江城.
 */
const stores = storeFactory();
let runtime: LoadedRuntime;
beforeAll(async () => {
  runtime = await loadRuntime(`${ROOT}/generated`);
});

const SERVICE = 'thesis-defense-application';
const applicant = { id: 'Y2023080105', attributes: { name: '赵一鸣', number: 'Y2023080105', type: '研究生', college: 'jsj', class: 'jsj-ds01', phone: '13700000021' } };

describe.each(STORE_KINDS)('work-day rules on hall serve, %s', (kind) => {
  async function submitAt(instant: string, defenseDate: string) {
    const store = await stores.open(await stores.location(kind));
    await migrate(store);
    const upload = async (field: string, name: string) => {
      const id = newAttachmentId('pdf');
      await insertAttachment(store, { id, sha256: createHash('sha256').update(name).digest('hex'), size: name.length, mediaType: 'application/pdf', ext: 'pdf', name, uploader: applicant.id, service: SERVICE, field, createdAt: new Date(0).toISOString() });
      return [id];
    };
    const data = {
      studentName: '赵一鸣', studentNumber: 'Y2023080105', college: 'jsj', phone: '13700000021', level: '硕士', degreeCategory: '学术学位',
      thesisTitle: '面向边缘计算的轻量级模型压缩方法研究', similarity: 6.3, reviewResult: '全部同意答辩',
      thesisFile: await upload('thesisFile', '答辩稿.pdf'), similarityReport: await upload('similarityReport', '检测报告.pdf'), reviewReports: await upload('reviewReports', '评阅意见.pdf'),
      defenseDate, defenseVenue: '信息楼 405会议室', secretaryName: '陈晨',
      committee: [
        { memberName: '李建国', memberTitle: '教授', memberUnit: '湖南大学', memberRole: '主席' },
        { memberName: '王芳', memberTitle: '教授', memberUnit: '江城大学计算机学院', memberRole: '委员' },
        { memberName: '刘强', memberTitle: '副教授', memberUnit: '江城大学计算机学院', memberRole: '委员' },
      ],
    };
    const engine = new Engine({ store, runtime, now: () => new Date(instant) });
    return engine.submit({ service: SERVICE, applicant, data });
  }

  it('accepts a defence ten work days away, counted over the 劳动节 holidays', async () => {
    const result = await submitAt('2026-04-27T02:00:00Z', '2026-05-13');
    expect(result.ok).toBe(true);
  });

  it('refuses one nine work days away, though eleven weekdays away', async () => {
    const result = await submitAt('2026-04-27T02:00:00Z', '2026-05-12');
    expect(result.ok ? [] : result.kind === 'invalid' ? result.fieldErrors.map((e) => e.field) : [result.kind]).toEqual(['defenseDate']);
  });

  it('counts from the date in the school\'s time zone, not the UTC date of the clock', async () => {
    const result = await submitAt('2026-04-27T17:00:00Z', '2026-05-13');
    expect(result.ok ? [] : result.kind === 'invalid' ? result.fieldErrors.map((e) => e.field) : [result.kind]).toEqual(['defenseDate']);
  });
});
