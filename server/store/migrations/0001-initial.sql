-- servicehall 0001: applications, tasks, the event log, the notification outbox, the directory.
-- Portable SQL (SQLite and PostgreSQL): TEXT/INTEGER only, JSON as text, instants as ISO-8601 text in UTC.

-- One application (流程实例), pinned to the definition version it started on. `decisions` is the replay
-- log the reference interpreter runs: the application's state is always runWorkflow(definition, decisions).
CREATE TABLE application (
  id TEXT PRIMARY KEY,
  service TEXT NOT NULL,
  version INTEGER NOT NULL,
  applicant_id TEXT NOT NULL,
  applicant TEXT NOT NULL,
  data TEXT NOT NULL,
  decisions TEXT NOT NULL,
  status TEXT NOT NULL,
  channel TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  emitted_timeline INTEGER NOT NULL,
  emitted_notifications INTEGER NOT NULL,
  revision INTEGER NOT NULL
);
CREATE INDEX application_by_applicant ON application (applicant_id, submitted_at);
CREATE INDEX application_by_version ON application (service, version, status);

-- A step waiting for (or given) a decision. `round` counts activations of the same step (after a return).
CREATE TABLE task (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES application (id),
  step TEXT NOT NULL,
  round INTEGER NOT NULL,
  group_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  status TEXT NOT NULL,
  due TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  acted_by TEXT,
  acted_at TEXT,
  action TEXT,
  comment TEXT,
  reminded_at TEXT,
  overdue_at TEXT,
  UNIQUE (application_id, step, round)
);
CREATE INDEX task_by_due ON task (status, due);
CREATE INDEX task_by_holder ON task (group_id, scope, status, due);
CREATE INDEX task_by_actor ON task (acted_by, acted_at);

-- Every state change appends its events here in the same transaction; the log writer copies them to
-- the daily JSONL files that `hall report` reads and marks them exported.
CREATE TABLE event (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL,
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  exported_at TEXT
);
CREATE INDEX event_unexported ON event (exported_at, at);
CREATE INDEX event_by_application ON event (application_id, at);

-- Notifications to deliver, written with the change that caused them; never dropped, only marked.
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL,
  event TEXT NOT NULL,
  recipient TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Who holds `group@scope` (imported from the data centre's exports; never from git). Scope '' = whole university.
CREATE TABLE person (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  attributes TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE membership (
  person_id TEXT NOT NULL,
  group_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  PRIMARY KEY (person_id, group_id, scope)
);
CREATE INDEX membership_by_group ON membership (group_id, scope);

-- Signed-in sessions, shared by every process on the database. The CSRF token is checked on every
-- state-changing request (synchronizer token).
CREATE TABLE session (
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX session_by_person ON session (person_id);

-- A sign-in under way at the identity provider (OIDC state, nonce and PKCE verifier), kept minutes only.
CREATE TABLE login_attempt (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  nonce TEXT NOT NULL,
  verifier TEXT NOT NULL,
  created_at TEXT NOT NULL
);
