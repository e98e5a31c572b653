import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../engine/engine.ts';
import type { FileStore } from '../files/file-store.ts';
import { TooLargeError } from '../files/file-store.ts';
import { judgeContent } from '../files/sniff.ts';
import { currentImage, imageById, insertImage, mayUseSeal, usesBy } from '../privacy/signatures.ts';
import type { SignatureImage } from '../privacy/signatures.ts';
import type { SignedIn } from './attachments.ts';

/** A signature or seal image is small: a scan or a photo cut to the mark. */
export const MAX_SIGNATURE_BYTES = 1024 * 1024;
const IMAGE_TYPES = ['.png', '.jpg', '.jpeg'];

const notFound = { error: 'not-found', message: { zh: '没有这个签章图片。', en: 'No such signature image.' } };

/**
 * Signature and seal images through the attachments' file store (content-addressed, fsynced, sniffed):
 * `POST /api/signatures?kind=person` uploads the signed-in person's own signature; `?kind=seal&department=xgc`
 * a department's seal, by a holder of department-head@xgc only. `GET /api/signatures` lists the person's
 * marks and every use of them; `GET /api/signatures/:id` serves an image to its owner only. The 审批单
 * embeds the images it shows, so nobody else ever needs their address.
 */
export const signatureRoutes: FastifyPluginAsync<{ engine: Engine; files: FileStore; signedIn: SignedIn }> = async (app, { engine, files, signedIn }) => {
  await app.register(multipart, { throwFileSizeLimit: false, limits: { files: 1, fields: 4, fieldSize: 1024, parts: 5, headerPairs: 100 } });
  const store = engine.store;
  const owns = async (person: string, image: SignatureImage) => (image.kind === 'person' ? image.owner === person : mayUseSeal(store, person, image.owner));

  app.post(
    '/api/signatures',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: { kind: { enum: ['person', 'seal'] }, department: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$' } },
        },
      },
    },
    async (request, reply) => {
      const person = await signedIn(request, reply, true);
      if (!person) return;
      const query = request.query as { kind: 'person' | 'seal'; department?: string };
      let owner = person.id;
      if (query.kind === 'seal') {
        if (!query.department) return reply.code(400).send({ error: 'bad-request', message: { zh: '上传公章须写明部门代码（department）。', en: 'A seal upload names its department (department).' } });
        if (!(await mayUseSeal(store, person.id, query.department))) {
          return reply.code(403).send({ error: 'forbidden', message: { zh: `只有 ${query.department} 的部门负责人可以上传它的公章。`, en: `Only the head of ${query.department} may upload its seal.` } });
        }
        owner = query.department;
      }
      if (!request.isMultipart()) return reply.code(406).send({ error: 'bad-request', message: { zh: '请以 multipart/form-data 上传图片（放在名为 file 的部分）。', en: 'Upload the image as multipart/form-data, in a part named "file".' } });
      const part = await request.file({ limits: { fileSize: MAX_SIGNATURE_BYTES + 1 } });
      if (!part) return reply.code(400).send({ error: 'bad-request', message: { zh: '请求中没有文件。', en: 'The request carries no file.' } });
      const tooLarge = () => reply.code(413).header('connection', 'close').send({ error: 'too-large', message: { zh: '签章图片不能超过 1 MB。', en: 'A signature image is at most 1 MB.' } });
      let staged;
      try {
        staged = await files.stage(part.file, MAX_SIGNATURE_BYTES);
      } catch (error) {
        if (error instanceof TooLargeError) return tooLarge();
        throw error;
      }
      const judged = await judgeContent(staged.path, IMAGE_TYPES, part.filename);
      if (!judged.ok || staged.size === 0) {
        await files.discard(staged);
        return reply.code(415).send({ error: 'unsupported-type', message: { zh: '签章图片须为 PNG 或 JPEG。', en: 'A signature image must be PNG or JPEG.' } });
      }
      await files.commit(staged);
      const now = new Date();
      const image = await insertImage(store, { kind: query.kind, owner, sha256: staged.sha256, mediaType: judged.mediaType, size: staged.size, uploadedBy: person.id, createdAt: now.toISOString() }, now);
      request.log.info({ event: 'signature-uploaded', kind: image.kind, owner: image.owner, person: person.id }, 'signature image uploaded');
      return reply.code(201).send({ ok: true, signature: shown(image) });
    },
  );

  app.get('/api/signatures', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const own = await currentImage(store, 'person', person.id);
    const departments = (await store.query<{ scope: string }>('SELECT scope FROM membership WHERE person_id = $1 AND group_id = $2 ORDER BY scope', [person.id, 'department-head'])).map((r) => r.scope);
    const seals = (await Promise.all(departments.map((d) => currentImage(store, 'seal', d)))).filter((i): i is SignatureImage => !!i);
    return reply.send({ signatures: [...(own ? [own] : []), ...seals].map(shown), uses: await usesBy(store, person.id) });
  });

  app.get('/api/signatures/:id', async (request, reply) => {
    const person = await signedIn(request, reply, false);
    if (!person) return;
    const { id } = request.params as { id: string };
    const image = /^[0-9a-z]{1,40}$/.test(id) ? await imageById(store, id) : undefined;
    if (!image || !(await owns(person.id, image))) return reply.code(404).send(notFound);
    const content = await files.read(image.sha256);
    if (!content) return reply.code(500).send({ error: 'internal', message: { zh: '签章图片文件缺失，请联系信息化办。', en: 'The image file is missing; contact the IT office.' } });
    return reply.headers({ 'content-security-policy': "default-src 'none'; sandbox", 'cache-control': 'private, no-store' }).type(image.mediaType).send(content);
  });
};

function shown(image: SignatureImage) {
  return { id: image.id, kind: image.kind, owner: image.owner, mediaType: image.mediaType, size: image.size, createdAt: image.createdAt };
}
