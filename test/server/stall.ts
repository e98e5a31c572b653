import type { Engine } from '../../server/engine/engine.ts';
import { insertAttachment, newAttachmentId } from '../../server/files/attachments.ts';
import type { Store } from '../../server/store/store.ts';

/** 临时商业活动 (commercial-stall): two stalls over five days with power, hosted by 信息化中心. */
export const STALL = {
  hostUnit: 'xxzx', contactName: '孙老师', contactPhone: '13907310060', companyName: '中国移动通信集团湖南有限公司长沙分公司', creditCode: '91430100712106385X',
  companyContact: '邓强', companyPhone: '13974100001', businessType: '通信业务', targetsStudents: true, campus: '本部校区', area: '第一食堂门前东侧',
  period: { start: '2026-03-02', end: '2026-03-06' }, stallCount: 2, needPower: true, staffCount: 6,
  description: '为春季入学的研究生办理校园网融合套餐和校园卡，现场提供资费说明，不设消费门槛，不赠送礼品诱导办理。',
};

/**
 * 孙老师 (t-it) applies for the stalls of STALL (with `changes` over it), the three required files uploaded
 * by her; `fill` makes each run's file hashes its own.
 */
export async function submitStall(store: Store, engine: Engine, fill: string, changes: Partial<typeof STALL> = {}) {
  const data: Record<string, unknown> = { ...STALL, ...changes };
  for (const field of ['license', 'agreement', 'pledge']) {
    const id = newAttachmentId('pdf');
    await insertAttachment(store, { id, sha256: field.padEnd(64, fill), size: 10, mediaType: 'application/pdf', ext: 'pdf', name: `${field}.pdf`, uploader: 't-it', service: 'commercial-stall', field, createdAt: new Date().toISOString() });
    data[field] = [id];
  }
  const submitted = await engine.submit({ service: 'commercial-stall', applicant: { id: 't-it', attributes: { name: '孙老师', type: '教职工', department: 'xxzx', phone: '13907310060' } }, data, channel: 'pc' });
  if (!submitted.ok) throw new Error(JSON.stringify(submitted));
  return submitted;
}
