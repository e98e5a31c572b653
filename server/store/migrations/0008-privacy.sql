-- servicehall 0009: privacy (个人信息保护法). Portable SQL (SQLite and PostgreSQL).

-- Every full view of an application's personal fields (sensitive fields, ID-card and phone numbers) by
-- someone other than its applicant: who, when, which application, which fields, through which route.
-- Only ever inserted; the IT office lists it at GET /api/admin/field-views.
CREATE TABLE field_view (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES application (id),
  service TEXT NOT NULL,
  person_id TEXT NOT NULL,
  fields TEXT NOT NULL,
  route TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX field_view_by_at ON field_view (at);
CREATE INDEX field_view_by_application ON field_view (application_id);

-- An attachment past its service's retention period: its bytes were deleted from the files folder (unless
-- another live row shares the content) when `expired_at` was set; the row stays so the application can say so.
ALTER TABLE attachment ADD COLUMN expired_at TEXT;

-- Signature and seal images (签名、公章): a person's own signature (`kind` person, `owner` the person's id) or a
-- department's seal (`kind` seal, `owner` the department code), uploaded by the owner (for a seal: a holder
-- of department-head@owner). The newest row of an owner is the one in use; the content is in the files folder.
CREATE TABLE signature_image (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  uploaded_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX signature_image_by_owner ON signature_image (kind, owner, created_at);

-- Every use of a signature or seal image: which image, by whom, on which decision.
CREATE TABLE signature_use (
  id TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES signature_image (id),
  application_id TEXT NOT NULL REFERENCES application (id),
  task_id TEXT NOT NULL,
  step TEXT NOT NULL,
  person_id TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX signature_use_by_application ON signature_use (application_id);
