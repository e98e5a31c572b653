-- servicehall 0011: system steps (issue 15.3). Portable SQL (SQLite and PostgreSQL).
-- A system step's call to a declared connector, written in the transaction that reaches the step (an
-- outbox row: the call is made after the commit, never inside it). `id` is also the Idempotency-Key the
-- receiver sees, the same for every attempt of the call. `status`: 'pending' (due at next_attempt_at;
-- an attempt under way holds a lease there), 'done' (the receiver answered 2xx; the step's `approve` is
-- recorded in the same transaction), 'failed' (retries exhausted: an incident with reason
-- 'system-failed' for the IT office, who may retry it, which sets it 'pending' again).
CREATE TABLE system_call (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES application (id),
  step TEXT NOT NULL,
  connector TEXT NOT NULL,
  path TEXT,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  timeout_seconds INTEGER NOT NULL,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  done_at TEXT
);
CREATE INDEX system_call_due ON system_call (status, next_attempt_at);
CREATE INDEX system_call_by_application ON system_call (application_id);
