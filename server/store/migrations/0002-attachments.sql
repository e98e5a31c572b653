-- servicehall 0002: attachments (附件). Portable SQL (SQLite and PostgreSQL).

-- One upload. The content lives on disk, named by its sha256 (identical content is stored once; several
-- rows may share a hash). `media_type` is what the hall sniffed from the bytes, never what the client
-- claimed; `ext` the accepted extension it was judged to be. `name` is the client's name, sanitised, kept
-- only to offer the download under it. An upload belongs to one person, for one service's one form
-- field, and is bound to at most one application (`application_id`) when that application is submitted.
CREATE TABLE attachment (
  id TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  media_type TEXT NOT NULL,
  ext TEXT NOT NULL,
  name TEXT NOT NULL,
  uploader_id TEXT NOT NULL,
  service TEXT NOT NULL,
  field TEXT NOT NULL,
  application_id TEXT REFERENCES application (id),
  created_at TEXT NOT NULL,
  bound_at TEXT
);
CREATE INDEX attachment_by_uploader ON attachment (uploader_id, service, field, application_id);
CREATE INDEX attachment_by_application ON attachment (application_id);
CREATE INDEX attachment_by_sha256 ON attachment (sha256);
