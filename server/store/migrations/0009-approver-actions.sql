-- servicehall 0010: approver actions (issues 15.6 and 14.6). Portable SQL (SQLite and PostgreSQL).

-- 转办 / 加签 / 委派: a task may be a person's rather than its group@scope's. `person_id` is who must act
-- now (the transferee, the added approver, the delegate); NULL means any holder of group@scope. The
-- hand-overs themselves are decisions in application.decisions (replayed by the interpreter) and events.
-- `handed_by`/`handed_at` say who last passed the task on, for the conflict answer when two act at once.
-- `on_behalf_of` is set when the person acted as a colleague's stand-in (委托, out of office).
ALTER TABLE task ADD COLUMN person_id TEXT;
ALTER TABLE task ADD COLUMN handed_by TEXT;
ALTER TABLE task ADD COLUMN handed_at TEXT;
ALTER TABLE task ADD COLUMN on_behalf_of TEXT;
CREATE INDEX task_by_person ON task (person_id, status, due);

-- 抄送: an application copied to a group@scope for information when a step approved (no task).
CREATE TABLE copy (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES application (id),
  step TEXT NOT NULL,
  group_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX copy_by_holder ON copy (group_id, scope, at);
CREATE INDEX copy_by_application ON copy (application_id);

-- 知悉: a copy's recipient acknowledged it (once per person).
CREATE TABLE copy_ack (
  copy_id TEXT NOT NULL REFERENCES copy (id),
  person_id TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (copy_id, person_id)
);

-- 常用意见: an approver's saved comment phrases.
CREATE TABLE phrase (
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX phrase_by_person ON phrase (person_id, created_at);

-- 批注: an approver's note on one form field, for the steps after theirs.
CREATE TABLE annotation (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES application (id),
  task_id TEXT NOT NULL,
  step TEXT NOT NULL,
  field TEXT NOT NULL,
  text TEXT NOT NULL,
  person_id TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX annotation_by_application ON annotation (application_id, at);

-- 催办: the applicant reminded the current holder; one a day per application (the last is kept here).
CREATE TABLE urge (
  application_id TEXT PRIMARY KEY REFERENCES application (id),
  last_at TEXT NOT NULL,
  count INTEGER NOT NULL
);

-- 委托: a person hands all their tasks to a colleague for a period (out of office), dates inclusive.
CREATE TABLE stand_in (
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  stand_in_id TEXT NOT NULL,
  starts TEXT NOT NULL,
  ends TEXT NOT NULL,
  created_at TEXT NOT NULL,
  cancelled_at TEXT
);
CREATE INDEX stand_in_by_stand_in ON stand_in (stand_in_id, starts, ends);
CREATE INDEX stand_in_by_person ON stand_in (person_id, starts, ends);

-- 代理申请: the office person who applied on the applicant's behalf (NULL: the applicant applied).
ALTER TABLE application ADD COLUMN proxy_id TEXT;
