import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../engine/engine.ts';
import { ATTACHMENT_ID, DEFAULT_MAX_FILES, UNBOUND_PER_FILE, countUnbound, fileFieldsOf, findAttachment, insertAttachment, newAttachmentId } from '../files/attachments.ts';
import { FileStore, TooLargeError } from '../files/file-store.ts';
import { downloadName, sanitiseName } from '../files/names.ts';
import { judgeContent } from '../files/sniff.ts';
import { sensitiveDownload } from '../privacy/attachments.ts';

/** The signed-in person, or a reply already sent (401, or 403 for a state change without the CSRF token). */
export type SignedIn = (request: FastifyRequest, reply: FastifyReply, changes: boolean) => Promise<{ id: string; name: string } | undefined>;

export interface AttachmentRoutesOptions {
  engine: Engine;
  files: FileStore;
  signedIn: SignedIn;
}

/** A field that sets no `maxSizeMB` takes files up to this size. */
export const DEFAULT_MAX_SIZE_MB = 10;
/** Room for the multipart framing around the file when a declared Content-Length is judged before reading. */
const FRAMING_BYTES = 64 * 1024;

/**
 * Served files are never run or rendered by the browser as the hall's page: they download (`attachment`),
 * under the type sniffed at upload (`nosniff`), and if opened anyway they get no script, no plug-ins and no
 * requests (`sandbox`, `default-src 'none'`).
 */
const DOWNLOAD_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'private, no-store',
};

/**
 * `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266 / 8187): every browser in use reads the UTF-8
 * form, so Chinese names survive; the quoted form is an ASCII stand-in for the rest. The name was
 * sanitised at upload (no quotes, slashes or control characters), and both forms are escaped here again.
 */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const notFound = { error: 'not-found', message: { zh: '没有这个附件。', en: 'No such attachment.' } };

/**
 * Attachments (附件): `POST /api/attachments?service=…&field=…` takes one file (multipart, part `file`) for
 * a form's file field, judged by the field's limits and by its sniffed content, stored content-addressed;
 * its id goes into the form's field, and `engine.submit` binds it to the application. `GET
 * /api/attachments/:id` serves it to the uploader and to those who may see its application; to anyone
 * else it does not exist (404).
 */
