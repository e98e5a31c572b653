-- servicehall 0003: incidents the IT office must see (issue 13.5). A step that nobody can be assigned is
-- never a task nobody sees: it is an incident, written with the `unassigned` event in the same transaction.
--   reason 'no-holder'     the task's group@scope has no holder in the directory; `task_id` is the task,
--                          which stays open and is resolved ('holder') when a directory reload brings one.
--   reason 'missing-value' the step's scope reads an applicant attribute or form field with no value
--                          (`missing`, e.g. applicant.class): the interpreter stops there; no task exists.
-- `resolution`: 'holder', 'cancelled' (the task was no longer needed), 'withdrawn', 'closed' (the application ended).
CREATE TABLE incident (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES application (id),
  task_id TEXT,
  step TEXT NOT NULL,
  group_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  reason TEXT NOT NULL,
  missing TEXT,
  since TEXT NOT NULL,
  resolved_at TEXT,
  resolution TEXT
);
CREATE INDEX incident_open ON incident (resolved_at, since);
CREATE INDEX incident_by_application ON incident (application_id, resolved_at);
CREATE INDEX incident_by_task ON incident (task_id);
