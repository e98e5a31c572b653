-- servicehall 0002: rate-limit counters shared by every process on the database, and a cheap count of
-- applications by status for the metrics' incident gauge.
-- Portable SQL (SQLite and PostgreSQL): TEXT/INTEGER only, instants as ISO-8601 text in UTC.

-- One fixed window per bucket (`login:<ip>`, `submission:<person>`): hits in the window and when it ends.
-- Rows whose window has ended are deleted from time to time; an ended window also restarts on its next hit.
CREATE TABLE rate_limit (
  bucket TEXT PRIMARY KEY,
  hits INTEGER NOT NULL,
  resets_at TEXT NOT NULL
);
CREATE INDEX rate_limit_by_reset ON rate_limit (resets_at);

CREATE INDEX IF NOT EXISTS application_by_status ON application (status);
