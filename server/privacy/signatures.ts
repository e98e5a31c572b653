import type { RuntimeStep } from '../../generated/types/runtime/definition.ts';
import type { Message, TaskRecord } from '../engine/engine.ts';
import { newId } from '../engine/engine.ts';
import type { Sql } from '../store/store.ts';

/**
 * Signature and seal images (签名、公章). A person uploads their own signature; a department's seal is
 * uploaded by a holder of `department-head@<department>` (the department head group is its owner). Only
 * the owner uses it: a step declaring `signature: person` takes the approving person's own signature, one
 * declaring `signature: seal` takes the seal of the step's department and may be approved only by a
 * holder of that department's head group. Every use is recorded (signature_use) and printed on the 审批单.
 */

export type MarkKind = 'person' | 'seal';
export const SEAL_OWNER_GROUP = 'department-head';

export interface SignatureImage {
  id: string;
  kind: MarkKind;
  owner: string;
  sha256: string;
  mediaType: string;
  size: number;
  uploadedBy: string;
  createdAt: string;
}

/** The image an owner uses now: their newest upload. */
export async function currentImage(sql: Sql, kind: MarkKind, owner: string): Promise<SignatureImage | undefined> {
  const [row] = await sql.query('SELECT * FROM signature_image WHERE kind = $1 AND owner = $2 ORDER BY created_at DESC, id DESC LIMIT 1', [kind, owner]);
  return row ? toImage(row) : undefined;
}

export async function imageById(sql: Sql, id: string): Promise<SignatureImage | undefined> {
  const [row] = await sql.query('SELECT * FROM signature_image WHERE id = $1', [id]);
  return row ? toImage(row) : undefined;
}

export async function insertImage(sql: Sql, image: Omit<SignatureImage, 'id'>, now: Date): Promise<SignatureImage> {
  const id = newId(now);
  await sql.run('INSERT INTO signature_image (id, kind, owner, sha256, media_type, size_bytes, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
    id,
    image.kind,
    image.owner,
    image.sha256,
    image.mediaType,
    image.size,
    image.uploadedBy,
    image.createdAt,
  ]);
  return { id, ...image };
}

/** Whether a person may upload or use a department's seal: they hold its head group. */
export async function mayUseSeal(sql: Sql, person: string, department: string): Promise<boolean> {
  return (await sql.query('SELECT 1 AS yes FROM membership WHERE person_id = $1 AND group_id = $2 AND scope = $3', [person, SEAL_OWNER_GROUP, department])).length > 0;
}

/** The department whose seal a step asks for: its scope when scoped by department, else its department code. */
export function sealDepartment(step: RuntimeStep, task: TaskRecord): string {
  if (step.scope === 'department' || step.scope.startsWith('form.') || step.scope === 'applicant.college' || step.scope === 'applicant.department') return task.scope;
  return /^[a-z][a-z0-9-]*$/.test(step.department) ? step.department : task.scope;
}

/**
 * The mark an approval of this step needs, judged before the decision is written: the image to use, or
 * why the person cannot approve (no image uploaded; a seal they do not own). Steps without `signature`,
 * and decisions other than approve, need none.
 */
export async function markFor(sql: Sql, step: RuntimeStep | undefined, task: TaskRecord, person: string, action: string): Promise<{ image?: SignatureImage; refusal?: Message }> {
  if (!step?.signature || action !== 'approve') return {};
  if (step.signature === 'person') {
    const image = await currentImage(sql, 'person', person);
    if (!image) return { refusal: { zh: '本环节同意时须加盖您本人的签名：请先在“我的签名”中上传签名图片（PNG 或 JPEG）。', en: 'Approving this step needs your own signature: upload your signature image (PNG or JPEG) first.' } };
    return { image };
  }
  const department = sealDepartment(step, task);
  if (!(await mayUseSeal(sql, person, department))) {
    return { refusal: { zh: `本环节同意时须加盖 ${department} 的公章，公章只能由该部门负责人（${SEAL_OWNER_GROUP}@${department}）使用。`, en: `Approving this step needs the seal of ${department}, which only its head (${SEAL_OWNER_GROUP}@${department}) may use.` } };
  }
  const image = await currentImage(sql, 'seal', department);
  if (!image) return { refusal: { zh: `本环节同意时须加盖 ${department} 的公章：请部门负责人先上传公章图片。`, en: `Approving this step needs the seal of ${department}: its head must upload the seal image first.` } };
  return { image };
}

/** Record one use of a mark on a decision (in the decision's transaction). */
export async function recordUse(sql: Sql, image: SignatureImage, use: { application: string; task: string; step: string; person: string; at: string }, now: Date): Promise<void> {
  await sql.run('INSERT INTO signature_use (id, image_id, application_id, task_id, step, person_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    newId(now),
    image.id,
    use.application,
    use.task,
    use.step,
    use.person,
    use.at,
  ]);
}

export interface MarkUse {
  task: string;
  step: string;
  person: string;
  at: string;
  image: SignatureImage;
}

/** The marks used on an application's decisions, by task. */
export async function usesOf(sql: Sql, application: string): Promise<MarkUse[]> {
  const rows = await sql.query('SELECT u.task_id, u.step, u.person_id, u.at, i.* FROM signature_use u JOIN signature_image i ON i.id = u.image_id WHERE u.application_id = $1 ORDER BY u.at, u.id', [application]);
  return rows.map((r) => ({ task: String(r.task_id), step: String(r.step), person: String(r.person_id), at: String(r.at), image: toImage(r) }));
}

/** A person's uses of their marks (their own signature, and the seals they used), newest first. */
export async function usesBy(sql: Sql, person: string): Promise<{ application: string; step: string; kind: string; owner: string; at: string }[]> {
  const rows = await sql.query('SELECT u.application_id, u.step, u.at, i.kind, i.owner FROM signature_use u JOIN signature_image i ON i.id = u.image_id WHERE u.person_id = $1 OR (i.kind = $2 AND i.owner = $1) ORDER BY u.at DESC, u.id DESC LIMIT 500', [person, 'person']);
  return rows.map((r) => ({ application: String(r.application_id), step: String(r.step), kind: String(r.kind), owner: String(r.owner), at: String(r.at) }));
}

function toImage(row: Record<string, unknown>): SignatureImage {
  return {
    id: String(row.id),
    kind: row.kind as MarkKind,
    owner: String(row.owner),
    sha256: String(row.sha256),
    mediaType: String(row.media_type),
    size: Number(row.size_bytes),
    uploadedBy: String(row.uploaded_by),
    createdAt: String(row.created_at),
  };
}
