import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../server/files/file-store.ts';
import { sanitiseName } from '../../server/files/names.ts';
import { judgeContent } from '../../server/files/sniff.ts';
import { DIRECTORY, hallProcesses } from './processes.ts';
import { STORE_KINDS, storeFactory } from './stores.ts';

const stores = storeFactory();
const { serve } = hallProcesses();

// --- real content of each type (file-type judges the bytes, so these must be the real thing) -------------

const pdf = (text: string) => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
/** A JPEG's start (SOI + JFIF APP0): what file-type reads. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]), Buffer.alloc(64, 0x11), Buffer.from([0xff, 0xd9])]);
/** A Windows executable's DOS header. */
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(64), Buffer.from('PE\0\0'), Buffer.alloc(200)]);

/** A real zip archive (stored, one entry). */
function zip(name: string, content: Buffer): Buffer {
  const n = Buffer.from(name);
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12);
  end.writeUInt32LE(30 + n.length + content.length, 16);
  return Buffer.concat([local, n, content, central, n, end]);
}

const BOUNDARY = '----hall-test-boundary-7f3a';
/** A multipart body with one file part; the name goes in raw (control characters included), as a hostile client would send it. */
function multipart(filename: string, content: Buffer, type = 'application/pdf'): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`, 'utf8'),
    content,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

type Reply = { status: number; headers: Headers; body: Record<string, any>; bytes: Buffer };

/** A signed-in client over HTTP: session cookie, CSRF token on changes, uploads as multipart. */
async function client(base: string, person: string) {
  const login = await fetch(`${base}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person }) });
  expect(login.status).toBe(200);
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const { csrf } = (await login.json()) as { csrf: string };
  const read = async (res: Response): Promise<Reply> => {
    const bytes = Buffer.from(await res.arrayBuffer());
    const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: res.status, headers: res.headers, body: json ? JSON.parse(bytes.toString()) : {}, bytes };
  };
  return {
    cookie,
    csrf,
    get: async (url: string) => read(await fetch(`${base}${url}`, { headers: { cookie } })),
    post: async (url: string, body: unknown) =>
      read(await fetch(`${base}${url}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) })),
    upload: async (query: string, filename: string, content: Buffer, options: { csrf?: string | null; type?: string } = {}) =>
      read(
        await fetch(`${base}/api/attachments?${query}`, {
          method: 'POST',
          headers: { cookie, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...(options.csrf === null ? {} : { 'x-csrf-token': options.csrf ?? csrf }) },
          body: multipart(filename, content, options.type),
        }),
      ),
  };
}

const PROOF = 'service=student-leave&field=proof';
const leave = { studentName: '李雨桐', studentNumber: '2022020315', phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-06' }, days: 5, leaveCampus: false, reason: '急性肠胃炎住院治疗' };
/** 张晓明's leave: the form prefills his name, number and phone read-only from the directory. */
const classmateLeave = { ...leave, studentName: '张晓明', studentNumber: '2023010101', phone: '13800000001' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Every file under the attachments folder except the staging folder, relative. */
const stored = (dir: string) => (readdirSync(dir, { recursive: true }) as string[]).filter((f) => !f.startsWith('tmp') && statSync(path.join(dir, f)).isFile());

describe.each(STORE_KINDS)('attachments on %s', (kind) => {
  let url: string;
  let files: string;
  beforeAll(async () => {
    files = mkdtempSync(path.join(tmpdir(), 'hall-files-'));
    const events = mkdtempSync(path.join(tmpdir(), 'hall-events-'));
    ({ url } = await serve(['--dev', '--directory', DIRECTORY, '--events', events, '--files', files, '--store', await stores.location(kind)]));
  });

  it('uploads, submits with the ids, and lets the approvers who may see the application download — nobody else', async () => {
    const student = await client(url, '2022020315');
    const classmate = await client(url, '2023010101');
    const counselor = await client(url, 't-wang');
    const otherCounselor = await client(url, 't-liu');
    const deputy = await client(url, 't-chen');
    const content = pdf(`diagnosis ${kind}`);

    const up = await student.upload(PROOF, '诊断证明.pdf', content);
    expect(up.status).toBe(201);
    const attachment = up.body.attachment;
    expect(attachment).toMatchObject({ name: '诊断证明.pdf', size: content.length, mediaType: 'application/pdf', ext: 'pdf', sha256: sha(content), service: 'student-leave', field: 'proof' });
    expect(attachment.id).toMatch(/^[0-9a-f]{32}\.pdf$/);
    expect(existsSync(path.join(files, sha(content).slice(0, 2), sha(content).slice(2, 4), sha(content)))).toBe(true);

    const created = await student.post('/api/applications', { service: 'student-leave', data: { ...leave, proof: [attachment.id] } });
    expect(created.status).toBe(201);
    const application = created.body.application.id;

    const download = await counselor.get(`/api/attachments/${attachment.id}`);
    expect(download.status).toBe(200);
    expect(download.bytes.equals(content)).toBe(true);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(download.headers.get('content-security-policy')).toContain('sandbox');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(download.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('诊断证明.pdf')}`);
    expect((await student.get(`/api/attachments/${attachment.id}`)).status).toBe(200);

    // Not the applicant, not holding a step of it, never acted on it: the attachment does not exist for them.
    const missing = await classmate.get(`/api/attachments/${'0'.repeat(32)}.pdf`);
    expect(missing.status).toBe(404);
    for (const stranger of [classmate, otherCounselor, deputy]) {
      const res = await stranger.get(`/api/attachments/${attachment.id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(missing.body);
    }
    expect((await fetch(`${url}/api/attachments/${attachment.id}`)).status).toBe(401);

    // Once the counselor approves, the deputy's step is open: the deputy may see the application and its files.
    const [task] = (await counselor.get('/api/tasks')).body.tasks.filter((t: { application: string }) => t.application === application);
    expect((await counselor.post(`/api/tasks/${task.id}/decision`, { action: 'approve' })).status).toBe(200);
    expect((await deputy.get(`/api/attachments/${attachment.id}`)).status).toBe(200);
    expect((await counselor.get(`/api/attachments/${attachment.id}`)).status).toBe(200);
    expect((await otherCounselor.get(`/api/attachments/${attachment.id}`)).status).toBe(404);
  });

  it('refuses ids that are not the submitter’s own uploads for this field, field by field in Chinese', async () => {
    const student = await client(url, '2022020315');
    const classmate = await client(url, '2023010101');
    const own = (await student.upload(PROOF, 'a.pdf', pdf(`own ${kind}`))).body.attachment.id;

    // The classmate cannot bind the student's unsubmitted upload, and is told no more than for an id that does not exist.
    const stolen = await classmate.post('/api/applications', { service: 'student-leave', data: { ...classmateLeave, proof: [own] } });
    expect(stolen.status).toBe(422);
    expect(stolen.body.fieldErrors).toEqual([{ field: 'proof', label: '证明材料', message: { zh: `附件“${own}”不存在或不是您上传的，请在这一项重新上传文件`, en: expect.any(String) } }]);
    const invented = await classmate.post('/api/applications', { service: 'student-leave', data: { ...classmateLeave, proof: [`${'1'.repeat(32)}.pdf`] } });
    expect(invented.body.fieldErrors[0].message.zh).toContain('不存在或不是您上传的');
    // A file name (as a scenario writes it) is no upload either.
    expect((await student.post('/api/applications', { service: 'student-leave', data: { ...leave, proof: ['诊断证明.pdf'] } })).body.fieldErrors[0].message.zh).toContain('不存在或不是您上传的');

    // Other field errors are reported beside it, in one answer.
    const both = await classmate.post('/api/applications', { service: 'student-leave', data: { ...classmateLeave, days: 100, proof: [own] } });
    expect(both.body.fieldErrors.map((e: { field: string }) => e.field).sort()).toEqual(['days', 'proof']);

    // The refused attempts bound nothing: the owner still can.
    const first = await student.post('/api/applications', { service: 'student-leave', data: { ...leave, proof: [own] } });
    expect(first.status).toBe(201);
    // …but only to one application.
    const second = await student.post('/api/applications', { service: 'student-leave', data: { ...leave, proof: [own] } });
    expect(second.status).toBe(422);
    expect(second.body.fieldErrors[0]).toMatchObject({ field: 'proof', message: { zh: '附件“a.pdf”已用于您的另一个申请，请在这一项重新上传' } });

    // An upload made for another service's field does not fit this one, even when its type would.
    const photo = await student.upload('service=campus-card-replacement&field=photo', '证件照.jpg', JPEG, { type: 'image/jpeg' });
    expect(photo.status).toBe(201);
    const misplaced = await student.post('/api/applications', { service: 'student-leave', data: { ...leave, proof: [photo.body.attachment.id] } });
    expect(misplaced.body.fieldErrors[0].message.zh).toContain('是为其他事项或其他项目上传的');

    // Listing one upload twice is caught.
    const twice = (await student.upload(PROOF, 'b.pdf', pdf(`twice ${kind}`))).body.attachment.id;
    const doubled = await student.post('/api/applications', { service: 'student-leave', data: { ...leave, proof: [twice, twice] } });
    expect(doubled.body.fieldErrors[0].message.zh).toContain('重复');
  });

  it('checks the ids a returned application is resubmitted with, and binds the new ones', async () => {
    const student = await client(url, '2022020315');
    const classmate = await client(url, '2023010101');
    const counselor = await client(url, 't-wang');
    const created = await student.post('/api/applications', { service: 'student-leave', data: leave });
    const id = created.body.application.id;
    const [task] = (await counselor.get('/api/tasks')).body.tasks.filter((t: { application: string }) => t.application === id);
    expect((await counselor.post(`/api/tasks/${task.id}/decision`, { action: 'return', comment: '请上传医院诊断证明' })).status).toBe(200);

    const theirs = (await classmate.upload(PROOF, 'x.pdf', pdf(`classmate ${kind}`))).body.attachment.id;
    const refused = await student.post(`/api/applications/${id}/resubmit`, { changes: { proof: [theirs] } });
    expect(refused.status).toBe(422);
    expect(refused.body.fieldErrors[0]).toMatchObject({ field: 'proof' });
    // Uploading for a returned application: judged by the version it is pinned to; someone else's application is not found.
    expect((await classmate.upload(`${PROOF}&application=${id}`, 'y.pdf', pdf('y'))).status).toBe(404);
    const mine = await student.upload(`${PROOF}&application=${id}`, '住院证明.pdf', pdf(`resubmit ${kind}`));
    expect(mine.status).toBe(201);
    const resubmitted = await student.post(`/api/applications/${id}/resubmit`, { changes: { proof: [mine.body.attachment.id] } });
    expect(resubmitted.status).toBe(200);
    expect((await counselor.get(`/api/attachments/${mine.body.attachment.id}`)).status).toBe(200);
  });

  it('judges the type by the bytes: a .pdf that is an executable or a zip is refused; a real PNG under a .pdf name is a PNG', async () => {
    const student = await client(url, '2022020315');
    const before = stored(files).length;
    for (const [name, content, sniffed] of [
      ['report.pdf', EXE, 'application/x-msdownload'],
      ['scan.pdf', zip('readme.txt', Buffer.from('hello')), 'application/zip'],
    ] as const) {
      const res = await student.upload(PROOF, name, content, { type: 'application/pdf' });
      expect(res.status).toBe(415);
      expect(res.body.sniffed).toBe(sniffed);
      expect(res.body.fieldErrors[0]).toMatchObject({ field: 'proof', label: '证明材料' });
      expect(res.body.message.zh).toContain('只接受 pdf、jpg、png');
    }
    const html = await student.upload(PROOF, 'page.pdf', Buffer.from('<html><script>alert(1)</script></html>'), { type: 'application/pdf' });
    expect(html.status).toBe(415);
    expect(html.body.message.zh).toContain('无法识别文件内容的类型');
    expect(stored(files).length).toBe(before);

    const png = await student.upload(PROOF, 'scan.pdf', PNG, { type: 'application/pdf' });
    expect(png.status).toBe(201);
    expect(png.body.attachment).toMatchObject({ mediaType: 'image/png', ext: 'png' });
    expect(png.body.attachment.id).toMatch(/\.png$/);
    const got = await student.get(`/api/attachments/${png.body.attachment.id}`);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-disposition')).toContain("filename*=UTF-8''scan.png");

    expect((await student.upload(PROOF, 'empty.pdf', Buffer.alloc(0))).status).toBe(422);
  });

  it('neutralises path traversal and control characters in names; Chinese names survive', async () => {
    const student = await client(url, '2022020315');
    // Sent raw, kept sanitised, offered under the sniffed type's extension.
    const cases: [string, string, string][] = [
      ['../../etc/passwd', 'passwd', 'passwd.pdf'],
      ['..\\..\\windows\\win.ini', 'win.ini', 'win.pdf'],
      ['报告\u0007\u202Efdp.exe.pdf', '报告fdp.exe.pdf', '报告fdp.exe.pdf'],
      ['..', '附件', '附件.pdf'],
      ['a\\"; filename=evil.exe', 'a_; filename=evil.exe', 'a_; filename=evil.pdf'],
      ['请假 证明（第2页）.pdf', '请假 证明（第2页）.pdf', '请假 证明（第2页）.pdf'],
    ];
    for (const [raw, kept, offeredAs] of cases) {
      const content = pdf(`name ${raw} ${kind}`);
      const res = await student.upload(PROOF, raw, content);
      expect(res.status).toBe(201);
      expect(res.body.attachment.name).toBe(kept);
      const got = await student.get(`/api/attachments/${res.body.attachment.id}`);
      const disposition = got.headers.get('content-disposition')!;
      const offered = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)![1]);
      expect(offered).toBe(offeredAs);
      expect(disposition).toMatch(/^attachment; filename="[\x20-\x21\x23-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~-]+$/);
      expect(offered).not.toMatch(/[/\\\u0000-\u001f\u202e]/);
      expect(disposition).not.toMatch(/[\r\n]/);
    }
    // Nothing was written anywhere but the attachments folder's hash paths.
    for (const file of stored(files)) expect(file).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  });

  it('stores identical content once, under its sha256, however often it is uploaded', async () => {
    const student = await client(url, '2022020315');
    const classmate = await client(url, '2023010101');
    const content = pdf(`same content ${kind}`);
    const a = await student.upload(PROOF, '第一次.pdf', content);
    const b = await student.upload(PROOF, '第二次.pdf', content);
    const c = await classmate.upload(PROOF, 'copy.pdf', content);
    const ids = [a, b, c].map((r) => r.body.attachment.id);
    expect(new Set(ids).size).toBe(3);
    expect(stored(files).filter((f) => f.endsWith(sha(content)))).toEqual([path.join(sha(content).slice(0, 2), sha(content).slice(2, 4), sha(content))]);
    // Sharing the bytes shares nothing else: the classmate's copy is still the classmate's.
    expect((await student.get(`/api/attachments/${ids[2]}`)).status).toBe(404);
    expect((await classmate.get(`/api/attachments/${ids[0]}`)).status).toBe(404);
    expect((await classmate.get(`/api/attachments/${ids[2]}`)).bytes.equals(content)).toBe(true);
  });

  it('refuses an upload without the CSRF token, or with a forged one, before reading it', async () => {
    const student = await client(url, '2022020315');
    const content = pdf(`csrf ${kind}`);
    for (const csrf of [null, 'forged']) {
      const res = await student.upload(PROOF, 'a.pdf', content, { csrf });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('csrf');
    }
    expect(stored(files).some((f) => f.endsWith(sha(content)))).toBe(false);
  });

  it('refuses a file larger than the field allows while it streams, keeping nothing of it', async () => {
    const student = await client(url, '2022020315');
    // Chunked (no declared length): the limit (student-leave proof: 10 MB) is found while counting.
    const total = 40 * 1024 * 1024;
    const { status, body, written } = await streamUpload(url, PROOF, student, total, false);
    expect(status).toBe(413);
    expect(body.message.zh).toContain('10 MB');
    expect(body.fieldErrors[0]).toMatchObject({ field: 'proof' });
    // The answer came before the client had sent it all: the server did not wait for (or hold) the whole body.
    expect(written).toBeLessThan(total);
    // A declared length past the limit is refused before any of the body is read.
    const declared = await streamUpload(url, PROOF, student, total, true);
    expect(declared.status).toBe(413);
    expect(declared.written).toBeLessThan(10 * 1024 * 1024);
    expect(stored(files).filter((f) => statSync(path.join(files, f)).size > 10 * 1024 * 1024)).toEqual([]);
    expect(readdirSync(path.join(files, 'tmp'))).toEqual([]);
    // Exactly at the limit is fine (campus-card photo: 2 MB, JPEG).
    const atLimit = Buffer.concat([JPEG.subarray(0, JPEG.length - 2), Buffer.alloc(2 * 1024 * 1024 - JPEG.length, 0x20), Buffer.from([0xff, 0xd9])]);
    expect((await student.upload('service=campus-card-replacement&field=photo', 'photo.jpg', atLimit, { type: 'image/jpeg' })).status).toBe(201);
    expect((await student.upload('service=campus-card-replacement&field=photo', 'photo.jpg', Buffer.concat([atLimit, Buffer.from('x')]), { type: 'image/jpeg' })).status).toBe(413);
  });

  it('counts files against the field: maxFiles at submission, and a cap on uploads never submitted', async () => {
    const classmate = await client(url, '2023010101');
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await classmate.upload(PROOF, `${i}.pdf`, pdf(`count ${i} ${kind}`))).body.attachment.id);
    const six = await classmate.post('/api/applications', { service: 'student-leave', data: { ...leave, studentName: '张晓明', proof: ids } });
    expect(six.status).toBe(422);
    expect(six.body.fieldErrors).toContainEqual(expect.objectContaining({ field: 'proof', message: expect.objectContaining({ zh: '最多 5 项' }) }));
    // The campus-card photo allows 1 file: 3 uploads may wait unsubmitted, the 4th is refused.
    const photo = 'service=campus-card-replacement&field=photo';
    for (let i = 0; i < 3; i++) expect((await classmate.upload(photo, 'p.jpg', JPEG, { type: 'image/jpeg' })).status).toBe(201);
    const fourth = await classmate.upload(photo, 'p.jpg', JPEG, { type: 'image/jpeg' });
    expect(fourth.status).toBe(429);
    expect(fourth.body.message.zh).toContain('尚未提交');
  });

  it('says so when a file is missing from the files folder (a restore without it)', async () => {
    const student = await client(url, '2022020315');
    const content = pdf(`lost ${kind}`);
    const { id } = (await student.upload(PROOF, 'lost.pdf', content)).body.attachment;
    rmSync(path.join(files, sha(content).slice(0, 2), sha(content).slice(2, 4), sha(content)));
    const res = await student.get(`/api/attachments/${id}`);
    expect(res.status).toBe(500);
    expect(res.body.message.zh).toContain('附件文件缺失');
  });

  it('answers 404 for a service or field without attachments', async () => {
    const student = await client(url, '2022020315');
    expect((await student.upload('service=no-such-service&field=proof', 'a.pdf', pdf('x'))).status).toBe(404);
    expect((await student.upload('service=student-leave&field=reason', 'a.pdf', pdf('x'))).status).toBe(404);
    const json = await fetch(`${url}/api/attachments?${PROOF}`, { method: 'POST', headers: { cookie: student.cookie, 'x-csrf-token': student.csrf, 'content-type': 'application/json' }, body: '{"file":"x"}' });
    expect(json.status).toBe(406);
    expect(((await json.json()) as { message: { zh: string } }).message.zh).toContain('multipart/form-data');
  });
});

/**
 * Upload a `total`-byte PDF-looking body through node:http, 256 KiB at a time, and report the answer and how
 * much had been written when it came. `declare` sends a Content-Length; otherwise the body is chunked.
 */
function streamUpload(base: string, query: string, who: { cookie: string; csrf: string }, total: number, declare: boolean): Promise<{ status: number; body: Record<string, any>; written: number }> {
  const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const chunk = Buffer.alloc(256 * 1024, 0x41);
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = httpRequest(`${base}/api/attachments?${query}`, {
      method: 'POST',
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...(declare ? { 'content-length': String(head.length + total + tail.length) } : {}) },
    });
    req.on('response', (res) => {
      answered = true;
      const at = written;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(parts).toString()), written: at }));
    });
    // The server closes the connection on refusing: writes after that fail, which is the point.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    // Paced like a real client on a network, so an answer sent mid-body is read before the server hangs up.
    const pump = async () => {
      req.write(head);
      while (!answered && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        await new Promise((r) => setTimeout(r, 2));
      }
      if (!answered) req.end(tail);
    };
    void pump();
  });
}

describe('an upload killed half-way', () => {
  it('leaves no half file where readers look', async () => {
    const files = mkdtempSync(path.join(tmpdir(), 'hall-files-'));
    const { url, process: server } = await serve(['--dev', '--directory', DIRECTORY, '--files', files, '--store', await stores.location('sqlite')]);
    const student = await client(url, '2022020315');
    const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="half.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${url}/api/attachments?${PROOF}`, { method: 'POST', headers: { cookie: student.cookie, 'x-csrf-token': student.csrf, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
      req.on('error', () => resolve());
      req.write(head);
      let sent = 0;
      const tick = setInterval(() => {
        req.write(Buffer.alloc(64 * 1024, 0x42));
        sent += 1;
        // Some of it is on the server's disk, in staging, when the server dies.
        if (sent === 20) {
          server.kill('SIGKILL');
          clearInterval(tick);
          setTimeout(resolve, 500);
        }
      }, 10);
    });
    await server;
    expect(stored(files)).toEqual([]);
  });
});

