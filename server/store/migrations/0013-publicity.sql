-- servicehall 0013: publicity periods (公示, issue 15.2). Portable SQL (SQLite and PostgreSQL).
-- A period an application is published in, written in the transaction that reaches it. `ends_at` (UTC,
-- ISO 8601) is the end of its last work day; the sweep closes the period once, by a conditional update of
-- `closed_at`, in the transaction that records the period's end on the application. `until` is the last day
-- as the 公示 page shows it.
CREATE TABLE publicity (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES application (id),
  step TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  until TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  closed_at TEXT
);
CREATE INDEX publicity_due ON publicity (closed_at, ends_at);
CREATE INDEX publicity_by_application ON publicity (application_id);
