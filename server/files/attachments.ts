import { randomBytes } from 'node:crypto';
import type { FieldError, RuntimeDefinition } from '../../lib/runtime/index.ts';
import type { RuntimeField } from '../../generated/types/runtime/definition.ts';
import type { Row, Sql, Transaction } from '../store/store.ts';

/** One upload's metadata (the content is on disk under `sha256`). */
export interface AttachmentRecord {
  id: string;
  sha256: string;
  size: number;
  /** What the hall sniffed from the bytes, e.g. `application/pdf`, `text/csv; charset=gb18030`. */
  mediaType: string;
  /** The accepted extension the content was judged to be (`pdf`, `jpg` …). */
  ext: string;
  /** The client's file name, sanitised. */
  name: string;
  uploader: string;
  service: string;
  /** The form field: `proof`, or `table.column` for a file column of a table. */
  field: string;
  application?: string;
  createdAt: string;
  /** When the file was deleted at the end of its service's retention period (the row stays). */
  expired?: string;
}

/** A file field of a form: top-level (`proof`) or a column of a table (`members.photo`). */
export interface FileField {
  path: string;
  field: RuntimeField;
  /** The label people read (a column's is `表格名 / 列名`). */
  label: string;
}

/** An uploader may hold at most this many unsubmitted uploads per field for every file the field allows. */
export const UNBOUND_PER_FILE = 3;
/** Files a field allows when it sets no `maxFiles`. */
export const DEFAULT_MAX_FILES = 10;

/**
 * An attachment's id: 128 random bits, then the extension the content was judged to be. The form's file
 * field holds these ids, so the compiled form schema (which checks that each value ends with an accepted
 * extension) and the reference interpreter judge a runtime submission exactly as they judge a scenario's
 * file names; the runtime checks in addition that each id is a real upload of the submitter.
 */
export function newAttachmentId(ext: string): string {
  return `${randomBytes(16).toString('hex')}.${ext}`;
}

export const ATTACHMENT_ID = /^[0-9a-f]{32}\.[a-z0-9]{1,10}$/;

/** Every file field of a definition's form, by path. */
export function fileFieldsOf(definition: RuntimeDefinition): Map<string, FileField> {
  const fields = new Map<string, FileField>();
  for (const section of definition.form?.sections ?? []) {
    for (const field of section.fields) {
      if (field.type === 'file') fields.set(field.id, { path: field.id, field, label: field.label.zh });
      for (const column of field.type === 'table' ? (field.columns ?? []) : []) {
        if (column.type === 'file') fields.set(`${field.id}.${column.id}`, { path: `${field.id}.${column.id}`, field: column, label: `${field.label.zh} / ${column.label.zh}` });
      }
    }
  }
  return fields;
}

export async function insertAttachment(sql: Sql, record: AttachmentRecord): Promise<void> {
  await sql.run('INSERT INTO attachment (id, sha256, size_bytes, media_type, ext, name, uploader_id, service, field, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
    record.id,
    record.sha256,
    record.size,
    record.mediaType,
    record.ext,
    record.name,
    record.uploader,
    record.service,
    record.field,
    record.createdAt,
  ]);
}

export async function findAttachment(sql: Sql, id: string, lock = ''): Promise<AttachmentRecord | undefined> {
  const [row] = await sql.query(`SELECT * FROM attachment WHERE id = $1 ${lock}`, [id]);
  return row ? toAttachment(row) : undefined;
}

/** How many of a person's uploads for a field are not yet part of any application. */
export async function countUnbound(sql: Sql, uploader: string, service: string, field: string): Promise<number> {
  const [row] = await sql.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM attachment WHERE uploader_id = $1 AND service = $2 AND field = $3 AND application_id IS NULL', [uploader, service, field]);
  return Number(row.n);
}