describe('the files folder at start', () => {
  it('clears staging files left by uploads killed over an hour ago, and keeps those of uploads under way', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hall-files-'));
    mkdirSync(path.join(root, 'tmp'));
    writeFileSync(path.join(root, 'tmp', 'old.part'), 'x');
    writeFileSync(path.join(root, 'tmp', 'fresh.part'), 'y');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(path.join(root, 'tmp', 'old.part'), twoHoursAgo, twoHoursAgo);
    await FileStore.open(root);
    expect(readdirSync(path.join(root, 'tmp'))).toEqual(['fresh.part']);
  });
});

describe('judging content that has no signature (text)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hall-sniff-'));
  const file = (name: string, content: Buffer) => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const gb18030 = Buffer.from([0xd1, 0xa7, 0xba, 0xc5, 0x2c, 0xd0, 0xd5, 0xc3, 0xfb, 0x0d, 0x0a, 0x32, 0x30, 0x32, 0x32, 0x2c, 0xc0, 0xee, 0xd3, 0xea, 0xcd, 0xa9, 0x0d, 0x0a]); // 学号,姓名\r\n2022,李雨桐\r\n

  it.each([
    ['UTF-8 CSV (with BOM)', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('学号,姓名\n2022020315,李雨桐\n')]), 'list.csv', 'csv', 'text/csv; charset=utf-8'],
    ['GB18030 CSV saved by Excel', gb18030, 'list.csv', 'csv', 'text/csv; charset=gb18030'],
    ['plain text named .txt', Buffer.from('情况说明：\t已住院。\r\n'), '说明.txt', 'txt', 'text/plain; charset=utf-8'],
    ['text under another name: the first accepted text type', Buffer.from('a,b\n'), 'list.dat', 'csv', 'text/csv; charset=utf-8'],
  ])('accepts %s where .csv/.txt are allowed', async (_name, content, original, ext, mediaType) => {
    expect(await judgeContent(file(original.replace(/[^a-z.]/g, 'x'), content), ['.csv', '.txt'], original)).toEqual({ ok: true, ext, mediaType });
  });

  it.each([
    ['binary with NUL bytes', Buffer.from([0x41, 0x00, 0x42, 0x01, 0x02])],
    ['control characters', Buffer.from('abc\u001b[31mred')],
    ['an executable named .csv', EXE],
    ['a zip named .csv', zip('a.csv', Buffer.from('a,b'))],
  ])('refuses %s where .csv/.txt are allowed', async (_name, content) => {
    const judged = await judgeContent(file('x.csv', content), ['.csv', '.txt'], 'x.csv');
    expect(judged.ok).toBe(false);
  });

  it('refuses text where the field lists no text type', async () => {
    const judged = await judgeContent(file('y.pdf', Buffer.from('just words')), ['.pdf'], 'y.pdf');
    expect(judged).toMatchObject({ ok: false, message: { zh: expect.stringContaining('无法识别') } });
  });

  it('accepts a .doc as the OLE compound file file-type reports, and JPEG under .jpeg', async () => {
    const cfb = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    expect(await judgeContent(file('a.doc', cfb), ['.pdf', '.doc'], 'a.doc')).toMatchObject({ ok: true, ext: 'doc' });
    expect(await judgeContent(file('b.jpeg', JPEG), ['.jpeg'], 'photo.jpeg')).toMatchObject({ ok: true, ext: 'jpeg', mediaType: 'image/jpeg' });
  });

  it('takes only documents and photos where a field lists no accept', async () => {
    expect(await judgeContent(file('n.pdf', pdf('n')), undefined, 'n.pdf')).toMatchObject({ ok: true, ext: 'pdf' });
    expect(await judgeContent(file('n.exe', EXE), undefined, 'n.exe')).toMatchObject({ ok: false, sniffed: 'application/x-msdownload' });
    expect(await judgeContent(file('n.zip', zip('a', Buffer.from('a'))), [], 'n.zip')).toMatchObject({ ok: false });
  });

  it('keeps a sanitised name short and visible', () => {
    const long = sanitiseName(`${'长'.repeat(300)}.pdf`);
    expect([...long].length).toBeLessThanOrEqual(120);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255);
    expect(sanitiseName(`${'a'.repeat(300)}.pdf`)).toBe('a'.repeat(120));
    expect(sanitiseName('a\u200Bb\u0000c.pdf')).toBe('abc.pdf');
    expect(sanitiseName('CON.pdf')).toBe('附件');
  });
});