export const attachmentRoutes: FastifyPluginAsync<AttachmentRoutesOptions> = async (app, { engine, files, signedIn }) => {
  await app.register(multipart, { throwFileSizeLimit: false, limits: { files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 100 } });

  app.post(
    '/api/attachments',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['service', 'field'],
          properties: {
            service: { type: 'string', minLength: 1, maxLength: 100 },
            field: { type: 'string', minLength: 1, maxLength: 200 },
            application: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
      },
    },
    async (request, reply) => {
      const person = await signedIn(request, reply, true);
      if (!person) return;
      const query = request.query as { service: string; field: string; application?: string };
      // A resubmission's files are judged by the version its application is pinned to; a new one's by the current version.
      let definition;
      if (query.application) {
        const application = await engine.application(query.application);
        if (!application || application.applicantId !== person.id || application.service !== query.service) return reply.code(404).send({ error: 'not-found', message: { zh: '没有这个申请。', en: 'No such application.' } });
        definition = engine.runtime.version(application.service, application.version);
      } else {
        const entry = engine.runtime.manifest.services.find((s) => s.id === query.service);
        if (!entry || !engine.runtime.definitions.get(query.service)) return reply.code(404).send({ error: 'not-found', message: { zh: `没有事项“${query.service}”。`, en: `No service "${query.service}".` } });
        definition = engine.runtime.current(query.service);
      }
      const target = fileFieldsOf(definition).get(query.field);
      if (!target) {
        return reply.code(404).send({ error: 'not-found', message: { zh: `“${query.service}”的表单中没有附件项“${query.field}”。`, en: `The form of "${query.service}" has no file field "${query.field}".` } });
      }
      const { field, label } = target;
      const fieldError = (zh: string, en: string) => ({ fieldErrors: [{ field: query.field, label, message: { zh, en } }] });
      const maxSizeMB = field.maxSizeMB ?? DEFAULT_MAX_SIZE_MB;
      const limit = Math.floor(maxSizeMB * 1024 * 1024);
      const tooLarge = () =>
        reply
          .code(413)
          .header('connection', 'close')
          .send({ error: 'too-large', message: { zh: `文件超过“${label}”的大小上限 ${maxSizeMB} MB。`, en: `The file is larger than the ${maxSizeMB} MB "${label}" allows.` }, ...fieldError(`文件不能超过 ${maxSizeMB} MB`, `at most ${maxSizeMB} MB per file`) });
      // A declared length past the limit is refused before a byte of the body is read.
      const declared = Number(request.headers['content-length'] ?? NaN);
      if (declared > limit + FRAMING_BYTES) return tooLarge();
      const allowed = (field.maxFiles ?? DEFAULT_MAX_FILES) * UNBOUND_PER_FILE;
      if ((await countUnbound(engine.store, person.id, query.service, query.field)) >= allowed) {
        return reply
          .code(429)
          .header('connection', 'close')
          .send({ error: 'too-many', message: { zh: `“${label}”已有 ${allowed} 个上传后尚未提交的文件，请先提交申请再上传。`, en: `"${label}" already has ${allowed} uploaded files not yet submitted; submit the application first.` } });
      }
      if (!request.isMultipart()) {
        return reply.code(406).send({ error: 'bad-request', message: { zh: '请以 multipart/form-data 上传文件（文件放在名为 file 的部分）。', en: 'Upload the file as multipart/form-data, in a part named "file".' } });
      }
      const part = await request.file({ limits: { fileSize: limit + 1 } });
      if (!part) return reply.code(400).send({ error: 'bad-request', message: { zh: '请求中没有文件（multipart 的 file 部分）。', en: 'The request carries no file (multipart part "file").' } });
      let staged;
      try {
        staged = await files.stage(part.file, limit);
      } catch (error) {
        if (error instanceof TooLargeError) return tooLarge();
        throw error;
      }
      if (staged.size === 0) {
        await files.discard(staged);
        return reply.code(422).send({ error: 'invalid', message: { zh: '文件是空的。', en: 'The file is empty.' }, ...fieldError('文件是空的', 'the file is empty') });
      }
      const judged = await judgeContent(staged.path, field.accept, part.filename);
      if (!judged.ok) {
        await files.discard(staged);
        return reply.code(415).send({ error: 'unsupported-type', message: judged.message, ...(judged.sniffed ? { sniffed: judged.sniffed } : {}), ...fieldError(judged.message.zh, judged.message.en) });
      }
      await files.commit(staged);
      const record = {
        id: newAttachmentId(judged.ext),
        sha256: staged.sha256,
        size: staged.size,
        mediaType: judged.mediaType,
        ext: judged.ext,
        name: sanitiseName(part.filename),
        uploader: person.id,
        service: query.service,
        field: query.field,
        createdAt: new Date().toISOString(),
      };
      await insertAttachment(engine.store, record);
      const { uploader: _uploader, ...shown } = record;
      return reply.code(201).send({ ok: true, attachment: shown });
    },
  );

  app.get('/api/attachments/:id', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const { id } = request.params as { id: string };
    const record = ATTACHMENT_ID.test(id) ? await findAttachment(engine.store, id) : undefined;
    if (!record) return reply.code(404).send(notFound);
    let allowed = record.uploader === person.id;
    if (!allowed && record.application) {
      const application = await engine.application(record.application);
      allowed = application !== undefined && (await engine.maySee(person.id, application));
    }
    if (!allowed) return reply.code(404).send(notFound);
    // A sensitive field's file: only entitled readers download it, and each download is recorded (server/privacy).
    const sensitive = await sensitiveDownload(engine, person.id, record);
    if (sensitive === 'refused') return reply.code(404).send(notFound);
    if (record.expired) return reply.code(410).send({ error: 'gone', message: { zh: '附件已过保存期限，文件已删除。', en: 'The attachment is past its retention period; the file was deleted.' } });
    const content = await files.read(record.sha256);
    if (!content) {
      request.log.error({ attachment: record.id, sha256: record.sha256 }, 'attachment content missing from the files folder');
      return reply.code(500).send({ error: 'internal', message: { zh: '附件文件缺失（可能恢复备份时漏了附件文件夹），请联系信息化办。', en: 'The attachment file is missing (was the files folder restored with the database?); contact the IT office.' } });
    }
    return reply
      .headers(DOWNLOAD_HEADERS)
      .header('content-type', record.mediaType)
      .header('content-length', String(record.size))
      .header('content-disposition', attachmentDisposition(downloadName(record.name, record.ext)))
      .send(content);
  });
};
