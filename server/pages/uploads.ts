import type { FastifyRequest } from 'fastify';
import type { RuntimeDefinition } from '../../generated/types/runtime/definition.ts';
import type { Engine } from '../engine/engine.ts';
import { DEFAULT_MAX_FILES, UNBOUND_PER_FILE, countUnbound, fileFieldsOf, insertAttachment, newAttachmentId } from '../files/attachments.ts';
import { TooLargeError } from '../files/file-store.ts';
import type { FileStore } from '../files/file-store.ts';
import { sanitiseName } from '../files/names.ts';
import { judgeContent } from '../files/sniff.ts';
import { DEFAULT_MAX_SIZE_MB } from '../http/attachments.ts';
import type { FieldProblem, FormBody } from './fields.ts';

/**
 * A page form sent as multipart (a form with file fields, so it works without script): the text parts
 * become the body, and each file chosen in `u.<field>` is judged and stored exactly as
 * `POST /api/attachments` stores one (the field's size limit and accepted types, judged by content,
 * content-addressed, an `attachment` row), its id added to `f.<field>`; submitting then binds it as any
 * attachment id is bound. A refused file is a field error; nothing half-stored remains.
 */
export async function storeUploads(
  request: FastifyRequest,
  target: { engine: Engine; files: FileStore; person: () => Promise<{ id: string; csrf: string } | undefined>; service: string; definition: RuntimeDefinition },
): Promise<{ body: FormBody; problems: FieldProblem[] }> {
  const body: FormBody = new Map();
  const problems: FieldProblem[] = [];
  const fields = fileFieldsOf(target.definition);
  const add = (k: string, v: string) => body.set(k, [...(body.get(k) ?? []), v]);
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      add(part.fieldname, String(part.value));
      continue;
    }
    const fieldId = part.fieldname.replace(/^u\./, '');
    const found = part.fieldname.startsWith('u.') ? fields.get(fieldId) : undefined;
    // Files are stored only for a signed-in person whose form carried the session's CSRF token before its files (the hidden field comes first).
    const signed = await target.person();
    const person = signed && body.get('_csrf')?.[0] === signed.csrf ? signed : undefined;
    if (!found || !part.filename || !person) {
      part.file.resume();
      continue;
    }
    const { field, label } = found;
    const maxSizeMB = field.maxSizeMB ?? DEFAULT_MAX_SIZE_MB;
    const limit = Math.floor(maxSizeMB * 1024 * 1024);
    const refuse = (zh: string, en: string) => problems.push({ field: fieldId, label, message: { zh: `${part.filename}：${zh}`, en: `${part.filename}: ${en}` } });
    if ((await countUnbound(target.engine.store, person.id, target.service, fieldId)) >= (field.maxFiles ?? DEFAULT_MAX_FILES) * UNBOUND_PER_FILE) {
      part.file.resume();
      refuse('上传后尚未提交的文件太多，请先提交申请', 'too many uploaded files not yet submitted');
      continue;
    }
    let staged;
    try {
      staged = await target.files.stage(part.file, limit);
    } catch (error) {
      if (error instanceof TooLargeError) {
        refuse(`文件不能超过 ${maxSizeMB} MB`, `at most ${maxSizeMB} MB per file`);
        continue;
      }
      throw error;
    }
    if (staged.size === 0) {
      await target.files.discard(staged);
      refuse('文件是空的', 'the file is empty');
      continue;
    }
    const judged = await judgeContent(staged.path, field.accept, part.filename);
    if (!judged.ok) {
      await target.files.discard(staged);
      refuse(judged.message.zh, judged.message.en);
      continue;
    }
    await target.files.commit(staged);
    const id = newAttachmentId(judged.ext);
    await insertAttachment(target.engine.store, { id, sha256: staged.sha256, size: staged.size, mediaType: judged.mediaType, ext: judged.ext, name: sanitiseName(part.filename), uploader: person.id, service: target.service, field: fieldId, createdAt: new Date().toISOString() });
    add(`f.${fieldId}`, id);
  }
  return { body, problems };
}