/** The attachment ids a submission's file fields hold, by field path (table columns row by row). */
function idsByField(fields: Map<string, FileField>, values: Record<string, unknown>): { path: string; errorPath: string; ids: unknown[] }[] {
  const found: { path: string; errorPath: string; ids: unknown[] }[] = [];
  for (const path of fields.keys()) {
    const [top, column] = path.split('.');
    if (!Object.hasOwn(values, top)) continue;
    const value = values[top];
    if (!column) {
      if (Array.isArray(value)) found.push({ path, errorPath: path, ids: value });
      continue;
    }
    if (!Array.isArray(value)) continue;
    value.forEach((row, i) => {
      const cell = row && typeof row === 'object' ? (row as Record<string, unknown>)[column] : undefined;
      if (Array.isArray(cell)) found.push({ path, errorPath: `${top}.${i}.${column}`, ids: cell });
    });
  }
  return found;
}

/**
 * Check, under row locks, that every attachment id in a submission's file fields (all of `values`:
 * a first submission's data or a resubmission's changes) is a real upload of `person`, made for this
 * service and this field, and not part of another application (`application`: the one being resubmitted,
 * whose own attachments may stay). Field-level errors, Chinese first; `bind` then records the
 * attachments as the application's, in the same transaction.
 */
export async function claimAttachments(
  tx: Transaction,
  definition: RuntimeDefinition,
  input: { person: string; service: string; values: Record<string, unknown>; application?: string },
): Promise<{ errors: FieldError[]; bind: (application: string, at: string) => Promise<void> }> {
  const fields = fileFieldsOf(definition);
  const errors: FieldError[] = [];
  const claimed: string[] = [];
  for (const { path, errorPath, ids } of idsByField(fields, input.values)) {
    const label = fields.get(path)!.label;
    const fail = (zh: string, en: string) => errors.push({ field: errorPath, label, message: { zh, en } });
    const seen = new Set<string>();
    for (const id of ids) {
      if (typeof id !== 'string') continue;
      const record = ATTACHMENT_ID.test(id) ? await findAttachment(tx, id, tx.lockRow) : undefined;
      // Someone else's upload is answered as if it did not exist: ids are not to be probed.
      if (!record || record.uploader !== input.person) {
        fail(`附件“${id}”不存在或不是您上传的，请在这一项重新上传文件`, `attachment "${id}" does not exist or was not uploaded by you; upload the file in this field again`);
        continue;
      }
      if (seen.has(id) || claimed.includes(id)) {
        fail(`附件“${record.name}”重复提交了`, `attachment "${record.name}" is listed twice`);
        continue;
      }
      seen.add(id);
      if (record.service !== input.service || record.field !== path) {
        fail(`附件“${record.name}”是为其他事项或其他项目上传的，不能用于“${label}”，请在这一项重新上传`, `attachment "${record.name}" was uploaded for another service or field, not for "${label}"; upload it in this field again`);
        continue;
      }
      if (record.application && record.application !== input.application) {
        fail(`附件“${record.name}”已用于您的另一个申请，请在这一项重新上传`, `attachment "${record.name}" already belongs to another of your applications; upload it again here`);
        continue;
      }
      claimed.push(id);
    }
  }
  return {
    errors,
    async bind(application, at) {
      for (const id of claimed) await tx.run('UPDATE attachment SET application_id = $1, bound_at = $2 WHERE id = $3 AND application_id IS NULL', [application, at, id]);
    },
  };
}

function toAttachment(row: Row): AttachmentRecord {
  return {
    id: String(row.id),
    sha256: String(row.sha256),
    size: Number(row.size_bytes),
    mediaType: String(row.media_type),
    ext: String(row.ext),
    name: String(row.name),
    uploader: String(row.uploader_id),
    service: String(row.service),
    field: String(row.field),
    ...(row.application_id ? { application: String(row.application_id) } : {}),
    createdAt: String(row.created_at),
    ...(row.expired_at ? { expired: String(row.expired_at) } : {}),
  };
}
