import type { AttachmentRecord } from '../files/attachments.ts';
import type { Engine } from '../engine/engine.ts';
import { readsInFull, recordFieldView } from './access.ts';
import { sensitiveFileFields } from './mask.ts';

/**
 * A download of an attachment the person may see (engine.maySee, or their own upload): `plain` when its field
 * is not sensitive or it is the uploader's own; `recorded` when it is a sensitive field's file and the
 * person reads the application in full (the download is recorded as a full view of that field);
 * `refused` otherwise (answered like an id that does not exist).
 */
export async function sensitiveDownload(engine: Engine, person: string, record: AttachmentRecord): Promise<'plain' | 'recorded' | 'refused'> {
  if (record.uploader === person || !record.application) return 'plain';
  const application = await engine.application(record.application);
  if (!application) return 'refused';
  const definition = engine.runtime.version(application.service, application.version);
  if (!sensitiveFileFields(definition).has(record.field)) return 'plain';
  if (!(await readsInFull(engine, person, application))) return 'refused';
  await recordFieldView(engine, person, application, [record.field], 'GET /api/attachments/:id');
  return 'recorded';
}
