import type { RuntimeEvent } from '../../lib/runtime/index.ts';
import type { Engine } from '../engine/engine.ts';
import { newId } from '../engine/engine.ts';
import type { FileStore } from '../files/file-store.ts';

/** The end of a retention period that starts at `from` (an instant), in calendar days, months or years. */
export function retentionEnd(from: string, period: { value: number; unit: 'day' | 'month' | 'year' }): Date {
  const end = new Date(from);
  if (period.unit === 'day') end.setUTCDate(end.getUTCDate() + period.value);
  if (period.unit === 'month') end.setUTCMonth(end.getUTCMonth() + period.value);
  if (period.unit === 'year') end.setUTCFullYear(end.getUTCFullYear() + period.value);
  return end;
}

/**
 * Attachments past their service's retention period (privacy.attachmentRetention, counted from the day the
 * application ended: approved, rejected or withdrawn). Per application, in one transaction: the rows are
 * marked `expired_at` (a conditional update, so several processes sweeping at once expire each once) and
 * an `expired` event is written; after the commit, the files whose content no live row still uses are
 * deleted from the files folder. The application and its record then say 已过保存期限.
 * Returns how many attachments expired.
 */
export async function expireAttachments(engine: Engine, files: FileStore, now: Date): Promise<number> {
  const stamp = now.toISOString();
  const candidates = await engine.store.query<{ id: string; service: string; version: number | string; updated_at: string }>(
    "SELECT DISTINCT a.id, a.service, a.version, a.updated_at FROM application a JOIN attachment f ON f.application_id = a.id WHERE f.expired_at IS NULL AND a.status IN ('approved', 'rejected', 'withdrawn') ORDER BY a.updated_at, a.id",
  );
  let expired = 0;
  for (const candidate of candidates) {
    let retention;
    try {
      retention = engine.runtime.version(candidate.service, Number(candidate.version)).privacy?.attachmentRetention;
    } catch {
      continue;
    }
    if (!retention || retentionEnd(candidate.updated_at, retention) > now) continue;
    const hashes = await engine.store.transaction(async (tx) => {
      const rows = await tx.query<{ sha256: string }>('UPDATE attachment SET expired_at = $1 WHERE application_id = $2 AND expired_at IS NULL RETURNING sha256', [stamp, candidate.id]);
      if (!rows.length) return [];
      const [app] = await tx.query<{ applicant: string; channel: string }>('SELECT applicant, channel FROM application WHERE id = $1', [candidate.id]);
      const attributes = JSON.parse(app.applicant) as Record<string, unknown>;
      const applicant = Object.fromEntries(['type', 'college', 'department'].filter((k) => typeof attributes[k] === 'string').map((k) => [k, attributes[k]]));
      const body: RuntimeEvent = {
        type: 'expired',
        at: stamp,
        instance: candidate.id,
        service: candidate.service,
        version: Number(candidate.version),
        ...(Object.keys(applicant).length ? { applicant } : {}),
        channel: app.channel,
        comment: `附件已过保存期限（${retention.value}${{ day: '日', month: '个月', year: '年' }[retention.unit]}），${rows.length} 个文件已删除。`,
      } as RuntimeEvent;
      await tx.run('INSERT INTO event (id, application_id, at, type, body) VALUES ($1, $2, $3, $4, $5)', [newId(now), candidate.id, stamp, 'expired', JSON.stringify(body)]);
      expired += rows.length;
      return rows.map((r) => r.sha256);
    });
    for (const sha256 of new Set(hashes)) {
      // Content is stored once per hash: keep it while another live attachment or a signature image uses it.
      const [live] = await engine.store.query<{ n: number | string }>(
        'SELECT (SELECT COUNT(*) FROM attachment WHERE sha256 = $1 AND expired_at IS NULL) + (SELECT COUNT(*) FROM signature_image WHERE sha256 = $1) AS n',
        [sha256],
      );
      if (Number(live.n) === 0) await files.remove(sha256);
    }
  }
  return expired;
}

/** How long an upload no application was submitted with (and no saved draft names) is kept. */
export const UNSUBMITTED_UPLOAD_DAYS = 7;

/**
 * Uploads nobody submitted: a person uploads a file for a form and never submits it (closed the tab, chose
 * another file). Such a file is personal data with no purpose left (个人信息保护法第十九条: kept no longer than
 * the purpose needs), so after UNSUBMITTED_UPLOAD_DAYS it is deleted, row and file, unless the uploader's saved
 * draft of that service still names it. One conditional DELETE, so several processes sweeping at once delete
 * each upload once; content another row or a signature image still uses is kept. Returns how many were deleted.
 */
export async function discardUnsubmittedUploads(engine: Engine, files: FileStore, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - UNSUBMITTED_UPLOAD_DAYS * 86_400_000).toISOString();
  const rows = await engine.store.query<{ sha256: string }>(
    `DELETE FROM attachment WHERE application_id IS NULL AND created_at < $1
       AND NOT EXISTS (SELECT 1 FROM draft d WHERE d.person_id = attachment.uploader_id AND d.service = attachment.service AND d.data LIKE '%' || attachment.id || '%')
     RETURNING sha256`,
    [cutoff],
  );
  for (const sha256 of new Set(rows.map((r) => r.sha256))) {
    const [live] = await engine.store.query<{ n: number | string }>(
      'SELECT (SELECT COUNT(*) FROM attachment WHERE sha256 = $1 AND expired_at IS NULL) + (SELECT COUNT(*) FROM signature_image WHERE sha256 = $1) AS n',
      [sha256],
    );
    if (Number(live.n) === 0) await files.remove(sha256);
  }
  return rows.length;
}
